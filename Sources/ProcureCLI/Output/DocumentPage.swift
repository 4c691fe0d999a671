import Mustache
import Postgres

/// The HTML page of a document (`notice --html`, `po document --html`): a Mustache template of
/// Templates/ (compiled into the binary by the EmbedTemplates plugin) filled with the document's
/// JSON as the database returned it and, under `w`, the words of its language. The templates
/// hold the markup and the print CSS; the content and every word are the database's.
///
/// Every value is escaped by `HTMLText.escape` (the templates' `PROCURE_HTML` content type):
/// names, notes and everything else a user typed print as text, never as markup. The templates
/// use no triple mustaches, which would not escape (a test holds them to it).
enum DocumentPage {
    enum Template: String {
        case notice
        case order = "po"
    }

    /// The templates by name: a file's name without `.mustache`, which is how partials name it.
    static let library: MustacheLibrary = {
        MustacheContentTypes.register(EscapedHTML(), named: "PROCURE_HTML")
        var library = MustacheLibrary()
        for (path, text) in generatedTemplates {
            let name = String(path.split(separator: "/").last ?? "").replacingOccurrences(of: ".mustache", with: "")
            do {
                try library.register(text, named: name)
            } catch {
                preconditionFailure("the template \(path) does not parse: \(error)")
            }
        }
        return library
    }()

    /// The template files as compiled in: (Templates/name.mustache, text).
    static var templateFiles: [(path: String, text: String)] { generatedTemplates }

    static func render(_ template: Template, document: JSONValue, words: JSONValue) -> String {
        var context = (value(document) as? [String: Any]) ?? [:]
        context["w"] = value(words)
        guard let page = library.render(context, withTemplate: template.rawValue) else {
            preconditionFailure("no template \(template.rawValue) is compiled in")
        }
        return page
    }

    /// A JSON value as Mustache reads it: objects as dictionaries without their nulls (so that a
    /// section of an absent value renders nothing), numbers as their exact text.
    static func value(_ json: JSONValue) -> Any? {
        switch json {
        case .null: return nil
        case .bool(let flag): return flag
        case .string(let text), .number(let text): return text
        case .array(let items): return items.compactMap(value)
        case .object(let pairs):
            var object: [String: Any] = [:]
            for (key, field) in pairs {
                if let converted = value(field) { object[key] = converted }
            }
            return object
        }
    }
}

private struct EscapedHTML: MustacheContentType {
    func escapeText(_ text: String) -> String { HTMLText.escape(text) }
}
