-- 0005_order_functions: what the CLI calls for orders, prices, receipts,
-- payments, idempotency. One call per command; every function returns jsonb.
-- SECURITY INVOKER unless stated: grants, RLS and triggers decide.

-- Is the acting role a superuser?
CREATE FUNCTION procure.actor_is_super() RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = procure.actor()), false));
END
$$;

-- Validates a numeric argument: p_kind qty (3 decimals), price (4) or amount
-- (2). NULL passes. Negative (or zero when p_positive) → invalid_argument;
-- too many decimals → 23514 with the domain's constraint name (qty_check,
-- price_check, amount_check), never rounded.
CREATE FUNCTION procure.arg_num(p_kind text, p_value numeric, p_what text, p_positive boolean DEFAULT false) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    v_scale integer := CASE p_kind WHEN 'qty' THEN 3 WHEN 'price' THEN 4 ELSE 2 END;
BEGIN
    IF p_value IS NULL THEN
        RETURN NULL;
    END IF;
    IF p_value = 'NaN'::numeric OR abs(p_value) >= 1e15 THEN
        PERFORM procure.fail('invalid_argument', format('%s: %s is not a usable number', p_what, p_value));
    END IF;
    IF p_value < 0 OR (p_positive AND p_value = 0) THEN
        PERFORM procure.fail('invalid_argument', format('%s: %s must be %s', p_what, p_value,
            CASE WHEN p_positive THEN 'above zero' ELSE 'zero or more' END));
    END IF;
    IF p_value <> round(p_value, v_scale) THEN
        PERFORM procure.fail(p_kind || '_check', format('%s: %s has more than %s decimals (%s)',
            p_what, p_value, v_scale, CASE p_kind WHEN 'qty' THEN 'a quantity' WHEN 'price' THEN 'a unit price'
                                                   ELSE 'an amount' END));
    END IF;
    RETURN p_value;
END
$$;

-- A decimal from a JSON value (number or string); invalid_argument otherwise.
CREATE FUNCTION procure.json_num(p jsonb, p_what text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF p IS NULL OR jsonb_typeof(p) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p) NOT IN ('number', 'string') THEN
        PERFORM procure.fail('invalid_argument', format('%s: %s is not a number', p_what, p::text));
    END IF;
    BEGIN
        RETURN btrim(p #>> '{}')::numeric;
    EXCEPTION WHEN invalid_text_representation THEN
        PERFORM procure.fail('invalid_argument', format('%s: %s is not a number', p_what, p::text));
    END;
    RETURN NULL;
END
$$;

-- The order as po_show returns it.
CREATE FUNCTION procure.po_json(o procure.orders) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object(
            'number', o.number,
            'supplier', s.code,
            'supplier_name', s.name,
            'buyer', o.buyer,
            'date', o.order_date,
            'status', o.status,
            'currency', s.currency,
            'total', procure.fmt_amount(procure.order_total(o.supplier_id, o.id)),
            'lines', coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                           'line', l.line_no, 'sku', i.sku, 'item', i.name, 'uom', i.uom,
                           'qty', procure.fmt_qty(l.qty), 'price', procure.fmt_price(l.price),
                           'base_price', procure.fmt_price(l.base_price), 'delivered', procure.fmt_qty(l.delivered),
                           'amount', procure.fmt_amount(l.qty * l.price)) ORDER BY l.line_no)
                  FROM procure.order_lines l JOIN procure.items i ON i.id = l.item_id
                 WHERE l.supplier_id = o.supplier_id AND l.order_id = o.id), '[]'::jsonb),
            'paid', (SELECT procure.fmt_amount(coalesce(sum(p.amount), 0)) FROM procure.payments p
                      WHERE p.supplier_id = o.supplier_id AND p.order_id = o.id),
            'payments', coalesce((
                SELECT jsonb_agg(jsonb_build_object('amount', procure.fmt_amount(p.amount), 'at', p.paid_at, 'by', p.paid_by)
                                 ORDER BY p.id)
                  FROM procure.payments p WHERE p.supplier_id = o.supplier_id AND p.order_id = o.id), '[]'::jsonb),
            'replaces', o.replaces,
            'replaced_by', o.replaced_by,
            'created_at', o.created_at,
            'issued_at', o.issued_at,
            'acknowledged_at', o.acknowledged_at,
            'revoked_at', o.revoked_at,
            'correction', (
                SELECT jsonb_build_object(
                           'reason', c.reason, 'note', c.note, 'by', c.created_by, 'at', c.created_at,
                           'state', c.order_state, 'settlement', procure.fmt_amount(c.settlement),
                           'liability', li.status, 'liability_total', procure.fmt_amount(li.total))
                  FROM procure.corrections c
                  LEFT JOIN procure.liabilities li ON li.supplier_id = c.supplier_id AND li.correction_id = c.id
                 WHERE c.supplier_id = o.supplier_id AND c.order_id = o.id))
          FROM procure.suppliers s
         WHERE s.id = o.supplier_id);
END
$$;

CREATE FUNCTION procure.po_show(p_number text) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT procure.po_json(procure.get_order(p_number, false)));
END
$$;

CREATE FUNCTION procure.po_list(p_buyer text, p_supplier text, p_status text) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_supplier_id bigint;
BEGIN
    IF p_status IS NOT NULL AND p_status NOT IN
       ('draft', 'issued', 'acknowledged', 'in_production', 'delivered', 'closed', 'revoked') THEN
        PERFORM procure.fail('invalid_argument', format(
            'status %s is not one of draft, issued, acknowledged, in_production, delivered, closed, revoked', p_status));
    END IF;
    IF p_supplier IS NOT NULL THEN
        SELECT id INTO v_supplier_id FROM procure.suppliers WHERE code = p_supplier;
        IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'number', o.number, 'supplier', s.code, 'buyer', o.buyer, 'date', o.order_date,
                   'status', o.status, 'currency', s.currency,
                   'total', procure.fmt_amount(coalesce(t.total, 0))) ORDER BY o.order_date, o.number)
          FROM procure.orders o
          JOIN procure.suppliers s ON s.id = o.supplier_id
          LEFT JOIN LATERAL (SELECT sum(round(l.qty * l.price, 2)) AS total FROM procure.order_lines l
                              WHERE l.supplier_id = o.supplier_id AND l.order_id = o.id) t ON true
         WHERE (p_buyer IS NULL OR o.buyer = p_buyer)
           AND (v_supplier_id IS NULL OR o.supplier_id = v_supplier_id)
           AND (p_status IS NULL OR o.status = p_status)), '[]'::jsonb);
END
$$;

-- Inserts the lines [{"sku":…, "qty":…, "price":…|null}, …] into a draft
-- order (numbered 1.. in array order, after any existing lines).
CREATE FUNCTION procure.insert_lines(o procure.orders, p_lines jsonb) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    e jsonb;
    n integer := 0;
    v_first integer;
    v_sku text;
    v_item bigint;
    v_qty numeric;
    v_price numeric;
    v_items bigint[] := '{}';
    v_qtys numeric[] := '{}';
    v_prices numeric[] := '{}';
BEGIN
    IF p_lines IS NULL OR jsonb_typeof(p_lines) <> 'array' OR jsonb_array_length(p_lines) = 0 THEN
        PERFORM procure.fail('invalid_argument', 'at least one line SKU:QTY[@PRICE] is required');
    END IF;
    SELECT coalesce(max(line_no), 0) INTO v_first FROM procure.order_lines
     WHERE supplier_id = o.supplier_id AND order_id = o.id;
    FOR e IN SELECT value FROM jsonb_array_elements(p_lines) LOOP
        n := n + 1;
        IF jsonb_typeof(e) <> 'object' THEN
            PERFORM procure.fail('invalid_argument', format('line %s: %s is not a line object', n, e::text));
        END IF;
        v_sku := e ->> 'sku';
        IF v_sku IS NULL OR v_sku = '' THEN
            PERFORM procure.fail('invalid_argument', format('line %s: SKU is required', n));
        END IF;
        SELECT id INTO v_item FROM procure.items WHERE sku = v_sku;
        IF NOT FOUND THEN
            PERFORM procure.fail('not_found', format('line %s: item %s not found', n, v_sku));
        END IF;
        v_qty := procure.arg_num('qty', procure.json_num(coalesce(e -> 'qty', e -> 'quantity'), format('line %s (%s) quantity', n, v_sku)),
                                 format('line %s (%s) quantity', n, v_sku), true);
        IF v_qty IS NULL THEN
            PERFORM procure.fail('invalid_argument', format('line %s (%s): quantity is required', n, v_sku));
        END IF;
        v_price := procure.arg_num('price', procure.json_num(e -> 'price', format('line %s (%s) price', n, v_sku)),
                                   format('line %s (%s) price', n, v_sku));
        v_items := v_items || v_item;
        v_qtys := v_qtys || v_qty;
        v_prices := v_prices || v_price;
    END LOOP;
    INSERT INTO procure.order_lines (supplier_id, order_id, line_no, item_id, qty, price)
    SELECT o.supplier_id, o.id, v_first + u.ord::integer, u.item, u.qty, u.price
      FROM unnest(v_items, v_qtys, v_prices) WITH ORDINALITY AS u(item, qty, price, ord)
     ORDER BY u.ord;
END
$$;

-- idempotent_result(key[, verb]): the stored result of an earlier command with
-- this key (NULL when none). Takes a transaction-scoped lock on the key so a
-- concurrent second caller waits for the first and then finds its result.
CREATE FUNCTION procure.idempotent_result(p_key text, p_verb text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    k procure.idempotency_keys;
BEGIN
    IF p_key IS NULL OR btrim(p_key) = '' THEN
        PERFORM procure.fail('invalid_argument', 'an idempotency key (--key) must not be empty');
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('idempotency:' || p_key, 0));
    SELECT * INTO k FROM procure.idempotency_keys WHERE key = p_key;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF k.actor <> procure.actor() THEN
        PERFORM procure.fail('invalid_argument', format('key %s was already used by another user', p_key));
    END IF;
    IF p_verb IS NOT NULL AND k.verb <> p_verb THEN
        PERFORM procure.fail('invalid_argument', format('key %s was already used for "%s"', p_key, k.verb));
    END IF;
    RETURN k.result;
END
$$;

CREATE FUNCTION procure.idempotent_save(p_key text, p_verb text, p_result jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF p_key IS NULL OR btrim(p_key) = '' THEN
        PERFORM procure.fail('invalid_argument', 'an idempotency key (--key) must not be empty');
    END IF;
    INSERT INTO procure.idempotency_keys (key, verb, actor, result)
    VALUES (p_key, coalesce(p_verb, ''), procure.actor(), p_result);
END
$$;

CREATE FUNCTION procure.po_create(p_supplier text, p_number text, p_date date, p_key text, p_lines jsonb) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_result jsonb;
    v_supplier_id bigint;
    o procure.orders;
BEGIN
    IF p_key IS NOT NULL THEN
        v_result := procure.idempotent_result(p_key, 'po create');
        IF v_result IS NOT NULL THEN
            RETURN v_result;
        END IF;
    END IF;
    SELECT id INTO v_supplier_id FROM procure.suppliers WHERE code = p_supplier;
    IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    IF p_number IS NOT NULL AND procure.order_exists(p_number) THEN
        PERFORM procure.fail('invalid_argument', format('order number %s already exists', p_number));
    END IF;
    INSERT INTO procure.orders AS t (supplier_id, number, buyer, order_date)
    VALUES (v_supplier_id, p_number, current_user, coalesce(p_date, current_date))
    RETURNING t.* INTO o;
    PERFORM procure.insert_lines(o, p_lines);
    v_result := procure.po_json(o);
    IF p_key IS NOT NULL THEN
        PERFORM procure.idempotent_save(p_key, 'po create', v_result);
    END IF;
    RETURN v_result;
END
$$;

-- Moves an order to a status (the trigger checks the transition).
CREATE FUNCTION procure.po_set_status(p_number text, p_status text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, true);
    IF o.status = p_status THEN
        PERFORM procure.fail('invalid_state', format('order %s is already %s', o.number, o.status));
    END IF;
    UPDATE procure.orders t SET status = p_status
     WHERE t.supplier_id = o.supplier_id AND t.id = o.id
    RETURNING t.* INTO o;
    RETURN procure.po_json(o);
END
$$;

CREATE FUNCTION procure.po_issue(p_number text) RETURNS jsonb
LANGUAGE sql
AS $$ SELECT procure.po_set_status(p_number, 'issued') $$;

CREATE FUNCTION procure.po_ack(p_number text) RETURNS jsonb
LANGUAGE sql
AS $$ SELECT procure.po_set_status(p_number, 'acknowledged') $$;

CREATE FUNCTION procure.po_close(p_number text) RETURNS jsonb
LANGUAGE sql
AS $$ SELECT procure.po_set_status(p_number, 'closed') $$;

-- Deletes a draft (lines included).
CREATE FUNCTION procure.po_delete(p_number text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, true);
    DELETE FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id;
    RETURN jsonb_build_object('number', o.number, 'deleted', true);
END
$$;

-- po_receive: adds p_qty (delivered and accepted) to the line's delivered
-- quantity; the order becomes delivered when every line is complete.
CREATE FUNCTION procure.po_receive(p_number text, p_line integer, p_qty numeric) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, true);
    PERFORM procure.arg_num('qty', p_qty, format('order %s line %s received quantity', p_number, p_line), true);
    IF p_qty IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('order %s line %s: a received quantity is required', p_number, p_line));
    END IF;
    UPDATE procure.order_lines SET delivered = delivered + p_qty
     WHERE supplier_id = o.supplier_id AND order_id = o.id AND line_no = p_line;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s has no line %s', p_number, p_line));
    END IF;
    SELECT * INTO o FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id;
    RETURN procure.po_json(o);
END
$$;

CREATE FUNCTION procure.po_pay(p_number text, p_amount numeric) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, false);
    PERFORM procure.arg_num('amount', p_amount, format('order %s payment', p_number), true);
    IF p_amount IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('order %s: a payment amount is required', p_number));
    END IF;
    INSERT INTO procure.payments (supplier_id, order_id, amount) VALUES (o.supplier_id, o.id, p_amount);
    RETURN procure.po_json(o);
END
$$;

-- po_price: a price edit, checked (by the line trigger) against the base price
-- in force on the order date and the buyer's max discount; logged in
-- price_edits. Allowed while the order is draft, issued or acknowledged.
CREATE FUNCTION procure.po_price(p_number text, p_line integer, p_price numeric) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    v_old numeric;
    l procure.order_lines;
BEGIN
    o := procure.get_order(p_number, true);
    IF p_price IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('order %s line %s: a price is required', p_number, p_line));
    END IF;
    PERFORM procure.arg_num('price', p_price, format('order %s line %s price', p_number, p_line));
    SELECT price INTO v_old FROM procure.order_lines
     WHERE supplier_id = o.supplier_id AND order_id = o.id AND line_no = p_line;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s has no line %s', p_number, p_line));
    END IF;
    UPDATE procure.order_lines t SET price = p_price
     WHERE t.supplier_id = o.supplier_id AND t.order_id = o.id AND t.line_no = p_line
    RETURNING t.* INTO l;
    RETURN procure.po_json(o) || jsonb_build_object('edit', jsonb_build_object(
        'line', p_line, 'old', procure.fmt_price(v_old), 'new', procure.fmt_price(l.price),
        'base', procure.fmt_price(l.base_price), 'accepted', true));
END
$$;

-- record_refused_price_edit: called by the client in a new transaction after a
-- refused po_price (code = the SPEC code of the refusal). Records the acting
-- role and the base price at that moment. Only the order's buyer (or a
-- superuser) may record one.
CREATE FUNCTION procure.record_refused_price_edit(p_number text, p_line integer, p_price numeric, p_code text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    l procure.order_lines;
    v_base numeric;
BEGIN
    SELECT * INTO o FROM procure.orders WHERE number = p_number;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s not found', p_number));
    END IF;
    IF o.buyer <> procure.actor() AND NOT procure.actor_is_super() THEN
        PERFORM procure.fail('permission_denied',
            format('order %s belongs to another buyer; %s may not act on it', p_number, procure.actor()));
    END IF;
    IF p_line IS NULL THEN
        PERFORM procure.fail('invalid_argument', 'a line number is required');
    END IF;
    SELECT * INTO l FROM procure.order_lines WHERE supplier_id = o.supplier_id AND order_id = o.id AND line_no = p_line;
    IF FOUND THEN
        v_base := procure.base_price(o.supplier_id, l.item_id, o.order_date);
    END IF;
    INSERT INTO procure.price_edits (supplier_id, order_id, line_no, actor, old_price, new_price, base_price, accepted, code)
    VALUES (o.supplier_id, o.id, p_line, procure.actor(), l.price, p_price, v_base, false, p_code);
    RETURN jsonb_build_object('order', o.number, 'line', p_line, 'old', procure.fmt_price(l.price),
                              'new', p_price::text, 'base', procure.fmt_price(v_base),
                              'accepted', false, 'code', p_code);
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA procure FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    procure.actor_is_super(), procure.arg_num(text, numeric, text, boolean), procure.json_num(jsonb, text),
    procure.po_json(procure.orders), procure.po_show(text), procure.po_list(text, text, text),
    procure.idempotent_result(text, text), procure.idempotent_save(text, text, jsonb)
    TO procure_buyer, procure_finance, procure_admin, procure_auditor;
GRANT EXECUTE ON FUNCTION
    procure.insert_lines(procure.orders, jsonb),
    procure.po_create(text, text, date, text, jsonb),
    procure.po_set_status(text, text), procure.po_issue(text), procure.po_ack(text), procure.po_close(text),
    procure.po_delete(text), procure.po_receive(text, integer, numeric), procure.po_price(text, integer, numeric),
    procure.record_refused_price_edit(text, integer, numeric, text)
    TO procure_buyer;
GRANT EXECUTE ON FUNCTION procure.po_pay(text, numeric) TO procure_finance;
