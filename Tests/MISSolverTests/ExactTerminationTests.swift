import Foundation
import MISModel
import MISSolver
import Testing

/// Why an exact solve stopped, and what it returns when stopped early.
@Suite struct ExactTerminationTests {
  let index: ProblemIndex = {
    do { return try ProblemIndex(ReferenceExamples.threeRegistries) } catch { fatalError("\(error)") }
  }()

  @Test func provenOptimumTerminatesOptimal() throws {
    let result = try ExactSolver().solve(index)
    #expect(result.status == .optimal && result.termination == .optimal)
    let exact = try #require(result.statistics.exact)
    #expect(exact.rows > 0 && exact.columns > 0 && exact.unreducedColumns >= exact.columns)
  }

  @Test func tinyLimitsAreResultsNegativeOnesErrors() throws {
    for limit in [0.0, 0.001] {
      let result = try ExactSolver(options: .init(timeLimitSeconds: limit)).solve(index)
      #expect([.timeLimit, .optimal].contains(result.termination), "\(limit): \(result.termination)")
    }
    for limit in [-1.0, .nan] {
      #expect {
        try ExactSolver(options: .init(timeLimitSeconds: limit)).solve(index)
      } throws: { error in
        guard let error = error as? SolverError, case .invalidOptions(let reason) = error else { return false }
        return reason.contains("\(limit)")
      }
    }
  }

  @Test func stoppedSolveReturnsTheStartPlan() throws {
    let optimum = try ExactSolver().solve(index)
    var options = ExactSolver.Options()
    options.startPlan = optimum.matrix
    options.control = SolveControl(timeLimitSeconds: 0)
    let timed = try ExactSolver(options: options).solve(index)
    #expect(timed.termination == .timeLimit && timed.status == .feasible)
    #expect(timed.matrix == optimum.matrix)
    #expect(timed.statistics.exact?.startPlan == "returned")
    options.control = SolveControl(shouldStop: { true })
    let interrupted = try ExactSolver(options: options).solve(index)
    #expect(interrupted.termination == .interrupted && interrupted.matrix == optimum.matrix)
    // Without a start plan there is nothing to return.
    options.startPlan = nil
    let none = try ExactSolver(options: options).solve(index)
    #expect(none.status == .timeLimitNoSolution && none.termination == .interrupted && none.matrix == nil)
  }

  @Test func gapLimitAndRestrictedBounds() throws {
    let index = try ProblemIndex(
      InstanceGenerator.generate(
        GeneratorOptions(
          kind: .paper, seed: 3, registries: 5, nodes: 10, images: 10, capacityFraction: 0.1,
          filesPerImageScale: 0.05)))
    var options = ExactSolver.Options(timeLimitSeconds: 60, relativeGap: 0.5)
    let gapped = try ExactSolver(options: options).solve(index)
    #expect(gapped.termination == .gapLimit || gapped.termination == .optimal, "\(gapped.termination)")
    options = ExactSolver.Options()
    options.granularities = [.layer]
    let layerOnly = try ExactSolver(options: options).solve(self.index)
    #expect(layerOnly.bound == nil && layerOnly.status == .feasible && layerOnly.termination == .completed)
    #expect(layerOnly.report.detail("restrictedBound") != nil)
  }
}

/// The node limit: a deterministic effort limit on the branch and cut.
@Suite struct ExactNodeLimitTests {
  static let index: ProblemIndex = {
    do {
      return try ProblemIndex(
        InstanceGenerator.generate(
          GeneratorOptions(
            kind: .paper, seed: 2, registries: 3, nodes: 4, images: 10, capacityFraction: 0.3,
            filesPerImageScale: 0.05)))
    } catch { fatalError("\(error)") }
  }()

  /// A node limit and a work limit (simplex iterations × model size) each stop the branch
  /// and cut early, at the same point on every run, with a plan and a bound.
  @Test(arguments: [ExactFormulation.benders, .compact], [false, true])
  func effortLimitStopsDeterministicallyWithAPlanAndABound(formulation: ExactFormulation, byWork: Bool) throws {
    var options = ExactSolver.Options()
    options.formulation = formulation
    let full = try ExactSolver(options: options).solve(Self.index)
    let optimum = try #require(full.objective)
    #expect(full.status == .optimal)
    let nodes = try #require(full.statistics.exact?.nodes)
    #expect(nodes > 3, "the instance must need a search for the limit to matter (\(nodes) nodes)")
    // A start plan (the empty one: every node has an origin link here), so that a plan
    // exists however early the limit stops the search.
    let empty = PlacementMatrix(for: Self.index)
    let emptyObjective = try #require(Self.index.evaluate(empty).totalLatencySeconds)
    options.startPlan = empty
    if byWork {
      // One iteration's worth on a model of this size: the first callback stops it.
      options.workLimit = 1
    } else {
      options.nodeLimit = 2
    }
    let limited = try ExactSolver(options: options).solve(Self.index)
    let again = try ExactSolver(options: options).solve(Self.index)
    #expect(limited.termination == .completed, "\(limited.termination)")
    #expect(limited.status == .feasible)
    let objective = try #require(limited.objective)
    let bound = try #require(limited.bound)
    #expect(Tolerance.atMost(optimum, objective) && Tolerance.atMost(bound, optimum))
    #expect(Tolerance.atMost(objective, emptyObjective))
    #expect(limited.matrix == again.matrix && limited.bound == again.bound)
    #expect((limited.statistics.exact?.nodes ?? .max) < nodes)
  }

  @Test(arguments: [false, true])
  func negativeEffortLimitIsAnError(byWork: Bool) {
    var options = ExactSolver.Options()
    if byWork { options.workLimit = -1 } else { options.nodeLimit = -1 }
    #expect {
      try ExactSolver(options: options).solve(Self.index)
    } throws: { error in
      guard let error = error as? SolverError, case .invalidOptions(let reason) = error else { return false }
      return reason.contains(byWork ? "work limit" : "node limit")
    }
  }
}
