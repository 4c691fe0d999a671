import Foundation
import TestSupport
import XCTest

/// Every verb's `--help`, walked from the built binary's own command tree: an example, the
/// placeholders, `--key` only where a key means something, dates as YYYY-MM-DD; `--version`.
final class HelpTests: XCTestCase {
    /// The verbs that only read: their `--key` would store nothing, so help does not offer it.
    /// db start/stop/migrate too: a key could not repeat their work.
    static let keyless: Set<String> = [
        "supplier list", "item list", "user list", "price list", "po show", "po list", "po edits", "history",
        "liability show", "liability list", "case list", "notice", "po document", "setting list", "audit verify", "audit checkpoint", "report", "db start", "db stop", "db status", "db migrate",
    ]

    private func help(_ words: [String]) throws -> String {
        let run = try ProcureBinary.run(words + ["--help"])
        XCTAssertEqual(run.status, 0, "\(words) --help: \(run.stderr)")
        return run.stdout
    }

    /// The names a help text lists under SUBCOMMANDS.
    private func subcommands(of text: String) -> [String] {
        guard let section = text.range(of: "SUBCOMMANDS:\n") else { return [] }
        return text[section.upperBound...].split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { return nil }
            return name == "See" ? nil : String(name)
        }
    }

    /// Every leaf verb, by its words.
    private func verbs(under words: [String] = []) throws -> [[String]] {
        let text = words.isEmpty ? try ProcureBinary.run(["--help"]).stdout : try help(words)
        let children = subcommands(of: text)
        if children.isEmpty { return [words] }
        return try children.flatMap { try verbs(under: words + [$0]) }
    }

    func testEveryVerbHasAnExampleAndSaysWhatItsPlaceholdersAre() throws {
        let all = try verbs()
        XCTAssertGreaterThan(all.count, 35, "the walk found the verbs: \(all)")
        for verb in ["run", "supplier set", "supplier list", "item list", "po line add", "po line set", "po line remove", "po list"] {
            XCTAssertTrue(all.contains(verb.split(separator: " ").map(String.init)), "\(verb) is listed")
        }
        for words in all {
            let name = words.joined(separator: " ")
            let text = try help(words)
            XCTAssertTrue(text.contains("Example"), "\(name) --help has no example:\n\(text)")
            XCTAssertTrue(text.contains("  procure "), "\(name)'s example is a command line:\n\(text)")
            if name != "run" {
                XCTAssertTrue(text.contains("--as <user>"), "\(name): --as says it takes a user:\n\(text)")
            }
            XCTAssertFalse(text.contains("<actor>"), "\(name): a placeholder named after a property:\n\(text)")
            if Self.keyless.contains(name) || name == "run" {
                XCTAssertFalse(text.contains("--key"), "\(name) only reads, yet offers --key:\n\(text)")
            } else {
                XCTAssertTrue(text.contains("--key <key>"), "\(name) writes, so it offers --key:\n\(text)")
            }
            for flag in ["--from", "--to", "--on", "--date"] where text.contains(flag + " <") {
                XCTAssertTrue(text.contains(flag + " <YYYY-MM-DD>"), "\(name): \(flag) says how a date is written:\n\(text)")
            }
            // An order number is an order, not the Swift property's name.
            XCTAssertFalse(text.contains("<number>") && text.contains("Order number."), "\(name):\n\(text)")
        }
    }

    func testTheTopLevelHelpListsRunAndTheRunFlagsAndVersionPrintsTheVersion() throws {
        let text = try ProcureBinary.run(["--help"]).stdout
        XCTAssertTrue(text.contains("  run "), text)
        XCTAssertTrue(text.contains("--as <user>") && text.contains("--format <table|json|csv>"), text)
        let version = try ProcureBinary.run(["--version"])
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertTrue(version.stdout.range(of: #"^procure \d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, version.stdout)
    }
}
