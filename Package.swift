// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "KafkaBDD",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kafka-bdd", targets: ["kafka-bdd"]),
        .library(name: "Harness", targets: ["Harness"]),
        .library(name: "Steps", targets: ["Steps"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // Tests only: reads the YAML conformance data of cucumber-expressions and tag-expressions.
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Harness",
            dependencies: ["CRdKafka", .product(name: "Histogram", package: "hdrhistogram-swift"),
                           .product(name: "Prometheus", package: "swift-prometheus")]
        ),
        .target(
            name: "Steps",
            dependencies: ["Harness"]
        ),
        .executableTarget(
            name: "kafka-bdd",
            dependencies: [
                "Harness",
                "Steps",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "HarnessTests",
            // The CLI is a dependency so that its binary is built for the exit-code tests.
            dependencies: ["Harness", "Yams", "kafka-bdd"]
        ),
        .testTarget(
            name: "AcceptanceTests",
            dependencies: ["Harness", "Steps"],
            exclude: ["Fixtures"]
        ),
    ]
)
