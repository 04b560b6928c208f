import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP port free on `host` right now, from the kernel (bind to port 0, read the port, close).
///
/// `leadledger run` fixes `serve`'s port once when `LEADLEDGER_PORT=0`: a `serve` restarted after a crash then comes
/// back where the forms and the dashboard tab already point, instead of on a new random port.
enum FreePort {
    static func pick(host: String) -> Int? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
