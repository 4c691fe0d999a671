import Postgres

extension DatabaseClient {
    /// The client of one libpq connection: every entry point one statement (most of them
    /// `SELECT procure.<function>($1, …)`, which returns `jsonb`), every value a bound
    /// parameter, never spliced into the SQL.
    public static func live(connection: Connection) -> DatabaseClient {
        /// Calls `procure.<function>` and parses its jsonb result. `function` is always a
        /// constant of this file.
        func call(_ function: String, _ arguments: any PostgresEncodable...) throws -> JSONValue {
            let placeholders = arguments.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
            let result = try connection.query("SELECT procure.\(function)(\(placeholders))::text AS result", arguments)
            // NULL, or a function returning void (whose text is empty), is no result.
            guard let text = result.first?["result"], !text.isEmpty else { return .null }
            return try JSONParser.parse(text)
        }

        return DatabaseClient(
            isConnected: { connection.isOpen },
            transaction: { user, digest, oneCall, body in
                try connection.transaction(first: actAsStatement(user, checkingSchema: digest), oneStatement: oneCall) { _ in try body() }
            },
            savepoint: { name, body in
                try connection.savepoint(name) { _ in try body() }
            },
            actAs: { user in
                let statement = actAsStatement(user)
                try connection.query(statement.sql, statement.parameters)
            },
            begin: { try connection.execute(script: "BEGIN") },
            commit: { try connection.execute(script: "COMMIT") },
            rollback: { try connection.execute(script: "ROLLBACK") },
            capturedTransaction: { body in connection.capturedTransaction(body) },
            sendAhead: { transactions in try connection.sendAhead(transactions) },
            settleReadAhead: { try connection.settleReadAhead() },
            appliedMigrations: { migrator in try migrator.appliedChecksums(connection) },

            idempotentResult: { key, verb in
                try call("idempotent_result", key, verb)["text"]?.text
            },
            idempotentSave: { key, verb, result in
                // Kept as its exact text: jsonb would not keep the key order.
                let stored = JSONValue.object([("text", .string(result))])
                _ = try call("idempotent_save", key, verb, JSONParameter(stored))
            },

            supplierAdd: { terms in try call("supplier_add", terms.code, terms.name, terms.currency, terms.regime,
                                             terms.profitRate, terms.schedule.map(JSONParameter.init), terms.claimDays, terms.reviewDays) },
            supplierSet: { terms in try call("supplier_set", terms.code, terms.name, terms.currency, terms.regime,
                                             terms.profitRate, terms.schedule.map(JSONParameter.init), terms.claimDays, terms.reviewDays) },
            supplierList: { try call("supplier_list") },
            itemAdd: { sku, name, uom in try call("item_add", sku, name, uom) },
            itemList: { try call("item_list") },
            priceSet: { supplier, sku, price, from, to in try call("price_set", supplier, sku, price, from, to) },
            priceList: { supplier, on in try call("price_list", supplier, on) },
            userAdd: { name, role, maxOrderTotal, maxDiscount, password, supplier in
                try call("user_add", name, role, maxOrderTotal, maxDiscount, password, supplier)
            },
            userSet: { name, maxOrderTotal, maxDiscount, active in
                try call("user_set", name, maxOrderTotal?.text, maxDiscount?.text, active)
            },
            userList: { try call("user_list") },

            poCreate: { supplier, number, date, lines in
                // The function's own key parameter stays NULL: the CLI keys every verb alike,
                // around its whole transaction (LineRunner).
                try call("po_create", supplier, number, date, String?.none, JSONParameter(lines: lines))
            },
            poIssue: { number in try call("po_issue", number) },
            poAck: { number in try call("po_ack", number) },
            poClose: { number in try call("po_close", number) },
            poDelete: { number in try call("po_delete", number) },
            poShow: { number in try call("po_show", number) },
            poList: { filter in
                try call("po_list", filter.buyer, filter.supplier, filter.status, filter.from, filter.to, filter.limit)
            },
            poLineAdd: { number, line in try call("po_line_add", number, JSONParameter(line: line)) },
            poLineSet: { number, line, quantity, price, sku in try call("po_line_set", number, line, quantity, price, sku) },
            poLineRemove: { number, line in try call("po_line_remove", number, line) },
            poReceive: { number, line, quantity in try call("po_receive", number, line, quantity) },
            poPay: { number, amount in try call("po_pay", number, amount) },
            poPrice: { number, line, price in try call("po_price", number, line, price) },
            priceEdits: { number in
                let result = try connection.query("""
                    SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'line', e.line_no, 'at', e.at, 'by', e.actor,
                               'old', procure.fmt_price(e.old_price), 'new', procure.fmt_price(e.new_price),
                               'base', procure.fmt_price(e.base_price), 'accepted', e.accepted, 'refusal', e.code)
                           ORDER BY e.id), '[]'::jsonb)::text AS edits
                      FROM procure.price_edits e
                      JOIN procure.orders o ON o.supplier_id = e.supplier_id AND o.id = e.order_id
                     WHERE o.number = $1
                    """, [number])
                return try JSONParser.parse(result.first?["edits"] ?? "[]")
            },

            importCreateStaging: {
                try connection.execute(script: """
                    CREATE TEMP TABLE import_staging (
                        row_no bigint GENERATED ALWAYS AS IDENTITY (START 2),
                        -- all text: import_orders_apply checks dates and numbers exactly as the
                        -- CLI does (PostgreSQL's own input would take 'infinity' or '1e2')
                        number text, supplier text, order_date text, sku text, qty text, price text
                    ) ON COMMIT DROP
                    """)
            },
            importCopy: { chunks in
                try connection.copyIn(
                    "COPY import_staging (number, supplier, order_date, sku, qty, price) FROM STDIN WITH (FORMAT csv, HEADER true)",
                    chunks: chunks)
            },
            importOrdersApply: { try call("import_orders_apply") },

            production: { number, line, stage, finished, inProgress, wipCost, materials, salvage, costToComplete, asOf, note in
                try call("production", number, line, stage, finished, inProgress, wipCost, materials, salvage,
                         costToComplete, asOf, note)
            },
            correct: { number, reason, note, replacement, supplier, settlement, replacementNumber in
                try call("correct", number, reason, note, replacement.map { JSONParameter(lines: $0) }, supplier,
                         settlement, replacementNumber)
            },
            claimSubmit: { number, note in try call("claim_submit", number, note) },
            liabilityDispute: { number, note in try call("liability_dispute", number, note) },
            caseList: { state, supplier, buyer, all in try call("case_list", state, supplier, buyer, all) },
            liabilityShow: { number in try call("liability_show", number) },
            liabilityList: { supplier, buyer, status in try call("liability_list", supplier, buyer, status) },
            liabilityAgree: { number in try call("liability_agree", number) },
            liabilitySettle: { number, reference in try call("liability_settle", number, reference) },
            noteAdd: { number, text in try call("note_add", number, text) },

            settingSet: { key, value in try call("setting_set", key, value) },
            settingList: { try call("setting_list") },
            poDocument: { number, language in try call("po_document", number, language) },
            notice: { number, language in try call("notice", number, language) },
            documentWords: { language in try call("doc_words", language) },

            history: { number in try call("history", number) },
            auditVerify: { try call("audit_verify") },
            reportSuppliers: { supplier in try call("report_suppliers", supplier) },
            auditCheckpoint: { try call("audit_checkpoint") },
            auditVerifyCheckpoint: { checkpoint in try call("audit_verify_checkpoint", JSONParameter(checkpoint)) },
            report: { name, from, to, buyer, supplier in try call("report", name, from, to, buyer, supplier) }
        )
    }

    /// The statement that opens every command's work: it sets the acting user for the open
    /// transaction (`procure.act_as`: a `SET LOCAL ROLE` of a registered user, the name a
    /// parameter; anything else is not_found; NULL is the session's own role), then writes the
    /// case deadlines that have passed since the last command, so that each is recorded by the
    /// first command after it, whoever runs it.
    /// The acting user, and the command's deadlines resolved, in one statement; with a digest the
    /// schema check comes first in it (evaluated left to right), so a stale schema runs nothing.
    static func actAsStatement(_ user: String?, checkingSchema digest: String? = nil) -> (sql: String, parameters: [any PostgresEncodable]) {
        guard let digest else { return ("SELECT procure.act_as($1), procure.resolve_deadlines()", [user]) }
        return ("SELECT public.procure_schema_is($2::text), procure.act_as($1), procure.resolve_deadlines()", [user, digest])
    }
}

/// A JSON document sent as a `jsonb` parameter.
private struct JSONParameter: PostgresEncodable {
    let text: String

    init(_ value: JSONValue) {
        text = value.serialized
    }

    /// Order lines as the SQL functions take them: `[{"sku", "qty", "price"}]`, the price null
    /// for the base price.
    init(lines: [OrderLineInput]) {
        self.init(.array(lines.map(JSONParameter.object)))
    }

    /// One order line: `{"sku", "qty", "price"}`.
    init(line: OrderLineInput) {
        self.init(JSONParameter.object(line))
    }

    private static func object(_ line: OrderLineInput) -> JSONValue {
        .object([
            ("sku", .string(line.sku)),
            ("qty", .string(line.quantity.text)),
            ("price", line.price.map { .string($0.text) } ?? .null),
        ])
    }

    var postgresText: String? { text }
}
