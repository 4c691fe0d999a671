-- Helpers every area uses: who acts, how a rule violation is raised, how exact
-- decimals are read and printed, and idempotency keys.

-- Does the acting role act at all? Only a registered user (a row of procure.users whose role
-- is a member of its group), the everyday connecting role (procure_cli, the one member of
-- procure_act_as, through which it may become any user) or a superuser does. A group role itself (SET ROLE procure_buyer)
-- or a role that was made a member of a group by hand holds the group's grants but acts on
-- nothing: the policies, the triggers and actor_is all ask this first. PL/pgSQL, not SQL: a
-- policy's InitPlan calls it once per statement, and a non-inlined SQL function would be
-- planned again at every call.
CREATE FUNCTION procure.actor_registered() RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor text := procure.actor();
BEGIN
    IF procure.is_user(v_actor) OR pg_catalog.pg_has_role(v_actor, 'procure_act_as', 'MEMBER') THEN
        RETURN true;
    END IF;
    RETURN coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r
                      WHERE r.rolname OPERATOR(pg_catalog.=) v_actor::pg_catalog.name), false);
END
$$;

-- Does the acting role act with the group role's privileges (superusers have all)? It must act
-- at all (actor_registered), and USAGE, not MEMBER: procure_cli is a member of every user's role
-- through the NOINHERIT procure_act_as, so that it may SET ROLE to them, and must not count as
-- their groups itself.
CREATE FUNCTION procure.actor_is(p_group text) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT procure.actor_registered() AND pg_catalog.pg_has_role(procure.actor(), p_group, 'USAGE'));
END
$$;

-- The acting user for the rest of the transaction (the CLI's --as): a registered user, or NULL
-- for the session's own role. Anything else — a group role, a PostgreSQL role that is not a
-- procure user, a name that does not exist — is not_found: --as names a user.
CREATE FUNCTION procure.act_as(p_user text) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF p_user IS NOT NULL AND NOT procure.is_user(p_user) THEN
        IF procure.is_inactive_user(p_user) THEN
            PERFORM procure.fail('permission_denied', pg_catalog.format(
                'this user may not use procure: it is inactive (an admin runs user set %s --active true)', p_user));
        END IF;
        PERFORM procure.fail('not_found', pg_catalog.format('user %s not found', p_user));
    END IF;
    PERFORM pg_catalog.set_config('role', coalesce(p_user, 'none'), true);
END
$$;

-- Is p_name a user that an admin set inactive (user set --active false)?
CREATE FUNCTION procure.is_inactive_user(p_name text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (SELECT EXISTS (SELECT 1 FROM procure.users u WHERE u.name = p_name AND NOT u.active));
END
$$;

-- Is p_name a registered user (a row of procure.users and a member of its group)?
-- SECURITY DEFINER: a buyer reads only its own row of procure.users.
CREATE FUNCTION procure.is_user(p_name text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM procure.users u
                    WHERE u.name = p_name
                      AND pg_catalog.pg_has_role(u.name, 'procure_' || u.role, 'MEMBER'));
END
$$;

-- The supplier the acting role belongs to, when it is a supplier user; else NULL.
-- SECURITY DEFINER: a supplier user may not read procure.users.
CREATE FUNCTION procure.actor_supplier_id() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (SELECT supplier_id FROM procure.users WHERE name = procure.actor() AND role = 'supplier');
END
$$;

-- Does the acting supplier user see this order-side row: its own supplier's, and the order is
-- not a draft? The supplier policies of the order-side tables call this.
CREATE FUNCTION procure.supplier_sees(p_supplier_id bigint, p_order_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (SELECT p_supplier_id = procure.actor_supplier_id()
       AND EXISTS (SELECT 1 FROM procure.orders o
                    WHERE o.supplier_id = p_supplier_id AND o.id = p_order_id AND o.status <> 'draft'));
END
$$;

-- Raise a rule violation with the stable error code as the constraint name.
CREATE FUNCTION procure.fail(p_code text, p_message text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = p_message,
        ERRCODE = CASE
            WHEN p_code OPERATOR(pg_catalog.=) 'not_found' THEN 'P0002'
            WHEN p_code OPERATOR(pg_catalog.=) 'permission_denied' THEN '42501'
            WHEN p_code OPERATOR(pg_catalog.=) 'invalid_argument' THEN '22023'
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

-- ---------------------------------------------------------------------------
-- payments, production reports: append-only facts about non-draft orders
-- ---------------------------------------------------------------------------
CREATE FUNCTION procure.refuse_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM procure.fail('invalid_state', pg_catalog.format('%s rows are never updated or deleted', TG_TABLE_NAME));
    RETURN NULL;
END
$$;

-- Is the acting role a superuser?
CREATE FUNCTION procure.actor_is_super() RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r
                      WHERE r.rolname OPERATOR(pg_catalog.=) procure.actor()::pg_catalog.name), false));
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

-- A JSON number or string holding a plain decimal (strict_numeric), as numeric;
-- NULL when absent. A JSON number is already exact (jsonb keeps numbers as
-- numeric); a string must be written in the one grammar: no exponent, no
-- blanks, no NaN or Infinity.
CREATE FUNCTION procure.json_num(p jsonb, p_what text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    v numeric;
BEGIN
    IF p IS NULL OR jsonb_typeof(p) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p) IN ('number', 'string') THEN
        v := procure.strict_numeric(p #>> '{}');
    END IF;
    IF v IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('%s: %s is not a plain decimal number', p_what, p::text));
    END IF;
    RETURN v;
END
$$;

CREATE FUNCTION procure.idempotent_result(p_key text, p_verb text DEFAULT NULL) RETURNS jsonb
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

CREATE FUNCTION procure.idempotent_save(p_key text, p_verb text, p_result jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF p_key IS NULL OR btrim(p_key) = '' THEN
        PERFORM procure.fail('invalid_argument', 'an idempotency key (--key) must not be empty');
    END IF;
    IF NOT (procure.actor_is('procure_buyer') OR procure.actor_is('procure_finance') OR procure.actor_is('procure_admin')
            OR procure.actor_is('procure_supplier')) THEN
        PERFORM procure.fail('permission_denied', format('%s writes nothing, idempotency keys included', procure.actor()));
    END IF;
    INSERT INTO procure.idempotency_keys (key, verb, actor, result)
    VALUES (p_key, coalesce(p_verb, ''), procure.actor(), p_result);
END
$$;

-- json_num for the liability's inputs, where an absent figure is 0.
CREATE FUNCTION procure.jnum0(p jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE
AS $$ SELECT coalesce(procure.json_num(p, 'liability input'), 0) $$;

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

-- The one grammar of a decimal, the same as the CLI's: an optional sign,
-- digits, optionally a point and digits; at most 60 characters. No exponent,
-- no blanks, no NaN or Infinity. NULL for anything else.
CREATE FUNCTION procure.strict_numeric(p text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN length(p) <= 60 AND p ~ '^[-+]?[0-9]+(\.[0-9]+)?$' THEN p::numeric END $$;

CREATE TRIGGER case_notes_immutable BEFORE DELETE OR UPDATE ON procure.case_notes FOR EACH ROW EXECUTE FUNCTION procure.refuse_change();
CREATE TRIGGER corrections_immutable BEFORE DELETE OR UPDATE ON procure.corrections FOR EACH ROW EXECUTE FUNCTION procure.refuse_change();
CREATE TRIGGER payments_immutable BEFORE DELETE OR UPDATE ON procure.payments FOR EACH ROW EXECUTE FUNCTION procure.refuse_change();
CREATE TRIGGER production_reports_immutable BEFORE DELETE OR UPDATE ON procure.production_reports FOR EACH ROW EXECUTE FUNCTION procure.refuse_change();
