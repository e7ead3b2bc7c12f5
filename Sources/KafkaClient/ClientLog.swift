import CRdKafka
import Foundation
import Logging

/// librdkafka's own log lines (`%3|…|FAIL|…`) go through one swift-log logger instead of straight to
/// standard error. KAFKA_BDD_LOG_LEVEL (trace, debug, info, notice, warning, error, critical) shows
/// them; by default they are hidden, as the commands report what matters themselves.
public enum ClientLog {
    /// KAFKA_BDD_LOG_LEVEL, when it names a level.
    static let requested = ProcessInfo.processInfo.environment["KAFKA_BDD_LOG_LEVEL"]
        .flatMap(Logger.Level.init(rawValue:))

    public static let logger: Logger = {
        var logger = Logger(label: "librdkafka") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = requested ?? .critical
        return logger
    }()

    /// The one place that decides a client's `log_level` (and, at trace, its `debug` contexts): librdkafka
    /// formats exactly the lines the logger shows. KAFKA_BDD_LOG_LEVEL overrides a client property;
    /// without it a `log_level` from a client properties file stays, else only critical lines are made.
    static func apply(_ requested: Logger.Level?, to properties: [String: String]) -> [String: String] {
        var p = properties
        if let requested {
            p["log_level"] = String(syslog(requested))
            // librdkafka's protocol lines (e.g. an ApiVersions it cannot parse) are debug contexts.
            if requested == .trace, p["debug"] == nil { p["debug"] = "broker,protocol,security" }
        } else if p["log_level"] == nil {
            p["log_level"] = String(syslog(.critical))
        }
        return p
    }

    static func syslog(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

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
