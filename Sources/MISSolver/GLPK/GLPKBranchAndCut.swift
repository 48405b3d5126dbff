// Branch and cut with application rows on GLPK: the solver-neutral side (no C here).
// GLPKProblem.swift holds the C calls; the shim (mis_glpk_intopt_bc) runs the callback.

/// Where a row request comes from.
enum BranchAndCutEvent: Sendable, Hashable {
  /// A round of the separation loop on the root LP, before the search (rows become part of
  /// the model).
  case root(round: Int)
  /// `GLP_IROWGEN`: every LP optimum of the search, before GLPK tests integrality. Rows are
  /// lazy constraints, kept in the node's subtree; they must cut off every integral point
  /// the model does not allow.
  case lazy(node: Int, level: Int)
  /// `GLP_ICUTGEN`: a fractional LP optimum; rows are cuts that GLPK removes from a node
  /// once inactive.
  case cut(node: Int, level: Int)
}

/// The application side of ``GLPKSolver/solveBranchAndCut(_:options:delegate:rootRounds:)``.
/// Called on the solving thread, from inside GLPK's callback: it must not start a solve
/// and must not throw.
protocol BranchAndCutDelegate: AnyObject {
  /// Rows violated by `point` (one value per column, 0-based), canonical (increasing
  /// column indices, no repeats), or none.
  func rows(at point: UnsafeBufferPointer<Double>, event: BranchAndCutEvent) -> [LinearModel.Row]
  /// A complete feasible solution (one value per column, integers exact) that satisfies
  /// every row the delegate would ever add, or `nil`.
  func heuristicSolution(at point: UnsafeBufferPointer<Double>, node: Int) -> [Double]?
  /// A priority per column for branching (higher first), or `nil` for GLPK's own rule.
  var branchingPriority: [Double]? { get }
}

/// Figures of a branch and cut with application rows.
struct BranchAndCutStatistics: Sendable, Hashable {
  /// Rows added by the root loop.
  var rootRows = 0
  /// Rounds of the root loop.
  var rootRounds = 0
  /// The root LP value after the loop (a lower bound), if it was solved.
  var rootBound: Double?
  /// Seconds spent in the root loop.
  var rootSeconds = 0.0
  /// Whether the root loop ended because the delegate had no row left to add.
  var rootConverged = false
  /// Rows added during the search (lazy and cuts).
  var searchRows = 0
  /// Heuristic solutions GLPK accepted.
  var heuristicSolutions = 0
}

extension GLPKSolver {
  /// Time limits below this many seconds scale the branch-and-cut model in one pass of
  /// equilibration (see ``GLPKProblem/scale(equilibrateOnly:)``).
  static let shortLimitSeconds = 10.0

  /// Solves a mixed-integer model whose rows are partly generated on demand: the root LP is
  /// solved and re-solved while the delegate supplies violated rows (up to `rootRounds`
  /// rounds), then `glp_intopt` runs without presolve with the delegate's lazy rows, cuts,
  /// heuristic and branching priorities.
  ///
  /// The outcome is exact only if the delegate's lazy rows cut off, at every integral LP
  /// point, every violation of the full model.
  ///
  /// - Throws: as ``solveMIP(_:options:)``.
  static func solveBranchAndCut(
    _ model: LinearModel, options: MIPOptions, delegate: any BranchAndCutDelegate, rootRounds: Int
  ) throws(SolverError) -> (MIPOutcome, BranchAndCutStatistics) {
    let deadline = Deadline(limitSeconds: options.timeLimitSeconds)
    try GLPKSolver.validate(options)
    let model = try model.canonicalized()
    var statistics = BranchAndCutStatistics()
    var incumbentUse = MIPOutcome.IncumbentUse.none
    var startVector: [Double]?
    if let x = options.incumbent {
      guard x.count == model.columns.count else {
        throw .invalidOptions(reason: "incumbent has \(x.count) values for \(model.columns.count) columns")
      }
      if let violation = model.firstViolation(of: x, checkIntegrality: true) {
        incumbentUse = .rejectedInfeasible(violation)
      } else {
        incumbentUse = .notRequested
        startVector = zip(model.columns, x).map { column, value in
          guard column.isInteger else { return min(max(value, column.lowerBound), column.upperBound) }
          let (lower, upper) = column.integerBounds
          return min(max(value.rounded(), lower), upper)
        }
      }
    }
    func outcome(_ status: MIPOutcome.Status, _ termination: MIPOutcome.Termination, bound: Double? = nil)
      -> MIPOutcome
    {
      MIPOutcome(
        status: status, termination: termination, values: nil, objective: nil, bestBound: bound, nodes: 0,
        seconds: deadline.elapsedSeconds(), incumbentUse: incumbentUse)
    }
    for column in model.columns where column.isInteger {
      if column.integerBounds.lower > column.integerBounds.upper {
        return (outcome(.infeasible, .infeasible), statistics)
      }
    }
    if Task.isCancelled || options.shouldStop?() == true { return (outcome(.noSolution, .cancelled), statistics) }

    return try GLPKProblem.with { (problem) throws(SolverError) -> (MIPOutcome, BranchAndCutStatistics) in
      try problem.load(model, integer: true)
      // Bytes (capacity rows, ~1e8) beside seconds (cut rows, ~1): unscaled, GLPK's dual
      // simplex inside the search was measured to prune the optimum of a 3×4×6 instance.
      // Under a short time limit, the one-pass scaling: the automatic one cannot be
      // interrupted and took most of a second on 10-registry masters.
      try problem.scale(equilibrateOnly: (options.timeLimitSeconds ?? .infinity) < Self.shortLimitSeconds)
      let stop = options.shouldStop
      switch try problem.simplex(deadline: deadline, shouldStop: { Task.isCancelled || stop?() == true }) {
      case .optimal: break
      case .infeasible: return (outcome(.infeasible, .infeasible), statistics)
      case .unbounded: return (outcome(.unbounded, .unbounded), statistics)
      case .limit: return (outcome(.noSolution, .timeLimit), statistics)
      case .stopped: return (outcome(.noSolution, .cancelled), statistics)
      }
      // Root separation loop: the rows become part of the model GLPK branches on.
      switch try problem.separationLoop(
        delegate: delegate, maxRounds: rootRounds, deadline: deadline,
        shouldStop: { Task.isCancelled || options.shouldStop?() == true }, statistics: &statistics)
      {
      case .optimal: break
      case .infeasible: return (outcome(.infeasible, .infeasible), statistics)
      case .unbounded: return (outcome(.unbounded, .unbounded), statistics)
      case .limit: return (outcome(.noSolution, .timeLimit, bound: statistics.rootBound), statistics)
      case .stopped: return (outcome(.noSolution, .cancelled), statistics)
      }
      statistics.rootSeconds = deadline.elapsedSeconds()

      let state = MIPCallbackState(options: options, deadline: deadline)
      var counters = (rows: 0, heuristic: 0)
      guard
        let (code, mipStatus, rawCode) = try problem.intoptBranchAndCut(
          options: options, deadline: deadline, startVector: startVector, state: state, delegate: delegate,
          counters: &counters)
      else { return (outcome(.noSolution, .timeLimit, bound: statistics.rootBound), statistics) }
      statistics.searchRows = counters.rows
      statistics.heuristicSolutions = counters.heuristic

      var result = try GLPKSolver.finished(
        outcome(.noSolution, .timeLimit), code: code, mipStatus: mipStatus, rawCode: rawCode, state: state,
        hadStart: startVector != nil)
      // The best bound seen in the search, never below the root bound.
      let searchBound = [state.bestBound, statistics.rootBound].compactMap { $0 }.max()
      switch result.status {
      case .optimal, .feasible:
        let solution = problem.mipSolution()
        result.values = solution.values
        result.objective = solution.objective
        result.bestBound =
          result.status == .optimal ? solution.objective : searchBound.map { min($0, solution.objective) }
      case .noSolution:
        result.bestBound = searchBound
      case .infeasible, .unbounded:
        result.bestBound = nil
      }
      result.simplexIterations = problem.iterationCount
      result.seconds = deadline.elapsedSeconds()
      return (result, statistics)
    }
  }
}

/// The outcome of ``GLPKSolver/solveLPWithRowGeneration(_:delegate:maxRounds:timeLimitSeconds:shouldStop:)``.
struct RowGenerationOutcome: Sendable {
  /// How the last LP ended: `.optimal` when the loop ended with an optimal LP (converged or
  /// out of rounds, see ``converged``).
  var status: GLPKProblem.LPResult
  /// Column values of the last optimal LP.
  var values: [Double]?
  /// Objective of the last optimal LP (with the model's constant): the LP of the model with
  /// the rows generated so far, a lower bound on the LP with every row.
  var objective: Double?
  /// Duals of the model's own rows (not of the generated ones), of the last optimal LP.
  var rowDuals: [Double]?
  /// Whether the delegate had no row left to add (the LP value is then that of the full model).
  var converged: Bool
  /// The loop's figures (rounds, rows added, last LP value, seconds).
  var statistics: BranchAndCutStatistics
}

extension GLPKSolver {
  /// Solves the LP relaxation of `model` (integrality dropped) whose rows are partly
  /// generated on demand: the LP is solved, the delegate's rows at its optimum (event
  /// `.root`) are added, and it is re-solved by the dual simplex from the previous basis,
  /// until the delegate has nothing to add or `maxRounds` rounds ran.
  ///
  /// - Throws: as ``solveLP(_:method:timeLimitSeconds:)``.
  static func solveLPWithRowGeneration(
    _ model: LinearModel, delegate: any BranchAndCutDelegate, maxRounds: Int, timeLimitSeconds: Double?,
    shouldStop: (@Sendable () -> Bool)?
  ) throws(SolverError) -> RowGenerationOutcome {
    let deadline = Deadline(limitSeconds: timeLimitSeconds)
    var model = try model.canonicalized()
    for j in model.columns.indices { model.columns[j].isInteger = false }
    let ownRows = model.rows.count
    var statistics = BranchAndCutStatistics()
    let stop: () -> Bool = { Task.isCancelled || shouldStop?() == true }
    return try GLPKProblem.with { (problem) throws(SolverError) -> RowGenerationOutcome in
      try problem.load(model, integer: false)
      try problem.scale()
      // Slices of simplex iterations between stop checks, not of time: the vertex reached
      // (the fractional plan that is rounded) must not depend on the machine's speed.
      var status = try problem.simplex(deadline: deadline, shouldStop: stop, sliceIterations: 2_000)
      if status == .optimal {
        status = try problem.separationLoop(
          delegate: delegate, maxRounds: maxRounds, deadline: deadline, shouldStop: stop, statistics: &statistics)
      }
      statistics.rootSeconds = deadline.elapsedSeconds()
      guard status == .optimal else {
        return RowGenerationOutcome(
          status: status, values: nil, objective: nil, rowDuals: nil, converged: false, statistics: statistics)
      }
      let solution = problem.lpSolution(interior: false)
      return RowGenerationOutcome(
        status: .optimal, values: solution.values, objective: solution.objective,
        rowDuals: Array(solution.duals.prefix(ownRows)), converged: statistics.rootConverged, statistics: statistics)
    }
  }
}

extension GLPKProblem {
  /// The separation loop on an optimal LP: add the delegate's rows at the current optimum
  /// (event `.root(round:)`) and re-optimise, until it has none or `maxRounds` rounds ran.
  /// Returns `.optimal` when the loop ended on an optimal LP; records rounds, rows, the last
  /// LP value and whether the delegate ran out of rows in `statistics`.
  mutating func separationLoop(
    delegate: any BranchAndCutDelegate, maxRounds: Int, deadline: Deadline, shouldStop: () -> Bool,
    statistics: inout BranchAndCutStatistics
  ) throws(SolverError) -> LPResult {
    var round = 0
    statistics.rootConverged = false
    while true {
      if shouldStop() { return .stopped }
      let (values, objective) = basicSolution()
      statistics.rootBound = objective
      if round >= maxRounds { break }
      let rows = values.withUnsafeBufferPointer { delegate.rows(at: $0, event: .root(round: round)) }
      if rows.isEmpty {
        statistics.rootConverged = true
        break
      }
      try addRows(rows)
      statistics.rootRows += rows.count
      round += 1
      statistics.rootRounds = round
      let result = try reoptimize(deadline: deadline)
      guard result == .optimal else { return result }
    }
    return .optimal
  }
}
