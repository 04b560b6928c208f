import LedgerAmoCRM

/// The reactor's namespace: the loop that turns projected state into AmoCRM calls and records every outcome.
public enum Reactor {
    /// The most leads one complex request may carry, from the API's own limit.
    public static let maxBatch = AmoCRMAPI.maxLeadsPerComplexRequest
}
