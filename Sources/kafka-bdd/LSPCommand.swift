import ArgumentParser
import Drills
import Foundation
import LanguageServer
import Steps

/// `kafka-bdd lsp`: the Language Server Protocol over stdin/stdout, for editors writing feature files.
struct LSPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "A language server for feature files: completion, diagnostics, hover and go to definition.",
        discussion: """
            Speaks the Language Server Protocol over stdin and stdout (Content-Length framing), from the same \
            step registry the runner uses. Diagnostics: Gherkin parse errors, undefined and ambiguous steps (with \
            a did-you-mean), and as information the steps the configured cluster skips. Go to definition needs \
            --root (or the current folder) to hold Sources/. Exit status 0 after the protocol's shutdown and \
            exit; 1 when the client closes the stream or a header cannot be read (the reason on stderr), or \
            sends exit without shutdown.
            """
    )

    @Option(help: "The backend whose needs diagnostics judge: embedded, compose or external.")
    var cluster = ProcessInfo.processInfo.environment["KAFKA_BDD_CLUSTER"] ?? "embedded"

    @Option(help: "The project folder holding Sources/ (for go to definition).")
    var root: String = FileManager.default.currentDirectoryPath

    func validate() throws {
        guard ["embedded", "compose", "external"].contains(cluster) else {
            throw ValidationError("--cluster (or KAFKA_BDD_CLUSTER) takes embedded, compose or external")
        }
    }

    func run() throws {
        let environment = try KafkaEnvironment(backend: .embedded)
        let server = LanguageServer(
            vocabulary: Vocabulary(Steps.supportCode(environment: environment)), backend: cluster,
            root: URL(fileURLWithPath: root))
        let input = FileHandle.standardInput, output = FileHandle.standardOutput
        // Blocking reads on the main thread (whatever has arrived, empty at the end): one message at a time.
        let status = server.serve(
            read: { _ in input.availableData },
            write: { output.write($0) },
            log: { FileHandle.standardError.write(Data("kafka-bdd lsp: \($0)\n".utf8)) })
        throw ExitCode(status)
    }
}
