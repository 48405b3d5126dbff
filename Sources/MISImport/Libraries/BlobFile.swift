import Foundation

/// Reads one blob file in large chunks, hashing every byte on the way (the digest check
/// that OCI asks of every reader) and counting them.
///
/// Not `Sendable`: one worker owns it for one blob.
final class BlobFile {
  /// Bytes per read: large enough for sequential throughput, small enough to keep the
  /// memory of a worker flat.
  static let chunkSize = 1 << 20

  private let descriptor: Int32
  /// The chunk buffer; the last `fill()` left its bytes at the start.
  let buffer: UnsafeMutableRawBufferPointer
  private var hasher: ContentHasher
  /// Bytes read (and hashed) so far.
  private(set) var bytesRead: Int64 = 0
  /// The error of the last failed read, if any.
  private(set) var failure: String?

  /// Opens `path`; `nil` when it does not exist or cannot be opened (the reason in `reason`).
  init(path: String, hasher: ContentHasher) throws(BlobFileError) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      let code = errno
      throw code == ENOENT ? .missing : .unreadable(String(cString: strerror(code)))
    }
    descriptor = fd
    buffer = .allocate(byteCount: Self.chunkSize, alignment: 16)
    self.hasher = hasher
  }

  deinit {
    close(descriptor)
    buffer.deallocate()
  }

  /// The blob's length on disk.
  func length() -> Int64? {
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { return nil }
    return Int64(info.st_size)
  }

  /// Reads the next chunk into ``buffer`` and hashes it: the byte count, 0 at the end,
  /// -1 on an I/O error (see ``failure``).
  func fill() -> Int {
    while true {
      let n = read(descriptor, buffer.baseAddress, buffer.count)
      if n < 0 {
        if errno == EINTR { continue }
        failure = String(cString: strerror(errno))
        return -1
      }
      if n > 0 {
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        bytesRead += Int64(n)
      }
      return n
    }
  }

  /// Reads (and hashes) whatever the consumer left unread, e.g. the zero padding after a
  /// tar's end marker. Returns `false` on an I/O error.
  func drain() -> Bool {
    while true {
      let n = fill()
      if n < 0 { return false }
      if n == 0 { return true }
    }
  }

  /// The digest of every byte read, as lower-case hex.
  func digestHex() -> String { hasher.finalizeHex() }

  /// Reads a whole small blob (a manifest or an index), hashed.
  func readAll(limit: Int) -> [UInt8]? {
    var out: [UInt8] = []
    while true {
      let n = fill()
      if n < 0 { return nil }
      if n == 0 { return out }
      out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
      if out.count > limit { return nil }
    }
  }
}

/// Why a blob file could not be opened.
enum BlobFileError: Error {
  /// No such file.
  case missing
  /// Any other open failure.
  case unreadable(String)
}
