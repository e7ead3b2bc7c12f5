import Foundation
import Launching
import Testing
import TestSupport

/// `kafka-bdd lsp` in a real client: Debian's Neovim headless under tmux, opening a feature file
/// (scripts/lsp-neovim-check.sh). The screens it checks are printed in the test's output.
@Suite("kafka-bdd lsp in Neovim under tmux")
struct LSPNeovimTests {
    static func which(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }
    static let present = ConditionTrait.enabled(
        if: which("nvim") && which("tmux") && FileManager.default.isExecutableFile(atPath: CLITests.binary.path),
        "needs nvim and tmux (apt-get install neovim tmux) and the kafka-bdd binary")

    @Test(present) func diagnosticsCompletionAndHoverOnScreen() async throws {
        let root = Paths.packageRoot.path
        // The script bounds each wait (30 s) and stops its tmux server when it ends.
        let r = try await CLITestsShell.run(
            ["bash", "\(root)/scripts/lsp-neovim-check.sh", CLITests.binary.path, root])
        print(r.out)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("— Neovim: diagnostics after opening the file —"))
        #expect(r.out.contains("I produce {int} messages with {int} distinct keys to {string}"))
        #expect(r.out.contains("Starts a fresh cluster"))
    }
}

/// A command run to its end off the concurrency pool, its output kept.
enum CLITestsShell {
    static func run(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async {
                do {
                    let p = Process()
                    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    p.arguments = arguments
                    let out = Pipe(), err = Pipe()
                    p.standardOutput = out
                    p.standardError = err
                    p.standardInput = FileHandle.nullDevice
                    try ChildProcess.launch(p)
                    let o = out.fileHandleForReading.readDataToEndOfFile()
                    let e = err.fileHandleForReading.readDataToEndOfFile()
                    p.waitUntilExit()
                    c.resume(
                        returning: (
                            p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self)
                        ))
                } catch { c.resume(throwing: error) }
            }
        }
    }
}
