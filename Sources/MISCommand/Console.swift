import Foundation
import MISModel

/// Standard output and standard error, in one place.
///
/// Standard output carries only the requested document with `--json`; every diagnostic
/// goes to standard error.
enum Console {
  /// Prints a line of text on standard output.
  static func out(_ line: String = "") {
    print(line)
  }

  /// Writes bytes (a JSON document) on standard output, exactly.
  static func write(_ bytes: [UInt8]) {
    print(String(decoding: bytes, as: UTF8.self), terminator: "")
  }

  /// Writes a line on standard error.
  static func error(_ message: String) {
    flush()
    let text = message.hasSuffix("\n") ? message : message + "\n"
    FileHandle.standardError.write(Data(text.utf8))
  }

  /// Flushes standard output (`fflush(nil)` flushes every C stream, without touching the
  /// global `stdout`, which Swift 6 treats as shared mutable state).
  static func flush() {
    fflush(nil)
  }

  /// Prints `warnings` of the document `file` on standard error, one per line, each prefixed
  /// `warning: FILE: `; after `limit` of them, one line counts the rest.
  static func warnings(_ warnings: [ValidationWarning], file: String, limit: Int? = nil) {
    let shown = limit.map { min($0, warnings.count) } ?? warnings.count
    for warning in warnings.prefix(shown) { error("warning: \(file): \(warning)") }
    if shown < warnings.count {
      error("warning: \(file): … and \(warnings.count - shown) more (`mis validate \(file)` lists them all)")
    }
  }
}
