import Crypto
import Foundation

/// A content digest `algorithm:hex` as OCI descriptors carry it (`sha256` or `sha512`).
///
/// Parsing checks the shape strictly, so a digest can never name a path outside `blobs/`.
struct Digest: Sendable, Hashable, CustomStringConvertible {
  /// `sha256` or `sha512`.
  var algorithm: String
  /// Lower-case hexadecimal.
  var hex: String

  /// Parses `sha256:<64 hex>` or `sha512:<128 hex>`; `nil` for anything else.
  init?(_ text: String) {
    let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2 else { return nil }
    let algorithm = String(parts[0])
    let hex = String(parts[1])
    let length: Int
    switch algorithm {
    case "sha256": length = 64
    case "sha512": length = 128
    default: return nil
    }
    guard hex.utf8.count == length,
      hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
    else { return nil }
    self.algorithm = algorithm
    self.hex = hex
  }

  /// `algorithm:hex`.
  var description: String { "\(algorithm):\(hex)" }

  /// The blob's path inside a layout directory.
  func path(in layout: String) -> String { "\(layout)/blobs/\(algorithm)/\(hex)" }

  /// A fresh incremental hasher of this digest's algorithm.
  func makeHasher() -> ContentHasher { algorithm == "sha512" ? .sha512(SHA512()) : .sha256(SHA256()) }
}

/// An incremental SHA-256 or SHA-512 (swift-crypto).
enum ContentHasher {
  case sha256(SHA256)
  case sha512(SHA512)

  /// Feeds bytes.
  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    switch self {
    case .sha256(var h):
      h.update(bufferPointer: bytes)
      self = .sha256(h)
    case .sha512(var h):
      h.update(bufferPointer: bytes)
      self = .sha512(h)
    }
  }

  /// The lower-case hex of the digest.
  func finalizeHex() -> String {
    switch self {
    case .sha256(let h): return hexString(h.finalize())
    case .sha512(let h): return hexString(h.finalize())
    }
  }
}

/// Lower-case hexadecimal of a byte sequence.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
  let digits: [UInt8] = Array("0123456789abcdef".utf8)
  var out: [UInt8] = []
  out.reserveCapacity(128)
  for b in bytes {
    out.append(digits[Int(b >> 4)])
    out.append(digits[Int(b & 0x0f)])
  }
  return String(decoding: out, as: UTF8.self)
}
