import LedgerCore
import LedgerOutbound

extension TransportFailure {
    /// `timeout` for both timeouts, `transport` for the rest: the health view tells a slow CRM from a broken network.
    public var errorClass: SyncErrorClass {
        switch kind {
        case .connectTimeout, .readTimeout: .timeout
        case .connectFailed, .connectionLost: .transport
        }
    }
}
