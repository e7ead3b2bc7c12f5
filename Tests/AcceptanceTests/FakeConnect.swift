import Foundation
import Launching

/// A fake Kafka Connect REST endpoint on loopback (a small Python http.server): it keeps connectors in
/// memory, answers as a worker whose connectors and tasks run, and records every request.
final class FakeConnect: Sendable {
    let directory: URL
    let process: Process
    let url: URL
    private let lifeline = Pipe()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-connect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("connect.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        let portFile = directory.appendingPathComponent("port")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, portFile.path, directory.appendingPathComponent("requests.log").path]
        // The server exits when its stdin closes: on stop(), or when the test process dies. (python3 may be a
        // shim whose pid is not the server's, so terminating the process is not enough.) It must not hold
        // the test runner's output pipes either.
        process.standardInput = lifeline
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ChildProcess.launch(process)
        let deadline = Date().addingTimeInterval(10)
        var port: String?
        while port == nil, Date() < deadline {
            port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { $0.hasSuffix("\n") ? $0 : nil }
            if port == nil { Thread.sleep(forTimeInterval: 0.05) } // polling for the server's port, with a deadline
        }
        guard let port else {
            process.terminate()
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "fake Connect did not start"])
        }
        url = URL(string: "http://127.0.0.1:\(port.trimmingCharacters(in: .whitespacesAndNewlines))")!
    }

    /// `METHOD PATH` of every request, and the JSON body of a PUT after it.
    var requests: [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("requests.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    func stop() {
        try? lifeline.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    static let script = #"""
    import json, os, sys, threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    port_file, log_file = sys.argv[1], sys.argv[2]
    connectors, lock = {}, threading.Lock()
    PLUGINS = [{"class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "type": "source", "version": "3.8.0"},
               {"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": "3.8.0"}]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args): pass
        def record(self, body=None):
            with lock, open(log_file, "a") as f:
                f.write(f"{self.command} {self.path}" + (f" {json.dumps(body, sort_keys=True)}" if body else "") + "\n")
        def answer(self, status, obj=None):
            data = b"" if obj is None else json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        def name(self):
            parts = self.path.split("?")[0].strip("/").split("/")
            return parts[1] if len(parts) > 1 and parts[0] == "connectors" else None
        def missing(self):
            self.answer(404, {"error_code": 404, "message": f"Connector {self.name()} not found"})
        def do_GET(self):
            self.record()
            if self.path == "/connector-plugins": return self.answer(200, PLUGINS)
            if self.path.endswith("/status"):
                if self.name() not in connectors: return self.missing()
                return self.answer(200, {"name": self.name(), "connector": {"state": "RUNNING"},
                                         "tasks": [{"id": 0, "state": "RUNNING"}]})
            self.answer(404, {"error_code": 404, "message": "not faked"})
        def do_PUT(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            self.record(body)
            created = self.name() not in connectors
            connectors[self.name()] = body
            self.answer(201 if created else 200, {"name": self.name(), "config": body, "tasks": []})
        def do_POST(self):
            self.record()
            if self.name() not in connectors: return self.missing()
            self.answer(202, {"name": self.name(), "connector": {"state": "RESTARTING"}, "tasks": []})
        def do_DELETE(self):
            self.record()
            if connectors.pop(self.name(), None) is None: return self.missing()
            self.answer(204)

    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file, "w") as f: f.write(f"{server.server_address[1]}\n")
    server.serve_forever()
    """#
}
