-- Master data: suppliers and their cancellation terms, items, the supplier price
-- list. Admins keep it; everyone reads it.

-- The base price in force on a date for supplier + item (NULL when none).
CREATE FUNCTION procure.base_price(p_supplier_id bigint, p_item_id bigint, p_on date) RETURNS numeric
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT price FROM procure.price_periods
         WHERE supplier_id = p_supplier_id AND item_id = p_item_id AND valid @> p_on);
END
$$;

-- ---------------------------------------------------------------------------
-- Master data functions (SECURITY INVOKER: the grants decide who may write)
-- ---------------------------------------------------------------------------
CREATE FUNCTION procure.supplier_json(s procure.suppliers) RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object(
            'code', s.code, 'name', s.name, 'currency', s.currency, 'regime', s.regime,
            'profit_rate', procure.fmt_pct(s.profit_rate), 'schedule', s.schedule,
            'claim_days', s.claim_days, 'review_days', s.review_days));
END
$$;

-- A supplier's terms as supplier_add and supplier_set are about to write them:
-- refused in the words of the option that is wrong, the schedule's values
-- normalised to decimal strings.
CREATE FUNCTION procure.supplier_terms(s procure.suppliers) RETURNS procure.suppliers
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF s.code IS NULL OR btrim(s.code) = '' THEN
        PERFORM procure.fail('invalid_argument', 'supplier code is required');
    END IF;
    IF s.name IS NULL OR btrim(s.name) = '' THEN
        PERFORM procure.fail('invalid_argument', format('supplier %s: --name is required', s.code));
    END IF;
    IF s.regime NOT IN ('cost', 'schedule', 'expectation') THEN
        PERFORM procure.fail('invalid_argument',
            format('supplier %s: regime %s is not one of cost, schedule, expectation', s.code, s.regime));
    END IF;
    IF s.currency !~ '^[A-Z]{3}$' THEN
        PERFORM procure.fail('invalid_argument',
            format('supplier %s: currency %s is not a 3-letter ISO code', s.code, s.currency));
    END IF;
    IF NOT procure.valid_schedule(s.schedule) THEN
        PERFORM procure.fail('invalid_argument', format(
            'supplier %s: schedule %s must map stages (issued, acknowledged, materials, production, finished) to percentages 0..100',
            s.code, s.schedule::text));
    END IF;
    IF s.claim_days < 0 THEN
        PERFORM procure.fail('invalid_argument', format('supplier %s: --claim-days %s must be 0 or more', s.code, s.claim_days));
    END IF;
    IF s.review_days < 0 THEN
        PERFORM procure.fail('invalid_argument', format('supplier %s: --review-days %s must be 0 or more', s.code, s.review_days));
    END IF;
    SELECT coalesce(jsonb_object_agg(key, trim_scale((value #>> '{}')::numeric)::text), '{}'::jsonb)
      INTO s.schedule FROM jsonb_each(s.schedule);
    RETURN s;
END
$$;

CREATE FUNCTION procure.supplier_add(
    p_code text, p_name text, p_currency text, p_regime text,
    p_profit_rate numeric, p_schedule jsonb, p_claim_days integer, p_review_days integer DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    s procure.suppliers;
BEGIN
    s.code := p_code;
    s.name := p_name;
    s.currency := coalesce(p_currency, 'CNY');
    s.regime := coalesce(p_regime, 'cost');
    s.profit_rate := coalesce(p_profit_rate, 0);
    s.schedule := coalesce(p_schedule, '{}'::jsonb);
    s.claim_days := coalesce(p_claim_days, 15);
    s.review_days := coalesce(p_review_days, 15);
    s := procure.supplier_terms(s);
    INSERT INTO procure.suppliers AS t (code, name, currency, regime, profit_rate, schedule, claim_days, review_days)
    VALUES (s.code, s.name, s.currency, s.regime, s.profit_rate, s.schedule, s.claim_days, s.review_days)
    RETURNING t.* INTO s;
    RETURN procure.supplier_json(s);
END
$$;

-- supplier_set: changes the terms given (NULL: unchanged).
CREATE FUNCTION procure.supplier_set(
    p_code text, p_name text, p_currency text, p_regime text,
    p_profit_rate numeric, p_schedule jsonb, p_claim_days integer, p_review_days integer DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    s procure.suppliers;
BEGIN
    SELECT * INTO s FROM procure.suppliers WHERE code = p_code FOR UPDATE;
    IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_code)); END IF;
    s.name := coalesce(p_name, s.name);
    s.currency := coalesce(p_currency, s.currency);
    s.regime := coalesce(p_regime, s.regime);
    s.profit_rate := coalesce(p_profit_rate, s.profit_rate);
    s.schedule := coalesce(p_schedule, s.schedule);
    s.claim_days := coalesce(p_claim_days, s.claim_days);
    s.review_days := coalesce(p_review_days, s.review_days);
    s := procure.supplier_terms(s);
    UPDATE procure.suppliers t
       SET name = s.name, currency = s.currency, regime = s.regime, profit_rate = s.profit_rate,
           schedule = s.schedule, claim_days = s.claim_days, review_days = s.review_days
     WHERE t.id = s.id
    RETURNING t.* INTO s;
    RETURN procure.supplier_json(s);
END
$$;

-- Every supplier with its terms, by code.
CREATE FUNCTION procure.supplier_list() RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN coalesce((SELECT jsonb_agg(procure.supplier_json(s) ORDER BY s.code) FROM procure.suppliers s), '[]'::jsonb);
END
$$;

CREATE FUNCTION procure.item_add(p_sku text, p_name text, p_uom text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    i procure.items;
BEGIN
    IF p_sku IS NULL OR btrim(p_sku) = '' THEN
        PERFORM procure.fail('invalid_argument', 'item SKU is required');
    END IF;
    IF p_name IS NULL OR btrim(p_name) = '' THEN
        PERFORM procure.fail('invalid_argument', format('item %s: --name is required', p_sku));
    END IF;
    INSERT INTO procure.items AS t (sku, name, uom) VALUES (p_sku, p_name, coalesce(p_uom, 'pcs'))
    RETURNING t.* INTO i;
    RETURN jsonb_build_object('sku', i.sku, 'name', i.name, 'uom', i.uom);
END
$$;

-- Every item, by SKU.
CREATE FUNCTION procure.item_list() RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object('sku', i.sku, 'name', i.name, 'uom', i.uom) ORDER BY i.sku)
          FROM procure.items i), '[]'::jsonb);
END
$$;

CREATE FUNCTION procure.price_period_json(p procure.price_periods) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object(
            'supplier', s.code, 'sku', i.sku, 'item', i.name, 'price', procure.fmt_price(p.price),
            'from', lower(p.valid),
            'to', CASE WHEN upper_inf(p.valid) THEN NULL ELSE upper(p.valid) - 1 END,
            'currency', s.currency)
          FROM procure.suppliers s, procure.items i
         WHERE s.id = p.supplier_id AND i.id = p.item_id);
END
$$;

-- price_set: a new base price period [p_from, p_to] (both inclusive, p_to NULL
-- = open-ended). p_from NULL: today, or "since always" when the supplier has
-- no period for the item yet. The new period wins over whatever it overlaps:
-- a period it covers whole is removed, one it overlaps at an end is trimmed,
-- and one it lies inside is split, so that the old price resumes the day after
-- the new period ends. The result lists every neighbour it changed.
CREATE FUNCTION procure.price_set(p_supplier text, p_sku text, p_price numeric, p_from date, p_to date) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_supplier procure.suppliers;
    v_item procure.items;
    v_from date := p_from;
    v_new daterange;
    v_before daterange;
    v_after daterange;
    v_changes jsonb := '[]'::jsonb;
    e procure.price_periods;
    p procure.price_periods;
BEGIN
    SELECT * INTO v_supplier FROM procure.suppliers WHERE code = p_supplier;
    IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    SELECT * INTO v_item FROM procure.items WHERE sku = p_sku;
    IF NOT FOUND THEN PERFORM procure.fail('not_found', format('item %s not found', p_sku)); END IF;
    IF p_price IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('price for %s/%s is required', p_supplier, p_sku));
    END IF;
    PERFORM procure.arg_num('price', p_price, format('base price of %s/%s', p_supplier, p_sku), true);
    IF v_from IS NULL AND EXISTS (SELECT 1 FROM procure.price_periods
                                   WHERE supplier_id = v_supplier.id AND item_id = v_item.id) THEN
        v_from := current_date;
    END IF;
    IF p_to IS NOT NULL AND v_from IS NOT NULL AND p_to < v_from THEN
        PERFORM procure.fail('invalid_argument', format('price %s/%s: --to %s is before --from %s', p_supplier, p_sku, p_to, v_from));
    END IF;
    v_new := daterange(v_from, p_to, '[]');

    -- serialise price list changes of one supplier + item
    PERFORM 1 FROM procure.price_periods
      WHERE supplier_id = v_supplier.id AND item_id = v_item.id FOR UPDATE;

    FOR e IN SELECT * FROM procure.price_periods t
              WHERE t.supplier_id = v_supplier.id AND t.item_id = v_item.id AND t.valid && v_new
              ORDER BY lower(t.valid) NULLS FIRST LOOP
        v_before := CASE WHEN lower_inf(v_new) THEN 'empty'::daterange
                         ELSE e.valid * daterange(NULL, lower(v_new), '[)') END;
        v_after := CASE WHEN upper_inf(v_new) THEN 'empty'::daterange
                        ELSE e.valid * daterange(upper(v_new), NULL, '[)') END;
        IF isempty(v_before) AND isempty(v_after) THEN
            DELETE FROM procure.price_periods t WHERE t.supplier_id = e.supplier_id AND t.id = e.id;
            v_changes := v_changes || jsonb_build_array(procure.price_change('replaced', e.price, e.valid));
            CONTINUE;
        END IF;
        IF NOT isempty(v_before) THEN
            UPDATE procure.price_periods t SET valid = v_before WHERE t.supplier_id = e.supplier_id AND t.id = e.id;
            v_changes := v_changes || jsonb_build_array(procure.price_change('ends earlier', e.price, v_before));
        END IF;
        IF NOT isempty(v_after) AND NOT isempty(v_before) THEN
            INSERT INTO procure.price_periods (supplier_id, item_id, price, valid)
            VALUES (e.supplier_id, e.item_id, e.price, v_after);
            v_changes := v_changes || jsonb_build_array(procure.price_change('resumes', e.price, v_after));
        ELSIF NOT isempty(v_after) THEN
            UPDATE procure.price_periods t SET valid = v_after WHERE t.supplier_id = e.supplier_id AND t.id = e.id;
            v_changes := v_changes || jsonb_build_array(procure.price_change('starts later', e.price, v_after));
        END IF;
    END LOOP;

    INSERT INTO procure.price_periods AS t (supplier_id, item_id, price, valid)
    VALUES (v_supplier.id, v_item.id, p_price, v_new)
    RETURNING t.* INTO p;
    RETURN procure.price_period_json(p) || jsonb_build_object('adjusted', v_changes);
END
$$;

-- One neighbour price_set changed: what happened to it and the period it keeps
-- (the one it had, when it was replaced), both ends inclusive.
CREATE FUNCTION procure.price_change(p_change text, p_price numeric, p_valid daterange) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT jsonb_build_object(
        'change', p_change, 'price', procure.fmt_price(p_price),
        'from', lower(p_valid),
        'to', CASE WHEN upper_inf(p_valid) THEN NULL ELSE upper(p_valid) - 1 END)
$$;

-- price_list: the supplier's periods, all of them when p_on is NULL, else the
-- ones in force on p_on; ordered by SKU then start.
CREATE FUNCTION procure.price_list(p_supplier text, p_on date) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_supplier procure.suppliers;
BEGIN
    SELECT * INTO v_supplier FROM procure.suppliers WHERE code = p_supplier;
    IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'sku', i.sku, 'item', i.name, 'price', procure.fmt_price(p.price),
                   'from', lower(p.valid),
                   'to', CASE WHEN upper_inf(p.valid) THEN NULL ELSE upper(p.valid) - 1 END,
                   'currency', v_supplier.currency, 'uom', i.uom)
                   ORDER BY i.sku, lower(p.valid) NULLS FIRST)
          FROM procure.price_periods p JOIN procure.items i ON i.id = p.item_id
         WHERE p.supplier_id = v_supplier.id AND (p_on IS NULL OR p.valid @> p_on)), '[]'::jsonb);
END
$$;
