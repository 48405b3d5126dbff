/// Solves and writes ``LinearModel``s with GLPK.
///
/// Every call is synchronous and self-contained: it validates the model,
/// creates a GLPK problem, solves it, reads the answer and deletes the problem
/// on the calling thread before returning. Calls on different threads (for
/// example from a task group) run in parallel and agree with serial calls.
/// GLPK cannot abort the process: bad input is rejected in Swift before any C
/// call, and GLPK's internal errors surface as
/// ``SolverError/glpkInternalError(message:)``.
///
/// A solve blocks its thread. From async code, prefer a dedicated thread or
/// accept that one cooperative-pool thread is busy for the duration; task
/// cancellation is still honoured by ``solveMIP(_:options:)``.
///
/// ```swift
/// let outcome = try GLPKSolver.solveMIP(model, options: MIPOptions(timeLimitSeconds: 10))
/// if outcome.status == .optimal { print(outcome.objective!) }
/// ```
public enum GLPKSolver {
  /// Solves a mixed-integer model by GLPK's branch and cut (`glp_intopt`).
  ///
  /// With ``MIPOptions/presolve`` (and no start vector) GLPK's MIP presolver
  /// solves the root itself; otherwise the root LP relaxation is solved first
  /// by the same simplex sequence as ``solveLP(_:method:timeLimitSeconds:)``,
  /// since `glp_intopt` without presolve needs an optimal basis.
  ///
  /// - Parameters:
  ///   - model: the model; validated and canonicalised first.
  ///   - options: limits, cuts, heuristics, start vector, callbacks.
  /// - Returns: the outcome; limits, cancellation and infeasibility are
  ///   outcomes, not errors.
  /// - Throws: ``SolverError/invalidModel(reason:)``,
  ///   ``SolverError/invalidOptions(reason:)``, ``SolverError/tooLarge(reason:)``
  ///   before any GLPK call; ``SolverError/glpkFailure(code:context:)`` or
  ///   ``SolverError/glpkInternalError(message:)`` if GLPK cannot run;
  ///   ``SolverError/reentrantCall`` from inside another solve's callback.
  public static func solveMIP(
    _ model: LinearModel, options: MIPOptions = MIPOptions()
  ) throws(SolverError) -> MIPOutcome {
    let deadline = Deadline(limitSeconds: options.timeLimitSeconds)
    try validate(options)
    let model = try model.canonicalized()

    var incumbentUse = MIPOutcome.IncumbentUse.none
    var startVector: [Double]?
    if let x = options.incumbent {
      guard x.count == model.columns.count else {
        throw .invalidOptions(
          reason: "incumbent has \(x.count) values for \(model.columns.count) columns")
      }
      if let violation = model.firstViolation(of: x, checkIntegrality: true) {
        incumbentUse = .rejectedInfeasible(violation)
      } else {
        incumbentUse = .notRequested
        startVector = zip(model.columns, x).map { column, value in
          // GLPK compares integers exactly (x == floor(x)).
          guard column.isInteger else {
            return min(max(value, column.lowerBound), column.upperBound)
          }
          let (lower, upper) = column.integerBounds
          return min(max(value.rounded(), lower), upper)
        }
      }
    }

    func outcome(
      _ status: MIPOutcome.Status, _ termination: MIPOutcome.Termination, bound: Double? = nil
    ) -> MIPOutcome {
      MIPOutcome(
        status: status, termination: termination, values: nil, objective: nil,
        bestBound: bound, nodes: 0, seconds: deadline.elapsedSeconds(), incumbentUse: incumbentUse)
    }

    // An integer column whose bounds contain no integer makes the model
    // infeasible; GLPK would reject the rounded bounds, so answer here.
    for column in model.columns where column.isInteger {
      if column.integerBounds.lower > column.integerBounds.upper {
        return outcome(.infeasible, .infeasible)
      }
    }
    if Task.isCancelled || options.shouldStop?() == true {
      return outcome(.noSolution, .cancelled)
    }

    return try GLPKProblem.with { (problem) throws(SolverError) -> MIPOutcome in
      try problem.load(model, integer: true)
      let presolve = options.presolve && startVector == nil
      if !presolve {
        // GLPK's presolver scales the problem itself; without it, an unscaled model can
        // end with a wrong "optimal" MIP (seen on a 3 × 4 × 6 instance: 53 524 reported,
        // 53 513 true, glpsol right), so scale as glpsol does.
        try problem.scale()
        let stop = options.shouldStop
        switch try problem.simplex(deadline: deadline, shouldStop: { Task.isCancelled || stop?() == true }) {
        case .optimal: break
        case .infeasible: return outcome(.infeasible, .infeasible)
        case .unbounded: return outcome(.unbounded, .unbounded)
        case .limit: return outcome(.noSolution, .timeLimit)
        case .stopped: return outcome(.noSolution, .cancelled)
        }
      }
      let state = MIPCallbackState(options: options, deadline: deadline)
      guard
        let (code, mipStatus, rawCode) = try problem.intopt(
          options: options, presolve: presolve, deadline: deadline,
          startVector: startVector, state: state)
      else { return outcome(.noSolution, .timeLimit) }

      var result = try GLPKSolver.finished(
        outcome(.noSolution, .timeLimit), code: code, mipStatus: mipStatus, rawCode: rawCode, state: state,
        hadStart: startVector != nil)
      switch result.status {
      case .optimal, .feasible:
        let solution = problem.mipSolution()
        result.values = solution.values
        result.objective = solution.objective
        result.bestBound =
          result.status == .optimal
          ? solution.objective : state.bestBound.map { min($0, solution.objective) }
      case .noSolution:
        result.bestBound = state.bestBound
      case .infeasible, .unbounded:
        result.bestBound = nil
      }
      result.simplexIterations = problem.iterationCount
      result.seconds = deadline.elapsedSeconds()
      return result
    }
  }

  /// Solves the LP relaxation of a model (integrality is ignored).
  ///
  /// - Parameters:
  ///   - model: the model; validated and canonicalised first.
  ///   - method: ``LPMethod/simplex`` (default) or ``LPMethod/interiorPoint``;
  ///     when the interior-point method cannot conclude (it does not
  ///     distinguish infeasible from unbounded, and refuses empty problems)
  ///     the simplex decides.
  ///   - timeLimitSeconds: wall-clock limit for the simplex, positive, or
  ///     `nil`; not supported by the interior-point method.
  /// - Returns: the outcome; infeasible, unbounded and limit are outcomes.
  /// - Throws: as ``solveMIP(_:options:)``.
  public static func solveLP(
    _ model: LinearModel, method: LPMethod = .simplex, timeLimitSeconds: Double? = nil
  ) throws(SolverError) -> LPOutcome {
    let deadline = Deadline(limitSeconds: timeLimitSeconds)
    try validate(timeLimit: timeLimitSeconds)
    if method == .interiorPoint, timeLimitSeconds != nil {
      throw .invalidOptions(reason: "GLPK's interior-point method has no time limit")
    }
    let model = try model.canonicalized()
    return try GLPKProblem.with { (problem) throws(SolverError) -> LPOutcome in
      try problem.load(model, integer: false)
      var result: GLPKProblem.LPResult
      var fromInterior = false
      if method == .interiorPoint, let interior = try problem.interior() {
        result = interior
        fromInterior = true
      } else {
        result = try problem.simplex(deadline: deadline)
      }
      var outcome = LPOutcome(
        status: .limit, values: nil, objective: nil, rowDuals: nil, seconds: 0)
      switch result {
      case .optimal:
        let solution = problem.lpSolution(interior: fromInterior)
        outcome.status = .optimal
        outcome.values = solution.values
        outcome.objective = solution.objective
        outcome.rowDuals = solution.duals
      case .infeasible: outcome.status = .infeasible
      case .unbounded: outcome.status = .unbounded
      case .limit, .stopped: outcome.status = .limit
      }
      outcome.seconds = deadline.elapsedSeconds()
      return outcome
    }
  }

  /// Writes a model as free MPS or CPLEX LP through GLPK's writers.
  ///
  /// Integer columns are written as integer (binary columns as integer with
  /// bounds 0 and 1); integer bounds are rounded inward as for a solve.
  /// Names are replaced by ``LinearModel/sanitizedNames()`` (GLPK's MPS
  /// writer still calls the objective row `R0000000`).
  ///
  /// The objective constant survives only in MPS, as the objective row's RHS
  /// (`glpsol --freemps` reads it back). GLPK's CPLEX LP writer keeps it as a
  /// comment, so an LP file re-solved elsewhere is off by
  /// ``LinearModel/objectiveConstant``.
  ///
  /// - Parameters:
  ///   - model: the model; validated and canonicalised first.
  ///   - format: ``LinearModelFileFormat/mps`` or ``LinearModelFileFormat/lp``.
  ///   - path: the file to create or replace.
  /// - Throws: ``SolverError/ioFailure(path:message:)`` if GLPK cannot write
  ///   the file, otherwise as ``solveMIP(_:options:)``.
  public static func write(
    _ model: LinearModel, format: LinearModelFileFormat, to path: String
  ) throws(SolverError) {
    let model = try model.canonicalized()
    for (j, column) in model.columns.enumerated() where column.isInteger {
      if column.integerBounds.lower > column.integerBounds.upper {
        throw .invalidModel(reason: "columns[\(j)]: integer column with no integer in its bounds")
      }
    }
    let names = model.sanitizedNames()
    try GLPKProblem.with { (problem) throws(SolverError) in
      try problem.load(model, integer: true, names: names)
      try problem.write(format: format, to: path)
    }
  }

  private static func validate(timeLimit: Double?) throws(SolverError) {
    if let timeLimit, !(timeLimit > 0) {
      throw .invalidOptions(reason: "time limit \(timeLimit) must be positive")
    }
  }

  /// The checks every branch-and-cut entry point makes before any GLPK call.
  static func validate(_ options: MIPOptions) throws(SolverError) {
    try validate(timeLimit: options.timeLimitSeconds)
    if let gap = options.relativeGap, !(gap >= 0 && gap.isFinite) {
      throw .invalidOptions(reason: "relativeGap \(gap) must be finite and ≥ 0")
    }
    if !(options.progressIntervalSeconds >= 0) {
      throw .invalidOptions(reason: "progressIntervalSeconds must be ≥ 0")
    }
    if let limit = options.iterationLimit, limit < 0 {
      throw .invalidOptions(reason: "iterationLimit \(limit) must be ≥ 0")
    }
    if let limit = options.nodeLimit, limit < 0 {
      throw .invalidOptions(reason: "nodeLimit \(limit) must be ≥ 0")
    }
  }
}

extension GLPKSolver {
  /// `base` completed from a finished `glp_intopt`: status and termination from the status
  /// table (a stop seen after the deadline is the time limit, not a cancellation), nodes,
  /// and what became of a start vector. Shared by the plain and the branch-and-cut solves.
  ///
  /// - Throws: ``SolverError/glpkFailure(code:context:)`` for a code the table rejects.
  static func finished(
    _ base: MIPOutcome, code: IntoptReturn, mipStatus: MIPSolutionStatus, rawCode: Int32,
    state: MIPCallbackState, hadStart: Bool
  ) throws(SolverError) -> MIPOutcome {
    var result = base
    switch MIPStatusTable.map(code, mipStatus) {
    case .failure(let context):
      throw .glpkFailure(code: Int(rawCode), context: "\(context); \(GLPKProblem.capturedMessage())")
    case .outcome(let status, let termination):
      result.status = status
      result.termination = termination
      if termination == .cancelled && state.deadlineReached { result.termination = .timeLimit }
      if termination == .cancelled && state.iterationLimitReached { result.termination = .iterationLimit }
    }
    result.nodes = state.nodes
    if hadStart {
      switch state.incumbentState {
      case 1: result.incumbentUse = .accepted
      case 2: result.incumbentUse = .rejectedNotBetter
      default: result.incumbentUse = .notRequested
      }
    }
    return result
  }
}
