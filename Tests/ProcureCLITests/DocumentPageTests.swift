import Postgres
@testable import ProcureCLI
import XCTest

/// The document templates as compiled into the binary: every one escapes what it prints.
final class DocumentPageTests: XCTestCase {
    func testEveryTemplateIsCompiledInAndEscapesWhatItPrints() {
        let names = DocumentPage.templateFiles.map(\.path).sorted()
        XCTAssertEqual(names, ["Templates/letterhead.mustache", "Templates/line_cols.mustache", "Templates/line_head.mustache",
                               "Templates/line_row.mustache", "Templates/notice.mustache", "Templates/po.mustache",
                               "Templates/style.mustache"])
        for (path, text) in DocumentPage.templateFiles {
            // each file escapes on its own: a partial does not inherit its caller's content type
            XCTAssertTrue(text.hasPrefix("{{% CONTENT_TYPE: PROCURE_HTML}}\n"), path)
            // triple mustaches and {{& …}} print a value unescaped
            XCTAssertFalse(text.contains("{{{"), path)
            XCTAssertFalse(text.contains("{{&"), path)
        }
    }

    func testAValueIsTextScalarByScalarAndNullsPrintNothing() {
        let note = "<b>x</b> & \"\u{301}y' \u{1}"
        let document = JSONValue.object([
            ("order", .string("P-1")), ("note", .string(note)), ("replacement", .null), ("lines", .array([])),
            ("replacement_elsewhere", .bool(false)),
        ])
        let page = DocumentPage.render(.notice, document: document, words: .object([("notice_title", .string("N"))]))
        XCTAssertTrue(page.contains("&lt;b&gt;x&lt;/b&gt; &amp; &quot;\u{301}y&#39; \u{FFFD}"), page)
        XCTAssertFalse(page.contains("<b>"))
        XCTAssertFalse(page.contains("null"))
    }
}
