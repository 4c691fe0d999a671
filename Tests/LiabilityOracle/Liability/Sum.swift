extension Sequence {
    /// Σ of `term` over the elements, exactly; zero for an empty sequence.
    func sum(_ term: (Element) -> ExactDecimal) -> ExactDecimal {
        reduce(ExactDecimal.zero) { $0 + term($1) }
    }
}
