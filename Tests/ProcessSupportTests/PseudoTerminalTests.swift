import Foundation
import ProcessSupport
import XCTest

/// A child on a pseudo-terminal sees a terminal on stdin and stdout, and Ctrl-C typed into it
/// reaches the child as SIGINT (the terminal is its session's controlling terminal).
final class PseudoTerminalTests: XCTestCase {
    private func start(_ script: String) throws -> (SpawnedProcess, PseudoTerminal) {
        let terminal = try PseudoTerminal()
        let child = try SpawnedProcess(["/bin/sh", "-c", script], input: .terminal(terminal.devicePath),
                                       output: .file(terminal.devicePath), error: .file(terminal.devicePath))
        return (child, terminal)
    }

    func testTheChildSeesATerminalAndReadsWhatIsTyped() throws {
        let (child, terminal) = try start("test -t 0 && test -t 1 && echo on-a-terminal; read line; echo \"got $line\"")
        XCTAssertTrue(terminal.read(until: "on-a-terminal").contains("on-a-terminal"), terminal.shown)
        terminal.type("hello\r")
        XCTAssertTrue(terminal.read(until: "got hello").contains("got hello"), terminal.shown)
        XCTAssertEqual(child.wait(timeout: 10), .exited(0))
    }

    func testCtrlCReachesTheChild() throws {
        let (child, terminal) = try start("trap 'echo caught; exit 3' INT; echo ready; while :; do sleep 0.05; done")
        terminal.read(until: "ready")
        terminal.type("\u{03}")
        XCTAssertTrue(terminal.read(until: "caught").contains("caught"), terminal.shown)
        XCTAssertEqual(child.wait(timeout: 10), .exited(3))
    }
}
