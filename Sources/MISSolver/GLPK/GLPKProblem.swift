// The one place in the package that touches GLPK's C API.
//
// Safety model (see also Sources/CGLPKShim/include/cglpk_shim.h):
//  * Thread affinity: GLPK keeps its environment per thread. Every glp_prob
//    lives inside one synchronous call of `GLPKProblem.with`, created, used and
//    deleted on the same thread with no suspension point in between.
//  * Bad arguments: the model is validated and canonicalised in Swift
//    (`LinearModel.canonicalized()`, `Int32(exactly:)` on every size) so GLPK
//    never sees an index or value it would reject.
//  * Internal errors (failed assertions, exhausted memory): every GLPK call
//    that does real work goes through a CGLPKShim wrapper that runs it under
//    setjmp with glp_error_hook installed; GLPK's abort() becomes
//    `SolverError.glpkInternalError`. The wrapper then calls glp_free_env(),
//    which frees every GLPK object of the thread, so the problem is marked
//    dead and not deleted again. Re-entrant solves on one thread (from a
//    progress callback) are refused, so no other problem can be lost.
//  * Output: terminal output is off and captured (for error messages),
//    msg_lev is GLP_MSG_OFF in every parameter block; glp_free_env is never
//    called on success paths.

internal import CGLPK
internal import CGLPKShim

/// Owner of one `glp_prob` for the duration of ``with(_:)``.
struct GLPKProblem: ~Copyable {
  fileprivate let handle: OpaquePointer
  /// `false` once a GLPK internal error has freed the thread's environment.
  fileprivate var alive = true

  private init(handle: OpaquePointer) { self.handle = handle }

  /// Creates a problem, runs `body`, deletes the problem on every path.
  ///
  /// - Throws: ``SolverError/reentrantCall`` if this thread is already inside
  ///   `with` (a callback started a solve), or whatever `body` throws.
  static func with<R>(
    _ body: (inout GLPKProblem) throws(SolverError) -> R
  ) throws(SolverError) -> R {
    guard mis_glpk_enter() != 0 else { throw .reentrantCall }
    defer { mis_glpk_leave() }
    mis_glpk_quiet()
    guard let handle = glp_create_prob() else {
      throw .glpkFailure(code: -1, context: "glp_create_prob returned NULL")
    }
    var problem = GLPKProblem(handle: handle)
    defer { if problem.alive { glp_delete_prob(handle) } }
    return try body(&problem)
  }

  /// Turns a shim's `aborted` flag into an error, marking the problem dead.
  fileprivate mutating func check(_ aborted: Int32) throws(SolverError) {
    guard aborted != 0 else { return }
    alive = false
    throw .glpkInternalError(message: Self.capturedMessage())
  }

  /// GLPK's most recent (suppressed) terminal output, trimmed.
  static func capturedMessage() -> String {
    let text = String(cString: mis_glpk_message())
    let trimmed = text.split(whereSeparator: \.isNewline).joined(separator: " | ")
    return trimmed.isEmpty ? "(no message)" : trimmed
  }

  /// Test support: makes GLPK raise an internal error (duplicate matrix
  /// indices, which would abort the process without the guard) inside a
  /// guarded call, to prove that it surfaces as
  /// ``SolverError/glpkInternalError(message:)`` and the thread stays usable.
  static func provokeInternalError() throws(SolverError) {
    try with { (problem) throws(SolverError) in
      var aborted: Int32 = 0
      mis_glpk_load(
        problem.handle, 1, [0, GLP_FR], [0, 0], [0, 0], [0, 0], [0, GLP_CV], 0,
        1, [0, GLP_FR], [0, 0], [0, 0], 2, [0, 1, 1], [0, 1, 1], [0, 1, 1], nil, nil, &aborted)
      try problem.check(aborted)
    }
  }

  // MARK: Loading

  /// Loads a canonical model. Integer columns get GLP_IV and bounds rounded
  /// inward when `integer` is true (callers check the rounded domain is not
  /// empty); names are set only when `names` is given.
  mutating func load(
    _ model: LinearModel, integer: Bool,
    names: (columns: [String], rows: [String])? = nil
  ) throws(SolverError) {
    guard let n = Int32(exactly: model.columns.count),
      let m = Int32(exactly: model.rows.count),
      let ne = Int32(exactly: model.nonzeroCount),
      ne < Int32.max
    else {
      throw .tooLarge(reason: "model sizes do not fit GLPK's 32-bit indices")
    }
    var colType = [Int32](repeating: 0, count: Int(n) + 1)
    var colLower = [Double](repeating: 0, count: Int(n) + 1)
    var colUpper = [Double](repeating: 0, count: Int(n) + 1)
    var colObjective = [Double](repeating: 0, count: Int(n) + 1)
    var colKind = [Int32](repeating: GLP_CV, count: Int(n) + 1)
    for (j, column) in model.columns.enumerated() {
      var lower = column.lowerBound
      var upper = column.upperBound
      if integer && column.isInteger {
        colKind[j + 1] = GLP_IV
        (lower, upper) = column.integerBounds
      }
      (colType[j + 1], colLower[j + 1], colUpper[j + 1]) = Self.boundType(lower, upper)
      colObjective[j + 1] = column.objective
    }
    var rowType = [Int32](repeating: 0, count: Int(m) + 1)
    var rowLower = [Double](repeating: 0, count: Int(m) + 1)
    var rowUpper = [Double](repeating: 0, count: Int(m) + 1)
    var ia = [Int32](repeating: 0, count: Int(ne) + 1)
    var ja = [Int32](repeating: 0, count: Int(ne) + 1)
    var ar = [Double](repeating: 0, count: Int(ne) + 1)
    var k = 1
    for (i, row) in model.rows.enumerated() {
      (rowType[i + 1], rowLower[i + 1], rowUpper[i + 1]) = Self.boundType(
        row.lowerBound, row.upperBound)
      // i + 1 ≤ m fits Int32 (checked above); indices were validated.
      let rowIndex = Int32(truncatingIfNeeded: i + 1)
      for t in row.columnIndices.indices {
        ia[k] = rowIndex
        ja[k] = row.columnIndices[t] + 1
        ar[k] = row.coefficients[t]
        k += 1
      }
    }
    var aborted: Int32 = 0
    if let names {
      // GLPK wants name[j] at index j (1-based); entry 0 is unused.
      let columnNames = CStringTable([""] + names.columns)
      let rowNames = CStringTable([""] + names.rows)
      columnNames.withPointers { columnPointers in
        rowNames.withPointers { rowPointers in
          mis_glpk_load(
            handle, n, colType, colLower, colUpper, colObjective, colKind,
            model.objectiveConstant, m, rowType, rowLower, rowUpper, ne, ia, ja, ar,
            columnPointers, rowPointers, &aborted)
        }
      }
    } else {
      mis_glpk_load(
        handle, n, colType, colLower, colUpper, colObjective, colKind,
        model.objectiveConstant, m, rowType, rowLower, rowUpper, ne, ia, ja, ar,
        nil, nil, &aborted)
    }
    try check(aborted)
  }

  /// GLPK bound type and the two bound values for `lower ≤ x ≤ upper`.
  private static func boundType(_ lower: Double, _ upper: Double) -> (Int32, Double, Double) {
    switch (lower == -.infinity, upper == .infinity) {
    case (true, true): return (GLP_FR, 0, 0)
    case (true, false): return (GLP_UP, 0, upper)
    case (false, true): return (GLP_LO, lower, 0)
    case (false, false): return (lower == upper ? GLP_FX : GLP_DB, lower, upper)
    }
  }

  // MARK: LP

  /// How an LP solve ended.
  enum LPResult {
    case optimal, infeasible, unbounded, limit
    /// `shouldStop` returned `true` between two slices.
    case stopped
  }

  /// Simplex with the LP presolver; on numerical trouble or an ambiguous
  /// presolver answer, dual simplex from an advanced basis without presolve;
  /// on numerical failure again, exact (rational) simplex. On `.optimal` the
  /// basis is optimal (as glp_intopt without presolve requires).
  ///
  /// With `shouldStop`, GLPK's simplex (which has no callback) runs without the presolver
  /// in slices of `sliceIterations` simplex iterations (and at most until the deadline),
  /// each continuing from the basis the previous one left, and `shouldStop` is polled
  /// between slices: a stop then takes effect within about one slice instead of when the LP
  /// ends. Slices of iterations, not of time: the pivot sequence, hence the optimal vertex
  /// returned and everything a MIP builds on it, does not depend on the machine's speed or
  /// load (time slices made the improvement step's plans vary from run to run).
  mutating func simplex(
    deadline: Deadline, shouldStop: (() -> Bool)? = nil, sliceIterations: Int32 = 2_000
  ) throws(SolverError) -> LPResult {
    var parm = glp_smcp()
    glp_init_smcp(&parm)
    parm.msg_lev = GLP_MSG_OFF
    if let shouldStop {
      parm.presolve = GLP_OFF
      parm.meth = GLP_DUALP
      // What the presolver would do for us: start from an advanced basis (the caller has
      // scaled the problem, see ``scale()``).
      var aborted: Int32 = 0
      mis_glpk_adv_basis(handle, &aborted)
      try check(aborted)
      while true {
        if shouldStop() { return .stopped }
        guard let left = deadline.remainingMilliseconds() else { return .limit }
        parm.tm_lim = left
        parm.it_lim = sliceIterations
        let rc = mis_glpk_simplex(handle, &parm, &aborted)
        try check(aborted)
        if rc == GLP_ETMLIM { continue }
        if rc == 0, let result = classifyBasic() { return result }
        if rc == GLP_EITLIM { continue }
        break  // numerical trouble: the fallbacks below
      }
      return try simplexFallbacks(deadline: deadline, parm: &parm, firstCode: 0)
    }
    parm.presolve = GLP_ON
    // Dual simplex first: on the MIS relaxation it is about twice as fast as the primal
    // (paper scale 5×10×50: 13 s against 28 s with glpsol on this machine).
    parm.meth = GLP_DUALP
    guard let first = deadline.remainingMilliseconds() else { return .limit }
    parm.tm_lim = first
    var aborted: Int32 = 0
    let rc = mis_glpk_simplex(handle, &parm, &aborted)
    try check(aborted)
    switch rc {
    case 0:
      if let result = classifyBasic() { return result }
    case GLP_ENOPFS: return .infeasible
    case GLP_ETMLIM, GLP_EITLIM: return .limit
    default: break  // GLP_ENODFS (infeasible or unbounded?), GLP_EFAIL, ...
    }

    return try simplexFallbacks(deadline: deadline, parm: &parm, firstCode: rc)
  }

  /// The second and third attempts of ``simplex(deadline:shouldStop:)``.
  private mutating func simplexFallbacks(
    deadline: Deadline, parm: inout glp_smcp, firstCode: Int32
  ) throws(SolverError) -> LPResult {
    var aborted: Int32 = 0
    // Second attempt: no presolve, advanced basis, dual then primal.
    mis_glpk_adv_basis(handle, &aborted)
    try check(aborted)
    parm.presolve = GLP_OFF
    parm.meth = GLP_DUALP
    guard let second = deadline.remainingMilliseconds() else { return .limit }
    parm.tm_lim = second
    let rc2 = mis_glpk_simplex(handle, &parm, &aborted)
    try check(aborted)
    switch rc2 {
    case 0:
      if let result = classifyBasic() { return result }
      throw .glpkFailure(
        code: 0, context: "glp_simplex ended with status \(glp_get_status(handle))")
    case GLP_ETMLIM, GLP_EITLIM: return .limit
    case GLP_ESING, GLP_ECOND, GLP_EFAIL, GLP_EBADB: break
    default:
      throw .glpkFailure(code: Int(rc2), context: "glp_simplex without presolve")
    }

    // Last resort: exact arithmetic from a fresh advanced basis.
    mis_glpk_adv_basis(handle, &aborted)
    try check(aborted)
    guard let third = deadline.remainingMilliseconds() else { return .limit }
    parm.tm_lim = third
    let rc3 = mis_glpk_exact(handle, &parm, &aborted)
    try check(aborted)
    switch rc3 {
    case 0:
      if let result = classifyBasic() { return result }
      throw .glpkFailure(code: 0, context: "glp_exact ended with status \(glp_get_status(handle))")
    case GLP_ETMLIM, GLP_EITLIM: return .limit
    default:
      throw .glpkFailure(
        code: Int(rc3),
        context: "glp_exact after simplex failed with \(rc2): \(Self.capturedMessage())")
    }
  }

  /// Reads the basic solution's status after a successful simplex call.
  private func classifyBasic() -> LPResult? {
    let status = glp_get_status(handle)
    if status == GLP_OPT { return .optimal }
    if status == GLP_NOFEAS || glp_get_prim_stat(handle) == GLP_NOFEAS { return .infeasible }
    if status == GLP_UNBND
      || (glp_get_prim_stat(handle) == GLP_FEAS && glp_get_dual_stat(handle) == GLP_NOFEAS)
    {
      return .unbounded
    }
    return nil
  }

  /// Interior point; `nil` when it cannot conclude (the caller then uses the
  /// simplex), which includes GLPK refusing empty problems.
  mutating func interior() throws(SolverError) -> LPResult? {
    guard glp_get_num_rows(handle) > 0, glp_get_num_cols(handle) > 0 else { return nil }
    var parm = glp_iptcp()
    glp_init_iptcp(&parm)
    parm.msg_lev = GLP_MSG_OFF
    var aborted: Int32 = 0
    let rc = mis_glpk_interior(handle, &parm, &aborted)
    try check(aborted)
    switch rc {
    case 0:
      // GLP_NOFEAS from glp_ipt_status does not tell an infeasible from an
      // unbounded problem (checked: an unbounded LP reports it), so only an
      // optimum is trusted.
      return glp_ipt_status(handle) == GLP_OPT ? .optimal : nil
    case GLP_EITLIM: return .limit
    default: return nil  // GLP_ENOFEAS (infeasible or unbounded), ENOCVG, EINSTAB, EFAIL
    }
  }

  /// Primal values, objective and row duals of the basic (`interior` false)
  /// or interior-point solution.
  func lpSolution(interior: Bool) -> (values: [Double], objective: Double, duals: [Double]) {
    let n = glp_get_num_cols(handle)
    let m = glp_get_num_rows(handle)
    if interior {
      return (
        (0..<n).map { glp_ipt_col_prim(handle, $0 + 1) }, glp_ipt_obj_val(handle),
        (0..<m).map { glp_ipt_row_dual(handle, $0 + 1) }
      )
    }
    return (
      (0..<n).map { glp_get_col_prim(handle, $0 + 1) }, glp_get_obj_val(handle),
      (0..<m).map { glp_get_row_dual(handle, $0 + 1) }
    )
  }

  // MARK: MIP

  /// `glp_intopt`'s parameters for `options`: output off, presolve, the time left, gap,
  /// cut families and heuristics. `nil` when the time is already up.
  private static func intoptParameters(_ options: MIPOptions, presolve: Bool, deadline: Deadline) -> glp_iocp? {
    var parm = glp_iocp()
    glp_init_iocp(&parm)
    parm.msg_lev = GLP_MSG_OFF
    parm.presolve = presolve ? GLP_ON : GLP_OFF
    guard let remaining = deadline.remainingMilliseconds() else { return nil }
    parm.tm_lim = remaining
    if let gap = options.relativeGap { parm.mip_gap = gap }
    parm.gmi_cuts = options.cuts.gomory ? GLP_ON : GLP_OFF
    parm.mir_cuts = options.cuts.mir ? GLP_ON : GLP_OFF
    parm.cov_cuts = options.cuts.cover ? GLP_ON : GLP_OFF
    parm.clq_cuts = options.cuts.clique ? GLP_ON : GLP_OFF
    parm.fp_heur = options.heuristics.feasibilityPump ? GLP_ON : GLP_OFF
    parm.ps_heur = options.heuristics.proximitySearch ? GLP_ON : GLP_OFF
    parm.ps_tm_lim = min(parm.ps_tm_lim, remaining)
    return parm
  }

  /// Runs glp_intopt. `presolve` false requires an optimal basis (see
  /// ``simplex(deadline:)``). Returns the table's inputs and the raw code.
  mutating func intopt(
    options: MIPOptions, presolve: Bool, deadline: Deadline,
    startVector: [Double]?, state: MIPCallbackState
  ) throws(SolverError) -> (IntoptReturn, MIPSolutionStatus, Int32)? {
    guard var parm = Self.intoptParameters(options, presolve: presolve, deadline: deadline) else { return nil }

    let onEvent: mis_glpk_event_fn = { context, event in
      guard let context, let event else { return 0 }
      let state = Unmanaged<MIPCallbackState>.fromOpaque(context).takeUnretainedValue()
      return state.handle(MIPCallbackState.Event(event.pointee)) ? 1 : 0
    }
    var aborted: Int32 = 0
    let rc: Int32 = withExtendedLifetime(state) {
      // The vector (1-based) must stay alive for the whole glp_intopt call:
      // the pointer is taken inside this closure and used only within it.
      let start: [Double]? = startVector.map { [0] + $0 }
      return Self.withOptionalPointer(start) { startPointer in
        var callback = mis_glpk_callback(
          fn: onEvent, context: Unmanaged.passUnretained(state).toOpaque(),
          incumbent: startPointer, incumbent_state: 0)
        let rc = mis_glpk_intopt(handle, &parm, &callback, &aborted)
        state.incumbentState = callback.incumbent_state
        return rc
      }
    }
    try check(aborted)
    return (Self.intoptReturn(rc), Self.mipStatus(glp_mip_status(handle)), rc)
  }

  /// Simplex iterations spent on this problem so far (`glp_get_it_cnt`).
  var iterationCount: Int { Int(glp_get_it_cnt(handle)) }

  /// Column values and objective of the MIP solution.
  func mipSolution() -> (values: [Double], objective: Double) {
    let n = glp_get_num_cols(handle)
    return ((0..<n).map { glp_mip_col_val(handle, $0 + 1) }, glp_mip_obj_val(handle))
  }

  private static func withOptionalPointer<R>(
    _ array: [Double]?, _ body: (UnsafePointer<Double>?) -> R
  ) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
  }

  static func intoptReturn(_ code: Int32) -> IntoptReturn {
    switch code {
    case 0: return .success
    case GLP_EBOUND: return .badBounds
    case GLP_EROOT: return .noRootBasis
    case GLP_ENOPFS: return .noPrimalFeasible
    case GLP_ENODFS: return .noDualFeasible
    case GLP_EFAIL: return .solverFailed
    case GLP_EMIPGAP: return .gapReached
    case GLP_ETMLIM: return .timeLimit
    case GLP_ESTOP: return .stopped
    default: return .other
    }
  }

  static func mipStatus(_ status: Int32) -> MIPSolutionStatus {
    switch status {
    case GLP_OPT: return .optimal
    case GLP_FEAS: return .feasible
    case GLP_NOFEAS: return .noFeasible
    default: return .undefined
    }
  }

  // MARK: Files

  /// Writes the loaded problem; GLPK's own message explains failures.
  mutating func write(format: LinearModelFileFormat, to path: String) throws(SolverError) {
    glp_set_obj_name(handle, LinearModel.objectiveName)
    var aborted: Int32 = 0
    let rc = path.withCString { cPath in
      switch format {
      case .mps: return mis_glpk_write_mps(handle, cPath, &aborted)
      case .lp: return mis_glpk_write_lp(handle, cPath, &aborted)
      }
    }
    try check(aborted)
    if rc != 0 { throw .ioFailure(path: path, message: Self.capturedMessage()) }
  }
}

/// The context of one glp_intopt call, reached from C through `cb_info`
/// (`Unmanaged`, unretained: kept alive by `withExtendedLifetime`). Used only
/// on the solving thread, never shared.
final class MIPCallbackState {
  /// The C event, in Swift terms.
  struct Event {
    enum Reason { case select, betterSolution, heuristic, other }
    var reason: Reason
    var incumbentObjective: Double?
    var bestBound: Double?
    var activeNodes: Int
    var totalNodes: Int
    var incumbentState: Int32
    var simplexIterations: Int

    fileprivate init(_ e: mis_glpk_event) {
      switch e.reason {
      case GLP_ISELECT: reason = .select
      case GLP_IBINGO: reason = .betterSolution
      case GLP_IHEUR: reason = .heuristic
      default: reason = .other
      }
      incumbentObjective = e.has_incumbent != 0 ? e.incumbent_objective : nil
      bestBound = e.has_bound != 0 ? e.best_bound : nil
      activeNodes = Int(e.active_nodes)
      totalNodes = Int(e.total_nodes)
      incumbentState = e.incumbent_state
      simplexIterations = Int(e.simplex_iterations)
    }
  }

  let progress: (@Sendable (MIPProgress) -> Void)?
  let shouldStop: (@Sendable () -> Bool)?
  let iterationLimit: Int?
  let nodeLimit: Int?
  /// Whether the stop was an effort limit: ``MIPOptions/iterationLimit`` or ``MIPOptions/nodeLimit``.
  var iterationLimitReached = false
  let interval: Double
  let deadline: Deadline
  var lastReport: Double = 0
  var bestBound: Double?
  var nodes = 0
  var stopRequested = false
  /// Whether the stop was the time limit, seen from the callback (not a cancellation).
  var deadlineReached = false
  var reportedStart = false
  var lastIncumbent: Double?
  /// 0 not offered, 1 accepted, 2 rejected (mis_glpk_callback.incumbent_state).
  var incumbentState: Int32 = 0

  init(options: MIPOptions, deadline: Deadline) {
    progress = options.progress
    shouldStop = options.shouldStop
    iterationLimit = options.iterationLimit
    nodeLimit = options.nodeLimit
    interval = options.progressIntervalSeconds
    self.deadline = deadline
  }

  /// Records the event, reports progress, returns `true` to stop the search.
  func handle(_ event: Event) -> Bool {
    nodes = event.totalNodes
    if let bound = event.bestBound { bestBound = bound }
    if let progress {
      let now = deadline.elapsedSeconds()
      // GLP_IBINGO fires only for solutions of node LPs; GLPK's own rounding
      // heuristic and glp_ios_heur_sol install incumbents silently. So a
      // better incumbent is detected by comparing objectives at every event.
      let improved =
        event.incumbentObjective.map { new in lastIncumbent.map { new < $0 } ?? true } ?? false
      var kind: MIPProgress.Event?
      if event.reason == .heuristic && event.incumbentState == 1 && !reportedStart {
        reportedStart = true
        kind = .startAccepted
      } else if improved {
        kind = .newIncumbent
      } else if event.reason == .select && now - lastReport >= interval {
        kind = .periodic
      }
      if improved { lastIncumbent = event.incumbentObjective }
      if let kind {
        lastReport = now
        progress(
          MIPProgress(
            event: kind, incumbentObjective: event.incumbentObjective,
            bestBound: event.bestBound, nodes: event.totalNodes,
            activeNodes: event.activeNodes, elapsedSeconds: now))
      }
    }
    if Task.isCancelled || shouldStop?() == true { stopRequested = true }
    let effortSpent =
      iterationLimit.map { event.simplexIterations >= $0 } == true || nodeLimit.map { event.totalNodes >= $0 } == true
    if !stopRequested, effortSpent {
      stopRequested = true
      iterationLimitReached = true
    }
    // GLPK checks tm_lim only between its own phases; checking here too stops a
    // branch-and-cut that is past the deadline at the next event (Docs/robustness.md).
    if !stopRequested, deadline.limitSeconds != nil, deadline.remainingMilliseconds() == nil {
      stopRequested = true
      deadlineReached = true
    }
    return stopRequested
  }
}

/// A start instant and an optional limit.
struct Deadline {
  let clock = ContinuousClock()
  let start: ContinuousClock.Instant
  let limitSeconds: Double?

  init(limitSeconds: Double?) {
    start = clock.now
    self.limitSeconds = limitSeconds
  }

  func elapsedSeconds() -> Double {
    let d = clock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }

  /// GLPK's `tm_lim` for what is left: `Int32.max` (GLPK's "no limit") without
  /// a limit, at least 1 ms, or `nil` when the time is already up.
  func remainingMilliseconds() -> Int32? {
    guard let limitSeconds else { return Int32.max }
    let left = (limitSeconds - elapsedSeconds()) * 1000
    guard left >= 1 else { return nil }
    return left >= Double(Int32.max) ? Int32.max : Int32(left)
  }
}

/// NUL-terminated copies of strings in one buffer, with a pointer table.
private struct CStringTable {
  private var storage: [CChar] = []
  private var offsets: [Int] = []

  init(_ strings: [String]) {
    for s in strings {
      offsets.append(storage.count)
      storage.append(contentsOf: s.utf8CString)
    }
  }

  /// Calls `body` with a pointer to `strings.count` C-string pointers.
  func withPointers<R>(
    _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) -> R
  ) -> R {
    let offsets = self.offsets
    return storage.withUnsafeBufferPointer { buffer in
      var pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
        buffer.baseAddress.map { $0 + offset }
      }
      return pointers.withUnsafeMutableBufferPointer { table in
        // `offsets` is never empty here (callers pass at least one string),
        // so the table has a base address.
        guard let base = table.baseAddress else {
          var none: UnsafePointer<CChar>? = nil
          return body(&none)
        }
        return body(base)
      }
    }
  }
}

// MARK: - Branch and cut with application rows (Benders, see GLPKBranchAndCut.swift)

extension GLPKProblem {
  /// Appends `rows` (canonical: increasing in-range indices, finite values) to the loaded
  /// problem outside a search, e.g. the cuts of a root separation loop.
  mutating func addRows(_ rows: [LinearModel.Row]) throws(SolverError) {
    guard !rows.isEmpty else { return }
    let buffer = GLPKRowBuffer()
    let n = Int(glp_get_num_cols(handle))
    buffer.fill(rows, columnCount: n)
    var aborted: Int32 = 0
    buffer.withRows { rows in _ = mis_glpk_add_rows(handle, &rows, &aborted) }
    try check(aborted)
  }

  /// Scales rows and columns; GLPK reports unscaled values.
  ///
  /// - Parameter equilibrateOnly: one pass of equilibration rounded to powers of two
  ///   (`GLP_SF_EQ | GLP_SF_2N`) instead of GLPK's automatic choice (`GLP_SF_AUTO`, iterated
  ///   geometric-mean passes first). The automatic scaling makes the simplex markedly faster
  ///   on the MIS relaxations, but its passes are one C call that no time limit interrupts
  ///   (about 0.8 s on a 10-registry, 200-image Benders master).
  mutating func scale(equilibrateOnly: Bool = false) throws(SolverError) {
    var aborted: Int32 = 0
    mis_glpk_scale(handle, equilibrateOnly ? 1 : 0, &aborted)
    try check(aborted)
  }

  /// Re-optimises after rows were added, warm-started from the current basis with the dual
  /// simplex (new rows keep the basis dual feasible); falls back to ``simplex(deadline:)``.
  mutating func reoptimize(deadline: Deadline) throws(SolverError) -> LPResult {
    var parm = glp_smcp()
    glp_init_smcp(&parm)
    parm.msg_lev = GLP_MSG_OFF
    parm.presolve = GLP_OFF
    parm.meth = GLP_DUALP
    guard let remaining = deadline.remainingMilliseconds() else { return .limit }
    parm.tm_lim = remaining
    var aborted: Int32 = 0
    let rc = mis_glpk_simplex(handle, &parm, &aborted)
    try check(aborted)
    switch rc {
    case 0: if let result = classifyBasic() { return result }
    case GLP_ETMLIM, GLP_EITLIM: return .limit
    default: break
    }
    return try simplex(deadline: deadline)
  }

  /// The current basic solution: column values and objective.
  func basicSolution() -> (values: [Double], objective: Double) {
    let n = glp_get_num_cols(handle)
    return ((0..<n).map { glp_get_col_prim(handle, $0 + 1) }, glp_get_obj_val(handle))
  }

  /// Number of rows currently in the problem.
  var rowCount: Int { Int(glp_get_num_rows(handle)) }

  /// Runs glp_intopt without presolve (an optimal basis must be present) with the hooks of
  /// `delegate`: rows at `GLP_IROWGEN` / `GLP_ICUTGEN`, solutions at `GLP_IHEUR`, branching
  /// priorities at `GLP_IBRANCH`. Returns the table's inputs and the raw code, or `nil`
  /// when the time is already up; `counters` receives rows added and heuristic successes.
  mutating func intoptBranchAndCut(
    options: MIPOptions, deadline: Deadline, startVector: [Double]?, state: MIPCallbackState,
    delegate: any BranchAndCutDelegate, counters: inout (rows: Int, heuristic: Int)
  ) throws(SolverError) -> (IntoptReturn, MIPSolutionStatus, Int32)? {
    guard var parm = Self.intoptParameters(options, presolve: false, deadline: deadline) else { return nil }

    let onEvent: mis_glpk_event_fn = { context, event in
      guard let context, let event else { return 0 }
      let state = Unmanaged<MIPCallbackState>.fromOpaque(context).takeUnretainedValue()
      return state.handle(MIPCallbackState.Event(event.pointee)) ? 1 : 0
    }
    let onRows: mis_glpk_rowgen_fn = { context, reason, node, level, x, n, out in
      guard let context, let x, let out else { return 0 }
      let bridge = Unmanaged<BranchAndCutBridge>.fromOpaque(context).takeUnretainedValue()
      let point = UnsafeBufferPointer(start: x + 1, count: Int(n))
      let event: BranchAndCutEvent =
        reason == GLP_IROWGEN
        ? .lazy(node: Int(node), level: Int(level)) : .cut(node: Int(node), level: Int(level))
      let rows = bridge.delegate.rows(at: point, event: event)
      guard !rows.isEmpty else { return 0 }
      bridge.buffer.fill(rows, columnCount: Int(n))
      return bridge.buffer.export(into: out)
    }
    let onHeuristic: mis_glpk_heur_fn = { context, node, x, n, solution in
      guard let context, let x, let solution else { return 0 }
      let bridge = Unmanaged<BranchAndCutBridge>.fromOpaque(context).takeUnretainedValue()
      let point = UnsafeBufferPointer(start: x + 1, count: Int(n))
      guard let values = bridge.delegate.heuristicSolution(at: point, node: Int(node)), values.count == Int(n)
      else { return 0 }
      for j in 0..<Int(n) { solution[j + 1] = values[j] }
      return 1
    }
    let n = Int(glp_get_num_cols(handle))
    let bridge = BranchAndCutBridge(delegate: delegate)
    var point = [Double](repeating: 0, count: n + 1)
    var solution = [Double](repeating: 0, count: n + 1)
    let priority: [Double]? = delegate.branchingPriority.map { [0] + $0 }
    if let priority, priority.count != n + 1 {
      throw .invalidOptions(reason: "branching priorities: \(priority.count - 1) values for \(n) columns")
    }
    var aborted: Int32 = 0
    let rc: Int32 = withExtendedLifetime((state, bridge)) {
      let start: [Double]? = startVector.map { [0] + $0 }
      return Self.withOptionalPointer(start) { startPointer in
        Self.withOptionalPointer(priority) { priorityPointer in
          point.withUnsafeMutableBufferPointer { pointBuffer in
            solution.withUnsafeMutableBufferPointer { solutionBuffer in
              var callback = mis_glpk_callback(
                fn: onEvent, context: Unmanaged.passUnretained(state).toOpaque(),
                incumbent: startPointer, incumbent_state: 0)
              var hooks = mis_glpk_bc_hooks(
                rowgen: onRows, heuristic: onHeuristic, context: Unmanaged.passUnretained(bridge).toOpaque(),
                priority: priorityPointer, point: pointBuffer.baseAddress, solution: solutionBuffer.baseAddress,
                rows_added: 0, heuristic_accepted: 0)
              let rc = mis_glpk_intopt_bc(handle, &parm, &callback, &hooks, &aborted)
              state.incumbentState = callback.incumbent_state
              counters = (Int(hooks.rows_added), Int(hooks.heuristic_accepted))
              return rc
            }
          }
        }
      }
    }
    try check(aborted)
    return (Self.intoptReturn(rc), Self.mipStatus(glp_mip_status(handle)), rc)
  }
}

/// What the C callback reaches through `cb_info`: the delegate and the buffer its rows are
/// copied into (kept alive until the next call, as the shim requires).
final class BranchAndCutBridge {
  let delegate: any BranchAndCutDelegate
  let buffer = GLPKRowBuffer()
  init(delegate: any BranchAndCutDelegate) { self.delegate = delegate }
}

/// Rows in the shim's `mis_glpk_rows` layout, in manually managed storage so the pointers
/// stay valid after the Swift callback returns (until the next fill).
final class GLPKRowBuffer {
  private var start: [Int32] = []
  private var ind: [Int32] = [0]
  private var val: [Double] = [0]
  private var type: [Int32] = []
  private var lower: [Double] = []
  private var upper: [Double] = []
  private var storage:
    (
      UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Double>,
      UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>
    )?
  private var count = 0

  deinit { release() }

  private func release() {
    guard let storage else { return }
    storage.0.deallocate()
    storage.1.deallocate()
    storage.2.deallocate()
    storage.3.deallocate()
    storage.4.deallocate()
    storage.5.deallocate()
    self.storage = nil
  }

  /// Copies `rows`, turning 0-based indices into GLPK's 1-based ones. Rows with an index
  /// out of range or a non-finite value are skipped (GLPK would abort on them); exact zero
  /// coefficients are dropped.
  func fill(_ rows: [LinearModel.Row], columnCount n: Int) {
    start = [0]
    ind = [0]
    val = [0]
    type = []
    lower = []
    upper = []
    for row in rows {
      guard row.columnIndices.count == row.coefficients.count,
        row.columnIndices.allSatisfy({ $0 >= 0 && Int($0) < n }),
        row.coefficients.allSatisfy(\.isFinite), !row.lowerBound.isNaN, !row.upperBound.isNaN,
        row.lowerBound <= row.upperBound, row.lowerBound < .infinity, row.upperBound > -.infinity
      else { continue }
      for k in row.columnIndices.indices where row.coefficients[k] != 0 {
        ind.append(row.columnIndices[k] + 1)
        val.append(row.coefficients[k])
      }
      start.append(Int32(ind.count - 1))
      let (t, lb, ub) = GLPKRowBuffer.boundType(row.lowerBound, row.upperBound)
      type.append(t)
      lower.append(lb)
      upper.append(ub)
    }
    count = type.count
    release()
    func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
      let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, array.count))
      array.withUnsafeBufferPointer { b in
        if let base = b.baseAddress { p.initialize(from: base, count: array.count) }
      }
      return p
    }
    storage = (copy(start), copy(ind), copy(val), copy(type), copy(lower), copy(upper))
  }

  /// Points `out` at the stored rows and returns their number.
  fileprivate func export(into out: UnsafeMutablePointer<mis_glpk_rows>) -> Int32 {
    guard let storage else { return 0 }
    out.pointee = mis_glpk_rows(
      count: Int32(count), start: storage.0, ind: storage.1, val: storage.2, type: storage.3, lb: storage.4,
      ub: storage.5)
    return Int32(count)
  }

  /// Calls `body` with the stored rows.
  fileprivate func withRows<R>(_ body: (inout mis_glpk_rows) -> R) -> R {
    var rows = mis_glpk_rows()
    _ = export(into: &rows)
    return body(&rows)
  }

  private static func boundType(_ lower: Double, _ upper: Double) -> (Int32, Double, Double) {
    switch (lower == -.infinity, upper == .infinity) {
    case (true, true): return (GLP_FR, 0, 0)
    case (true, false): return (GLP_UP, 0, upper)
    case (false, true): return (GLP_LO, lower, 0)
    case (false, false): return (lower == upper ? GLP_FX : GLP_DB, lower, upper)
    }
  }
}
