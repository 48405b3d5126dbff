import MISModel
import MISSolver
import MISTestSupport
import Testing

@testable import MISApprox

/// Plan quality of the approximate planner (issue: within 1 % of the optimum, never worse
/// than a baseline, better with more effort): dominance over the baselines by
/// construction, monotone improvement with the search's effort, never below the optimum,
/// the same plan whatever the thread count.
@Suite struct ApproxQualityTests {
  private static func smallPaper(_ seed: UInt64) -> Instance {
    var options = GeneratorOptions(
      kind: .paper, seed: seed, registries: 3, nodes: 4, images: 8, capacityFraction: 0.25)
    options.filesPerImageScale = 0.05
    return InstanceGenerator.generate(options)
  }

  static let instances: [(String, Instance)] =
    (0..<6).map { ("tiny-\($0)", tinyInstance(UInt64($0 * 7 + 1))) } + (1...3).map { ("paper-\($0)", smallPaper($0)) }

  @Test(arguments: 0..<instances.count)
  func neverWorseThanAnyBaseline(case number: Int) throws {
    let (name, instance) = Self.instances[number]
    let index = try ProblemIndex(instance)
    var options = PlannerOptions()
    options.trials = 8
    let approx = try Planner.solve(index, method: .approx, options: options)
    let floors: [PlanningMethod: Granularity] = [.layerOnly: .layer, .fileOnly: .file]
    for method in [PlanningMethod.layerOnly, .fileOnly, .popularity, .originOnly] {
      let baseline = try Planner.solve(index, method: method, options: options)
      guard let theirs = baseline.objective, baseline.metrics?.feasible == true else { continue }
      let ours = try #require(approx.objective, "\(name): approx found no plan where \(method.rawValue) did")
      #expect(ours <= theirs * (1 + 1e-12), "\(name): approx \(ours) worse than \(method.rawValue) \(theirs)")
      // The uncapacitated latency of one granularity bounds every plan of it (what lets
      // approx skip a baseline that cannot win), the empty plan included.
      if let granularity = floors[method] {
        let floor = try #require(index.uncapacitatedLatency(storingEverywhere: granularity), "\(name)")
        #expect(floor <= theirs, "\(name): \(method.rawValue) plan \(theirs) below its floor \(floor)")
        if let empty = index.evaluate(PlacementMatrix(for: index)).totalLatencySeconds { #expect(floor <= empty) }
      }
    }
    // A baseline reported as skipped had a floor at least approx's plan.
    if case .object(let skipped)? = approx.report.details.first(where: { $0.key == "baselinesSkipped" })?.value {
      for (key, value) in skipped {
        guard case .number(let floor) = value, let objective = approx.objective else { continue }
        #expect(floor >= objective, "\(name): \(key) skipped with floor \(floor) below \(objective)")
      }
    }
  }

  /// Where capacity is ample the greedy plan meets the Lagrangian bound: approx stops
  /// there with status optimal, and that plan is the exact solver's optimum. Where it is
  /// scarce the stages after the relaxation still run.
  @Test(arguments: [1, 2, 3])
  func greedyMeetingTheBoundIsOptimal(seed: Int) throws {
    var options = GeneratorOptions(
      kind: .paper, seed: UInt64(seed), registries: 3, nodes: 4, images: 8, capacityFraction: 20)
    options.filesPerImageScale = 0.05
    let index = try ProblemIndex(InstanceGenerator.generate(options))
    let approx = try ApproxSolver(options: .init(seed: 1, trials: 4)).solve(index)
    let exact = try ExactSolver().solve(index)
    let objective = try #require(approx.objective)
    let optimum = try #require(exact.objective)
    #expect(abs(objective - optimum) <= 1e-6 * max(1, optimum), "approx \(objective) vs optimum \(optimum)")
    #expect(approx.report.details.contains { $0.key == "provenOptimalBy" }, "seed \(seed): no early stop")
    #expect(approx.report.status == .optimal)
    // Scarce capacity: the greedy plan is not optimal, so the full pipeline runs.
    let scarce = try ApproxSolver(options: .init(seed: 1, trials: 4)).solve(try ProblemIndex(Self.instances[6].1))
    #expect(!scarce.report.details.contains { $0.key == "provenOptimalBy" })
  }

  /// The Lagrangian heuristic is a candidate: the subproblem's solution at the best
  /// multipliers is a 0/1 point of the relaxation (x + z ≤ 1 on candidates only), and the
  /// approximate plan is never worse than that point repaired and filled.
  @Test(arguments: 0..<instances.count)
  func lagrangianHeuristicIsACandidate(case number: Int) throws {
    let (name, instance) = Self.instances[number]
    let index = try ProblemIndex(instance)
    let model = RelaxationModel(index)
    guard model.impossiblePairs.isEmpty else { return }
    let lag = LagrangianRelaxation().solve(model)
    let point = lag.subproblemPlan
    for l in 0..<index.layerCount {
      point.forEachCandidate(layer: l) { r, x, z in
        #expect((x == 0 || x == 1) && (z == 0 || z == 1) && x + z <= 1, "\(name): (\(l), \(r)) = \(x), \(z)")
      }
    }
    var state = PlanState(index: index, matrix: RandomizedRounding.integral(point))
    guard Repair.complete(&state, candidates: Candidates(model), fill: true) else { return }
    var options = ApproxSolver.Options(seed: 3, trials: 2)
    options.neighbourhoodSearch = false
    options.dominance = false
    options.relaxation = .lagrangian
    let approx = try #require(try ApproxSolver(options: options).solve(index).objective)
    #expect(Tolerance.atMost(approx, state.objective), "\(name): \(approx) worse than the heuristic \(state.objective)")
  }

  /// The branch-and-cut step of small models: never worse than the plan it starts from,
  /// never below the optimum, and with no effort limit it proves the optimum, which approx
  /// then reports as optimal with that bound.
  @Test(arguments: [1, 2, 3])
  func branchAndCutStepImprovesAndProves(seed: Int) throws {
    let index = try ProblemIndex(Self.smallPaper(UInt64(seed)))
    var without = ApproxSolver.Options(seed: 1, trials: 4)
    without.neighbourhoodSearch = false
    without.branchAndCut = false
    var with = without
    with.branchAndCut = true
    let before = try #require(try ApproxSolver(options: without).solve(index).objective)
    let stepped = try ApproxSolver(options: with).solve(index)
    let after = try #require(stepped.objective)
    #expect(Tolerance.atMost(after, before), "seed \(seed): \(after) after the step, \(before) before")
    #expect(stepped.report.detail("branchAndCutStatus") != nil)
    let optimum = try #require(try ExactSolver().solve(index).objective)
    #expect(Tolerance.atMost(optimum, after))
    with.branchAndCutWork = nil
    with.branchAndCutSimplexWork = nil
    let proven = try ApproxSolver(options: with).solve(index)
    let objective = try #require(proven.objective)
    #expect(proven.report.status == .optimal, "seed \(seed): \(proven.report.status)")
    #expect(Tolerance.objectivesAgree(objective, optimum), "seed \(seed): \(objective) vs optimum \(optimum)")
    let bound = try #require(proven.bound)
    #expect(Tolerance.atMost(bound, optimum) && Tolerance.objectivesAgree(bound, optimum))
  }

  @Test func moreSearchNeverWorsensThePlan() throws {
    let index = try ProblemIndex(Self.smallPaper(2))
    var previous = Double.infinity
    for passes in [0, 1, 2, 4] {
      var options = ApproxSolver.Options(seed: 3, trials: 8)
      options.neighbourhoodSearch = passes > 0
      options.neighbourhoodPasses = max(1, passes)
      let objective = try #require(try ApproxSolver(options: options).solve(index).objective)
      #expect(objective <= previous * (1 + 1e-12), "\(passes) passes: \(objective) after \(previous)")
      previous = objective
    }
  }

  @Test(arguments: [2, 5, 9, 14, 23])
  func neverBelowTheOptimumAndCloseToIt(seed: Int) throws {
    let instance = tinyInstance(UInt64(seed))
    let index = try ProblemIndex(instance)
    guard let optimum = BruteForce.optimum(instance)?.objective else { return }
    let result = try ApproxSolver(options: .init(seed: 1, trials: 8)).solve(index)
    let objective = try #require(result.objective)
    #expect(Tolerance.atMost(optimum, objective))
    #expect(objective <= optimum * 1.03, "approx \(objective) vs optimum \(optimum)")
    if let bound = result.bound { #expect(Tolerance.atMost(bound, optimum)) }
  }

  @Test func samePlanWhateverTheThreadCount() throws {
    let index = try ProblemIndex(Self.smallPaper(1))
    var one = ApproxSolver.Options(seed: 5, trials: 6, parallelism: 1)
    one.relaxation = .lagrangian
    var two = one
    two.parallelism = 3
    let a = try ApproxSolver(options: one).solve(index)
    let b = try ApproxSolver(options: two).solve(index)
    #expect(a.matrix == b.matrix)
    #expect(a.objective == b.objective && a.bound == b.bound)
    #expect(a.report.capacityPrices == b.report.capacityPrices)
  }

  @Test func reportCarriesPricesAndBoundSource() throws {
    let index = try ProblemIndex(Self.smallPaper(3))
    var options = ApproxSolver.Options(seed: 1, trials: 4)
    options.branchAndCut = false  // its bound, when better, replaces the LP's
    let result = try ApproxSolver(options: options).solve(index)
    let prices = try #require(result.report.capacityPrices)
    #expect(prices.map(\.registry) == index.instance.registries.map(\.id))
    #expect(prices.allSatisfy { $0.secondsPerGiB >= 0 && $0.secondsPerGiB.isFinite })
    #expect(result.statistics.approx?.boundSource == "lp")
    // The LP bound equals the monolithic LP of the same reduced model.
    var reductions = Reductions.all
    reductions.oversizedCopies = false
    let lp = try #require(try Relaxation.solve(Formulation(index, reductions: reductions)).lowerBound)
    let bound = try #require(result.bound)
    #expect(abs(bound - lp) <= 1e-6 * max(1, abs(lp)))
  }
}
