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

  /// Reads and validates the instance and builds its index; prints the document's warnings
  /// (unknown keys, no demand, unlinked registries…) on standard error, prefixed `warning:`,
  /// so that standard output stays clean for `--json`.
  ///
  /// - Parameters:
  ///   - strict: turn warnings into errors (exit 2 listing them), as `validate --strict`.
  ///   - warningLimit: print at most this many warnings, then a line counting the rest.
  /// - Throws: ``CommandFailure`` with exit 2 naming the entity and field, or the JSON line
  ///   and column.
  func load(strict: Bool = false, warningLimit: Int? = 20) throws(CommandFailure) -> ProblemIndex {
    try loadReportingWarnings(strict: strict, warningLimit: warningLimit).index
  }

  /// ``load(strict:warningLimit:)``, also returning the warnings it printed.
  func loadReportingWarnings(strict: Bool = false, warningLimit: Int? = 20) throws(CommandFailure) -> (
    index: ProblemIndex, warnings: [ValidationWarning]
  ) {
    do {
      let (document, warnings) = try InstanceCodec.readWithWarnings(contentsOf: instance, strict: strict)
      Console.warnings(warnings, file: instance, limit: warningLimit)
      return (try ProblemIndex(document), warnings)
    } catch {
      throw .model(error, file: instance)
    }
  }
}

/// Reads a `mis-plan/1` file for a subcommand, printing its warnings (unknown keys) on
/// standard error.
///
/// - Throws: ``CommandFailure`` with exit 2 naming the field, or the JSON line and column.
func loadPlan(_ path: String) throws(CommandFailure) -> Plan {
  do {
    let (plan, warnings) = try PlanCodec.readWithWarnings(contentsOf: path)
    Console.warnings(warnings, file: path, limit: 20)
    return plan
  } catch {
    throw .model(error, file: path)
  }
}

/// `--json`: print only the JSON document on standard output.
struct JSONOption: ParsableArguments {
  @Flag(name: .long, help: "Print only the JSON document on standard output.")
  var json = false
}
