import Foundation

/// Writes text to standard output without buffering surprises between commands.
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
