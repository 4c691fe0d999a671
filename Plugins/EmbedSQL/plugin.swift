import Foundation
import PackagePlugin

/// Generates `GeneratedSQLFiles.swift` for the target from the package's `sql/migrations` and
/// `sql/schema`, so that the SQL travels inside the binary (SwiftPM resources on Linux live in
/// a folder beside the executable, which a copied binary leaves behind).
///
/// Every file is an input, so editing one reruns the tool. Adding or removing one is noticed
/// because the target's folder holds a symbolic link to `sql/` (excluded from its sources):
/// SwiftPM watches the structure of each target's folder and plans the build again, calling
/// this plugin, when it changes.
@main
struct EmbedSQL: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let sql = context.package.directoryURL.appending(path: "sql", directoryHint: .isDirectory)
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedSQLFiles.swift")
        var inputs: [URL] = []
        for folder in ["migrations", "schema"] {
            let directory = sql.appending(path: folder, directoryHint: .isDirectory)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            inputs += names.filter { $0.hasSuffix(".sql") }.sorted().map { directory.appending(path: $0) }
        }
        return [
            .buildCommand(
                displayName: "Embedding the SQL files into \(target.name)",
                executable: try context.tool(named: "FileEmbedder").url,
                arguments: [sql.path, output.path, "generatedSQLFiles", ".sql", "migrations", "schema"],
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
