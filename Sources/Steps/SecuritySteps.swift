import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about securing Kafka (KAF-11): client-side certificate checks (any backend), and the
/// secured listeners of compose/security.yml: mTLS, SASL/SCRAM and a least-privilege ACL matrix.
/// Passwords are generated per scenario, go to the brokers through stdin and to the clients in
/// memory, and are never logged or attached.
enum SecuritySteps {
    struct State: Sendable {
        enum Key: WorldKey { static var defaultValue: State { State() } }
        /// Client certificate files made in this scenario (a temporary folder).
        var certificates: SecurityDrill.ClientFiles?
        /// User as written → (SCRAM user on the cluster, its generated password).
        var users: [String: (name: String, password: String)] = [:]
        var matrix: PermissionMatrix?
        var acls: [ComposeCluster.ACL] = []
        var refusal: String?
        var rotation: SecurityDrill.Rotation?
        /// The scenario's stand-in TLS listener (stopped after it).
        var endpoint: TLSEndpoint?
    }

    static func startEndpoint(_ ctx: StepContext, _ kind: TLSEndpoint.Kind) async throws {
        guard ctx.world[State.Key.self].endpoint == nil else {
            throw StepFailure("one TLS endpoint per scenario: this one already has one")
        }
        let endpoint = try await TLSEndpoint.start(kind)
        ctx.world.update(State.Key.self) { $0.endpoint = endpoint }
        ctx.log("TLS endpoint on 127.0.0.1:\(endpoint.port)")
    }

    static func attemptHandshake(_ ctx: StepContext) async throws -> TLSEndpoint.Attempt {
        guard let endpoint = ctx.world[State.Key.self].endpoint else {
            throw StepFailure("no TLS endpoint in this scenario")
        }
        let attempt = await endpoint.attempt()
        ctx.log(
            "handshake completed on the server: \(attempt.handshakeCompleted ? "yes" : "no"); client error: "
                + (attempt.clientError ?? "none"))
        return attempt
    }

    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.after(name: "remove the scenario's SCRAM users, ACLs and certificate files") { ctx in
            let state = ctx.world[State.Key.self]
            if let files = state.certificates { try? FileManager.default.removeItem(atPath: files.directory) }
            state.endpoint?.stop()
            guard !state.users.isEmpty || !state.acls.isEmpty,
                let compose = try? ctx.composeCluster(for: .security, tools: "kafka-configs.sh and kafka-acls.sh")
            else { return }
            try await compose.removeACLs(state.acls)
            for user in state.users.values.map(\.name).sorted() { try await compose.deleteScramUser(user) }
            ctx.log("removed \(state.acls.count) ACLs and the users \(state.users.values.map(\.name).sorted())")
        }

        for (sentence, kind, what) in [
            (
                "a TLS endpoint with a certificate for localhost signed by the scenario's CA", TLSEndpoint.Kind.trusted,
                "a certificate for localhost signed by the CA the client trusts"
            ),
            (
                "a TLS endpoint with a certificate signed by a CA the client does not trust", .untrustedCA,
                "a certificate for localhost signed by another CA than the one the client trusts"
            ),
            (
                "a TLS endpoint that speaks only TLS 1.1", .onlyTLS11,
                "the trusted certificate, offered only over TLS 1.1 (below the client's floor: OpenSSL's TLS 1.2)"
            ),
        ] {
            code.given(
                sentence,
                doc: "Starts a stand-in for a broker's TLS listener (`openssl s_server` on a loopback port, stopped "
                    + "after the scenario) with \(what); its certificates are made with openssl in a temporary "
                    + "folder. The handshake steps connect a client to it. Needs no broker.",
                example: "Given " + sentence
            ) { ctx in
                try await startEndpoint(ctx, kind)
            }
        }

        code.given(
            "a TLS endpoint with a certificate for host {string} signed by the scenario's CA",
            doc: "As the trusted endpoint, but its certificate names another host (its subject alternative name): "
                + "a client connecting to localhost with host name verification "
                + "(ssl.endpoint.identification.algorithm=https) must refuse it. Letters, digits, dots and "
                + "hyphens only. Needs no broker.",
            example: #"Given a TLS endpoint with a certificate for host "broker.example.com" signed by the "#
                + "scenario's CA"
        ) { (ctx, host: String) in
            try await startEndpoint(ctx, .host(host))
        }

        code.then(
            "a client trusting the scenario's CA completes the TLS handshake with the endpoint",
            doc: "Connects a librdkafka client (security.protocol=SSL, the scenario's CA, host name verification) "
                + "to the endpoint as localhost: the server must agree a cipher with it and the client report no "
                + "TLS failure. No Kafka answers behind the endpoint, so only the handshake is judged.",
            example: "Then a client trusting the scenario's CA completes the TLS handshake with the endpoint"
        ) { ctx in
            let attempt = try await attemptHandshake(ctx)
            try TLSHandshake.completed(clientError: attempt.clientError, serverCompleted: attempt.handshakeCompleted)
                .enforce()
        }

        code.then(
            "a client trusting the scenario's CA fails the TLS handshake with the endpoint, with an error naming "
                + "{string}",
            doc: "Connects the same client: the server must not agree a cipher with it, and the client's error "
                + "must name the text (case-insensitive; e.g. `certificate verify failed`). The error is shown "
                + "with the certificates' folder hidden.",
            example: "Then a client trusting the scenario's CA fails the TLS handshake with the endpoint, with an "
                + #"error naming "certificate verify failed""#
        ) { (ctx, text: String) in
            let attempt = try await attemptHandshake(ctx)
            try TLSHandshake.refused(
                naming: text, clientError: attempt.clientError, serverCompleted: attempt.handshakeCompleted
            ).enforce()
        }

        code.given(
            "a client certificate that expired yesterday",
            doc: "Makes a CA and a client certificate signed by it whose validity ended a day ago (openssl, in "
                + "a temporary folder removed after the scenario). Needs no broker.",
            example: "Given a client certificate that expired yesterday"
        ) { ctx in
            let files = try await SecurityDrill.makeClientCertificate(days: -1)
            ctx.world.update(State.Key.self) { $0.certificates = files }
        }

        code.given(
            "a client certificate file that does not exist",
            doc: "A CA that exists and a client certificate path that does not. Needs no broker.",
            example: "Given a client certificate file that does not exist"
        ) { ctx in
            var files = try await SecurityDrill.makeClientCertificate(days: 1)
            try FileManager.default.removeItem(atPath: files.certificate)
            files.certificate += ".missing"
            ctx.world.update(State.Key.self) { $0.certificates = files }
        }

        code.then(
            "a TLS client configured with that certificate is refused before it connects, with an error naming "
                + "{string}",
            doc: "Creates a client with security.protocol=SSL and the certificate: it must be refused at once "
                + "(no broker is contacted), with an error that names the given text and shows no file path "
                + "(no error echoes a property's value).",
            example: #"Then a TLS client configured with that certificate is refused before it connects, with "#
                + #"an error naming "ssl.certificate.location""#
        ) { (ctx, named: String) in
            guard let files = ctx.world[State.Key.self].certificates else {
                throw StepFailure("no client certificate was made in this scenario")
            }
            let message = SecurityDrill.refusal(files)
            ctx.world.update(State.Key.self) { $0.refusal = message }
            ctx.log("refused: \(message ?? "no")")
            try Access.refusedNaming(named, message: message, directory: files.directory).enforce()
        }

        code.then(
            "that error says {string}",
            doc: "The refusal of the step before contains the text.",
            example: #"And that error says "expired on""#
        ) { (ctx, expected: String) in
            guard let message = ctx.world[State.Key.self].refusal else {
                throw StepFailure(
                    "no client was refused yet")
            }
            try Access.says(expected, message: message).enforce()
        }

        code.when(
            "broker {int}'s certificate is rotated while {int} records are produced through the mTLS listener",
            doc: "Reads the serial broker N's mTLS listener presents (openssl s_client), grants the mTLS client "
                + "Write and Describe on the scenario's topics, then produces at least that many records "
                + "(idempotent, acks=all, every send and report in the delivery ledger) through the mTLS "
                + "listener; halfway, with records in flight, issues broker N a new certificate from the same "
                + "CA (scripts/make-certs.sh --rotate) and has the broker reload it with a dynamic "
                + "listener.name.*.ssl.keystore.location, producing on until that returned. Every error the "
                + "producer reported is recorded by name; needs a cluster that models TLS, SASL and ACLs "
                + "(compose).",
            example: "When broker 2's certificate is rotated while 2000 records are produced "
                + "through the mTLS listener"
        ) { (ctx, broker: Int32, count: Int) in
            let compose = try ctx.composeCluster(for: .security, tools: "certificate rotation")
            let topics = ctx.scenario.state.withLock { $0.topics }
            let run = try await SecurityDrill.rotationDrill(
                compose, broker: broker, count: count, topics: topics,
                ledger: ctx.ledger
            ) { acls in
                ctx.world.update(State.Key.self) { $0.acls += acls }
            }
            ctx.world.update(State.Key.self) { $0.rotation = run.rotation }
            ctx.attach(run.table, mediaType: "text/markdown")
            ctx.log(run.summary)
        }

        code.then(
            "broker {int}'s mTLS listener presents the new certificate",
            doc: "Opens a new TLS connection to broker N's mTLS listener (openssl s_client) and reads the "
                + "serial of the certificate it presents: it must be the one the rotation issued, and not the "
                + "one presented before (what the broker serves on the wire, not what was written to disk); "
                + "needs a cluster that models TLS, SASL and ACLs (compose).",
            example: "Then broker 2's mTLS listener presents the new certificate"
        ) { (ctx, broker: Int32) in
            let compose = try ctx.composeCluster(for: .security, tools: "certificate rotation")
            guard let rotation = ctx.world[State.Key.self].rotation, rotation.broker == broker else {
                throw StepFailure("broker \(broker)'s certificate was not rotated in this scenario")
            }
            let now = try await SecurityDrill.awaitPresentedSerial(compose, broker: broker, other: rotation.before)
            ctx.attach(
                Evidence.table(
                    ["broker", "serial before", "serial issued", "serial presented now"],
                    [["\(broker)", rotation.before, rotation.issued, now]]),
                mediaType: "text/markdown")
            try Access.presentsNewCertificate(
                broker: broker, before: rotation.before, issued: rotation.issued,
                now: now
            ).enforce()
        }

        code.then(
            "nothing produced through the rotation is lost and every error the producer saw was retriable",
            doc: "Reads the scenario's topics back from the beginning into the delivery ledger: every record "
                + "sent must have been acknowledged and read (none failed, none lost), and every error the "
                + "producer reported during the rotation must be a retriable one (a connection dropped, a "
                + "leader moving; a TLS or authorization error, or a timed-out delivery, fails); the error "
                + "names and counts are in the message; needs a cluster that models TLS, SASL and ACLs "
                + "(compose).",
            example: "Then nothing produced through the rotation is lost and every error the producer "
                + "saw was retriable"
        ) { ctx in
            _ = try ctx.composeCluster(for: .security, tools: "certificate rotation")
            guard let rotation = ctx.world[State.Key.self].rotation else {
                throw StepFailure("no certificate was rotated in this scenario")
            }
            let verdict = try await ConsumingSteps.readAll(ctx)
            let seen = rotation.errors.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
            ctx.log("errors the producer saw: \(seen.isEmpty ? "none" : seen.joined(separator: ", ")); \(verdict)")
            try Access.survivedRotation(
                failed: verdict.failed, sent: verdict.sent, lost: verdict.noneLost(),
                errors: rotation.errors, context: verdict.description
            ).enforce()
        }

        code.given(
            "the secured listeners of the compose cluster",
            doc: "compose/security.yml's listeners (`make certs && make up-secure`, run with "
                + "KAFKA_BDD_SECURE=1): "
                + "SASL_SSL with SCRAM-SHA-512 on localhost:2939N, mTLS on localhost:2929N, the KRaft "
                + "StandardAuthorizer. A client with the CA and the client certificate must reach both; needs "
                + "a cluster that "
                + "models TLS, SASL and ACLs (compose).",
            example: "Given the secured listeners of the compose cluster"
        ) { ctx in
            let compose = try ctx.composeCluster(for: .security, tools: "SCRAM users and ACLs")
            let error = try await SecurityDrill.mtlsError(compose, withCertificate: true)
            try Access.mutualTLS(withCertificate: true, error: error).enforce()
        }

        code.then(
            "a client without a certificate cannot connect to the mTLS listener",
            doc: "A TLS client with the CA but no certificate of its own asks for metadata on the mTLS "
                + "listener: the handshake must fail within 10 s (the step before showed that the same client "
                + "with its certificate gets in); needs a cluster that models TLS, SASL and ACLs (compose).",
            example: "Then a client without a certificate cannot connect to the mTLS listener"
        ) { ctx in
            let compose = try ctx.composeCluster(for: .security, tools: "SCRAM users and ACLs")
            let refusal = try await SecurityDrill.mtlsError(compose, withCertificate: false)
            ctx.log("refused: \(refusal ?? "no")")
            try Access.mutualTLS(withCertificate: false, error: refusal).enforce()
        }

        code.given(
            "the SCRAM-SHA-512 users {string} with generated passwords",
            doc: "Creates each user of a comma-separated list (suffixed per scenario on a shared cluster) with "
                + "a "
                + "random 24-character password, through kafka-configs.sh's stdin; passwords are never shown; "
                + "needs a "
                + "cluster that models TLS, SASL and ACLs (compose).",
            example: #"Given the SCRAM-SHA-512 users "alice, bob, mallory" with generated passwords"#
        ) { (ctx, users: String) in
            let compose = try ctx.composeCluster(for: .security, tools: "SCRAM users and ACLs")
            let scope = ctx.sharedScope
            for user in users.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let account = (name: "\(user)-\(scope)", password: SecurityDrill.password())
                ctx.world.update(State.Key.self) { $0.users[user] = account }
                try await compose.setScramUser(account.name, password: account.password)
            }
        }

        code.then(
            "{string} with a wrong password is refused by the SASL_SSL listener, and with the right one admitted",
            doc: "Asks for metadata on the SASL_SSL listener twice: with a wrong password it must fail with "
                + "SASL authentication failed; with the user's password it must succeed; needs a cluster that "
                + "models TLS, "
                + "SASL and ACLs (compose).",
            example: #"Then "alice" with a wrong password is refused by the SASL_SSL listener, and with the "#
                + #"right one admitted"#
        ) { (ctx, user: String) in
            let compose = try ctx.composeCluster(for: .security, tools: "SCRAM users and ACLs")
            guard let account = ctx.world[State.Key.self].users[user] else {
                throw StepFailure("no SCRAM user \"\(user)\" was made in this scenario")
            }
            let (wrong, right) = try await SecurityDrill.passwordAttempts(
                compose, user: account.name,
                password: account.password)
            try Access.scram(account.name, wrongPassword: wrong, rightPassword: right).enforce()
        }

        code.when(
            "only the allowed rows of this permission matrix are granted:",
            doc: "Reads a `| principal | operation | resource | access |` table (principals `User:NAME` of the "
                + "scenario's users; resources `topic:NAME` of its topics, `group:NAME`, `cluster`; access "
                + "allowed or denied; both kinds needed) and adds one ACL per allowed row, nothing more "
                + "(kafka-acls.sh); needs a cluster that models TLS, SASL and ACLs (compose).",
            example: "When only the allowed rows of this permission matrix are granted:"
        ) { ctx in
            let compose = try ctx.composeCluster(for: .security, tools: "SCRAM users and ACLs")
            let matrix: PermissionMatrix
            do { matrix = try PermissionMatrix(table: ctx.dataTable ?? []) } catch { throw StepFailure("\(error)") }
            let users = ctx.world[State.Key.self].users, topics = ctx.scenario.state.withLock { $0.topics }
            ctx.world.update(State.Key.self) { $0.matrix = matrix }
            let table = try await SecurityDrill.grant(
                matrix, compose: compose, cluster: try ctx.cluster(),
                users: users, topics: topics, scope: ctx.sharedScope
            ) { acls in
                ctx.world.update(State.Key.self) { $0.acls = acls }
            }
            ctx.attach(table, mediaType: "text/markdown")
        }

        code.then(
            "every allowed path of the matrix succeeds and every denied path fails with an authorization error",
            doc: "Attempts each row as its principal on the SASL_SSL listener (Write: produce a record; Read on "
                + "a "
                + "topic: fetch from its start; Describe on a topic: its metadata; Read on a group: join it; "
                + "Create on a topic: create it) and judges the outcomes with the permission-matrix evaluator: "
                + "an allowed row must succeed, a denied one must meet the broker's authorization error (a "
                + "timeout proves nothing). The outcomes are attached; needs a cluster that models TLS, SASL "
                + "and ACLs (compose).",
            example: "Then every allowed path of the matrix succeeds and every denied path fails with an "
                + "authorization error"
        ) { ctx in
            let compose = try ctx.composeCluster(for: .security, tools: "SCRAM users and ACLs")
            let state = ctx.world[State.Key.self]
            guard let matrix = state.matrix else {
                throw StepFailure(
                    "no permission matrix was granted in this scenario")
            }
            let (observed, table) = try await SecurityDrill.attemptAll(
                matrix, compose: compose, users: state.users, topics: ctx.scenario.state.withLock { $0.topics },
                scope: ctx.sharedScope)
            ctx.attach(table, mediaType: "text/markdown")
            try matrix.verdict(observed: observed).enforce()
        }
    }
}
