import CLibPQ
import Foundation

extension Connection {
    /// Streams data into `COPY … FROM STDIN`. `chunks` is pulled until it returns nil, so a
    /// large file is never held in memory. Returns the number of rows copied.
    @discardableResult
    public func copyIn(_ sql: String, chunks: () throws -> [UInt8]?) throws -> Int {
        try beforeOwnRoundTrip()
        try flushDeferred()
        let handle = try openHandle()
        let start = PQexec(handle, sql)
        guard let start else { throw connectionError() }
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            defer { PQclear(start) }
            throw error(from: start)
        }
        PQclear(start)
        do {
            while let chunk = try chunks() {
                if chunk.isEmpty { continue }
                let sent = chunk.withUnsafeBufferPointer { buffer in
                    buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                        PQputCopyData(handle, $0, Int32(buffer.count))
                    }
                }
                if sent != 1 { throw connectionError() }
            }
        } catch {
            // Abort the COPY so the server rolls it back, then drain its result.
            PQputCopyEnd(handle, "aborted by client")
            drainResults(handle)
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw connectionError() }
        var copied = 0
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = error(from: result)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        return copied
    }

    /// Convenience: COPY from lines of text (each already in COPY text or CSV format).
    @discardableResult
    public func copyIn<S: Sequence>(_ sql: String, lines: S) throws -> Int where S.Element == String {
        var iterator = lines.makeIterator()
        return try copyIn(sql) {
            var buffer: [UInt8] = []
            while buffer.count < 64 * 1024, let line = iterator.next() {
                buffer.append(contentsOf: line.utf8)
                buffer.append(UInt8(ascii: "\n"))
            }
            return buffer.isEmpty ? nil : buffer
        }
    }

    private func drainResults(_ handle: OpaquePointer) {
        while let result = PQgetResult(handle) { PQclear(result) }
    }
}
