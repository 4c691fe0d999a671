-- 0014_security_gaps: closes the SPEC §9 gaps the reliability tests found
-- (docs/security.md, "Known gaps", now fixed):
--   1. the database re-derives every liability figure; a buyer can no longer
--      store a figure of their own choosing (liability_compute + trigger);
--   2. idempotency keys belong to a user (primary key (actor, key)); auditors
--      store none;
--   3. user_add adopts only roles that are already procure users;
--   4. admins no longer add case notes (buyers and finance do);
--   5. import_orders_apply validates dates and numbers from their text, with
--      the same rules as the CLI (YYYY-MM-DD, plain decimals), and analyses
--      the staging table before it joins it.

-- ---------------------------------------------------------------------------
-- 1. Liability figures, computed by the database as well (SPEC §8).
-- The Swift calculator (Sources/Procurement/Liability) computes the figures
-- the CLI shows and stores; this twin re-derives them from the order's own
-- facts so that no writer, whatever the path, stores anything else. The two
-- are kept equal by a cross-check test (LiabilityTwinTests) over random
-- inputs. Comments name the SPEC letters.
-- ---------------------------------------------------------------------------

-- A JSON number or numeric string as numeric; absent or null is 0.
CREATE FUNCTION procure.jnum0(p jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce(nullif($1 #>> '{}', '')::numeric, 0) $$;

CREATE FUNCTION procure.liability_compute(p jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_regime text := coalesce(p ->> 'regime', 'cost');
    v_ack boolean := coalesce((p ->> 'acknowledged')::boolean, false);
    x jsonb;
    rep jsonb;
    n integer := 0;
    i integer;
    -- per line, in ascending line number
    l_no integer[] := '{}'; l_sku text[] := '{}'; l_stage text[] := '{}';
    l_p numeric[] := '{}'; l_q numeric[] := '{}'; l_d numeric[] := '{}';
    l_f numeric[] := '{}'; l_w numeric[] := '{}'; l_wc numeric[] := '{}'; l_m numeric[] := '{}';
    l_v numeric[] := '{}'; l_e numeric[] := '{}'; l_u numeric[] := '{}';
    l_rf numeric[] := '{}'; l_rw numeric[] := '{}'; l_ru numeric[] := '{}'; l_t numeric[] := '{}';
    v_started boolean := false;
    v_stage text;
    v_sku text;
    v_left numeric;
    v_take numeric;
    -- amounts
    a numeric := 0; c numeric := 0; pr numeric := 0; k numeric := 0; sv numeric := 0;
    s numeric := 0; cr numeric := 0; b numeric := 0; total numeric := 0; sch numeric := 0;
    v_capped boolean := false;
    v_lines jsonb := '[]';
BEGIN
    FOR x IN SELECT value FROM jsonb_array_elements(coalesce(p -> 'lines', '[]'))
              ORDER BY (value ->> 'line')::integer LOOP
        n := n + 1;
        rep := nullif(x -> 'report', 'null'::jsonb);
        l_no[n] := (x ->> 'line')::integer;
        l_sku[n] := x ->> 'sku';
        l_p[n] := procure.jnum0(x -> 'price');
        l_q[n] := procure.jnum0(x -> 'ordered');
        l_d[n] := procure.jnum0(x -> 'delivered');
        l_f[n] := procure.jnum0(rep -> 'finished');
        l_w[n] := procure.jnum0(rep -> 'in_progress');
        l_wc[n] := procure.jnum0(rep -> 'wip_cost');
        l_m[n] := procure.jnum0(rep -> 'materials');
        l_v[n] := procure.jnum0(rep -> 'salvage');
        l_e[n] := procure.jnum0(rep -> 'cost_to_complete');
        l_u[n] := greatest(0, l_q[n] - l_d[n] - l_f[n] - l_w[n]);           -- u
        l_rf[n] := 0; l_rw[n] := 0; l_ru[n] := 0;
        -- the line's stage (schedule regime)
        v_stage := rep ->> 'stage';
        IF v_stage IS NULL THEN
            v_stage := CASE
                WHEN rep IS NOT NULL AND (l_f[n] > 0 OR l_w[n] > 0 OR l_wc[n] > 0) THEN 'production'
                WHEN rep IS NOT NULL AND l_m[n] > 0 THEN 'materials'
                WHEN v_ack THEN 'acknowledged'
                ELSE 'issued' END;
        END IF;
        l_stage[n] := v_stage;
        IF (rep ->> 'stage') IN ('materials', 'production', 'finished')
           OR l_f[n] > 0 OR l_w[n] > 0 OR l_wc[n] > 0 OR l_m[n] > 0 THEN
            v_started := true;
        END IF;
    END LOOP;

    -- Reuse by the replacement: per item, finished, then in-progress, then
    -- not-started units, within a tier the lines in ascending line number.
    FOR v_sku, v_left IN
        SELECT r ->> 'sku', sum(greatest(0, procure.jnum0(r -> 'quantity')))
          FROM jsonb_array_elements(coalesce(p -> 'replacement', '[]')) r
         GROUP BY r ->> 'sku' LOOP
        FOR i IN 1 .. n LOOP
            IF l_sku[i] = v_sku THEN
                v_take := least(greatest(0, l_f[i]), v_left); l_rf[i] := v_take; v_left := v_left - v_take;
            END IF;
        END LOOP;
        FOR i IN 1 .. n LOOP
            IF l_sku[i] = v_sku THEN
                v_take := least(greatest(0, l_w[i]), v_left); l_rw[i] := v_take; v_left := v_left - v_take;
            END IF;
        END LOOP;
        FOR i IN 1 .. n LOOP
            IF l_sku[i] = v_sku THEN
                v_take := least(greatest(0, l_u[i]), v_left); l_ru[i] := v_take; v_left := v_left - v_take;
            END IF;
        END LOOP;
    END LOOP;

    FOR i IN 1 .. n LOOP
        l_t[i] := greatest(0, l_q[i] - l_d[i] - l_rf[i] - l_rw[i] - l_ru[i]);      -- t
        k := k + l_t[i] * l_p[i];
        cr := cr + l_v[i];
        a := a + (l_f[i] - l_rf[i]) * l_p[i];
        c := c + CASE WHEN l_w[i] = 0 THEN l_wc[i] ELSE l_wc[i] * (l_w[i] - l_rw[i]) / l_w[i] END
               + CASE WHEN l_u[i] = 0 THEN l_m[i] ELSE l_m[i] * (l_u[i] - l_ru[i]) / l_u[i] END;
        IF l_w[i] + l_u[i] <> 0 THEN
            sv := sv + l_e[i] * ((l_w[i] - l_rw[i]) + (l_u[i] - l_ru[i])) / (l_w[i] + l_u[i]);
        END IF;
        sch := sch + coalesce(procure.jnum0(p -> 'schedule' -> l_stage[i]), 0) * l_t[i] * l_p[i] / 100;
        v_lines := v_lines || jsonb_build_object(
            'line', l_no[i], 'sku', l_sku[i], 'stage', l_stage[i],
            'reused_finished', trim_scale(l_rf[i])::text, 'reused_in_progress', trim_scale(l_rw[i])::text,
            'reused_not_started', trim_scale(l_ru[i])::text, 'terminated', trim_scale(l_t[i])::text);
    END LOOP;
    k := round(k, 2);                                                          -- K
    b := round(procure.jnum0(p -> 'payments'), 2);                              -- B

    IF NOT v_started THEN                  -- not in production: total = −B
        a := 0; c := 0; pr := 0; sv := 0; s := 0; cr := 0; sch := 0;
        total := -b;
    ELSIF v_regime = 'cost' THEN
        a := round(a, 2); c := round(c, 2);
        pr := round(c * procure.jnum0(p -> 'profit_rate') / 100, 2);
        s := round(procure.jnum0(p -> 'settlement'), 2);
        cr := round(cr, 2);
        v_capped := a + c + pr > k;
        total := least(a + c + pr, k) + s - cr - b;
        sv := 0; sch := 0;
    ELSIF v_regime = 'schedule' THEN
        sch := round(sch, 2);
        total := sch - b;
        a := 0; c := 0; pr := 0; sv := 0; s := 0; cr := 0;
    ELSIF v_regime = 'expectation' THEN
        sv := round(sv, 2);
        s := round(procure.jnum0(p -> 'settlement'), 2);
        cr := round(cr, 2);
        total := greatest(0, k - sv - cr) + s - b;
        a := 0; c := 0; pr := 0; sch := 0;
    ELSE
        PERFORM procure.fail('invalid_argument', format('liability regime %s is not one of cost, schedule, expectation', v_regime));
    END IF;

    RETURN jsonb_build_object(
        'regime', v_regime, 'currency', p ->> 'currency',
        'finished', a, 'costs', c, 'profit', pr, 'cap', k, 'capped', v_capped, 'saved', sv,
        'settlement', s, 'credits', cr, 'payments', b, 'total', total, 'scheduled', sch,
        'in_production', v_started, 'lines', v_lines);
END
$$;

-- The first figure of a stored result that differs from the database's own
-- computation, as 'key: given X, computed Y'; NULL when they all agree.
CREATE FUNCTION procure.liability_difference(p_result jsonb, p_computed jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    key text;
    v_given jsonb;
BEGIN
    IF p_result IS NULL OR jsonb_typeof(p_result) <> 'object' THEN
        RETURN 'result: not an object';
    END IF;
    FOREACH key IN ARRAY ARRAY['total', 'finished', 'costs', 'profit', 'cap', 'saved', 'settlement',
                               'credits', 'payments', 'scheduled'] LOOP
        BEGIN
            IF procure.jnum0(p_result -> key) IS DISTINCT FROM (p_computed ->> key)::numeric THEN
                RETURN format('%s: given %s, computed %s', key, coalesce(p_result ->> key, '(none)'),
                              procure.fmt_amount((p_computed ->> key)::numeric));
            END IF;
        EXCEPTION WHEN data_exception THEN
            RETURN format('%s: %s is not a number', key, p_result ->> key);
        END;
    END LOOP;
    FOREACH key IN ARRAY ARRAY['capped', 'in_production', 'regime', 'currency'] LOOP
        IF (p_result ->> key) IS DISTINCT FROM (p_computed ->> key) THEN
            RETURN format('%s: given %s, computed %s', key, coalesce(p_result ->> key, '(none)'), p_computed ->> key);
        END IF;
    END LOOP;
    -- the per-line reuse and terminated counts, compared as numbers
    v_given := (SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'line', (e ->> 'line')::integer, 'sku', e ->> 'sku', 'stage', e ->> 'stage',
                    'reused_finished', trim_scale(procure.jnum0(e -> 'reused_finished'))::text,
                    'reused_in_progress', trim_scale(procure.jnum0(e -> 'reused_in_progress'))::text,
                    'reused_not_started', trim_scale(procure.jnum0(e -> 'reused_not_started'))::text,
                    'terminated', trim_scale(procure.jnum0(e -> 'terminated'))::text) ORDER BY ord), '[]')
                  FROM jsonb_array_elements(coalesce(p_result -> 'lines', '[]')) WITH ORDINALITY AS t(e, ord));
    IF v_given IS DISTINCT FROM p_computed -> 'lines' THEN
        RETURN 'lines: the reuse and terminated counts differ';
    END IF;
    RETURN NULL;
EXCEPTION WHEN data_exception THEN
    RETURN 'lines: not valid counts';
END
$$;

-- Every write of a liability's inputs or result: the inputs must be the
-- order's own facts as the database reads them now, and the result must be
-- what SPEC §8 gives for them. Holds the CLI, psql and the owner alike.
CREATE FUNCTION procure.liabilities_figures() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    v_inputs jsonb;
    v_problem text;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.inputs IS NOT DISTINCT FROM OLD.inputs AND NEW.result IS NOT DISTINCT FROM OLD.result THEN
        RETURN NEW;
    END IF;
    SELECT * INTO o FROM procure.orders WHERE supplier_id = NEW.supplier_id AND id = NEW.order_id;
    v_inputs := procure.liability_inputs_for(o);
    IF NEW.inputs IS DISTINCT FROM v_inputs THEN
        RAISE EXCEPTION USING ERRCODE = '22023', CONSTRAINT = 'invalid_argument',
            MESSAGE = format('the liability of %s: its inputs must be the order''s recorded facts (procure.liability_inputs)', o.number);
    END IF;
    v_problem := procure.liability_difference(NEW.result, procure.liability_compute(v_inputs));
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22023', CONSTRAINT = 'invalid_argument',
            MESSAGE = format('the liability of %s does not follow from its inputs (SPEC §8): %s', o.number, v_problem);
    END IF;
    RETURN NEW;
END
$$;

-- Named to fire after liabilities_before (which fills order_id and holds the
-- status rules): row triggers of one event fire in name order.
CREATE TRIGGER liabilities_figures BEFORE INSERT OR UPDATE OF inputs, result ON procure.liabilities
    FOR EACH ROW EXECUTE FUNCTION procure.liabilities_figures();

REVOKE ALL ON FUNCTION procure.jnum0(jsonb), procure.liability_compute(jsonb),
    procure.liability_difference(jsonb, jsonb), procure.liabilities_figures() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION procure.jnum0(jsonb), procure.liability_compute(jsonb)
    TO procure_buyer, procure_finance, procure_admin, procure_auditor;

-- ---------------------------------------------------------------------------
-- 2. Idempotency keys belong to their user; auditors write none.
-- ---------------------------------------------------------------------------
ALTER TABLE procure.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE procure.idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (actor, key);

CREATE OR REPLACE FUNCTION procure.idempotent_result(p_key text, p_verb text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    k procure.idempotency_keys;
    v_actor text := procure.actor();
BEGIN
    IF p_key IS NULL OR btrim(p_key) = '' THEN
        PERFORM procure.fail('invalid_argument', 'an idempotency key (--key) must not be empty');
    END IF;
    -- a concurrent second use of the same key by the same user waits here for the first
    PERFORM pg_advisory_xact_lock(hashtextextended('idempotency:' || v_actor || ':' || p_key, 0));
    SELECT * INTO k FROM procure.idempotency_keys WHERE actor = v_actor AND key = p_key;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF p_verb IS NOT NULL AND k.verb <> p_verb THEN
        PERFORM procure.fail('invalid_argument', format('key %s was already used for "%s"', p_key, k.verb));
    END IF;
    RETURN k.result;
END
$$;

CREATE OR REPLACE FUNCTION procure.idempotent_save(p_key text, p_verb text, p_result jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF p_key IS NULL OR btrim(p_key) = '' THEN
        PERFORM procure.fail('invalid_argument', 'an idempotency key (--key) must not be empty');
    END IF;
    IF NOT (procure.actor_is('procure_buyer') OR procure.actor_is('procure_finance') OR procure.actor_is('procure_admin')) THEN
        PERFORM procure.fail('permission_denied', format('%s writes nothing, idempotency keys included', procure.actor()));
    END IF;
    INSERT INTO procure.idempotency_keys (key, verb, actor, result)
    VALUES (p_key, coalesce(p_verb, ''), procure.actor(), p_result);
END
$$;

REVOKE EXECUTE ON FUNCTION procure.idempotent_result(text, text), procure.idempotent_save(text, text, jsonb)
    FROM procure_auditor;

-- ---------------------------------------------------------------------------
-- 3. user_add adopts only roles that are already procure users.
-- ---------------------------------------------------------------------------
-- An existing role may become (or stay) a procure user by an admin's hand only
-- when it is one already: listed in procure.users here, or a member of a
-- procure group and of nothing else (a user of another procure database of
-- the cluster). Anything else, another application's role say, needs a
-- superuser: an admin must not take over a role and set its password.
CREATE FUNCTION procure.adoptable_role(p_name text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM procure.users WHERE name = p_name)
        OR (EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                     JOIN pg_catalog.pg_roles r ON r.oid = m.member
                    WHERE r.rolname = p_name
                      AND g.rolname IN ('procure_buyer', 'procure_finance', 'procure_admin', 'procure_auditor'))
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                             JOIN pg_catalog.pg_roles r ON r.oid = m.member
                            WHERE r.rolname = p_name
                              AND g.rolname NOT IN ('procure_buyer', 'procure_finance', 'procure_admin', 'procure_auditor')))
$$;
REVOKE ALL ON FUNCTION procure.adoptable_role(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION procure.user_add(p_name text, p_role text, p_max_order_total numeric,
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
    v_actor_super := coalesce(v_actor_super, false);
    IF NOT v_actor_super AND NOT procure.actor_is('procure_admin') THEN
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
        IF (r.rolsuper OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls) AND NOT v_actor_super THEN
            PERFORM procure.fail('permission_denied',
                format('%s is a privileged PostgreSQL role; only a superuser may make it a procure user', p_name));
        END IF;
        IF NOT v_actor_super AND NOT procure.adoptable_role(p_name) THEN
            PERFORM procure.fail('permission_denied',
                format('%s is an existing PostgreSQL role outside procure; only a superuser may make it a procure user', p_name));
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
            -- created concurrently (another database of the cluster): the same rule applies
            IF NOT v_actor_super AND NOT procure.adoptable_role(p_name) THEN
                PERFORM procure.fail('permission_denied',
                    format('%s is an existing PostgreSQL role outside procure; only a superuser may make it a procure user', p_name));
            END IF;
            IF p_password IS NOT NULL THEN
                EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_name, p_password);
            END IF;
        END;
    END IF;

    -- exactly one procure group
    FOREACH g IN ARRAY ARRAY['buyer', 'finance', 'admin', 'auditor'] LOOP
        IF g <> p_role AND EXISTS (
            SELECT 1 FROM pg_catalog.pg_auth_members m
             WHERE m.roleid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'procure_' || g)
               AND m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = p_name)) THEN
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

-- ---------------------------------------------------------------------------
-- 4. Case notes: buyers (own orders) and finance; admins keep master data only.
-- ---------------------------------------------------------------------------
REVOKE EXECUTE ON FUNCTION procure.note_add(text, text) FROM procure_admin;
REVOKE INSERT ON procure.case_notes FROM procure_admin;
ALTER POLICY case_notes_staff_insert ON procure.case_notes TO procure_finance;

-- ---------------------------------------------------------------------------
-- 5. import_orders_apply: dates and numbers are validated from their text.
-- The staging table's order_date, qty and price are read as text (procure
-- creates them as text; a typed table still works, its values are cast), so
-- 'infinity', '10000-01-01', '2026-3-1' and '1e2' are refused like `po create`
-- refuses them.
-- ---------------------------------------------------------------------------

-- A calendar date written exactly YYYY-MM-DD (years 0001–9999), else NULL.
CREATE FUNCTION procure.strict_date(p text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
               CASE WHEN substr(p, 1, 4)::integer >= 1 AND substr(p, 6, 2)::integer BETWEEN 1 AND 12 THEN
                   CASE WHEN substr(p, 9, 2)::integer BETWEEN 1 AND extract(day FROM
                             make_date(substr(p, 1, 4)::integer, substr(p, 6, 2)::integer, 1)
                             + interval '1 month - 1 day')::integer
                        THEN p::date END
               END
           END
$$;

-- A plain decimal (digits, one optional point, an optional sign; at most 60
-- characters, as the CLI accepts), else NULL.
CREATE FUNCTION procure.strict_numeric(p text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN length(p) <= 61 AND p ~ '^[-+]?[0-9]+(\.[0-9]+)?$' THEN p::numeric END $$;

GRANT EXECUTE ON FUNCTION procure.strict_date(text), procure.strict_numeric(text) TO procure_buyer;

CREATE OR REPLACE FUNCTION procure.import_orders_apply() RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    bad record;
    v_orders bigint;
    v_lines bigint;
    v_discount numeric;
    v_state text;
    v_constraint text;
    v_message text;
BEGIN
    IF to_regclass('pg_temp.import_staging') IS NULL THEN
        PERFORM procure.fail('invalid_argument', 'import: the TEMP table import_staging does not exist');
    END IF;
    SELECT max_discount INTO v_discount FROM procure.users WHERE name = current_user::text COLLATE "default";

    -- the typed view of the staging rows; a value that is not exactly a date or a
    -- plain decimal stays NULL here and is reported below from its text
    CREATE TEMP TABLE import_typed ON COMMIT DROP AS
    SELECT st.row_no, st.number, st.supplier, st.sku,
           nullif(st.order_date::text, '') AS date_text, procure.strict_date(nullif(st.order_date::text, '')) AS order_date,
           nullif(st.qty::text, '') AS qty_text, procure.strict_numeric(nullif(st.qty::text, '')) AS qty,
           nullif(st.price::text, '') AS price_text, procure.strict_numeric(nullif(st.price::text, '')) AS price
      FROM pg_temp.import_staging st;
    -- fresh statistics, so the joins below are planned for this file's size
    ANALYZE pg_temp.import_typed;

    SELECT x.row_no, x.problem INTO bad
      FROM (SELECT s.row_no,
                   CASE
                   WHEN s.row_no IS NULL THEN
                       'invalid_argument|a row has no row number'
                   WHEN s.number IS NULL OR btrim(s.number) = '' OR s.number <> btrim(s.number) THEN
                       'invalid_argument|order number is missing or has surrounding blanks'
                   WHEN s.date_text IS NOT NULL AND s.order_date IS NULL THEN
                       format('invalid_argument|date %s is not a calendar date written YYYY-MM-DD', s.date_text)
                   WHEN s.qty_text IS NOT NULL AND s.qty IS NULL THEN
                       format('invalid_argument|quantity %s of %s is not a plain decimal number', s.qty_text, s.sku)
                   WHEN s.price_text IS NOT NULL AND s.price IS NULL THEN
                       format('invalid_argument|price %s of %s is not a plain decimal number', s.price_text, s.sku)
                   WHEN sup.id IS NULL THEN
                       format('not_found|supplier %s not found', coalesce(s.supplier, '(missing)'))
                   WHEN s.supplier_min IS DISTINCT FROM s.supplier_max OR s.date_min IS DISTINCT FROM s.date_max THEN
                       format('invalid_argument|the rows of order %s name different suppliers or dates', s.number)
                   WHEN s.line_no = 1 AND procure.order_exists(s.number) THEN
                       format('orders_number_key|order number %s already exists', s.number)
                   WHEN i.id IS NULL THEN
                       format('not_found|item %s not found', coalesce(s.sku, '(missing)'))
                   WHEN s.qty IS NULL OR s.qty <= 0 OR s.qty >= 1e15 THEN
                       format('invalid_argument|quantity %s of %s must be above zero', coalesce(s.qty::text, '(missing)'), s.sku)
                   WHEN s.qty <> round(s.qty, 3) THEN
                       format('qty_check|quantity %s of %s has more than 3 decimals', s.qty, s.sku)
                   WHEN s.price < 0 OR s.price >= 1e15 THEN
                       format('invalid_argument|price %s of %s must be zero or more', s.price, s.sku)
                   WHEN s.price <> round(s.price, 4) THEN
                       format('price_check|price %s of %s has more than 4 decimals', s.price, s.sku)
                   WHEN pp.price IS NULL THEN
                       format('no_base_price|supplier %s has no base price for %s on %s', sup.code, s.sku,
                              coalesce(s.order_date, current_date))
                   WHEN s.price > pp.price THEN
                       format('price_above_base|order %s line %s (%s): price %s is above the base price %s in force on %s',
                              s.number, s.line_no, s.sku, s.price, procure.fmt_price(pp.price),
                              coalesce(s.order_date, current_date))
                   WHEN v_discount IS NOT NULL AND coalesce(s.price, pp.price) < pp.price * (1 - v_discount / 100) THEN
                       format('price_below_limit|order %s line %s (%s): price %s is below %s''s limit %s (base %s less max discount %s%%)',
                              s.number, s.line_no, s.sku, s.price, current_user,
                              procure.fmt_price(pp.price * (1 - v_discount / 100)), procure.fmt_price(pp.price),
                              procure.fmt_pct(v_discount))
                   END AS problem
              FROM (SELECT st.*,
                           row_number() OVER w AS line_no,
                           min(st.supplier) OVER w AS supplier_min, max(st.supplier) OVER w AS supplier_max,
                           min(coalesce(st.order_date, current_date)) OVER w AS date_min,
                           max(coalesce(st.order_date, current_date)) OVER w AS date_max
                      FROM pg_temp.import_typed st
                    WINDOW w AS (PARTITION BY st.number ORDER BY st.row_no
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) s
              LEFT JOIN procure.suppliers sup ON sup.code = s.supplier
              LEFT JOIN procure.items i ON i.sku = s.sku
              LEFT JOIN procure.price_periods pp
                ON pp.supplier_id = sup.id AND pp.item_id = i.id AND pp.valid @> coalesce(s.order_date, current_date)) x
     WHERE x.problem IS NOT NULL
     ORDER BY x.row_no NULLS FIRST
     LIMIT 1;
    IF FOUND THEN
        v_constraint := split_part(bad.problem, '|', 1);
        RAISE EXCEPTION USING
            MESSAGE = format('row %s: %s', coalesce(bad.row_no::text, '?'), substr(bad.problem, length(v_constraint) + 2)),
            ERRCODE = CASE v_constraint
                WHEN 'not_found' THEN 'P0002'
                WHEN 'invalid_argument' THEN '22023'
                WHEN 'orders_number_key' THEN '23505'
                ELSE '23514' END,
            CONSTRAINT = v_constraint;
    END IF;

    BEGIN
        INSERT INTO procure.orders (supplier_id, number, buyer, order_date)
        SELECT DISTINCT ON (s.number) sup.id, s.number, current_user, coalesce(s.order_date, current_date)
          FROM pg_temp.import_typed s
          JOIN procure.suppliers sup ON sup.code = s.supplier
         ORDER BY s.number, s.row_no;
        GET DIAGNOSTICS v_orders = ROW_COUNT;

        INSERT INTO procure.order_lines (supplier_id, order_id, line_no, item_id, qty, price)
        SELECT o.supplier_id, o.id,
               row_number() OVER (PARTITION BY s.number ORDER BY s.row_no)::integer,
               i.id, s.qty, s.price
          FROM pg_temp.import_typed s
          JOIN procure.orders o ON o.number = s.number
          JOIN procure.items i ON i.sku = s.sku
         ORDER BY s.number, s.row_no;
        GET DIAGNOSTICS v_lines = ROW_COUNT;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_constraint = CONSTRAINT_NAME, v_message = MESSAGE_TEXT;
        RAISE EXCEPTION USING MESSAGE = 'import: ' || v_message, ERRCODE = v_state,
                              CONSTRAINT = coalesce(v_constraint, '');
    END;
    DROP TABLE pg_temp.import_typed;
    RETURN jsonb_build_object('orders', v_orders, 'lines', v_lines);
END
$$;
