-- Users are PostgreSQL roles, members of exactly one procure group, with the
-- buyer's limits in procure.users.

CREATE FUNCTION procure.user_add(p_name text, p_role text, p_max_order_total numeric,
                                 p_max_discount numeric, p_password text, p_supplier text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_actor text := procure.actor();
    v_actor_super boolean;
    r pg_catalog.pg_roles;
    g text;
    u procure.users;
    v_supplier_id bigint;
BEGIN
    SELECT rolsuper INTO v_actor_super FROM pg_catalog.pg_roles WHERE rolname = v_actor;
    v_actor_super := coalesce(v_actor_super, false);
    IF NOT v_actor_super AND NOT procure.actor_is('procure_admin') THEN
        PERFORM procure.fail('permission_denied', format('%s may not add users (admins only)', v_actor));
    END IF;
    IF p_name IS NULL OR p_name = '' OR length(p_name) > 63 OR p_name ~ '^pg_' OR p_name <> btrim(p_name)
       OR p_name IN ('public', 'none', 'procure_buyer', 'procure_finance', 'procure_admin', 'procure_auditor',
                     'procure_supplier', 'procure_owner', 'procure_cli', 'procure_act_as', 'procure_recorder') THEN
        PERFORM procure.fail('invalid_argument', format('%L is not a usable user name', p_name));
    END IF;
    IF p_role IS NULL OR p_role NOT IN ('buyer', 'finance', 'admin', 'auditor', 'supplier') THEN
        PERFORM procure.fail('invalid_argument',
            format('user %s: role %s is not one of buyer, finance, admin, auditor, supplier', p_name, p_role));
    END IF;
    IF (p_role = 'supplier') <> (p_supplier IS NOT NULL) THEN
        PERFORM procure.fail('invalid_argument', CASE WHEN p_role = 'supplier'
            THEN format('user %s: a supplier user names its supplier (--supplier CODE)', p_name)
            ELSE format('user %s: only a supplier user names a supplier (--supplier)', p_name) END);
    END IF;
    IF p_supplier IS NOT NULL THEN
        SELECT id INTO v_supplier_id FROM procure.suppliers WHERE code = p_supplier;
        IF NOT FOUND THEN
            PERFORM procure.fail('not_found', format('user %s: supplier %s not found', p_name, p_supplier));
        END IF;
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
    FOREACH g IN ARRAY ARRAY['buyer', 'finance', 'admin', 'auditor', 'supplier'] LOOP
        IF g <> p_role AND EXISTS (
            SELECT 1 FROM pg_catalog.pg_auth_members m
             WHERE m.roleid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'procure_' || g)
               AND m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = p_name)) THEN
            EXECUTE format('REVOKE %I FROM %I', 'procure_' || g, p_name);
        END IF;
    END LOOP;
    EXECUTE format('GRANT %I TO %I', 'procure_' || p_role, p_name);
    -- the CLI's everyday role acts as any user (--as) through procure_act_as
    IF NOT pg_catalog.pg_has_role('procure_act_as', p_name, 'MEMBER') THEN
        EXECUTE format('GRANT %I TO procure_act_as', p_name);
    END IF;

    INSERT INTO procure.users AS t (name, role, max_order_total, max_discount, supplier_id)
    VALUES (p_name, p_role, p_max_order_total, p_max_discount, v_supplier_id)
    ON CONFLICT (name) DO UPDATE
       SET role = EXCLUDED.role, supplier_id = EXCLUDED.supplier_id,
           max_order_total = coalesce(EXCLUDED.max_order_total, t.max_order_total),
           max_discount = coalesce(EXCLUDED.max_discount, t.max_discount)
    RETURNING t.* INTO u;

    RETURN jsonb_build_object(
        'name', u.name, 'role', u.role,
        'supplier', (SELECT code FROM procure.suppliers WHERE id = u.supplier_id),
        'max_order_total', procure.fmt_amount(u.max_order_total),
        'max_discount', procure.fmt_pct(u.max_discount),
        'login', (SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = u.name));
END
$$;

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
                      AND g.rolname IN ('procure_buyer', 'procure_finance', 'procure_admin', 'procure_auditor', 'procure_supplier'))
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                             JOIN pg_catalog.pg_roles r ON r.oid = m.member
                            WHERE r.rolname = p_name
                              AND g.rolname NOT IN ('procure_buyer', 'procure_finance', 'procure_admin', 'procure_auditor', 'procure_supplier')))
$$;
