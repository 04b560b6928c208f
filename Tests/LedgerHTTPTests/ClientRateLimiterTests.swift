import Foundation
import Testing

@testable import LedgerHTTP

struct ClientRateLimiterTests {
    @Test func aBurstIsAllowedThenTheNextRequestWaitsForItsToken() {
        let limiter = ClientRateLimiter(perMinute: 60, burst: 3)
        for _ in 0..<3 { #expect(limiter.retryAfter(client: "a", now: 1000) == nil) }
        #expect(limiter.retryAfter(client: "a", now: 1000) == 1)
        #expect(limiter.retryAfter(client: "a", now: 1000.5) == 1)
        #expect(limiter.retryAfter(client: "a", now: 1001.01) == nil)
    }

    @Test func clientsHaveTheirOwnBuckets() {
        let limiter = ClientRateLimiter(perMinute: 1, burst: 1)
        #expect(limiter.retryAfter(client: "a", now: 0) == nil)
        #expect(limiter.retryAfter(client: "a", now: 0) == 60)
        #expect(limiter.retryAfter(client: "b", now: 0) == nil)
    }

    @Test func offMeansNoLimitAndNoMemory() {
        let limiter = ClientRateLimiter(perMinute: 0, burst: 1)
        for _ in 0..<100 { #expect(limiter.retryAfter(client: "a", now: 0) == nil) }
        #expect(limiter.trackedClients == 0)
    }

    @Test func theNumberOfTrackedClientsIsBounded() {
        let limiter = ClientRateLimiter(perMinute: 60, burst: 5, maxClients: 3)
        for number in 0..<50 { _ = limiter.retryAfter(client: "client-\(number)", now: Double(number) / 100) }
        #expect(limiter.trackedClients <= 3)
    }
}
