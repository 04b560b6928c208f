#if canImport(Glibc)
    import Glibc
#endif

/// glibc's malloc gives each thread that allocates an arena of its own, and memory freed in one arena is reused only
/// there. A projection batch reads its page on a GRDB reader thread, maps it on a Swift-concurrency thread and folds
/// it on the read-model writer's thread, so with one arena per thread a rebuild of 1.17 million events peaked at 65–73
/// MiB instead of the 50 MiB it took on one thread; with one arena it peaks at 55 MiB, and `serve` under wrk at
/// 62–64 MiB instead of 69–73, at the same rate within this machine's spread (docs/BENCHMARKS.md). Small allocations
/// still go through each thread's cache (tcache), so one arena is rarely contended.
public enum MallocArenas {
    /// `M_ARENA_MAX` in glibc's `<malloc.h>`, which the Glibc module does not import (nor `mallopt`, found here by
    /// name in the C library already loaded).
    static let arenaMaximumOption: Int32 = -8

    /// Call first thing in `main`, before any thread has allocated. Does nothing where there is no `mallopt`.
    public static func limitToOne() {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            typealias MallocOption = @convention(c) (Int32, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: MallocOption.self)(arenaMaximumOption, 1)
        #endif
    }
}
