-- Users are PostgreSQL roles, members of exactly one procure group, with the
-- buyer's limits in procure.users.

CREATE FUNCTION procure.user_add(p_name text, p_role text, p_max_order_total numeric,
                                 p_max_discount numeric, p_password text, p_supplier text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_actor text := procure.actor();
    r pg_catalog.pg_roles;
    u procure.users;
    v_supplier_id bigint;
BEGIN
    IF NOT procure.actor_is('procure_admin') THEN
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

    PERFORM procure.arg_num('amount', p_max_order_total, format('user %s --max-order-total', p_name));

    -- A name is added once; its role never changes afterwards, and procure never takes
    -- over a PostgreSQL role of anyone else's (postgres, another application's).
    IF EXISTS (SELECT 1 FROM procure.users WHERE name = p_name) THEN
        PERFORM procure.fail('already_exists', format(
            'user %s already exists (role %s); its limits change with `user set`, its role never changes',
            p_name, (SELECT role FROM procure.users WHERE name = p_name)));
    END IF;
    SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = p_name;
    IF FOUND THEN
        IF NOT procure.adoptable_role(p_name, p_role) THEN
            PERFORM procure.fail('already_exists', format(
                'user %s: the name is taken by an existing PostgreSQL role that procure does not manage; choose another name',
                p_name));
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
            IF NOT procure.adoptable_role(p_name, p_role) THEN
                PERFORM procure.fail('already_exists', format(
                    'user %s: the name is taken by an existing PostgreSQL role that procure does not manage; choose another name',
                    p_name));
            END IF;
            IF p_password IS NOT NULL THEN
                EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_name, p_password);
            END IF;
        END;
    END IF;
    EXECUTE format('GRANT %I TO %I', 'procure_' || p_role, p_name);
    -- the CLI's everyday role acts as any user (--as) through procure_act_as
    IF NOT pg_catalog.pg_has_role('procure_act_as', p_name, 'MEMBER') THEN
        EXECUTE format('GRANT %I TO procure_act_as', p_name);
    END IF;

    INSERT INTO procure.users AS t (name, role, max_order_total, max_discount, supplier_id, login)
    VALUES (p_name, p_role, p_max_order_total, p_max_discount, v_supplier_id,
            (SELECT r2.rolcanlogin FROM pg_catalog.pg_roles r2 WHERE r2.rolname = p_name))
    RETURNING t.* INTO u;

    RETURN procure.user_json(u);
END
$$;

-- An existing role becomes a procure user of this database only when it is
-- one already, with the same role: a member of that one procure group and of
-- nothing else, and no privileged role (a user of another procure database of
-- the cluster). Anything else (postgres, another application's role) is taken.
CREATE FUNCTION procure.adoptable_role(p_name text, p_role text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                    WHERE r.rolname = p_name
                      AND NOT (r.rolsuper OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls))
       AND ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m
                   JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                   JOIN pg_catalog.pg_roles r ON r.oid = m.member
                  WHERE r.rolname = p_name) = ARRAY['procure_' || p_role]
$$;

-- A user as user_add, user_set and user_list print it.
CREATE FUNCTION procure.user_json(u procure.users) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
    SELECT jsonb_build_object(
        'name', u.name, 'role', u.role, 'active', u.active,
        'max_order_total', procure.fmt_amount(u.max_order_total),
        'max_discount', procure.fmt_pct(u.max_discount),
        'login', (SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = u.name))
        -- a supplier user's supplier
        || CASE WHEN u.supplier_id IS NULL THEN '{}'::jsonb
                ELSE jsonb_build_object('of_supplier', (SELECT code FROM procure.suppliers WHERE id = u.supplier_id)) END
$$;

-- A limit as user_set takes it: a plain decimal, or 'none' (no limit, NULL).
CREATE FUNCTION procure.limit_arg(p_text text, p_what text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF p_text IS NULL OR p_text = 'none' THEN
        RETURN NULL;
    END IF;
    IF procure.strict_numeric(p_text) IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('%s: %s is neither a number nor none', p_what, p_text));
    END IF;
    RETURN procure.strict_numeric(p_text);
END
$$;

-- user_set: a buyer's limits ('none' clears one, NULL leaves it) and whether
-- the user may act at all. An inactive user keeps its name and role but leaves
-- its procure group, so that it can neither read nor write anything, and
-- cannot log in; activating it again restores both.
CREATE FUNCTION procure.user_set(p_name text, p_max_order_total text, p_max_discount text, p_active boolean) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    u procure.users;
    v_total numeric;
    v_discount numeric;
BEGIN
    IF NOT procure.actor_is('procure_admin') THEN
        PERFORM procure.fail('permission_denied', format('%s may not change users (admins only)', procure.actor()));
    END IF;
    SELECT * INTO u FROM procure.users WHERE name = p_name FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('user %s not found', p_name));
    END IF;
    v_total := procure.limit_arg(p_max_order_total, format('user %s --max-order-total', p_name));
    PERFORM procure.arg_num('amount', v_total, format('user %s --max-order-total', p_name));
    v_discount := procure.limit_arg(p_max_discount, format('user %s --max-discount', p_name));
    UPDATE procure.users t
       SET max_order_total = CASE WHEN p_max_order_total IS NULL THEN t.max_order_total ELSE v_total END,
           max_discount = CASE WHEN p_max_discount IS NULL THEN t.max_discount ELSE v_discount END,
           active = coalesce(p_active, t.active)
     WHERE t.name = u.name
    RETURNING t.* INTO u;
    IF p_active IS NOT NULL THEN
        IF u.active THEN
            EXECUTE format('GRANT %I TO %I', 'procure_' || u.role, u.name);
            IF u.login THEN
                EXECUTE format('ALTER ROLE %I LOGIN', u.name);
            END IF;
        ELSE
            EXECUTE format('REVOKE %I FROM %I', 'procure_' || u.role, u.name);
            EXECUTE format('ALTER ROLE %I NOLOGIN', u.name);
        END IF;
    END IF;
    RETURN procure.user_json(u);
END
$$;

-- user_list: the users the caller may see (a buyer sees itself), by name.
CREATE FUNCTION procure.user_list() RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
    SELECT coalesce(jsonb_agg(procure.user_json(u) ORDER BY u.name), '[]'::jsonb) FROM procure.users u
$$;
