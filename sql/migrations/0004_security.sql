-- 0004_security: grants and row-level security (SPEC §9).
--
-- buyer   : reads master data and its own orders (and their lines, price
--           edits, payments, production reports, corrections, liabilities,
--           notes, limits row); creates/edits/deletes its own drafts, issues,
--           records supplier events (ack, receive, production), corrects,
--           stores its own open liabilities, adds notes.
-- finance : reads everything; inserts payments; agrees/settles liabilities
--           (columns status, settle_ref); adds notes.
-- admin   : reads everything; writes suppliers, items, price list, user limits
--           (users through user_add); adds notes. No order writes.
-- auditor : reads everything (audit log included); writes nothing.
-- Nobody (not even the owner through ordinary statements) updates, deletes or
-- truncates audit rows; nobody inserts them except the audit triggers.

REVOKE ALL ON ALL TABLES IN SCHEMA procure FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA procure FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA procure FROM PUBLIC;

-- reads
GRANT SELECT ON ALL TABLES IN SCHEMA procure TO procure_auditor;
GRANT SELECT ON procure.suppliers, procure.items, procure.price_periods, procure.users,
                procure.orders, procure.order_lines, procure.price_edits, procure.payments,
                procure.production_reports, procure.corrections, procure.liabilities, procure.case_notes
    TO procure_buyer, procure_finance, procure_admin;
GRANT SELECT ON procure.audit_log TO procure_finance, procure_admin;

-- buyer writes (ownership by RLS, rules by triggers)
GRANT INSERT, DELETE ON procure.orders TO procure_buyer;
GRANT UPDATE (status, replaced_by) ON procure.orders TO procure_buyer;
GRANT USAGE ON SEQUENCE procure.orders_id_seq TO procure_buyer;
GRANT INSERT, DELETE ON procure.order_lines TO procure_buyer;
GRANT UPDATE (item_id, qty, price, delivered) ON procure.order_lines TO procure_buyer;
GRANT INSERT ON procure.production_reports TO procure_buyer;
GRANT INSERT ON procure.corrections TO procure_buyer;
GRANT INSERT ON procure.liabilities TO procure_buyer;
GRANT UPDATE (inputs, result) ON procure.liabilities TO procure_buyer;
GRANT INSERT ON procure.case_notes TO procure_buyer, procure_finance, procure_admin;

-- finance writes
GRANT INSERT ON procure.payments TO procure_finance;
GRANT UPDATE (status, settle_ref) ON procure.liabilities TO procure_finance;

-- admin writes
GRANT INSERT, UPDATE, DELETE ON procure.suppliers, procure.items, procure.price_periods TO procure_admin;
GRANT UPDATE (max_order_total, max_discount) ON procure.users TO procure_admin;

-- audit log: belt and braces on top of the guard trigger
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON procure.audit_log FROM procure_buyer, procure_finance, procure_admin, procure_auditor;

-- ---------------------------------------------------------------------------
-- Row-level security. FORCE so that a non-superuser owner would be held too
-- (superusers, who run the migrations and own the objects, always bypass RLS;
-- the triggers still hold them to the rules).
-- ---------------------------------------------------------------------------
ALTER TABLE procure.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.orders FORCE ROW LEVEL SECURITY;
CREATE POLICY orders_buyer ON procure.orders FOR ALL TO procure_buyer
    USING (buyer = current_user::text COLLATE "default") WITH CHECK (buyer = current_user::text COLLATE "default");
CREATE POLICY orders_read ON procure.orders FOR SELECT TO procure_finance, procure_admin, procure_auditor
    USING (true);

DO $rls$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['order_lines', 'price_edits', 'payments', 'production_reports',
                             'corrections', 'liabilities', 'case_notes'] LOOP
        EXECUTE format('ALTER TABLE procure.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE procure.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY %I ON procure.%I FOR ALL TO procure_buyer '
            'USING (EXISTS (SELECT 1 FROM procure.orders o WHERE o.supplier_id = %I.supplier_id '
            'AND o.id = %I.order_id AND o.buyer = current_user::text COLLATE "default")) '
            'WITH CHECK (EXISTS (SELECT 1 FROM procure.orders o WHERE o.supplier_id = %I.supplier_id '
            'AND o.id = %I.order_id AND o.buyer = current_user::text COLLATE "default"))',
            t || '_buyer', t, t, t, t, t);
        EXECUTE format('CREATE POLICY %I ON procure.%I FOR SELECT TO procure_finance, procure_admin, procure_auditor '
                       'USING (true)', t || '_read', t);
    END LOOP;
END
$rls$;

CREATE POLICY payments_finance_insert ON procure.payments FOR INSERT TO procure_finance WITH CHECK (true);
CREATE POLICY liabilities_finance_update ON procure.liabilities FOR UPDATE TO procure_finance
    USING (true) WITH CHECK (true);
CREATE POLICY case_notes_staff_insert ON procure.case_notes FOR INSERT TO procure_finance, procure_admin
    WITH CHECK (true);

ALTER TABLE procure.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_self ON procure.users FOR SELECT TO procure_buyer USING (name = current_user::text COLLATE "default");
CREATE POLICY users_read ON procure.users FOR SELECT TO procure_finance, procure_admin, procure_auditor USING (true);
CREATE POLICY users_admin_update ON procure.users FOR UPDATE TO procure_admin USING (true) WITH CHECK (true);

-- ---------------------------------------------------------------------------
-- Functions so far
-- ---------------------------------------------------------------------------
GRANT EXECUTE ON FUNCTION
    procure.actor(), procure.actor_is(text), procure.fail(text, text),
    procure.fmt_price(numeric), procure.fmt_amount(numeric), procure.fmt_qty(numeric), procure.fmt_pct(numeric),
    procure.valid_schedule(jsonb), procure.base_price(bigint, bigint, date),
    procure.supplier_json(procure.suppliers), procure.price_period_json(procure.price_periods),
    procure.price_list(text, date),
    procure.order_total(bigint, bigint), procure.order_exists(text), procure.get_order(text, boolean),
    procure.audit_verify(), procure.history(text)
    TO procure_buyer, procure_finance, procure_admin, procure_auditor;
GRANT EXECUTE ON FUNCTION
    procure.supplier_add(text, text, text, text, numeric, jsonb, integer),
    procure.item_add(text, text, text),
    procure.price_set(text, text, numeric, date, date),
    procure.user_add(text, text, numeric, numeric, text)
    TO procure_admin;
