import Foundation
import PackagePlugin

/// Generates `GeneratedTemplates.swift` for the target from the `*.mustache` files of its
/// `Templates` folder, so that the document templates travel inside the binary as the SQL does
/// (EmbedSQL): a copied `procure` needs no checkout to write a document.
///
/// Every template is an input, so editing one reruns the tool; the folder is excluded from the
/// target's sources but stays in the target's folder, whose structure SwiftPM watches, so adding
/// or removing a template plans the build again.
@main
struct EmbedTemplates: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let sources = context.package.directoryURL.appending(path: "Sources/\(target.name)", directoryHint: .isDirectory)
        let folder = sources.appending(path: "Templates", directoryHint: .isDirectory)
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedTemplates.swift")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let inputs = names.filter { $0.hasSuffix(".mustache") }.sorted().map { folder.appending(path: $0) }
        return [
            .buildCommand(
                displayName: "Embedding the document templates into \(target.name)",
                executable: try context.tool(named: "FileEmbedder").url,
                arguments: [sources.path, output.path, "generatedTemplates", ".mustache", "Templates"],
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
