import Foundation

/// A TLS handshake seen from both ends (KAF-11): the client's error and whether the server agreed a cipher.
public enum TLSHandshake {
    /// The handshake completed: the server agreed a cipher and the client reported no TLS failure (it may
    /// still fail afterwards: no Kafka answers behind a stand-in endpoint).
    public static func completed(clientError: String?, serverCompleted: Bool) -> Verdict {
        var problems: [String] = []
        if !serverCompleted { problems.append("the server never agreed a cipher with the client") }
        if let e = clientError, let failure = failure(in: e) {
            problems.append("the client reported a TLS failure: \(failure)")
        }
        return Verdict(problems)
    }

    /// The handshake failed, and the client's error names `text` (case-insensitive).
    public static func refused(naming text: String, clientError: String?, serverCompleted: Bool) -> Verdict {
        guard !text.isEmpty else { return .fails("no text to look for in the client's error") }
        var problems: [String] = []
        if serverCompleted { problems.append("the server agreed a cipher with the client: the handshake completed") }
        if let e = clientError {
            if e.range(of: text, options: .caseInsensitive) == nil {
                problems.append("the client's error does not name \"\(text)\": \(e)")
            }
        } else {
            problems.append("the client reported no error")
        }
        return Verdict(problems)
    }

    /// librdkafka's words for a failed handshake, when the error has them.
    public static func failure(in error: String) -> String? {
        for marker in ["SSL handshake failed", "certificate verify failed", "wrong version number", "alert"]
        where error.range(of: marker, options: .caseInsensitive) != nil {
            return marker
        }
        return nil
    }
}
