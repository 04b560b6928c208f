import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `leadledger-bench load`: posts realistic leads to `serve`, open loop or closed loop, and prints a JSON line of
/// figures every interval (and one for the whole run): answers by status, latency p50/p99/max, and the server's RSS
/// and open file descriptors read from `/proc/PID`.
///
/// Open loop (`--rate R`): request *i* is due at start + i/R whether or not earlier ones were answered, and its
/// latency counts from when it was due, not from when it went out. A stalled server therefore shows as latency, as
/// a real form backend would feel it, instead of quietly slowing the generator down (coordinated omission, which a
/// closed-loop tool like wrk hides). Closed loop (`--connections N`, no rate): N requests always in flight, for the
/// maximum rate.
struct LoadMode {
    var url: String
    /// Requests per second; nil = closed loop.
    var rate: Double?
    var connections: Int
    var seconds: Int
    var intervalSeconds: Int
    var serverPID: Int32?
    /// Distinguishes runs' idempotency keys and phones.
    var runTag: String = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    /// Requests in flight at most in open loop; past it a due request counts as `overrun` and is not sent, so a dead
    /// server cannot make the generator's memory grow without bound.
    static let maxInFlight = 4096

    func run() async throws {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2), read: .seconds(30)))
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(connections, 8))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let stats = LoadStats()
        let clock = ContinuousClock()
        let start = clock.now
        let end = start.advanced(by: .seconds(seconds))
        let reporter = Task {
            var elapsed = 0
            while clock.now < end {
                try? await Task.sleep(until: start.advanced(by: .seconds(elapsed + intervalSeconds)), clock: clock)
                elapsed += intervalSeconds
                print(stats.interval(at: elapsed, server: ServerFacts(pid: serverPID)).jsonLine())
            }
        }
        // Discarding: a plain task group keeps every finished child until it is awaited, so an open-loop hour of
        // requests would hold millions of them (a 30-minute soak grew this process to 23 GB before this).
        await withDiscardingTaskGroup { group in
            if let rate {
                var index = 0
                while true {
                    let due = start.advanced(by: .nanoseconds(Int64(Double(index) / rate * 1e9)))
                    guard due < end else { break }
                    try? await Task.sleep(until: due, clock: clock)
                    if stats.inFlight() >= Self.maxInFlight {
                        stats.overrun()
                    } else {
                        let number = index
                        group.addTask { await post(client, number: number, due: due, clock: clock, stats: stats) }
                    }
                    index += 1
                }
            } else {
                for worker in 0..<connections {
                    group.addTask {
                        var number = worker
                        while clock.now < end {
                            await post(client, number: number, due: clock.now, clock: clock, stats: stats)
                            number += connections
                        }
                    }
                }
            }
        }
        reporter.cancel()
        _ = await reporter.result
        print(stats.total(seconds: seconds, server: ServerFacts(pid: serverPID)).jsonLine())
        try await client.shutdown()
    }

    private func post(_ client: HTTPClient, number: Int, due: ContinuousClock.Instant, clock: ContinuousClock, stats: LoadStats)
        async
    {
        stats.started()
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: "load-\(runTag)-\(number)")
        let phone = String(repeating: "0", count: max(0, 9 - String(number).count)) + String(number % 1_000_000_000)
        let body =
            #"{"name":"Иван Петров","phone":"+79\#(phone)","email":"load\#(number)@example.ru","#
            + #""comment":"Перезвоните после 18:00, интересует тариф «Бизнес»","form_id":"load-\#(runTag)","#
            + #""page_url":"https://landing.example.ru/promo","utm_source":"yandex","utm_campaign":"soak"}"#
        request.body = .bytes(ByteBuffer(string: body))
        var status: Int?
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            status = Int(response.status.code)
            _ = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            status = nil
        }
        stats.finished(status: status, latency: clock.now - due)
    }
}

/// RSS and open descriptors of the server process, from /proc.
struct ServerFacts {
    var residentKiB: Int?
    var openFiles: Int?

    init(pid: Int32?) {
        guard let pid else { return }
        if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        {
            residentKiB = line.split(separator: " ").compactMap { Int($0) }.first
        }
        openFiles = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }
}
