import Foundation

/// Medians and friends over repeated samples.
enum BenchStats {
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    static func format(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return "n/a" }
        return String(format: "%.\(decimals)f", value)
    }

    static func samplesText(_ values: [Double], decimals: Int = 2) -> String {
        values.map { format($0, decimals: decimals) }.joined(separator: " ")
    }
}
