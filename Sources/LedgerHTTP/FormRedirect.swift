import Foundation

/// Where a plain HTML form post goes after its lead is recorded: `303 See Other` to a thank-you page.
///
/// A form may name its own page in a `_redirect` field, but only on an allowed origin: otherwise the ledger would be an
/// open redirect that phishing links could borrow. A `_redirect` that is not allowed never costs the lead: the lead
/// is recorded and the client gets the configured page, or the JSON receipt when none is configured.
struct FormRedirect: Sendable {
    /// `LEADLEDGER_FORM_REDIRECT_URL`: used when the form names no page, or one that is not allowed.
    let defaultURL: URL?
    /// Lowercased `scheme://host[:port]` values from `LEADLEDGER_REDIRECT_ORIGINS`, plus the default URL's origin.
    let allowedOrigins: Set<String>

    init(defaultURL: URL?, allowedOrigins: [String]) {
        self.defaultURL = defaultURL
        var origins = Set(allowedOrigins.compactMap { URL(string: $0).flatMap(Self.origin) })
        if let origin = defaultURL.flatMap(Self.origin) { origins.insert(origin) }
        self.allowedOrigins = origins
    }

    /// The `Location` for a recorded lead, or nil to answer with JSON. `refused` is set when the form asked for a page
    /// that is not allowed (worth a log line: a misconfigured landing page).
    func location(requested: String?) -> (url: String?, refused: Bool) {
        guard let requested else { return (defaultURL?.absoluteString, false) }
        if let url = URL(string: requested), let origin = Self.origin(url), allowedOrigins.contains(origin) {
            return (url.absoluteString, false)
        }
        return (defaultURL?.absoluteString, true)
    }

    /// `scheme://host[:port]` of an absolute http(s) URL, lowercased; nil for anything else (relative, `javascript:`,
    /// user-info tricks like `https://allowed@evil`).
    static func origin(_ url: URL) -> String? {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = url.host?.lowercased(),
            !host.isEmpty, url.user == nil, url.password == nil
        else { return nil }
        let port = url.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)"
    }
}
