import Testing
import Verification

/// The judgement of a certificate rotation's producer errors: transient ones pass, the rest fail by name.
@Suite("Producer errors during a drill")
struct ProducerErrorsTests {
    @Test func noErrorsAndTransientOnesHold() {
        #expect(ProducerErrors.onlyRetriable([:]).holds)
        #expect(ProducerErrors.onlyRetriable(["_TRANSPORT": 3, "NOT_LEADER_OR_FOLLOWER": 1]).holds)
    }

    @Test func aRefusedHandshakeOrATimedOutDeliveryFails() {
        let verdict = ProducerErrors.onlyRetriable(["_TRANSPORT": 2, "_SSL": 4, "_MSG_TIMED_OUT": 1])
        #expect(!verdict.holds)
        #expect(verdict.description.contains("_MSG_TIMED_OUT ×1, _SSL ×4"))
        #expect(!verdict.description.contains("_TRANSPORT"))
        #expect(!ProducerErrors.onlyRetriable(["TOPIC_AUTHORIZATION_FAILED": 1]).holds)
    }
}
