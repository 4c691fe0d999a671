import TestSupport
import XCTest

extension DatabaseTestCase {
    /// Supplier S1 (cost regime, profit 10 %), items A and B with base prices 10 and 25 from
    /// 2026-01-01, and a buyer with a unique name (roles are cluster-wide).
    func seedCatalogue() throws -> String {
        let buyer = "buyer_\(TestCluster.uniqueSuffix())"
        let setup = [
            "supplier add S1 --name 'Acme Metals' --profit-rate 10",
            "item add A --name Bolt",
            "item add B --name Nut",
            "price set S1 A 10 --from 2026-01-01",
            "price set S1 B 25 --from 2026-01-01",
            "user add \(buyer) --role buyer",
        ]
        let result = try batch(setup)
        XCTAssertEqual(result.status, 0, "seed failed: \(result.objects.map(\.serialized)) \(result.stderr)")
        return buyer
    }
}
