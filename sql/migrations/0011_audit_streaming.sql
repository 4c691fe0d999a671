-- 0011_audit_streaming: bounded memory for the audit of big statements, and no
-- subtransactions in the numeric parsers.
--
-- * procure.audit_trigger() now streams the statement's changed rows and
--   writes them in slices of 5000 rows (procure.audit_flush), so a statement
--   over a million rows (a bulk import, a set-based update) does not build
--   arrays of a million JSON rows in the server's memory. Chains, seq, hashes
--   and locking are unchanged: a chain spanning two slices continues from its
--   head, which this transaction already holds locked.
-- * procure.json_num() and procure.valid_schedule() no longer catch cast
--   errors with an exception block (each was a subtransaction per call, which
--   slows a big transaction down for every session once more than 64 are
--   open); the text is checked against a decimal pattern instead.

CREATE OR REPLACE FUNCTION procure.json_num(p jsonb, p_what text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    v text;
BEGIN
    IF p IS NULL OR jsonb_typeof(p) = 'null' THEN
        RETURN NULL;
    END IF;
    v := btrim(p #>> '{}');
    IF jsonb_typeof(p) NOT IN ('number', 'string')
       OR v !~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$' THEN
        PERFORM procure.fail('invalid_argument', format('%s: %s is not a number', p_what, p::text));
    END IF;
    RETURN v::numeric;
END
$$;

CREATE OR REPLACE FUNCTION procure.valid_schedule(p jsonb) RETURNS boolean
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
        IF jsonb_typeof(v) NOT IN ('string', 'number')
           OR btrim(v #>> '{}') !~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$' THEN
            RETURN false;
        END IF;
        n := btrim(v #>> '{}')::numeric;
        IF n < 0 OR n > 100 OR n <> round(n, 4) THEN RETURN false; END IF;
    END LOOP;
    RETURN true;
END
$$;

-- Writes one slice of a statement's changed rows (old/new JSON pairs in
-- statement order) to their chains: chain and entity of each row; the chains'
-- head rows locked (created when new) in chain order; rows hashed chain by
-- chain in statement order; one INSERT; one UPDATE of the heads.
-- Called by audit_trigger only (no EXECUTE grant; the audit_log guard refuses
-- inserts that do not come from a trigger).
CREATE FUNCTION procure.audit_flush(p_table text, p_op text, p_actor text, p_at timestamptz,
                                    p_old jsonb[], p_new jsonb[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_table text COLLATE "default" := p_table;
    a_old jsonb[];
    a_new jsonb[];
    a_chain text[];
    a_entity text[];
    a_seq bigint[];
    a_prev text[];
    a_hash text[];
    n integer := coalesce(cardinality(p_old), 0);
    i integer;
    j integer;
    v_chain text COLLATE "default";
    v_seq bigint;
    v_hash text;
    h_chain text[];
    h_seq bigint[];
    h_hash text[];
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;

    -- chain and entity of each row, sorted by chain then statement order
    IF v_table = 'orders' THEN
        SELECT array_agg('order:' || (coalesce(u.nw, u.od) ->> 'number') ORDER BY coalesce(u.nw, u.od) ->> 'number', u.ord),
               array_agg(coalesce(u.nw, u.od) ->> 'number' ORDER BY coalesce(u.nw, u.od) ->> 'number', u.ord),
               array_agg(u.od ORDER BY coalesce(u.nw, u.od) ->> 'number', u.ord),
               array_agg(u.nw ORDER BY coalesce(u.nw, u.od) ->> 'number', u.ord)
          INTO a_chain, a_entity, a_old, a_new
          FROM unnest(p_old, p_new) WITH ORDINALITY AS u(od, nw, ord);
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
                  FROM unnest(p_old, p_new) WITH ORDINALITY AS u(od, nw, ord)
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
                  FROM unnest(p_old, p_new) WITH ORDINALITY AS u(od, nw, ord)
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
                  FROM unnest(p_old, p_new) WITH ORDINALITY AS u(od, nw, ord)) t;
    END IF;

    -- lock the heads of the chains (creating new ones), in chain order; a
    -- writer of the same chain waits here until we commit, then reads our
    -- head (READ COMMITTED: ON CONFLICT DO UPDATE sees the latest version)
    WITH h AS (
        INSERT INTO procure.audit_heads AS t (chain, seq, hash)
        SELECT DISTINCT c.chain, 0, NULL::text FROM unnest(a_chain) AS c(chain) ORDER BY 1
        ON CONFLICT (chain) DO UPDATE SET seq = t.seq
        RETURNING t.chain, t.seq, t.hash)
    SELECT array_agg(h.chain ORDER BY h.chain), array_agg(h.seq ORDER BY h.chain), array_agg(h.hash ORDER BY h.chain)
      INTO h_chain, h_seq, h_hash
      FROM h;

    -- hash the rows in order, chain by chain
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
        v_hash := procure.audit_hash(v_hash, procure.audit_content(v_chain, v_seq, p_at, p_actor, v_table, p_op,
                                                                   a_entity[i], a_old[i], a_new[i]));
        a_hash[i] := v_hash;
    END LOOP;
    h_seq[j] := v_seq;
    h_hash[j] := v_hash;

    UPDATE procure.audit_heads t SET seq = u.seq, hash = u.hash
      FROM unnest(h_chain, h_seq, h_hash) AS u(chain, seq, hash)
     WHERE t.chain = u.chain;

    INSERT INTO procure.audit_log (chain, seq, at, actor, table_name, op, entity, old, new, prev_hash, hash)
    SELECT u.chain, u.seq, p_at, p_actor, v_table, p_op, u.entity, u.od, u.nw, u.prev, u.hash
      FROM unnest(a_chain, a_seq, a_entity, a_old, a_new, a_prev, a_hash) AS u(chain, seq, entity, od, nw, prev, hash);
END
$$;

-- Statement-level audit trigger (one per table and event, with transition
-- tables old_rows / new_rows): streams the changed rows (an UPDATE's old and
-- new paired by primary key, unchanged rows skipped) in slices to audit_flush.
CREATE OR REPLACE FUNCTION procure.audit_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    -- TG_TABLE_NAME is a name (collation "C"): keep text in the default
    -- collation, or the indexes on text columns are not used
    v_table text COLLATE "default" := TG_TABLE_NAME;
    v_actor text COLLATE "default" := procure.actor();
    v_at timestamptz := clock_timestamp();
    v_slice constant integer := 5000;
    a_old jsonb[] := '{}';
    a_new jsonb[] := '{}';
    n integer := 0;
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR r IN SELECT NULL::jsonb AS od, to_jsonb(x) AS nw FROM new_rows x LOOP
            a_old := array_append(a_old, r.od);
            a_new := array_append(a_new, r.nw);
            n := n + 1;
            IF n = v_slice THEN
                PERFORM procure.audit_flush(v_table, TG_OP, v_actor, v_at, a_old, a_new);
                a_old := '{}'; a_new := '{}'; n := 0;
            END IF;
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR r IN SELECT to_jsonb(x) AS od, NULL::jsonb AS nw FROM old_rows x LOOP
            a_old := array_append(a_old, r.od);
            a_new := array_append(a_new, r.nw);
            n := n + 1;
            IF n = v_slice THEN
                PERFORM procure.audit_flush(v_table, TG_OP, v_actor, v_at, a_old, a_new);
                a_old := '{}'; a_new := '{}'; n := 0;
            END IF;
        END LOOP;
    ELSE
        FOR r IN SELECT o.j AS od, nw.j AS nw
                   FROM (SELECT to_jsonb(x) AS j, row_number() OVER () AS ord FROM old_rows x) o
                   FULL JOIN (SELECT to_jsonb(y) AS j, row_number() OVER () AS ord FROM new_rows y) nw
                     ON procure.audit_pk(v_table, o.j) = procure.audit_pk(v_table, nw.j)
                  WHERE o.j IS DISTINCT FROM nw.j
                  ORDER BY coalesce(nw.ord, o.ord) LOOP
            a_old := array_append(a_old, r.od);
            a_new := array_append(a_new, r.nw);
            n := n + 1;
            IF n = v_slice THEN
                PERFORM procure.audit_flush(v_table, TG_OP, v_actor, v_at, a_old, a_new);
                a_old := '{}'; a_new := '{}'; n := 0;
            END IF;
        END LOOP;
    END IF;
    IF n > 0 THEN
        PERFORM procure.audit_flush(v_table, TG_OP, v_actor, v_at, a_old, a_new);
    END IF;
    RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION procure.audit_flush(text, text, text, timestamptz, jsonb[], jsonb[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION procure.json_num(jsonb, text), procure.valid_schedule(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION procure.json_num(jsonb, text), procure.valid_schedule(jsonb)
    TO procure_buyer, procure_finance, procure_admin, procure_auditor;
