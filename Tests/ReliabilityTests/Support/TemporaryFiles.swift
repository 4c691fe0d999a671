import Foundation
import TestSupport

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ contents: Data, suffix: String = ".txt") throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("procure-rel-\(getpid())-\(UUID().uuidString)\(suffix)").path
    try contents.write(to: URL(fileURLWithPath: path))
    return path
}

func temporaryFile(_ text: String, suffix: String = ".txt") throws -> String {
    try temporaryFile(Data(text.utf8), suffix: suffix)
}
