// swift-tools-version:6.0
import PackageDescription

// One target per pipeline stage; the dependency arrows below are the architecture
// (docs/ARCHITECTURE.md), and scripts/check_architecture.py fails CI on any other arrow.
let package = Package(
    name: "KafkaBDD",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kafka-bdd", targets: ["kafka-bdd"]),
        .library(name: "Steps", targets: ["Steps"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // Tests only: reads the YAML conformance data of cucumber-expressions and tag-expressions.
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // The Cucumber engine, under Sources/Harness: it knows nothing of Kafka.
        // Typed Cucumber Messages: AST, pickles, run messages, envelopes, the NDJSON writer and decoder.
        .target(name: "Messages", path: "Sources/Harness/Messages",
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // feature text → AST → pickles
        .target(name: "Gherkin", dependencies: ["Messages"], path: "Sources/Harness/Gherkin"),
        // Cucumber Expressions, regular expressions, tag expressions
        .target(name: "Expressions", path: "Sources/Harness/Expressions"),
        // pickles → matched steps → results, as a stream of envelopes
        .target(name: "Runtime", dependencies: ["Messages", "Gherkin", "Expressions"], path: "Sources/Harness/Runtime"),
        // envelopes → console, HTML, JUnit, Cucumber JSON, rerun
        .target(name: "Reporting", dependencies: ["Messages"], path: "Sources/Harness/Reporting",
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // load → select → run → report: one run, for the CLI and the Swift Testing suite alike
        // The language server: feature text → pickles → matched steps, answered to an editor (no run, no Kafka).
        .target(name: "LanguageServer", dependencies: ["Messages", "Gherkin", "Expressions", "Runtime", "Reporting"],
                path: "Sources/Harness/LanguageServer"),
        .target(name: "Session", dependencies: ["Messages", "Gherkin", "Expressions", "Runtime", "Reporting"],
                path: "Sources/Harness/Session"),
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // Child processes launched one at a time against the mock's broker-down command (librdkafka 2.0.2)
        .target(name: "Launching"),
        // librdkafka wrappers: producer, consumer, admin, mock cluster, metrics
        .target(
            name: "KafkaClient",
            dependencies: ["CRdKafka", "Launching", .product(name: "Histogram", package: "hdrhistogram-swift"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // libpq's C API (system library), for the capstone's PostgreSQL source and sink
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // libpq in Swift: connections with deadlines, statements off the concurrency pool, redacted DSNs
        .target(name: "Postgres", dependencies: ["CPostgres"]),
        // the capstone's pipeline: CDC reader (logical replication), windowed totals, idempotent sink
        .target(name: "ChangeCapture", dependencies: ["Postgres", "KafkaClient", "Streams",
                                                      .product(name: "Prometheus", package: "swift-prometheus")]),
        // cluster backends: embedded, compose, external; faults and capabilities
        .target(name: "Cluster", dependencies: ["KafkaClient", "Launching"]),
        // pure checkers: histories in, verdicts out
        .target(name: "Verification"),
        // pure admin plans and safety checks: metadata snapshots in, plans or refusals out (`kafka-bdd admin`)
        .target(name: "Operations"),
        // the stream topology under test (KAF-14), pure: records with timestamps in, results and changelog out
        .target(name: "Streams"),
        // KAF-10 and KAF-14's runners over Kafka: the stream processor and the mirror
        .target(name: "Processing", dependencies: ["KafkaClient", "Streams"]),
        // cluster actions and histories: faults and workloads run, histories returned; no sentences, no engine
        .target(name: "Drills", dependencies: ["Cluster", "KafkaClient", "Verification", "Operations", "Streams",
                                               "Processing", "Postgres", "ChangeCapture", "Launching"]),
        // the step vocabulary: sentences → evidence → one call into a drill or a verdict
        .target(name: "Steps", dependencies: ["Runtime", "Cluster", "KafkaClient", "Verification", "Operations",
                                      "Streams", "Processing", "Postgres", "ChangeCapture", "Drills"]),
        .executableTarget(
            name: "kafka-bdd",
            dependencies: [
                "Messages", "Gherkin", "Expressions", "Runtime", "Reporting", "Session", "KafkaClient", "Cluster",
                "Steps", "Drills", "Operations", "Streams", "Processing", "LanguageServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // librdkafka in Swift: clients, the mock, statistics and metrics, C strings, child processes.
        .testTarget(
            name: "KafkaClientTests",
            dependencies: ["KafkaClient", "ChangeCapture", "Launching", "TestSupport", "Yams"]
        ),
        // The cluster backends: embedded, compose (over a fake docker), external; faults and diagnosis.
        .testTarget(
            name: "ClusterTests",
            dependencies: ["Cluster", "KafkaClient", "Launching", "TestSupport", "Yams"]
        ),
        // Drills on the embedded cluster: brokers and coordinators killed mid-stream, histories, the harness's delay.
        .testTarget(
            name: "DrillsTests",
            dependencies: ["Drills", "Cluster", "KafkaClient", "Verification", "TestSupport"]
        ),
        // The kafka-bdd binary as users meet it; it is a dependency so that the binary is built.
        .testTarget(
            name: "CLITests",
            dependencies: ["Messages", "Gherkin", "Expressions", "Runtime", "Reporting", "KafkaClient", "Cluster",
                           "Verification", "Steps", "Drills", "kafka-bdd", "TestSupport", "Launching", "LanguageServer"]
        ),
        // libpq's wrapper and the capstone's pipeline parts against the real PostgreSQL.
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "ChangeCapture", "TestSupport"]),
        // Where the package and ../shared are, and JSON-lines comparison, for every test target: no product code.
        .target(name: "TestSupport", dependencies: ["Launching"], path: "Tests/TestSupport"),
        // The Cucumber engine's parts on their own: these build without librdkafka or libpq.
        // The messages' JSON coding, and the generated part against its generator: nothing but Messages.
        .testTarget(name: "MessagesTests", dependencies: ["Messages", "TestSupport"]),
        .testTarget(name: "GherkinTests", dependencies: ["Gherkin", "Messages", "TestSupport"],
                    // Feature files with their expected messages, read from the source tree.
                    exclude: ["Fixtures"]),
        .testTarget(name: "ExpressionsTests", dependencies: ["Expressions", "TestSupport", "Yams"]),
        // The runner, the reports and the messages on their own: no librdkafka, no libpq.
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Messages", "Gherkin", "Expressions", "Reporting",
                                                         "TestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "Messages", "Runtime", "Gherkin", "Expressions",
                                                           "TestSupport"]),
        // The language server over a hand-made vocabulary: no librdkafka, no libpq.
        .testTarget(name: "LanguageServerTests", dependencies: ["LanguageServer", "Runtime", "Messages", "TestSupport"]),
        // The checkers on hand-written histories: nothing but Verification, no cluster.
        .testTarget(name: "VerificationTests", dependencies: ["Verification"]),
        // The admin plans and safety checks on hand-written snapshots: nothing but Operations.
        .testTarget(name: "OperationsTests", dependencies: ["Operations"]),
        // The topology on hand-written records: nothing but Streams, no cluster.
        .testTarget(name: "StreamsTests", dependencies: ["Streams"]),
        .testTarget(
            name: "AcceptanceTests",
            dependencies: ["Messages", "Gherkin", "Expressions", "Runtime", "Reporting", "Session", "Cluster",
                           "KafkaClient", "Verification", "Steps", "Drills", "Streams", "Processing", "Postgres",
                           "ChangeCapture", "Launching", "TestSupport"],
            exclude: ["Fixtures"]
        ),
    ]
)
