/// The project's SQL, compiled into the binary: every `*.sql` file of `sql/migrations` and
/// `sql/schema` as it was when the binary was built. The EmbedSQL build-tool plugin generates
/// `generatedSQLFiles` from those files at build time.
public enum EmbeddedSQL {
    /// (path relative to `sql/`, such as `migrations/0001_baseline.sql`, exact text), in path order.
    public static var files: [(path: String, text: String)] { generatedSQLFiles }
}
