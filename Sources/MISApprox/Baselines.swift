import MISModel
import MISSolver

/// Every planner the package offers, by its command-line name (`--method` in `Docs/cli.md`).
public enum PlanningMethod: String, Sendable, Hashable, CaseIterable {
  /// GLPK's MIP on the reduced exact model (``/MISSolver/ExactSolver``), warm-started from the
  /// approximate plan.
  case exact
  /// Relaxation + randomized rounding + repair + improvement (``ApproxSolver``).
  case approx
  /// Picks: the approximate plan, then the exact solver for a short time where the model is
  /// small enough to prove quickly. The report's details name what ran and why
  /// (`autoChoice`, `autoReason`).
  case auto
  /// The best plan using layer-level storage only (the approx pipeline restricted to `x`).
  case layerOnly = "layer-only"
  /// The best plan using file-level storage only (the approx pipeline restricted to `z`).
  case fileOnly = "file-only"
  /// Most-demanded layers at layer level on the registries nearest their demand.
  case popularity
  /// Store nothing: every pull from the origin.
  case originOnly = "origin-only"
}

/// Options shared by `Planner.solve(_:method:options:)` (synchronous and `async`), validated once by
/// ``validate()`` (the `mis` tool prints the same errors).
public struct PlannerOptions: Sendable {
  /// Seed of randomized methods (default 0).
  public var seed: UInt64 = 0
  /// Rounding trials of randomized methods (default 32, at least 1).
  public var trials: Int = 32
  /// Wall-clock limit of **every** method in seconds, counted from the call (default none;
  /// at least 0). When it elapses the method returns the best plan it has then, with
  /// termination ``/MISModel/Termination/timeLimit`` — at worst the start plan or the origin-only plan
  /// when that is feasible. A limit that elapses is a result, never an error.
  public var timeLimitSeconds: Double? = nil
  /// Relative MIP gap of the exact method (default none: prove optimality; finite, ≥ 0).
  public var relativeGap: Double? = nil
  /// Threads for rounding trials (default: active processors, at least 1; never changes the result).
  public var parallelism: Int = ApproxSolver.Options().parallelism
  /// A plan to start from (ids, e.g. read with ``/MISModel/PlanCodec``): the exact method's first
  /// incumbent, and a plan the approximate methods return if theirs is worse. Unknown ids
  /// are an error; an infeasible plan is ignored with a `start` note in the details. The
  /// baselines ignore it.
  public var startPlan: Plan? = nil
  /// Whether the exact method starts from the approximate plan when no ``startPlan`` is
  /// given (default `true`). The approximate solve gets at most a quarter of the time limit
  /// on small models and all of it on larger ones (the branch and cut then runs only if the
  /// search stops early with time left); there, and on a model over ``maximumNonzeros``, it
  /// can be the whole answer (detail `exactNotRun`).
  public var warmStart: Bool = true
  /// The exact method's size limit, in non-zeros of its model (default 5 000 000, see
  /// ``/MISSolver/ExactSolver/Options/maximumNonzeros``; at least 0). Over it, the exact
  /// method returns its warm start's plan, saying so, or without a warm start throws
  /// ``/MISSolver/SolverError/tooLarge(reason:)``.
  public var maximumNonzeros: Int = ExactSolver.Options().maximumNonzeros
  /// The longest exact run of the `auto` method (default 5 s; with a time limit `T`, up to
  /// `max(5 s, T / 5)` of what is left).
  public var autoExactSeconds: Double = 5
  /// Cancellation, progress, and a deadline of the caller (combined with
  /// ``timeLimitSeconds``: whichever comes first).
  public var control: SolveControl = SolveControl()

  /// Creates default options.
  public init() {}

  /// Checks every option.
  ///
  /// - Throws: ``/MISSolver/SolverError/invalidOptions(reason:)`` quoting the value given: a negative
  ///   or NaN time limit, a negative or non-finite gap, `trials < 1`, `parallelism < 1`.
  public func validate() throws(SolverError) {
    if let t = timeLimitSeconds, !(t >= 0) {
      throw .invalidOptions(reason: "the time limit must be a number of seconds ≥ 0, got \(Self.quote(t))")
    }
    if let g = relativeGap, !(g >= 0 && g.isFinite) {
      throw .invalidOptions(reason: "the relative gap must be a finite number ≥ 0, got \(Self.quote(g))")
    }
    if trials < 1 { throw .invalidOptions(reason: "trials must be at least 1, got \(trials)") }
    if parallelism < 1 { throw .invalidOptions(reason: "parallelism (threads) must be at least 1, got \(parallelism)") }
    if maximumNonzeros < 0 { throw .invalidOptions(reason: "maximumNonzeros must be ≥ 0, got \(maximumNonzeros)") }
    if !(autoExactSeconds >= 0) {
      throw .invalidOptions(reason: "autoExactSeconds must be ≥ 0, got \(Self.quote(autoExactSeconds))")
    }
  }

  /// `-5` rather than `-5.0`: the value as a person would have typed it.
  static func quote(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }
}

/// One entry point for every method, used by the `mis` tool and the benchmarks. Every
/// method returns a ``/MISModel/PlanningResult``.
///
/// ```swift
/// let result = try Planner.solve(index, method: .popularity)
/// print(result)  // method, status, termination, objective, bound
/// ```
///
/// Limits and cancellation (``PlannerOptions/timeLimitSeconds``,
/// ``PlannerOptions/control``) are cooperative: each method checks them between its
/// phases and inside its long loops, so a stop takes effect within about a second (except
/// in GLPK's presolved root LP, which sees a cancellation only when it ends: the exact
/// method avoids it whenever it has a start plan). The answer is then the best plan
/// available, with termination `timeLimit` or `interrupted`.
public enum Planner {
  /// Plans `index` with `method`.
  ///
  /// - Throws: ``/MISSolver/SolverError`` when the options are invalid (``PlannerOptions/validate()``),
  ///   the start plan names unknown ids, or the method cannot run (e.g. GLPK failure, too
  ///   large). Infeasibility, limits and cancellation are results.
  public static func solve(_ index: ProblemIndex, method: PlanningMethod, options: PlannerOptions = PlannerOptions())
    throws(SolverError) -> PlanningResult
  {
    try options.validate()
    let clock = Stopwatch()
    // The methods chain solvers (warm start, then exact; approx, then exact), each timing
    // its own progress: the caller sees one clock.
    var control = options.control.timingProgress(on: clock)
    if let t = options.timeLimitSeconds { control = control.limited(toSeconds: t) }
    let start = try StartPlan(index, options.startPlan)
    var result: PlanningResult
    switch method {
    case .exact:
      result = try exact(index, options, control: control, start: start)
    case .approx, .layerOnly, .fileOnly:
      result = try approx(
        index, options, method: method, control: control, start: start,
        effort: method == .approx && control.deadline != nil ? .anytime : .standard)
    case .auto:
      result = try auto(index, options, control: control, start: start)
    case .popularity:
      result = Baselines.popularity(index)
    case .originOnly:
      result = Baselines.originOnly(index)
    }
    if result.matrix == nil, result.status == .timeLimitNoSolution {
      // Stopped without a plan of its own: the start plan or origin-only, when feasible.
      var fallback = stopped(
        index, method: method.rawValue, why: result.termination, start: start.matrix, bound: result.report.bound,
        seed: result.report.seed, note: "stopped before the method had a plan")
      fallback.report.details = result.report.details + fallback.report.details
      fallback.statistics = result.statistics
      result = fallback
    }
    if let note = start.note(for: method) { result.report.details.append(("start", .string(note))) }
    result.report.seconds = clock.seconds
    return result
  }

  /// The answer of `method` stopped (`why`) before it produced anything: the start plan of
  /// `options` when it is feasible, else the origin-only plan when that is feasible, else
  /// no plan (status `timeLimitNoSolution`). The `mis` tool writes it when a method does
  /// not reach a stop check soon enough after a signal.
  public static func fallback(
    _ index: ProblemIndex, method: PlanningMethod, options: PlannerOptions, why: Termination
  ) -> PlanningResult {
    let start = try? StartPlan(index, options.startPlan)
    return stopped(
      index, method: method.rawValue, why: why, start: start?.matrix,
      seed: Self.usesSeed(method) ? options.seed : nil, note: "the method did not stop in time")
  }

  /// Whether `method` is randomized (its report carries the seed).
  static func usesSeed(_ method: PlanningMethod) -> Bool {
    switch method {
    case .approx, .auto, .layerOnly, .fileOnly: return true
    case .exact, .popularity, .originOnly: return false
    }
  }

  /// A user's start plan, resolved against the instance.
  struct StartPlan {
    /// The plan in dense form, when given and feasible.
    var matrix: PlacementMatrix?
    /// Its objective, when feasible.
    var objective: Double?
    /// Why it was ignored, when given but infeasible.
    var rejection: String?
    /// Whether a plan was given.
    var given: Bool

    init(_ index: ProblemIndex, _ plan: Plan?) throws(SolverError) {
      given = plan != nil
      guard let plan else { return }
      let m: PlacementMatrix
      do {
        m = try index.matrix(from: plan)
      } catch {
        throw .invalidOptions(reason: "start plan: \(error)")
      }
      let metrics = index.evaluate(m)
      if metrics.feasible, let t = metrics.totalLatencySeconds {
        matrix = m
        objective = t
      } else {
        rejection =
          "ignored: the start plan is infeasible (\(metrics.violations.first.map { "\($0)" } ?? "no objective"))"
      }
    }

    func note(for method: PlanningMethod) -> String? {
      guard given else { return nil }
      if let rejection { return rejection }
      switch method {
      case .popularity, .originOnly: return "ignored: method \(method.rawValue) takes no start plan"
      default: return "used"
      }
    }
  }

  /// The answer of a method stopped (`why`) before it had a plan of its own: the start
  /// plan when feasible, else the origin-only plan when feasible, else no plan.
  static func stopped(
    _ index: ProblemIndex, method: String, why: Termination, start: PlacementMatrix?, bound: Double? = nil,
    seed: UInt64? = nil, note: String
  ) -> PlanningResult {
    for (candidate, source) in [(start, "the start plan"), (PlacementMatrix(for: index), "the origin-only plan")] {
      guard let candidate else { continue }
      let metrics = index.evaluate(candidate)
      guard metrics.feasible, let t = metrics.totalLatencySeconds else { continue }
      let report = SolverReport(
        method: method, status: .feasible, termination: why, objective: t, bound: bound.map { min($0, t) },
        seconds: 0, seed: seed, details: [("fallback", .string("\(note): returned \(source)"))])
      return PlanningResult(index: index, matrix: candidate, metrics: metrics, report: report)
    }
    let report = SolverReport(
      method: method, status: .timeLimitNoSolution, termination: why, objective: nil, bound: bound, seconds: 0,
      seed: seed, details: [("fallback", .string("\(note): no feasible plan was available"))])
    return PlanningResult(index: index, matrix: nil, metrics: nil, report: report)
  }

  /// The approximate pipeline (also restricted to one granularity for the layer-only and
  /// file-only baselines), never worse than a feasible start plan. With `.anytime` (the
  /// `approx` method under a time limit) the neighbourhood search has no effort budget: it
  /// improves the plan until the deadline, or until its widest neighbourhoods find nothing.
  /// With `.warmStart` (the exact method's first incumbent) its budget is a tenth of the
  /// default: branch and cut improves the plan itself.
  static func approx(
    _ index: ProblemIndex, _ options: PlannerOptions, method: PlanningMethod, control: SolveControl, start: StartPlan,
    effort: ApproxEffort = .standard
  ) throws(SolverError) -> PlanningResult {
    var approx = ApproxSolver.Options(seed: options.seed, trials: options.trials, parallelism: options.parallelism)
    approx.methodName = method.rawValue
    switch effort {
    case .standard: break
    case .anytime: approx.removeEffortBudget()
    case .warmStart:
      approx.branchAndCut = false
      approx.neighbourhoodWork = approx.neighbourhoodWork.map { $0 / 10 }
      approx.smallInstanceNeighbourhoodWork = approx.smallInstanceNeighbourhoodWork.map { $0 / 10 }
    case .quick:
      approx.branchAndCut = false
      approx.neighbourhoodSearch = false
    }
    if method == .layerOnly { approx = approx.restricted(to: .layer, methodName: method.rawValue) }
    if method == .fileOnly { approx = approx.restricted(to: .file, methodName: method.rawValue) }
    if let why = control.stopReason() {
      return stopped(
        index, method: method.rawValue, why: why, start: start.matrix, seed: options.seed,
        note: "stopped before the relaxation")
    }
    var result = try runApproxSolver(index, approx, control: control)
    if result.matrix == nil, result.status != .infeasible, let why = control.stopReason() {
      result = stopped(
        index, method: method.rawValue, why: why, start: start.matrix, bound: result.report.bound,
        seed: options.seed, note: "stopped before a plan was found")
    }
    if let startMatrix = start.matrix, let s = start.objective, s < (result.objective ?? .infinity),
      result.status != .infeasible
    {
      // The user's plan is better: return it, with this method's bound.
      var report = result.report
      report.status = .feasible
      report.objective = s
      report.bound = report.bound.map { min($0, s) }
      report.updateDerived()
      report.details.append(("startPlanKept", .bool(true)))
      result = PlanningResult(
        index: index, matrix: startMatrix, metrics: index.evaluate(startMatrix), report: report,
        statistics: result.statistics)
    }
    if method == .layerOnly || method == .fileOnly { result = restricted(result) }
    return result
  }

  /// Runs ``ApproxSolver`` under `control` (it honours the time limit, cancellation and
  /// progress itself) and returns its result with typed statistics.
  static func runApproxSolver(_ index: ProblemIndex, _ options: ApproxSolver.Options, control: SolveControl)
    throws(SolverError) -> PlanningResult
  {
    let result = try ApproxSolver(options: options).solve(index, control: control)
    // A bound of a model restricted to one granularity is no bound of the full model.
    control.report(
      SolveProgress(
        elapsed: result.report.seconds, bestObjective: result.objective,
        bestBound: options.granularities == [.layer, .file] ? result.bound : nil,
        phase: "\(options.methodName) done"))
    return result
  }

  /// A method restricted to some granularities: its bound bounds the restricted model
  /// only, so it moves to `restrictedBound` in the details; "optimal" becomes `feasible`
  /// / `completed` (optimal for the restriction is not optimal for the full model).
  static func restricted(_ result: PlanningResult) -> PlanningResult {
    var result = result
    var report = result.report
    let restrictedBound = report.bound
    report.bound = nil
    if report.status == .optimal { report.status = .feasible }
    // Optimal or infeasible for the restriction says nothing of the full model.
    if report.termination == .optimal || report.termination == .infeasible { report.termination = .completed }
    report.updateDerived()
    report.details.removeAll { $0.key == "restrictedBound" }
    report.details.append(("restrictedBound", restrictedBound.map(JSONValue.number) ?? .null))
    result.report = report
    return result
  }

  /// The exact method: the approximate plan (or the user's start plan) as GLPK's first
  /// incumbent, then branch-and-cut until optimal or stopped. On small models (at most
  /// ``exactQuickWarmStartColumns`` estimated routing columns; under a time limit, at most
  /// approx's ``ApproxSolver/Options/branchAndCutColumns``) the warm start skips the
  /// neighbourhood search and gets at most a quarter of what is left of a time limit; on
  /// larger ones it gets all of it and improves until the search stalls or the limit ends,
  /// and the branch and cut runs only with at least ``autoExactMinimumSeconds`` left
  /// (otherwise the warm start is the answer, with an `exactNotRun` detail). Without a
  /// limit it gets a tenth of the search's budget.
  static func exact(_ index: ProblemIndex, _ options: PlannerOptions, control: SolveControl, start: StartPlan)
    throws(SolverError) -> PlanningResult
  {
    var exact = ExactSolver.Options(relativeGap: options.relativeGap)
    exact.maximumNonzeros = options.maximumNonzeros
    /// The approximate plan as the exact method's answer, saying why the branch and cut
    /// did not run (`exactNotRun`).
    func answered(by approximate: PlanningResult, notRun reason: String) -> PlanningResult {
      var result = approximate
      result.report.method = PlanningMethod.exact.rawValue
      result.report.details.append(("exactNotRun", .string(reason)))
      return result
    }
    do {
      try ExactSolver(options: exact).checkSize(index)
    } catch .tooLarge(let reason) {
      // Certainly too large for the branch and cut (found without building the model):
      // the warm start is then the whole answer, so it runs as the approx method would,
      // with all of the time and effort.
      guard start.matrix == nil, options.warmStart else { throw .tooLarge(reason: reason) }
      let approximate = try approx(
        index, options, method: .approx, control: control, start: start,
        effort: control.deadline != nil ? .anytime : .standard)
      return answered(by: approximate, notRun: "model too large: \(reason)")
    }
    var startMatrix = start.matrix
    var warm: PlanningResult? = nil
    var warmNote = start.matrix != nil ? "start plan" : "none"
    // On small models GLPK's own heuristic and search find better plans sooner than the
    // neighbourhood search, so the warm start stops before that search; on larger ones the
    // search's plan is what a time-limited solve returns, so it runs and gets most of a time
    // limit, improving until its share ends (without a limit: a tenth of its budget). At
    // 10 × 20 × 200 the branch and cut found nothing in 16 s that the search would not
    // have, and with a budgeted warm start a 40 s limit ended 1 % above approx's plan.
    // Under a time limit "small" ends where approx's own branch-and-cut step does: at
    // 5 × 8 × 40 (about 9 800 columns) the quick warm start and GLPK's search stayed at
    // 8 385 from 2 s to 40 s, while the search reached 8 247. Above it the search gets the
    // whole limit and the branch and cut only what the search leaves (it stops early when
    // it stalls): with 75 % for the search the branch and cut never improved its plan at
    // 5 × 8 × 40 or 10 × 20 × 200 (2–40 s), and the plans ended up to 14 % worse than the
    // approx method's with the same limit (10 × 20 × 200, 2 s: 36 106 against 31 716).
    let quickUpTo =
      control.deadline != nil ? timeLimitedQuickColumns : exactQuickWarmStartColumns
    let small = estimatedColumns(index) <= quickUpTo
    if startMatrix == nil, options.warmStart, !control.isStopRequested {
      let fraction = small ? 0.25 : 1
      let share = control.remainingSeconds.map { control.limited(toSeconds: fraction * $0) } ?? control
      let effort: ApproxEffort = small ? .quick : (control.deadline != nil ? .anytime : .warmStart)
      do {
        let w = try approx(index, options, method: .approx, control: share, start: start, effort: effort)
        warm = w
        if w.matrix != nil, w.status != .infeasible, w.metrics?.feasible == true {
          startMatrix = w.matrix
          warmNote = "approx"
        }
      } catch {
        warmNote = "none (approx failed: \(error))"
      }
    }
    exact.startPlan = startMatrix
    exact.control = control
    var result: PlanningResult
    if let w = warm, warmNote == "approx", !small, let left = control.remainingSeconds,
      left < autoExactMinimumSeconds
    {
      // Building the branch and cut's model is one step no limit interrupts (about half a
      // second at 10 × 20 × 200): with less time left it would only overrun the limit.
      result = answered(
        by: w,
        notRun: "time limit: the approximate search used it (the branch and cut needs at least "
          + "\(describeSeconds(autoExactMinimumSeconds)), \(describeSeconds(max(0, left))) were left)")
      result.report.details.append(("warmStart", .string(warmNote)))
      return result
    }
    do {
      result = try ExactSolver(options: exact).solve(index)
    } catch .tooLarge(let reason) {
      // Refused once its reduced model or Benders master was built: the warm start's plan
      // and bound are the answer. Without one, the refusal is.
      guard let w = warm, warmNote == "approx" else { throw .tooLarge(reason: reason) }
      result = answered(by: w, notRun: "model too large: \(reason)")
    }
    // The approximate relaxation's bound is a bound on the full model too.
    if let w = warm, let wb = w.report.bound, result.status != .infeasible {
      result = strengthened(result, bound: wb)
    }
    result.report.details.append(("warmStart", .string(warmNote)))
    // The plan may depend on the seed through the warm start.
    if warmNote == "approx" { result.report.seed = options.seed }
    if let w = warm, let o = w.objective { result.report.details.append(("warmStartObjective", .number(o))) }
    if let approxStatistics = warm?.statistics.approx { result.statistics.approx = approxStatistics }
    return result
  }

  /// How much improvement the approximate pipeline buys.
  enum ApproxEffort {
    /// The default, deterministic budget.
    case standard
    /// No budget: improve until the deadline.
    case anytime
    /// A tenth of the default budget, for the exact method's warm start on larger models.
    case warmStart
    /// No neighbourhood search, for the exact method's warm start on small models.
    case quick
  }

  /// `result` with its bound raised to `bound` when that is better, and proven optimal
  /// when the plan meets it.
  static func strengthened(_ result: PlanningResult, bound: Double) -> PlanningResult {
    var result = result
    var report = result.report
    if let current = report.bound, current >= bound { return result }
    report.bound = report.objective.map { min(bound, $0) } ?? bound
    if let o = report.objective, o - bound <= Tolerance.optimalityGap * max(1, abs(o)) {
      report.status = .optimal
      report.termination = .optimal
    }
    report.updateDerived()
    result.report = report
    return result
  }

  /// The `auto` method; see ``PlanningMethod/auto``.
  static func auto(_ index: ProblemIndex, _ options: PlannerOptions, control: SolveControl, start: StartPlan)
    throws(SolverError) -> PlanningResult
  {
    let budget = control.remainingSeconds
    let columns = estimatedColumns(index)
    // The approximate plan first: it is the warm start. Under a time limit it gets 80 %
    // of it when exact may run after it, and all of it when exact cannot (a large model,
    // or a fifth of the limit below what exact needs), rather than leave time unused.
    // Above approx's own branch-and-cut size it gets all of it too, and exact runs only if
    // the search stops early (see ``exact(_:_:control:start:)``: the branch and cut after
    // the search never improved its plan there, and at 10 × 20 × 200 with 40 s the 80/20
    // split ended at 30 034 against approx's 29 912).
    let searchFirst = budget != nil && columns > timeLimitedQuickColumns
    let exactMayRun =
      columns <= autoExactColumnLimit && !searchFirst
      && (budget.map { 0.2 * $0 >= autoExactMinimumSeconds } ?? true)
    let approxControl = budget.map { control.limited(toSeconds: (exactMayRun ? 0.8 : 1) * $0) } ?? control
    // Under a time limit it improves until its share ends, as the approx method does (with
    // the default budget, a 2 s limit at 4 × 6 × 25 ended inside the budgeted steps with a
    // plan 50 % worse than the approx method's).
    let approxResult = try approx(
      index, options, method: .approx, control: approxControl, start: start,
      effort: control.deadline != nil ? .anytime : .standard)
    var choice = "approx"
    var reason: String
    var exactResult: PlanningResult? = nil
    if approxResult.status == .infeasible {
      reason = "the relaxation is infeasible, so no plan exists; exact not needed"
    } else if approxResult.status == .optimal {
      reason = "approx's plan meets its lower bound (proven optimal); exact not needed"
    } else if columns > autoExactColumnLimit {
      reason =
        "the model is large (about \(columns) routing columns > \(autoExactColumnLimit)): "
        + "exact would not prove it quickly"
    } else if control.stopReason() == .interrupted {
      reason = "interrupted before exact could run"
    } else if searchFirst, control.stopReason() != nil {
      reason =
        "the model is not small (about \(columns) routing columns > \(timeLimitedQuickColumns)): "
        + "under a time limit approx's search had all of it"
    } else if !exactMayRun, !searchFirst, let budget {
      reason =
        "a fifth of the \(describeSeconds(budget)) limit is under the \(describeSeconds(autoExactMinimumSeconds)) "
        + "exact needs: approx had all of it"
    } else if control.stopReason() != nil {
      reason = "no time left for exact"
    } else if let left = control.remainingSeconds, left < autoExactMinimumSeconds {
      // Building the exact model is one step no limit interrupts (about half a second at
      // 10 registries × 200 images): with less time left it would only overrun the limit.
      reason = "only \(describeSeconds(left)) left (exact needs at least \(describeSeconds(autoExactMinimumSeconds)))"
    } else {
      let cap = budget.map { max(options.autoExactSeconds, 0.2 * $0) } ?? options.autoExactSeconds
      let seconds = min(control.remainingSeconds ?? cap, cap)
      var exact = ExactSolver.Options(relativeGap: options.relativeGap)
      exact.startPlan = approxResult.matrix ?? start.matrix
      exact.control = control.limited(toSeconds: seconds)
      exact.maximumNonzeros = options.maximumNonzeros
      let limit = describeSeconds(seconds)
      do {
        let e = try ExactSolver(options: exact).solve(index)
        exactResult = e
        if e.status == .optimal {
          choice = "exact"
          reason =
            "the model is small (about \(columns) routing columns): exact, warm-started from approx, "
            + "proved the optimum within its \(limit) limit"
        } else if let eo = e.objective, eo < (approxResult.objective ?? .infinity) {
          choice = "exact"
          reason =
            "the model is small (about \(columns) routing columns): exact, warm-started from approx, "
            + "improved the plan but did not prove it within \(limit)"
        } else {
          reason =
            "the model is small (about \(columns) routing columns) but exact did not improve approx's plan "
            + "within \(limit)"
        }
      } catch .tooLarge(let why) {
        reason = "exact could not run (model too large: \(why)); approx's plan stands"
      }
    }
    // The better plan, the better bound (both bound the full model).
    var result = approxResult
    if let e = exactResult, choice == "exact" { result = e }
    if let otherBound = (choice == "exact" ? approxResult : exactResult)?.report.bound,
      result.status != .infeasible
    {
      result = strengthened(result, bound: otherBound)
    }
    var report = result.report
    report.method = PlanningMethod.auto.rawValue
    report.seed = options.seed
    if report.status == .optimal {
      report.termination = .optimal
    } else if choice == "exact", result.termination == .gapLimit {
      report.termination = .gapLimit
    } else if report.status != .infeasible {
      report.termination = control.stopReason() ?? (result.matrix == nil ? report.termination : .completed)
    }
    report.details = [("autoChoice", .string(choice)), ("autoReason", .string(reason))] + report.details
    if let e = exactResult { report.details.append(("exactTermination", .string(e.termination.rawValue))) }
    result.report = report
    result.statistics = SolveStatistics(
      exact: exactResult?.statistics.exact, approx: approxResult.statistics.approx)
    return result
  }

  /// `auto` tries the exact solver only with at least this many seconds left (default 2).
  public static let autoExactMinimumSeconds = 2.0

  /// Up to this many estimated routing columns the exact method's warm start skips the
  /// neighbourhood search (see ``exact(_:_:control:start:)``).
  static let exactQuickWarmStartColumns = 40_000

  /// Under a time limit, up to this many estimated routing columns (where approx's own
  /// branch-and-cut step ends) the exact method's warm start is the quick one; above it
  /// `exact` and `auto` give the search the whole limit.
  static let timeLimitedQuickColumns = ApproxSolver.Options().branchAndCutColumns

  /// Above this many estimated routing columns `auto` does not try the exact solver.
  public static let autoExactColumnLimit = 100_000

  /// A cheap estimate of the exact model's routing columns: for every demanded (node,
  /// layer) pair, two per link of the node (layer and file level) plus the origin.
  static func estimatedColumns(_ index: ProblemIndex) -> Int {
    var total = 0
    for l in 0..<index.layerCount {
      for k in index.layerDemand.range(l) {
        total += 2 * index.nodeLinks.range(Int(index.layerDemand.values[k])).count + 1
      }
    }
    return total
  }

  /// Seconds for a reason text: `5.0 s`, `12 s`, `unlimited`.
  static func describeSeconds(_ s: Double) -> String {
    guard s.isFinite, s < 1e15 else { return "unlimited" }
    return s >= 10 ? "\(Int(s.rounded())) s" : "\((s * 100).rounded() / 100) s"
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
    // Candidates from the lean model (every source of a pair without an origin link is kept
    // there): building the compact model here cost minutes and a gigabyte at fleet scale.
    var state = PlanState(index: index)
    Repair.serveStranded(&state, candidates: Candidates(RelaxationModel(index)))
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
      method: method, status: feasible ? .feasible : .infeasible, termination: .completed,
      objective: feasible ? metrics.totalLatencySeconds : nil,
      bound: nil, seconds: watch.seconds,
      details: feasible
        ? []
        : [("note", .string("this method's plan is infeasible: \(metrics.violations.first.map { "\($0)" } ?? "")"))])
    return PlanningResult(index: index, matrix: matrix, metrics: metrics, report: report)
  }
}
