import Foundation
import Postgres
import ProcessSupport

extension Benchmark {
    // MARK: 5. peak memory of a long batch

    /// Pipes `--batch-lines` lines (`po show` of every order in turn, with a `price list` every
    /// tenth line) into one `procure` batch process and reads its peak RSS (ru_maxrss at exit),
    /// sampling VmRSS on the way to show it stays flat. Stops feeding at `--batch-seconds`.
    func measureMemory() throws {
        let total = max(1, options.batchLines)
        func line(_ index: Int) -> String {
            if index % 10 == 9 { return "price list \(BenchNames.supplier(index % options.shape.suppliers))" }
            let order = data.order((index &* 7) % options.shape.orders)
            return "po show \(order.number) --as \(BenchNames.buyer(order.buyer))"
        }
        // The lines must succeed, or we would measure error handling.
        let check = file("batch-check.txt")
        try (0..<20).map(line).joined(separator: "\n").appending("\n").write(toFile: check, atomically: true, encoding: .utf8)
        let checkOut = file("batch-check.out")
        try runChecked(procure([]), input: .file(check), output: .file(checkOut))
        let failures = ((try? String(contentsOfFile: checkOut, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { !$0.contains("\"ok\":true") }
        if !failures.isEmpty { throw BenchError("batch lines fail: \(failures.first!.prefix(500))") }

        log("batch memory: up to \(total) lines piped into one procure process (at most \(options.batchSeconds) s)")
        let child = try SpawnedProcess(procure([]), input: .pipe, output: .null, error: .file(file("batch.err")))
        let begun = MonotonicClock.now()
        var written = 0
        var nextSample = begun + 1
        var rss: [(Int, Int)] = []
        var chunk = [UInt8]()
        chunk.reserveCapacity(256 * 1024)
        while written < total && MonotonicClock.now() - begun < Double(options.batchSeconds) {
            chunk.removeAll(keepingCapacity: true)
            let end = min(total, written + 500)
            for index in written..<end {
                chunk.append(contentsOf: line(index).utf8)
                chunk.append(10)
            }
            guard child.write(chunk) else { break }
            written = end
            if MonotonicClock.now() >= nextSample {
                if let kib = child.residentKiB() { rss.append((written, kib)) }
                nextSample += max(1, Double(options.batchSeconds) / 20)
            }
        }
        child.closeInput()
        let exit = child.waitForTermination()
        let seconds = exit.seconds
        if exit.outcome.status != 0 {
            let text = (try? String(contentsOfFile: file("batch.err"), encoding: .utf8)) ?? ""
            throw BenchError("the batch process exited \(exit.outcome.status): \(text.prefix(1000))")
        }
        let peak = Double(exit.maxResidentKiB) / 1024
        let complete = written >= total
        add(BenchResult(
            measure: "batch peak memory (\(written) lines\(complete ? "" : " of \(total), time limit"))",
            value: peak, anchor: 64, unit: "MiB", anchorName: "SPEC limit 64 MiB", ratio: peak / 64,
            target: "< 1.00, and the batch reaches its end", meets: peak < 64 && complete,
            samples: "VmRSS lines:MiB " + rss.map { "\($0.0):\(BenchStats.format(Double($0.1) / 1024, decimals: 1))" }.joined(separator: " ")))
        detail("batch throughput", .string("\(written) lines in \(BenchStats.format(seconds)) s = \(BenchStats.format(Double(written) / seconds, decimals: 0)) lines/s"))
    }
}
