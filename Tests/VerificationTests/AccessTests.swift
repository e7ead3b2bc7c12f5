import Testing
import Verification

@Suite("Who gets in")
struct AccessTests {
    @Test func aRefusalMustNameTheTextAndHideThePath() {
        let message = "ssl.certificate.location failed: expired on 2020-01-01"
        #expect(Access.refusedNaming("ssl.certificate.location", message: message, directory: "/tmp/c").holds)
        #expect(!Access.refusedNaming("ssl.key.location", message: message, directory: "/tmp/c").holds)
        #expect(Access.refusedNaming("x", message: "x at /tmp/c/client.pem", directory: "/tmp/c").problems
            == ["the error shows a configured path: x at /tmp/c/client.pem"])
        #expect(!Access.refusedNaming("x", message: nil, directory: "/tmp/c").holds)
        #expect(Access.says("expired on", message: message).holds)
        #expect(!Access.says("revoked", message: message).holds)
    }

    @Test func mutualTLSNeedsTheCertificate() {
        #expect(Access.mutualTLS(withCertificate: true, error: nil).holds)
        #expect(Access.mutualTLS(withCertificate: false, error: "handshake failed").holds)
        #expect(Access.mutualTLS(withCertificate: false, error: nil).problems
            == ["a client without a certificate got metadata from the mTLS listener"])
        #expect(!Access.mutualTLS(withCertificate: true, error: "handshake failed").holds)
    }

    @Test func aWrongPasswordMustFailToAuthenticateAndTheRightOneGetIn() {
        let auth = Access.Failure(name: "_AUTHENTICATION", authentication: true, description: "SASL failed")
        let timeout = Access.Failure(name: "_TRANSPORT", authentication: false, description: "timed out")
        #expect(Access.scram("alice", wrongPassword: auth, rightPassword: nil).holds)
        #expect(Access.scram("alice", wrongPassword: nil, rightPassword: nil).problems
            == ["alice with a wrong password got metadata from the SASL_SSL listener"])
        #expect(Access.scram("alice", wrongPassword: timeout, rightPassword: nil).problems
            == ["a wrong password failed, but not with an authentication error: _TRANSPORT"])
        #expect(Access.scram("alice", wrongPassword: auth, rightPassword: timeout).problems
            == ["alice with the right password cannot get metadata: timed out"])
    }

    @Test func aRotatedBrokerPresentsTheIssuedSerial() {
        #expect(Access.presentsNewCertificate(broker: 2, before: "01", issued: "02", now: "02").holds)
        #expect(Access.presentsNewCertificate(broker: 2, before: "01", issued: "02", now: "01").problems
            == ["broker 2 still presents its old certificate (serial 01); the rotation issued 02"])
        #expect(!Access.presentsNewCertificate(broker: 2, before: "01", issued: "02", now: "03").holds)
    }

    @Test func aRotationWithFailedSendsLossOrAFatalErrorFails() {
        #expect(Access.survivedRotation(failed: 0, sent: 10, lost: Verdict(), errors: [:], context: "c").holds)
        let v = Access.survivedRotation(failed: 2, sent: 10, lost: .fails("1 lost"), errors: [:], context: "c")
        #expect(v.problems == ["2 of 10 sends failed", "1 lost"])
        #expect(v.description == "2 of 10 sends failed; 1 lost — c")
        #expect(!Access.survivedRotation(failed: 0, sent: 10, lost: Verdict(), errors: ["_SSL": 1], context: "c").holds)
    }
}
