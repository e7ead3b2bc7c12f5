import Harness

/// The step vocabulary of KafkaBDD: the sentences feature files are written in. Each domain
/// (cluster, topics, producing, consuming, faults, evidence) registers its step definitions here.
public enum Steps {
    /// The Gherkin dialect the shipped feature files are written in.
    public static let dialect = Dialect.english
}
