import Prometheus

/// The pipeline's end-to-end latency in the Prometheus text format, for the same scrapers and alert
/// rules as the client metrics (monitoring/prometheus-alerts.yml: KafkaBddPipelineLatencyHigh).
public enum PipelineMetrics {
    public static let latencyName = "kafka_bdd_pipeline_latency_seconds"
    /// The histogram's series, as PromQL names them.
    public static let names: Set<String> = [
        latencyName, latencyName + "_bucket", latencyName + "_count",
        latencyName + "_sum",
    ]
    public static let buckets: [Double] = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    /// A histogram of commit-to-sink latencies (given in milliseconds).
    public static func prometheusText(latenciesMillis: [Double], pipeline: String) -> String {
        let registry = PrometheusCollectorRegistry()
        let descriptor = MetricNameDescriptor(
            namespace: "kafka_bdd", metricName: "pipeline_latency", unitName: "seconds",
            helpText: "Time from a commit in the source table to its row in the sink table.")
        let histogram = registry.makeValueHistogram(
            descriptor: descriptor, labels: [("pipeline", pipeline)],
            buckets: buckets)
        for ms in latenciesMillis { histogram.record(ms / 1000) }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
