/// Claims about who gets in (KAF-11): TLS refusals, mutual TLS, SCRAM passwords and certificate rotation,
/// judged on the errors and serials the steps saw.
public enum Access {
    /// A TLS client with a bad certificate was refused before it connected (`message`: the refusal; nil
    /// when the client was created), with an error naming `named` and not echoing `directory`.
    public static func refusedNaming(_ named: String, message: String?, directory: String) -> Verdict {
        guard let message else {
            return .fails("a TLS client was created with that certificate: nothing refused it before it connects")
        }
        guard message.contains(named) else { return .fails("the error does not name \(named): \(message)") }
        return message.contains(directory) ? .fails("the error shows a configured path: \(message)") : Verdict()
    }

    /// The refusal says `text`.
    public static func says(_ text: String, message: String) -> Verdict {
        message.contains(text) ? Verdict() : .fails("the error does not say \"\(text)\": \(message)")
    }

    /// Metadata on the mTLS listener came (`error` nil) with the client certificate, and did not without it.
    public static func mutualTLS(withCertificate: Bool, error: String?) -> Verdict {
        switch (withCertificate, error) {
        case (true, let error?): return .fails("a client with its certificate cannot reach the mTLS listener: \(error)")
        case (false, nil): return .fails("a client without a certificate got metadata from the mTLS listener")
        default: return Verdict()
        }
    }

    /// How a metadata request on the SASL_SSL listener ended: nil when it succeeded.
    public struct Failure: Sendable, Equatable {
        public var name: String
        /// The broker said the authentication failed.
        public var authentication: Bool
        public var description: String

        public init(name: String, authentication: Bool, description: String) {
            self.name = name
            self.authentication = authentication
            self.description = description
        }
    }

    /// A wrong password is refused with an authentication error; the right one gets metadata.
    public static func scram(_ user: String, wrongPassword: Failure?, rightPassword: Failure?) -> Verdict {
        guard let wrong = wrongPassword else {
            return .fails("\(user) with a wrong password got metadata from the SASL_SSL listener")
        }
        guard wrong.authentication else {
            return .fails("a wrong password failed, but not with an authentication error: \(wrong.name)")
        }
        return rightPassword.map { .fails("\(user) with the right password cannot get metadata: \($0.description)") }
            ?? Verdict()
    }

    /// After a rotation the broker presents the issued certificate (serials), not the one from before.
    public static func presentsNewCertificate(broker: Int32, before: String, issued: String, now: String) -> Verdict {
        if now == before {
            return .fails(
                "broker \(broker) still presents its old certificate (serial \(now)); "
                    + "the rotation issued \(issued)")
        }
        return now == issued ? Verdict() : .fails("broker \(broker) presents serial \(now), not the issued \(issued)")
    }

    /// Producing through a rotation: no send failed, nothing was lost (`lost`: the delivery verdict's
    /// loss claim), and every error the producer saw was retriable; `context` is the delivery summary.
    public static func survivedRotation(
        failed: Int, sent: Int, lost: Verdict, errors: [String: Int],
        context: String
    ) -> Verdict {
        var problems = lost.problems + ProducerErrors.onlyRetriable(errors).problems
        if failed > 0 { problems.insert("\(failed) of \(sent) sends failed", at: 0) }
        return Verdict(problems, context: context)
    }
}
