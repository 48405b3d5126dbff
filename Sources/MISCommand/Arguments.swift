import ArgumentParser
import MISApprox
import MISModel
import MISSolver

// Enum options. The conformances live here, in the executable, so that the libraries never
// depend on ArgumentParser; the raw values are the command-line names.

extension PlanningMethod: ExpressibleByArgument {}

extension InstanceKind: ExpressibleByArgument {}

/// The file formats of `mis export`.
enum ExportFormat: String, CaseIterable, ExpressibleByArgument {
  /// Free MPS (`glpsol --freemps`); keeps the objective constant.
  case mps
  /// CPLEX LP (`glpsol --lp`); the objective constant survives only as a comment.
  case lp

  /// The solver library's format.
  var linearModelFormat: LinearModelFileFormat {
    switch self {
    case .mps: return .mps
    case .lp: return .lp
    }
  }
}

/// The instance file every subcommand but `generate` and `demo` reads.
struct InstanceArgument: ParsableArguments {
  @Argument(help: "A mis-instance/1 JSON file.", completion: .file(extensions: ["json"]))
  var instance: String

  /// Reads and validates the instance and builds its index.
  ///
  /// - Throws: ``CommandFailure`` with exit 2 naming the entity and field, or the JSON line
  ///   and column.
  func load() throws(CommandFailure) -> ProblemIndex {
    do {
      return try ProblemIndex(try InstanceCodec.read(contentsOf: instance))
    } catch {
      throw .model(error, file: instance)
    }
  }
}

/// `--json`: print only the JSON document on standard output.
struct JSONOption: ParsableArguments {
  @Flag(name: .long, help: "Print only the JSON document on standard output.")
  var json = false
}
