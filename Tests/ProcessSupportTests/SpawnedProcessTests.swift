import Foundation
import ProcessSupport
import XCTest

final class SpawnedProcessTests: XCTestCase {
    func testRunCapturesStandardOutputAndErrorApart() throws {
        let finished = try SpawnedProcess.run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(finished.outcome, .exited(3))
        XCTAssertEqual(finished.status, 3)
        XCTAssertEqual(finished.stdout, "out\n")
        XCTAssertEqual(finished.stderr, "err\n")
    }

    func testMergedErrorsKeepTheOrderWritten() throws {
        let finished = try SpawnedProcess.run(["/bin/sh", "-c", "echo one; echo two >&2; echo three"], mergeErrors: true)
        XCTAssertEqual(finished.outcome, .exited(0))
        XCTAssertEqual(finished.stdout, "one\ntwo\nthree\n")
        XCTAssertEqual(finished.stderr, "")
    }

    func testRunLeavesNoCaptureFilesBehind() throws {
        let before = try captureFiles()
        _ = try SpawnedProcess.run(["/bin/sh", "-c", "echo x"])
        XCTAssertEqual(try captureFiles(), before)
    }

    func testEnvironmentIsTheCurrentOnePlusTheGivenValues() throws {
        setenv("PROCESS_SUPPORT_INHERITED", "kept", 1)
        defer { unsetenv("PROCESS_SUPPORT_INHERITED") }
        let finished = try SpawnedProcess.run(
            ["/bin/sh", "-c", "echo $PROCESS_SUPPORT_INHERITED $PROCESS_SUPPORT_GIVEN"],
            environment: ["PROCESS_SUPPORT_GIVEN": "given"])
        XCTAssertEqual(finished.stdout, "kept given\n")
        let inherited = try SpawnedProcess.run(["/bin/sh", "-c", "echo $PROCESS_SUPPORT_INHERITED"])
        XCTAssertEqual(inherited.stdout, "kept\n")
    }

    func testInputFromAFile() throws {
        let path = try TemporaryFolder.file("a line\n")
        defer { unlink(path) }
        let finished = try SpawnedProcess.run(["/bin/cat"], input: .file(path))
        XCTAssertEqual(finished.stdout, "a line\n")
    }

    func testNullInputIsAtItsEndAtOnce() throws {
        let finished = try SpawnedProcess.run(["/bin/cat"])
        XCTAssertEqual(finished.outcome, .exited(0))
        XCTAssertEqual(finished.stdout, "")
    }

    func testPipedInputReachesTheChildAndClosingEndsIt() throws {
        let folder = try TemporaryFolder.make(prefix: "ps-")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        let child = try SpawnedProcess(["/usr/bin/wc", "-l"], input: .pipe, output: .file(out))
        XCTAssertTrue(child.write(Array("1\n2\n3\n".utf8)))
        child.closeInput()
        XCTAssertEqual(child.wait(timeout: 30), .exited(0))
        XCTAssertEqual(child.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "3")
        XCTAssertFalse(child.write(Array("late\n".utf8)), "no pipe once closed")
    }

    func testAppendingOutputKeepsWhatTheFileHeld() throws {
        let path = try TemporaryFolder.file("before\n")
        defer { unlink(path) }
        let child = try SpawnedProcess(["/bin/sh", "-c", "echo after"], output: .file(path, append: true))
        XCTAssertEqual(child.waitForExit(), .exited(0))
        XCTAssertEqual(child.stdout, "before\nafter\n")
        child.removeFiles()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testPidIsTheChildsAndKillNowReportsTheSignal() throws {
        let child = try SpawnedProcess(["/bin/sleep", "30"])
        XCTAssertGreaterThan(child.pid, 0)
        XCTAssertEqual(kill(child.pid, 0), 0, "the pid names the running child")
        XCTAssertNil(child.poll())
        XCTAssertEqual(child.killNow(), .signaled(SIGKILL))
        XCTAssertEqual(child.killNow(), .signaled(SIGKILL), "asking again gives the same outcome")
        XCTAssertEqual(ExitOutcome.signaled(SIGKILL).status, 128 + SIGKILL)
    }

    func testTimeoutKillsAndReapsTheChild() throws {
        let child = try SpawnedProcess(["/bin/sleep", "30"])
        let begun = MonotonicClock.now()
        XCTAssertEqual(child.wait(timeout: 0.2), .timedOut)
        XCTAssertLessThan(MonotonicClock.now() - begun, 10)
        XCTAssertEqual(child.poll(), .signaled(SIGKILL), "reaped: the kill is what ended it")
        XCTAssertNotEqual(kill(child.pid, 0), 0, "nothing runs under the pid any more")
    }

    func testTerminateSendsSigterm() throws {
        let child = try SpawnedProcess(["/bin/sleep", "30"])
        child.terminate()
        XCTAssertEqual(child.wait(timeout: 30), .signaled(SIGTERM))
    }

    func testTerminationCarriesWallTimeCPUAndPeakMemory() throws {
        let child = try SpawnedProcess(["/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"])
        let termination = child.waitForTermination()
        XCTAssertEqual(termination.outcome, .exited(0))
        XCTAssertGreaterThan(termination.seconds, 0)
        XCTAssertGreaterThan(termination.cpuSeconds, 0)
        XCTAssertGreaterThan(termination.maxResidentKiB, 0)
        XCTAssertEqual(child.termination?.outcome, .exited(0))
    }

    func testResidentMemoryOfARunningChild() throws {
        let child = try SpawnedProcess(["/bin/sleep", "30"])
        defer { _ = child.killNow() }
        var resident: Int?
        for _ in 0..<100 where resident == nil {
            resident = child.residentKiB()
            if resident == nil { usleep(10_000) }
        }
        XCTAssertGreaterThan(resident ?? 0, 0)
    }

    func testGivingUpARunningChildKillsIt() throws {
        var child: SpawnedProcess? = try SpawnedProcess(["/bin/sleep", "30"])
        let pid = child!.pid
        child = nil
        XCTAssertNotEqual(kill(pid, 0), 0, "killed and reaped when the last reference went")
    }

    func testAMissingExecutableIsAnError() {
        XCTAssertThrowsError(try SpawnedProcess(["/nonexistent/tool"])) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/tool"), "\(error)")
        }
        XCTAssertThrowsError(try SpawnedProcess([]))
    }

    func testRunningAsAnotherUser() throws {
        guard geteuid() == 0, getpwnam("postgres") != nil else {
            throw XCTSkip("needs root and a postgres user")
        }
        let finished = try SpawnedProcess.run(["/usr/bin/id", "-un"], user: "postgres")
        XCTAssertEqual(finished.outcome, .exited(0), finished.stderr)
        XCTAssertEqual(finished.stdout, "postgres\n")
        XCTAssertTrue(try SpawnedProcess(["/bin/true"], user: "postgres").argv.first?.hasSuffix("runuser") ?? false)
    }

    private func captureFiles() throws -> Set<String> {
        let folder = FileManager.default.temporaryDirectory.path
        return Set(try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasPrefix("procure-run-\(getpid())-") })
    }
}
