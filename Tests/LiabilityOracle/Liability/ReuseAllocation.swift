/// Shares the replacement's quantities out over the revoked lines (SPEC §8, "Reuse by the
/// replacement"): what the replacement asks for again continues work already done, so the buyer
/// does not pay for that work twice.
public enum ReuseAllocation {
    /// The three tiers, most advanced work first: the replacement takes finished units before
    /// half-made ones, and those before units not started.
    enum Tier: CaseIterable {
        case finished, inProgress, notStarted

        var available: KeyPath<LineFigures, ExactDecimal> {
            switch self {
            case .finished: \.finished
            case .inProgress: \.inProgress
            case .notStarted: \.notStarted
            }
        }

        var reused: WritableKeyPath<Reuse, ExactDecimal> {
            switch self {
            case .finished: \.finished
            case .inProgress: \.inProgress
            case .notStarted: \.notStarted
            }
        }
    }

    /// The reuse of each line, in the same order as `lines`. Per item (SKU), tier by tier, and
    /// within a tier the lines in ascending line number. Replacement quantity beyond what the
    /// revoked lines hold is simply new production. Pass an empty `replacement` when the
    /// replacement goes to another supplier.
    public static func allocate(lines: [LineFigures], replacement: [ReplacementLine]) -> [Reuse] {
        var reuse = Array(repeating: Reuse.zero, count: lines.count)
        for (sku, quantity) in quantities(replacement) {
            let indices = lines.indices
                .filter { lines[$0].sku == sku }
                .sorted { lines[$0].line < lines[$1].line }
            var remaining = quantity
            for tier in Tier.allCases {
                for index in indices {
                    let available = ExactDecimal.max(.zero, lines[index][keyPath: tier.available])
                    let taken = ExactDecimal.min(available, remaining)
                    reuse[index][keyPath: tier.reused] = taken
                    remaining -= taken
                }
            }
        }
        return reuse
    }

    /// Q per item: the replacement's quantities summed by SKU (an item may appear on several
    /// replacement lines); a negative quantity counts as none.
    static func quantities(_ replacement: [ReplacementLine]) -> [String: ExactDecimal] {
        var totals: [String: ExactDecimal] = [:]
        for line in replacement {
            totals[line.sku, default: .zero] += ExactDecimal.max(.zero, line.quantity)
        }
        return totals
    }
}
