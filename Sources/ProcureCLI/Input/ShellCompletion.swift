import ArgumentParser
import Foundation

/// What Tab offers in the interactive shell: the verbs and flags of the command tree, the same
/// tree every line is parsed with, so a new verb or flag completes without being listed here.
struct ShellCompletion {
    struct Command: Decodable {
        var commandName: String
        var subcommands: [Command]?
        var arguments: [Argument]?
    }

    struct Argument: Decodable {
        struct Name: Decodable {
            var kind: String
            var name: String
        }
        var names: [Name]?
        var shouldDisplay: Bool
    }

    private struct Tree: Decodable {
        var command: Command
    }

    /// The words the shell itself answers, beside the verbs.
    static let shellWords = ["help", "quit", "exit"]

    let root: Command

    /// The tree as swift-argument-parser describes it.
    static func ofCommandLine() -> ShellCompletion {
        let json = Data(ProcureCommandLine._dumpHelp().utf8)
        let root = (try? JSONDecoder().decode(Tree.self, from: json))?.command
            ?? Command(commandName: "procure", subcommands: [], arguments: [])
        return ShellCompletion(root: root)
    }

    /// The word being completed (what precedes the cursor in it) and the words it may become.
    func candidates(before text: String) -> (partial: String, candidates: [String]) {
        var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let partial = text.last.map { $0 == " " || $0 == "\t" } ?? true ? "" : (words.popLast() ?? "")
        var command = root
        for word in words where !word.hasPrefix("-") {
            guard let next = command.subcommands?.first(where: { $0.commandName == word }) else { break }
            command = next
        }
        var offered: [String]
        if partial.hasPrefix("-") {
            offered = (command.arguments ?? []).filter(\.shouldDisplay).flatMap { argument in
                (argument.names ?? []).filter { $0.kind == "long" }.map { "--" + $0.name }
            } + ["--help"]
        } else {
            offered = (command.subcommands ?? []).map(\.commandName).filter { $0 != "help" }
            if words.isEmpty {
                // `run FILE` is for the command line, not a line of the shell.
                offered = offered.filter { $0 != "run" } + ShellCompletion.shellWords
            }
        }
        let fitting = Array(Set(offered.filter { $0.hasPrefix(partial) })).sorted()
        return (partial, fitting)
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for word in words.dropFirst() {
            while !word.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }

    /// Words in columns, as a shell lists completions.
    static func columns(_ words: [String], width: Int = 80) -> String {
        let cell = (words.map(\.count).max() ?? 0) + 2
        let perRow = max(1, width / cell)
        return stride(from: 0, to: words.count, by: perRow).map { start in
            words[start..<min(start + perRow, words.count)]
                .map { $0.padding(toLength: cell, withPad: " ", startingAt: 0) }
                .joined().trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
