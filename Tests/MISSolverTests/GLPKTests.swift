import Foundation
import MISTestSupport
import Synchronization
import Testing

@testable import MISSolver

// MARK: - Fixtures

/// A tiny deterministic generator (SplitMix64) for test instances.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A 0/1 knapsack: maximise value (minimise −value) under one capacity.
struct Knapsack {
  var values: [Double]
  var weights: [Double]
  var capacity: Double

  init(seed: UInt64, items: Int) {
    var rng = SplitMix64(seed: seed)
    weights = (0..<items).map { _ in Double(Int.random(in: 10...60, using: &rng)) }
    values = weights.map { $0 + Double(Int.random(in: 0...25, using: &rng)) }
    capacity = (weights.reduce(0, +) / 2).rounded(.down)
  }

  var model: LinearModel {
    var model = LinearModel()
    for j in values.indices { model.addBinaryColumn(name: "item \(j)", objective: -values[j]) }
    model.addRow(
      name: "capacity", upperBound: capacity,
      terms: weights.indices.map { (column: $0, coefficient: weights[$0]) })
    return model
  }

  /// The optimum by enumeration (items ≤ 20).
  var bruteForceOptimum: Double {
    var best = 0.0
    for mask in 0..<(1 << values.count) {
      var w = 0.0
      var v = 0.0
      for j in values.indices where mask & (1 << j) != 0 {
        w += weights[j]
        v += values[j]
      }
      if w <= capacity { best = max(best, v) }
    }
    return -best
  }
}

/// A multi-dimensional knapsack that GLPK (no cuts) cannot close in seconds,
/// but where it finds incumbents quickly.
func hardModel(seed: UInt64 = 7, items: Int = 70, constraints: Int = 6) -> LinearModel {
  var rng = SplitMix64(seed: seed)
  var model = LinearModel()
  let weights = (0..<constraints).map { _ in
    (0..<items).map { _ in Double(Int.random(in: 100...1000, using: &rng)) }
  }
  for j in 0..<items {
    let total = weights.reduce(0) { $0 + $1[j] } / Double(constraints)
    model.addBinaryColumn(objective: -(total + Double(Int.random(in: 0...100, using: &rng))))
  }
  for i in 0..<constraints {
    model.addRow(
      upperBound: (weights[i].reduce(0, +) / 2).rounded(.down),
      terms: (0..<items).map { (column: $0, coefficient: weights[i][$0]) })
  }
  return model
}

/// A feasible but poor solution of `hardModel`: take items in order while all
/// rows stay within bounds.
func greedySolution(_ model: LinearModel) -> [Double] {
  var x = [Double](repeating: 0, count: model.columns.count)
  var load = [Double](repeating: 0, count: model.rows.count)
  for j in x.indices {
    var fits = true
    for (i, row) in model.rows.enumerated() {
      if let k = row.columnIndices.firstIndex(of: Int32(j)),
        load[i] + row.coefficients[k] > row.upperBound
      {
        fits = false
      }
    }
    guard fits else { continue }
    x[j] = 1
    for (i, row) in model.rows.enumerated() {
      if let k = row.columnIndices.firstIndex(of: Int32(j)) { load[i] += row.coefficients[k] }
    }
  }
  return x
}

func expectClose(
  _ a: Double?, _ b: Double, tolerance: Double = 1e-6,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard let a else {
    Issue.record("value is nil, expected \(b)", sourceLocation: sourceLocation)
    return
  }
  #expect(abs(a - b) <= tolerance * max(1, abs(b)), "\(a) ≠ \(b)", sourceLocation: sourceLocation)
}

/// The error thrown by `body`, if any, with its static type kept.
func thrownError<R>(_ body: () throws(SolverError) -> R) -> SolverError? {
  do {
    _ = try body()
    return nil
  } catch {
    return error
  }
}

// MARK: - Tests

@Suite("GLPK layer", .serialized)
struct GLPKTests {
  @Test("knapsack MIP reaches the enumerated optimum, with and without presolve")
  func knapsack() throws {
    for seed: UInt64 in [1, 2, 3] {
      let k = Knapsack(seed: seed, items: 14)
      let expected = k.bruteForceOptimum
      for presolve in [true, false] {
        let outcome = try GLPKSolver.solveMIP(k.model, options: MIPOptions(presolve: presolve))
        #expect(outcome.status == .optimal)
        #expect(outcome.termination == .optimal)
        expectClose(outcome.objective, expected)
        expectClose(outcome.bestBound, expected)
        let x = try #require(outcome.values)
        #expect(x.allSatisfy { $0 == 0 || $0 == 1 })
        expectClose(k.model.objectiveValue(at: x), expected)
        #expect(k.model.firstViolation(of: x, checkIntegrality: true) == nil)
      }
    }
  }

  @Test("an iteration limit stops the branch and cut at the same point on every run")
  func iterationLimit() throws {
    let k = Knapsack(seed: 2, items: 18)
    var options = MIPOptions(presolve: false)
    options.cuts = MIPOptions.Cuts()
    let free = try GLPKSolver.solveMIP(k.model, options: options)
    #expect(free.status == .optimal && free.simplexIterations > 0 && free.nodes > 1)
    // The root LP alone is at least one iteration, so 1 stops at the first event after it.
    options.iterationLimit = 1
    let first = try GLPKSolver.solveMIP(k.model, options: options)
    let again = try GLPKSolver.solveMIP(k.model, options: options)
    #expect(first.termination == .iterationLimit)
    #expect(first.simplexIterations < free.simplexIterations)
    #expect(first.simplexIterations == again.simplexIterations && first.values == again.values)
    #expect(first.bestBound.map { $0 <= k.bruteForceOptimum + 1e-6 } ?? true)
    options.iterationLimit = -1
    #expect(throws: SolverError.self) { try GLPKSolver.solveMIP(k.model, options: options) }
  }

  @Test("objective constant and general integers")
  func constantAndIntegers() throws {
    // min 3x + 2y + 10 s.t. x + y ≥ 3.5, x, y integer in [0, 10], x ≥ 0.5.
    var model = LinearModel()
    let x = model.addColumn(lowerBound: 0.5, upperBound: 10, objective: 3, isInteger: true)
    let y = model.addColumn(lowerBound: 0, upperBound: 10, objective: 2, isInteger: true)
    model.addRow(lowerBound: 3.5, terms: [(x, 1), (y, 1)])
    model.objectiveConstant = 10
    let outcome = try GLPKSolver.solveMIP(model)
    #expect(outcome.status == .optimal)
    expectClose(outcome.objective, 3 + 2 * 3 + 10)  // x = 1 (bound rounded up), y = 3
    #expect(outcome.values == [1, 3])
  }

  @Test("LP with known optimum and duals, simplex and interior point")
  func linearProgram() throws {
    // min −x − y s.t. x + 2y ≤ 4, 3x + y ≤ 6: optimum (1.6, 1.2), −2.8.
    var model = LinearModel()
    let x = model.addColumn(name: "x", objective: -1, isInteger: true)  // ignored by LP
    let y = model.addColumn(name: "y", objective: -1)
    model.addRow(name: "a", upperBound: 4, terms: [(x, 1), (y, 2)])
    model.addRow(name: "b", upperBound: 6, terms: [(x, 3), (y, 1)])
    for method in LPMethod.allCases {
      let outcome = try GLPKSolver.solveLP(model, method: method)
      #expect(outcome.status == .optimal)
      expectClose(outcome.objective, -2.8)
      let values = try #require(outcome.values)
      expectClose(values[0], 1.6)
      expectClose(values[1], 1.2)
      let duals = try #require(outcome.rowDuals)
      expectClose(duals[0], -0.4)
      expectClose(duals[1], -0.2)
    }
  }

  @Test("LP infeasible and unbounded are outcomes")
  func lpStatuses() throws {
    var infeasible = LinearModel()
    let x = infeasible.addColumn(upperBound: 1)
    infeasible.addRow(lowerBound: 2, terms: [(x, 1)])
    var unbounded = LinearModel()
    let u = unbounded.addColumn(objective: -1)
    unbounded.addRow(lowerBound: 0, terms: [(u, 1)])
    for method in LPMethod.allCases {
      #expect(try GLPKSolver.solveLP(infeasible, method: method).status == .infeasible)
      #expect(try GLPKSolver.solveLP(unbounded, method: method).status == .unbounded)
    }
    // Empty model: optimum is the constant.
    var empty = LinearModel()
    empty.objectiveConstant = 4
    let outcome = try GLPKSolver.solveLP(empty, method: .interiorPoint)
    #expect(outcome.status == .optimal)
    expectClose(outcome.objective, 4)
  }

  @Test("infeasible and unbounded MIPs are outcomes, with and without presolve")
  func mipStatuses() throws {
    // 2x = 1 with x integer: the LP is feasible, the MIP is not.
    var parity = LinearModel()
    let x = parity.addColumn(upperBound: 5, isInteger: true)
    parity.addRow(lowerBound: 1, upperBound: 1, terms: [(x, 2)])
    // x + y ≥ 3 with binaries: even the LP is infeasible.
    var cover = LinearModel()
    let a = cover.addBinaryColumn()
    let b = cover.addBinaryColumn()
    cover.addRow(lowerBound: 3, terms: [(a, 1), (b, 1)])
    var unbounded = LinearModel()
    let u = unbounded.addColumn(objective: -1, isInteger: true)
    unbounded.addRow(lowerBound: 0, terms: [(u, 1)])
    for presolve in [true, false] {
      let options = MIPOptions(presolve: presolve)
      for model in [parity, cover] {
        let outcome = try GLPKSolver.solveMIP(model, options: options)
        #expect(outcome.status == .infeasible)
        #expect(outcome.termination == .infeasible)
        #expect(outcome.values == nil)
      }
      #expect(try GLPKSolver.solveMIP(unbounded, options: options).status == .unbounded)
    }
    // An integer column whose bounds hold no integer.
    var empty = LinearModel()
    empty.addColumn(lowerBound: 0.2, upperBound: 0.8, isInteger: true)
    #expect(try GLPKSolver.solveMIP(empty).status == .infeasible)
  }

  @Test("time limit is honoured on a hard MIP")
  func timeLimit() throws {
    let outcome = try GLPKSolver.solveMIP(hardModel(), options: MIPOptions(timeLimitSeconds: 0.5))
    #expect(outcome.termination == .timeLimit)
    #expect(outcome.status == .feasible || outcome.status == .noSolution)
    #expect(outcome.seconds < 5)
    if outcome.status == .feasible, let objective = outcome.objective,
      let bound = outcome.bestBound
    {
      #expect(bound <= objective)
      #expect(outcome.nodes > 0)
    }
  }

  @Test("relative gap stops early with a feasible solution and a valid bound")
  func gapLimit() throws {
    let outcome = try GLPKSolver.solveMIP(
      hardModel(), options: MIPOptions(timeLimitSeconds: 10, relativeGap: 0.01))
    #expect(outcome.termination == .gapLimit)
    #expect(outcome.status == .feasible)
    #expect(outcome.nodes > 1)
    let objective = try #require(outcome.objective)
    let bound = try #require(outcome.bestBound)
    #expect(bound <= objective)
    // The bound is the one seen at the last callback, so it may trail the
    // bound GLPK used for its 1% test a little.
    #expect((objective - bound) / abs(objective) <= 0.02)
  }

  @Test("a feasible start vector is accepted and never made worse")
  func incumbent() throws {
    let model = hardModel()
    let start = greedySolution(model)
    let startObjective = model.objectiveValue(at: start)
    let reports = Mutex<[MIPProgress]>([])
    var options = MIPOptions(timeLimitSeconds: 0.5, incumbent: start)
    options.progress = { progress in reports.withLock { $0.append(progress) } }
    let outcome = try GLPKSolver.solveMIP(model, options: options)
    #expect(outcome.incumbentUse == .accepted)
    #expect(outcome.status == .feasible || outcome.status == .optimal)
    let objective = try #require(outcome.objective)
    #expect(objective <= startObjective + 1e-9)
    let first = try #require(reports.withLock { $0.first })
    #expect(first.event == .startAccepted)
    expectClose(first.incumbentObjective, startObjective)

    // Infeasible start vectors are never handed to GLPK.
    var bad = start
    bad[0] = 0.5
    let rejected = try GLPKSolver.solveMIP(
      model, options: MIPOptions(timeLimitSeconds: 0.2, incumbent: bad))
    guard case .rejectedInfeasible = rejected.incumbentUse else {
      Issue.record("expected rejectedInfeasible, got \(rejected.incumbentUse)")
      return
    }
    let wrongLength = thrownError { () throws(SolverError) in
      try GLPKSolver.solveMIP(model, options: MIPOptions(incumbent: [1]))
    }
    guard case .invalidOptions = wrongLength else {
      Issue.record("expected invalidOptions, got \(String(describing: wrongLength))")
      return
    }
  }

  @Test("cancelling the task from the progress callback keeps the incumbent")
  func cancelFromCallback() async throws {
    let task = Task { () throws(SolverError) -> MIPOutcome in
      var options = MIPOptions(timeLimitSeconds: 20)
      options.progress = { progress in
        if progress.event == .newIncumbent { withUnsafeCurrentTask { $0?.cancel() } }
      }
      return try GLPKSolver.solveMIP(hardModel(), options: options)
    }
    let outcome = try await task.value
    #expect(outcome.termination == .cancelled)
    #expect(outcome.status == .feasible)
    #expect(outcome.values != nil)
    #expect(outcome.seconds < 10)
  }

  @Test("cancelling the task from another task stops the search")
  func cancelFromOutside() async throws {
    let task = Task { () throws(SolverError) -> MIPOutcome in
      try GLPKSolver.solveMIP(hardModel(), options: MIPOptions(timeLimitSeconds: 20))
    }
    cancel(task, after: 0.3)
    let outcome = try await task.value
    #expect(outcome.termination == .cancelled)
    #expect(outcome.seconds < 10)
    if outcome.status == .feasible {
      let x = try #require(outcome.values)
      #expect(hardModel().firstViolation(of: x, checkIntegrality: true) == nil)
    } else {
      #expect(outcome.status == .noSolution)
    }
  }

  @Test("shouldStop stops the search")
  func shouldStop() throws {
    let start = ContinuousClock.now
    var options = MIPOptions(timeLimitSeconds: 20)
    options.shouldStop = { ContinuousClock.now - start > .milliseconds(200) }
    let outcome = try GLPKSolver.solveMIP(hardModel(), options: options)
    #expect(outcome.termination == .cancelled)
    #expect(outcome.status == .feasible || outcome.status == .noSolution)
    #expect(outcome.seconds < 10)
  }

  @Test("the (glp_intopt code, glp_mip_status) table")
  func statusTable() {
    let expected: [(IntoptReturn, MIPSolutionStatus, MIPOutcome.Status, MIPOutcome.Termination)] = [
      (.success, .optimal, .optimal, .optimal),
      (.success, .noFeasible, .infeasible, .infeasible),
      (.noPrimalFeasible, .undefined, .infeasible, .infeasible),
      (.noPrimalFeasible, .noFeasible, .infeasible, .infeasible),
      (.noDualFeasible, .undefined, .unbounded, .unbounded),
      (.gapReached, .feasible, .feasible, .gapLimit),
      (.timeLimit, .feasible, .feasible, .timeLimit),
      (.timeLimit, .undefined, .noSolution, .timeLimit),
      (.stopped, .feasible, .feasible, .cancelled),
      (.stopped, .undefined, .noSolution, .cancelled),
    ]
    for (code, status, outcome, termination) in expected {
      #expect(
        MIPStatusTable.map(code, status) == .outcome(outcome, termination), "\(code), \(status)")
    }
    let failures: [(IntoptReturn, MIPSolutionStatus)] = [
      (.success, .feasible), (.success, .undefined), (.badBounds, .undefined),
      (.noRootBasis, .undefined), (.solverFailed, .undefined), (.other, .feasible),
    ]
    for (code, status) in failures {
      guard case .failure = MIPStatusTable.map(code, status) else {
        Issue.record("\(code), \(status) should be a failure")
        continue
      }
    }
    // Every pair maps to something, and a solution status is only claimed
    // when GLPK reports one.
    for code in IntoptReturn.allCases {
      for status in MIPSolutionStatus.allCases {
        if case .outcome(let s, _) = MIPStatusTable.map(code, status),
          s == .optimal || s == .feasible
        {
          #expect(status == .optimal || status == .feasible)
        }
      }
    }
  }

  @Test("invalid models throw typed errors before GLPK")
  func invalidModels() {
    var nan = LinearModel()
    let x = nan.addColumn()
    nan.addRow(upperBound: 1, terms: [(x, .nan)])
    var outOfRange = LinearModel()
    outOfRange.addColumn()
    outOfRange.addRow(upperBound: 1, terms: [(3, 1)])
    var huge = LinearModel()
    huge.addColumn()
    huge.addRow(upperBound: 1, terms: [(Int.max, 1)])
    var crossed = LinearModel()
    crossed.addColumn(lowerBound: 2, upperBound: 1)
    var badRow = LinearModel()
    badRow.addRow(lowerBound: .infinity, terms: [])
    var badObjective = LinearModel()
    badObjective.addColumn(objective: .infinity)
    for (model, fragment) in [
      (nan, "coefficient is nan"), (outOfRange, "out of range"), (huge, "out of range"),
      (crossed, "lowerBound 2.0 > upperBound 1.0"), (badRow, "+infinity"),
      (badObjective, "objective"),
    ] {
      for error in [
        thrownError { () throws(SolverError) in try model.validate() },
        thrownError { () throws(SolverError) in try GLPKSolver.solveMIP(model) },
        thrownError { () throws(SolverError) in try GLPKSolver.solveLP(model) },
      ] {
        guard case .invalidModel(let reason) = error else {
          Issue.record("expected invalidModel, got \(String(describing: error))")
          continue
        }
        #expect(reason.contains(fragment), "\(reason)")
      }
    }
    let badLimit = thrownError { () throws(SolverError) in
      try GLPKSolver.solveMIP(
        Knapsack(seed: 1, items: 3).model, options: MIPOptions(timeLimitSeconds: -1))
    }
    #expect(badLimit.map { if case .invalidOptions = $0 { true } else { false } } == true)
    let ipmLimit = thrownError { () throws(SolverError) in
      try GLPKSolver.solveLP(
        Knapsack(seed: 1, items: 3).model, method: .interiorPoint, timeLimitSeconds: 1)
    }
    #expect(ipmLimit.map { if case .invalidOptions = $0 { true } else { false } } == true)
  }

  @Test("a GLPK internal error is intercepted and the thread can solve again")
  func internalError() throws {
    let error = thrownError { () throws(SolverError) in try GLPKProblem.provokeInternalError() }
    guard case .glpkInternalError(let message) = error else {
      Issue.record("expected glpkInternalError, got \(String(describing: error))")
      return
    }
    #expect(message.contains("duplicate"), "\(message)")
    let k = Knapsack(seed: 4, items: 10)
    expectClose(try GLPKSolver.solveMIP(k.model).objective, k.bruteForceOptimum)
  }

  @Test("a solve started from a progress callback is refused")
  func reentrantSolve() throws {
    let inner = Mutex<SolverError?>(nil)
    let small = Knapsack(seed: 1, items: 5).model
    var options = MIPOptions(timeLimitSeconds: 5)
    options.progress = { _ in
      let error = thrownError { () throws(SolverError) in try GLPKSolver.solveMIP(small) }
      inner.withLock { if $0 == nil { $0 = error } }
    }
    let outcome = try GLPKSolver.solveMIP(
      hardModel(seed: 3, items: 30, constraints: 4), options: options)
    #expect(outcome.status == .optimal)
    #expect(inner.withLock { $0 } == .reentrantCall)
  }

  @Test("canonical form merges repeated columns and drops zeros; names are sanitised")
  func canonicalForm() throws {
    var model = LinearModel()
    model.addColumn(name: "a b")
    model.addColumn(name: "a b")
    model.addColumn(name: "9lives")
    model.addColumn(name: String(repeating: "x", count: 300))
    model.addRow(name: "obj", upperBound: 1, terms: [(1, 2), (0, 1), (1, 3), (2, 1), (2, -1)])
    let canonical = try model.canonicalized()
    #expect(canonical.rows[0].columnIndices == [0, 1])
    #expect(canonical.rows[0].coefficients == [1, 5])
    let names = model.sanitizedNames()
    #expect(names.columns[0] == "a_b")
    #expect(names.columns[1] == "a_b_1")
    #expect(names.columns[2] == "_9lives")
    #expect(names.columns[3].count <= 255)
    #expect(names.rows[0] != "obj")
    // Solving with duplicates gives the merged model's answer.
    var dup = LinearModel()
    let x = dup.addColumn(upperBound: 10, objective: -1)
    dup.addRow(upperBound: 6, terms: [(x, 1), (x, 2)])
    expectClose(try GLPKSolver.solveLP(dup).objective, -2)
  }

  @Test("concurrent solves agree with serial ones")
  func concurrentSolves() async throws {
    let models =
      (0..<8).map { Knapsack(seed: UInt64(10 + $0), items: 30).model }
      + [hardModel(seed: 3, items: 20, constraints: 3)]
    var serial: [MIPOutcome] = []
    for model in models { serial.append(try GLPKSolver.solveMIP(model)) }
    let parallel = await withTaskGroup(of: (Int, Result<MIPOutcome, SolverError>).self) { group in
      for (index, model) in models.enumerated() {
        group.addTask {
          do throws(SolverError) {
            return (index, .success(try GLPKSolver.solveMIP(model)))
          } catch {
            return (index, .failure(error))
          }
        }
      }
      var results = [Result<MIPOutcome, SolverError>?](repeating: nil, count: models.count)
      for await (index, result) in group { results[index] = result }
      return results
    }
    for (s, p) in zip(serial, parallel) {
      let outcome = try #require(try p?.get())
      #expect(outcome.status == .optimal)
      #expect(outcome.objective == s.objective)
      #expect(outcome.values == s.values)
    }
  }

  @Test(
    "written MPS and LP files re-solve to the same objective with glpsol",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/glpsol")))
  func writeAndResolve() throws {
    var model = Knapsack(seed: 5, items: 12).model
    model.objectiveConstant = 7.5
    let expected = try #require(try GLPKSolver.solveMIP(model).objective)
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("mis-glpk-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    // GLPK's LP writer keeps the objective constant only as a comment.
    for (format, flag, constant) in [
      (LinearModelFileFormat.mps, "--freemps", 0.0), (.lp, "--lp", model.objectiveConstant),
    ] {
      let file = directory.appendingPathComponent("model.\(format)").path
      let output = directory.appendingPathComponent("out-\(format).txt").path
      try GLPKSolver.write(model, format: format, to: file)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/glpsol")
      process.arguments = [flag, file, "-o", output]
      process.standardOutput = FileHandle.nullDevice
      try process.run()
      process.waitUntilExit()
      #expect(process.terminationStatus == 0)
      let report = try String(contentsOfFile: output, encoding: .utf8)
      #expect(report.contains("INTEGER OPTIMAL"), "\(format)")
      // "Objective:  obj = -123.5 (MINimum)"
      let line = try #require(report.split(separator: "\n").first { $0.hasPrefix("Objective:") })
      let value = try #require(line.split(separator: " ").compactMap { Double($0) }.first)
      expectClose(value + constant, expected)
    }
    let unwritable = thrownError { () throws(SolverError) in
      try GLPKSolver.write(model, format: .mps, to: "/nonexistent-dir/model.mps")
    }
    guard case .ioFailure(let path, _) = unwritable else {
      Issue.record("expected ioFailure, got \(String(describing: unwritable))")
      return
    }
    #expect(path == "/nonexistent-dir/model.mps")
  }
}
