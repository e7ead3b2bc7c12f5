import Testing

extension WholeChapterRuns {
    /// One test per chapter card of the study plan, each case one scenario of that card:
    /// `swift test --filter KAF02` gates chapter 2. Swift Testing takes the cases one at a time; on the
    /// embedded cluster a card's scenarios run three at a time underneath, each on its own cluster
    /// (KAFKA_BDD_PARALLEL; 1 on a shared cluster, whose scenarios would fault each other).
    @Suite("Study plan chapters", .serialized)
    struct Chapters {
        static let suite = AcceptanceSuite.shared
        static func enabled(_ card: String) -> ConditionTrait {
            .enabled(if: !suite.cases(card: card).isEmpty, Comment(rawValue: "no scenarios tagged @\(card) under Features/ (or none selected by KAFKA_BDD_TAGS)"))
        }

        /// A bad KAFKA_BDD_TAGS or an unreadable feature file selects nothing: that must fail, not pass.
        @Test("the feature files load and the selection is valid")
        func configuration() throws { _ = try Self.suite.session.get() }

        @Test("KAF-01 Meet Kafka", .serialized, enabled("KAF-01"), arguments: suite.cases(card: "KAF-01"))
        func KAF01(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-02 Installing Kafka", .serialized, enabled("KAF-02"), arguments: suite.cases(card: "KAF-02"))
        func KAF02(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-03 Producers", .serialized, enabled("KAF-03"), arguments: suite.cases(card: "KAF-03"))
        func KAF03(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-04 Consumers", .serialized, enabled("KAF-04"), arguments: suite.cases(card: "KAF-04"))
        func KAF04(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-05 AdminClient", .serialized, enabled("KAF-05"), arguments: suite.cases(card: "KAF-05"))
        func KAF05(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-06 Internals and compaction", .serialized, enabled("KAF-06"), arguments: suite.cases(card: "KAF-06"))
        func KAF06(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-07 Reliable delivery", .serialized, enabled("KAF-07"), arguments: suite.cases(card: "KAF-07"))
        func KAF07(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-08 Exactly-once", .serialized, enabled("KAF-08"), arguments: suite.cases(card: "KAF-08"))
        func KAF08(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-09 Connect", .serialized, enabled("KAF-09"), arguments: suite.cases(card: "KAF-09"))
        func KAF09(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-10 Mirroring", .serialized, enabled("KAF-10"), arguments: suite.cases(card: "KAF-10"))
        func KAF10(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-11 Security", .serialized, enabled("KAF-11"), arguments: suite.cases(card: "KAF-11"))
        func KAF11(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-12 Day-2 operations", .serialized, enabled("KAF-12"), arguments: suite.cases(card: "KAF-12"))
        func KAF12(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-13 Monitoring", .serialized, enabled("KAF-13"), arguments: suite.cases(card: "KAF-13"))
        func KAF13(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("KAF-14 Streams", .serialized, enabled("KAF-14"), arguments: suite.cases(card: "KAF-14"))
        func KAF14(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        @Test("Capstone", .serialized, enabled("capstone"), arguments: suite.cases(card: "capstone"))
        func Capstone(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }

        /// Feature files users add without a card tag run too.
        @Test("Other feature files", .serialized, .enabled(if: !suite.cases(card: nil).isEmpty, "every feature file under Features/ belongs to a card"),
              arguments: suite.cases(card: nil))
        func OtherFeatures(_ c: AcceptanceCase) async throws { try await Self.suite.run(c) }
    }
}
