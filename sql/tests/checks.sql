-- Database-side checks of procure's schema (not part of it: SQLChecksTests runs
-- this file in the test suite). Run against a freshly migrated database as a
-- superuser:
--   psql -X -q -d DB -f sql/tests/checks.sql | grep -v '^PASS'
-- Every check prints one line starting with PASS or FAIL.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- chk(expect, sql): expect 'ok', an error code / constraint name, or a SQLSTATE.
-- A failing statement is rolled back (like the CLI does).
CREATE FUNCTION pg_temp.chk(expect text, q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE r text; st text; cn text; m text;
BEGIN
    EXECUTE q INTO r;
    IF expect = 'ok' THEN RETURN 'PASS ok: ' || left(q, 90); END IF;
    RETURN 'FAIL expected ' || expect || ', got ok: ' || q || ' => ' || left(coalesce(r, 'null'), 300);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, cn = CONSTRAINT_NAME, m = MESSAGE_TEXT;
    IF expect = cn OR expect = st THEN RETURN 'PASS ' || expect || ': ' || m; END IF;
    RETURN 'FAIL expected ' || expect || ', got ' || st || ' [' || coalesce(cn, '') || '] ' || m || ' :: ' || q;
END $f$;
-- eq(label, actual, expected)
CREATE FUNCTION pg_temp.eq(label text, actual anyelement, expected anyelement) RETURNS text LANGUAGE sql AS $f$
    SELECT CASE WHEN actual IS NOT DISTINCT FROM expected THEN 'PASS ' || label
                ELSE 'FAIL ' || label || ': got ' || coalesce(actual::text, 'NULL') || ', expected ' || coalesce(expected::text, 'NULL') END
$f$;
-- inputs(number): the liability inputs the database stored for an order
CREATE FUNCTION pg_temp.inputs(p_number text) RETURNS jsonb LANGUAGE sql AS $f$
    SELECT l.inputs FROM procure.liabilities l JOIN procure.orders o ON o.supplier_id = l.supplier_id AND o.id = l.order_id
     WHERE o.number = p_number
$f$;
\pset tuples_only on
\pset format unaligned

-- users ---------------------------------------------------------------------
SELECT pg_temp.chk('ok', $$SELECT procure.user_add('chk_adm', 'admin', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.user_add('chk_b1', 'buyer', 1000, 10, NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.user_add('chk_b2', 'buyer', NULL, NULL, 'secret')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.user_add('chk_fin', 'finance', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.user_add('chk_aud', 'auditor', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.user_add('chk_x', 'supplier', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.user_add('chk_x', 'buyer', NULL, NULL, NULL, 'ACME')$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.user_add('chk_x', 'boss', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('pct_check', $$SELECT procure.user_add('chk_x', 'buyer', NULL, 101, NULL)$$);
SET ROLE chk_b1;
SELECT pg_temp.chk('42501', $$SELECT procure.user_add('chk_x', 'buyer', NULL, NULL, NULL)$$);
RESET ROLE;
SET ROLE chk_adm;
SELECT pg_temp.chk('already_exists', $$SELECT procure.user_add('postgres', 'buyer', NULL, NULL, 'x')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.user_add('chk_b3', 'buyer', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('already_exists', $$SELECT procure.user_add('chk_b1', 'finance', NULL, NULL, NULL)$$);
SELECT pg_temp.eq('user_add never changes an existing user',
    (SELECT role || ' ' || procure.fmt_amount(max_order_total) FROM procure.users WHERE name = 'chk_b1'), 'buyer 1000.00');
SELECT pg_temp.eq('user_set sets a limit', (SELECT procure.user_set('chk_b3', '50', NULL, NULL) ->> 'max_order_total'), '50.00');
SELECT pg_temp.eq('user_set clears a limit', (SELECT procure.user_set('chk_b3', 'none', NULL, NULL) ->> 'max_order_total'), NULL);

-- master data ---------------------------------------------------------------
SELECT pg_temp.chk('ok', $$SELECT procure.supplier_add('ACME', 'Acme Ltd', NULL, NULL, 10, '{"acknowledged":"5","materials":25}', NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.supplier_add('BETA', 'Beta Co', 'USD', 'schedule', NULL, '{"issued":0,"acknowledged":"5","materials":"25","production":"50","finished":"100"}', 3)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.supplier_add('BAD', 'Bad', NULL, NULL, NULL, '{"shipping":"5"}', NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.supplier_add('BAD', 'Bad', NULL, NULL, NULL, '{"materials":"105"}', NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.supplier_add('BAD', 'Bad', NULL, 'gift', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('suppliers_code_key', $$SELECT procure.supplier_add('ACME', 'Again', NULL, NULL, NULL, NULL, NULL)$$);
SELECT pg_temp.chk('suppliers_schedule_check', $$UPDATE procure.suppliers SET schedule = '{"x":1}' WHERE code = 'ACME'$$);
SELECT pg_temp.chk('ok', $$SELECT procure.user_add('chk_sup', 'supplier', NULL, NULL, NULL, 'ACME')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.user_add('chk_sup2', 'supplier', NULL, NULL, NULL, 'BETA')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.item_add('A', 'Widget A', NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.item_add('B', 'Widget B', 'kg')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.item_add('C', 'Widget C', NULL)$$);
SELECT pg_temp.chk('items_sku_key', $$SELECT procure.item_add('A', 'dup', NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.price_set('ACME', 'A', 10, '2020-01-01', NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.price_set('ACME', 'B', 2.5, NULL, NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.price_set('ACME', 'C', 7, '2020-01-01', '2020-12-31')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.price_set('ACME', 'C', 8, '2020-06-01', '2021-03-01')$$);
SELECT pg_temp.eq('price_set trims the period it overlaps', (SELECT procure.price_list('ACME', '2020-05-31') -> 2 ->> 'to'), '2020-05-31');
SELECT pg_temp.chk('price_check', $$SELECT procure.price_set('ACME', 'A', 1.23456, '2030-01-01', NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.price_set('ACME', 'A', -1, '2030-01-01', NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.price_set('ACME', 'A', 0, '2030-01-01', NULL)$$);
SELECT pg_temp.chk('not_found', $$SELECT procure.price_set('NOPE', 'A', 1, NULL, NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.price_set('BETA', 'A', 20, '2020-01-01', NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.supplier_set('BETA', NULL, NULL, NULL, NULL, NULL, NULL, 9)$$);
SELECT pg_temp.eq('supplier_set keeps what it is not given',
    (SELECT procure.supplier_set('BETA', NULL, NULL, NULL, NULL, NULL, 3, NULL) ->> 'review_days'), '9');
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.supplier_set('BETA', NULL, NULL, 'gift', NULL, NULL, NULL, NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.supplier_set('BETA', NULL, NULL, NULL, NULL, NULL, NULL, -1)$$);
SELECT pg_temp.chk('not_found', $$SELECT procure.supplier_set('NOPE', 'x', NULL, NULL, NULL, NULL, NULL, NULL)$$);
-- new --from closes the open-ended period the day before
SELECT pg_temp.eq('price_set closes open period',
    (SELECT procure.price_set('ACME', 'A', 12, '2021-01-01', NULL) -> 'adjusted' -> 0 ->> 'to'), '2020-12-31');
SELECT pg_temp.eq('price_list on date', (SELECT procure.price_list('ACME', '2020-06-01') -> 0 ->> 'price'), '10.0000');
SELECT pg_temp.eq('price_list all', (SELECT jsonb_array_length(procure.price_list('ACME', NULL))), 5);
RESET ROLE;
SET ROLE chk_b1;
SELECT pg_temp.chk('42501', $$INSERT INTO procure.price_periods (supplier_id, item_id, price, valid) SELECT id, 1, 1, '[2040-01-01,)' FROM procure.suppliers LIMIT 1$$);
SELECT pg_temp.chk('42501', $$SELECT procure.price_set('ACME', 'A', 1, '2040-01-01', NULL)$$);
SELECT pg_temp.chk('42501', $$SELECT procure.supplier_set('ACME', 'Mine now', NULL, NULL, NULL, NULL, NULL, NULL)$$);
SELECT pg_temp.chk('42501', $$UPDATE procure.users SET max_discount = 50$$);
SELECT pg_temp.eq('buyer sees only its own limits row', (SELECT count(*) FROM procure.users), 1::bigint);

-- orders and price discipline ----------------------------------------------
SELECT pg_temp.chk('ok', $$SELECT procure.po_create('ACME', 'T-1', '2020-03-01', NULL, '[{"sku":"A","qty":"100","price":null},{"sku":"B","qty":"4","price":"2.4"}]')$$);
SELECT pg_temp.eq('default price = base', (SELECT procure.po_show('T-1') -> 'lines' -> 0 ->> 'price'), '10.0000');
SELECT pg_temp.eq('total', (SELECT procure.po_show('T-1') ->> 'total'), '1009.60');
SELECT pg_temp.chk('price_above_base', $$SELECT procure.po_create('ACME', NULL, '2020-03-01', NULL, '[{"sku":"A","qty":"1","price":"10.01"}]')$$);
SELECT pg_temp.chk('price_below_limit', $$SELECT procure.po_create('ACME', NULL, '2020-03-01', NULL, '[{"sku":"A","qty":"1","price":"8.99"}]')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_create('ACME', NULL, '2020-03-01', NULL, '[{"sku":"A","qty":"1","price":"9"}]')$$);
SELECT pg_temp.chk('no_base_price', $$SELECT procure.po_create('ACME', NULL, '2019-03-01', NULL, '[{"sku":"A","qty":"1"}]')$$);
SELECT pg_temp.chk('no_base_price', $$SELECT procure.po_create('ACME', NULL, '2021-03-02', NULL, '[{"sku":"C","qty":"1"}]')$$);
SELECT pg_temp.chk('qty_check', $$SELECT procure.po_create('ACME', NULL, '2020-03-01', NULL, '[{"sku":"A","qty":"1.0001"}]')$$);
SELECT pg_temp.chk('price_check', $$SELECT procure.po_create('ACME', NULL, '2020-03-01', NULL, '[{"sku":"A","qty":"1","price":"9.00001"}]')$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.po_create('ACME', NULL, '2020-03-01', NULL, '[{"sku":"A","qty":"abc"}]')$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.po_create('ACME', NULL, '2020-03-01', NULL, '[{"sku":"A","qty":"0"}]')$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.po_create('ACME', NULL, '2020-03-01', NULL, '[]')$$);
SELECT pg_temp.chk('not_found', $$SELECT procure.po_create('ACME', NULL, '2020-03-01', NULL, '[{"sku":"Z","qty":"1"}]')$$);
SELECT pg_temp.chk('not_found', $$SELECT procure.po_create('NOPE', NULL, '2020-03-01', NULL, '[{"sku":"A","qty":"1"}]')$$);
SELECT pg_temp.chk('already_exists', $$SELECT procure.po_create('ACME', 'T-1', '2020-03-01', NULL, '[{"sku":"A","qty":"1"}]')$$);
-- a draft's lines, in psql as in the CLI
SELECT pg_temp.chk('ok', $$SELECT procure.po_create('ACME', 'T-L', '2020-03-01', NULL, '[{"sku":"A","qty":"1","price":null}]')$$);
SELECT pg_temp.chk('price_below_limit', $$SELECT procure.po_line_add('T-L', '{"sku":"A","qty":"1","price":"8.99"}')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_line_add('T-L', '{"sku":"B","qty":"2","price":null}')$$);
SELECT pg_temp.chk('price_above_base', $$SELECT procure.po_line_set('T-L', 2, NULL, 2.51, NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_line_set('T-L', 1, 3, NULL, NULL)$$);
SELECT pg_temp.eq('po_line_set of a quantity keeps the price', (SELECT procure.po_show('T-L') ->> 'total'), '35.00');
SELECT pg_temp.chk('ok', $$SELECT procure.po_line_remove('T-L', 1)$$);
SELECT pg_temp.chk('not_found', $$SELECT procure.po_line_remove('T-L', 1)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_delete('T-L')$$);
-- raw DML is held to the same rules
SELECT pg_temp.chk('price_above_base', $$INSERT INTO procure.order_lines (supplier_id, order_id, item_id, qty, price) SELECT o.supplier_id, o.id, 1, 1, 11 FROM procure.orders o WHERE number = 'T-1'$$);
SELECT pg_temp.chk('42501', $$UPDATE procure.orders SET buyer = 'chk_b2' WHERE number = 'T-1'$$);
SELECT pg_temp.chk('42501', $$UPDATE procure.order_lines SET base_price = 99$$);
SELECT pg_temp.chk('invalid_state', $$INSERT INTO procure.orders (supplier_id, status) SELECT id, 'issued' FROM procure.suppliers WHERE code = 'ACME'$$);
SELECT pg_temp.chk('42501', $$INSERT INTO procure.orders (supplier_id, buyer) SELECT id, 'chk_b2' FROM procure.suppliers WHERE code = 'ACME'$$);
SELECT pg_temp.chk('invalid_state', $$UPDATE procure.orders SET status = 'delivered' WHERE number = 'T-1'$$);
SELECT pg_temp.chk('invalid_state', $$SELECT procure.po_ack('T-1')$$);
-- issue limit (max order total 1000)
SELECT pg_temp.chk('order_limit_exceeded', $$SELECT procure.po_issue('T-1')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_price('T-1', 1, 9.5)$$);
SELECT pg_temp.chk('price_above_base', $$SELECT procure.po_price('T-1', 1, 10.5)$$);
SELECT pg_temp.chk('price_below_limit', $$SELECT procure.po_price('T-1', 1, 8)$$);
SELECT pg_temp.chk('not_found', $$SELECT procure.po_price('T-1', 9, 8)$$);
-- the refusals were recorded by the database itself, though each rolled back
SELECT pg_temp.eq('price edits logged (accepted, refused)',
    (SELECT string_agg(accepted::text || ':' || coalesce(code, '-') || ':' || new_price, ',' ORDER BY id) FROM procure.price_edits),
    'true:-:9.5,false:price_above_base:10.5,false:price_below_limit:8');
-- and by nobody else: the recorder's function is the recorder's
SELECT pg_temp.chk('42501', $$SELECT procure.record_refused_price_edit_store(o.supplier_id, o.id, 1, 'chk_b2', 99, 1, 'price_above_base') FROM procure.orders o WHERE number = 'T-1'$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_issue('T-1')$$);
SELECT pg_temp.chk('invalid_state', $$SELECT procure.po_issue('T-1')$$);
SELECT pg_temp.chk('invalid_state', $$UPDATE procure.order_lines SET qty = 5 WHERE line_no = 1$$);
SELECT pg_temp.chk('invalid_state', $$DELETE FROM procure.orders WHERE number = 'T-1'$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_price('T-1', 1, 9.6)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_ack('T-1')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_receive('T-1', 2, 4)$$);
SELECT pg_temp.chk('order_lines_delivered_le_qty', $$SELECT procure.po_receive('T-1', 2, 1)$$);
SELECT pg_temp.chk('qty_check', $$SELECT procure.po_receive('T-1', 1, 0.0001)$$);
SELECT pg_temp.chk('42501', $$SELECT procure.po_pay('T-1', 10)$$);
-- idempotency
SELECT pg_temp.eq('po create --key returns the first result',
    (SELECT procure.po_create('ACME', NULL, '2020-03-01', 'key-1', '[{"sku":"A","qty":"1"}]') ->> 'number'),
    (SELECT procure.po_create('ACME', NULL, '2020-03-01', 'key-1', '[{"sku":"A","qty":"2"}]') ->> 'number'));
SELECT pg_temp.chk('idempotency_keys_pkey', $$SELECT procure.idempotent_save('key-1', 'po create', '{}')$$);
RESET ROLE;
SET ROLE chk_b2;
-- another buyer's order is not_found, the same answer as an order that does not exist
SELECT pg_temp.chk('not_found', $$SELECT procure.po_show('T-1')$$);
SELECT pg_temp.chk('not_found', $$SELECT procure.po_ack('T-1')$$);
SELECT pg_temp.chk('not_found', $$SELECT procure.history('T-1')$$);
SELECT pg_temp.chk('42501', $$SELECT procure.record_refused_price_edit_store(1, 1, 1, 'chk_b2', 1, 1, 'x')$$);
SELECT pg_temp.chk('not_found', $$SELECT procure.po_show('T-404')$$);
SELECT pg_temp.eq('buyer2 sees no foreign orders', (SELECT count(*) FROM procure.orders), 0::bigint);
SELECT pg_temp.eq('buyer2 sees no foreign lines', (SELECT count(*) FROM procure.order_lines), 0::bigint);
SELECT pg_temp.eq('buyer2 po_list empty', (SELECT procure.po_list(NULL, NULL, NULL)), '[]'::jsonb);
-- keys belong to their user: buyer2's key-1 is another key
SELECT pg_temp.eq('keys are per user', (SELECT procure.po_create('ACME', NULL, '2020-03-01', 'key-1', '[{"sku":"A","qty":"1"}]') ->> 'buyer'), 'chk_b2');
RESET ROLE;
SET ROLE chk_fin;
SELECT pg_temp.chk('ok', $$SELECT procure.po_pay('T-1', 100)$$);
SELECT pg_temp.chk('amount_check', $$SELECT procure.po_pay('T-1', 1.001)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.po_pay('T-1', -5)$$);
SELECT pg_temp.chk('42501', $$SELECT procure.po_issue('T-1')$$);
SELECT pg_temp.chk('42501', $$UPDATE procure.orders SET status = 'closed'$$);
SELECT pg_temp.chk('42501', $$UPDATE procure.order_lines SET price = 1$$);
SELECT pg_temp.eq('finance reads all orders', (SELECT count(*) > 0 FROM procure.orders), true);
RESET ROLE;
SET ROLE chk_aud;
SELECT pg_temp.eq('auditor reads', (SELECT count(*) > 0 FROM procure.audit_log), true);
SELECT pg_temp.chk('42501', $$INSERT INTO procure.payments (supplier_id, order_id, amount) SELECT supplier_id, id, 1 FROM procure.orders LIMIT 1$$);
SELECT pg_temp.chk('42501', $$SELECT procure.note_add('T-1', 'x')$$);
RESET ROLE;

-- production, corrections, liabilities ----------------------------------------
SET ROLE chk_b1;
SELECT pg_temp.chk('production_reports_quantities', $$SELECT procure.production('T-1', 1, 'materials', 90, 20, NULL, NULL, NULL, NULL, NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.production('T-1', 1, 'shipping', 1, 0, NULL, NULL, NULL, NULL, NULL)$$);
SELECT pg_temp.chk('not_found', $$SELECT procure.production('T-1', 7, NULL, 1, 0, NULL, NULL, NULL, NULL, NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.production('T-1', 1, 'materials', 30, 20, 300, 100, 50, 0, now() - interval '1 day')$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.production('T-1', 1, 'materials', 30, 20, 300, 100, 50, 0, now() + interval '1 day')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.production('T-1', 1, 'materials', 30, 20, 300, 100, 50, 0, NULL)$$);
SELECT pg_temp.eq('production moves to in_production', (SELECT procure.po_show('T-1') ->> 'status'), 'in_production');
SELECT pg_temp.chk('invalid_state', $$SELECT procure.po_price('T-1', 1, 9)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_create('ACME', 'T-2', '2020-03-01', NULL, '[{"sku":"A","qty":"10"}]')$$);
SELECT pg_temp.chk('invalid_state', $$SELECT procure.correct('T-2', 'duplicate', 'dup', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_delete('T-2')$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.correct('T-1', 'oops', 'note', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.correct('T-1', 'wrong-quantity', '  ', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.correct('T-1', 'wrong-quantity', 'n', NULL, 'BETA', NULL)$$);
SELECT pg_temp.chk('price_above_base', $$SELECT procure.correct('T-1', 'wrong-quantity', 'n', '[{"sku":"A","qty":"40","price":"13"}]', NULL, 200)$$);
SELECT pg_temp.eq('failed correction left the order alone', (SELECT procure.po_show('T-1') ->> 'status'), 'in_production');
-- the revocation's rules hold a raw insert as they hold correct, and a group role revokes nothing
SELECT pg_temp.chk('invalid_argument', $$INSERT INTO procure.corrections (supplier_id, order_id, reason, note) SELECT supplier_id, id, 'oops', 'raw' FROM procure.orders WHERE number = 'T-1'$$);
SELECT pg_temp.chk('invalid_argument', $$INSERT INTO procure.corrections (supplier_id, order_id, reason, note) SELECT supplier_id, id, 'other', '  ' FROM procure.orders WHERE number = 'T-1'$$);
RESET ROLE;
SET ROLE procure_buyer;
SELECT pg_temp.chk('not_found', $$SELECT procure.correct('T-1', 'other', 'as the group', NULL, NULL, NULL)$$);
RESET ROLE;
-- correct runs as the owner (SECURITY DEFINER, past row-level security): another buyer's order
-- is still one it does not find, told apart from a missing one by nothing; its check is no
-- function a buyer may call; finance may not correct at all
SET ROLE chk_b2;
SELECT pg_temp.eq('another buyer''s order reads as a missing one',
    replace(pg_temp.chk('not_found', $$SELECT procure.correct('T-1', 'other', 'not mine', '[{"sku":"A","qty":"1"}]', NULL, NULL)$$), 'T-1', 'T-404'),
    pg_temp.chk('not_found', $$SELECT procure.correct('T-404', 'other', 'not mine', '[{"sku":"A","qty":"1"}]', NULL, NULL)$$));
SELECT pg_temp.chk('42501', $$SELECT procure.own_order_locked('T-1')$$);
RESET ROLE;
SET ROLE chk_fin;
SELECT pg_temp.chk('42501', $$SELECT procure.correct('T-1', 'other', 'as finance', NULL, NULL, NULL)$$);
RESET ROLE;
-- the owner's role, taken by a superuser, is no registered user: no order is its own
SET ROLE procure_owner;
SELECT pg_temp.chk('not_found', $$SELECT procure.correct('T-1', 'other', 'as the owner', NULL, NULL, NULL)$$);
RESET ROLE;
SET ROLE chk_b1;
SELECT pg_temp.eq('raw, group and other roles'' revocations left the order alone', (SELECT procure.po_show('T-1') ->> 'status'), 'in_production');
CREATE TEMP TABLE cb AS SELECT procure.correct('T-1', 'wrong-quantity', 'ordered 100 instead of 40', '[{"sku":"A","qty":"40"}]', NULL, 200) AS r;
SELECT pg_temp.eq('correct stores the inputs it read from the order', pg_temp.inputs('T-1'), jsonb_build_object(
    'regime', 'cost', 'currency', 'CNY', 'profit_rate', '10', 'schedule', '{"acknowledged":"5","materials":"25"}'::jsonb,
    'acknowledged', true, 'settlement', '200.00', 'payments', '100.00',
    'lines', '[{"line":1,"sku":"A","price":"9.6000","ordered":"100","delivered":"0","report":{"stage":"materials","finished":"30","in_progress":"20","wip_cost":"300.00","materials":"100.00","salvage":"50.00","cost_to_complete":"0.00"}},{"line":2,"sku":"B","price":"2.4000","ordered":"4","delivered":"4","report":null}]'::jsonb,
    'replacement', '[{"sku":"A","quantity":"40"}]'::jsonb));
SELECT pg_temp.eq('replacement issued and linked',
    (SELECT procure.po_show(r ->> 'replacement') ->> 'status' || '/' || (procure.po_show(r ->> 'replacement') ->> 'replaces') FROM cb), 'in_production/T-1');
SELECT pg_temp.eq('revoked order links replacement', (SELECT procure.po_show('T-1') ->> 'replaced_by' = r ->> 'replacement' FROM cb), true);
SELECT pg_temp.chk('already_revoked', $$SELECT procure.correct('T-1', 'other', 'again', NULL, NULL, NULL)$$);
SELECT pg_temp.chk('already_revoked', $$INSERT INTO procure.corrections (supplier_id, order_id, reason, note) SELECT supplier_id, id, 'other', 'raw' FROM procure.orders WHERE number = 'T-1'$$);
-- the database computes every stored figure (liability_compute):
-- C = 300 × 10/20 + 100 × 50/50 = 250, P = 25, A = 0 (30 finished all reused),
-- K = 60 × 9.6 = 576; total = 275 + S 200 − V 50 − B 100 = 325.00
SELECT pg_temp.eq('correct returns the computed liability', (SELECT r ->> 'total' || '/' || (r ->> 'status') FROM cb), '325.00/open');
SELECT pg_temp.eq('liability_show', (SELECT procure.liability_show('T-1') ->> 'total' || '/' || (procure.liability_show('T-1') ->> 'status')), '325.00/open');
SELECT pg_temp.chk('invalid_argument', $$UPDATE procure.liabilities SET result = '{"regime":"cost","total":"1234.50","status":"open"}'$$);
SELECT pg_temp.chk('invalid_argument', $$UPDATE procure.liabilities SET result = '{"total":"1.234"}'$$);
SELECT pg_temp.chk('invalid_argument', $$UPDATE procure.liabilities SET inputs = '{"regime":"cost"}'$$);
SELECT pg_temp.chk('invalid_argument', $$UPDATE procure.liabilities SET result = jsonb_set(result, '{total}', '"0.00"')$$);
SELECT pg_temp.chk('ok', $$UPDATE procure.liabilities SET inputs = NULL, result = NULL RETURNING 'recomputed'$$);
SELECT pg_temp.eq('a recompute gives the same figures', (SELECT procure.liability_show('T-1') ->> 'total'), '325.00');
-- after the revocation only the supplier reports, as of the revocation at the latest
SELECT pg_temp.chk('permission_denied', $$SELECT procure.production('T-1', 1, 'production', 40, 10, 500, 100, 50, 0, NULL)$$);
SELECT pg_temp.chk('ok', $$SELECT procure.note_add('T-1', 'called the supplier')$$);
SELECT pg_temp.chk('42501', $$SELECT procure.liability_agree('T-1')$$);
SELECT pg_temp.chk('42501', $$UPDATE procure.liabilities SET status = 'agreed'$$);
SELECT pg_temp.chk('42501', $$SELECT procure.claim_submit('T-1', NULL)$$);
RESET ROLE;
SET ROLE chk_fin;
SELECT pg_temp.chk('42501', $$SELECT procure.production('T-1', 1, 'production', 40, 10, 500, 100, 50, 0, NULL)$$);
SELECT pg_temp.chk('42501', $$INSERT INTO procure.production_reports (supplier_id, order_id, line_no, finished) SELECT supplier_id, order_id, 1, 1 FROM procure.corrections$$);
SELECT pg_temp.chk('invalid_state', $$SELECT procure.liability_agree('T-1')$$);
RESET ROLE;
SET ROLE chk_sup2;
SELECT pg_temp.eq('another supplier sees nothing', (SELECT count(*) FROM procure.orders WHERE number = 'T-1'), 0::bigint);
SELECT pg_temp.chk('not_found', $$SELECT procure.claim_submit('T-1', NULL)$$);
RESET ROLE;
SET ROLE chk_sup;
SELECT pg_temp.eq('the supplier sees its issued orders, no drafts', (SELECT count(*) FILTER (WHERE status = 'draft') FROM procure.orders), 0::bigint);
SELECT pg_temp.eq('the supplier sees no other supplier', (SELECT count(*) FROM procure.suppliers WHERE code <> 'ACME'), 0::bigint);
SELECT pg_temp.eq('the supplier sees no buyer limits', (SELECT count(*) FROM procure.users WHERE name <> 'chk_sup'), 0::bigint);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.production('T-1', 1, 'production', 40, 10, 500, 100, 50, 0, now() + interval '1 minute')$$);
SELECT pg_temp.eq('the supplier''s report counts and recomputes',
    (SELECT (r ->> 'counts') || '/' || (r ->> 'recompute') || '/' || (r ->> 'reported_as') FROM (SELECT procure.production('T-1', 1, 'production', 40, 10, 500, 100, 50, 0, NULL) r) x), 'true/true/supplier');
SELECT pg_temp.chk('ok', $$SELECT procure.note_add('T-1', 'we had made 40')$$);
SELECT pg_temp.chk('42501', $$INSERT INTO procure.case_notes (supplier_id, correction_id, kind, body) SELECT supplier_id, id, 'deadline', 'forged' FROM procure.corrections$$);
SELECT pg_temp.chk('ok', $$SELECT procure.claim_submit('T-1', 'final')$$);
SELECT pg_temp.chk('invalid_state', $$SELECT procure.claim_submit('T-1', 'again')$$);
SELECT pg_temp.chk('claim_window_closed', $$SELECT procure.production('T-1', 1, 'production', 40, 10, 500, 100, 50, 0, NULL)$$);
RESET ROLE;
SET ROLE chk_b1;
SELECT pg_temp.eq('the recompute read the latest counting report',
    (SELECT pg_temp.inputs('T-1') -> 'lines' -> 0 -> 'report' ->> 'finished'), '40');
SELECT pg_temp.eq('claimed', (SELECT procure.liability_show('T-1') ->> 'status'), 'claimed');
RESET ROLE;
SET ROLE chk_fin;
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.liability_dispute('T-1', ' ')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.liability_dispute('T-1', 'the salvage looks low')$$);
SELECT pg_temp.eq('a dispute reopens the case', (SELECT procure.liability_show('T-1') ->> 'status'), 'open');
RESET ROLE;
SET ROLE chk_sup;
SELECT pg_temp.chk('ok', $$SELECT procure.claim_submit('T-1', NULL)$$);
RESET ROLE;
SET ROLE chk_fin;
SELECT pg_temp.chk('invalid_state', $$SELECT procure.liability_settle('T-1', 'REF-1')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.liability_agree('T-1')$$);
SELECT pg_temp.chk('invalid_state', $$SELECT procure.liability_agree('T-1')$$);
SELECT pg_temp.chk('invalid_argument', $$SELECT procure.liability_settle('T-1', ' ')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.note_add('T-1', 'agreed by phone')$$);
SELECT pg_temp.eq('liability_list', (SELECT jsonb_array_length(procure.liability_list(NULL, 'chk_b1', 'agreed'))), 1);
SELECT pg_temp.eq('case_list', (SELECT procure.case_list(NULL, NULL, 'chk_b1', false) -> 0 ->> 'state'), 'agreed');
RESET ROLE;
SET ROLE chk_b1;
SELECT pg_temp.chk('invalid_state', $$UPDATE procure.liabilities SET inputs = NULL, result = NULL$$);
RESET ROLE;
SET ROLE chk_sup;
SELECT pg_temp.chk('claim_window_closed', $$SELECT procure.production('T-1', 1, 'production', 40, 10, 500, 100, 50, 0, NULL)$$);
RESET ROLE;
SET ROLE chk_fin;
SELECT pg_temp.chk('ok', $$SELECT procure.liability_settle('T-1', 'REF-1')$$);
SELECT pg_temp.eq('settled', (SELECT procure.liability_show('T-1') ->> 'status' || '/' || (procure.liability_show('T-1') ->> 'settle_ref')), 'settled/REF-1');
RESET ROLE;

-- claim window: a revocation backdated beyond BETA's 3 claim days
SET ROLE chk_b1;
SELECT pg_temp.chk('ok', $$SELECT procure.po_create('BETA', 'T-3', current_date, NULL, '[{"sku":"A","qty":"10"}]')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.po_issue('T-3')$$);
SELECT pg_temp.chk('ok', $$SELECT procure.correct('T-3', 'wrong-supplier', 'should be ACME', '[{"sku":"A","qty":"10"}]', 'ACME', NULL)$$);
SELECT pg_temp.eq('replacement to another supplier: no reuse', (SELECT pg_temp.inputs('T-3') -> 'replacement'), '[]'::jsonb);
SELECT pg_temp.eq('not acknowledged', (SELECT pg_temp.inputs('T-3') -> 'acknowledged'), 'false'::jsonb);
SELECT pg_temp.eq('a replacement is numbered as a revision', (SELECT procure.po_show('T-3') ->> 'replaced_by'), 'T-3-R1');
RESET ROLE;
SET session_replication_role = replica;
UPDATE procure.liabilities li SET claim_deadline = li.claim_deadline - interval '4 days'
  FROM procure.orders o WHERE o.supplier_id = li.supplier_id AND o.id = li.order_id AND o.number = 'T-3';
SET session_replication_role = origin;
SET ROLE chk_sup2;
SELECT pg_temp.eq('a closed claim window reads as claimed at once', (SELECT procure.liability_show('T-3') ->> 'status'), 'claimed');
SELECT pg_temp.chk('claim_window_closed', $$SELECT procure.production('T-3', 1, NULL, 1, 0, NULL, NULL, NULL, NULL, NULL)$$);
RESET ROLE;
SET ROLE chk_aud;
SELECT pg_temp.eq('the sweep writes the deadline', (SELECT procure.resolve_deadlines() >= 1), true);
SELECT pg_temp.eq('the deadline is noted in the case with its own time',
    (SELECT n.kind || '/' || (n.created_at = li.claim_deadline)::text FROM procure.case_notes n
       JOIN procure.liabilities li ON li.supplier_id = n.supplier_id AND li.correction_id = n.correction_id
       JOIN procure.orders o ON o.supplier_id = li.supplier_id AND o.id = li.order_id
      WHERE o.number = 'T-3' ORDER BY n.id DESC LIMIT 1), 'deadline/true');
RESET ROLE;

-- import ----------------------------------------------------------------------
SET ROLE chk_b3;
CREATE TEMP TABLE import_staging (row_no bigint, number text, supplier text, order_date date, sku text, qty numeric, price numeric);
INSERT INTO import_staging VALUES
    (1, 'IMP-1', 'ACME', '2020-02-01', 'A', 10, NULL),
    (2, 'IMP-1', 'ACME', '2020-02-01', 'B', 5, 2.5),
    (3, 'IMP-2', 'ACME', '2020-02-02', 'A', 1, 9.99),
    (4, 'IMP-2', 'ACME', '2020-02-02', 'A', 2, 10.5),
    (5, 'IMP-3', 'ACME', '2019-02-02', 'A', 2, NULL);
SELECT pg_temp.chk('price_above_base', $$SELECT procure.import_orders_apply()$$);
SELECT pg_temp.eq('import error names the row', (SELECT pg_temp.chk('x', $$SELECT procure.import_orders_apply()$$) LIKE '%row 4:%'), true);
UPDATE import_staging SET price = 10 WHERE row_no = 4;
SELECT pg_temp.chk('no_base_price', $$SELECT procure.import_orders_apply()$$);
UPDATE import_staging SET order_date = '2020-02-02' WHERE row_no = 5;
UPDATE import_staging SET qty = 1.0005 WHERE row_no = 2;
SELECT pg_temp.chk('qty_check', $$SELECT procure.import_orders_apply()$$);
UPDATE import_staging SET qty = 5 WHERE row_no = 2;
UPDATE import_staging SET number = 'T-1' WHERE row_no = 5;
SELECT pg_temp.chk('orders_number_key', $$SELECT procure.import_orders_apply()$$);
UPDATE import_staging SET number = 'IMP-3', supplier = 'BETA' WHERE row_no = 5;
SELECT pg_temp.eq('import applies', (SELECT procure.import_orders_apply()), '{"lines": 5, "orders": 3}'::jsonb);
SELECT pg_temp.eq('imported order', (SELECT procure.po_show('IMP-2') -> 'lines' -> 1 ->> 'line'), '2');
SELECT pg_temp.eq('imported drafts belong to the importer', (SELECT count(*) FROM procure.orders WHERE number LIKE 'IMP-%' AND buyer = 'chk_b3' AND status = 'draft'), 3::bigint);
RESET ROLE;

-- audit -----------------------------------------------------------------------
SELECT pg_temp.eq('audit chain verifies', (SELECT procure.audit_verify() ->> 'ok'), 'true');
SELECT pg_temp.chk('permission_denied', $$UPDATE procure.audit_log SET actor = 'x'$$);
SELECT pg_temp.chk('permission_denied', $$DELETE FROM procure.audit_log$$);
SELECT pg_temp.chk('permission_denied', $$TRUNCATE procure.audit_log$$);
SELECT pg_temp.chk('permission_denied', $$INSERT INTO procure.audit_log (chain, seq, at, actor, changes, hash) VALUES ('x', 1, now(), 'x', '[]', 'x')$$);
SET ROLE chk_b1;
SELECT pg_temp.chk('42501', $$SELECT count(*) FROM procure.audit_log$$);
SELECT pg_temp.chk('42501', $$SELECT count(*) FROM procure.audit_entries$$);
SELECT pg_temp.eq('history of own order', (SELECT procure.history('T-1') -> 0 ->> 'table'), 'orders');
RESET ROLE;
SET ROLE chk_aud;
SELECT pg_temp.chk('42501', $$UPDATE procure.audit_log SET actor = 'x'$$);
SELECT pg_temp.eq('auditor reads the audit entries', (SELECT count(*) > 0 FROM procure.audit_entries), true);
RESET ROLE;
-- the view reads with the reader's rights: a group role itself sees no audit row through it
SET ROLE procure_auditor;
SELECT pg_temp.eq('group role reads no audit entry', (SELECT count(*) FROM procure.audit_entries), 0::bigint);
RESET ROLE;
SET ROLE chk_aud;
SELECT pg_temp.eq('auditor reads history', (SELECT jsonb_array_length(procure.history('T-1')) > 5), true);
RESET ROLE;
-- the schema check (ProcurementStore/SchemaCheck.swift): what it compares, the database's
-- setting procure.schema_digest, is written by migration runs only; no user or everyday role
-- may record another digest for the database or replace the check
SET ROLE chk_b1;
SELECT pg_temp.chk('PRS01', $$SELECT public.procure_schema_is('not this schema')::text$$);
SELECT pg_temp.chk('42501', format($q$DO $d$ BEGIN EXECUTE 'ALTER DATABASE %I SET procure.schema_digest = ''forged'''; END $d$$q$, current_database()));
SELECT pg_temp.chk('42501', $$CREATE OR REPLACE FUNCTION public.procure_schema_is(p_digest text) RETURNS void LANGUAGE sql AS 'SELECT NULL::void'$$);
RESET ROLE;
SET ROLE procure_cli;
SELECT pg_temp.chk('42501', format($q$DO $d$ BEGIN EXECUTE 'ALTER DATABASE %I SET procure.schema_digest = ''forged'''; END $d$$q$, current_database()));
SELECT pg_temp.chk('42501', $$CREATE FUNCTION public.procure_schema_is(p_digest varchar) RETURNS void LANGUAGE sql AS 'SELECT NULL::void'$$);
RESET ROLE;
-- the same as the group role itself and as the schema's owner (what a SECURITY DEFINER
-- function runs as): neither owns the database nor may create in public
SET ROLE procure_buyer;
SELECT pg_temp.chk('42501', format($q$DO $d$ BEGIN EXECUTE 'ALTER DATABASE %I SET procure.schema_digest = ''forged'''; END $d$$q$, current_database()));
RESET ROLE;
SET ROLE procure_owner;
SELECT pg_temp.chk('42501', format($q$DO $d$ BEGIN EXECUTE 'ALTER DATABASE %I SET procure.schema_digest = ''forged'''; END $d$$q$, current_database()));
SELECT pg_temp.chk('42501', $$CREATE OR REPLACE FUNCTION public.procure_schema_is(p_digest text) RETURNS void LANGUAGE sql AS 'SELECT NULL::void'$$);
RESET ROLE;
-- tampering by a superuser bypassing the triggers is detected
SET session_replication_role = replica;
UPDATE procure.audit_log SET changes = jsonb_set(changes, '{1,new,price}', '1') WHERE id = (SELECT min(id) FROM procure.audit_entries WHERE table_name = 'order_lines' AND n = 2);
SET session_replication_role = origin;
SELECT pg_temp.eq('tampered row is found',
    (SELECT (v ->> 'ok') || '/' || (v -> 'first_bad' ->> 'id' = (SELECT min(id) FROM procure.audit_entries WHERE table_name = 'order_lines' AND n = 2)::text)
       FROM (SELECT procure.audit_verify() AS v) x), 'false/true');
-- a row cut off the end of a chain is found through the chain's head
SET session_replication_role = replica;
UPDATE procure.audit_log SET changes = jsonb_set(changes, '{1,new,price}', '10') WHERE id = (SELECT min(id) FROM procure.audit_entries WHERE table_name = 'order_lines' AND n = 2);
DELETE FROM procure.audit_log WHERE id = (SELECT max(id) FROM procure.audit_log WHERE chain = 'order:T-1');
SET session_replication_role = origin;
SELECT pg_temp.eq('tampered line restored', (SELECT procure.audit_verify() -> 'first_bad' ->> 'chain'), 'order:T-1');
