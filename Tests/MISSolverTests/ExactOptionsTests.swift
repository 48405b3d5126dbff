import MISModel
import MISSolver
import Synchronization
import Testing

/// Behaviour (not speed) of the exact solver's options.
@Suite struct ExactOptionsTests {
  let index: ProblemIndex

  init() throws {
    index = try ProblemIndex(
      InstanceGenerator.generate(
        GeneratorOptions(
          kind: .paper, seed: 5, registries: 3, nodes: 4, images: 8, capacityFraction: 0.15, filesPerImageScale: 0.05)))
  }

  @Test func startPlanIsAcceptedAndNeverMadeWorse() throws {
    // A feasible start: the optimum of the layer-only restriction.
    var layerOnly = ExactSolver.Options()
    layerOnly.granularities = [.layer]
    let start = try ExactSolver(options: layerOnly).solve(index)
    let startMatrix = try #require(start.matrix)
    let startObjective = try #require(start.objective)
    var options = ExactSolver.Options()
    options.startPlan = startMatrix
    let (result, statistics) = try ExactSolver(options: options).solveWithStatistics(index)
    #expect(statistics.startPlan == .accepted || statistics.startPlan == .rejectedNotBetter)
    let objective = try #require(result.objective)
    #expect(Tolerance.atMost(objective, startObjective))
    // Same optimum as a cold start.
    let cold = try #require(try ExactSolver().solve(index).objective)
    #expect(Tolerance.objectivesAgree(objective, cold))
  }

  @Test func infeasibleStartPlanIsReportedNotUsed() throws {
    var everything = PlacementMatrix(for: index)
    for l in 0..<index.layerCount { for r in 0..<index.registryCount { everything[l, r] = .layer } }
    var options = ExactSolver.Options()
    options.startPlan = everything  // far over capacity
    let (result, statistics) = try ExactSolver(options: options).solveWithStatistics(index)
    guard case .rejectedInfeasible = statistics.startPlan else {
      Issue.record("expected the over-capacity start plan to be rejected, got \(statistics.startPlan)")
      return
    }
    #expect(result.status == .optimal)
  }

  @Test func startPlanOfTheWrongShapeIsATypedError() {
    var options = ExactSolver.Options()
    options.startPlan = PlacementMatrix(layerCount: 1, registryCount: 1)
    #expect(throws: SolverError.self) { try ExactSolver(options: options).solve(index) }
  }

  @Test func gapStopsWithinTheGap() throws {
    var options = ExactSolver.Options()
    options.relativeGap = 0.5
    let result = try ExactSolver(options: options).solve(index)
    let objective = try #require(result.objective)
    let optimum = try #require(try ExactSolver().solve(index).objective)
    #expect(Tolerance.atMost(optimum, objective))
    // The plan is within the requested gap of the optimum, and the bound is below both.
    #expect(objective <= optimum / (1 - 0.5) + 1e-9)
    if let bound = result.bound { #expect(Tolerance.atMost(bound, optimum)) }
    #expect(result.status == .optimal || result.status == .feasible)
  }

  @Test func progressReportsIncumbentsAndBounds() throws {
    let seen = Mutex<[MIPProgress]>([])
    var options = ExactSolver.Options()
    options.progress = { p in seen.withLock { $0.append(p) } }
    let result = try ExactSolver(options: options).solve(index)
    let reports = seen.withLock { $0 }
    #expect(!reports.isEmpty)
    let optimum = try #require(result.objective)
    for p in reports {
      if let incumbent = p.incumbentObjective { #expect(Tolerance.atMost(optimum, incumbent)) }
      if let bound = p.bestBound { #expect(Tolerance.atMost(bound, optimum)) }
    }
  }

  @Test func tooLargeIsRefusedBeforeGLPK() {
    var options = ExactSolver.Options()
    options.maximumNonzeros = 10
    #expect(throws: SolverError.self) { try ExactSolver(options: options).solve(index) }
  }
}
