-- 0013_user_names: user_add accepts any valid role name (spaces, capitals, quotes).
-- 0001 cast the name with ::regrole, which parses it as an SQL identifier: "Mary Smith"
-- failed with 42602 and "MixedCase" was folded to lower case. The role is now looked up by name.

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
             WHERE m.roleid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'procure_' || g) AND m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = p_name)) THEN
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
