import Foundation
import MISModel

/// Why a solver could not run.
///
/// Errors mean "could not run": bad input, a limit on size, a file that could
/// not be written, or an unexpected answer from GLPK. An infeasible model or a
/// solve stopped by a time limit is a *result* (see ``MIPOutcome`` and
/// ``LPOutcome``), never an error.
///
/// ```swift
/// do {
///   let outcome = try GLPKSolver.solveMIP(model)
/// } catch {
///   print(error)  // e.g. "invalid model: rows[3].terms[1]: coefficient is nan"
/// }
/// ```
public enum SolverError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The model failed validation; `reason` lists the issues with paths such as
  /// `rows[3].terms[1]`. GLPK was not called.
  case invalidModel(reason: String)
  /// A solver option is invalid or unsupported by the chosen method (for
  /// example a start vector of the wrong length). GLPK was not called.
  case invalidOptions(reason: String)
  /// The model exceeds what GLPK (32-bit indices) or the size guard
  /// (``LinearModel/maximumNonzeros``) accepts. GLPK was not called.
  case tooLarge(reason: String)
  /// GLPK returned a code this layer does not turn into a result, for example
  /// `GLP_EFAIL` after every fallback. `code` is GLPK's raw return code.
  case glpkFailure(code: Int, context: String)
  /// GLPK raised an internal error (a failed assertion or exhausted memory)
  /// that would normally abort the process; it was intercepted and the
  /// thread's GLPK environment was reset. `message` is GLPK's own text.
  case glpkInternalError(message: String)
  /// A file could not be written.
  case ioFailure(path: String, message: String)
  /// A solve was started from inside a progress or stop callback of another
  /// solve on the same thread; GLPK's per-thread state makes that unsafe.
  case reentrantCall
  /// The instance failed validation (`Docs/formats.md` §1); the model error lists every problem.
  case invalidInstance(ModelError)
  /// A solver's objective and the evaluator's objective of the same plan disagree beyond
  /// ``/MISModel/Tolerance/objectiveRelative``: a numerical or modelling fault, reported, never hidden.
  case numericalDisagreement(solverObjective: Double, evaluatorObjective: Double)

  /// A one-line, human-readable explanation.
  public var description: String {
    switch self {
    case .invalidModel(let reason):
      return "invalid model: \(reason)"
    case .invalidOptions(let reason):
      return "invalid solver options: \(reason)"
    case .tooLarge(let reason):
      return "model too large: \(reason)"
    case .glpkFailure(let code, let context):
      return "GLPK failed with code \(code) (\(context))"
    case .glpkInternalError(let message):
      return "GLPK internal error: \(message)"
    case .ioFailure(let path, let message):
      return "cannot write '\(path)': \(message)"
    case .invalidInstance(let error):
      return error.description
    case .numericalDisagreement(let solver, let evaluator):
      return "the solver's objective \(solver) and the evaluator's \(evaluator) disagree beyond the tolerance"
    case .reentrantCall:
      return "a GLPK solve was started from inside a callback of another solve on the same thread"
    }
  }
}

extension SolverError: LocalizedError {
  /// The readable message, the same as ``description``.
  public var errorDescription: String? { description }
}
