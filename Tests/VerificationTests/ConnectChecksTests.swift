import Testing
import Verification

/// The transform oracle and the Connect dead-letter check on hand-written records.
@Suite("Connect checks")
struct ConnectChecksTests {
    /// What the KAF-09 file source applies to each line: hoist it into `amount`, cast it to an int,
    /// add `source=file`, rename `amount` to `amount_cents`.
    static let chain = TransformChain([
        .hoist(field: "amount"), .cast(spec: [("amount", "int32")]), .insertStatic(field: "source", value: "file"),
        .replace(exclude: [], include: [], renames: [("amount", "amount_cents")]),
    ])
    static let lines: [Record] = ["120", "75", "3"].map { .primitive(.string($0)) }
    static func out(_ n: Int64, source: String = "file") -> Record {
        .fields([("amount_cents", .int(n)), ("source", .string(source))])
    }

    @Test func theChainAsConnectDocumentsIt() {
        #expect(Self.chain.apply(.primitive(.string("42"))) == .success(Self.out(42)))
        #expect(Self.chain.verdict(source: Self.lines, observed: [Self.out(120), Self.out(75), Self.out(3)]).holds)
        let config = MessageTransform.cast(spec: [("amount", "int32")]).connectConfig(alias: "c")
        #expect(config == ["transforms.c.type": "org.apache.kafka.connect.transforms.Cast$Value",
                           "transforms.c.spec": "amount:int32"])
    }

    @Test func aTransformNotAppliedFails() {
        // The cast skipped: the amount arrives as a string.
        let uncast: Record = .fields([("amount_cents", .string("75")), ("source", .string("file"))])
        #expect(Self.chain.verdict(source: Self.lines, observed: [Self.out(120), uncast, Self.out(3)]).problems
                    == [#"record 2: expected {"amount_cents":75,"source":"file"}, read {"amount_cents":"75","source":"file"}"#])
        // The rename skipped, and the insert.
        let unrenamed: Record = .fields([("amount", .int(120)), ("source", .string("file"))])
        #expect(!Self.chain.verdict(source: Self.lines, observed: [unrenamed, Self.out(75), Self.out(3)]).holds)
        #expect(!Self.chain.verdict(source: Self.lines, observed: [Self.out(120, source: "db"), Self.out(75),
                                                                   Self.out(3)]).holds)
    }

    @Test func lostOrExtraRecordsFail() {
        #expect(Self.chain.verdict(source: Self.lines, observed: [Self.out(120), Self.out(75)]).problems
                    == [#"1 of 3 records did not arrive, from {"amount_cents":3,"source":"file"}"#])
        #expect(!Self.chain.verdict(source: Self.lines, observed: [Self.out(120), Self.out(75), Self.out(3),
                                                                   Self.out(3)]).holds)
    }

    @Test func anIdentityChainOrAnUncastableSourceIsRefused() {
        #expect(!TransformChain([]).verdict(source: Self.lines, observed: Self.lines).holds)
        let bad: [Record] = [.primitive(.string("12x"))]
        #expect(Self.chain.verdict(source: bad, observed: []).problems.first
                    == #"source record 1 ("12x") cannot pass the chain: Cast cannot turn "12x" into int32"#)
        #expect(MessageTransform.insertStatic(field: "f", value: "v").apply(.primitive(.int(1)))
                    == .failure(TransformError("InsertField needs a struct or map value, got a primitive")))
    }

    // Dead letters: input offsets 0…5 of "orders"; 1 and 4 are malformed.
    typealias DLQ = ConnectDeadLetterExpectation
    static let input = (0..<6).map { i in
        DLQ.Input(partition: 0, offset: Int64(i), value: [1, 4].contains(i) ? "{oops \(i)" : String(100 + i),
                  malformed: [1, 4].contains(i))
    }
    static func letter(_ offset: Int64, value: String? = nil, without: String? = nil) -> DLQ.Letter {
        var h = ["__connect.errors.topic": "orders", "__connect.errors.partition": "0",
                 "__connect.errors.offset": String(offset), "__connect.errors.stage": "VALUE_CONVERTER",
                 "__connect.errors.exception.class.name": "org.apache.kafka.connect.errors.DataException",
                 "__connect.errors.exception.message": "Converting byte[] to Kafka Connect data failed"]
        if let without { h[without] = nil }
        return DLQ.Letter(value: value ?? "{oops \(offset)", headers: h)
    }
    static let sunk = ["100", "102", "103", "105"]

    @Test func malformedOnTheDeadLetterTopicTheRestSunkHolds() {
        #expect(DLQ(inputTopic: "orders").verdict(input: Self.input, letters: [Self.letter(1), Self.letter(4)],
                                                  sunk: Self.sunk).holds)
    }

    @Test func aMissingOrDuplicatedOrHeaderlessLetterFails() {
        let dlq = DLQ(inputTopic: "orders")
        #expect(dlq.verdict(input: Self.input, letters: [Self.letter(1)], sunk: Self.sunk).problems
                    == ["1 malformed records are not on the dead-letter topic, e.g. [0]@4"])
        #expect(dlq.verdict(input: Self.input, letters: [Self.letter(1), Self.letter(4), Self.letter(4)],
                            sunk: Self.sunk).problems == ["dead-lettered more than once: [\"0@4\"]"])
        #expect(dlq.verdict(input: Self.input, letters: [Self.letter(1),
                                                         Self.letter(4, without: "__connect.errors.exception.message")],
                            sunk: Self.sunk).problems
                    == ["dead letter 2 lacks the headers [\"__connect.errors.exception.message\"]"])
    }

    @Test func aGoodRecordLostOrDeadLetteredOrAnAlteredLetterFails() {
        let dlq = DLQ(inputTopic: "orders")
        #expect(dlq.verdict(input: Self.input, letters: [Self.letter(1), Self.letter(4)],
                            sunk: ["100", "102", "105"]).problems
                    == ["1 well-formed records did not reach the sink, e.g. \"103\""])
        #expect(!dlq.verdict(input: Self.input, letters: [Self.letter(1), Self.letter(4), Self.letter(3, value: "103")],
                             sunk: Self.sunk).holds)
        #expect(dlq.verdict(input: Self.input, letters: [Self.letter(1, value: "x"), Self.letter(4)],
                            sunk: Self.sunk).problems == ["dead letter 1 holds \"x\", not the record it names (\"{oops 1\")"])
        #expect(!dlq.verdict(input: Self.input.filter { !$0.malformed }, letters: [], sunk: Self.sunk).holds)
    }
}
