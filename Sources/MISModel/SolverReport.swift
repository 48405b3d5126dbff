/// What a solve found (`solver.status` in `Docs/cli.md`). Why it stopped is
/// ``Termination``.
public enum SolveStatus: String, Sendable, Hashable, CaseIterable {
  /// The plan is proven optimal (within the requested gap, if any).
  case optimal
  /// A feasible plan, not proven optimal (a heuristic, or an exact solve stopped by a limit).
  case feasible
  /// The instance has no feasible plan (e.g. a demanded pair with no possible source, or
  /// capacities too small for the pairs without an origin link).
  case infeasible
  /// Stopped by a limit (time, cancellation) before any feasible plan was found.
  case timeLimitNoSolution
}

/// Why a solve stopped (`solver.termination` in `Docs/cli.md`), as distinct from what
/// it found (``SolveStatus``).
public enum Termination: String, Sendable, Hashable, CaseIterable {
  /// The method proved its plan optimal for the full model.
  case optimal
  /// A heuristic or restricted method ran to its end (its plan is not proven optimal).
  case completed
  /// The exact method stopped at the requested relative gap.
  case gapLimit
  /// The time limit elapsed; the plan is the best one available then.
  case timeLimit
  /// The solve was cancelled (a cancelled `Task`, ``SolveControl/shouldStop``, SIGINT or
  /// SIGTERM in the `mis` tool); the plan is the best one available then.
  case interrupted
  /// The method proved that no feasible plan exists.
  case infeasible

  /// The termination implied by a status when the method does not say otherwise:
  /// `optimal` → ``optimal``, `feasible` → ``completed``, `infeasible` → ``infeasible``,
  /// `timeLimitNoSolution` → ``timeLimit``.
  public init(defaultFor status: SolveStatus) {
    switch status {
    case .optimal: self = .optimal
    case .feasible: self = .completed
    case .infeasible: self = .infeasible
    case .timeLimitNoSolution: self = .timeLimit
    }
  }
}

/// The marginal value of one registry's capacity: the optimal dual price of its capacity
/// row in a relaxation, in seconds of total pull time saved per extra GiB (`Docs/model.md`).
public struct CapacityPrice: Sendable, Hashable {
  /// The registry's id.
  public var registry: String
  /// Seconds of objective per GiB of extra capacity (≥ 0; 0 where capacity is slack).
  public var secondsPerGiB: Double

  /// Creates a price.
  public init(registry: String, secondsPerGiB: Double) {
    self.registry = registry
    self.secondsPerGiB = secondsPerGiB
  }
}

/// The `solver` block of a plan document (`Docs/cli.md`): how the plan was obtained.
///
/// Written by ``PlanCodec/encodeSolver(_:)`` with the keys `method`, `status`,
/// `termination`, `objective`, `bound`, `gap`, `certifiedRatio`, `seconds`, `seed`, then
/// `capacityPrices` (only when the method solved a relaxation), then ``details``.
public struct SolverReport: Sendable, Hashable {
  /// The method name, e.g. `exact`, `approx`, `popularity`.
  public var method: String
  /// What the solve found.
  public var status: SolveStatus
  /// Why the solve stopped.
  public var termination: Termination
  /// The plan's objective `T` (seconds), as recomputed by the evaluator; `nil` without a plan.
  public var objective: Double?
  /// A proven lower bound on the optimum **of the full model**, where the method has one.
  /// A method restricted to one granularity never reports its restricted bound here (it
  /// goes to ``details`` as `restrictedBound`).
  public var bound: Double?
  /// Relative gap `(objective − bound) / objective`, where both exist.
  public var gap: Double?
  /// `objective / bound`, where both exist and the bound is positive: the plan is within
  /// this factor of the optimum. The only place the certified ratio is kept.
  public var certifiedRatio: Double?
  /// Wall-clock seconds of the solve.
  public var seconds: Double
  /// The seed of a randomized method.
  public var seed: UInt64?
  /// Capacity prices of a relaxation, in instance order of the registries (`nil`: the
  /// method solved no relaxation).
  public var capacityPrices: [CapacityPrice]?
  /// Further method-specific figures (model sizes, nodes, trials…), in order, written
  /// after the fixed keys of the `solver` block. The typed form is
  /// ``PlanningResult/statistics``.
  public var details: [(key: String, value: JSONValue)]

  /// Creates a report; `gap` and `certifiedRatio` are derived from `objective` and `bound`.
  ///
  /// - Parameters:
  ///   - method: ``method``.
  ///   - status: ``status``.
  ///   - termination: why the solve stopped; `nil` (the default) derives it from
  ///     `status` with ``Termination/init(defaultFor:)``.
  ///   - objective: ``objective``.
  ///   - bound: ``bound``.
  ///   - seconds: ``seconds``.
  ///   - seed: ``seed``.
  ///   - capacityPrices: ``capacityPrices``.
  ///   - details: ``details``.
  public init(
    method: String, status: SolveStatus, termination: Termination? = nil, objective: Double?, bound: Double?,
    seconds: Double, seed: UInt64? = nil, capacityPrices: [CapacityPrice]? = nil,
    details: [(key: String, value: JSONValue)] = []
  ) {
    self.method = method
    self.status = status
    self.termination = termination ?? Termination(defaultFor: status)
    self.objective = objective
    self.bound = bound
    self.seconds = seconds
    self.seed = seed
    self.capacityPrices = capacityPrices
    self.details = details
    gap = nil
    certifiedRatio = nil
    updateDerived()
  }

  /// Recomputes ``gap`` and ``certifiedRatio`` from ``objective`` and ``bound`` (after
  /// either was changed).
  public mutating func updateDerived() {
    if let objective, let bound {
      gap = objective > 0 ? max(0, objective - bound) / objective : 0
      certifiedRatio = bound > 0 ? objective / bound : (objective == 0 ? 1 : nil)
    } else {
      gap = nil
      certifiedRatio = nil
    }
  }

  /// The value of the detail `key`, if present.
  public func detail(_ key: String) -> JSONValue? {
    details.first { $0.key == key }?.value
  }

  /// Equality of every field, the details compared as JSON values.
  public static func == (a: SolverReport, b: SolverReport) -> Bool {
    a.method == b.method && a.status == b.status && a.termination == b.termination && a.objective == b.objective
      && a.bound == b.bound && a.gap == b.gap && a.certifiedRatio == b.certifiedRatio && a.seconds == b.seconds
      && a.seed == b.seed && a.capacityPrices == b.capacityPrices
      && JSONValue.object(a.details) == JSONValue.object(b.details)
  }

  /// Hashes the identifying fields (method, status, termination, objective, bound, seed).
  public func hash(into hasher: inout Hasher) {
    hasher.combine(method)
    hasher.combine(status)
    hasher.combine(termination)
    hasher.combine(objective)
    hasher.combine(bound)
    hasher.combine(seed)
  }
}
