import Runtime
import Cluster

extension StepContext {
    /// The compose cluster under this scenario's cluster, for what only its containers can do (the
    /// brokers' own tools, the Connect worker, the secured listeners). Skips, naming `capability`,
    /// on a backend without it, and on one that has it but no containers to run tools in.
    func composeCluster(for capability: ClusterCapability, tools: String) throws -> ComposeCluster {
        let cluster = try cluster()
        try cluster.require(capability)
        guard let compose = ((cluster as? IsolatedCluster)?.shared ?? cluster) as? ComposeCluster else {
            throw Unsupported(
                capability: capability, backend: cluster.backend,
                hint: "\(tools) run in the containers of --cluster compose")
        }
        return compose
    }

    /// The scenario's suffix on a shared cluster (connector names, files, users), "local" otherwise.
    var sharedScope: String { (try? cluster() as? IsolatedCluster)??.scope ?? "local" }
}
