/// Checks that `page_url` is an absolute http(s) URL.
///
/// Hand-written rather than `URL(string:)`, whose acceptance of Unicode and odd input differs between platforms and
/// Foundation versions; the rule here is the same everywhere. Non-ASCII paths and hosts (`https://сайт.рф/заявка`)
/// are accepted as browsers show them.
enum PageURLSyntax {
    static func isHTTPURL(_ text: String) -> Bool {
        guard let separator = text.firstRange(of: "://") else { return false }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return false }
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "\\" }) else { return false }
        let rest = text[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        // The host is what is left of the authority once user info and port are set aside; it must not be empty.
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let host = hostAndPort.hasPrefix("[") ? hostAndPort : hostAndPort.prefix { $0 != ":" }
        return !host.isEmpty
    }
}
