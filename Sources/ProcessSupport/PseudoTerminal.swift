import Foundation

/// A pseudo-terminal: a child started with `SpawnedProcess.Input.terminal(devicePath)` (and its
/// output sent to `devicePath` too) sees a real terminal; the parent types into it with
/// `type(_:)` and reads what the terminal shows with `read(until:timeout:)`.
public final class PseudoTerminal: @unchecked Sendable {
    /// The terminal device the child opens.
    public let devicePath: String
    private let controller: Int32
    /// Everything the terminal has shown so far.
    public private(set) var shown = ""
    private var pending: [UInt8] = []

    public init(columns: Int = 100, rows: Int = 40) throws {
        #if os(Linux)
        // posix_openpt, unlockpt and ptsname by hand: Swift's Glibc imports neither them nor the
        // ioctl numbers (TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30, unsigned)).
        // /dev/ptmx opens a new pair; its device is /dev/pts/N once unlocked.
        let controller = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard controller >= 0, ioctl(controller, 0x4004_5431, &unlock) == 0, ioctl(controller, 0x8004_5430, &number) == 0 else {
            throw ProcessSupportError("no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        devicePath = "/dev/pts/\(number)"
        #else
        let controller = posix_openpt(O_RDWR | O_NOCTTY)
        guard controller >= 0, grantpt(controller) == 0, unlockpt(controller) == 0, let name = ptsname(controller) else {
            throw ProcessSupportError("no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        devicePath = String(cString: name)
        #endif
        self.controller = controller
        _ = fcntl(controller, F_SETFD, FD_CLOEXEC)
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(controller, UInt(TIOCSWINSZ), &size)
    }

    deinit { close(controller) }

    /// Types `text` as a user would (control characters included: "\u{03}" is Ctrl-C, "\t" Tab,
    /// "\r" Return, "\u{1B}[A" the up arrow).
    public func type(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(controller, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Waits until the program on the terminal reads keys one by one (a line editor's raw mode,
    /// canonical input off), as it is once it edits a line; false after `timeout` seconds. A
    /// line editor may show its prompt before it switches: keys typed in between would be
    /// echoed and buffered by the terminal itself.
    @discardableResult
    public func waitForKeyByKeyInput(timeout: TimeInterval = 10) -> Bool {
        let deadline = MonotonicClock.now() + timeout
        var modes = termios()
        while MonotonicClock.now() < deadline {
            // On Linux the controller side reports the device's modes.
            if tcgetattr(controller, &modes) == 0 && modes.c_lflag & tcflag_t(ICANON) == 0 { return true }
            usleep(2_000)
        }
        return false
    }

    /// Reads what the terminal shows until the output since the last read contains `marker`, or
    /// `timeout` seconds pass; returns that output (all of it, marker included, when found).
    @discardableResult
    public func read(until marker: String, timeout: TimeInterval = 20) -> String {
        let deadline = MonotonicClock.now() + timeout
        while true {
            let text = String(decoding: pending, as: UTF8.self)
            if let range = text.range(of: marker) {
                let taken = String(text[..<range.upperBound])
                pending = Array(text[range.upperBound...].utf8)
                return taken
            }
            let left = deadline - MonotonicClock.now()
            guard left > 0, readSome(waiting: min(left, 0.1)) || MonotonicClock.now() < deadline else {
                let taken = text
                pending = []
                return taken
            }
        }
    }

    /// Reads whatever arrives within `seconds`; false when nothing could be read any more (the
    /// child closed the terminal).
    private func readSome(waiting seconds: TimeInterval) -> Bool {
        var descriptor = pollfd(fd: controller, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(seconds * 1000))
        guard ready > 0 else { return ready == 0 || errno == EINTR }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = Foundation.read(controller, &buffer, buffer.count)
        guard count > 0 else { return false }
        pending += buffer[0..<count]
        shown += String(decoding: buffer[0..<count], as: UTF8.self)
        return true
    }
}
