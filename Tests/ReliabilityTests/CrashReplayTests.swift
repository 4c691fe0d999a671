import Foundation
import Postgres
import TestSupport
import XCTest

/// SPEC §4/§5: a batch whose every write carries `--key`, SIGKILLed at random moments and
/// re-run, ends in exactly the state of one clean run of the same batch.
final class CrashReplayTests: DatabaseTestCase {
    /// The last line number the output file answers (complete lines only: a kill can cut one).
    static func lastAnsweredLine(_ output: Data) -> Int {
        guard let end = output.lastIndex(of: 0x0A) else { return 0 }
        let text = String(decoding: output[..<end], as: UTF8.self)
        for raw in text.split(separator: "\n").reversed() {
            if let object = try? JSONParser.parse(String(raw)), let line = object.lineNumber { return line }
        }
        return 0
    }

    /// Reports through the CLI, as JSON text, one per report.
    func reports(_ db: String) throws -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for name in ["price-compliance", "corrections", "liabilities"] {
            let run = try procure(["--format", "json", "report", name], db: db)
            let object = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            XCTAssertTrue(object.succeeded, "report \(name): \(run.stdout) \(run.stderr)")
            result[name] = object["result"]
        }
        return result
    }

    func testAKeyedBatchKilledAtRandomAndReRunEndsAsOneCleanRun() throws {
        let suffix = TestCluster.uniqueSuffix()
        let names = ReplayBatch.Names(buyers: ["rb1_\(suffix)", "rb2_\(suffix)", "rb3_\(suffix)"],
                                      finance: "rf_\(suffix)", admin: "ra_\(suffix)")
        let seed: UInt64 = 20261127
        let batch = ReplayBatch(seed: seed, names: names)
        XCTAssertEqual(batch.lines.count, 10_000)
        let databaseA = conninfo
        let databaseB = try TestCluster.createMigratedDatabase("relb")
        let fullPath = try TemporaryFolder.file(batch.text)
        defer { unlink(fullPath) }
        let started = Date()

        // B: the clean run, in parallel with A's ordeal (2 cores: one client each).
        let clean = try SpawnedProcess.procure(["--db", databaseB, "--format", "json"], stdinPath: fullPath)
        defer { clean.removeFiles() }
        // Let B get past the user roles (cluster-wide) before A creates them too.
        usleep(3_000_000)

        // A: SIGKILLed five times, at random places spread over the batch (when the answers
        // reach a random line, after a further random 0–40 ms, so the kill lands anywhere in a
        // line's work: parsing, in the transaction, at COMMIT, writing the answer). After each
        // kill the batch is resumed 300 lines before the last answered line — earlier lines are
        // blank, so line numbers stay those of the file — and so the line in flight and the
        // 300 before it run again; they must find their keys and write nothing.
        var random = SystemRandomNumberGenerator()
        let overlap = 300
        var targets: [Int] = []
        while targets.count < 5 {
            let target = Int.random(in: 400...9_600, using: &random)
            if targets.allSatisfy({ abs($0 - target) > 700 }) { targets.append(target) }
        }
        targets.sort()
        var kills = 0
        var answeredAtKill: [Int] = []
        var start = 0
        var replayed = 0
        func resumeFile(from start: Int) throws -> String {
            try TemporaryFolder.file(String(repeating: "\n", count: start) + batch.lines[start...].joined(separator: "\n") + "\n")
        }
        for target in targets {
            let path = try resumeFile(from: start)
            defer { unlink(path) }
            let process = try SpawnedProcess.procure(["--db", databaseA, "--format", "json"], stdinPath: path)
            defer { process.removeFiles() }
            let reader = FileHandle(forReadingAtPath: process.stdoutPath)
            defer { try? reader?.close() }
            var answered = start
            var outcome: ExitOutcome?
            let deadline = Date().addingTimeInterval(300)
            while outcome == nil {
                if let chunk = reader?.readDataToEndOfFile(), !chunk.isEmpty {
                    answered += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                }
                if answered >= target || Date() > deadline {
                    usleep(UInt32.random(in: 0...40_000, using: &random))
                    outcome = process.killNow()
                } else {
                    outcome = process.poll()
                    if outcome == nil { usleep(5_000) }
                }
            }
            guard outcome == .signaled(SIGKILL) else {
                XCTFail("a pass ended before its kill: \(outcome!) \(process.stderr.prefix(500))")
                break
            }
            kills += 1
            let output = process.stdoutData
            let last = Self.lastAnsweredLine(output)
            let complete = output.lastIndex(of: 0x0A).map { output[...$0] } ?? Data()
            let failures = parseJSONLines(String(decoding: complete, as: UTF8.self)).filter { !$0.succeeded }
            XCTAssertTrue(failures.isEmpty, "lines failed before a kill: \(failures.prefix(3).map(\.serialized))")
            answeredAtKill.append(last)
            let next = max(0, max(last, start) - overlap)
            replayed += max(last, start) - next + 1
            start = next
        }

        // Then the batch runs to its end, from the last resume point: every line answers ok
        // (a line done before is answered from its key and writes nothing).
        let finalPath = try resumeFile(from: start)
        defer { unlink(finalPath) }
        let final = try SpawnedProcess.procure(["--db", databaseA, "--format", "json"], stdinPath: finalPath)
        defer { final.removeFiles() }
        let finalOutcome = final.wait(timeout: 420)
        XCTAssertEqual(finalOutcome, .exited(0), final.stderr.prefix(2000).description)
        let finalObjects = parseJSONLines(final.stdout)
        XCTAssertEqual(finalObjects.compactMap(\.lineNumber), Array((start + 1)...batch.lines.count))
        let finalFailures = finalObjects.filter { !$0.succeeded }
        XCTAssertTrue(finalFailures.isEmpty, "\(finalFailures.count) lines failed on the re-run: \(finalFailures.prefix(5).map(\.serialized))")

        let cleanOutcome = clean.wait(timeout: 420)
        XCTAssertEqual(cleanOutcome, .exited(0), "the clean run: \(clean.stderr.prefix(2000))")
        let cleanObjects = parseJSONLines(clean.stdout)
        XCTAssertEqual(cleanObjects.count, 10_000)
        let cleanFailures = cleanObjects.filter { !$0.succeeded }
        XCTAssertTrue(cleanFailures.isEmpty, "the batch itself must be valid: \(cleanFailures.prefix(5).map(\.serialized))")

        // Compare A and B: every table, the audit chains, the reports, audit verify.
        let a = try Snapshot(conninfo: databaseA)
        let b = try Snapshot(conninfo: databaseB)
        let differences = a.differences(from: b)
        var duplicates = 0
        for (table, (onlyA, onlyB)) in differences.sorted(by: { $0.key < $1.key }) {
            duplicates += onlyA.count
            XCTFail("\(table): \(onlyA.count) row(s) only after the crashes, \(onlyB.count) only in the clean run; e.g. \(onlyA.prefix(3)) / \(onlyB.prefix(3))")
        }
        XCTAssertEqual(a.auditRows, b.auditRows, "audit rows")
        XCTAssertEqual(a.auditChains.count, b.auditChains.count, "audit chains")
        var chainMismatches = 0
        for (chain, counts) in b.auditChains where a.auditChains[chain] != counts {
            chainMismatches += 1
            if chainMismatches <= 5 { XCTFail("audit chain \(chain): \(a.auditChains[chain] ?? [:]) after the crashes, \(counts) clean") }
        }
        for db in [databaseA, databaseB] {
            let run = try procure(["--format", "json", "audit", "verify"], db: db)
            let object = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            XCTAssertEqual(object["result"]?["ok"], .bool(true), run.stdout)
        }
        let reportsA = try reports(databaseA)
        let reportsB = try reports(databaseB)
        for name in reportsB.keys.sorted() {
            XCTAssertEqual(reportsA[name], reportsB[name], "report \(name) differs: \(reportsA[name]?.serialized.prefix(600) ?? "") vs \(reportsB[name]?.serialized.prefix(600) ?? "")")
        }
        // Sanity: the batch really did all of it.
        XCTAssertEqual(b.tables["idempotency_keys"]?.count, 10_000)
        XCTAssertGreaterThan(b.tables["corrections"]?.count ?? 0, 300)
        XCTAssertGreaterThan(b.tables["liabilities"]?.count ?? 0, 300)

        Figures.record("crash.batch_lines", batch.lines.count)
        Figures.record("crash.orders", batch.orders)
        Figures.record("crash.kills_survived", kills)
        Figures.record("crash.answered_line_at_each_kill", answeredAtKill.map(String.init).joined(separator: ","))
        Figures.record("crash.lines_run_again_after_kills", replayed)
        Figures.record("crash.rows_compared", b.rowCount)
        Figures.record("crash.audit_rows_compared", b.auditRows)
        Figures.record("crash.audit_chains_compared", b.auditChains.count)
        Figures.record("crash.tables_differing", differences.count)
        Figures.record("crash.duplicates_found", duplicates)
        Figures.record("crash.seconds", Int(Date().timeIntervalSince(started)))
    }
}
