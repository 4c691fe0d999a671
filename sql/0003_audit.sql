-- 0003_audit: append-only, hash-chained audit log written only by triggers.
--
-- One chain per order ('order:' || number: the order, its lines, payments,
-- production reports, correction, liability and case notes), per supplier's
-- price list ('prices:' || supplier code), per supplier ('supplier:' || code),
-- per item ('item:' || sku) and per user ('user:' || name). Writers of one
-- chain serialise on pg_advisory_xact_lock(hashtextextended(chain, 0));
-- writers of different chains never wait on each other.
--
-- hash = sha256(prev_hash || audit_content(row)) in hex, prev_hash of a
-- chain's first row is NULL (hashed as '').

CREATE TABLE procure.audit_log (
    id         bigserial,
    chain      text NOT NULL,
    seq        bigint NOT NULL,
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    table_name text NOT NULL,
    op         text NOT NULL,
    entity     text NOT NULL,
    old        jsonb,
    new        jsonb,
    prev_hash  text,
    hash       text NOT NULL,
    CONSTRAINT audit_log_pkey PRIMARY KEY (id),
    CONSTRAINT audit_log_chain_seq_key UNIQUE (chain, seq),
    CONSTRAINT audit_log_op_check CHECK (op IN ('INSERT', 'UPDATE', 'DELETE'))
);
CREATE INDEX audit_log_at_idx ON procure.audit_log (at);

CREATE TYPE procure.audit_entry AS (chain text, entity text, old jsonb, new jsonb);

-- The canonical text of a row's content that the hash covers.
CREATE FUNCTION procure.audit_content(p_chain text, p_seq bigint, p_at timestamptz, p_actor text,
                                      p_table text, p_op text, p_entity text, p_old jsonb, p_new jsonb) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT jsonb_build_array(p_chain, p_seq, extract(epoch FROM p_at), p_actor, p_table, p_op, p_entity, p_old, p_new)::text
$$;

CREATE FUNCTION procure.audit_hash(p_prev text, p_content text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT encode(sha256(convert_to(coalesce(p_prev, '') || p_content, 'UTF8')), 'hex') $$;

-- Running chain hash as an aggregate: audit_chain(prev_of_first, content)
-- OVER (PARTITION BY chain ORDER BY seq) gives each row's hash.
CREATE FUNCTION procure.audit_chain_step(p_state text, p_prev text, p_content text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT procure.audit_hash(coalesce(p_state, p_prev), p_content) $$;

CREATE AGGREGATE procure.audit_chain(text, text) (
    SFUNC = procure.audit_chain_step,
    STYPE = text
);

-- Chain and entity of a changed row.
CREATE FUNCTION procure.audit_locate(p_table text, p_old jsonb, p_new jsonb) RETURNS procure.audit_entry
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    j jsonb := coalesce(p_new, p_old);
    r procure.audit_entry;
    v_number text;
BEGIN
    r.old := p_old;
    r.new := p_new;
    CASE p_table
    WHEN 'orders' THEN
        r.chain := 'order:' || (j ->> 'number');
        r.entity := j ->> 'number';
    WHEN 'suppliers' THEN
        r.chain := 'supplier:' || (j ->> 'code');
        r.entity := j ->> 'code';
    WHEN 'items' THEN
        r.chain := 'item:' || (j ->> 'sku');
        r.entity := j ->> 'sku';
    WHEN 'users' THEN
        r.chain := 'user:' || (j ->> 'name');
        r.entity := j ->> 'name';
    WHEN 'price_periods' THEN
        r.chain := 'prices:' || coalesce((SELECT code FROM procure.suppliers WHERE id = (j ->> 'supplier_id')::bigint),
                                         j ->> 'supplier_id');
        r.entity := coalesce((SELECT sku FROM procure.items WHERE id = (j ->> 'item_id')::bigint), j ->> 'item_id')
                    || ' ' || (j ->> 'valid');
    ELSE
        SELECT number INTO v_number FROM procure.orders
         WHERE supplier_id = (j ->> 'supplier_id')::bigint AND id = (j ->> 'order_id')::bigint;
        v_number := coalesce(v_number, (j ->> 'supplier_id') || '/' || (j ->> 'order_id'));
        r.chain := 'order:' || v_number;
        r.entity := v_number || CASE p_table
            WHEN 'order_lines' THEN ' line ' || (j ->> 'line_no')
            WHEN 'payments' THEN ' payment ' || (j ->> 'id')
            WHEN 'production_reports' THEN ' line ' || (j ->> 'line_no') || ' report ' || (j ->> 'id')
            WHEN 'corrections' THEN ' correction'
            WHEN 'liabilities' THEN ' liability'
            WHEN 'case_notes' THEN ' note ' || (j ->> 'id')
            ELSE ' ' || p_table END;
    END CASE;
    RETURN r;
END
$$;

-- The primary key of a row as text (pairs old and new rows of an UPDATE).
CREATE FUNCTION procure.audit_pk(p_table text, j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE p_table
        WHEN 'users' THEN j ->> 'name'
        WHEN 'suppliers' THEN j ->> 'id'
        WHEN 'items' THEN j ->> 'id'
        WHEN 'order_lines' THEN (j ->> 'supplier_id') || '/' || (j ->> 'order_id') || '/' || (j ->> 'line_no')
        WHEN 'liabilities' THEN (j ->> 'supplier_id') || '/' || (j ->> 'correction_id')
        ELSE (j ->> 'supplier_id') || '/' || (j ->> 'id') END
$$;

-- Appends entries to their chains (set-based; one advisory lock per chain,
-- taken in chain order).
CREATE FUNCTION procure.audit_append(p_table text, p_op text, p_entries procure.audit_entry[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    c text;
    v_actor text := procure.actor();
    v_at timestamptz := clock_timestamp();
BEGIN
    IF p_entries IS NULL OR cardinality(p_entries) = 0 THEN
        RETURN;
    END IF;
    FOR c IN SELECT DISTINCT e.chain FROM unnest(p_entries) e ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended(c, 0));
    END LOOP;
    -- a new statement: its snapshot sees the chain heads committed before we got the locks
    INSERT INTO procure.audit_log (chain, seq, at, actor, table_name, op, entity, old, new, prev_hash, hash)
    SELECT x.chain, x.seq, v_at, v_actor, p_table, p_op, x.entity, x.old, x.new,
           coalesce(lag(x.h) OVER w, x.head_hash), x.h
      FROM (SELECT e.*,
                   procure.audit_chain(e.head_hash,
                       procure.audit_content(e.chain, e.seq, v_at, v_actor, p_table, p_op, e.entity, e.old, e.new))
                       OVER (PARTITION BY e.chain ORDER BY e.seq) AS h
              FROM (SELECT u.chain, u.entity, u.old, u.new, hd.hash AS head_hash,
                           coalesce(hd.seq, 0) + row_number() OVER (PARTITION BY u.chain ORDER BY u.ord) AS seq
                      FROM unnest(p_entries) WITH ORDINALITY AS u(chain, entity, old, new, ord)
                      LEFT JOIN LATERAL (SELECT a.seq, a.hash FROM procure.audit_log a
                                          WHERE a.chain = u.chain ORDER BY a.seq DESC LIMIT 1) hd ON true) e) x
    WINDOW w AS (PARTITION BY x.chain ORDER BY x.seq)
    ORDER BY x.chain, x.seq;
END
$$;

-- Statement-level trigger (one per table and event, with transition tables
-- old_rows / new_rows).
CREATE FUNCTION procure.audit_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    e procure.audit_entry[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(procure.audit_locate(TG_TABLE_NAME, NULL, s.j) ORDER BY s.ord) INTO e
          FROM (SELECT to_jsonb(n) AS j, row_number() OVER () AS ord FROM new_rows n) s;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(procure.audit_locate(TG_TABLE_NAME, s.j, NULL) ORDER BY s.ord) INTO e
          FROM (SELECT to_jsonb(o) AS j, row_number() OVER () AS ord FROM old_rows o) s;
    ELSE
        SELECT array_agg(procure.audit_locate(TG_TABLE_NAME, o.j, n.j) ORDER BY coalesce(n.ord, o.ord)) INTO e
          FROM (SELECT to_jsonb(x) AS j, row_number() OVER () AS ord FROM old_rows x) o
          FULL JOIN (SELECT to_jsonb(y) AS j, row_number() OVER () AS ord FROM new_rows y) n
            ON procure.audit_pk(TG_TABLE_NAME, o.j) = procure.audit_pk(TG_TABLE_NAME, n.j)
         WHERE o.j IS DISTINCT FROM n.j;
    END IF;
    PERFORM procure.audit_append(TG_TABLE_NAME, TG_OP, e);
    RETURN NULL;
END
$$;

DO $attach$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['suppliers', 'items', 'price_periods', 'users', 'orders', 'order_lines',
                             'payments', 'production_reports', 'corrections', 'liabilities', 'case_notes'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON procure.%I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger()', t || '_audit_insert', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON procure.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger()', t || '_audit_update', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON procure.%I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger()', t || '_audit_delete', t);
    END LOOP;
END
$attach$;

-- Append-only: no UPDATE, DELETE or TRUNCATE by anyone through ordinary
-- statements, and INSERT only from the audit trigger.
CREATE FUNCTION procure.audit_log_guard() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' AND pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = format('procure.audit_log is append-only and written by the audit triggers only (%s refused)', TG_OP),
        ERRCODE = '42501', CONSTRAINT = 'permission_denied';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON procure.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_log_guard();

-- audit_verify(): recomputes every chain.
CREATE FUNCTION procure.audit_verify() RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_rows bigint;
    v_chains bigint;
    v_bad jsonb;
BEGIN
    SELECT count(*), count(DISTINCT chain) INTO v_rows, v_chains FROM procure.audit_log;
    SELECT jsonb_build_object('id', b.id, 'chain', b.chain, 'seq', b.seq, 'reason', b.reason) INTO v_bad
      FROM (SELECT a.id, a.chain, a.seq,
                   CASE WHEN a.seq IS DISTINCT FROM coalesce(a.prev_seq, 0) + 1
                            THEN format('sequence gap: expected seq %s, found %s (rows removed or inserted)',
                                        coalesce(a.prev_seq, 0) + 1, a.seq)
                        WHEN a.prev_hash IS DISTINCT FROM a.exp_prev
                            THEN 'prev_hash does not match the previous row''s hash (chain broken)'
                        WHEN a.hash IS DISTINCT FROM a.exp_hash
                            THEN 'hash does not match the row''s content (row altered)'
                   END AS reason
              FROM (SELECT l.id, l.chain, l.seq, l.hash, l.prev_hash,
                           lag(l.hash) OVER w AS exp_prev,
                           lag(l.seq) OVER w AS prev_seq,
                           procure.audit_hash(l.prev_hash, procure.audit_content(l.chain, l.seq, l.at, l.actor,
                               l.table_name, l.op, l.entity, l.old, l.new)) AS exp_hash
                      FROM procure.audit_log l
                    WINDOW w AS (PARTITION BY l.chain ORDER BY l.seq)) a) b
     WHERE b.reason IS NOT NULL
     ORDER BY b.id
     LIMIT 1;
    RETURN jsonb_build_object('ok', v_bad IS NULL, 'rows', v_rows, 'chains', v_chains, 'first_bad', v_bad);
END
$$;

-- history(number): the order's chain, oldest first. Buyers see their own
-- orders' history only; finance, admin, auditor (and superusers) any.
CREATE FUNCTION procure.history(p_number text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_actor text := procure.actor();
    v_buyer text;
    v_chain text := 'order:' || p_number;
BEGIN
    SELECT buyer INTO v_buyer FROM procure.orders WHERE number = p_number;
    IF NOT FOUND THEN
        -- a deleted draft still has its history
        SELECT new ->> 'buyer' INTO v_buyer FROM procure.audit_log
         WHERE chain = v_chain AND table_name = 'orders' ORDER BY seq LIMIT 1;
        IF v_buyer IS NULL THEN
            PERFORM procure.fail('not_found', format('order %s not found', p_number));
        END IF;
    END IF;
    IF v_buyer IS DISTINCT FROM v_actor AND NOT procure.actor_is('procure_finance')
       AND NOT procure.actor_is('procure_admin') AND NOT procure.actor_is('procure_auditor') THEN
        PERFORM procure.fail('permission_denied',
            format('order %s belongs to another buyer; %s may not read its history', p_number, v_actor));
    END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'seq', seq, 'at', at, 'actor', actor, 'table', table_name, 'op', op,
                   'entity', entity, 'old', old, 'new', new) ORDER BY seq)
          FROM procure.audit_log WHERE chain = v_chain), '[]'::jsonb);
END
$$;
