/// What the generator decides for an order (by its index alone).
enum BenchOrderState {
    case draft, issued, acknowledged, inProduction

    /// 30 % in production, 30 % acknowledged, 30 % issued, 10 % left as drafts.
    static func of(_ index: Int) -> BenchOrderState {
        switch index % 10 {
        case 0, 1, 2: return .inProduction
        case 3, 4, 5: return .acknowledged
        case 9: return .draft
        default: return .issued
        }
    }

    var correctable: Bool { self != .draft }
}
