import MISModel
import MISSolver

/// The exit statuses of the contract (`Docs/cli.md`).
enum ExitStatus {
  /// Success: plan found, instance valid, plan feasible.
  static let success: Int32 = 0
  /// Infeasible instance, infeasible plan, or no plan within the limits.
  static let infeasible: Int32 = 1
  /// Invalid input or usage.
  static let invalidInput: Int32 = 2
  /// An unexpected failure of the library or GLPK (a bug; never caused by valid input).
  static let internalFailure: Int32 = 3
}

/// A failure that ends a subcommand: the message goes to standard error, the code is the
/// process's exit status.
struct CommandFailure: Error {
  /// The exit status.
  var code: Int32
  /// What went wrong, naming the entity and field (or the JSON line and column).
  var message: String

  /// A failure with an explicit code.
  init(code: Int32, _ message: String) {
    self.code = code
    self.message = message
  }

  /// Invalid input or usage (exit 2).
  static func invalidInput(_ message: String) -> CommandFailure {
    CommandFailure(code: ExitStatus.invalidInput, message)
  }

  /// Infeasible instance or plan, or no plan within the limits (exit 1).
  static func infeasible(_ message: String) -> CommandFailure {
    CommandFailure(code: ExitStatus.infeasible, message)
  }

  /// A model error while reading `path`: always invalid input (exit 2).
  ///
  /// Malformed JSON names the line and column; validation issues name each entity and field.
  static func model(_ error: ModelError, file path: String) -> CommandFailure {
    switch error {
    case .io:
      return .invalidInput("error: \(error)")
    default:
      return .invalidInput("error: \(path): \(error)")
    }
  }

  /// A solver error: bad instance or options are invalid input (2), a model over the size
  /// limits is "no plan within the limits" (1), anything else is an internal failure (3).
  static func solver(_ error: SolverError, file path: String) -> CommandFailure {
    switch error {
    case .invalidInstance(let modelError):
      return .model(modelError, file: path)
    case .invalidOptions, .ioFailure:
      return .invalidInput("error: \(error)")
    case .tooLarge:
      return .infeasible("error: \(error)")
    case .invalidModel, .glpkFailure, .glpkInternalError, .reentrantCall, .numericalDisagreement:
      return CommandFailure(code: ExitStatus.internalFailure, "internal error: \(error)")
    }
  }
}
