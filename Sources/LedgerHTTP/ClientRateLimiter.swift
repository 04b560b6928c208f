import Foundation
import Synchronization

/// A token bucket per client address for `POST /api/leads`: `burst` requests at once, refilled at `perMinute` a
/// minute. On by default at a level no real form reaches (`LEADLEDGER_RATE_LIMIT_PER_MIN`, 60); behind a reverse
/// proxy the client is named by `ClientAddress` from the trusted proxies' `X-Forwarded-For`.
///
/// Memory is bounded: at most `maxClients` buckets are kept; when full, buckets that have refilled completely (they
/// carry no information) are dropped first, then the least recently used.
final class ClientRateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: TimeInterval
    }

    let perMinute: Int
    let burst: Int
    let maxClients: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perMinute: Int, burst: Int, maxClients: Int = 10_000) {
        self.perMinute = perMinute
        self.burst = max(1, burst)
        self.maxClients = max(1, maxClients)
    }

    var isEnabled: Bool { perMinute > 0 }

    /// Buckets held now; never more than `maxClients`.
    var trackedClients: Int { buckets.withLock { $0.count } }

    /// nil when the request may proceed; otherwise the seconds after which one token will be back.
    func retryAfter(client: String, now: TimeInterval) -> Int? {
        guard isEnabled else { return nil }
        let rate = Double(perMinute) / 60
        return buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: Double(burst), updated: now)
            bucket.tokens = min(Double(burst), bucket.tokens + max(0, now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                if buckets[client] == nil && buckets.count >= maxClients { evict(&buckets, now: now, rate: rate) }
                buckets[client] = bucket
                return nil
            }
            buckets[client] = bucket
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }

    private func evict(_ buckets: inout [String: Bucket], now: TimeInterval, rate: Double) {
        let full = buckets.filter { $0.value.tokens + (now - $0.value.updated) * rate >= Double(burst) }.map(\.key)
        for key in full { buckets[key] = nil }
        if buckets.count >= maxClients, let oldest = buckets.min(by: { $0.value.updated < $1.value.updated })?.key {
            buckets[oldest] = nil
        }
    }
}
