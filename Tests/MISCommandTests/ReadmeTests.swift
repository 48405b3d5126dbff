import Foundation
import Testing

/// The README's embedding snippet must be exactly what `Examples/Embedding` compiles.
@Suite("README")
struct ReadmeTests {
  /// The repository root, from this file's path.
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  @Test(
    "README snippets equal the embedding example's files",
    arguments: ["Examples/Embedding/Package.swift", "Examples/Embedding/Sources/embedding/main.swift"])
  func snippetMatches(path: String) throws {
    let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
    let file = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    let marker = "<!-- snippet: \(path) -->\n```swift\n"
    let start = try #require(readme.range(of: marker), "README has no snippet for \(path)")
    let end = try #require(readme.range(of: "\n```", range: start.upperBound..<readme.endIndex))
    let snippet = String(readme[start.upperBound..<end.lowerBound]) + "\n"
    #expect(snippet == file, "README snippet for \(path) differs from the file")
  }
}
