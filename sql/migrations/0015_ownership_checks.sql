-- 0015_ownership_checks: the buyer policies of the order-side tables check
-- ownership through the order's primary key, whatever the statistics say; and
-- liability_store fires one audited statement per call instead of two.
--
-- 0004's policies were `EXISTS (SELECT 1 FROM procure.orders o WHERE
-- o.supplier_id = t.supplier_id AND o.id = t.order_id AND o.buyer = current_user)`.
-- When the statistics do not know the acting buyer (a new buyer, or a table
-- grown since the last ANALYZE) `buyer = current_user` is estimated at one row,
-- the planner probes orders_buyer_idx instead of the primary key, and every
-- checked row walks all of that buyer's orders: 5.6 ms per row at 36,000
-- orders, quadratic over an import (docs/benchmarks.md, "A scaling bug found").
-- procure.owns_order reads the order's buyer by primary key only (no other
-- index can serve that query) and compares it with the acting role outside
-- the query. SECURITY DEFINER: it runs as the owner, which bypasses RLS on
-- orders, so the check does not recurse into the orders policy; it answers
-- nothing but "is this row's order the caller's".

CREATE FUNCTION procure.owns_order(p_supplier_id bigint, p_order_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
    SELECT coalesce((SELECT o.buyer FROM procure.orders o WHERE o.supplier_id = p_supplier_id AND o.id = p_order_id)
                    = procure.actor(), false)
$$;
REVOKE ALL ON FUNCTION procure.owns_order(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION procure.owns_order(bigint, bigint) TO procure_buyer;

DO $rls$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['order_lines', 'price_edits', 'payments', 'production_reports',
                             'corrections', 'liabilities', 'case_notes'] LOOP
        EXECUTE format('DROP POLICY %I ON procure.%I', t || '_buyer', t);
        EXECUTE format(
            'CREATE POLICY %I ON procure.%I FOR ALL TO procure_buyer '
            'USING (procure.owns_order(supplier_id, order_id)) '
            'WITH CHECK (procure.owns_order(supplier_id, order_id))',
            t || '_buyer', t);
    END LOOP;
END
$rls$;

-- liability_store: a plain INSERT for a new liability (what `correct` always
-- stores) and an UPDATE only for a recompute. INSERT … ON CONFLICT DO UPDATE
-- also fired the UPDATE statement-level audit trigger, with no rows, on every
-- correction (docs/benchmarks.md, fix 3a). The caller holds the order's row
-- lock (correct) or the liability's (liability_inputs), so the existence test
-- cannot race.
CREATE OR REPLACE FUNCTION procure.liability_store(p_number text, p_inputs jsonb, p_result jsonb) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    c procure.corrections;
    v_total numeric;
BEGIN
    o := procure.get_order(p_number, false);
    c := procure.get_correction(o);
    IF p_result IS NULL OR jsonb_typeof(p_result) <> 'object' OR p_result ->> 'total' IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('order %s: a liability result needs a "total"', p_number));
    END IF;
    -- the total must be an amount (2 decimals, may be negative: a refund);
    -- the trigger copies it to liabilities.total
    v_total := procure.json_num(p_result -> 'total', format('order %s liability total', p_number));
    IF v_total <> round(v_total, 2) THEN
        PERFORM procure.fail('amount_check',
            format('order %s: liability total %s has more than 2 decimals', p_number, v_total));
    END IF;
    IF EXISTS (SELECT 1 FROM procure.liabilities WHERE supplier_id = c.supplier_id AND correction_id = c.id) THEN
        UPDATE procure.liabilities SET inputs = p_inputs, result = p_result
         WHERE supplier_id = c.supplier_id AND correction_id = c.id;
    ELSE
        INSERT INTO procure.liabilities (supplier_id, correction_id, inputs, result)
        VALUES (c.supplier_id, c.id, p_inputs, p_result);
    END IF;
    RETURN procure.liability_json(o);
END
$$;
