-- The three reports: a function each with the filters (period, buyer, supplier),
-- a view each over the unfiltered function for psql and BI tools, and
-- procure.report(name, …) that the CLI calls. Security invoker throughout: a
-- reader sees what RLS lets them see.
--
-- The supplier filters use the primary keys, which start with supplier_id:
-- orders_pkey (supplier_id, id), order_lines_pkey (supplier_id, order_id, line_no),
-- price_edits_order_idx (supplier_id, order_id, line_no), already_revoked
-- (supplier_id, order_id), liabilities_order_key (supplier_id, order_id).
-- The orders a report over order dates counts: every order of the period that is not a draft,
-- of the buyer and the supplier when they are given. Plain SQL, so it is inlined into each
-- report's query and its filters reach the indexes of procure.orders.
CREATE FUNCTION procure.report_orders(p_from date, p_to date, p_buyer text, p_supplier text)
RETURNS SETOF procure.orders
LANGUAGE sql STABLE
AS $$
    SELECT o.* FROM procure.orders o
     WHERE o.status <> 'draft'
       AND (p_from IS NULL OR o.order_date >= p_from)
       AND (p_to IS NULL OR o.order_date <= p_to)
       AND (p_buyer IS NULL OR o.buyer = p_buyer)
       AND (p_supplier IS NULL OR o.supplier_id = (SELECT s.id FROM procure.suppliers s WHERE s.code = p_supplier))
$$;

-- ---------------------------------------------------------------------------
-- price compliance (buyer appraisal), per buyer, over order dates
--
-- Orders: every order of the period except drafts (a draft is not a purchase yet;
-- revoked orders and replacements count: each was priced and issued by its buyer).
-- Base price of a line: order_lines.base_price, the supplier price list's price in force
-- on the order date, recorded by the line trigger whenever the line's price is set and
-- checked. A later change to the price list does not rewrite the appraisal of orders
-- already priced against it.
-- ---------------------------------------------------------------------------
CREATE FUNCTION procure.report_price_compliance(
    p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_buyer text DEFAULT NULL, p_supplier text DEFAULT NULL)
RETURNS TABLE (
    buyer          text,     -- the orders' buyer (role name)
    orders         bigint,   -- orders (not drafts) dated in the period
    lines          bigint,   -- their lines
    spend          numeric,  -- Σ round(qty × price, 2)
    base_spend     numeric,  -- Σ round(qty × base price, 2)
    savings        numeric,  -- base_spend − spend
    savings_pct    numeric,  -- round(100 × savings / base_spend, 2); NULL when base_spend = 0
    edited_lines   bigint,   -- lines with at least one accepted price edit
    refused_edits  bigint,   -- refused price edit attempts on these orders
    max_above_base numeric   -- max(price − base, 0) over the lines, rounded up to the cent: 0.00
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT a.buyer,
           a.orders,
           coalesce(b.lines, 0),
           round(coalesce(b.spend, 0), 2),
           round(coalesce(b.base_spend, 0), 2),
           round(coalesce(b.base_spend, 0) - coalesce(b.spend, 0), 2),
           CASE WHEN b.base_spend <> 0 THEN round(100 * (b.base_spend - b.spend) / b.base_spend, 2) END,
           coalesce(c.edited_lines, 0),
           coalesce(c.refused_edits, 0),
           -- rounded up, so that an excess of even 0.0001 shows as 0.01, never as 0.00
           round(ceil(coalesce(b.above, 0) * 100) / 100, 2)
      FROM (SELECT o.buyer, count(*) AS orders
              FROM procure.report_orders(p_from, p_to, p_buyer, p_supplier) o
             GROUP BY o.buyer) a
      LEFT JOIN
           (SELECT o.buyer,
                   count(*) AS lines,
                   sum(round(l.qty * l.price, 2)) AS spend,
                   sum(round(l.qty * l.base_price, 2)) AS base_spend,
                   max(greatest(l.price - l.base_price, 0)) AS above
              FROM procure.report_orders(p_from, p_to, p_buyer, p_supplier) o
              JOIN procure.order_lines l ON l.supplier_id = o.supplier_id AND l.order_id = o.id
             GROUP BY o.buyer) b ON b.buyer = a.buyer
      LEFT JOIN
           (SELECT o.buyer,
                   count(DISTINCT (e.supplier_id, e.order_id, e.line_no)) FILTER (WHERE e.accepted) AS edited_lines,
                   count(*) FILTER (WHERE NOT e.accepted) AS refused_edits
              FROM procure.report_orders(p_from, p_to, p_buyer, p_supplier) o
              JOIN procure.price_edits e ON e.supplier_id = o.supplier_id AND e.order_id = o.id
             GROUP BY o.buyer) c ON c.buyer = a.buyer
     ORDER BY a.buyer
$$;

-- ---------------------------------------------------------------------------
-- corrections, per buyer, over order dates
--
-- Orders issued: the period's orders that are not drafts (replacements included);
-- revoked: those of them revoked since. Reasons and liabilities are those of the
-- revoked orders.
-- ---------------------------------------------------------------------------
CREATE FUNCTION procure.report_corrections(
    p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_buyer text DEFAULT NULL, p_supplier text DEFAULT NULL)
RETURNS TABLE (
    buyer           text,     -- the orders' buyer (role name)
    orders_issued   bigint,   -- orders (not drafts) dated in the period
    orders_revoked  bigint,   -- of those, revoked
    revocation_rate numeric,  -- round(100 × orders_revoked / orders_issued, 2), a percentage
    wrong_quantity  bigint,   -- revoked orders per reason code
    wrong_item      bigint,
    wrong_price     bigint,
    wrong_supplier  bigint,
    wrong_date      bigint,
    duplicate       bigint,
    other           bigint,
    liability_total numeric   -- Σ liability totals of the revoked orders (any status; a refund is negative)
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT i.buyer,
           i.orders_issued,
           coalesce(r.orders_revoked, 0),
           round(100.0 * coalesce(r.orders_revoked, 0) / i.orders_issued, 2),
           coalesce(r.wrong_quantity, 0),
           coalesce(r.wrong_item, 0),
           coalesce(r.wrong_price, 0),
           coalesce(r.wrong_supplier, 0),
           coalesce(r.wrong_date, 0),
           coalesce(r.duplicate, 0),
           coalesce(r.other, 0),
           round(coalesce(r.liability_total, 0), 2)
      FROM (SELECT o.buyer, count(*) AS orders_issued
              FROM procure.report_orders(p_from, p_to, p_buyer, p_supplier) o
             GROUP BY o.buyer) i
      LEFT JOIN
           -- every correction revokes its order, and an order is revoked only by one
           (SELECT o.buyer,
                   count(*) AS orders_revoked,
                   count(*) FILTER (WHERE c.reason = 'wrong-quantity') AS wrong_quantity,
                   count(*) FILTER (WHERE c.reason = 'wrong-item') AS wrong_item,
                   count(*) FILTER (WHERE c.reason = 'wrong-price') AS wrong_price,
                   count(*) FILTER (WHERE c.reason = 'wrong-supplier') AS wrong_supplier,
                   count(*) FILTER (WHERE c.reason = 'wrong-date') AS wrong_date,
                   count(*) FILTER (WHERE c.reason = 'duplicate') AS duplicate,
                   count(*) FILTER (WHERE c.reason = 'other') AS other,
                   sum(li.total) AS liability_total
              FROM procure.corrections c
              JOIN procure.report_orders(p_from, p_to, p_buyer, p_supplier) o ON o.supplier_id = c.supplier_id AND o.id = c.order_id
              LEFT JOIN procure.liabilities li ON li.supplier_id = c.supplier_id AND li.correction_id = c.id
             GROUP BY o.buyer) r ON r.buyer = i.buyer
     ORDER BY i.buyer
$$;

-- ---------------------------------------------------------------------------
-- liabilities, per supplier, over revocation dates
--
-- A liability is created in the transaction that revokes its order, so its created_at
-- is the revocation time; its age counts from then (a recompute keeps created_at).
-- ---------------------------------------------------------------------------
CREATE FUNCTION procure.report_liabilities(
    p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_buyer text DEFAULT NULL, p_supplier text DEFAULT NULL)
RETURNS TABLE (
    supplier         text,     -- supplier code
    open_count       bigint,   -- liabilities by status as of now: count and Σ total
    open_total       numeric,
    claimed_count    bigint,
    claimed_total    numeric,
    agreed_count     bigint,
    agreed_total     numeric,
    settled_count    bigint,
    settled_total    numeric,
    total_count      bigint,   -- all statuses
    total            numeric,
    owed             numeric,  -- Σ of the positive totals: what the issuing company owes its suppliers
    refunds          numeric,  -- Σ of the negative totals, as a positive amount: refunds the suppliers owe
    oldest_open_days integer   -- current_date − creation date of the oldest open one; NULL if none
)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT s.code, x.open_count, x.open_total, x.claimed_count, x.claimed_total,
           x.agreed_count, x.agreed_total, x.settled_count, x.settled_total,
           x.total_count, x.total, x.owed, x.refunds, x.oldest_open_days
      FROM (SELECT li.supplier_id,
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
             WHERE (p_supplier IS NULL OR li.supplier_id = (SELECT s2.id FROM procure.suppliers s2 WHERE s2.code = p_supplier))
               -- the order is looked at only when a filter needs it (all NULL: folded away)
               AND (p_from IS NULL AND p_to IS NULL AND p_buyer IS NULL
                    OR EXISTS (SELECT 1 FROM procure.orders o
                                WHERE o.supplier_id = li.supplier_id AND o.id = li.order_id
                                  AND (p_from IS NULL OR o.revoked_at >= p_from::timestamptz)
                                  AND (p_to IS NULL OR o.revoked_at < (p_to + 1)::timestamptz)
                                  AND (p_buyer IS NULL OR o.buyer = p_buyer)))
             GROUP BY li.supplier_id) x
      JOIN procure.suppliers s ON s.id = x.supplier_id
     ORDER BY s.code
$$;

-- ---------------------------------------------------------------------------
-- procure.report(name, from, to, buyer, supplier): the CLI's call
--
-- A JSON array: one object per row of the report, in the column order of the function
-- (jsonb itself keeps keys in its own order; the CLI puts them back), then one totals
-- object whose first column is "TOTAL": counts and amounts summed, percentages
-- recomputed from the sums, max_above_base and oldest_open_days the maximum.
-- Amounts and percentages are strings with 2 decimals, counts numbers, a NULL null.
-- The query runs through EXECUTE … USING so that it is planned with the filter values
-- known (indexes used) however many times a session calls it.
-- ---------------------------------------------------------------------------
CREATE FUNCTION procure.report(p_name text, p_from date DEFAULT NULL, p_to date DEFAULT NULL,
                               p_buyer text DEFAULT NULL, p_supplier text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v jsonb;
BEGIN
    IF p_from IS NOT NULL AND p_to IS NOT NULL AND p_from > p_to THEN
        PERFORM procure.fail('invalid_argument', format('report %s: --from %s is after --to %s', p_name, p_from, p_to));
    END IF;
    IF p_supplier IS NOT NULL AND NOT EXISTS (SELECT 1 FROM procure.suppliers WHERE code = p_supplier) THEN
        PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier));
    END IF;
    CASE p_name
    WHEN 'price-compliance' THEN
        EXECUTE $q$
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'buyer', r.buyer, 'orders', r.orders, 'lines', r.lines,
                       'spend', procure.fmt_amount(r.spend), 'base_spend', procure.fmt_amount(r.base_spend),
                       'savings', procure.fmt_amount(r.savings), 'savings_pct', round(r.savings_pct, 2)::text,
                       'edited_lines', r.edited_lines, 'refused_edits', r.refused_edits,
                       'max_above_base', procure.fmt_amount(r.max_above_base)) ORDER BY r.buyer), '[]'::jsonb)
                   || jsonb_build_array(jsonb_build_object(
                       'buyer', 'TOTAL', 'orders', coalesce(sum(r.orders), 0), 'lines', coalesce(sum(r.lines), 0),
                       'spend', procure.fmt_amount(coalesce(sum(r.spend), 0)),
                       'base_spend', procure.fmt_amount(coalesce(sum(r.base_spend), 0)),
                       'savings', procure.fmt_amount(coalesce(sum(r.savings), 0)),
                       'savings_pct', CASE WHEN sum(r.base_spend) <> 0
                                           THEN round(100 * sum(r.savings) / sum(r.base_spend), 2)::text END,
                       'edited_lines', coalesce(sum(r.edited_lines), 0),
                       'refused_edits', coalesce(sum(r.refused_edits), 0),
                       'max_above_base', procure.fmt_amount(coalesce(max(r.max_above_base), 0))))
              FROM procure.report_price_compliance($1, $2, $3, $4) r
        $q$ INTO v USING p_from, p_to, p_buyer, p_supplier;
    WHEN 'corrections' THEN
        EXECUTE $q$
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'buyer', r.buyer, 'orders_issued', r.orders_issued, 'orders_revoked', r.orders_revoked,
                       'revocation_rate', round(r.revocation_rate, 2)::text,
                       'wrong_quantity', r.wrong_quantity, 'wrong_item', r.wrong_item, 'wrong_price', r.wrong_price,
                       'wrong_supplier', r.wrong_supplier, 'wrong_date', r.wrong_date, 'duplicate', r.duplicate,
                       'other', r.other, 'liability_total', procure.fmt_amount(r.liability_total)) ORDER BY r.buyer),
                       '[]'::jsonb)
                   || jsonb_build_array(jsonb_build_object(
                       'buyer', 'TOTAL', 'orders_issued', coalesce(sum(r.orders_issued), 0),
                       'orders_revoked', coalesce(sum(r.orders_revoked), 0),
                       'revocation_rate', CASE WHEN sum(r.orders_issued) > 0
                                               THEN round(100.0 * sum(r.orders_revoked) / sum(r.orders_issued), 2)::text END,
                       'wrong_quantity', coalesce(sum(r.wrong_quantity), 0), 'wrong_item', coalesce(sum(r.wrong_item), 0),
                       'wrong_price', coalesce(sum(r.wrong_price), 0), 'wrong_supplier', coalesce(sum(r.wrong_supplier), 0),
                       'wrong_date', coalesce(sum(r.wrong_date), 0), 'duplicate', coalesce(sum(r.duplicate), 0),
                       'other', coalesce(sum(r.other), 0),
                       'liability_total', procure.fmt_amount(coalesce(sum(r.liability_total), 0))))
              FROM procure.report_corrections($1, $2, $3, $4) r
        $q$ INTO v USING p_from, p_to, p_buyer, p_supplier;
    WHEN 'liabilities' THEN
        EXECUTE $q$
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'supplier', r.supplier,
                       'open_count', r.open_count, 'open_total', procure.fmt_amount(r.open_total),
                       'claimed_count', r.claimed_count, 'claimed_total', procure.fmt_amount(r.claimed_total),
                       'agreed_count', r.agreed_count, 'agreed_total', procure.fmt_amount(r.agreed_total),
                       'settled_count', r.settled_count, 'settled_total', procure.fmt_amount(r.settled_total),
                       'total_count', r.total_count, 'total', procure.fmt_amount(r.total),
                       'owed', procure.fmt_amount(r.owed), 'refunds', procure.fmt_amount(r.refunds),
                       'oldest_open_days', r.oldest_open_days) ORDER BY r.supplier), '[]'::jsonb)
                   || jsonb_build_array(jsonb_build_object(
                       'supplier', 'TOTAL',
                       'open_count', coalesce(sum(r.open_count), 0),
                       'open_total', procure.fmt_amount(coalesce(sum(r.open_total), 0)),
                       'claimed_count', coalesce(sum(r.claimed_count), 0),
                       'claimed_total', procure.fmt_amount(coalesce(sum(r.claimed_total), 0)),
                       'agreed_count', coalesce(sum(r.agreed_count), 0),
                       'agreed_total', procure.fmt_amount(coalesce(sum(r.agreed_total), 0)),
                       'settled_count', coalesce(sum(r.settled_count), 0),
                       'settled_total', procure.fmt_amount(coalesce(sum(r.settled_total), 0)),
                       'total_count', coalesce(sum(r.total_count), 0),
                       'total', procure.fmt_amount(coalesce(sum(r.total), 0)),
                       'owed', procure.fmt_amount(coalesce(sum(r.owed), 0)),
                       'refunds', procure.fmt_amount(coalesce(sum(r.refunds), 0)),
                       'oldest_open_days', max(r.oldest_open_days)))
              FROM procure.report_liabilities($1, $2, $3, $4) r
        $q$ INTO v USING p_from, p_to, p_buyer, p_supplier;
    ELSE
        PERFORM procure.fail('invalid_argument', format(
            'report %s is not one of price-compliance, corrections, liabilities', coalesce(p_name, '(missing)')));
    END CASE;
    RETURN v;
END
$$;

-- The suppliers a report's page names beside their codes, with the currency of their amounts:
-- those the reader may see (RLS), or the one of the --supplier filter.
CREATE FUNCTION procure.report_suppliers(p_supplier text) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('code', s.code, 'name', s.name, 'currency', s.currency) ORDER BY s.code),
                    '[]'::jsonb)
      FROM procure.suppliers s
     WHERE p_supplier IS NULL OR s.code = p_supplier
$$;

-- ---------------------------------------------------------------------------
-- The views: each function over all time
-- ---------------------------------------------------------------------------
CREATE VIEW procure.report_price_compliance WITH (security_invoker = true) AS
    SELECT * FROM procure.report_price_compliance(NULL::date, NULL::date, NULL::text, NULL::text);

CREATE VIEW procure.report_corrections WITH (security_invoker = true) AS
    SELECT * FROM procure.report_corrections(NULL::date, NULL::date, NULL::text, NULL::text);

CREATE VIEW procure.report_liabilities WITH (security_invoker = true) AS
    SELECT * FROM procure.report_liabilities(NULL::date, NULL::date, NULL::text, NULL::text);

COMMENT ON VIEW procure.report_price_compliance IS
    'Buyer appraisal over all time; procure.report_price_compliance(from, to, buyer, supplier) filters by order date. See docs/reports.md.';
COMMENT ON COLUMN procure.report_price_compliance.buyer IS 'the orders'' buyer';
COMMENT ON COLUMN procure.report_price_compliance.orders IS 'orders that are not drafts';
COMMENT ON COLUMN procure.report_price_compliance.lines IS 'their lines';
COMMENT ON COLUMN procure.report_price_compliance.spend IS 'Σ round(qty × price, 2)';
COMMENT ON COLUMN procure.report_price_compliance.base_spend IS 'Σ round(qty × base price, 2); base price = the list price in force on the order date, as recorded on the line';
COMMENT ON COLUMN procure.report_price_compliance.savings IS 'base_spend − spend';
COMMENT ON COLUMN procure.report_price_compliance.savings_pct IS 'round(100 × savings / base_spend, 2); NULL when base_spend = 0';
COMMENT ON COLUMN procure.report_price_compliance.edited_lines IS 'lines with at least one accepted price edit';
COMMENT ON COLUMN procure.report_price_compliance.refused_edits IS 'refused price edit attempts';
COMMENT ON COLUMN procure.report_price_compliance.max_above_base IS 'largest max(price − base, 0), rounded up to the cent: always 0.00';
COMMENT ON VIEW procure.report_corrections IS
    'Corrections per buyer over all time; procure.report_corrections(from, to, buyer, supplier) filters by order date. See docs/reports.md.';
COMMENT ON COLUMN procure.report_corrections.buyer IS 'the orders'' buyer';
COMMENT ON COLUMN procure.report_corrections.orders_issued IS 'orders that are not drafts';
COMMENT ON COLUMN procure.report_corrections.orders_revoked IS 'of those, revoked';
COMMENT ON COLUMN procure.report_corrections.revocation_rate IS 'round(100 × orders_revoked / orders_issued, 2), percent';
COMMENT ON COLUMN procure.report_corrections.wrong_quantity IS 'revoked for reason wrong-quantity';
COMMENT ON COLUMN procure.report_corrections.wrong_item IS 'revoked for reason wrong-item';
COMMENT ON COLUMN procure.report_corrections.wrong_price IS 'revoked for reason wrong-price';
COMMENT ON COLUMN procure.report_corrections.wrong_supplier IS 'revoked for reason wrong-supplier';
COMMENT ON COLUMN procure.report_corrections.wrong_date IS 'revoked for reason wrong-date';
COMMENT ON COLUMN procure.report_corrections.duplicate IS 'revoked for reason duplicate';
COMMENT ON COLUMN procure.report_corrections.other IS 'revoked for reason other';
COMMENT ON COLUMN procure.report_corrections.liability_total IS 'Σ liability totals of the revoked orders, any status';
COMMENT ON VIEW procure.report_liabilities IS
    'Liabilities per supplier over all time; procure.report_liabilities(from, to, buyer, supplier) filters by revocation date. See docs/reports.md.';
COMMENT ON COLUMN procure.report_liabilities.supplier IS 'supplier code';
COMMENT ON COLUMN procure.report_liabilities.open_count IS 'open liabilities';
COMMENT ON COLUMN procure.report_liabilities.open_total IS 'Σ total of the open ones';
COMMENT ON COLUMN procure.report_liabilities.claimed_count IS 'claimed liabilities (the supplier submitted its claim, or its claim window closed)';
COMMENT ON COLUMN procure.report_liabilities.claimed_total IS 'Σ total of the claimed ones';
COMMENT ON COLUMN procure.report_liabilities.agreed_count IS 'agreed liabilities';
COMMENT ON COLUMN procure.report_liabilities.agreed_total IS 'Σ total of the agreed ones';
COMMENT ON COLUMN procure.report_liabilities.settled_count IS 'settled liabilities';
COMMENT ON COLUMN procure.report_liabilities.settled_total IS 'Σ total of the settled ones';
COMMENT ON COLUMN procure.report_liabilities.total_count IS 'all liabilities';
COMMENT ON COLUMN procure.report_liabilities.total IS 'Σ total of all';
COMMENT ON COLUMN procure.report_liabilities.owed IS 'Σ of the positive totals: owed to the supplier';
COMMENT ON COLUMN procure.report_liabilities.refunds IS 'Σ of the negative totals, as a positive amount: refunds the supplier owes';
COMMENT ON COLUMN procure.report_liabilities.oldest_open_days IS 'current_date − the day the oldest open liability was computed (its revocation); NULL when none is open';
