import ArgumentParser

enum BenchFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, csv
}
