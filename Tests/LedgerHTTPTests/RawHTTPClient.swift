import Foundation
import LedgerTesting

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking HTTP/1.1 client over a plain socket, for what URLSession cannot do: send a request body in two parts
/// with a pause between them (an in-flight request while the server is told to stop), come from another loopback
/// address, trickle bytes, or never read.
struct RawHTTPClient {
    let descriptor: Int32

    /// - Parameters:
    ///   - source: the local address to connect from (any of 127.0.0.0/8 reaches a server on 127.0.0.1).
    ///   - receiveBuffer: a small socket receive buffer, so that a client that does not read fills up quickly.
    init(port: Int, source: String? = nil, receiveBuffer: Int32? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError(message: "socket() failed") }
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source {
            guard Self.call(bind, descriptor, source, port: 0) == 0 else {
                _ = Glibc.close(descriptor)
                throw HarnessError(message: "bind(\(source)) failed")
            }
        }
        let connected = Self.call(connect, descriptor, "127.0.0.1", port: port)
        guard connected == 0 else {
            _ = Glibc.close(descriptor)
            throw HarnessError(message: "connect() failed")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// `bind` or `connect` with an IPv4 address and port.
    private static func call(
        _ function: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32, _ descriptor: Int32, _ host: String, port: Int
    ) -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                function(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw HarnessError(message: "send() failed") }
    }

    /// Reads until the peer closes or the 10 s receive timeout passes.
    func readAll() -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
            if let text = String(bytes: data, encoding: .utf8), text.contains("\r\n\r\n"), text.contains("\"status\"") { break }
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads until the peer closes the connection or `limit` passes; returns what arrived and whether it closed.
    func readUntilClosed(within limit: Duration) -> (text: String, closed: Bool) {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while clock.now < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                return (String(decoding: data, as: UTF8.self), true)
            }
            if count > 0 { data.append(contentsOf: buffer[0..<count]) }
        }
        return (String(decoding: data, as: UTF8.self), false)
    }

    func close() { _ = Glibc.close(descriptor) }
}
