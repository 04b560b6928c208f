import Crypto

/// SHA-256 of a file's content, as lowercase hex: what `ReportProduced` records of the report it announces, so a
/// report file can be checked against the log (`sha256sum 2026-11-28.json`).
public enum ContentDigest {
    public static func sha256(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Array(text.utf8)))
    }
}
