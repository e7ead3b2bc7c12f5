import Testing
import Verification

@Suite("What producers delivered")
struct ProducingTests {
    typealias KV = Producing.KeyedValue
    static func kv(_ key: String?, _ json: String) -> KV { KV(key: key, value: Array(json.utf8)) }

    @Test func ordersReadBackAsEqualJSONHold() {
        // Key order and spacing differ; the JSON objects are equal.
        let v = Producing.ordersAsJSON(sent: [1: #"{"id":1,"total":9.5}"#],
                                       read: [Self.kv("order-1", #"{ "total": 9.5, "id": 1 }"#), Self.kv(nil, "x")])
        #expect(v.holds)
    }

    @Test func aChangedNeverSentOrMissingOrderFails() {
        let v = Producing.ordersAsJSON(sent: [1: #"{"id":1}"#, 2: #"{"id":2}"#],
                                       read: [Self.kv("order-1", #"{"id":7}"#), Self.kv("order-3", #"{"id":3}"#)])
        #expect(v.problems == [#"order 1 came back as {"id":7}, sent {"id":1}"#,
                               "read an order 3 that was never sent", "1 orders never read back, e.g. [2]"])
        #expect(!Producing.ordersAsJSON(sent: [1: #"{"id":1}"#], read: [Self.kv("order-1", "not json")]).holds)
        #expect(!Producing.ordersAsJSON(sent: [:], read: []).holds)
    }

    @Test func aConfigurationShortOfMessagesOrWithErrorsFails() {
        let ok = Producing.BenchmarkRun(label: "acks=all", delivered: 100, errors: 0)
        let short = Producing.BenchmarkRun(label: "acks=1", delivered: 90, errors: 10)
        #expect(Producing.everyConfigurationDelivered(100, runs: [ok]).holds)
        #expect(Producing.everyConfigurationDelivered(100, runs: [ok, short]).problems
            == ["acks=1: 90 delivered, 10 errors"])
        #expect(Producing.everyConfigurationDelivered(100, runs: []).problems == ["no benchmark ran in this scenario"])
    }
}
