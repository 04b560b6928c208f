import Foundation

/// How `serve` holds its front door against clients that are slow, idle, many or hostile: a deadline on every phase of
/// a request, caps on connections, bounds on headers, and which proxies may name the real client. Every bound is a
/// setting with a default that no real visitor's browser comes near.
public struct FrontDoorSettings: Sendable, Equatable {
    /// A request's headers must be complete this long after its first byte (or after the connection opens).
    /// `LEADLEDGER_HEADER_TIMEOUT_S` (10).
    public var headerTimeout: Duration = .seconds(10)
    /// Its body must be complete this long after its headers. `LEADLEDGER_BODY_TIMEOUT_S` (30).
    public var bodyTimeout: Duration = .seconds(30)
    /// A keep-alive connection with no next request is closed after this. `LEADLEDGER_IDLE_TIMEOUT_S` (60).
    public var idleTimeout: Duration = .seconds(60)
    /// A response still unread by its client after this is abandoned with its connection.
    /// `LEADLEDGER_SEND_TIMEOUT_S` (30).
    public var sendTimeout: Duration = .seconds(30)
    /// Open connections at most; nil = the descriptor limit less `descriptorReserve`, read at start.
    /// `LEADLEDGER_MAX_CONNECTIONS` (`auto`).
    public var maxConnections: Int?
    /// Open connections per client address (IPv6: per /64); trusted proxies are exempt.
    /// `LEADLEDGER_MAX_CONNECTIONS_PER_IP` (32).
    public var maxConnectionsPerClient: Int = 32
    /// Descriptors kept free of connections for the log, the read models, reports and the process itself.
    /// `LEADLEDGER_FD_RESERVE` (128).
    public var descriptorReserve: Int = 128
    /// Header lines per request and their total bytes; more answers 400 and closes.
    /// `LEADLEDGER_MAX_HEADERS` (100), `LEADLEDGER_MAX_HEADER_BYTES` (16384).
    public var maxHeaders: Int = 100
    public var maxHeaderBytes: Int = 16_384
    /// Peers whose `X-Forwarded-For` names the client (a reverse proxy on this host or in this network). Empty = the
    /// header is ignored and the peer is the client. `LEADLEDGER_TRUSTED_PROXIES`.
    public var trustedProxies: [AddressRange] = []

    public init() {}

    init(reader: inout SettingsReader) {
        headerTimeout = .seconds(reader.integer("LEADLEDGER_HEADER_TIMEOUT_S", default: 10, range: 1...300))
        bodyTimeout = .seconds(reader.integer("LEADLEDGER_BODY_TIMEOUT_S", default: 30, range: 1...3600))
        idleTimeout = .seconds(reader.integer("LEADLEDGER_IDLE_TIMEOUT_S", default: 60, range: 1...3600))
        sendTimeout = .seconds(reader.integer("LEADLEDGER_SEND_TIMEOUT_S", default: 30, range: 1...3600))
        if let text = reader.string("LEADLEDGER_MAX_CONNECTIONS"), text != "auto" {
            if let value = Int(text), (1...1_000_000).contains(value) {
                maxConnections = value
            } else {
                reader.problem("LEADLEDGER_MAX_CONNECTIONS", "must be auto or a whole number from 1 to 1000000, got \"\(text)\"")
            }
        }
        maxConnectionsPerClient = reader.integer("LEADLEDGER_MAX_CONNECTIONS_PER_IP", default: 32, range: 1...100_000)
        descriptorReserve = reader.integer("LEADLEDGER_FD_RESERVE", default: 128, range: 32...100_000)
        maxHeaders = reader.integer("LEADLEDGER_MAX_HEADERS", default: 100, range: 8...10_000)
        maxHeaderBytes = reader.integer("LEADLEDGER_MAX_HEADER_BYTES", default: 16_384, range: 1024...1_048_576)
        let proxies = (reader.string("LEADLEDGER_TRUSTED_PROXIES") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for text in proxies {
            if let range = AddressRange(text) {
                trustedProxies.append(range)
            } else {
                reader.problem("LEADLEDGER_TRUSTED_PROXIES", "\"\(text)\" is not an address or a CIDR range like 10.0.0.0/8")
            }
        }
    }

    /// The connection cap for a process allowed `descriptorLimit` open files: the setting, or the limit less the
    /// reserve. Nil when the setting leaves no room for the reserve (or the limit leaves none at all), which `serve`
    /// refuses at start: a cap above the limit would let connections starve the log of descriptors.
    public func connectionCap(descriptorLimit: Int) -> Int? {
        let room = descriptorLimit - descriptorReserve
        guard room >= 1 else { return nil }
        guard let maxConnections else { return room }
        return maxConnections <= room ? maxConnections : nil
    }

    /// Why the cap does not fit `descriptorLimit`, worded for the owner who must fix it; nil when it fits. `serve`
    /// refuses to start with it and `check-config` reports it under `LEADLEDGER_MAX_CONNECTIONS`.
    public func connectionCapProblem(descriptorLimit: Int) -> String? {
        guard connectionCap(descriptorLimit: descriptorLimit) == nil else { return nil }
        let cap = maxConnections.map(String.init) ?? "auto"
        return "(\(cap)) plus LEADLEDGER_FD_RESERVE (\(descriptorReserve)) needs more than the open-file limit "
            + "\(descriptorLimit): lower them, or raise the limit (LimitNOFILE= in the systemd unit, ulimit -n)"
    }
}
