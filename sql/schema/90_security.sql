-- Who may do what: row-level security policies and grants. A policy or grant exists
-- exactly when it is written here.

-- ---------------------------------------------------------------------------
-- Row-level security (enabled and forced on the tables in sql/migrations/)
--
-- Every policy asks first whether the acting role is a registered user
-- (procure.actor_registered, once per statement as an InitPlan): a group role
-- itself — SET ROLE procure_buyer — holds the group's grants but passes no
-- policy, so it reads no order data and writes nothing.
-- ---------------------------------------------------------------------------

CREATE POLICY case_notes_buyer ON procure.case_notes TO procure_buyer USING ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id)) WITH CHECK ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id) AND kind = 'note');
CREATE POLICY case_notes_read ON procure.case_notes FOR SELECT TO procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY case_notes_staff_insert ON procure.case_notes FOR INSERT TO procure_finance WITH CHECK ((SELECT procure.actor_registered()) AND kind = 'note');
CREATE POLICY corrections_buyer ON procure.corrections TO procure_buyer USING ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id)) WITH CHECK ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id));
CREATE POLICY corrections_read ON procure.corrections FOR SELECT TO procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY liabilities_buyer ON procure.liabilities TO procure_buyer USING ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id)) WITH CHECK ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id));
CREATE POLICY liabilities_finance_update ON procure.liabilities FOR UPDATE TO procure_finance USING ((SELECT procure.actor_registered())) WITH CHECK ((SELECT procure.actor_registered()));
CREATE POLICY liabilities_read ON procure.liabilities FOR SELECT TO procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY order_lines_buyer ON procure.order_lines TO procure_buyer USING ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id)) WITH CHECK ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id));
CREATE POLICY order_lines_read ON procure.order_lines FOR SELECT TO procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY orders_buyer ON procure.orders TO procure_buyer USING ((SELECT procure.actor_registered()) AND (buyer = ((CURRENT_USER)::text COLLATE "default"))) WITH CHECK ((SELECT procure.actor_registered()) AND (buyer = ((CURRENT_USER)::text COLLATE "default")));
CREATE POLICY orders_read ON procure.orders FOR SELECT TO procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY payments_buyer ON procure.payments TO procure_buyer USING ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id)) WITH CHECK ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id));
CREATE POLICY payments_finance_insert ON procure.payments FOR INSERT TO procure_finance WITH CHECK ((SELECT procure.actor_registered()));
CREATE POLICY payments_read ON procure.payments FOR SELECT TO procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY price_edits_buyer ON procure.price_edits TO procure_buyer USING ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id)) WITH CHECK ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id));
CREATE POLICY price_edits_read ON procure.price_edits FOR SELECT TO procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY production_reports_buyer ON procure.production_reports TO procure_buyer USING ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id)) WITH CHECK ((SELECT procure.actor_registered()) AND procure.owns_order(supplier_id, order_id));
CREATE POLICY production_reports_read ON procure.production_reports FOR SELECT TO procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY users_admin_update ON procure.users FOR UPDATE TO procure_admin USING ((SELECT procure.actor_registered())) WITH CHECK ((SELECT procure.actor_registered()));
CREATE POLICY users_read ON procure.users FOR SELECT TO procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY users_self ON procure.users FOR SELECT TO procure_buyer, procure_supplier USING ((SELECT procure.actor_registered()) AND (name = ((CURRENT_USER)::text COLLATE "default")));

-- A supplier user sees its own supplier's orders from issued on, and what hangs off them;
-- its own supplier row and price list; its own user row. It acknowledges issued orders,
-- reports production and adds notes to its cases.
CREATE POLICY orders_supplier ON procure.orders FOR SELECT TO procure_supplier USING ((SELECT procure.actor_registered()) AND supplier_id = procure.actor_supplier_id() AND status <> 'draft');
CREATE POLICY orders_supplier_ack ON procure.orders FOR UPDATE TO procure_supplier USING ((SELECT procure.actor_registered()) AND supplier_id = procure.actor_supplier_id() AND status = 'issued') WITH CHECK ((SELECT procure.actor_registered()) AND supplier_id = procure.actor_supplier_id() AND status = 'acknowledged');
CREATE POLICY order_lines_supplier ON procure.order_lines FOR SELECT TO procure_supplier USING ((SELECT procure.actor_registered()) AND procure.supplier_sees(supplier_id, order_id));
CREATE POLICY payments_supplier ON procure.payments FOR SELECT TO procure_supplier USING ((SELECT procure.actor_registered()) AND procure.supplier_sees(supplier_id, order_id));
CREATE POLICY production_reports_supplier ON procure.production_reports FOR SELECT TO procure_supplier USING ((SELECT procure.actor_registered()) AND procure.supplier_sees(supplier_id, order_id));
CREATE POLICY production_reports_supplier_insert ON procure.production_reports FOR INSERT TO procure_supplier WITH CHECK ((SELECT procure.actor_registered()) AND procure.supplier_sees(supplier_id, order_id));
CREATE POLICY corrections_supplier ON procure.corrections FOR SELECT TO procure_supplier USING ((SELECT procure.actor_registered()) AND procure.supplier_sees(supplier_id, order_id));
CREATE POLICY liabilities_supplier ON procure.liabilities FOR SELECT TO procure_supplier USING ((SELECT procure.actor_registered()) AND procure.supplier_sees(supplier_id, order_id));
CREATE POLICY case_notes_supplier ON procure.case_notes FOR SELECT TO procure_supplier USING ((SELECT procure.actor_registered()) AND procure.supplier_sees(supplier_id, order_id));
CREATE POLICY case_notes_supplier_insert ON procure.case_notes FOR INSERT TO procure_supplier WITH CHECK ((SELECT procure.actor_registered()) AND procure.supplier_sees(supplier_id, order_id) AND kind = 'note');
CREATE POLICY suppliers_supplier ON procure.suppliers FOR SELECT TO procure_supplier USING ((SELECT procure.actor_registered()) AND id = procure.actor_supplier_id());
CREATE POLICY price_periods_supplier ON procure.price_periods FOR SELECT TO procure_supplier USING ((SELECT procure.actor_registered()) AND supplier_id = procure.actor_supplier_id());

-- Admins report production on a supplier's behalf after a revocation (with a note).
CREATE POLICY production_reports_admin_insert ON procure.production_reports FOR INSERT TO procure_admin WITH CHECK ((SELECT procure.actor_registered()));

-- Suppliers and the price list: everyone else reads them, admins keep them.
CREATE POLICY suppliers_read ON procure.suppliers FOR SELECT TO procure_buyer, procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY suppliers_admin ON procure.suppliers FOR ALL TO procure_admin USING ((SELECT procure.actor_registered())) WITH CHECK ((SELECT procure.actor_registered()));
CREATE POLICY price_periods_read ON procure.price_periods FOR SELECT TO procure_buyer, procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY price_periods_admin ON procure.price_periods FOR ALL TO procure_admin USING ((SELECT procure.actor_registered())) WITH CHECK ((SELECT procure.actor_registered()));

CREATE POLICY items_read ON procure.items FOR SELECT TO procure_buyer, procure_finance, procure_admin, procure_auditor, procure_supplier USING ((SELECT procure.actor_registered()));
CREATE POLICY items_admin ON procure.items FOR ALL TO procure_admin USING ((SELECT procure.actor_registered())) WITH CHECK ((SELECT procure.actor_registered()));

-- The audit log, its heads and the stored results of keys: read by registered users only.
CREATE POLICY audit_log_read ON procure.audit_log FOR SELECT TO procure_finance, procure_admin, procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY audit_heads_read ON procure.audit_heads FOR SELECT TO procure_auditor USING ((SELECT procure.actor_registered()));
CREATE POLICY idempotency_keys_read ON procure.idempotency_keys FOR SELECT TO procure_auditor USING ((SELECT procure.actor_registered()));

-- Settings: everyone reads them (they print on documents), admins keep them.
CREATE POLICY settings_read ON procure.settings FOR SELECT TO procure_buyer, procure_finance, procure_admin, procure_auditor, procure_supplier USING (true);
CREATE POLICY settings_admin ON procure.settings FOR ALL TO procure_admin USING (true) WITH CHECK (true);

-- ---------------------------------------------------------------------------
-- Grants (00_reset.sql revoked everything; PUBLIC gets nothing)
-- ---------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA procure FROM PUBLIC;

GRANT USAGE ON SCHEMA procure TO procure_admin, procure_auditor, procure_buyer, procure_finance, procure_supplier;

GRANT EXECUTE ON FUNCTION procure.actor_registered(), procure.is_user(text), procure.is_inactive_user(text), procure.act_as(text) TO PUBLIC, procure_admin, procure_auditor, procure_buyer, procure_finance, procure_supplier;
GRANT EXECUTE ON FUNCTION procure.create_replacement(text,bigint,text,jsonb) TO procure_buyer;

GRANT EXECUTE ON FUNCTION procure.strict_date(text), procure.strict_numeric(text) TO PUBLIC, procure_buyer;
GRANT EXECUTE ON FUNCTION procure.item_add(text,text,text), procure.price_change(text,numeric,daterange), procure.price_set(text,text,numeric,date,date), procure.supplier_add(text,text,text,text,numeric,jsonb,integer,integer), procure.supplier_set(text,text,text,text,numeric,jsonb,integer,integer), procure.supplier_terms(procure.suppliers), procure.user_add(text,text,numeric,numeric,text,text), procure.user_set(text,text,text,boolean) TO procure_admin;
GRANT EXECUTE ON FUNCTION procure.actor(), procure.actor_is(text), procure.actor_is_super(), procure.arg_num(text,numeric,text,boolean), procure.audit_verify(), procure.base_price(bigint,bigint,date), procure.fail(text,text), procure.fmt_amount(numeric), procure.fmt_pct(numeric), procure.fmt_price(numeric), procure.fmt_qty(numeric), procure.get_correction(procure.orders), procure.get_order(text,boolean), procure.history(text), procure.item_list(), procure.jnum0(jsonb), procure.json_num(jsonb,text), procure.liability_compute(jsonb), procure.liability_inputs_for(procure.orders), procure.liability_json(procure.orders), procure.liability_list(text,text,text), procure.liability_show(text), procure.natural_sort_key(text), procure.order_exists(text), procure.order_total(bigint,bigint), procure.po_json(procure.orders), procure.po_list(text,text,text,date,date,integer), procure.po_show(text), procure.price_list(text,date), procure.price_period_json(procure.price_periods), procure.report(text,date,date,text,text), procure.report_corrections(date,date,text,text), procure.report_liabilities(date,date,text,text), procure.report_price_compliance(date,date,text,text), procure.supplier_json(procure.suppliers), procure.supplier_list(), procure.user_json(procure.users), procure.user_list(), procure.valid_schedule(jsonb) TO procure_admin, procure_auditor, procure_buyer, procure_finance;
GRANT EXECUTE ON FUNCTION procure.idempotent_result(text,text), procure.idempotent_save(text,text,jsonb) TO procure_admin, procure_buyer, procure_finance, procure_supplier;
GRANT EXECUTE ON FUNCTION procure.carry_over_work(procure.orders,procure.orders), procure.correct(text,text,text,jsonb,text,numeric,text), procure.import_orders_apply(), procure.insert_lines(procure.orders,jsonb), procure.owns_order(bigint,bigint), procure.po_ack(text), procure.po_close(text), procure.po_create(text,text,date,text,jsonb), procure.po_delete(text), procure.po_issue(text), procure.po_line_add(text,jsonb), procure.po_line_remove(text,integer), procure.po_line_set(text,integer,numeric,numeric,text), procure.po_price(text,integer,numeric), procure.po_receive(text,integer,numeric), procure.po_set_status(text,text), procure.production(text,integer,text,numeric,numeric,numeric,numeric,numeric,numeric,timestamp with time zone,text) TO procure_buyer;
GRANT EXECUTE ON FUNCTION procure.idempotent_result(text,text), procure.idempotent_save(text,text,jsonb) TO procure_admin, procure_buyer, procure_finance;
GRANT EXECUTE ON FUNCTION procure.note_add(text,text) TO procure_buyer, procure_finance;
GRANT EXECUTE ON FUNCTION procure.liability_dispute(text,text), procure.liability_agree(text), procure.liability_set_status(text,text,text), procure.liability_settle(text,text), procure.po_pay(text,numeric) TO procure_finance;
GRANT USAGE ON SEQUENCE procure.orders_id_seq TO procure_buyer;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE procure.items, procure.price_periods, procure.suppliers TO procure_admin;
GRANT SELECT ON TABLE procure.case_notes TO procure_admin, procure_auditor;
GRANT SELECT ON TABLE procure.payments TO procure_admin, procure_auditor, procure_buyer;
GRANT SELECT ON TABLE procure.price_edits, procure.report_corrections, procure.report_liabilities, procure.report_price_compliance, procure.users TO procure_admin, procure_auditor, procure_buyer, procure_finance;
GRANT SELECT ON TABLE procure.audit_entries, procure.audit_log, procure.corrections, procure.liabilities, procure.order_lines, procure.orders, procure.production_reports TO procure_admin, procure_auditor, procure_finance;
GRANT SELECT ON TABLE procure.audit_heads, procure.idempotency_keys TO procure_auditor;
GRANT SELECT ON TABLE procure.items, procure.price_periods, procure.suppliers TO procure_auditor, procure_buyer, procure_finance;
GRANT DELETE, INSERT, SELECT ON TABLE procure.order_lines TO procure_buyer;
GRANT DELETE, SELECT ON TABLE procure.orders TO procure_buyer;
-- not replaces, replaced_by, revision or chain_base: only create_replacement links two orders
GRANT INSERT (supplier_id, number, buyer, order_date, status) ON procure.orders TO procure_buyer;
GRANT INSERT, SELECT ON TABLE procure.corrections, procure.liabilities, procure.production_reports TO procure_buyer;
GRANT INSERT, SELECT ON TABLE procure.case_notes TO procure_buyer, procure_finance;
GRANT INSERT, SELECT ON TABLE procure.payments TO procure_finance;

GRANT UPDATE (delivered, item_id, price, qty) ON procure.order_lines TO procure_buyer;
GRANT UPDATE (inputs, result) ON procure.liabilities TO procure_buyer;
GRANT UPDATE (max_discount, max_order_total) ON procure.users TO procure_admin;
GRANT UPDATE (status) ON procure.orders TO procure_buyer;
GRANT UPDATE (settle_ref, status) ON procure.liabilities TO procure_finance;

-- The supplier side and the case register.
GRANT EXECUTE ON FUNCTION procure.resolve_deadlines(), procure.liability_status_now(procure.liabilities), procure.liability_deadlines_now(procure.liabilities), procure.case_list(text,text,text,boolean), procure.actor_supplier_id(), procure.supplier_sees(bigint,bigint) TO procure_admin, procure_auditor, procure_buyer, procure_finance, procure_supplier;
GRANT SELECT ON TABLE procure.cases TO procure_admin, procure_auditor, procure_buyer, procure_finance, procure_supplier;
GRANT EXECUTE ON FUNCTION procure.claim_submit(text,text) TO procure_supplier;
-- what a supplier user reads with (RLS decides which rows): its orders sorted, the items, its supplier row, itself
GRANT EXECUTE ON FUNCTION procure.natural_sort_key(text), procure.item_list(), procure.supplier_list(), procure.user_json(procure.users), procure.user_list() TO procure_supplier;
GRANT EXECUTE ON FUNCTION procure.actor(), procure.actor_is(text), procure.actor_is_super(), procure.arg_num(text,numeric,text,boolean), procure.fail(text,text), procure.fmt_amount(numeric), procure.fmt_pct(numeric), procure.fmt_price(numeric), procure.fmt_qty(numeric), procure.get_correction(procure.orders), procure.get_order(text,boolean), procure.history(text), procure.jnum0(jsonb), procure.json_num(jsonb,text), procure.liability_json(procure.orders), procure.liability_list(text,text,text), procure.liability_show(text), procure.order_exists(text), procure.order_total(bigint,bigint), procure.po_json(procure.orders), procure.po_list(text,text,text,date,date,integer), procure.po_show(text), procure.po_ack(text), procure.po_set_status(text,text), procure.production(text,integer,text,numeric,numeric,numeric,numeric,numeric,numeric,timestamp with time zone,text), procure.note_add(text,text), procure.base_price(bigint,bigint,date), procure.price_list(text,date), procure.price_period_json(procure.price_periods), procure.supplier_json(procure.suppliers), procure.valid_schedule(jsonb) TO procure_supplier;
GRANT SELECT ON TABLE procure.orders, procure.order_lines, procure.payments, procure.production_reports, procure.corrections, procure.liabilities, procure.case_notes, procure.suppliers, procure.items, procure.price_periods, procure.users TO procure_supplier;
GRANT UPDATE (status) ON procure.orders TO procure_supplier;
GRANT INSERT ON TABLE procure.production_reports, procure.case_notes TO procure_supplier;
GRANT INSERT ON TABLE procure.production_reports TO procure_admin;
GRANT EXECUTE ON FUNCTION procure.production(text,integer,text,numeric,numeric,numeric,numeric,numeric,numeric,timestamp with time zone,text), procure.get_order(text,boolean), procure.get_correction(procure.orders) TO procure_admin;

-- Documents and settings: everyone who reads orders reads their documents; setting_set says
-- who may not change a setting, and the grants hold psql to the same.
GRANT EXECUTE ON FUNCTION procure.setting_keys(), procure.setting(text), procure.setting_json(text), procure.setting_list(), procure.setting_set(text,text), procure.doc_words(text), procure.doc_date(date,text), procure.doc_time(timestamp with time zone,text), procure.doc_parties(jsonb,text), procure.doc_lines(jsonb), procure.po_document(text,text), procure.notice(text,text) TO procure_admin, procure_auditor, procure_buyer, procure_finance, procure_supplier;
GRANT SELECT ON TABLE procure.settings TO procure_admin, procure_auditor, procure_buyer, procure_finance, procure_supplier;
GRANT INSERT, UPDATE, DELETE ON TABLE procure.settings TO procure_admin;
GRANT EXECUTE ON FUNCTION procure.report_suppliers(text) TO procure_admin, procure_auditor, procure_buyer, procure_finance;
-- The database's own connection back, which records refused price edits.
GRANT USAGE ON SCHEMA procure TO procure_recorder;
GRANT EXECUTE ON FUNCTION procure.record_refused_price_edit_store(bigint,bigint,integer,text,numeric,numeric,text) TO procure_recorder;
GRANT EXECUTE ON FUNCTION procure.audit_checkpoint(), procure.audit_heads_digest(jsonb), procure.audit_verify_checkpoint(jsonb) TO procure_admin, procure_auditor, procure_buyer, procure_finance;
GRANT EXECUTE ON FUNCTION procure.report_orders(date,date,text,text) TO procure_admin, procure_auditor, procure_buyer, procure_finance;
