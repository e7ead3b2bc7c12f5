import Foundation
import Glibc
@testable import KafkaClient
import Testing
import TestSupport

/// The ApiVersions probe connects as librdkafka does: to the first of a name's addresses that takes the
/// connection (desk-check defect 12: `localhost` as ::1 first, refused where ports are published on IPv4).
@Suite("Broker probe addresses")
struct ProbeAddressTests {
    /// An addrinfo chain of 127.0.0.1 addresses, in this order.
    static func chain(_ ports: [UInt16]) -> UnsafeMutablePointer<addrinfo>? {
        var head: UnsafeMutablePointer<addrinfo>?
        for port in ports.reversed() {
            let address = UnsafeMutablePointer<sockaddr_in>.allocate(capacity: 1)
            address.initialize(to: sockaddr_in())
            address.pointee.sin_family = sa_family_t(AF_INET)
            address.pointee.sin_port = port.bigEndian
            address.pointee.sin_addr.s_addr = inet_addr("127.0.0.1")
            let node = UnsafeMutablePointer<addrinfo>.allocate(capacity: 1)
            node.initialize(to: addrinfo())
            node.pointee.ai_family = AF_INET
            node.pointee.ai_addrlen = socklen_t(MemoryLayout<sockaddr_in>.size)
            node.pointee.ai_addr = UnsafeMutableRawPointer(address).assumingMemoryBound(to: sockaddr.self)
            node.pointee.ai_next = head
            head = node
        }
        return head
    }

    @Test func aRefusedFirstAddressFallsThroughToTheNext() throws {
        let (open, port) = try Loopback.silentListener()
        defer { close(open) }
        let (refusing, refused) = try Loopback.refusingPort()
        defer { close(refusing) }
        let deadline = TCP.monotonicMs() + 3000
        let fd = try TCP.connectFirst(Self.chain([refused, port]), until: deadline)
        close(fd)
        #expect(throws: TCP.Failure.self) { try TCP.connectFirst(Self.chain([refused]), until: deadline) }
    }
}
