-- 0003_audit: append-only, hash-chained audit log written only by triggers.
--
-- One chain per order ('order:' || number: the order, its lines, payments,
-- production reports, correction, liability and case notes), per supplier's
-- price list ('prices:' || supplier code), per supplier ('supplier:' || code),
-- per item ('item:' || sku) and per user ('user:' || name). Writers of one
-- chain serialise on the chain's row in procure.audit_heads (a row lock, held
-- to commit); writers of different chains never wait on each other.
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

-- The head (last seq and hash) of every chain. Writers of a chain lock its
-- head row, so writers of one chain are serialised and writers of different
-- chains never wait on each other; row locks (unlike advisory locks) do not
-- fill the shared lock table when one transaction touches many chains (a bulk
-- import). audit_verify also checks that no row was cut off a chain's end.
CREATE TABLE procure.audit_heads (
    chain text NOT NULL,
    seq   bigint NOT NULL,
    hash  text,
    CONSTRAINT audit_heads_pkey PRIMARY KEY (chain)
);


-- The canonical text of a row's content that the hash covers.
CREATE FUNCTION procure.audit_content(p_chain text, p_seq bigint, p_at timestamptz, p_actor text,
                                      p_table text, p_op text, p_entity text, p_old jsonb, p_new jsonb) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT jsonb_build_array(p_chain, p_seq, extract(epoch FROM p_at), p_actor, p_table, p_op, p_entity, p_old, p_new)::text
$$;

CREATE FUNCTION procure.audit_hash(p_prev text, p_content text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT encode(sha256(convert_to(coalesce(p_prev, '') || p_content, 'UTF8')), 'hex') $$;

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

-- Statement-level audit trigger (one per table and event, with transition
-- tables old_rows / new_rows). Appends the statement's changed rows to their
-- chains: entries of one chain in statement order; the chains' head rows are
-- locked in chain order (two multi-chain writers cannot deadlock on them);
-- one INSERT for all rows, one UPDATE of the heads.
CREATE FUNCTION procure.audit_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    -- TG_TABLE_NAME is a name (collation "C"): keep text in the default
    -- collation, or the audit_log index on chain is not used
    v_table text COLLATE "default" := TG_TABLE_NAME;
    v_actor text COLLATE "default" := procure.actor();
    v_at timestamptz := clock_timestamp();
    a_old jsonb[];
    a_new jsonb[];
    a_chain text[];
    a_entity text[];
    a_seq bigint[];
    a_prev text[];
    a_hash text[];
    n integer;
    i integer;
    v_chain text COLLATE "default";
    v_seq bigint;
    v_hash text;
    h_chain text[];
    h_seq bigint[];
    h_hash text[];
    j integer;
BEGIN
    -- 1. the changed rows, (old, new), in statement order
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(NULL::jsonb), array_agg(to_jsonb(r)) INTO a_old, a_new FROM new_rows r;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(to_jsonb(r)), array_agg(NULL::jsonb) INTO a_old, a_new FROM old_rows r;
    ELSE
        SELECT array_agg(o.j ORDER BY coalesce(nw.ord, o.ord)), array_agg(nw.j ORDER BY coalesce(nw.ord, o.ord))
          INTO a_old, a_new
          FROM (SELECT to_jsonb(x) AS j, row_number() OVER () AS ord FROM old_rows x) o
          FULL JOIN (SELECT to_jsonb(y) AS j, row_number() OVER () AS ord FROM new_rows y) nw
            ON procure.audit_pk(v_table, o.j) = procure.audit_pk(v_table, nw.j)
         WHERE o.j IS DISTINCT FROM nw.j;
    END IF;
    n := coalesce(cardinality(a_old), 0);
    IF n = 0 THEN
        RETURN NULL;
    END IF;

    -- 2. chain and entity of each row, sorted by chain then statement order
    IF v_table = 'orders' THEN
        SELECT array_agg('order:' || (coalesce(u.nw, u.od) ->> 'number') ORDER BY coalesce(u.nw, u.od) ->> 'number', u.ord),
               array_agg(coalesce(u.nw, u.od) ->> 'number' ORDER BY coalesce(u.nw, u.od) ->> 'number', u.ord),
               array_agg(u.od ORDER BY coalesce(u.nw, u.od) ->> 'number', u.ord),
               array_agg(u.nw ORDER BY coalesce(u.nw, u.od) ->> 'number', u.ord)
          INTO a_chain, a_entity, a_old, a_new
          FROM unnest(a_old, a_new) WITH ORDINALITY AS u(od, nw, ord);
    ELSIF v_table IN ('order_lines', 'payments', 'production_reports', 'corrections', 'liabilities', 'case_notes') THEN
        SELECT array_agg('order:' || t.num ORDER BY t.num, t.ord),
               array_agg(t.num || CASE v_table
                   WHEN 'order_lines' THEN ' line ' || (t.j ->> 'line_no')
                   WHEN 'payments' THEN ' payment ' || (t.j ->> 'id')
                   WHEN 'production_reports' THEN ' line ' || (t.j ->> 'line_no') || ' report ' || (t.j ->> 'id')
                   WHEN 'corrections' THEN ' correction'
                   WHEN 'liabilities' THEN ' liability'
                   ELSE ' note ' || (t.j ->> 'id') END ORDER BY t.num, t.ord),
               array_agg(t.od ORDER BY t.num, t.ord),
               array_agg(t.nw ORDER BY t.num, t.ord)
          INTO a_chain, a_entity, a_old, a_new
          FROM (SELECT u.od, u.nw, u.ord, coalesce(u.nw, u.od) AS j,
                       coalesce(o.number, (coalesce(u.nw, u.od) ->> 'supplier_id') || '/'
                                          || (coalesce(u.nw, u.od) ->> 'order_id')) AS num
                  FROM unnest(a_old, a_new) WITH ORDINALITY AS u(od, nw, ord)
                  LEFT JOIN procure.orders o
                    ON o.supplier_id = (coalesce(u.nw, u.od) ->> 'supplier_id')::bigint
                   AND o.id = (coalesce(u.nw, u.od) ->> 'order_id')::bigint) t;
    ELSIF v_table = 'price_periods' THEN
        SELECT array_agg('prices:' || t.code ORDER BY t.code, t.ord),
               array_agg(t.sku || ' ' || (t.j ->> 'valid') ORDER BY t.code, t.ord),
               array_agg(t.od ORDER BY t.code, t.ord),
               array_agg(t.nw ORDER BY t.code, t.ord)
          INTO a_chain, a_entity, a_old, a_new
          FROM (SELECT u.od, u.nw, u.ord, coalesce(u.nw, u.od) AS j,
                       coalesce(s.code, coalesce(u.nw, u.od) ->> 'supplier_id') AS code,
                       coalesce(i.sku, coalesce(u.nw, u.od) ->> 'item_id') AS sku
                  FROM unnest(a_old, a_new) WITH ORDINALITY AS u(od, nw, ord)
                  LEFT JOIN procure.suppliers s ON s.id = (coalesce(u.nw, u.od) ->> 'supplier_id')::bigint
                  LEFT JOIN procure.items i ON i.id = (coalesce(u.nw, u.od) ->> 'item_id')::bigint) t;
    ELSE
        -- suppliers (code), items (sku), users (name)
        SELECT array_agg(t.kind || ':' || t.k ORDER BY t.k, t.ord),
               array_agg(t.k ORDER BY t.k, t.ord),
               array_agg(t.od ORDER BY t.k, t.ord),
               array_agg(t.nw ORDER BY t.k, t.ord)
          INTO a_chain, a_entity, a_old, a_new
          FROM (SELECT u.od, u.nw, u.ord,
                       CASE v_table WHEN 'suppliers' THEN 'supplier' WHEN 'items' THEN 'item' ELSE 'user' END AS kind,
                       coalesce(u.nw, u.od) ->> CASE v_table WHEN 'suppliers' THEN 'code' WHEN 'items' THEN 'sku'
                                                             ELSE 'name' END AS k
                  FROM unnest(a_old, a_new) WITH ORDINALITY AS u(od, nw, ord)) t;
    END IF;

    -- 3. lock the heads of the statement's chains (creating new ones), in
    --    chain order; a writer of the same chain waits here until we commit,
    --    then reads our head (READ COMMITTED: ON CONFLICT DO UPDATE sees the
    --    latest committed version)
    WITH h AS (
        INSERT INTO procure.audit_heads AS t (chain, seq, hash)
        SELECT DISTINCT c.chain, 0, NULL::text FROM unnest(a_chain) AS c(chain) ORDER BY 1
        ON CONFLICT (chain) DO UPDATE SET seq = t.seq
        RETURNING t.chain, t.seq, t.hash)
    SELECT array_agg(h.chain ORDER BY h.chain), array_agg(h.seq ORDER BY h.chain), array_agg(h.hash ORDER BY h.chain)
      INTO h_chain, h_seq, h_hash
      FROM h;

    -- 4. hash the rows in order, chain by chain
    a_seq := array_fill(NULL::bigint, ARRAY[n]);
    a_prev := array_fill(NULL::text, ARRAY[n]);
    a_hash := array_fill(NULL::text, ARRAY[n]);
    j := 0;
    FOR i IN 1 .. n LOOP
        IF v_chain IS DISTINCT FROM a_chain[i] THEN
            IF j > 0 THEN
                h_seq[j] := v_seq;
                h_hash[j] := v_hash;
            END IF;
            v_chain := a_chain[i];
            j := j + 1;
            WHILE h_chain[j] IS DISTINCT FROM v_chain LOOP
                j := j + 1;
            END LOOP;
            v_seq := h_seq[j];
            v_hash := h_hash[j];
        END IF;
        v_seq := v_seq + 1;
        a_seq[i] := v_seq;
        a_prev[i] := v_hash;
        v_hash := procure.audit_hash(v_hash, procure.audit_content(v_chain, v_seq, v_at, v_actor, v_table, TG_OP,
                                                                   a_entity[i], a_old[i], a_new[i]));
        a_hash[i] := v_hash;
    END LOOP;
    h_seq[j] := v_seq;
    h_hash[j] := v_hash;

    UPDATE procure.audit_heads t SET seq = u.seq, hash = u.hash
      FROM unnest(h_chain, h_seq, h_hash) AS u(chain, seq, hash)
     WHERE t.chain = u.chain;
    INSERT INTO procure.audit_log (chain, seq, at, actor, table_name, op, entity, old, new, prev_hash, hash)
    SELECT u.chain, u.seq, v_at, v_actor, v_table, TG_OP, u.entity, u.od, u.nw, u.prev, u.hash
      FROM unnest(a_chain, a_seq, a_entity, a_old, a_new, a_prev, a_hash) AS u(chain, seq, entity, od, nw, prev, hash);
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
    -- the audit trigger's own statements run at trigger depth 2 or more
    IF pg_trigger_depth() > 1 AND (TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_heads')) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = format('procure.%s is append-only and written by the audit triggers only (%s refused)',
                         TG_TABLE_NAME, TG_OP),
        ERRCODE = '42501', CONSTRAINT = 'permission_denied';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON procure.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_log_guard();
CREATE TRIGGER audit_heads_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON procure.audit_heads
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
                        WHEN a.next_seq IS NULL AND (h.chain IS NULL OR h.seq <> a.seq OR h.hash IS DISTINCT FROM a.hash)
                            THEN format('the chain''s head says seq %s: rows removed from its end', h.seq)
                   END AS reason
              FROM (SELECT l.id, l.chain, l.seq, l.hash, l.prev_hash,
                           lag(l.hash) OVER w AS exp_prev,
                           lag(l.seq) OVER w AS prev_seq,
                           lead(l.seq) OVER w AS next_seq,
                           procure.audit_hash(l.prev_hash, procure.audit_content(l.chain, l.seq, l.at, l.actor,
                               l.table_name, l.op, l.entity, l.old, l.new)) AS exp_hash
                      FROM procure.audit_log l
                    WINDOW w AS (PARTITION BY l.chain ORDER BY l.seq)) a
              LEFT JOIN procure.audit_heads h ON h.chain = a.chain
            UNION ALL
            SELECT NULL, h.chain, h.seq, 'the chain has a head but no rows (rows removed)'
              FROM procure.audit_heads h
             WHERE h.seq > 0 AND NOT EXISTS (SELECT 1 FROM procure.audit_log l WHERE l.chain = h.chain)) b
     WHERE b.reason IS NOT NULL
     ORDER BY b.id NULLS LAST
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
