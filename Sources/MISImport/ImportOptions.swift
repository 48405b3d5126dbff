/// How file sizes are measured.
public enum FileSizeMode: String, Sendable, Hashable, CaseIterable {
  /// The content length in bytes (the default).
  case raw
  /// The length of the content compressed on its own with gzip at level 6 (zlib's deflate,
  /// default window and memory level, a 10-byte gzip header without a name, an 8-byte
  /// trailer): what a store that compresses files one by one keeps.
  case gzip
}

/// An image platform, `os/architecture[/variant]`, as in an OCI image index.
public struct Platform: Sendable, Hashable, CustomStringConvertible {
  /// The operating system, e.g. `linux`.
  public var os: String
  /// The CPU architecture, e.g. `amd64`.
  public var architecture: String
  /// The variant, e.g. `v8`; `nil` matches any variant.
  public var variant: String?

  /// The platform most registries serve first: `linux/amd64`.
  public static let linuxAMD64 = Platform(os: "linux", architecture: "amd64")

  /// A platform from its parts.
  public init(os: String, architecture: String, variant: String? = nil) {
    self.os = os
    self.architecture = architecture
    self.variant = variant
  }

  /// Parses `os/architecture` or `os/architecture/variant`.
  ///
  /// - Throws: ``ImportError/invalidOptions(reason:)`` when the text has another shape.
  public init(parsing text: String) throws(ImportError) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 2 || parts.count == 3, !parts.contains(where: \.isEmpty) else {
      throw .invalidOptions(reason: "platform \"\(text)\" is not OS/ARCH or OS/ARCH/VARIANT")
    }
    self.init(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
  }

  /// `os/architecture[/variant]`.
  public var description: String {
    variant.map { "\(os)/\(architecture)/\($0)" } ?? "\(os)/\(architecture)"
  }

  /// Whether an index entry's platform is this one (a `nil` variant matches any).
  func matches(os: String?, architecture: String?, variant: String?) -> Bool {
    guard os == self.os, architecture == self.architecture else { return false }
    guard let wanted = self.variant else { return true }
    return wanted == variant
  }
}

/// What an import reads and how.
///
/// The defaults are the command line's: `linux/amd64`, raw file sizes, one worker per core.
public struct ImportOptions: Sendable, Hashable {
  /// The platform an image index is followed to. Default `linux/amd64`.
  public var platform: Platform
  /// How file sizes are measured. Default ``FileSizeMode/raw``.
  public var fileSize: FileSizeMode
  /// How many layers are read at once; `nil` (the default) means one per active core.
  /// Memory grows with this number (one layer in flight per worker), never with the number
  /// of images.
  public var parallelism: Int?

  /// Options with the documented defaults.
  public init(platform: Platform = .linuxAMD64, fileSize: FileSizeMode = .raw, parallelism: Int? = nil) {
    self.platform = platform
    self.fileSize = fileSize
    self.parallelism = parallelism
  }
}
