/// What `procure-bench` was asked to do.
struct BenchOptions {
    var shape: BenchShape
    var repeats: Int
    var clients: Int
    var seconds: Int
    var pgbenchScale: Int
    var showSamples: Int
    var readLines: Int
    var importRows: Int
    var batchLines: Int
    var batchSeconds: Int
    var chunk: Int
    var measurements: Set<String>
    var database: String?
    var keep: Bool
    var settings: [String: String]
}
