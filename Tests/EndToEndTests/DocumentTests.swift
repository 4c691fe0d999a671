import Foundation
import Postgres
import TestSupport
import XCTest

/// The documents for the supplier: the revocation notice and the order, their content in English
/// and Chinese field by field, the settings that print on them, the HTML page's escaping, and a
/// real browser printing each page on one A4 sheet.
final class DocumentTests: DatabaseTestCase {
    var buyer = ""
    var acme = ""
    var other = ""
    let company = "上海示例贸易有限公司 Example Trading Co."

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
        let n = TestCluster.uniqueSuffix()
        (acme, other) = ("acme_\(n)", "other_\(n)")
        let run = try batch([
            "supplier add S2 --name 'Other Works'",
            "price set S2 A 12 --from 2026-01-01",
            "user add \(acme) --role supplier --supplier S1",
            "user add \(other) --role supplier --supplier S2",
            "setting set company.name '\(company)'",
            "setting set company.address '88 Example Road, Shanghai'",
        ])
        XCTAssertEqual(run.status, 0, run.objects.map(\.serialized).joined(separator: "\n"))
    }

    /// P-1 (A:100@10, B:40@25), issued, 30 finished and 20 in progress on line 1, revoked for a
    /// wrong quantity and replaced by 40 of A: P-1-R1.
    private func revokedWithReplacement(note: String = "Needed 40 of A, not 100") throws {
        let run = try batch([
            "po create S1 --number P-1 A:100@10 B:40@25 --as \(buyer)",
            "po issue P-1 --as \(buyer)",
            "production P-1 1 --finished 30 --in-progress 20 --wip-cost 300 --as \(acme)",
        ])
        XCTAssertEqual(run.status, 0, run.objects.map(\.serialized).joined(separator: "\n"))
        _ = try json(["correct", "P-1", "--reason", "wrong-quantity", "--note", note, "--replace", "A:40", "--as", buyer])
    }

    // MARK: settings

    func testAdminsKeepTheSettingsAndEveryoneReadsThem() throws {
        let listed = try XCTUnwrap(try json(["setting", "list", "--as", acme]).arrayValue)
        XCTAssertEqual(listed.compactMap { $0["key"]?.text }, ["company.name", "company.address", "company.contact"])
        XCTAssertEqual(listed[0]["value"]?.text, company)
        XCTAssertEqual(listed[2]["value"], .null)
        XCTAssertEqual(try errorCode(["setting", "set", "company.name", "Mine", "--as", buyer]), "permission_denied")
        XCTAssertEqual(try errorCode(["setting", "set", "company.name", "Mine", "--as", acme]), "permission_denied")
        XCTAssertEqual(try errorCode(["setting", "set", "company.logo", "x"]), "invalid_argument")
        XCTAssertEqual(try errorCode(["setting", "set", "company.name", String(repeating: "x", count: 501)]), "invalid_argument")
        XCTAssertEqual(try json(["setting", "set", "company.contact", "+86 21 5555 0000"])["value"]?.text, "+86 21 5555 0000")
        XCTAssertEqual(try json(["setting", "set", "company.contact", ""])["value"], .null)     // removed
        // psql as a buyer is held to the same: it reads, it cannot write
        let connection = try Connection(conninfo)
        try connection.query("SELECT set_config('role', $1, false)", [buyer])
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM procure.settings").first?["n"], "2")
        XCTAssertThrowsError(try connection.query("UPDATE procure.settings SET value = 'x'"))
        // every change is in the audit log
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.audit_log WHERE chain = 'setting:company.contact'").first?["n"], "2")
    }

    // MARK: content

    func testTheNoticeOfARevokedOrderWithAReplacementFieldByFieldInBothLanguages() throws {
        try revokedWithReplacement()
        let liability = try json(["liability", "show", "P-1"])
        let today = try XCTUnwrap(try json(["po", "show", "P-1-R1"])["date"]?.text)
        for lang in ["en", "zh"] {
            let zh = lang == "zh"
            let notice = try json(["notice", "P-1", "--lang", lang, "--as", acme])
            func field(_ key: String) -> String? { notice[key]?.text }
            XCTAssertEqual(field("document"), "notice")
            XCTAssertEqual(field("lang"), lang)
            XCTAssertEqual(field("title"), zh ? "采购订单撤销说明" : "Revocation notice")
            XCTAssertEqual(field("company"), company)
            XCTAssertEqual(field("company_address"), "88 Example Road, Shanghai")
            XCTAssertEqual(notice["company_contact"], .null)
            XCTAssertEqual(field("order"), "P-1")
            XCTAssertEqual(field("supplier"), "S1")
            XCTAssertEqual(field("supplier_name"), "Acme Metals")
            XCTAssertEqual(field("buyer"), buyer)
            XCTAssertEqual(field("order_date"), today)
            XCTAssertEqual(field("order_date_text"), Self.dateText(today, lang))
            XCTAssertEqual(field("order_total"), "2000.00")
            XCTAssertEqual(field("currency"), "CNY")
            XCTAssertEqual(field("reason"), "wrong-quantity")
            XCTAssertEqual(field("reason_text"), zh ? "数量错误" : "Wrong quantity")
            XCTAssertEqual(field("note"), "Needed 40 of A, not 100")
            XCTAssertEqual(field("revoked_at"), liability["revoked_at"]?.text)
            XCTAssertEqual(field("replacement"), "P-1-R1")
            XCTAssertEqual(notice["replacement_revision"], .number("1"))
            XCTAssertEqual(field("replacement_text"), zh ? "第 1 版，替代 P-1" : "Revision 1, replaces P-1")
            XCTAssertEqual(field("replacement_date_text"), Self.dateText(today, lang))
            XCTAssertEqual(notice["replacement_elsewhere"], .bool(false))
            XCTAssertEqual(field("replacement_total"), "400.00")
            // the claim window, as liability show gives it, and how to claim
            let deadline = try XCTUnwrap(field("claim_deadline"))
            XCTAssertEqual(deadline, liability["claim_deadline"]?.text)
            let deadlineText = try XCTUnwrap(field("claim_deadline_text"))
            XCTAssertEqual(deadlineText, Self.timeText(deadline, lang))
            XCTAssertTrue(field("how_to_claim")?.contains(deadlineText) == true, field("how_to_claim") ?? "")
            XCTAssertTrue(field("how_to_claim")?.contains("procure claim submit P-1") == true)
            XCTAssertEqual(notice["review_deadline"], .null)
            // the liability, itemised as liability show returns it
            for key in ["regime", "currency", "finished", "costs", "profit", "cap", "capped", "saved", "settlement",
                        "credits", "payments", "total", "status", "in_production"] {
                XCTAssertEqual(notice[key], liability[key], key)
            }
            XCTAssertEqual(field("total"), "165.00")          // 150.00 of the work in progress not reused, 10 % profit
            XCTAssertEqual(field("status_text"), zh ? "申报中" : "Open (claim window)")
            XCTAssertEqual(field("regime_text"), zh ? "按实际成本" : "Costs incurred")
            XCTAssertEqual(notice["refund"], .bool(false))
            // the revoked lines with the production on record, reused and terminated units
            let lines = try XCTUnwrap(notice["lines"]?.arrayValue)
            XCTAssertEqual(lines.count, 2)
            let expected: [[String: String]] = [
                ["line": "1", "sku": "A", "item": "Bolt", "uom": "pcs", "qty": "100", "price": "10.0000", "amount": "1000.00",
                 "stage": "production", "stage_text": zh ? "生产中" : "In production", "finished": "30", "in_progress": "20",
                 "reused": "40", "terminated": "60"],
                ["line": "2", "sku": "B", "item": "Nut", "uom": "pcs", "qty": "40", "price": "25.0000", "amount": "1000.00",
                 "stage": "acknowledged", "stage_text": zh ? "未开始" : "Not started", "finished": "0", "in_progress": "0",
                 "reused": "0", "terminated": "40"],
            ]
            for (line, want) in zip(lines, expected) {
                for (key, value) in want { XCTAssertEqual(line[key]?.text, value, "\(lang) line \(want["line"]!) \(key)") }
                XCTAssertNil(line["base_price"])
            }
            let replacement = try XCTUnwrap(notice["replacement_lines"]?.arrayValue)
            XCTAssertEqual(replacement.count, 1)
            for (key, value) in ["line": "1", "sku": "A", "item": "Bolt", "qty": "40", "uom": "pcs", "price": "10.0000",
                                 "amount": "400.00"] {
                XCTAssertEqual(replacement.first?[key]?.text, value, "\(lang) replacement \(key)")
            }
            // the buyer's and the supplier's notice are the same document
            XCTAssertEqual(try json(["notice", "P-1", "--lang", lang, "--as", buyer]).serialized, notice.serialized)
        }
    }

    func testTheReplacementAsADocumentShowsItsRevisionInBothLanguages() throws {
        try revokedWithReplacement()
        let today = try XCTUnwrap(try json(["po", "show", "P-1-R1"])["date"]?.text)
        for lang in ["en", "zh"] {
            let zh = lang == "zh"
            let document = try json(["po", "document", "P-1-R1", "--lang", lang, "--as", acme])
            func field(_ key: String) -> String? { document[key]?.text }
            XCTAssertEqual(field("document"), "po")
            XCTAssertEqual(field("title"), zh ? "采购订单" : "Purchase order")
            XCTAssertEqual(field("number"), "P-1-R1")
            XCTAssertEqual(field("status"), "in_production")                 // it starts with the reused work
            XCTAssertEqual(field("status_text"), zh ? "生产中" : "In production")
            XCTAssertEqual(field("supplier"), "S1")
            XCTAssertEqual(field("supplier_name"), "Acme Metals")
            XCTAssertEqual(field("company"), company)
            XCTAssertEqual(field("date_text"), Self.dateText(today, lang))
            XCTAssertEqual(document["revision"], .number("1"))
            XCTAssertEqual(field("replaces"), "P-1")
            XCTAssertEqual(field("revision_text"), zh ? "第 1 版，替代 P-1" : "Revision 1, replaces P-1")
            XCTAssertEqual(field("total"), "400.00")
            XCTAssertEqual(field("currency"), "CNY")
            XCTAssertEqual(document["lines"]?.arrayValue?.count, 1)
        }
        // a first order has no revision; the revoked one says when it was revoked
        let first = try json(["po", "document", "P-1"])
        XCTAssertEqual(first["revision"], .number("0"))
        XCTAssertEqual(first["revision_text"], .null)
        XCTAssertEqual(first["status_text"]?.text, "Revoked")
        XCTAssertNotNil(first["revoked_at_text"]?.text)
        // the table shows it like any verb, identity first
        let table = try procure(["po", "document", "P-1-R1"]).stdout
        XCTAssertTrue(table.hasPrefix("number           P-1-R1"), table)
        XCTAssertTrue(table.contains("revision_text    Revision 1, replaces P-1"), table)
        XCTAssertTrue(table.contains("lines:"), table)
    }

    func testAReplacementWithAnotherSupplierIsOnlySaidToExistAndBadRequestsAreRefused() throws {
        let run = try batch([
            "po create S1 --number P-2 A:10@10 --as \(buyer)",
            "po issue P-2 --as \(buyer)",
            "correct P-2 --reason wrong-supplier --note 'S2 makes these' --replace A:10 --supplier S2 --as \(buyer)",
            "po create S1 --number P-3 A:10@10 --as \(buyer)",
            "po issue P-3 --as \(buyer)",
        ])
        XCTAssertEqual(run.status, 0, run.objects.map(\.serialized).joined(separator: "\n"))
        let notice = try json(["notice", "P-2", "--as", acme])
        XCTAssertEqual(notice["replacement"], .null)
        XCTAssertEqual(notice["replacement_text"], .null)
        XCTAssertEqual(notice["replacement_elsewhere"], .bool(true))
        XCTAssertEqual(notice["replacement_lines"], .array([]))
        XCTAssertEqual(notice["reason_text"]?.text, "Wrong supplier")
        XCTAssertEqual(notice["in_production"], .bool(false))
        XCTAssertFalse(notice.serialized.contains("P-2-R1"), notice.serialized)
        // the other supplier is refused this notice, as it is the order (po show)
        XCTAssertEqual(try errorCode(["notice", "P-2", "--as", other]), try errorCode(["po", "show", "P-2", "--as", other]))
        XCTAssertEqual(try errorCode(["notice", "P-3"]), "invalid_state")           // not revoked
        XCTAssertEqual(try errorCode(["notice", "P-404"]), "not_found")
        XCTAssertEqual(try errorCode(["notice", "P-2", "--lang", "fr"]), "invalid_argument")
        XCTAssertEqual(try errorCode(["po", "document", "P-3", "--lang", "de"]), "invalid_argument")
        let folder = try TemporaryFolder.make(prefix: "procure-doc-")
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertEqual(try errorCode(["notice", "P-2", "--html", folder.appendingPathComponent("no/such/dir.html").path]),
                       "invalid_argument")
    }

    // MARK: HTML

    func testTheHTMLPageEscapesEverythingAUserTypedAndNeedsNothingButItself() throws {
        let hostile = #"<script>alert("x")</script> & 'quotes' "\#u{301}onmouseover=alert(1) <img src=x onerror=alert(2)>"#
        _ = try json(["setting", "set", "company.name", "Evil <b>Co</b> & \"Sons\""])
        try revokedWithReplacement(note: hostile)
        let folder = try TemporaryFolder.make(prefix: "procure-doc-")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (verb, number) in [(["notice"], "P-1"), (["po", "document"], "P-1-R1")] {
            for lang in ["en", "zh"] {
                let path = folder.appendingPathComponent("\(number)-\(lang).html").path
                let written = try json(verb + [number, "--lang", lang, "--html", path])
                XCTAssertEqual(written["written"]?.text, path)
                let page = try String(contentsOfFile: path, encoding: .utf8)
                XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>"), String(page.prefix(80)))
                XCTAssertTrue(page.contains(#"<html lang="\#(lang == "zh" ? "zh-CN" : "en")">"#))
                XCTAssertTrue(page.contains("Evil &lt;b&gt;Co&lt;/b&gt; &amp; &quot;Sons&quot;"), "the company name is text")
                XCTAssertFalse(page.contains("<b>Co"))
                // nothing from outside: no scripts, links, images, fonts or imports
                for outside in ["<script", "<link", "<img", "<iframe", "<object", "href=", "@import", "url(", "http:", "https:"] {
                    XCTAssertFalse(page.lowercased().contains(outside), "\(number) \(lang): \(outside)")
                }
                XCTAssertTrue(page.contains("@page { size: A4"))
                if verb == ["notice"] {
                    XCTAssertTrue(page.contains(
                        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &quot;\u{301}onmouseover=alert(1) "
                            + "&lt;img src=x onerror=alert(2)&gt;"), "the note is text, scalar by scalar")
                    XCTAssertTrue(page.contains("P-1-R1"))
                }
            }
        }
    }

    // MARK: a real browser

    /// An order of 20 lines, revoked and replaced by 20 lines: each document, in each language,
    /// printed to PDF by headless Chromium, is one A4 page that says what the supplier must read.
    func testEachDocumentPrintsOnOneA4PageInABrowserInEnglishAndChinese() throws {
        let tools = try Browser.tools()
        var setup = ["supplier add S9 --name '深圳市精密五金有限公司' --profit-rate 8"]
        var lines: [String] = []
        var replacement: [String] = []
        for i in 1...20 {
            setup += ["item add X\(i) --name '不锈钢六角螺栓 M\(i)×40'", "price set S9 X\(i) 12.5 --from 2026-01-01"]
            lines.append("X\(i):1000@12.5")
            replacement.append("X\(i):900")
        }
        setup += [
            "po create S9 --number PO-20 \(lines.joined(separator: " ")) --as \(buyer)",
            "po issue PO-20 --as \(buyer)",
            "production PO-20 1 --finished 300 --in-progress 100 --wip-cost 500 --as \(buyer)",
            "correct PO-20 --reason wrong-quantity --note '每行多订了 100 件 / 100 too many on every line' "
                + "--replace \(replacement.joined(separator: " ")) --as \(buyer)",
        ]
        let run = try batch(setup)
        XCTAssertEqual(run.status, 0, run.objects.filter { $0["ok"] != .bool(true) }.map(\.serialized).joined(separator: "\n"))

        let folder = try TemporaryFolder.make(prefix: "procure-print-")
        defer { try? FileManager.default.removeItem(at: folder) }
        for lang in ["en", "zh"] {
            let notice = try json(["notice", "PO-20", "--lang", lang])
            let order = try json(["po", "document", "PO-20-R1", "--lang", lang])
            let documents: [(name: String, verb: [String], must: [String])] = [
                ("notice", ["notice", "PO-20"],
                 ["PO-20", "PO-20-R1", notice["reason_text"]?.text ?? "?", notice["claim_deadline_text"]?.text ?? "?",
                  notice["total"]?.text ?? "?", notice["order_total"]?.text ?? "?"]),
                ("po", ["po", "document", "PO-20-R1"],
                 ["PO-20-R1", "PO-20", order["revision_text"]?.text ?? "?", order["total"]?.text ?? "?"]),
            ]
            XCTAssertEqual(notice["reason_text"]?.text, lang == "zh" ? "数量错误" : "Wrong quantity")
            for document in documents {
                let html = folder.appendingPathComponent("\(document.name)-\(lang).html").path
                _ = try json(document.verb + ["--lang", lang, "--html", html])
                let pdf = folder.appendingPathComponent("\(document.name)-\(lang).pdf").path
                try tools.printToPDF(html, pdf, profile: folder.appendingPathComponent("profile").path)
                let info = try tools.run(tools.pdfinfo, [pdf])
                XCTAssertTrue(info.contains { $0.range(of: #"^Pages:\s+1$"#, options: .regularExpression) != nil },
                              "\(document.name) \(lang) is not one page:\n\(info.joined(separator: "\n"))")
                XCTAssertTrue(info.contains { $0.hasPrefix("Page size:") && $0.hasSuffix("(A4)") },
                              "\(document.name) \(lang) is not A4:\n\(info.joined(separator: "\n"))")
                let text = try tools.run(tools.pdftotext, ["-layout", pdf, "-"]).joined(separator: "\n")
                // the layout keeps a line's words together; compare without the spaces it adds
                let squeezed = text.filter { !$0.isWhitespace }
                for must in document.must {
                    XCTAssertTrue(squeezed.contains(must.filter { !$0.isWhitespace }),
                                  "\(document.name) \(lang): \(must) is not on the printed page:\n\(text)")
                }
            }
        }
    }

    // MARK: helpers

    /// A date as the documents print it: "1 December 2026", "2026年12月1日".
    static func dateText(_ iso: String, _ lang: String) -> String {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        return lang == "zh" ? "\(parts[0])年\(parts[1])月\(parts[2])日" : "\(parts[2]) \(months[parts[1] - 1]) \(parts[0])"
    }

    /// A time as the documents print it (the test cluster runs in UTC): "16 December 2026, 09:05 UTC".
    static func timeText(_ iso: String, _ lang: String) -> String {
        let date = String(iso.prefix(10))
        let clock = String(iso.dropFirst(11).prefix(5))
        return lang == "zh" ? "\(dateText(date, lang)) \(clock) UTC" : "\(dateText(date, lang)), \(clock) UTC"
    }
}

/// Headless Chromium and poppler's pdfinfo and pdftotext, as .ci/run installs them from Debian.
private struct Browser {
    let chromium: String
    let pdfinfo: String
    let pdftotext: String

    /// The tools, or a skip when they are not installed on a developer's machine; in CI (CI set)
    /// a missing tool fails the test, since .ci/run installs them.
    static func tools() throws -> Browser {
        func find(_ names: [String]) -> String? {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            for folder in path.split(separator: ":") + ["/usr/bin"] {
                for name in names where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                    return "\(folder)/\(name)"
                }
            }
            return nil
        }
        let found = (find(["chromium", "chromium-browser"]), find(["pdfinfo"]), find(["pdftotext"]))
        guard let chromium = found.0, let pdfinfo = found.1, let pdftotext = found.2 else {
            let missing = [found.0 == nil ? "chromium" : nil, found.1 == nil ? "pdfinfo" : nil,
                           found.2 == nil ? "pdftotext" : nil].compactMap { $0 }
            let ci = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false
            if ci { throw TestSupportError("CI must have \(missing.joined(separator: ", ")): .ci/run installs them") }
            throw XCTSkip("not installed: \(missing.joined(separator: ", ")) (apt-get install chromium poppler-utils fonts-noto-cjk)")
        }
        return Browser(chromium: chromium, pdfinfo: pdfinfo, pdftotext: pdftotext)
    }

    /// Prints an HTML file to PDF, as a person's browser would, with a profile of its own (so that
    /// runs side by side do not share one) and no header or footer lines of the browser's.
    func printToPDF(_ html: String, _ pdf: String, profile: String) throws {
        let child = try SpawnedProcess([
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
            "--user-data-dir=\(profile)", "--print-to-pdf=\(pdf)", URL(fileURLWithPath: html).absoluteString,
        ], output: .file(pdf + ".out"), error: .standardOutput)
        let outcome = child.wait(timeout: 120)
        defer { child.removeFiles() }
        guard case .exited(0) = outcome, FileManager.default.fileExists(atPath: pdf) else {
            _ = child.killNow()
            throw TestSupportError("chromium did not print \(html): \(outcome) \(child.stdout)")
        }
    }

    /// A tool's output lines; a failure throws.
    func run(_ tool: String, _ arguments: [String]) throws -> [String] {
        let finished = try SpawnedProcess.run([tool] + arguments)
        guard finished.status == 0 else {
            throw TestSupportError("\(tool) \(arguments.joined(separator: " ")) failed: \(finished.stderr)")
        }
        return finished.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
