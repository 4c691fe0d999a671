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
        commandName: "orders",
        abstract: "Import draft orders from CSV (header: number,supplier,date,sku,qty,price; one row per line).",
        discussion: "Rows with the same number form one order, lines in file order. price may be empty (base price).")

    @Argument(help: "The CSV file.") var file: String
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
            do {
                _ = try database.importCopy {
                    let chunk = try handle.read(upToCount: 256 * 1024) ?? Data()
                    if chunk.isEmpty {
                        if !sawHeader { throw ProcureError(.invalidArgument, "\(file) is empty: the header row is missing") }
                        return nil
                    }
                    if !sawHeader {
                        try ImportOrders.checkHeader(chunk)
                        sawHeader = true
                    }
                    progress.advance(by: chunk.count)
                    return [UInt8](chunk)
                }
            } catch let error as PostgresError {
                progress.finish()
                throw ProcureError(copying: file, error)
            }
            progress.finish()
            return try database.importOrdersApply()
        }
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

/// A progress bar on stderr, only when stderr is a terminal.
final class Progress {
    private let total: Int
    private var done = 0
    private var lastPercent = -1
    private let enabled = isatty(STDERR_FILENO) == 1

    init(total: Int) { self.total = max(total, 1) }

    func advance(by count: Int) {
        done += count
        guard enabled else { return }
        let percent = min(100, done * 100 / total)
        guard percent != lastPercent else { return }
        lastPercent = percent
        let bar = String(repeating: "#", count: percent / 5) + String(repeating: ".", count: 20 - percent / 5)
        FileHandle.standardError.write(Data("\rimport [\(bar)] \(percent)%".utf8))
    }

    func finish() {
        if enabled && lastPercent >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
