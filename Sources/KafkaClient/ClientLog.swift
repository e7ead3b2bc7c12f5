import CRdKafka
import Foundation
import Logging

/// librdkafka's own log lines (`%3|…|FAIL|…`) go through one swift-log logger instead of straight to
/// standard error. KAFKA_BDD_LOG_LEVEL (trace, debug, info, notice, warning, error, critical) shows
/// them; by default they are hidden, as the commands report what matters themselves.
public enum ClientLog {
    public static let logger: Logger = {
        var logger = Logger(label: "librdkafka") { StreamLogHandler.standardError(label: $0) }
        let level = ProcessInfo.processInfo.environment["KAFKA_BDD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? .critical
        return logger
    }()

    /// syslog levels, as librdkafka uses them, in swift-log's terms.
    static func level(_ syslog: Int32) -> Logger.Level {
        switch syslog {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }

    /// Installs the forwarding callback on a configuration.
    static func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_log_cb(conf) { client, level, facility, message in
            let name = client.map { String(cString: rd_kafka_name($0)) } ?? "rdkafka"
            let text = message.map { String(cString: $0) } ?? ""
            let fac = facility.map { String(cString: $0) } ?? ""
            ClientLog.logger.log(level: ClientLog.level(level), "\(fac) \(text)", metadata: ["client": .string(name)])
        }
    }
}
