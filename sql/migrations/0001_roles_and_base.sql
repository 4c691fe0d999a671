-- 0001_roles_and_base: group roles, schema, domains, helpers, master data
-- (suppliers, items, supplier price list, users and their limits).
--
-- Applied once per database, in one transaction, by a superuser.

-- Group roles are cluster-global; many databases of one cluster run this file,
-- possibly at the same time, so creation is idempotent and race tolerant.
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['procure_buyer', 'procure_finance', 'procure_admin', 'procure_auditor'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created concurrently by another database's migration
            END;
        END IF;
    END LOOP;
END
$roles$;

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

CREATE SCHEMA procure;
REVOKE ALL ON SCHEMA procure FROM PUBLIC;
GRANT USAGE ON SCHEMA procure TO procure_buyer, procure_finance, procure_admin, procure_auditor;

-- ---------------------------------------------------------------------------
-- Exact money domains. A value with too many decimals is refused (23514, the
-- constraint named below), never rounded. NaN and infinities are refused too.
-- ---------------------------------------------------------------------------
CREATE DOMAIN procure.price AS numeric
    CONSTRAINT price_check CHECK (VALUE >= 0 AND abs(VALUE) < 1e15 AND VALUE = round(VALUE, 4));
CREATE DOMAIN procure.qty AS numeric
    CONSTRAINT qty_check CHECK (VALUE >= 0 AND abs(VALUE) < 1e15 AND VALUE = round(VALUE, 3));
CREATE DOMAIN procure.amount AS numeric
    CONSTRAINT amount_check CHECK (abs(VALUE) < 1e15 AND VALUE = round(VALUE, 2));
CREATE DOMAIN procure.pct AS numeric
    CONSTRAINT pct_check CHECK (VALUE >= 0 AND VALUE <= 100 AND VALUE = round(VALUE, 4));

-- ---------------------------------------------------------------------------
-- Helpers
-- ---------------------------------------------------------------------------

-- The acting role, also inside SECURITY DEFINER functions (where current_user
-- is the definer): the SET ROLE target, else the session user.
CREATE FUNCTION procure.actor() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN pg_catalog.current_setting('role') = 'none'
                  THEN pg_catalog.session_user()::text
                  ELSE pg_catalog.current_setting('role') END COLLATE "default" $$;

-- Is the acting role a member of the group role (superusers are members of all)?
CREATE FUNCTION procure.actor_is(p_group text) RETURNS boolean
LANGUAGE sql STABLE
AS $$ SELECT pg_catalog.pg_has_role(procure.actor(), p_group, 'MEMBER') $$;

-- Raise a rule violation with the stable SPEC §6 code as the constraint name.
CREATE FUNCTION procure.fail(p_code text, p_message text) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = p_message,
        ERRCODE = CASE p_code
            WHEN 'not_found' THEN 'P0002'
            WHEN 'permission_denied' THEN '42501'
            WHEN 'invalid_argument' THEN '22023'
            ELSE '23514' END,
        CONSTRAINT = p_code;
END
$$;

-- JSON text of exact decimals: prices with 4 decimals, amounts with 2,
-- quantities and percentages without trailing zeros.
CREATE FUNCTION procure.fmt_price(numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT round($1, 4)::text $$;
CREATE FUNCTION procure.fmt_amount(numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT round($1, 2)::text $$;
CREATE FUNCTION procure.fmt_qty(numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT trim_scale($1)::text $$;
CREATE FUNCTION procure.fmt_pct(numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT trim_scale($1)::text $$;

-- A stage → percent table of the `schedule` regime: keys among the five
-- stages, values numbers (or numeric strings) in 0..100.
CREATE FUNCTION procure.valid_schedule(p jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    k text;
    v jsonb;
    n numeric;
BEGIN
    IF p IS NULL THEN RETURN true; END IF;
    IF jsonb_typeof(p) <> 'object' THEN RETURN false; END IF;
    FOR k, v IN SELECT * FROM jsonb_each(p) LOOP
        IF k NOT IN ('issued', 'acknowledged', 'materials', 'production', 'finished') THEN
            RETURN false;
        END IF;
        IF jsonb_typeof(v) NOT IN ('string', 'number') THEN RETURN false; END IF;
        BEGIN
            n := (v #>> '{}')::numeric;
        EXCEPTION WHEN others THEN
            RETURN false;
        END;
        IF n IS NULL OR n < 0 OR n > 100 OR n <> round(n, 4) THEN RETURN false; END IF;
    END LOOP;
    RETURN true;
END
$$;

-- ---------------------------------------------------------------------------
-- Master data (reference tables under Citus)
-- ---------------------------------------------------------------------------
CREATE TABLE procure.suppliers (
    id          bigint GENERATED BY DEFAULT AS IDENTITY,
    code        text NOT NULL,
    name        text NOT NULL,
    currency    text NOT NULL DEFAULT 'CNY',
    regime      text NOT NULL DEFAULT 'cost',
    profit_rate procure.pct NOT NULL DEFAULT 0,
    schedule    jsonb NOT NULL DEFAULT '{}',
    claim_days  integer NOT NULL DEFAULT 15,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT suppliers_pkey PRIMARY KEY (id),
    CONSTRAINT suppliers_code_key UNIQUE (code),
    CONSTRAINT suppliers_code_check CHECK (code <> '' AND code = btrim(code) AND code !~ '\s'),
    CONSTRAINT suppliers_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT suppliers_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT suppliers_regime_check CHECK (regime IN ('cost', 'schedule', 'expectation')),
    CONSTRAINT suppliers_schedule_check CHECK (procure.valid_schedule(schedule)),
    CONSTRAINT suppliers_claim_days_check CHECK (claim_days >= 0)
);

CREATE TABLE procure.items (
    id         bigint GENERATED BY DEFAULT AS IDENTITY,
    sku        text NOT NULL,
    name       text NOT NULL,
    uom        text NOT NULL DEFAULT 'pcs',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT items_pkey PRIMARY KEY (id),
    CONSTRAINT items_sku_key UNIQUE (sku),
    CONSTRAINT items_sku_check CHECK (sku <> '' AND sku = btrim(sku) AND sku !~ '[\s:@]'),
    CONSTRAINT items_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT items_uom_check CHECK (btrim(uom) <> '')
);

-- Base price periods: valid is a daterange, both ends inclusive on input
-- ('[from,to]', stored canonically as '[from,to+1)'); an unbounded upper end
-- is an open-ended period, an unbounded lower end means "since always".
CREATE TABLE procure.price_periods (
    supplier_id bigint NOT NULL,
    id          bigint GENERATED BY DEFAULT AS IDENTITY,
    item_id     bigint NOT NULL,
    price       procure.price NOT NULL,
    valid       daterange NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT procure.actor(),
    CONSTRAINT price_periods_pkey PRIMARY KEY (supplier_id, id),
    CONSTRAINT price_periods_supplier_fkey FOREIGN KEY (supplier_id) REFERENCES procure.suppliers (id),
    CONSTRAINT price_periods_item_fkey FOREIGN KEY (item_id) REFERENCES procure.items (id),
    CONSTRAINT price_periods_valid_check CHECK (NOT isempty(valid)),
    CONSTRAINT price_periods_no_overlap EXCLUDE USING gist (supplier_id WITH =, item_id WITH =, valid WITH &&)
);
CREATE INDEX price_periods_item_idx ON procure.price_periods (item_id);

-- Users: name = PostgreSQL role name; limits apply to buyers.
CREATE TABLE procure.users (
    name            text NOT NULL,
    role            text NOT NULL,
    max_order_total procure.amount,
    max_discount    procure.pct,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (name),
    CONSTRAINT users_role_check CHECK (role IN ('buyer', 'finance', 'admin', 'auditor')),
    CONSTRAINT users_max_order_total_check CHECK (max_order_total >= 0)
);

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
            'claim_days', s.claim_days));
END
$$;

CREATE FUNCTION procure.supplier_add(
    p_code text, p_name text, p_currency text, p_regime text,
    p_profit_rate numeric, p_schedule jsonb, p_claim_days integer) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_schedule jsonb := coalesce(p_schedule, '{}'::jsonb);
    s procure.suppliers;
BEGIN
    IF p_code IS NULL OR btrim(p_code) = '' THEN
        PERFORM procure.fail('invalid_argument', 'supplier code is required');
    END IF;
    IF p_name IS NULL OR btrim(p_name) = '' THEN
        PERFORM procure.fail('invalid_argument', format('supplier %s: --name is required', p_code));
    END IF;
    IF p_regime IS NOT NULL AND p_regime NOT IN ('cost', 'schedule', 'expectation') THEN
        PERFORM procure.fail('invalid_argument',
            format('supplier %s: regime %s is not one of cost, schedule, expectation', p_code, p_regime));
    END IF;
    IF p_currency IS NOT NULL AND p_currency !~ '^[A-Z]{3}$' THEN
        PERFORM procure.fail('invalid_argument',
            format('supplier %s: currency %s is not a 3-letter ISO code', p_code, p_currency));
    END IF;
    IF NOT procure.valid_schedule(v_schedule) THEN
        PERFORM procure.fail('invalid_argument', format(
            'supplier %s: schedule %s must map stages (issued, acknowledged, materials, production, finished) to percentages 0..100',
            p_code, v_schedule::text));
    END IF;
    IF p_claim_days IS NOT NULL AND p_claim_days < 0 THEN
        PERFORM procure.fail('invalid_argument', format('supplier %s: claim days %s must be ≥ 0', p_code, p_claim_days));
    END IF;
    -- normalise the schedule values to decimal strings
    SELECT coalesce(jsonb_object_agg(key, trim_scale((value #>> '{}')::numeric)::text), '{}'::jsonb)
      INTO v_schedule FROM jsonb_each(v_schedule);

    INSERT INTO procure.suppliers AS t (code, name, currency, regime, profit_rate, schedule, claim_days)
    VALUES (p_code, p_name, coalesce(p_currency, 'CNY'), coalesce(p_regime, 'cost'),
            coalesce(p_profit_rate, 0), v_schedule, coalesce(p_claim_days, 15))
    RETURNING t.* INTO s;
    RETURN procure.supplier_json(s);
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
-- no period for the item yet. An open-ended period that started before p_from
-- is closed the day before p_from; a period starting on exactly p_from is
-- replaced (price and end). Any other overlap: price_periods_no_overlap.
CREATE FUNCTION procure.price_set(p_supplier text, p_sku text, p_price numeric, p_from date, p_to date) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_supplier procure.suppliers;
    v_item procure.items;
    v_from date := p_from;
    v_closed jsonb;
    p procure.price_periods;
BEGIN
    SELECT * INTO v_supplier FROM procure.suppliers WHERE code = p_supplier;
    IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    SELECT * INTO v_item FROM procure.items WHERE sku = p_sku;
    IF NOT FOUND THEN PERFORM procure.fail('not_found', format('item %s not found', p_sku)); END IF;
    IF p_price IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('price for %s/%s is required', p_supplier, p_sku));
    END IF;
    IF v_from IS NULL AND EXISTS (SELECT 1 FROM procure.price_periods
                                   WHERE supplier_id = v_supplier.id AND item_id = v_item.id) THEN
        v_from := current_date;
    END IF;
    IF p_to IS NOT NULL AND v_from IS NOT NULL AND p_to < v_from THEN
        PERFORM procure.fail('invalid_argument', format('price %s/%s: --to %s is before --from %s', p_supplier, p_sku, p_to, v_from));
    END IF;

    -- serialise price list changes of one supplier + item
    PERFORM 1 FROM procure.price_periods
      WHERE supplier_id = v_supplier.id AND item_id = v_item.id FOR UPDATE;

    -- same start: replace that period
    UPDATE procure.price_periods t SET price = p_price, valid = daterange(v_from, p_to, '[]')
     WHERE t.supplier_id = v_supplier.id AND t.item_id = v_item.id
       AND lower(t.valid) IS NOT DISTINCT FROM v_from
    RETURNING t.* INTO p;
    IF NOT FOUND THEN
        -- close an open-ended period that started earlier
        IF v_from IS NOT NULL THEN
            UPDATE procure.price_periods t SET valid = daterange(lower(t.valid), v_from, '[)')
             WHERE t.supplier_id = v_supplier.id AND t.item_id = v_item.id
               AND upper_inf(t.valid) AND (lower_inf(t.valid) OR lower(t.valid) < v_from)
            RETURNING jsonb_build_object('from', lower(t.valid), 'to', upper(t.valid) - 1,
                                         'price', procure.fmt_price(t.price)) INTO v_closed;
        END IF;
        INSERT INTO procure.price_periods AS t (supplier_id, item_id, price, valid)
        VALUES (v_supplier.id, v_item.id, p_price, daterange(v_from, p_to, '[]'))
        RETURNING t.* INTO p;
    END IF;
    RETURN procure.price_period_json(p) || jsonb_build_object('closed', v_closed);
END
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

-- user_add: creates (or reuses) the PostgreSQL role, makes it a member of
-- exactly one procure group role and upserts its limits (NULL = keep).
CREATE FUNCTION procure.user_add(p_name text, p_role text, p_max_order_total numeric,
                                 p_max_discount numeric, p_password text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_actor text := procure.actor();
    v_actor_super boolean;
    r pg_catalog.pg_roles;
    g text;
    u procure.users;
BEGIN
    SELECT rolsuper INTO v_actor_super FROM pg_catalog.pg_roles WHERE rolname = v_actor;
    IF NOT coalesce(v_actor_super, false) AND NOT procure.actor_is('procure_admin') THEN
        PERFORM procure.fail('permission_denied', format('%s may not add users (admins only)', v_actor));
    END IF;
    IF p_name IS NULL OR p_name = '' OR length(p_name) > 63 OR p_name ~ '^pg_' OR p_name <> btrim(p_name)
       OR p_name IN ('public', 'none', 'procure_buyer', 'procure_finance', 'procure_admin', 'procure_auditor') THEN
        PERFORM procure.fail('invalid_argument', format('%L is not a usable user name', p_name));
    END IF;
    IF p_role IS NULL OR p_role NOT IN ('buyer', 'finance', 'admin', 'auditor') THEN
        PERFORM procure.fail('invalid_argument',
            format('user %s: role %s is not one of buyer, finance, admin, auditor', p_name, p_role));
    END IF;

    SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = p_name;
    IF FOUND THEN
        IF (r.rolsuper OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls) AND NOT coalesce(v_actor_super, false) THEN
            PERFORM procure.fail('permission_denied',
                format('%s is a privileged PostgreSQL role; only a superuser may make it a procure user', p_name));
        END IF;
        IF p_password IS NOT NULL THEN
            EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_name, p_password);
        END IF;
    ELSE
        BEGIN
            IF p_password IS NOT NULL THEN
                EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_name, p_password);
            ELSE
                EXECUTE format('CREATE ROLE %I NOLOGIN', p_name);
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            -- created concurrently (another database of the cluster)
            IF p_password IS NOT NULL THEN
                EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_name, p_password);
            END IF;
        END;
    END IF;

    -- exactly one procure group
    FOREACH g IN ARRAY ARRAY['buyer', 'finance', 'admin', 'auditor'] LOOP
        IF g <> p_role AND EXISTS (
            SELECT 1 FROM pg_catalog.pg_auth_members m
             WHERE m.roleid = ('procure_' || g)::regrole AND m.member = p_name::regrole) THEN
            EXECUTE format('REVOKE %I FROM %I', 'procure_' || g, p_name);
        END IF;
    END LOOP;
    EXECUTE format('GRANT %I TO %I', 'procure_' || p_role, p_name);

    INSERT INTO procure.users AS t (name, role, max_order_total, max_discount)
    VALUES (p_name, p_role, p_max_order_total, p_max_discount)
    ON CONFLICT (name) DO UPDATE
       SET role = EXCLUDED.role,
           max_order_total = coalesce(EXCLUDED.max_order_total, t.max_order_total),
           max_discount = coalesce(EXCLUDED.max_discount, t.max_discount)
    RETURNING t.* INTO u;

    RETURN jsonb_build_object(
        'name', u.name, 'role', u.role,
        'max_order_total', procure.fmt_amount(u.max_order_total),
        'max_discount', procure.fmt_pct(u.max_discount),
        'login', (SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = u.name));
END
$$;
