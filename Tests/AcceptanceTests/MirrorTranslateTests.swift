import Processing
import Testing

/// The failover's offset translation on a hand-written offset map, no cluster.
@Suite("Mirror offset translation")
struct MirrorTranslateTests {
    /// Source offsets 10…14 were mirrored to target offsets 100…104 (the target already held 100 records).
    static let map = Dictionary(uniqueKeysWithValues: (Int64(10)...14).map { ($0, $0 + 90) })

    @Test func aMirroredOffsetMapsToItsOwnCopy() {
        #expect(Mirror.translate(10, through: Self.map) == 100)
        #expect(Mirror.translate(12, through: Self.map) == 102)
        #expect(Mirror.translate(14, through: Self.map) == 104)
    }

    @Test func anOffsetNotMirroredYetMapsPastTheNewestCopyBelowIt() {
        #expect(Mirror.translate(15, through: Self.map) == 105)
        #expect(Mirror.translate(40, through: Self.map) == 105)
    }

    @Test func anOffsetBelowEveryMirroredOneHasNoTranslation() {
        #expect(Mirror.translate(9, through: Self.map) == nil)
        #expect(Mirror.translate(0, through: [:]) == nil)
    }
}
