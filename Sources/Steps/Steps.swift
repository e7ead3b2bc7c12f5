import Drills
import Runtime
import KafkaClient
import Cluster
import Verification

/// The step vocabulary of KafkaBDD: the sentences feature files are written in. Each domain
/// (cluster, topics, producing, consuming, evidence) registers its step definitions here.
public enum Steps {
    /// Every step definition, parameter type and hook, bound to a cluster backend.
    public static func supportCode(environment: KafkaEnvironment) -> SupportCode {
        var code = SupportCode()
        ClusterSteps.register(&code, environment)
        KeyedMessagesSteps.register(&code, environment)
        ConsumingSteps.register(&code, environment)
        GroupSteps.register(&code, environment)
        DocumentSteps.register(&code, environment)
        CommitSteps.register(&code, environment)
        ProducerAPISteps.register(&code, environment)
        AvroSteps.register(&code, environment)
        SchemaEvolutionSteps.register(&code, environment)
        ScalingSteps.register(&code, environment)
        ReliabilitySteps.register(&code, environment)
        ExactlyOnceSteps.register(&code, environment)
        MonitoringSteps.register(&code, environment)
        AdminSteps.register(&code, environment)
        MirrorSteps.register(&code, environment)
        StreamsSteps.register(&code, environment)
        InternalsSteps.register(&code, environment)
        ConnectSteps.register(&code, environment)
        SecuritySteps.register(&code, environment)
        CapstoneSteps.register(&code, environment)
        return code
    }
}

// What the cluster cannot model is never a verdict: the runner skips the step with this reason.
extension Unsupported: SkipsStep {
    public var skipReason: String { description }
}

extension CannotRunHere: SkipsStep {
    public var skipReason: String { description }
}

extension Verdict {
    /// Fails the step with the checker's message unless the property holds.
    func enforce() throws {
        if !holds { throw StepFailure(description) }
    }
}

extension TimedJudgement {
    /// Fails the step, or skips it when the harness was too starved to tell.
    func enforce() throws {
        switch self {
        case .holds: return
        case .fails(let message): throw StepFailure(message)
        case .inconclusive(let message): throw StepSkipped(message)
        }
    }
}
