import Foundation
import MISModel

/// Settings of the branch-and-Benders-cut, each switchable on its own (the tests solve with
/// each alone and all together; `Docs/exact-solver.md` has what each buys).
public struct BendersOptions: Sendable, Hashable {
  /// Rounds of the separation loop on the root LP before the search (0: none). The loop
  /// stops earlier when no cut is violated or the bound stalls.
  public var rootRounds: Int
  /// Separate optimality cuts at fractional points of the search (`GLP_ICUTGEN`); the
  /// integral points are always separated (`GLP_IROWGEN`), which alone keeps the solve exact.
  public var fractionalCuts: Bool
  /// Cut rounds at the root node inside the search.
  public var rootCutRounds: Int
  /// Cut rounds at every other node.
  public var nodeCutRounds: Int
  /// Offer GLPK rounded LP points as incumbents (`GLP_IHEUR`).
  public var roundingHeuristic: Bool
  /// Branch on the placements with the most demand-weighted saving first (`GLP_IBRANCH`).
  public var branchingPriorities: Bool
  /// GLPK's own cut families on the master (default: Gomory mixed-integer cuts at the root
  /// and knapsack covers on the capacity rows; adding MIR measured weaker bounds, see
  /// `Docs/exact-solver.md`).
  public var glpkCuts: MIPOptions.Cuts

  /// Creates options; the defaults are the measured best of `Docs/exact-solver.md`.
  public init(
    rootRounds: Int = 100, fractionalCuts: Bool = true, rootCutRounds: Int = 20, nodeCutRounds: Int = 1,
    roundingHeuristic: Bool = true, branchingPriorities: Bool = false,
    glpkCuts: MIPOptions.Cuts = MIPOptions.Cuts(gomory: true, cover: true)
  ) {
    self.rootRounds = rootRounds
    self.fractionalCuts = fractionalCuts
    self.rootCutRounds = rootCutRounds
    self.nodeCutRounds = nodeCutRounds
    self.roundingHeuristic = roundingHeuristic
    self.branchingPriorities = branchingPriorities
    self.glpkCuts = glpkCuts
  }

  /// Only what exactness needs: lazy cuts at integral points, nothing else.
  public static let minimal = BendersOptions(
    rootRounds: 0, fractionalCuts: false, rootCutRounds: 0, nodeCutRounds: 0, roundingHeuristic: false,
    branchingPriorities: false, glpkCuts: .none)
}

/// The exact planner as a branch-and-Benders-cut inside one GLPK `glp_intopt`.
///
/// GLPK branches on the thinned master of `BendersMaster` (placements, file groups,
/// capacities and one cost variable per demanded pair); the routing — which source serves
/// each pair — is never a variable: its cost enters through optimality cuts separated in
/// closed form by sorting each pair's sources (Fischetti, Ljubić, Sinnl, Management Science
/// 2017, doi:10.1287/mnsc.2016.2461). It solves the same model as the compact path and
/// returns the same kind of ``/MISModel/PlanningResult``: every plan re-evaluated by
/// ``/MISModel/ProblemIndex/evaluate(_:)-(PlacementMatrix)``, the bound never above the plan.
///
/// ```swift
/// var options = ExactSolver.Options()
/// options.timeLimitSeconds = 60
/// let result = try BendersSolver(options: options).solve(index)
/// ```
public struct BendersSolver: Sendable {
  /// The exact solver's options (limits, start plan, callbacks, reductions, granularities).
  /// `cuts`, `presolve` and `heuristics` are the compact path's; this solver uses
  /// ``benders`` instead (GLPK's presolver is always off here: the cuts need the original
  /// columns).
  public var options: ExactSolver.Options
  /// The Benders settings.
  public var benders: BendersOptions

  /// Creates a solver.
  public init(options: ExactSolver.Options = ExactSolver.Options(), benders: BendersOptions = BendersOptions()) {
    self.options = options
    self.benders = benders
  }

  /// Solves `index` exactly (or to the limits in ``options``).
  ///
  /// - Throws: as ``ExactSolver/solve(_:)-(ProblemIndex)``.
  public func solve(_ index: ProblemIndex) throws(SolverError) -> PlanningResult {
    try solveWithStatistics(index).result
  }

  /// Solves `index` and returns the solve's figures as well.
  ///
  /// - Throws: as ``ExactSolver/solve(_:)-(ProblemIndex)``.
  public func solveWithStatistics(_ index: ProblemIndex) throws(SolverError) -> (
    result: PlanningResult, statistics: ExactSolver.Statistics
  ) {
    let clock = ContinuousClock()
    let started = clock.now
    func elapsed() -> Double {
      let d = clock.now - started
      return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
    let formulation = Formulation(index, reductions: options.reductions, granularities: options.granularities)
    let master = BendersMaster(formulation)
    let buildSeconds = elapsed()
    let size = ModelSize(
      rows: master.model.rows.count, columns: master.model.columns.count,
      integerColumns: master.isBinary.reduce(0) { $0 + ($1 ? 1 : 0) }, nonzeros: master.model.nonzeroCount)
    if size.nonzeros > options.maximumNonzeros {
      throw .tooLarge(
        reason: "the Benders master has \(size.nonzeros) non-zeros, over the exact solver's limit of "
          + "\(options.maximumNonzeros); use the approximate planner (method approx) or raise maximumNonzeros")
    }
    var statistics = ExactSolver.Statistics(
      unreducedSize: formulation.unreducedSize, reducedSize: size, nodes: 0, buildSeconds: buildSeconds,
      solveSeconds: 0, startPlan: .none)
    var details: [(key: String, value: JSONValue)] = [("formulation", .string("benders"))]

    func finish(_ status: SolveStatus, _ matrix: PlacementMatrix?, bound: Double?) -> (
      result: PlanningResult, statistics: ExactSolver.Statistics
    ) {
      var details = details
      details.append(("nodes", .number(Double(statistics.nodes))))
      details.append(("rows", .number(Double(size.rows))))
      details.append(("columns", .number(Double(size.columns))))
      details.append(("nonzeros", .number(Double(size.nonzeros))))
      details.append(("unreducedRows", .number(Double(statistics.unreducedSize.rows))))
      details.append(("unreducedColumns", .number(Double(statistics.unreducedSize.columns))))
      details.append(("unreducedNonzeros", .number(Double(statistics.unreducedSize.nonzeros))))
      if options.startPlan != nil { details.append(("startPlan", .string("\(statistics.startPlan)"))) }
      var status = status
      var metrics: PlanMetrics?
      var objective: Double?
      var reportedBound = bound
      if let matrix {
        let m = index.evaluate(matrix)
        metrics = m
        objective = m.totalLatencySeconds
        if let o = objective {
          reportedBound = bound.map { min($0, o) }
          // Honest status: optimal only when the bound proves it within the tolerance.
          if status == .optimal, let b = reportedBound, o - b > Tolerance.optimalityGap * max(1, abs(o)) {
            status = .feasible
          }
          if status == .feasible, let b = reportedBound, o - b <= Tolerance.optimalityGap * max(1, abs(o)) {
            status = .optimal
          }
        }
      }
      let result = PlanningResult(
        index: index, matrix: matrix, metrics: metrics,
        report: SolverReport(
          method: options.methodName, status: status, objective: objective, bound: reportedBound,
          seconds: elapsed(), details: details))
      return (result, statistics)
    }

    if !formulation.impossiblePairs.isEmpty { return finish(.infeasible, nil, bound: nil) }
    if master.pairs.isEmpty {
      // No pair has a source cheaper than the origin: the empty plan is optimal.
      return finish(.optimal, PlacementMatrix(for: index), bound: master.model.objectiveConstant)
    }

    var model = master.model
    // Initial cuts: per pair the origin's (or most expensive source's) cut.
    model.rows.append(contentsOf: master.initialCuts())
    var mip = MIPOptions(
      timeLimitSeconds: options.timeLimitSeconds.map { max(0.001, $0 - buildSeconds) },
      relativeGap: options.relativeGap ?? Self.defaultRelativeGap, presolve: false, cuts: benders.glpkCuts,
      heuristics: options.heuristics)
    if let start = options.startPlan {
      guard start.layerCount == index.layerCount, start.registryCount == index.registryCount else {
        throw .invalidOptions(reason: "the start plan's shape does not match the instance")
      }
      if let values = master.values(for: start) {
        mip.incumbent = values
      } else {
        statistics.startPlan = .rejectedInfeasible("the start plan violates the model (e.g. over capacity)")
      }
    }
    mip.progress = options.progress
    mip.shouldStop = options.shouldStop
    mip.nodeLimit = options.nodeLimit
    mip.iterationLimit = options.iterationLimit(for: model)
    let callbacks = BendersCallbacks(master: master, options: benders)
    let outcome: MIPOutcome
    let bc: BranchAndCutStatistics
    do {
      (outcome, bc) = try GLPKSolver.solveBranchAndCut(
        model, options: mip, delegate: callbacks, rootRounds: benders.rootRounds)
    } catch .glpkFailure, .glpkInternalError {
      // A GLPK fault in the search (numerical failure of a node LP, an internal error):
      // the compact model is the same problem, so solve that instead in the time left.
      var compact = options
      compact.formulation = .compact
      if let limit = options.timeLimitSeconds {
        let left = limit - elapsed()
        guard left > 0 else { return finish(.timeLimitNoSolution, nil, bound: nil) }
        compact.timeLimitSeconds = left
      }
      return try ExactSolver(options: compact).solveWithStatistics(index)
    }
    statistics.nodes = outcome.nodes
    statistics.solveSeconds = outcome.seconds
    if mip.incumbent != nil { statistics.startPlan = outcome.incumbentUse }
    let rootBound: JSONValue = bc.rootBound.map { .number($0) } ?? .null
    let glpkObjective: JSONValue = outcome.objective.map { .number($0) } ?? .null
    details.append(("rootRounds", .number(Double(bc.rootRounds))))
    details.append(("rootCuts", .number(Double(bc.rootRows))))
    details.append(("rootBound", rootBound))
    details.append(("rootSeconds", .number(bc.rootSeconds)))
    details.append(("lazyCuts", .number(Double(callbacks.lazyCuts))))
    details.append(("fractionalCuts", .number(Double(callbacks.fractionalCuts))))
    details.append(("heuristicSolutions", .number(Double(bc.heuristicSolutions))))
    details.append(("glpkObjective", glpkObjective))
    details.append(("simplexIterations", .number(Double(outcome.simplexIterations))))
    if outcome.termination == .iterationLimit { details.append(("nodeLimitReached", .bool(true))) }

    switch outcome.status {
    case .infeasible:
      return finish(.infeasible, nil, bound: nil)
    case .noSolution:
      return finish(.timeLimitNoSolution, nil, bound: outcome.bestBound)
    case .unbounded:
      throw .glpkFailure(code: 0, context: "GLPK reported an unbounded Benders master, impossible for bounded θ")
    case .optimal, .feasible:
      guard let values = outcome.values else {
        throw .glpkFailure(code: 0, context: "GLPK reported a solution without values")
      }
      var matrix = index.pruned(master.matrix(from: values))
      var status: SolveStatus = outcome.status == .optimal ? .optimal : .feasible
      if !index.evaluate(matrix).feasible {
        // GLPK accepts rows within its tolerances (a few bytes over a capacity of many
        // gigabytes): drop the least useful copies until the plan fits. The bound stays valid.
        guard let repaired = Self.repair(matrix, index: index) else {
          throw .glpkFailure(code: 0, context: "GLPK's solution is infeasible and could not be repaired")
        }
        matrix = repaired
        status = .feasible
      }
      if let glpk = outcome.objective, let evaluated = index.evaluate(matrix).totalLatencySeconds,
        status == .optimal, !Tolerance.atMost(evaluated, glpk)
      {
        // The master's θ are the true costs at integral points; a larger evaluated latency
        // means a numerical fault: report it rather than a wrong optimum.
        throw .numericalDisagreement(solverObjective: glpk, evaluatorObjective: evaluated)
      }
      return finish(status, matrix, bound: outcome.bestBound)
    }
  }

  /// GLPK's `mip_gap` when ``ExactSolver/Options/relativeGap`` is `nil`: half the project's
  /// optimality tolerance (`Tolerance.optimalityGap`, 1e-6), so a solve stopped by it still
  /// reports `optimal` while GLPK skips proving the last millionth.
  static let defaultRelativeGap = 0.5e-6

  /// Drops, one at a time, the placement on an over-capacity registry whose removal raises
  /// the latency least, until every registry fits; `nil` if that leaves a pair unserved.
  static func repair(_ start: PlacementMatrix, index: ProblemIndex) -> PlacementMatrix? {
    var matrix = start
    while true {
      let metrics = index.evaluate(matrix)
      if metrics.feasible { return matrix }
      guard
        let r = metrics.registries.indices.first(where: {
          metrics.registries[$0].usedBytes > metrics.registries[$0].capacityBytes
        })
      else { return nil }
      var best: (Double, Int)?
      for l in 0..<index.layerCount where matrix[l, r] != nil {
        var trial = matrix
        trial[l, r] = nil
        let t = index.evaluate(trial)
        let value = t.totalLatencySeconds ?? .infinity
        if value.isFinite, best.map({ value < $0.0 }) ?? true { best = (value, l) }
      }
      guard let (_, l) = best else { return nil }
      matrix[l, r] = nil
    }
  }
}
