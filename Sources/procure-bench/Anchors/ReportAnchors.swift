/// The anchors of the report target: for each report, the best SQL we could write by hand for
/// the same figures over all data (no filters), with the same columns, types and order, so the
/// bench can check that both return the same rows before it compares their times. This is the
/// bench's own SQL on purpose — what the product's report functions are measured against — and
/// never what the product runs.
///
/// What makes them fast: aggregate the big tables once, per order or per buyer, before any
/// join that would multiply rows; never `count(DISTINCT …)` over millions of rows; join the
/// small side (price edits, corrections, liabilities) by hash.
enum ReportAnchors {
    struct Report {
        /// The report verb's name.
        let name: String
        /// The product's SQL function behind the report verb (and its view), called with NULL filters.
        let function: String
        /// The anchor: the best hand-written SQL for the same rows.
        let anchorSQL: String
    }

    static let all: [Report] = [
        Report(name: "price-compliance", function: "procure.report_price_compliance", anchorSQL: """
            WITH lines AS (
                SELECT o.buyer, count(*) AS lines,
                       sum(round(l.qty * l.price, 2)) AS spend,
                       sum(round(l.qty * l.base_price, 2)) AS base_spend,
                       max(l.price - l.base_price) AS above
                  FROM procure.orders o
                  JOIN procure.order_lines l ON l.supplier_id = o.supplier_id AND l.order_id = o.id
                 WHERE o.status <> 'draft'
                 GROUP BY o.buyer
            ), orders AS (
                SELECT o.buyer, count(*) AS orders FROM procure.orders o WHERE o.status <> 'draft' GROUP BY o.buyer
            ), edits AS (
                SELECT o.buyer,
                       count(DISTINCT (pe.supplier_id, pe.order_id, pe.line_no)) FILTER (WHERE pe.accepted) AS edited_lines,
                       count(*) FILTER (WHERE NOT pe.accepted) AS refused_edits
                  FROM procure.price_edits pe
                  JOIN procure.orders o ON o.supplier_id = pe.supplier_id AND o.id = pe.order_id
                 WHERE o.status <> 'draft'
                 GROUP BY o.buyer
            )
            SELECT n.buyer, n.orders, coalesce(b.lines, 0) AS lines,
                   round(coalesce(b.spend, 0), 2) AS spend, round(coalesce(b.base_spend, 0), 2) AS base_spend,
                   round(coalesce(b.base_spend, 0) - coalesce(b.spend, 0), 2) AS savings,
                   CASE WHEN b.base_spend <> 0 THEN round(100 * (b.base_spend - b.spend) / b.base_spend, 2) END AS savings_pct,
                   coalesce(e.edited_lines, 0) AS edited_lines, coalesce(e.refused_edits, 0) AS refused_edits,
                   round(ceil(greatest(coalesce(b.above, 0), 0) * 100) / 100, 2) AS max_above_base
              FROM orders n LEFT JOIN lines b ON b.buyer = n.buyer LEFT JOIN edits e ON e.buyer = n.buyer
             ORDER BY n.buyer
            """),
        Report(name: "corrections", function: "procure.report_corrections", anchorSQL: """
            WITH issued AS (
                SELECT o.buyer, count(*) AS orders_issued
                  FROM procure.orders o WHERE o.status <> 'draft' GROUP BY o.buyer
            ), revoked AS (
                SELECT o.buyer, count(*) AS orders_revoked,
                       count(*) FILTER (WHERE c.reason = 'wrong-quantity') AS wrong_quantity,
                       count(*) FILTER (WHERE c.reason = 'wrong-item') AS wrong_item,
                       count(*) FILTER (WHERE c.reason = 'wrong-price') AS wrong_price,
                       count(*) FILTER (WHERE c.reason = 'wrong-supplier') AS wrong_supplier,
                       count(*) FILTER (WHERE c.reason = 'wrong-date') AS wrong_date,
                       count(*) FILTER (WHERE c.reason = 'duplicate') AS duplicate,
                       count(*) FILTER (WHERE c.reason = 'other') AS other,
                       sum(li.total) AS liability_total
                  FROM procure.corrections c
                  JOIN procure.orders o ON o.supplier_id = c.supplier_id AND o.id = c.order_id
                  LEFT JOIN procure.liabilities li ON li.supplier_id = c.supplier_id AND li.correction_id = c.id
                 WHERE o.status <> 'draft'
                 GROUP BY o.buyer
            )
            SELECT i.buyer, i.orders_issued, coalesce(r.orders_revoked, 0) AS orders_revoked,
                   round(100.0 * coalesce(r.orders_revoked, 0) / i.orders_issued, 2) AS revocation_rate,
                   coalesce(r.wrong_quantity, 0) AS wrong_quantity, coalesce(r.wrong_item, 0) AS wrong_item,
                   coalesce(r.wrong_price, 0) AS wrong_price, coalesce(r.wrong_supplier, 0) AS wrong_supplier,
                   coalesce(r.wrong_date, 0) AS wrong_date, coalesce(r.duplicate, 0) AS duplicate,
                   coalesce(r.other, 0) AS other,
                   round(coalesce(r.liability_total, 0), 2) AS liability_total
              FROM issued i LEFT JOIN revoked r ON r.buyer = i.buyer
             ORDER BY i.buyer
            """),
        Report(name: "liabilities", function: "procure.report_liabilities", anchorSQL: """
            SELECT s.code AS supplier,
                   count(*) FILTER (WHERE st.status = 'open') AS open_count,
                   round(coalesce(sum(li.total) FILTER (WHERE st.status = 'open'), 0), 2) AS open_total,
                   count(*) FILTER (WHERE st.status = 'claimed') AS claimed_count,
                   round(coalesce(sum(li.total) FILTER (WHERE st.status = 'claimed'), 0), 2) AS claimed_total,
                   count(*) FILTER (WHERE st.status = 'agreed') AS agreed_count,
                   round(coalesce(sum(li.total) FILTER (WHERE st.status = 'agreed'), 0), 2) AS agreed_total,
                   count(*) FILTER (WHERE st.status = 'settled') AS settled_count,
                   round(coalesce(sum(li.total) FILTER (WHERE st.status = 'settled'), 0), 2) AS settled_total,
                   count(*) AS total_count,
                   round(coalesce(sum(li.total), 0), 2) AS total,
                   round(coalesce(sum(li.total) FILTER (WHERE li.total > 0), 0), 2) AS owed,
                   round(coalesce(-sum(li.total) FILTER (WHERE li.total < 0), 0), 2) AS refunds,
                   current_date - (min(li.created_at) FILTER (WHERE st.status = 'open'))::date AS oldest_open_days
              FROM procure.liabilities li
              CROSS JOIN LATERAL (SELECT procure.liability_status_now(li) AS status) st
              JOIN procure.suppliers s ON s.id = li.supplier_id
             GROUP BY s.code
             ORDER BY s.code
            """),
    ]
}
