-- 0006_corrections: production reports, corrections (revocation + replacement),
-- liability inputs / storage / agreement / settlement, case notes.

-- The liability input JSON (SPEC §8) of a revoked order, from the counting
-- production reports (as_of ≤ revoked_at; the latest per line).
CREATE FUNCTION procure.liability_inputs_for(o procure.orders) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object(
            'regime', s.regime,
            'currency', s.currency,
            'profit_rate', procure.fmt_pct(s.profit_rate),
            'schedule', s.schedule,
            'acknowledged', c.acknowledged,
            'settlement', procure.fmt_amount(c.settlement),
            'payments', (SELECT procure.fmt_amount(coalesce(sum(p.amount), 0)) FROM procure.payments p
                          WHERE p.supplier_id = o.supplier_id AND p.order_id = o.id),
            'lines', coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                           'line', l.line_no, 'sku', i.sku, 'price', procure.fmt_price(l.price),
                           'ordered', procure.fmt_qty(l.qty), 'delivered', procure.fmt_qty(l.delivered),
                           'report', rep.j) ORDER BY l.line_no)
                  FROM procure.order_lines l
                  JOIN procure.items i ON i.id = l.item_id
                  LEFT JOIN LATERAL (
                      SELECT jsonb_build_object(
                                 'stage', r.stage, 'finished', procure.fmt_qty(r.finished),
                                 'in_progress', procure.fmt_qty(r.in_progress),
                                 'wip_cost', procure.fmt_amount(r.wip_cost), 'materials', procure.fmt_amount(r.materials),
                                 'salvage', procure.fmt_amount(r.salvage),
                                 'cost_to_complete', procure.fmt_amount(r.cost_to_complete)) AS j
                        FROM procure.production_reports r
                       WHERE r.supplier_id = l.supplier_id AND r.order_id = l.order_id AND r.line_no = l.line_no
                         AND r.as_of <= o.revoked_at
                       ORDER BY r.as_of DESC, r.id DESC
                       LIMIT 1) rep ON true
                 WHERE l.supplier_id = o.supplier_id AND l.order_id = o.id), '[]'::jsonb),
            'replacement', coalesce((
                SELECT jsonb_agg(jsonb_build_object('sku', x.sku, 'quantity', procure.fmt_qty(x.q)) ORDER BY x.sku)
                  FROM (SELECT i.sku, sum(rl.qty) AS q
                          FROM procure.orders r
                          JOIN procure.order_lines rl ON rl.supplier_id = r.supplier_id AND rl.order_id = r.id
                          JOIN procure.items i ON i.id = rl.item_id
                         WHERE r.number = o.replaced_by AND r.supplier_id = o.supplier_id
                         GROUP BY i.sku) x), '[]'::jsonb))
          FROM procure.suppliers s
          JOIN procure.corrections c ON c.supplier_id = o.supplier_id AND c.order_id = o.id
         WHERE s.id = o.supplier_id);
END
$$;

-- production: a supplier's production report for an order line.
CREATE FUNCTION procure.production(p_number text, p_line integer, p_stage text, p_finished numeric,
                                   p_in_progress numeric, p_wip_cost numeric, p_materials numeric,
                                   p_salvage numeric, p_cost_to_complete numeric, p_as_of timestamptz) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    r procure.production_reports;
    v_what text := format('order %s line %s', p_number, p_line);
    v_counts boolean;
    v_liability text;
BEGIN
    o := procure.get_order(p_number, true);
    IF p_line IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('order %s: a line number is required', p_number));
    END IF;
    IF p_stage IS NOT NULL AND p_stage NOT IN ('materials', 'production', 'finished') THEN
        PERFORM procure.fail('invalid_argument',
            format('%s: stage %s is not one of materials, production, finished', v_what, p_stage));
    END IF;
    INSERT INTO procure.production_reports AS t
        (supplier_id, order_id, line_no, stage, finished, in_progress, wip_cost, materials, salvage,
         cost_to_complete, as_of)
    VALUES (o.supplier_id, o.id, p_line, p_stage,
            coalesce(procure.arg_num('qty', p_finished, v_what || ' finished'), 0),
            coalesce(procure.arg_num('qty', p_in_progress, v_what || ' in progress'), 0),
            coalesce(procure.arg_num('amount', p_wip_cost, v_what || ' wip cost'), 0),
            coalesce(procure.arg_num('amount', p_materials, v_what || ' materials'), 0),
            coalesce(procure.arg_num('amount', p_salvage, v_what || ' salvage'), 0),
            coalesce(procure.arg_num('amount', p_cost_to_complete, v_what || ' cost to complete'), 0),
            coalesce(p_as_of, now()))
    RETURNING t.* INTO r;
    SELECT * INTO o FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id;
    v_counts := o.status <> 'revoked' OR r.as_of <= o.revoked_at;
    SELECT li.status INTO v_liability FROM procure.liabilities li
     WHERE li.supplier_id = o.supplier_id AND li.order_id = o.id;
    RETURN jsonb_build_object(
        'order', o.number, 'line', r.line_no, 'id', r.id, 'stage', r.stage,
        'finished', procure.fmt_qty(r.finished), 'in_progress', procure.fmt_qty(r.in_progress),
        'wip_cost', procure.fmt_amount(r.wip_cost), 'materials', procure.fmt_amount(r.materials),
        'salvage', procure.fmt_amount(r.salvage), 'cost_to_complete', procure.fmt_amount(r.cost_to_complete),
        'as_of', r.as_of, 'reported_at', r.reported_at, 'reported_by', r.reported_by,
        'status', o.status, 'revoked_at', o.revoked_at,
        'counts', v_counts,
        'liability', v_liability,
        'recompute', o.status = 'revoked' AND v_counts AND coalesce(v_liability, 'open') = 'open');
END
$$;

-- correct_begin: under the order's row lock, writes the revocation note,
-- revokes the order, creates the replacement (issued, linked both ways) and
-- returns the liability inputs. The client computes the liability and calls
-- liability_store in the same transaction.
CREATE FUNCTION procure.correct_begin(p_number text, p_reason text, p_note text, p_replace jsonb,
                                      p_supplier text, p_settlement numeric) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    r procure.orders;
    c procure.corrections;
    v_supplier_id bigint;
    v_replace boolean := p_replace IS NOT NULL AND jsonb_typeof(p_replace) = 'array' AND jsonb_array_length(p_replace) > 0;
BEGIN
    o := procure.get_order(p_number, true);
    IF o.status = 'revoked' THEN
        PERFORM procure.fail('already_revoked', format('order %s is already revoked (at %s)', o.number, o.revoked_at));
    END IF;
    IF o.status NOT IN ('issued', 'acknowledged', 'in_production') THEN
        PERFORM procure.fail('invalid_state', format(
            'order %s is %s; only issued, acknowledged or in-production orders are revoked%s',
            o.number, o.status, CASE WHEN o.status = 'draft' THEN ' (edit or delete a draft instead)' ELSE '' END));
    END IF;
    IF p_reason IS NULL OR p_reason NOT IN
       ('wrong-quantity', 'wrong-item', 'wrong-price', 'wrong-supplier', 'wrong-date', 'duplicate', 'other') THEN
        PERFORM procure.fail('invalid_argument', format(
            'order %s: --reason %s is not one of wrong-quantity, wrong-item, wrong-price, wrong-supplier, wrong-date, duplicate, other',
            o.number, coalesce(p_reason, '(missing)')));
    END IF;
    IF p_note IS NULL OR btrim(p_note) = '' THEN
        PERFORM procure.fail('invalid_argument', format('order %s: --note is required and must not be empty', o.number));
    END IF;
    IF p_replace IS NOT NULL AND jsonb_typeof(p_replace) <> 'array' THEN
        PERFORM procure.fail('invalid_argument', format('order %s: --replace lines must be a list', o.number));
    END IF;
    IF p_supplier IS NOT NULL THEN
        IF NOT v_replace THEN
            PERFORM procure.fail('invalid_argument',
                format('order %s: --supplier names the replacement''s supplier and needs --replace', o.number));
        END IF;
        SELECT id INTO v_supplier_id FROM procure.suppliers WHERE code = p_supplier;
        IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    END IF;
    PERFORM procure.arg_num('amount', p_settlement, format('order %s --settlement', o.number));

    INSERT INTO procure.corrections AS t (supplier_id, order_id, reason, note, settlement)
    VALUES (o.supplier_id, o.id, p_reason, p_note, coalesce(p_settlement, 0))
    RETURNING t.* INTO c;                               -- revokes the order (trigger)

    IF v_replace THEN
        INSERT INTO procure.orders AS t (supplier_id, buyer, order_date, replaces)
        VALUES (coalesce(v_supplier_id, o.supplier_id), o.buyer, current_date, o.number)
        RETURNING t.* INTO r;
        PERFORM procure.insert_lines(r, p_replace);
        UPDATE procure.orders SET status = 'issued' WHERE supplier_id = r.supplier_id AND id = r.id;
        UPDATE procure.orders SET replaced_by = r.number WHERE supplier_id = o.supplier_id AND id = o.id;
    END IF;

    SELECT * INTO o FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id;
    RETURN jsonb_build_object(
        'correction_id', c.id,
        'order', o.number,
        'replacement', r.number,
        'revoked_at', o.revoked_at,
        'inputs', procure.liability_inputs_for(o));
END
$$;

-- The order's correction, or invalid_state when it has none.
CREATE FUNCTION procure.get_correction(o procure.orders) RETURNS procure.corrections
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    c procure.corrections;
BEGIN
    SELECT * INTO c FROM procure.corrections WHERE supplier_id = o.supplier_id AND order_id = o.id;
    IF NOT FOUND THEN
        PERFORM procure.fail('invalid_state', format('order %s is %s; it has no correction (revocation note)', o.number, o.status));
    END IF;
    RETURN c;
END
$$;

-- liability_inputs: the input JSON of an already revoked order (for a
-- recompute), with the liability row locked FOR UPDATE.
CREATE FUNCTION procure.liability_inputs(p_number text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    c procure.corrections;
BEGIN
    o := procure.get_order(p_number, false);
    c := procure.get_correction(o);
    PERFORM 1 FROM procure.liabilities WHERE supplier_id = c.supplier_id AND correction_id = c.id FOR UPDATE;
    SELECT * INTO o FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id;
    RETURN procure.liability_inputs_for(o);
END
$$;

CREATE FUNCTION procure.liability_json(o procure.orders) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT coalesce(li.result, '{}'::jsonb) || jsonb_build_object(
            'status', li.status,
            'total', procure.fmt_amount(li.total),
            'order', o.number,
            'supplier', s.code,
            'buyer', o.buyer,
            'revoked_at', o.revoked_at,
            'replacement', o.replaced_by,
            'correction', jsonb_build_object('reason', c.reason, 'note', c.note, 'by', c.created_by, 'at', c.created_at,
                                             'state', c.order_state, 'settlement', procure.fmt_amount(c.settlement)),
            'agreed_by', li.agreed_by, 'agreed_at', li.agreed_at,
            'settled_by', li.settled_by, 'settled_at', li.settled_at, 'settle_ref', li.settle_ref,
            'notes', coalesce((SELECT jsonb_agg(jsonb_build_object('id', n.id, 'text', n.body, 'by', n.created_by,
                                                                   'at', n.created_at) ORDER BY n.id)
                                 FROM procure.case_notes n
                                WHERE n.supplier_id = c.supplier_id AND n.correction_id = c.id), '[]'::jsonb))
          FROM procure.corrections c
          JOIN procure.suppliers s ON s.id = c.supplier_id
          JOIN procure.liabilities li ON li.supplier_id = c.supplier_id AND li.correction_id = c.id
         WHERE c.supplier_id = o.supplier_id AND c.order_id = o.id);
END
$$;

CREATE FUNCTION procure.liability_show(p_number text) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    v jsonb;
BEGIN
    o := procure.get_order(p_number, false);
    v := procure.liability_json(o);
    IF v IS NULL THEN
        PERFORM procure.fail('not_found', format('order %s has no liability', p_number));
    END IF;
    RETURN v;
END
$$;

-- liability_store: stores (or replaces) inputs, result and total
-- (p_result->>'total') of the order's liability; invalid_state once agreed.
CREATE FUNCTION procure.liability_store(p_number text, p_inputs jsonb, p_result jsonb) RETURNS jsonb
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
    INSERT INTO procure.liabilities AS t (supplier_id, correction_id, inputs, result)
    VALUES (c.supplier_id, c.id, p_inputs, p_result)
    ON CONFLICT (supplier_id, correction_id) DO UPDATE SET inputs = EXCLUDED.inputs, result = EXCLUDED.result;
    RETURN procure.liability_json(o);
END
$$;

CREATE FUNCTION procure.liability_list(p_supplier text, p_buyer text, p_status text) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_supplier_id bigint;
BEGIN
    IF p_status IS NOT NULL AND p_status NOT IN ('open', 'agreed', 'settled') THEN
        PERFORM procure.fail('invalid_argument', format('status %s is not one of open, agreed, settled', p_status));
    END IF;
    IF p_supplier IS NOT NULL THEN
        SELECT id INTO v_supplier_id FROM procure.suppliers WHERE code = p_supplier;
        IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'order', o.number, 'supplier', s.code, 'buyer', o.buyer, 'reason', c.reason,
                   'revoked_at', o.revoked_at, 'status', li.status, 'total', procure.fmt_amount(li.total),
                   'currency', s.currency, 'replacement', o.replaced_by) ORDER BY o.revoked_at, o.number)
          FROM procure.liabilities li
          JOIN procure.corrections c ON c.supplier_id = li.supplier_id AND c.id = li.correction_id
          JOIN procure.orders o ON o.supplier_id = c.supplier_id AND o.id = c.order_id
          JOIN procure.suppliers s ON s.id = li.supplier_id
         WHERE (v_supplier_id IS NULL OR li.supplier_id = v_supplier_id)
           AND (p_buyer IS NULL OR o.buyer = p_buyer)
           AND (p_status IS NULL OR li.status = p_status)), '[]'::jsonb);
END
$$;

CREATE FUNCTION procure.liability_set_status(p_number text, p_status text, p_ref text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    c procure.corrections;
BEGIN
    o := procure.get_order(p_number, false);
    c := procure.get_correction(o);
    IF EXISTS (SELECT 1 FROM procure.liabilities
                WHERE supplier_id = c.supplier_id AND correction_id = c.id AND status = p_status) THEN
        PERFORM procure.fail('invalid_state', format('the liability of %s is already %s', o.number, p_status));
    END IF;
    UPDATE procure.liabilities SET status = p_status, settle_ref = coalesce(p_ref, settle_ref)
     WHERE supplier_id = c.supplier_id AND correction_id = c.id;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s has no liability', p_number));
    END IF;
    RETURN procure.liability_json(o);
END
$$;

CREATE FUNCTION procure.liability_agree(p_number text) RETURNS jsonb
LANGUAGE sql
AS $$ SELECT procure.liability_set_status(p_number, 'agreed', NULL) $$;

CREATE FUNCTION procure.liability_settle(p_number text, p_ref text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF p_ref IS NULL OR btrim(p_ref) = '' THEN
        PERFORM procure.fail('invalid_argument', format('order %s: --ref is required to settle', p_number));
    END IF;
    RETURN procure.liability_set_status(p_number, 'settled', p_ref);
END
$$;

-- note_add: a progress note on the correction case of an order.
CREATE FUNCTION procure.note_add(p_number text, p_text text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    c procure.corrections;
    n procure.case_notes;
BEGIN
    o := procure.get_order(p_number, false);
    IF p_text IS NULL OR btrim(p_text) = '' THEN
        PERFORM procure.fail('invalid_argument', format('order %s: a note needs a text', p_number));
    END IF;
    c := procure.get_correction(o);
    INSERT INTO procure.case_notes AS t (supplier_id, correction_id, body)
    VALUES (c.supplier_id, c.id, p_text)
    RETURNING t.* INTO n;
    RETURN jsonb_build_object('order', o.number, 'id', n.id, 'text', n.body, 'by', n.created_by, 'at', n.created_at);
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA procure FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    procure.liability_inputs_for(procure.orders), procure.get_correction(procure.orders),
    procure.liability_json(procure.orders), procure.liability_show(text), procure.liability_list(text, text, text)
    TO procure_buyer, procure_finance, procure_admin, procure_auditor;
GRANT EXECUTE ON FUNCTION
    procure.production(text, integer, text, numeric, numeric, numeric, numeric, numeric, numeric, timestamptz),
    procure.correct_begin(text, text, text, jsonb, text, numeric),
    procure.liability_inputs(text), procure.liability_store(text, jsonb, jsonb)
    TO procure_buyer;
GRANT EXECUTE ON FUNCTION
    procure.liability_set_status(text, text, text), procure.liability_agree(text), procure.liability_settle(text, text)
    TO procure_finance;
GRANT EXECUTE ON FUNCTION procure.note_add(text, text) TO procure_buyer, procure_finance, procure_admin;
