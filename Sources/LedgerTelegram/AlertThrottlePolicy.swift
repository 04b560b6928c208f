/// How often the owner hears about the same thing, and how fast the bot may talk. Defaults follow the owner's
/// need to hear each problem soon, and Telegram's documented limits (about one message a second
/// per chat, 20 a minute per group).
public struct AlertThrottlePolicy: Sendable, Equatable {
    /// Occurrence numbers of a still-open condition that are worth a message: the 1st, 3rd, 10th, 30th, 100th…
    public var repeatMilestones: [Int]
    /// …then every this many occurrences (200th, 300th…).
    public var repeatEvery: Int
    /// Per dedupe key, repeats are never sent more often than this (default 10 min). The first occurrence and the
    /// resolution are never held back by it.
    public var repeatWindow: Duration
    /// More than this many messages due at once become one digest (default 5).
    public var digestThreshold: Int
    /// Conditions remembered at once; past it the one seen longest ago is forgotten (its resolution is then not
    /// sent). Bounded like everything else: a storm of distinct keys cannot grow memory.
    public var maxTrackedKeys: Int
    /// At most one message per chat per this interval (Telegram: about 1 per second).
    public var minimumIntervalPerChat: Duration
    /// At most this many messages per chat per minute (Telegram: about 20 per minute in a group).
    public var maxMessagesPerMinute: Int

    public init(
        repeatMilestones: [Int] = [1, 3, 10, 30, 100], repeatEvery: Int = 100, repeatWindow: Duration = .seconds(600),
        digestThreshold: Int = 5, maxTrackedKeys: Int = 10_000,
        minimumIntervalPerChat: Duration = TelegramAPI.minimumIntervalPerChat,
        maxMessagesPerMinute: Int = TelegramAPI.maxMessagesPerMinutePerGroup
    ) {
        self.repeatMilestones = repeatMilestones.filter { $0 > 0 }.sorted()
        self.repeatEvery = max(1, repeatEvery)
        self.repeatWindow = repeatWindow
        self.digestThreshold = max(1, digestThreshold)
        self.maxTrackedKeys = max(1, maxTrackedKeys)
        self.minimumIntervalPerChat = minimumIntervalPerChat
        self.maxMessagesPerMinute = max(1, maxMessagesPerMinute)
    }

    /// The first occurrence number after `occurrence` that is worth a message.
    func nextMilestone(after occurrence: Int) -> Int {
        if let next = repeatMilestones.first(where: { $0 > occurrence }) { return next }
        return (occurrence / repeatEvery + 1) * repeatEvery
    }
}
