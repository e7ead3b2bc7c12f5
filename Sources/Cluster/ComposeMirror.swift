extension ComposeCluster.Topology {
    /// The target cluster of docker-compose.yml's `mirror` profile (KAF-10): three brokers that are
    /// also its controllers, behind their own toxiproxy, reached at localhost:2919N.
    public static let west = ComposeCluster.Topology(
        brokers: [1: "west-kafka-1", 2: "west-kafka-2", 3: "west-kafka-3"],
        controllers: [1: "west-kafka-1", 2: "west-kafka-2", 3: "west-kafka-3"], proxy: "west-toxiproxy")
}

extension ComposeCluster {
    public static let westBootstrap = "localhost:29191,localhost:29192,localhost:29193"
}
