import MISModel

/// The LP relaxation of the reduced model (`Docs/model.md` §6 with the binaries relaxed to
/// [0, 1]) and its optimal fractional solution, the input of randomized rounding.
///
/// Its value is a proven lower bound on the optimum of the instance: the relaxation of a
/// model whose reductions keep the optimum (see ``Reductions``).
///
/// ```swift
/// let relaxation = try Relaxation.solve(Formulation(index))
/// print(relaxation.lowerBound)
/// ```
public struct Relaxation: Sendable {
  /// How the LP ended.
  public enum Status: String, Sendable, Hashable {
    /// Solved to optimality: ``lowerBound`` and ``values`` are set.
    case optimal
    /// The LP has no solution, hence neither has the instance.
    case infeasible
    /// Stopped by the time limit.
    case limit
  }

  /// The model that was relaxed.
  public let formulation: Formulation
  /// How the LP ended.
  public let status: Status
  /// The optimal column values (empty unless `status == .optimal`).
  public let values: [Double]
  /// The LP optimum including the objective constant: a lower bound on `T` for every plan.
  public let lowerBound: Double?
  /// Seconds spent in the LP solver.
  public let seconds: Double
  /// Capacity price of each registry in seconds of total latency per GiB: the negated
  /// dual value of its capacity row (0 where it has none), when optimal.
  public let capacityPrices: [Double]?

  /// Creates a relaxation from parts (e.g. a solution computed elsewhere).
  public init(
    formulation: Formulation, status: Status, values: [Double], lowerBound: Double?, seconds: Double,
    capacityPrices: [Double]? = nil
  ) {
    self.formulation = formulation
    self.status = status
    self.values = values
    self.lowerBound = lowerBound
    self.seconds = seconds
    self.capacityPrices = capacityPrices
  }

  /// Solves the relaxation with GLPK.
  ///
  /// - Parameters:
  ///   - formulation: the reduced model.
  ///   - method: GLPK's simplex, dual first (default), or interior point (for large models).
  ///   - timeLimitSeconds: optional limit (simplex only).
  /// - Throws: ``SolverError`` when GLPK cannot run.
  public static func solve(
    _ formulation: Formulation, method: LPMethod = .simplex, timeLimitSeconds: Double? = nil
  ) throws(SolverError) -> Relaxation {
    if !formulation.impossiblePairs.isEmpty {
      return Relaxation(formulation: formulation, status: .infeasible, values: [], lowerBound: nil, seconds: 0)
    }
    if formulation.model.columns.isEmpty {
      // Nothing to decide: everything comes from the origin.
      return Relaxation(
        formulation: formulation, status: .optimal, values: [], lowerBound: formulation.originConstant, seconds: 0,
        capacityPrices: [Double](repeating: 0, count: formulation.index.registryCount))
    }
    let outcome = try GLPKSolver.solveLP(formulation.model, method: method, timeLimitSeconds: timeLimitSeconds)
    switch outcome.status {
    case .optimal:
      // Clamp tiny numerical excursions into [0, 1].
      let values = (outcome.values ?? []).map { min(1, max(0, $0)) }
      var prices = [Double](repeating: 0, count: formulation.index.registryCount)
      if let duals = outcome.rowDuals {
        for (row, r) in formulation.capacityRows where row < duals.count {
          // A ≤ row of a minimisation has a dual ≤ 0: relaxing it by one byte lowers the
          // optimum by −dual seconds.
          prices[r] = max(0, -duals[row]) * 1_073_741_824
        }
      }
      return Relaxation(
        formulation: formulation, status: .optimal, values: values,
        lowerBound: outcome.objective, seconds: outcome.seconds, capacityPrices: prices)
    case .infeasible:
      return Relaxation(
        formulation: formulation, status: .infeasible, values: [], lowerBound: nil, seconds: outcome.seconds)
    case .unbounded:
      // Every column is bounded in [0, 1]: an unbounded answer is a solver failure.
      throw .glpkFailure(code: 0, context: "the relaxation reported unbounded, impossible for a [0,1]-bounded model")
    case .limit:
      return Relaxation(formulation: formulation, status: .limit, values: [], lowerBound: nil, seconds: outcome.seconds)
    }
  }

  /// `x*[l,r]`, or 0 when the column was reduced away.
  public func layerLevelShare(layer l: Int, registry r: Int) -> Double {
    let c = formulation.layerColumn[l * formulation.index.registryCount + r]
    return c >= 0 && !values.isEmpty ? values[Int(c)] : 0
  }

  /// `z*[l,r]`, or 0 when the column was reduced away.
  public func fileLevelShare(layer l: Int, registry r: Int) -> Double {
    let c = formulation.fileColumn[l * formulation.index.registryCount + r]
    return c >= 0 && !values.isEmpty ? values[Int(c)] : 0
  }
}

extension Relaxation {
  /// The relaxation's optimal solution as a ``FractionalPlan`` (the input of rounding),
  /// when optimal.
  public var fractionalPlan: FractionalPlan? {
    guard status == .optimal else { return nil }
    let index = formulation.index
    let R = index.registryCount
    var siteLayer: [Int32] = []
    var siteRegistry: [Int32] = []
    var layerShares: [Double] = []
    var fileShares: [Double] = []
    var starts = [Int](repeating: 0, count: index.layerCount + 1)
    for l in 0..<index.layerCount {
      starts[l] = siteLayer.count
      for r in 0..<R where formulation.layerColumn[l * R + r] >= 0 || formulation.fileColumn[l * R + r] >= 0 {
        siteLayer.append(Int32(l))
        siteRegistry.append(Int32(r))
        layerShares.append(layerLevelShare(layer: l, registry: r))
        fileShares.append(fileLevelShare(layer: l, registry: r))
      }
    }
    starts[index.layerCount] = siteLayer.count
    return FractionalPlan(
      layerCount: index.layerCount, registryCount: R, siteLayer: siteLayer, siteRegistry: siteRegistry,
      layerShares: layerShares, fileShares: fileShares, layerSiteStart: starts)
  }
}
