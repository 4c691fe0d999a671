import Foundation

/// Seconds on a clock that never jumps (CLOCK_MONOTONIC): wall times of children and time
/// limits must not move when the system clock is set.
public enum MonotonicClock {
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
