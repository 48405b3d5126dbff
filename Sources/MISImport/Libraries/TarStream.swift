internal import CArchive
import Foundation

/// One entry of a layer's tar, as the importer needs it.
struct TarEntry {
  /// What the entry is.
  enum Kind {
    /// A regular file (its content follows).
    case regular
    /// A hard link to an earlier entry (`target` normalised like ``TarEntry/path``); the
    /// entry may carry content of its own (pax allows it).
    case hardLink(target: String)
    /// A directory, symbolic link, device or FIFO: never a file of the model.
    case other
  }

  /// The path, without a leading `./` or `/`.
  var path: String
  /// The entry's kind.
  var kind: Kind
  /// The content length the header declares.
  var size: Int64
}

/// A streaming tar reader over libarchive: tar (ustar, pax, GNU) with gzip, zstd or no
/// compression, detected from the bytes, read from a ``BlobFile`` chunk by chunk.
///
/// The only type that calls libarchive. Not `Sendable`: an `archive *` belongs to one
/// worker for one blob, created and freed here.
final class TarStream {
  private let archive: OpaquePointer
  private let source: BlobFile
  private var opened = false

  /// Starts reading `source`.
  init(source: BlobFile) throws(TarStreamError) {
    guard let a = archive_read_new() else { throw TarStreamError(message: "libarchive could not allocate a reader") }
    archive = a
    self.source = source
    archive_read_support_filter_gzip(a)
    archive_read_support_filter_zstd(a)
    archive_read_support_filter_none(a)
    archive_read_support_format_tar(a)
    archive_read_support_format_empty(a)
    let client = Unmanaged.passUnretained(source).toOpaque()
    let status = archive_read_open2(a, client, nil, tarStreamRead, nil, nil)
    guard status == ARCHIVE_OK else { throw error(status) }
    opened = true
  }

  deinit {
    archive_read_free(archive)
  }

  /// The next entry, or `nil` after the last one.
  func next() throws(TarStreamError) -> TarEntry? {
    var entry: OpaquePointer? = nil
    while true {
      let status = archive_read_next_header(archive, &entry)
      if status == ARCHIVE_EOF { return nil }
      if status == ARCHIVE_RETRY { continue }
      if status != ARCHIVE_OK && status != ARCHIVE_WARN { throw error(status) }
      guard let entry else { throw TarStreamError(message: "libarchive returned no entry") }
      let path = TarStream.normalise(archive_entry_pathname(entry))
      let size = archive_entry_size_is_set(entry) != 0 ? Int64(archive_entry_size(entry)) : 0
      let kind: TarEntry.Kind
      if let target = archive_entry_hardlink(entry) {
        kind = .hardLink(target: TarStream.normalise(target))
      } else if archive_entry_filetype(entry) == TarStream.regularFileType {
        kind = .regular
      } else {
        kind = .other
      }
      return TarEntry(path: path, kind: kind, size: size)
    }
  }

  /// Streams the current entry's content to `body`, in order; holes of a sparse file are
  /// handed over as zeros so the bytes are those `tar -x` writes. Returns the byte count.
  @discardableResult
  func readContent(_ body: (UnsafeRawBufferPointer) -> Void) throws(TarStreamError) -> Int64 {
    var position: Int64 = 0
    var block: UnsafeRawPointer? = nil
    var length = 0
    var offset: la_int64_t = 0
    while true {
      let status = archive_read_data_block(archive, &block, &length, &offset)
      if status == ARCHIVE_EOF { return position }
      if status != ARCHIVE_OK && status != ARCHIVE_WARN { throw error(status) }
      if Int64(offset) > position {
        TarStream.zeros(count: Int64(offset) - position, body)
        position = Int64(offset)
      }
      if let block, length > 0 {
        body(UnsafeRawBufferPointer(start: block, count: length))
        position += Int64(length)
      }
    }
  }

  /// libarchive's message for a failed call (or the file's I/O error).
  private func error(_ status: Int32) -> TarStreamError {
    if let failure = source.failure { return TarStreamError(message: "read error: \(failure)") }
    let text = archive_error_string(archive).map { String(cString: $0) } ?? "libarchive status \(status)"
    return TarStreamError(message: text)
  }

  /// libarchive's `AE_IFREG` (a cast macro, which Swift does not import).
  static let regularFileType: UInt32 = 0o100000

  /// A path without the leading `./` or `/` that some tar writers add.
  static func normalise(_ raw: UnsafePointer<CChar>?) -> String {
    guard let raw else { return "" }
    var path = Substring(String(cString: raw))
    while true {
      if path.hasPrefix("./") {
        path = path.dropFirst(2)
      } else if path.hasPrefix("/") {
        path = path.dropFirst()
      } else {
        break
      }
    }
    while path.hasSuffix("/") { path = path.dropLast() }
    return String(path)
  }

  private static let zeroBlock = [UInt8](repeating: 0, count: 64 * 1024)

  private static func zeros(count: Int64, _ body: (UnsafeRawBufferPointer) -> Void) {
    var left = count
    zeroBlock.withUnsafeBytes { zero in
      while left > 0 {
        let n = Int(min(left, Int64(zero.count)))
        body(UnsafeRawBufferPointer(rebasing: zero[0..<n]))
        left -= Int64(n)
      }
    }
  }
}

/// libarchive's read callback: the next chunk of the blob file (hashed on the way).
private func tarStreamRead(
  _ archive: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UnsafeRawPointer?>?
) -> la_ssize_t {
  guard let client, let buffer else { return -1 }
  let source = Unmanaged<BlobFile>.fromOpaque(client).takeUnretainedValue()
  let n = source.fill()
  if n < 0 { return la_ssize_t(ARCHIVE_FATAL) }
  buffer.pointee = UnsafeRawPointer(source.buffer.baseAddress)
  return la_ssize_t(n)
}

/// A libarchive failure, with its message.
struct TarStreamError: Error {
  /// libarchive's text (e.g. "Truncated tar archive").
  var message: String
}
