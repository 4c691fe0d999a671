import CLibEdit
import Foundation

/// The interactive shell's lines, read with libedit (BSD editline, as psql uses): line editing,
/// history kept across sessions in a file, tab completion of verbs and flags, and Ctrl-C that
/// cancels the line being typed rather than the shell.
final class LineEditor: LineSource {
    private let editor: OpaquePointer
    private let history: OpaquePointer
    private let historyFile: String?
    private let completion: ShellCompletion
    private var event = HistEvent()

    /// nil when libedit cannot drive this terminal; the caller then reads plain lines.
    init?(historyFile: String?, completion: ShellCompletion) {
        // libedit decodes the terminal's bytes in the locale's encoding.
        setlocale(LC_CTYPE, "")
        // fdopen rather than the global `stdin` and co, which Swift 6 treats as shared mutable state.
        guard let input = fdopen(STDIN_FILENO, "r"), let output = fdopen(STDOUT_FILENO, "w"), let errors = fdopen(STDERR_FILENO, "w"),
              let editor = el_init("procure", input, output, errors)
        else { return nil }
        guard let history = history_init() else {
            el_end(editor)
            return nil
        }
        self.editor = editor
        self.history = history
        self.historyFile = historyFile
        self.completion = completion
        _ = procure_history_set_size(history, &event, 1000)
        _ = procure_history_set_unique(history, &event, 1)
        if let historyFile { _ = procure_history_load(history, &event, historyFile) }
        _ = procure_el_set_editor(editor, "emacs")
        _ = procure_el_set_prompt(editor, { _ in LineEditor.prompt })
        _ = procure_el_set_history(editor, history)
        _ = procure_el_set_client_data(editor, Unmanaged.passUnretained(self).toOpaque())
        _ = procure_el_add_function(editor, "procure-complete", "complete a verb or a flag", { editor, _ in
            guard let editor, let data = procure_el_client_data(editor) else { return UInt8(CC_ERROR) }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().complete()
        })
        _ = procure_el_bind(editor, "^I", "procure-complete")
        _ = procure_el_read_with_interrupts(editor)
    }

    deinit {
        history_end(history)
        el_end(editor)
    }

    private nonisolated(unsafe) static let prompt = strdup("procure> ")

    /// The next line; a line cancelled with Ctrl-C is an empty line, the end of input nil.
    /// Ctrl-C is caught only while a line is edited; while a command runs it ends the shell, as
    /// it ended procure before (the history is saved line by line).
    func nextLine() -> String? {
        _ = procure_take_interrupt()
        _ = procure_catch_interrupts()
        var count: Int32 = 0
        let text = el_gets(editor, &count)
        _ = procure_default_interrupts()
        if procure_take_interrupt() != 0 {
            // The terminal shows what was typed; the cancelled line ends where the cursor was.
            FileHandle.standardOutput.write(Data("^C\n".utf8))
            return ""
        }
        guard let text, count > 0 else { return nil }
        var line = String(cString: text)
        while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
        remember(line)
        return line
    }

    /// Adds a line to the history and saves it at once, so a shell that is killed keeps it too.
    /// Neither `quit` nor a line that gives a password is kept.
    private func remember(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !["quit", "exit"].contains(trimmed), !line.contains("--password") else { return }
        _ = procure_history_enter(history, &event, line)
        guard let historyFile else { return }
        let folder = (historyFile as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Commands name users and orders: the file is its owner's alone.
        if !FileManager.default.fileExists(atPath: historyFile) {
            _ = FileManager.default.createFile(atPath: historyFile, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        _ = procure_history_save(history, &event, historyFile)
    }

    /// Tab: completes the word before the cursor to the verbs or flags that fit; several that
    /// fit are completed to what they share, and listed when that adds nothing.
    private func complete() -> UInt8 {
        guard let info = el_line(editor)?.pointee, let buffer = info.buffer, let cursor = info.cursor else {
            return UInt8(CC_ERROR)
        }
        let before = String(decoding: UnsafeRawBufferPointer(start: buffer, count: cursor - buffer), as: UTF8.self)
        let (partial, candidates) = completion.candidates(before: before)
        guard !candidates.isEmpty else { return UInt8(CC_ERROR) }
        if candidates.count == 1 {
            _ = el_insertstr(editor, String(candidates[0].dropFirst(partial.count)) + " ")
            return UInt8(CC_REFRESH)
        }
        let shared = ShellCompletion.commonPrefix(candidates)
        if shared.count > partial.count {
            _ = el_insertstr(editor, String(shared.dropFirst(partial.count)))
            return UInt8(CC_REFRESH)
        }
        FileHandle.standardOutput.write(Data(("\n" + ShellCompletion.columns(candidates) + "\n").utf8))
        return UInt8(CC_REDISPLAY)
    }

    /// Where the shell keeps its history: `$PROCURE_HOME/history` when that is set, else
    /// `${XDG_STATE_HOME:-~/.local/state}/procure/history`.
    static func historyFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["PROCURE_HOME"], !home.isEmpty {
            return (home as NSString).appendingPathComponent("history")
        }
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/state")
        return ((state as NSString).appendingPathComponent("procure") as NSString).appendingPathComponent("history")
    }
}
