import Foundation
import LedgerTesting

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking HTTP/1.1 client over a plain socket, for what URLSession cannot do: send a request body in two parts
/// with a pause between them (an in-flight request while the server is told to stop).
struct RawHTTPClient {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError(message: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            _ = Glibc.close(descriptor)
            throw HarnessError(message: "connect() failed")
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
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

    func close() { _ = Glibc.close(descriptor) }
}
