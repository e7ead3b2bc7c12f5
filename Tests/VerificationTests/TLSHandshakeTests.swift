import Testing
import Verification

@Suite struct TLSHandshakeTests {
    static let refused = "_SSL: ssl://localhost:1/bootstrap: SSL handshake failed: error:0A000086:SSL routines::"
        + "certificate verify failed"

    @Test func aCompletedHandshakeNeedsTheServersCipherAndNoClientTLSFailure() {
        #expect(TLSHandshake.completed(clientError: "_TRANSPORT: metadata: Local: Broker transport failure",
                                       serverCompleted: true).holds)
        #expect(!TLSHandshake.completed(clientError: nil, serverCompleted: false).holds)
        #expect(!TLSHandshake.completed(clientError: Self.refused, serverCompleted: true).holds)
    }

    @Test func aRefusalNeedsNoCipherAndTheNamedText() {
        #expect(TLSHandshake.refused(naming: "Certificate Verify Failed", clientError: Self.refused,
                                     serverCompleted: false).holds)
        #expect(!TLSHandshake.refused(naming: "certificate verify failed", clientError: Self.refused,
                                      serverCompleted: true).holds)
        #expect(!TLSHandshake.refused(naming: "hostname mismatch", clientError: Self.refused,
                                      serverCompleted: false).holds)
        #expect(!TLSHandshake.refused(naming: "x", clientError: nil, serverCompleted: false).holds)
        #expect(!TLSHandshake.refused(naming: "", clientError: Self.refused, serverCompleted: false).holds)
    }
}
