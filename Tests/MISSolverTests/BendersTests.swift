import MISModel
import MISSolver
import MISTestSupport
import Testing

/// The branch-and-Benders-cut path: same optimum as the brute force and as the compact
/// model, with each component alone and all together.
@Suite struct BendersTests {
  /// The component configurations: the bare minimum (lazy cuts at integral points only),
  /// each component switched on alone, and everything on.
  static let configurations: [(String, BendersOptions)] = {
    var out: [(String, BendersOptions)] = [("minimal", .minimal)]
    var root = BendersOptions.minimal
    root.rootRounds = 100
    out.append(("rootLoop", root))
    var fractional = BendersOptions.minimal
    fractional.fractionalCuts = true
    fractional.rootCutRounds = 20
    fractional.nodeCutRounds = 2
    out.append(("fractionalCuts", fractional))
    var heuristic = BendersOptions.minimal
    heuristic.roundingHeuristic = true
    out.append(("rounding", heuristic))
    var branching = BendersOptions.minimal
    branching.branchingPriorities = true
    out.append(("priorities", branching))
    var covers = BendersOptions.minimal
    covers.glpkCuts = MIPOptions.Cuts(cover: true)
    out.append(("coverCuts", covers))
    var mir = BendersOptions.minimal
    mir.glpkCuts = MIPOptions.Cuts(mir: true)
    out.append(("mirCuts", mir))
    var gomory = BendersOptions.minimal
    gomory.glpkCuts = MIPOptions.Cuts(gomory: true)
    out.append(("gomoryCuts", gomory))
    var all = BendersOptions()
    all.branchingPriorities = true
    all.glpkCuts = .all
    out.append(("all", all))
    out.append(("default", BendersOptions()))
    return out
  }()

  /// Brute-force seeds, fewer than the compact suite's (each runs every configuration).
  static let seeds = Array(ExactSolverTests.bruteForceSeeds.prefix(20))

  @Test(arguments: seeds)
  func optimumEqualsBruteForceForEveryComponent(seed: Int) throws {
    let instance = tinyInstance(UInt64(seed))
    let index = try ProblemIndex(instance)
    let reference = BruteForce.optimum(instance)
    for (name, benders) in Self.configurations {
      let (result, _) = try BendersSolver(benders: benders).solveWithStatistics(index)
      guard let reference else {
        #expect(result.status == .infeasible, "\(name): brute force finds no feasible plan")
        continue
      }
      #expect(result.status == .optimal, "\(name)")
      let objective = try #require(result.objective, "\(name)")
      #expect(
        Tolerance.objectivesAgree(objective, reference.objective),
        "\(name): Benders \(objective) vs brute force \(reference.objective)")
      let plan = try #require(result.plan)
      let metrics = index.evaluate(plan)
      #expect(metrics.feasible)
      #expect(metrics.totalLatencySeconds.map { Tolerance.objectivesAgree($0, objective) } == true)
      let bound = try #require(result.bound)
      #expect(Tolerance.atMost(bound, objective))
      #expect(Tolerance.objectivesAgree(bound, objective), "\(name): bound \(bound) vs \(objective)")
    }
  }

  /// Under a time limit below `GLPKSolver.shortLimitSeconds` the master is scaled by one
  /// pass of equilibration instead of GLPK's automatic scaling: the optimum must not move.
  @Test(arguments: Array(seeds.prefix(12)))
  func shortTimeLimitScalingKeepsTheOptimum(seed: Int) throws {
    let instance = tinyInstance(UInt64(seed))
    let index = try ProblemIndex(instance)
    guard let reference = BruteForce.optimum(instance) else { return }
    let result = try BendersSolver(options: ExactSolver.Options(timeLimitSeconds: 9)).solve(index)
    // The brute-force instances solve in milliseconds: the limit is never reached.
    #expect(result.status == .optimal)
    let objective = try #require(result.objective)
    #expect(
      Tolerance.objectivesAgree(objective, reference.objective),
      "short-limit Benders \(objective) vs brute force \(reference.objective)")
  }

  /// Small paper instances (files scaled down so the compact path stays fast in debug).
  @Test(arguments: [1, 2, 3] as [UInt64])
  func sameOptimumAsCompactOnPaperInstances(seed: UInt64) throws {
    let index = try ProblemIndex(
      InstanceGenerator.generate(
        GeneratorOptions(
          kind: .paper, seed: seed, registries: 3, nodes: 4, images: 6, capacityFraction: 0.2,
          filesPerImageScale: 0.05)))
    var compact = ExactSolver.Options()
    compact.formulation = .compact
    let reference = try ExactSolver(options: compact).solve(index)
    var viaHook = ExactSolver.Options()
    viaHook.formulation = .benders
    let benders = try ExactSolver(options: viaHook).solve(index)
    #expect(reference.status == .optimal)
    #expect(benders.status == .optimal)
    let a = try #require(reference.objective)
    let b = try #require(benders.objective)
    #expect(Tolerance.objectivesAgree(a, b), "compact \(a) vs Benders \(b)")
    #expect(benders.report.details.contains { $0.key == "formulation" })
  }

  @Test func infeasibleInstancesAreInfeasible() throws {
    // No origin and no capacity anywhere: nobody can be served.
    var instance = InstanceGenerator.generate(GeneratorOptions(kind: .tiny, seed: 11, includeOrigin: false))
    for r in instance.registries.indices { instance.registries[r].capacityBytes = 0 }
    let index = try ProblemIndex(instance)
    #expect(try BendersSolver().solve(index).status == .infeasible)
    // No origin and capacity for only the smallest layer on each registry: the cover rows
    // cannot all be met when some node needs more distinct layers than fit.
    var tight = InstanceGenerator.generate(GeneratorOptions(kind: .tiny, seed: 12, includeOrigin: false))
    let smallest = tight.layers.map(\.sizeBytes).min() ?? 0
    for r in tight.registries.indices { tight.registries[r].capacityBytes = smallest }
    let tightIndex = try ProblemIndex(tight)
    let reference = BruteForce.optimum(tight)
    let result = try BendersSolver().solve(tightIndex)
    if let reference {
      #expect(result.objective.map { Tolerance.objectivesAgree($0, reference.objective) } == true)
    } else {
      #expect(result.status == .infeasible)
    }
  }

  @Test func startPlanIsAcceptedAndInfeasibleStartRejected() throws {
    let index = try ProblemIndex(
      InstanceGenerator.generate(
        GeneratorOptions(
          kind: .paper, seed: 5, registries: 3, nodes: 4, images: 8, capacityFraction: 0.15, filesPerImageScale: 0.05)))
    var layerOnly = ExactSolver.Options()
    layerOnly.granularities = [.layer]
    let start = try ExactSolver(options: layerOnly).solve(index)
    let startMatrix = try #require(start.matrix)
    let startObjective = try #require(start.objective)
    var options = ExactSolver.Options()
    options.startPlan = startMatrix
    let (result, statistics) = try BendersSolver(options: options, benders: .minimal).solveWithStatistics(index)
    #expect(statistics.startPlan == .accepted || statistics.startPlan == .rejectedNotBetter)
    let objective = try #require(result.objective)
    #expect(Tolerance.atMost(objective, startObjective))
    let cold = try #require(try BendersSolver().solve(index).objective)
    #expect(Tolerance.objectivesAgree(objective, cold))

    var everything = PlacementMatrix(for: index)
    for l in 0..<index.layerCount { for r in 0..<index.registryCount { everything[l, r] = .layer } }
    options.startPlan = everything
    let (again, rejected) = try BendersSolver(options: options).solveWithStatistics(index)
    if case .rejectedInfeasible = rejected.startPlan {
    } else {
      Issue.record("over-capacity start accepted: \(rejected.startPlan)")
    }
    #expect(again.objective.map { Tolerance.objectivesAgree($0, cold) } == true)
  }

  @Test func timeLimitKeepsABoundNeverAboveThePlan() throws {
    let index = try ProblemIndex(
      InstanceGenerator.generate(
        GeneratorOptions(
          kind: .paper, seed: 3, registries: 4, nodes: 6, images: 20, capacityFraction: 0.1,
          filesPerImageScale: 0.05)))
    var options = ExactSolver.Options()
    options.timeLimitSeconds = 1
    let result = try BendersSolver(options: options).solve(index)
    if let objective = result.objective, let bound = result.bound { #expect(bound <= objective) }
    #expect(result.status != .infeasible)
  }
}
