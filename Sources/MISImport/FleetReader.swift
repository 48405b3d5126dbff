import Foundation
import MISModel

/// Reads the fleet of an import: a `mis-instance/1` document whose `registries`, `nodes`,
/// `links`, `origin` and `reconstruction` (and `name`) are used.
///
/// Its `files`, `layers`, `images` and `demands`, if any, are dropped before validation
/// (so they cannot make the fleet invalid) and reported as warnings.
public enum FleetReader {
  /// The sections of an instance that an import replaces.
  public static let replacedSections = ["files", "layers", "images", "demands"]

  /// Decodes and validates a fleet document.
  ///
  /// - Parameter path: used in error messages.
  /// - Returns: the fleet as an instance with no files, layers, images or demands, and the
  ///   warnings.
  /// - Throws: ``ImportError/fleet(path:reason:)`` naming the line and column or the
  ///   entity and field.
  public static func decode(_ bytes: [UInt8], path: String) throws(ImportError) -> (
    fleet: Instance, warnings: [String]
  ) {
    var reader = JSONReader(bytes: bytes)
    let document: JSONValue
    do {
      document = try reader.parseDocument()
    } catch {
      throw .fleet(path: path, reason: "malformed JSON at line \(error.line), column \(error.column): \(error.message)")
    }
    guard case .object(let members) = document else {
      throw .fleet(path: path, reason: "the document must be a JSON object, got \(document.typeName)")
    }
    var warnings: [String] = []
    var kept: [(key: String, value: JSONValue)] = []
    for member in members {
      if replacedSections.contains(member.key) {
        warnings.append("\(path): its \"\(member.key)\" are ignored (the import provides them)")
      } else {
        kept.append(member)
      }
    }
    let fleet: Instance
    do {
      fleet = try InstanceCodec.decode(JSONWriter(pretty: false).bytes(of: .object(kept)))
    } catch {
      throw .fleet(path: path, reason: "\(error)")
    }
    return (fleet, warnings)
  }

  /// Reads and decodes a fleet file.
  ///
  /// - Throws: ``ImportError/io(path:reason:)`` when it cannot be read, else as
  ///   ``decode(_:path:)``.
  public static func read(contentsOf path: String) throws(ImportError) -> (fleet: Instance, warnings: [String]) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .io(path: path, reason: "no such file or not readable")
    }
    return try decode([UInt8](data), path: path)
  }
}
