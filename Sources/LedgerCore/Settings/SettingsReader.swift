import Foundation

/// Parses raw setting values by key, collecting a `SettingsProblem` for each bad one instead of stopping at the first.
struct SettingsReader {
    let raw: (String) -> String?
    var problems: [SettingsProblem] = []

    init(raw: @escaping (String) -> String?) { self.raw = raw }

    /// The trimmed value, or nil when unset or blank.
    func string(_ key: String) -> String? {
        guard let value = raw(key)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    mutating func problem(_ key: String, _ message: String) {
        problems.append(SettingsProblem(key: key, message: message))
    }

    mutating func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = string(key) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            problem(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
            return fallback
        }
        return value
    }

    mutating func optionalInteger(_ key: String, range: ClosedRange<Int64>) -> Int64? {
        guard let text = string(key) else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            problem(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
            return nil
        }
        return value
    }

    /// An absolute http(s) URL with a host, without query or fragment.
    mutating func url(_ key: String, default fallback: String? = nil) -> URL? {
        guard let text = string(key) ?? fallback else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            problem(key, "must be an http(s) URL like https://example.amocrm.ru, got \"\(text)\"")
            return nil
        }
        return url
    }

    mutating func secret(_ key: String, minimumLength: Int = 1) -> Secret? {
        guard let text = string(key) else { return nil }
        guard text.count >= minimumLength else {
            problem(key, "is too short (at least \(minimumLength) characters)")
            return nil
        }
        return Secret(text)
    }
}
