extension KeyedDecodingContainer {
    /// An amount or quantity that may be absent or null: both mean zero (SPEC §8, "unknown or
    /// absent numbers are zero"), so the store need not spell out every empty field.
    func decimalOrZero(_ key: Key) throws -> ExactDecimal {
        try decodeIfPresent(ExactDecimal.self, forKey: key) ?? .zero
    }
}
