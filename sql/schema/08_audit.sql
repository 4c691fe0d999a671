-- The audit log: append-only and hash-chained. One chain per order ('order:' ||
-- number: the order, its lines, payments, production reports, correction,
-- liability and case notes), per supplier's price list ('prices:' || code), per
-- supplier, per item and per user. Statement triggers record what changed in
-- audit_pending; at commit audit_commit gathers each chain's changes of the
-- transaction into one row, locks the chains' heads in chain order, hashes
-- (hash = sha256(prev_hash || audit_content(row))) and appends to audit_log, so
-- writers of different chains never wait on each other, and a correction or an
-- imported order is one audit row, not one per changed table row.

-- The canonical text of a row's content that the hash covers.
CREATE FUNCTION procure.audit_content(p_chain text, p_seq bigint, p_at timestamptz, p_actor text, p_changes jsonb)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT jsonb_build_array(p_chain, p_seq, extract(epoch FROM p_at), p_actor, p_changes)::text
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
        WHEN 'settings' THEN j ->> 'key'
        WHEN 'suppliers' THEN j ->> 'id'
        WHEN 'items' THEN j ->> 'id'
        WHEN 'order_lines' THEN (j ->> 'supplier_id') || '/' || (j ->> 'order_id') || '/' || (j ->> 'line_no')
        WHEN 'liabilities' THEN (j ->> 'supplier_id') || '/' || (j ->> 'correction_id')
        ELSE (j ->> 'supplier_id') || '/' || (j ->> 'id') END
$$;

-- What an UPDATE changed in a row: the old and the new values of the columns that differ
-- (the entity names the row). A row without its pair (a changed primary key) is kept whole.
-- PL/pgSQL: its queries' plans are kept for the session, where an SQL function called per row
-- of a trigger's statement would be parsed and planned again at every statement.
CREATE FUNCTION procure.audit_changed(p_old jsonb, p_new jsonb, OUT od jsonb, OUT nw jsonb)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF p_old IS NULL OR p_new IS NULL THEN
        od := p_old;
        nw := p_new;
        RETURN;
    END IF;
    SELECT jsonb_object_agg(e.key, e.value) INTO od FROM jsonb_each(p_old) e WHERE e.value IS DISTINCT FROM p_new -> e.key;
    SELECT jsonb_object_agg(e.key, e.value) INTO nw FROM jsonb_each(p_new) e WHERE e.value IS DISTINCT FROM p_old -> e.key;
END
$$;

-- Statement-level audit trigger: records the statement's changed rows (an
-- UPDATE's old and new paired by primary key, unchanged rows skipped, and of
-- a changed row only the columns that changed, old and new), in
-- statement order, as pending audit rows of this transaction, and registers
-- the transaction for the commit-time write. Set-based: memory stays bounded
-- whatever the statement's size.
-- A generic plan, because a custom plan of the INSERT … SELECT is planned anew
-- for every statement; no JIT, which would compile that plan again each call.
CREATE FUNCTION procure.audit_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
SET plan_cache_mode = force_generic_plan
SET jit = off
AS $$
DECLARE
    -- TG_TABLE_NAME is a name (collation "C"): keep text in the default
    -- collation, or the indexes on text columns are not used
    v_table text COLLATE "default" := TG_TABLE_NAME;
    v_actor text COLLATE "default" := procure.actor();
    v_at timestamptz := clock_timestamp();
    v_xact xid8 := pg_current_xact_id();
    n bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO procure.audit_pending (xact, chain, entity, at, actor, table_name, op, old, new)
        SELECT v_xact, k.chain, k.entity, v_at, v_actor, v_table, 'INSERT', NULL, r.j
          FROM (SELECT to_jsonb(x) AS j FROM new_rows x) r
          CROSS JOIN LATERAL procure.audit_key(v_table, r.j) k;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO procure.audit_pending (xact, chain, entity, at, actor, table_name, op, old, new)
        SELECT v_xact, k.chain, k.entity, v_at, v_actor, v_table, 'DELETE', r.j, NULL
          FROM (SELECT to_jsonb(x) AS j FROM old_rows x) r
          CROSS JOIN LATERAL procure.audit_key(v_table, r.j) k;
    ELSE
        INSERT INTO procure.audit_pending (xact, chain, entity, at, actor, table_name, op, old, new)
        SELECT v_xact, k.chain, k.entity, v_at, v_actor, v_table, 'UPDATE', d.od, d.nw
          FROM (SELECT o.j AS od, nw.j AS nw, coalesce(nw.ord, o.ord) AS ord
                  FROM (SELECT to_jsonb(x) AS j, row_number() OVER () AS ord FROM old_rows x) o
                  FULL JOIN (SELECT to_jsonb(y) AS j, row_number() OVER () AS ord FROM new_rows y) nw
                    ON procure.audit_pk(v_table, o.j) = procure.audit_pk(v_table, nw.j)
                 WHERE o.j IS DISTINCT FROM nw.j) u
          CROSS JOIN LATERAL procure.audit_key(v_table, coalesce(u.nw, u.od)) k
          CROSS JOIN LATERAL procure.audit_changed(u.od, u.nw) d
         ORDER BY u.ord;
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    -- registered once: the statements after the transaction's first skip the insert (and its guard)
    IF n > 0 AND NOT EXISTS (SELECT 1 FROM procure.audit_txn t WHERE t.xact = v_xact) THEN
        INSERT INTO procure.audit_txn (xact) VALUES (v_xact) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

-- Is this statement run by one of procure's own SECURITY DEFINER functions (the audit's)?
-- They run as procure_owner, which nobody logs in as or is a member of; a superuser who sets
-- the role to procure_owner runs ordinary statements as it, and is told apart by the role
-- setting, which SECURITY DEFINER leaves as it was. A privilege, not the trigger depth: a
-- trigger of anyone else's making runs as its invoker (or its own definer), however deeply
-- nested. Every operator and function is qualified and the search_path pinned, so that no
-- shadowing object takes part.
CREATE FUNCTION procure.audit_writer() RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT CURRENT_USER OPERATOR(pg_catalog.=) 'procure_owner'::pg_catalog.name
       AND SESSION_USER OPERATOR(pg_catalog.<>) 'procure_owner'::pg_catalog.name
       AND pg_catalog.current_setting('role') OPERATOR(pg_catalog.<>) 'procure_owner');
END
$$;

-- Append-only: nobody updates, deletes or truncates an audit row, the owner and superusers
-- included; rows are inserted, and chain heads moved, by the audit's own functions alone
-- (audit_writer), and no role has a grant on these tables.
CREATE FUNCTION procure.audit_log_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF procure.audit_writer()
       AND (TG_OP OPERATOR(pg_catalog.=) 'INSERT'
            OR (TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND TG_TABLE_NAME OPERATOR(pg_catalog.=) 'audit_heads'::pg_catalog.name)) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = pg_catalog.format('procure.%s is append-only and written by the audit triggers only (%s refused)',
                                    TG_TABLE_NAME, TG_OP),
        ERRCODE = '42501', CONSTRAINT = 'permission_denied';
END
$$;

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
    IF NOT procure.actor_registered() THEN       -- its answer names orders
        PERFORM procure.fail('permission_denied', format('%s is not a procure user', procure.actor()));
    END IF;
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
                               l.changes)) AS exp_hash
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

-- The digest of a checkpoint's chain heads ([{chain, seq, hash}]): SHA-256 over one line
-- "chain seq hash" per head, in chain order (bytewise).
CREATE FUNCTION procure.audit_heads_digest(p_heads jsonb) RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT encode(sha256(convert_to(coalesce(string_agg(
               (h ->> 'chain') || ' ' || (h ->> 'seq') || ' ' || coalesce(h ->> 'hash', ''), E'\n'
               ORDER BY (h ->> 'chain') COLLATE "C"), ''), 'UTF8')), 'hex')
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_heads) = 'array' THEN p_heads ELSE '[]'::jsonb END) AS h
$$;

-- audit_checkpoint(): every chain's head (its last seq and hash) and their digest, to be kept
-- outside the database. Each hash covers its chain up to there, so a later audit_verify_checkpoint
-- that finds the same hash at the same seq proves that nothing up to it was rewritten.
CREATE FUNCTION procure.audit_checkpoint() RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_heads jsonb;
    v_rows numeric;
BEGIN
    SELECT coalesce(jsonb_agg(jsonb_build_object('chain', h.chain, 'seq', h.seq, 'hash', h.hash)
                              ORDER BY h.chain COLLATE "C"), '[]'::jsonb),
           coalesce(sum(h.seq), 0)
      INTO v_heads, v_rows
      FROM procure.audit_heads h WHERE h.seq > 0;
    RETURN jsonb_build_object('taken_at', clock_timestamp(), 'chains', jsonb_array_length(v_heads), 'rows', v_rows,
                              'digest', procure.audit_heads_digest(v_heads), 'heads', v_heads);
END
$$;

-- audit_verify_checkpoint(checkpoint): audit_verify, and for every head of the checkpoint the
-- row at that seq of that chain still has that hash. A rewrite of anything up to a checkpoint's
-- head — even one whose hashes were all recomputed, by a superuser with the triggers off —
-- changes that hash (or removes the row) and is named; so is a checkpoint whose heads do not
-- give its digest.
CREATE FUNCTION procure.audit_verify_checkpoint(p_checkpoint jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_result jsonb := procure.audit_verify();
    v_heads jsonb := p_checkpoint -> 'heads';
    v_bad jsonb;
BEGIN
    IF jsonb_typeof(p_checkpoint) IS DISTINCT FROM 'object' OR jsonb_typeof(v_heads) IS DISTINCT FROM 'array'
       OR jsonb_typeof(p_checkpoint -> 'digest') IS DISTINCT FROM 'string' THEN
        PERFORM procure.fail('invalid_argument', 'not an audit checkpoint (audit checkpoint writes one: digest and heads)');
    END IF;
    IF p_checkpoint ->> 'digest' <> procure.audit_heads_digest(v_heads) THEN
        v_bad := jsonb_build_object('reason', 'the checkpoint''s heads do not give its digest (the checkpoint was altered)');
    ELSE
        SELECT jsonb_build_object('chain', c.chain, 'seq', c.seq,
                   'reason', CASE WHEN l.id IS NULL THEN 'the row of the checkpoint''s head is gone (rows removed)'
                                  ELSE 'the chain was rewritten up to the checkpoint''s head (its hash differs)' END)
          INTO v_bad
          FROM (SELECT h ->> 'chain' AS chain, (h ->> 'seq')::bigint AS seq, h ->> 'hash' AS hash
                  FROM jsonb_array_elements(v_heads) AS h) c
          LEFT JOIN procure.audit_log l ON l.chain = c.chain AND l.seq = c.seq
         WHERE l.id IS NULL OR l.hash IS DISTINCT FROM c.hash
         ORDER BY c.chain COLLATE "C"
         LIMIT 1;
    END IF;
    RETURN v_result || jsonb_build_object(
        'ok', (v_result ->> 'ok')::boolean AND v_bad IS NULL,
        'checkpoint', jsonb_build_object('taken_at', p_checkpoint -> 'taken_at', 'digest', p_checkpoint ->> 'digest',
                                         'chains', jsonb_array_length(v_heads), 'ok', v_bad IS NULL, 'first_bad', v_bad));
END
$$;

-- history(number): the order's chain, oldest first, including the calling
-- transaction's own changes not yet written (numbered after the chain's
-- committed head). Buyers see their own orders' history only (another
-- buyer's order is not_found); finance, admin, auditor (and superusers) any.
-- An audited row's values as every other verb prints them: prices with 4
-- decimals, amounts with 2, quantities and percentages without trailing zeros,
-- so that history and po show say the same value the same way.
CREATE FUNCTION procure.audit_shown(j jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN j IS NULL OR jsonb_typeof(j) <> 'object' THEN j ELSE (
        SELECT coalesce(jsonb_object_agg(e.key, CASE
                   WHEN jsonb_typeof(e.value) <> 'number' THEN e.value
                   WHEN e.key IN ('price', 'base_price', 'old_price', 'new_price')
                       THEN to_jsonb(procure.fmt_price((e.value #>> '{}')::numeric))
                   WHEN e.key IN ('qty', 'delivered', 'finished', 'in_progress')
                       THEN to_jsonb(procure.fmt_qty((e.value #>> '{}')::numeric))
                   WHEN e.key IN ('amount', 'total', 'settlement', 'wip_cost', 'materials', 'salvage',
                                  'cost_to_complete', 'max_order_total')
                       THEN to_jsonb(procure.fmt_amount((e.value #>> '{}')::numeric))
                   WHEN e.key IN ('max_discount', 'profit_rate')
                       THEN to_jsonb(procure.fmt_pct((e.value #>> '{}')::numeric))
                   ELSE e.value END), '{}'::jsonb)
          FROM jsonb_each(j) e) END
$$;

CREATE FUNCTION procure.history(p_number text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_actor text := procure.actor();
    v_buyer text;
    v_chain text := 'order:' || p_number;
    v_xact xid8 := pg_current_xact_id_if_assigned();
    v_head bigint;
    v_supplier bigint;
    v_hidden text := '';
BEGIN
    SELECT buyer INTO v_buyer FROM procure.orders WHERE number = p_number;
    IF NOT FOUND THEN
        -- a deleted draft still has its history
        SELECT e.new ->> 'buyer' INTO v_buyer FROM procure.audit_entries e
         WHERE e.chain = v_chain AND e.table_name = 'orders' AND e.op = 'INSERT' ORDER BY e.seq LIMIT 1;
        IF v_buyer IS NULL AND v_xact IS NOT NULL THEN
            SELECT new ->> 'buyer' INTO v_buyer FROM procure.audit_pending
             WHERE xact = v_xact AND chain = v_chain AND table_name = 'orders' ORDER BY ord LIMIT 1;
        END IF;
        IF v_buyer IS NULL THEN
            PERFORM procure.fail('not_found', format('order %s not found', p_number));
        END IF;
    END IF;
    v_supplier := procure.actor_supplier_id();
    IF v_supplier IS NOT NULL THEN
        -- a supplier user reads the history of its supplier's orders from issued on, without
        -- the buyer's price-edit attempts
        IF NOT EXISTS (SELECT 1 FROM procure.orders WHERE number = p_number AND supplier_id = v_supplier
                                                      AND status <> 'draft') THEN
            PERFORM procure.fail('not_found', format('order %s not found', p_number));
        END IF;
        v_hidden := 'price_edits';
    ELSIF NOT procure.actor_registered()
       OR (v_buyer IS DISTINCT FROM v_actor AND NOT procure.actor_is('procure_finance')
           AND NOT procure.actor_is('procure_admin') AND NOT procure.actor_is('procure_auditor')) THEN
        -- the same answer as for an order that does not exist
        PERFORM procure.fail('not_found', format('order %s not found', p_number));
    END IF;
    SELECT max(seq) INTO v_head FROM procure.audit_log WHERE chain = v_chain;
    -- the committed entries, then this transaction's own, numbered after the chain's head
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'seq', x.seq, 'at', x.at, 'actor', x.actor, 'table', x.table_name, 'op', x.op,
                   'entity', x.entity, 'old', procure.audit_shown(x.old), 'new', procure.audit_shown(x.new))
                   ORDER BY x.seq, x.n)
          FROM (SELECT e.seq, e.n, e.at, e.actor, e.table_name, e.op, e.entity, e.old, e.new
                  FROM procure.audit_entries e WHERE e.chain = v_chain AND e.table_name <> v_hidden
                UNION ALL
                SELECT coalesce(v_head, 0) + 1, p.ord, p.at, p.actor, p.table_name, p.op, p.entity, p.old, p.new
                  FROM procure.audit_pending p WHERE v_xact IS NOT NULL AND p.xact = v_xact AND p.chain = v_chain
                                                 AND p.table_name <> v_hidden) x), '[]'::jsonb);
END
$$;

-- Only the audit's own functions (audit_writer) write the work tables, INSERT and DELETE;
-- nobody updates or truncates them.
CREATE FUNCTION procure.audit_work_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF procure.audit_writer()
       AND (TG_OP OPERATOR(pg_catalog.=) 'INSERT' OR TG_OP OPERATOR(pg_catalog.=) 'DELETE') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = pg_catalog.format('procure.%s is written by the audit triggers only (%s refused)', TG_TABLE_NAME, TG_OP),
        ERRCODE = '42501', CONSTRAINT = 'permission_denied';
END
$$;

-- No business table is ever truncated: a TRUNCATE fires no row trigger, so it would empty a
-- table without an audit row. Refused for everyone, the owner and superusers included.
CREATE FUNCTION procure.refuse_truncate() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = pg_catalog.format('procure.%s is never truncated (its rows are audited one by one)', TG_TABLE_NAME),
        ERRCODE = '42501', CONSTRAINT = 'permission_denied';
END
$$;

-- Chain and entity of a changed row (the row as JSON).
-- Inlined into the audit trigger's INSERT … SELECT (SQL, STABLE, one SELECT).
CREATE FUNCTION procure.audit_key(p_table text, j jsonb) RETURNS TABLE (chain text, entity text)
LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN p_table = 'orders' THEN 'order:' || (j ->> 'number')
                WHEN k.num IS NOT NULL THEN 'order:' || k.num
                WHEN p_table = 'price_periods' THEN 'prices:' || k.code
                WHEN p_table = 'suppliers' THEN 'supplier:' || (j ->> 'code')
                WHEN p_table = 'items' THEN 'item:' || (j ->> 'sku')
                WHEN p_table = 'settings' THEN 'setting:' || (j ->> 'key')
                ELSE 'user:' || (j ->> 'name') END,
           CASE WHEN p_table = 'orders' THEN j ->> 'number'
                WHEN k.num IS NOT NULL THEN k.num || CASE p_table
                    WHEN 'order_lines' THEN ' line ' || (j ->> 'line_no')
                    WHEN 'payments' THEN ' payment ' || (j ->> 'id')
                    WHEN 'production_reports' THEN ' line ' || (j ->> 'line_no') || ' report ' || (j ->> 'id')
                    WHEN 'corrections' THEN ' correction'
                    WHEN 'liabilities' THEN ' liability'
                    ELSE ' note ' || (j ->> 'id') END
                WHEN p_table = 'price_periods' THEN k.sku || ' ' || (j ->> 'valid')
                WHEN p_table = 'suppliers' THEN j ->> 'code'
                WHEN p_table = 'items' THEN j ->> 'sku'
                WHEN p_table = 'settings' THEN j ->> 'key'
                ELSE j ->> 'name' END
      FROM (SELECT CASE WHEN p_table IN ('order_lines', 'payments', 'production_reports', 'corrections',
                                         'liabilities', 'case_notes')
                        THEN coalesce((SELECT o.number FROM procure.orders o
                                        WHERE o.supplier_id = (j ->> 'supplier_id')::bigint
                                          AND o.id = (j ->> 'order_id')::bigint),
                                      (j ->> 'supplier_id') || '/' || (j ->> 'order_id')) END AS num,
                   CASE WHEN p_table = 'price_periods'
                        THEN coalesce((SELECT s.code FROM procure.suppliers s WHERE s.id = (j ->> 'supplier_id')::bigint),
                                      j ->> 'supplier_id') END AS code,
                   CASE WHEN p_table = 'price_periods'
                        THEN coalesce((SELECT i.sku FROM procure.items i WHERE i.id = (j ->> 'item_id')::bigint),
                                      j ->> 'item_id') END AS sku) k
$$;

-- Appends one slice of audit rows (sorted by chain, each a transaction's changes to its
-- chain) to their chains: the heads of the chains that exist locked in chain order, rows
-- hashed chain by chain, one UPDATE of those heads, one INSERT of the heads of new chains
-- (an order's first audit row: written once, not created and then moved), one INSERT of the
-- rows. A chain continued from the previous slice continues from its head, which this
-- transaction already holds locked.
CREATE FUNCTION procure.audit_append(a_chain text[], a_at timestamptz[], a_actor text[], a_changes jsonb[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
SET jit = off
AS $$
DECLARE
    n integer := coalesce(cardinality(a_chain), 0);
    a_seq bigint[];
    a_prev text[];
    a_hash text[];
    i integer;
    j integer;
    v_chain text COLLATE "default";
    v_seq bigint;
    v_hash text;
    h_chain text[];
    h_seq bigint[];
    h_hash text[];
    h_new boolean[];
    v_new integer;
    v_created integer;
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    -- lock the heads of the chains that exist, in chain order; a writer of the same chain
    -- waits here until we commit, then reads our head (READ COMMITTED rereads a locked row)
    WITH c AS (SELECT DISTINCT x.chain FROM unnest(a_chain) AS x(chain)),
         h AS (SELECT t.chain, t.seq, t.hash FROM procure.audit_heads t
                WHERE t.chain IN (SELECT c.chain FROM c) ORDER BY t.chain FOR UPDATE)
    SELECT array_agg(c.chain ORDER BY c.chain), array_agg(coalesce(h.seq, 0) ORDER BY c.chain),
           array_agg(h.hash ORDER BY c.chain), array_agg(h.chain IS NULL ORDER BY c.chain)
      INTO h_chain, h_seq, h_hash, h_new
      FROM c LEFT JOIN h ON h.chain = c.chain;

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
        -- = procure.audit_hash(v_hash, procure.audit_content(...)), written out
        v_hash := encode(sha256(convert_to(coalesce(v_hash, '') ||
                      jsonb_build_array(v_chain, v_seq, extract(epoch FROM a_at[i]), a_actor[i], a_changes[i])::text,
                      'UTF8')), 'hex');
        a_hash[i] := v_hash;
    END LOOP;
    h_seq[j] := v_seq;
    h_hash[j] := v_hash;

    UPDATE procure.audit_heads t SET seq = u.seq, hash = u.hash
      FROM unnest(h_chain, h_seq, h_hash, h_new) AS u(chain, seq, hash, new)
     WHERE t.chain = u.chain AND NOT u.new;
    -- two transactions beginning one chain at once: the second waits for the first's head,
    -- finds it written, and is rerun (a serialization failure: every client retries those)
    INSERT INTO procure.audit_heads (chain, seq, hash)
    SELECT u.chain, u.seq, u.hash FROM unnest(h_chain, h_seq, h_hash, h_new) AS u(chain, seq, hash, new)
     WHERE u.new
    ON CONFLICT (chain) DO NOTHING;
    GET DIAGNOSTICS v_created = ROW_COUNT;
    SELECT count(*) INTO v_new FROM unnest(h_new) AS u(new) WHERE u.new;
    IF v_created <> v_new THEN
        RAISE EXCEPTION 'two transactions began the same audit chain at once; run it again'
              USING ERRCODE = '40001';
    END IF;

    INSERT INTO procure.audit_log (chain, seq, at, actor, changes, prev_hash, hash)
    SELECT u.chain, u.seq, u.at, u.actor, u.changes, u.prev, u.hash
      FROM unnest(a_chain, a_seq, a_at, a_actor, a_changes, a_prev, a_hash)
           AS u(chain, seq, at, actor, changes, prev, hash);
END
$$;

-- Commit-time write of the transaction's pending audit rows (the deferred constraint
-- trigger on audit_txn): one audit row per chain (and acting user) holding the changes in
-- statement order ({table, op, entity, old, new}, without the old of an INSERT or the new of
-- a DELETE), at the time of the first. Fires again harmlessly (nothing pending) when
-- SET CONSTRAINTS … IMMEDIATE made it run earlier.
CREATE FUNCTION procure.audit_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
SET jit = off
AS $$
DECLARE
    v_xact xid8 := NEW.xact;
    v_slice constant integer := 5000;
    a_chain text[] := '{}';
    a_at timestamptz[] := '{}';
    a_actor text[] := '{}';
    a_changes jsonb[] := '{}';
    n integer := 0;
    r record;
BEGIN
    FOR r IN SELECT p.chain, p.actor, min(p.at) AS at,
                    jsonb_agg(jsonb_build_object('table', p.table_name, 'op', p.op, 'entity', p.entity)
                              || CASE WHEN p.old IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('old', p.old) END
                              || CASE WHEN p.new IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('new', p.new) END
                              ORDER BY p.ord) AS changes
               FROM procure.audit_pending p
              WHERE p.xact = v_xact
              GROUP BY p.chain, p.actor
              ORDER BY p.chain COLLATE "default", min(p.ord) LOOP
        a_chain := array_append(a_chain, r.chain);
        a_at := array_append(a_at, r.at);
        a_actor := array_append(a_actor, r.actor);
        a_changes := array_append(a_changes, r.changes);
        n := n + 1;
        IF n = v_slice THEN
            PERFORM procure.audit_append(a_chain, a_at, a_actor, a_changes);
            a_chain := '{}'; a_at := '{}'; a_actor := '{}'; a_changes := '{}';
            n := 0;
        END IF;
    END LOOP;
    IF n > 0 THEN
        PERFORM procure.audit_append(a_chain, a_at, a_actor, a_changes);
    END IF;
    DELETE FROM procure.audit_pending WHERE xact = v_xact;
    DELETE FROM procure.audit_txn WHERE xact = v_xact;
    RETURN NULL;
END
$$;

-- The audit log one change per row, as auditors read it: the chain's row (seq, when, who)
-- and the change's place in it (n), table, operation, entity, old and new. Read with the
-- reader's own rights on audit_log.
CREATE VIEW procure.audit_entries WITH (security_invoker = true) AS
SELECT l.id, l.chain, l.seq, c.n, l.at, l.actor,
       c.e ->> 'table' AS table_name, c.e ->> 'op' AS op, c.e ->> 'entity' AS entity,
       c.e -> 'old' AS old, c.e -> 'new' AS new
  FROM procure.audit_log l
 CROSS JOIN LATERAL jsonb_array_elements(l.changes) WITH ORDINALITY AS c(e, n);

CREATE CONSTRAINT TRIGGER audit_txn_commit AFTER INSERT ON procure.audit_txn DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION procure.audit_commit();
CREATE TRIGGER audit_heads_guard BEFORE INSERT OR DELETE OR UPDATE OR TRUNCATE ON procure.audit_heads FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_log_guard();
CREATE TRIGGER audit_log_append_only BEFORE INSERT OR DELETE OR UPDATE OR TRUNCATE ON procure.audit_log FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_log_guard();
CREATE TRIGGER audit_pending_guard BEFORE INSERT OR DELETE OR UPDATE OR TRUNCATE ON procure.audit_pending FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_work_guard();
CREATE TRIGGER audit_txn_guard BEFORE INSERT OR DELETE OR UPDATE OR TRUNCATE ON procure.audit_txn FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_work_guard();
CREATE TRIGGER case_notes_audit_delete AFTER DELETE ON procure.case_notes REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER case_notes_audit_insert AFTER INSERT ON procure.case_notes REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER case_notes_audit_update AFTER UPDATE ON procure.case_notes REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER corrections_audit_delete AFTER DELETE ON procure.corrections REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER corrections_audit_insert AFTER INSERT ON procure.corrections REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER corrections_audit_update AFTER UPDATE ON procure.corrections REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER items_audit_delete AFTER DELETE ON procure.items REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER items_audit_insert AFTER INSERT ON procure.items REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER items_audit_update AFTER UPDATE ON procure.items REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER liabilities_audit_delete AFTER DELETE ON procure.liabilities REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER liabilities_audit_insert AFTER INSERT ON procure.liabilities REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER liabilities_audit_update AFTER UPDATE ON procure.liabilities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER order_lines_audit_delete AFTER DELETE ON procure.order_lines REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER order_lines_audit_insert AFTER INSERT ON procure.order_lines REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER order_lines_audit_update AFTER UPDATE ON procure.order_lines REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER orders_audit_delete AFTER DELETE ON procure.orders REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER orders_audit_insert AFTER INSERT ON procure.orders REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER orders_audit_update AFTER UPDATE ON procure.orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER payments_audit_delete AFTER DELETE ON procure.payments REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER payments_audit_insert AFTER INSERT ON procure.payments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER payments_audit_update AFTER UPDATE ON procure.payments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER price_periods_audit_delete AFTER DELETE ON procure.price_periods REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER price_periods_audit_insert AFTER INSERT ON procure.price_periods REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER price_periods_audit_update AFTER UPDATE ON procure.price_periods REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER production_reports_audit_delete AFTER DELETE ON procure.production_reports REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER production_reports_audit_insert AFTER INSERT ON procure.production_reports REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER production_reports_audit_update AFTER UPDATE ON procure.production_reports REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER settings_audit_delete AFTER DELETE ON procure.settings REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER settings_audit_insert AFTER INSERT ON procure.settings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER settings_audit_update AFTER UPDATE ON procure.settings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER suppliers_audit_delete AFTER DELETE ON procure.suppliers REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER suppliers_audit_insert AFTER INSERT ON procure.suppliers REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER suppliers_audit_update AFTER UPDATE ON procure.suppliers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER users_audit_delete AFTER DELETE ON procure.users REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER users_audit_insert AFTER INSERT ON procure.users REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER users_audit_update AFTER UPDATE ON procure.users REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_trigger();
CREATE TRIGGER case_notes_no_truncate BEFORE TRUNCATE ON procure.case_notes FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER corrections_no_truncate BEFORE TRUNCATE ON procure.corrections FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER idempotency_keys_no_truncate BEFORE TRUNCATE ON procure.idempotency_keys FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER items_no_truncate BEFORE TRUNCATE ON procure.items FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER liabilities_no_truncate BEFORE TRUNCATE ON procure.liabilities FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER order_lines_no_truncate BEFORE TRUNCATE ON procure.order_lines FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER order_counter_no_truncate BEFORE TRUNCATE ON procure.order_counter FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER orders_no_truncate BEFORE TRUNCATE ON procure.orders FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER payments_no_truncate BEFORE TRUNCATE ON procure.payments FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER price_edits_no_truncate BEFORE TRUNCATE ON procure.price_edits FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER price_periods_no_truncate BEFORE TRUNCATE ON procure.price_periods FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER production_reports_no_truncate BEFORE TRUNCATE ON procure.production_reports FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER settings_no_truncate BEFORE TRUNCATE ON procure.settings FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER suppliers_no_truncate BEFORE TRUNCATE ON procure.suppliers FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
CREATE TRIGGER users_no_truncate BEFORE TRUNCATE ON procure.users FOR EACH STATEMENT EXECUTE FUNCTION procure.refuse_truncate();
