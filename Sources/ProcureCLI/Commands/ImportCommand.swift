import ArgumentParser
import Foundation
import Postgres
import ProcurementStore

struct ImportGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Bulk loads.", subcommands: [ImportOrders.self])
}

/// `import orders FILE.csv`: COPY into a staging table, then one set-based call applies the
/// rows with the same database rules as `po create`. All or nothing.
struct ImportOrders: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders", _superCommandName: "procure",
        abstract: "Import draft orders from CSV (header: number,supplier,date,sku,qty,price; one row per line).",
        discussion: """
            Rows with the same number form one order, lines in file order. price may be empty (base price), \
            date too (today); dates are YYYY-MM-DD. A UTF-8 byte order mark (Excel's "CSV UTF-8") is fine.

            Example:
              procure import orders orders.csv --as alice
            """)

    @Argument(help: ArgumentHelp("The CSV file.", valueName: "file.csv")) var file: String
    @OptionGroup var common: CommonOptions

    static let header = ["number", "supplier", "date", "sku", "qty", "price"]

    func execute(in context: CommandContext) throws -> JSONValue {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), !isFolder.boolValue,
              let handle = FileHandle(forReadingAtPath: file)
        else {
            throw ProcureError(.invalidArgument, "cannot read \(file): not a readable file")
        }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let progress = Progress(total: size)
        return try context.transaction { database in
            try database.importCreateStaging()
            try handle.seek(toOffset: 0)
            var sawHeader = false
            let rows: Int
            do {
                rows = try database.importCopy {
                    var chunk = try handle.read(upToCount: 256 * 1024) ?? Data()
                    if chunk.isEmpty {
                        if !sawHeader { throw ProcureError(.invalidArgument, "\(file) is empty: the header row is missing") }
                        return nil
                    }
                    progress.advance(by: chunk.count)
                    if !sawHeader {
                        chunk = ImportOrders.withoutByteOrderMark(chunk)
                        try ImportOrders.checkHeader(chunk)
                        sawHeader = true
                    }
                    return [UInt8](chunk)
                }
            } catch {
                progress.finish(nil)
                if let error = error as? PostgresError { throw ProcureError(copying: file, error) }
                throw error
            }
            progress.applying(rows: rows)
            do {
                let result = try database.importOrdersApply()
                progress.finish("done")
                return result
            } catch {
                progress.finish("refused, nothing imported")
                throw error
            }
        }
    }

    /// A UTF-8 byte order mark (Excel's "CSV UTF-8" starts with one) is not part of the header.
    static func withoutByteOrderMark(_ chunk: Data) -> Data {
        chunk.starts(with: [0xEF, 0xBB, 0xBF]) ? chunk.dropFirst(3) : chunk
    }

    /// The header must name the documented columns in order, so a file from another tool is
    /// refused up front instead of being loaded into the wrong columns.
    static func checkHeader(_ chunk: Data) throws {
        let firstLine = String(decoding: chunk.prefix { $0 != 10 }, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let names = firstLine.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased() }
        guard names == header else {
            throw ProcureError(.invalidArgument, "row 1: header must be \(header.joined(separator: ",")), found \(firstLine.prefix(200))")
        }
    }
}

/// Progress on stderr, only when stderr is a terminal: a bar while the file is read, then the
/// time spent checking and writing the rows (one database call, whose own progress cannot be
/// seen), so that a long import never looks finished before it is.
final class Progress: @unchecked Sendable {
    private let total: Int
    private let enabled = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    // Guarded by `lock`.
    private var done = 0
    private var lastPercent = -1
    private var applyingRows: Int?
    private var applyingSince = 0.0
    private var finished = false

    init(total: Int) { self.total = max(total, 1) }

    func advance(by count: Int) {
        lock.lock()
        defer { lock.unlock() }
        done += count
        guard enabled else { return }
        let percent = min(100, done * 100 / total)
        guard percent != lastPercent else { return }
        lastPercent = percent
        let bar = String(repeating: "#", count: percent / 5) + String(repeating: ".", count: 20 - percent / 5)
        show("import: reading [\(bar)] \(percent)%")
    }

    /// The file is read: from now on the rows are checked and written, shown with the time spent.
    func applying(rows: Int) {
        guard enabled else { return }
        lock.lock()
        applyingRows = rows
        applyingSince = Date().timeIntervalSince1970
        showApplying()
        lock.unlock()
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                lock.lock()
                defer { lock.unlock() }
                if finished { return }
                showApplying()
            }
        }
    }

    /// Ends the progress line with `outcome` (nil: just ends it).
    func finish(_ outcome: String?) {
        lock.lock()
        defer { lock.unlock() }
        guard enabled, !finished, lastPercent >= 0 else { return }
        finished = true
        if let outcome, applyingRows != nil {
            showApplying(outcome)
        }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func showApplying(_ outcome: String? = nil) {
        guard let rows = applyingRows else { return }
        let seconds = Int(Date().timeIntervalSince1970 - applyingSince)
        show("import: read \(rows) rows; checking and writing them… \(seconds) s" + (outcome.map { " — " + $0 } ?? ""))
    }

    private func show(_ text: String) {
        // \r and erase-line: the new state replaces the old one on the same line.
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }
}
