/// A small seeded generator (SplitMix64): the same seed gives the same batch, fuzz input,
/// random case or benchmark data set on every machine and Swift version, so a failure can be
/// replayed exactly and a seed names one data set.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one entity of one stream: the same (seed, stream, index) always gives
    /// the same values, whatever else was generated before, so a data set of any size can be
    /// produced piecewise without keeping anything in memory.
    public init(seed: UInt64, stream: UInt64, index: Int) {
        var mixer = SeededGenerator(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        _ = mixer.next()
        state = mixer.next() ^ UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// In 0..<bound (0 for a bound below 1), by plain modulo: unlike `Int.random(in:using:)`,
    /// whose algorithm the standard library may change, the value is fixed by the seed alone.
    public mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(max(bound, 1)))
    }
}
