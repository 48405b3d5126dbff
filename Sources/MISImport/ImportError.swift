import Foundation

/// Why an import could not produce an instance.
///
/// Every case names what is broken: the layout directory and the blob (by digest) for image
/// problems, the file and field for the fleet, the file and line for the demand table.
/// Nothing is written when an import fails.
public enum ImportError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
  /// `layout` is not an OCI image layout (no `oci-layout` file, no `index.json`, or an
  /// unsupported layout version).
  case notALayout(layout: String, reason: String)
  /// A JSON document of the layout (`index.json` or the blob `document`) is malformed or
  /// misses a required field.
  case malformedDocument(layout: String, document: String, reason: String)
  /// A descriptor names a blob that the layout does not have.
  case missingBlob(layout: String, digest: String)
  /// A blob's length differs from its descriptor's `size` (a truncated or padded blob).
  case sizeMismatch(layout: String, digest: String, expected: Int64, actual: Int64)
  /// A blob's content does not hash to its digest.
  case digestMismatch(layout: String, digest: String, actual: String)
  /// A descriptor's media type is not one the importer reads.
  case unsupportedMediaType(layout: String, digest: String, mediaType: String)
  /// A layer blob is not a readable tar stream (truncated, corrupt, unknown compression).
  case unreadableLayer(layout: String, digest: String, reason: String)
  /// An image index has no manifest for the requested platform.
  case noMatchingPlatform(layout: String, image: String, platform: String, available: [String])
  /// Two manifests resolve to the same image id.
  case duplicateImage(id: String, layout: String, previousLayout: String)
  /// An image manifest lists no layers (an image needs at least one).
  case emptyImage(layout: String, image: String)
  /// The fleet file cannot be read or is not a valid fleet (names the field).
  case fleet(path: String, reason: String)
  /// A row of the demand table is malformed or names an unknown node or image.
  case demand(path: String, line: Int, reason: String)
  /// The assembled instance breaks a model rule (a bug or an input the rules forbid).
  case invalidInstance(reason: String)
  /// A file could not be read or written.
  case io(path: String, reason: String)
  /// The options are unusable (for example a malformed platform).
  case invalidOptions(reason: String)

  /// One line (or a few) that names the broken input.
  public var description: String {
    switch self {
    case .notALayout(let layout, let reason):
      return "\(layout): not an OCI image layout: \(reason)"
    case .malformedDocument(let layout, let document, let reason):
      return "\(layout): \(document): \(reason)"
    case .missingBlob(let layout, let digest):
      return "\(layout): blob \(digest) is missing (no file blobs/\(digest.replacingOccurrences(of: ":", with: "/")))"
    case .sizeMismatch(let layout, let digest, let expected, let actual):
      return "\(layout): blob \(digest) has \(actual) bytes but its descriptor says \(expected) (truncated or damaged)"
    case .digestMismatch(let layout, let digest, let actual):
      return "\(layout): blob \(digest) does not match its digest (its content hashes to \(actual))"
    case .unsupportedMediaType(let layout, let digest, let mediaType):
      return "\(layout): blob \(digest) has the unsupported media type \"\(mediaType)\""
    case .unreadableLayer(let layout, let digest, let reason):
      return "\(layout): layer \(digest) is not a readable tar stream: \(reason)"
    case .noMatchingPlatform(let layout, let image, let platform, let available):
      let list = available.isEmpty ? "none" : available.joined(separator: ", ")
      return "\(layout): image index \(image) has no manifest for platform \(platform) (available: \(list))"
    case .duplicateImage(let id, let layout, let previousLayout):
      return "\(layout): image id \"\(id)\" is already used by an image of \(previousLayout)"
    case .emptyImage(let layout, let image):
      return "\(layout): image \"\(image)\" has no layers"
    case .fleet(let path, let reason):
      return "\(path): invalid fleet: \(reason)"
    case .demand(let path, let line, let reason):
      return "\(path): line \(line): \(reason)"
    case .invalidInstance(let reason):
      return "the imported instance is invalid: \(reason)"
    case .io(let path, let reason):
      return "cannot access \(path): \(reason)"
    case .invalidOptions(let reason):
      return "invalid import options: \(reason)"
    }
  }

  /// The same text as ``description``, for `LocalizedError` users.
  public var errorDescription: String? { description }
}
