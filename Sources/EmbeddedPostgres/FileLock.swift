import Foundation

/// An exclusive `flock` on a file, so two procure processes never initialise or start the
/// same cluster at once. The lock is released when the process exits, even on a crash.
final class FileLock {
    private let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ClusterError.commandFailed(command: "open \(path)", status: errno, output: String(cString: strerror(errno)))
        }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno != EINTR {
                close(descriptor)
                throw ClusterError.commandFailed(command: "flock \(path)", status: errno, output: String(cString: strerror(errno)))
            }
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
