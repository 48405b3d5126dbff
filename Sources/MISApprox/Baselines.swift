import MISModel
import MISSolver

/// Every planner the package offers, by its command-line name (`Docs/cli.md`, `--method`).
public enum PlanningMethod: String, Sendable, Hashable, CaseIterable {
  /// GLPK's MIP on the reduced exact model (``/MISSolver/ExactSolver``).
  case exact
  /// LP relaxation + randomized rounding + repair (``ApproxSolver``).
  case approx
  /// The best plan using layer-level storage only (the approx pipeline restricted to `x`).
  case layerOnly = "layer-only"
  /// The best plan using file-level storage only (the approx pipeline restricted to `z`).
  case fileOnly = "file-only"
  /// Most-demanded layers at layer level on the registries nearest their demand.
  case popularity
  /// Store nothing: every pull from the origin.
  case originOnly = "origin-only"
}

/// Options shared by ``Planner/solve(_:method:options:)``.
public struct PlannerOptions: Sendable {
  /// Seed of randomized methods (default 0).
  public var seed: UInt64 = 0
  /// Rounding trials of randomized methods (default 32).
  public var trials: Int = 32
  /// Time limit of the exact method (default none).
  public var timeLimitSeconds: Double? = nil
  /// Relative MIP gap of the exact method (default none: prove optimality).
  public var relativeGap: Double? = nil
  /// Threads for rounding trials (default: active processors; never changes the result).
  public var parallelism: Int = ApproxSolver.Options().parallelism
  /// Creates default options.
  public init() {}
}

/// One entry point for every method, used by the `mis` tool and the benchmarks.
///
/// ```swift
/// let result = try Planner.solve(index, method: .popularity)
/// print(result.report.status, result.objective ?? .nan)
/// ```
public enum Planner {
  /// Plans `index` with `method`.
  ///
  /// - Throws: ``/MISSolver/SolverError`` when the method cannot run (e.g. GLPK failure, too large).
  public static func solve(_ index: ProblemIndex, method: PlanningMethod, options: PlannerOptions = PlannerOptions())
    throws(SolverError) -> PlanningResult
  {
    switch method {
    case .exact:
      var exact = ExactSolver.Options()
      exact.timeLimitSeconds = options.timeLimitSeconds
      exact.relativeGap = options.relativeGap
      return try ExactSolver(options: exact).solve(index)
    case .approx, .layerOnly, .fileOnly:
      var approx = ApproxSolver.Options(seed: options.seed, trials: options.trials, parallelism: options.parallelism)
      approx.methodName = method.rawValue
      if method == .layerOnly { approx.granularities = [.layer] }
      if method == .fileOnly { approx.granularities = [.file] }
      return try ApproxSolver(options: approx).solve(index).result
    case .popularity:
      return Baselines.popularity(index)
    case .originOnly:
      return Baselines.originOnly(index)
    }
  }
}

/// The simple planners users compare against (see `Docs/baselines.md`).
public enum Baselines {
  /// Stores nothing. Infeasible when some node with demand has no origin link.
  public static func originOnly(_ index: ProblemIndex) -> PlanningResult {
    let watch = Stopwatch()
    return finish(index, PlacementMatrix(for: index), method: PlanningMethod.originOnly.rawValue, watch: watch)
  }

  /// What an operator would script by hand: take layers from the most to the least
  /// demanded (total pulls); for each node that pulls the layer (most pulls first), store it
  /// at layer level on that node's nearest registry (lowest `cL`) that has room and does not
  /// hold it yet. Pairs without an origin link are first given a source at all.
  ///
  /// - Complexity: O(Σ over demanded pairs of links per node · log + L log L).
  public static func popularity(_ index: ProblemIndex) -> PlanningResult {
    let watch = Stopwatch()
    let formulation = Formulation(
      index,
      reductions: Reductions(
        fileClasses: true, dominatedSources: false, uselessPlacements: true, zeroDemandLayers: true))
    var state = PlanState(index: index)
    Repair.serveStranded(&state, formulation: formulation)
    var totals: [(layer: Int, demand: Double)] = []
    for l in 0..<index.layerCount {
      let d = index.layerDemand.range(l).reduce(0.0) { $0 + index.layerDemandValue[$1] }
      if d > 0 { totals.append((l, d)) }
    }
    totals.sort { $0.demand != $1.demand ? $0.demand > $1.demand : $0.layer < $1.layer }
    for (l, _) in totals {
      let pairs = index.layerDemand.range(l).sorted {
        index.layerDemandValue[$0] != index.layerDemandValue[$1]
          ? index.layerDemandValue[$0] > index.layerDemandValue[$1] : $0 < $1
      }
      for k in pairs {
        let n = Int(index.layerDemand.values[k])
        // Already has a copy on one of its registries: nothing to do for this node.
        if index.nodeLinks.range(n).contains(where: { state.matrix[l, Int(index.nodeLinks.values[$0])] != nil }) {
          continue
        }
        let nearest = index.nodeLinks.range(n)
          .filter { index.layerSize[l] <= state.remaining(Int(index.nodeLinks.values[$0])) }
          .min { index.layerCost(linkPosition: $0, layer: l) < index.layerCost(linkPosition: $1, layer: l) }
        if let position = nearest { state.place(layer: l, registry: Int(index.nodeLinks.values[position]), .layer) }
      }
    }
    // Placements that serve nobody (a node's nearest copy was later shadowed) are dropped.
    return finish(index, index.pruned(state.matrix), method: PlanningMethod.popularity.rawValue, watch: watch)
  }

  static func finish(_ index: ProblemIndex, _ matrix: PlacementMatrix, method: String, watch: Stopwatch)
    -> PlanningResult
  {
    let metrics = index.evaluate(matrix)
    let feasible = metrics.feasible && metrics.totalLatencySeconds != nil
    let report = SolverReport(
      method: method, status: feasible ? .feasible : .infeasible,
      objective: feasible ? metrics.totalLatencySeconds : nil,
      bound: nil, seconds: watch.seconds,
      details: feasible
        ? []
        : [("note", .string("this method's plan is infeasible: \(metrics.violations.first.map { "\($0)" } ?? "")"))])
    return PlanningResult(index: index, matrix: matrix, metrics: metrics, report: report)
  }
}
