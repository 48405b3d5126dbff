import Foundation
import MISApprox
import MISModel
import MISSolver
import MISTestSupport
import Testing

/// A paper instance whose exact solve runs for many seconds in branch-and-cut after a
/// quick root LP (so a stop is seen at once); every node has an origin link.
private func slowInstance() -> Instance {
  InstanceGenerator.generate(
    GeneratorOptions(
      kind: .paper, seed: 3, registries: 5, nodes: 10, images: 10, capacityFraction: 0.1,
      filesPerImageScale: 0.05))
}

/// The `solver` block of a result's plan document, parsed by Foundation.
private func solverBlock(_ result: PlanningResult) throws -> [String: Any] {
  let document = try JSONSerialization.jsonObject(with: Data(result.document())) as? [String: Any]
  return try #require(document?["solver"] as? [String: Any])
}

/// The façade's contract: one result type with a termination for every method, bounds that
/// only ever bound the full model, validated options, limits and cancellation as results.
@Suite struct PlannerControlTests {
  let index: ProblemIndex = {
    do { return try ProblemIndex(ReferenceExamples.threeRegistries) } catch { fatalError("\(error)") }
  }()

  @Test func terminationPerMethod() throws {
    let expected: [PlanningMethod: Termination] = [
      .exact: .optimal, .auto: .optimal, .layerOnly: .completed, .fileOnly: .completed, .popularity: .completed,
      .originOnly: .completed,
    ]
    for method in PlanningMethod.allCases {
      let result = try Planner.solve(index, method: method)
      if let want = expected[method] {
        #expect(result.termination == want, "\(method): \(result.termination)")
      } else {
        #expect([.completed, .optimal].contains(result.termination), "\(method): \(result.termination)")
      }
      if method == .exact { #expect(result.statistics.exact != nil) }
      if method == .approx { #expect(result.statistics.approx != nil) }
      let solver = try solverBlock(result)
      #expect(solver["termination"] as? String == result.termination.rawValue)
    }
  }

  @Test func restrictedMethodsReportNoFullModelBound() throws {
    let exact = try Planner.solve(index, method: .exact)
    let optimum = try #require(exact.objective)
    for method in [PlanningMethod.layerOnly, .fileOnly] {
      let result = try Planner.solve(index, method: method)
      #expect(result.bound == nil, "\(method)")
      #expect(result.certifiedRatio == nil && result.report.gap == nil)
      #expect(result.status != .optimal)
      guard case .number(let restricted)? = result.report.detail("restrictedBound") else {
        Issue.record("\(method): no restrictedBound detail")
        continue
      }
      // Here the restricted bound is above the true optimum: it must never be `bound`.
      if method == .fileOnly { #expect(restricted > optimum) }
      #expect(try solverBlock(result)["bound"] is NSNull)
    }
    // Full-model methods keep their bound, below the optimum.
    for method in [PlanningMethod.approx, .exact, .auto] {
      let bound = try #require(try Planner.solve(index, method: method).bound, "\(method)")
      #expect(bound <= optimum * (1 + 1e-9))
    }
  }

  @Test func tinyTimeLimitIsAResult() throws {
    var options = PlannerOptions()
    options.timeLimitSeconds = 0.001
    for method in PlanningMethod.allCases {
      let result = try Planner.solve(index, method: method, options: options)
      // Every node has an origin link: at worst the origin-only plan, never no plan.
      #expect(result.plan != nil, "\(method)")
      #expect(result.metrics?.feasible == true, "\(method)")
      #expect([.optimal, .feasible].contains(result.status), "\(method): \(result.status)")
      #expect([.timeLimit, .completed, .optimal].contains(result.termination), "\(method): \(result.termination)")
    }
    options.timeLimitSeconds = 0
    let exact = try Planner.solve(index, method: .exact, options: options)
    #expect(exact.termination == .timeLimit && exact.status == .feasible)
    #expect(exact.objective == index.originOnlyLatency)
  }

  @Test func invalidOptionsAreOneTypedError() {
    func reason(_ change: (inout PlannerOptions) -> Void) -> String? {
      var options = PlannerOptions()
      change(&options)
      do {
        try options.validate()
        _ = try Planner.solve(index, method: .popularity, options: options)
        return nil
      } catch {
        guard case .invalidOptions(let reason) = error else { return "wrong error \(error)" }
        return reason
      }
    }
    #expect(reason { $0.timeLimitSeconds = -5 }?.contains("got -5") == true)
    #expect(reason { $0.timeLimitSeconds = -0.5 }?.contains("got -0.5") == true)
    #expect(reason { $0.timeLimitSeconds = .nan }?.contains("nan") == true)
    #expect(reason { $0.parallelism = 0 }?.contains("got 0") == true)
    #expect(reason { $0.trials = 0 }?.contains("got 0") == true)
    #expect(reason { $0.relativeGap = -1 }?.contains("got -1") == true)
    #expect(reason { $0.timeLimitSeconds = 0 } == nil)
  }

  @Test func autoProvesTinyInstancesExactlyAndSaysWhy() throws {
    for seed in [UInt64(1), 2, 3] {
      let tiny = try ProblemIndex(InstanceGenerator.generate(GeneratorOptions(kind: .tiny, seed: seed)))
      let optimum = try #require(try Planner.solve(tiny, method: .exact).objective)
      let result = try Planner.solve(tiny, method: .auto)
      #expect(result.report.method == "auto")
      #expect(result.status == .optimal && result.termination == .optimal, "\(result)")
      #expect(Tolerance.objectivesAgree(try #require(result.objective), optimum))
      guard case .string(let choice)? = result.report.detail("autoChoice"),
        case .string(let reason)? = result.report.detail("autoReason")
      else {
        Issue.record("auto without autoChoice/autoReason")
        continue
      }
      #expect(["exact", "approx"].contains(choice))
      #expect(!reason.isEmpty)
    }
  }

  @Test func startPlanIsUsedAndBadIdsAreErrors() throws {
    let exact = try Planner.solve(index, method: .exact)
    var options = PlannerOptions()
    options.startPlan = exact.plan
    options.warmStart = false
    let restarted = try Planner.solve(index, method: .exact, options: options)
    #expect(restarted.report.detail("start") == .string("used"))
    #expect(restarted.objective == exact.objective)
    // Stopped at once: the start plan is the answer.
    options.timeLimitSeconds = 0
    let stopped = try Planner.solve(index, method: .exact, options: options)
    #expect(stopped.termination == .timeLimit)
    #expect(stopped.objective == exact.objective)
    // An infeasible start plan is ignored with a note; unknown ids are an error.
    options.timeLimitSeconds = nil
    let everything = index.instance.layers.map { Placement(registry: "edge-b", layer: $0.id, granularity: .layer) }
    options.startPlan = Plan(placements: everything)
    let ignored = try Planner.solve(index, method: .approx, options: options)
    guard case .string(let note)? = ignored.report.detail("start") else {
      Issue.record("no start note")
      return
    }
    #expect(note.hasPrefix("ignored"))
    options.startPlan = Plan(placements: [Placement(registry: "nope", layer: "ubuntu-20.04", granularity: .layer)])
    #expect(throws: SolverError.self) { try Planner.solve(index, method: .exact, options: options) }
  }

  @Test func matrixFromPlanNamesUnknownIdsAndDuplicates() throws {
    let layer = try #require(index.instance.layers.first?.id)
    let plan = Plan(placements: [
      Placement(registry: "edge-a", layer: layer, granularity: .layer),
      Placement(registry: "ghost", layer: layer, granularity: .file),
      Placement(registry: "edge-a", layer: "no-such-layer", granularity: .file),
      Placement(registry: "edge-a", layer: layer, granularity: .file),
    ])
    do {
      _ = try index.matrix(from: plan)
      Issue.record("no error")
    } catch {
      let issues = error.issues
      #expect(issues.map(\.path) == ["placements[1].registry", "placements[2].layer", "placements[3]"])
      #expect(issues[0].message.contains("ghost") && issues[1].message.contains("no-such-layer"))
      #expect(issues[2].message.contains("placements[0]"))
    }
    let good = try index.matrix(from: Plan(placements: [plan.placements[0]]))
    let r = try #require(index.registryIndex(of: "edge-a"))
    #expect(good[0, r] == .layer && good.placementCount == 1)
  }

  @Test func idQueriesAndDescription() throws {
    let result = try Planner.solve(index, method: .exact)
    let plan = try #require(result.plan)
    for registry in index.instance.registries {
      #expect(result.placements(onRegistry: registry.id) == plan.placements.filter { $0.registry == registry.id })
    }
    #expect(result.placements(onRegistry: "ghost").isEmpty)
    // Every demanded (node, layer) has a source; a placed layer serves someone.
    let metrics = index.evaluate(plan)
    #expect(metrics.feasible)
    var sawRegistry = false
    for demand in index.instance.demands {
      let image = try #require(index.instance.images.first { $0.id == demand.image })
      for layer in image.layers {
        let source = try #require(result.source(node: demand.node, layer: layer))
        if case .registry(let id, let g) = source {
          sawRegistry = true
          #expect(plan.placements.contains(Placement(registry: id, layer: layer, granularity: g)))
        }
      }
    }
    #expect(sawRegistry)
    #expect(result.source(node: "ghost", layer: "x") == nil)
    let text = result.description
    #expect(text.contains("exact") && text.contains("optimal"))
    #expect(text.split(separator: "\n").count <= 5 && text.count < 600, "\(text)")
    let table = ComparisonTable.render([result, try Planner.solve(index, method: .originOnly)])
    #expect(table.split(separator: "\n").count == 4)
    #expect(table.contains("origin-only") && table.contains("termination"))
  }

  @Test func asyncCancellationReturnsTheBestPlanSoFar() async throws {
    let slow = try ProblemIndex(slowInstance())
    var options = PlannerOptions()
    // The empty plan as the start: GLPK's root LP then runs in time slices that see a stop.
    options.startPlan = Plan()
    let task = Task { try await Planner.solve(slow, method: .exact, options: options) }
    cancel(task, after: 1)
    let result = try await task.value
    // Measured on the solve's own clock (its thread): the wall clock here also counts the
    // wait for a cooperative-pool thread to resume this task, which the suite's other
    // synchronous tests can hold for many seconds on a 2-core machine. Unstopped, this
    // solve runs far longer; stopped at the cancellation 1 s in, it ends at once.
    #expect(result.report.seconds < 10, "solve ran \(result.report.seconds) s after a cancellation at 1 s")
    #expect(result.termination == .interrupted, "\(result)")
    #expect(result.plan != nil && result.metrics?.feasible == true)
  }

  /// The stream ends with the solve, and what it said along the way is true of the
  /// result: every bound it reported is at most the final plan's latency, every plan it
  /// reported at least that, and its clock never runs backwards.
  @Test(arguments: [PlanningMethod.exact, .approx])
  func progressStreamEndsWithTheResult(method: PlanningMethod) async throws {
    let run = Planner.start(index, method: method)
    var snapshots: [SolveProgress] = []
    for await p in run.progress { snapshots.append(p) }
    let result = try await run.result
    let objective = try #require(result.objective)
    #expect(result.status == .optimal || method == .approx)
    #expect(!snapshots.isEmpty, "\(method) reported no progress")
    let slack = Tolerance.optimalityGap * max(1, abs(objective))
    for (p, next) in zip(snapshots, snapshots.dropFirst()) {
      #expect(p.elapsed <= next.elapsed, "\(p.phase) -> \(next.phase)")
    }
    for p in snapshots {
      if let bound = p.bestBound { #expect(bound <= objective + slack, "\(p.phase): bound \(bound)") }
      if let best = p.bestObjective { #expect(best >= objective - slack, "\(p.phase): plan \(best)") }
    }
    if method == .approx {
      #expect(snapshots.contains { $0.phase.hasPrefix("approx: relaxation") })
    }
  }

  /// Under a time limit, above approx's branch-and-cut size (5 × 8 × 40: about 9 800
  /// columns), the search has the whole limit: exact answers with its plan, saying the
  /// branch and cut had no time, and auto says approx had all of it.
  @Test func timeLimitedExactAboveTheQuickSizeGivesTheSearchTheWholeLimit() throws {
    let instance = InstanceGenerator.generate(
      GeneratorOptions(kind: .paper, seed: 1, registries: 5, nodes: 8, images: 40, capacityFraction: 0.3))
    let index = try ProblemIndex(instance)
    var options = PlannerOptions()
    options.timeLimitSeconds = 1
    let exact = try Planner.solve(index, method: .exact, options: options)
    #expect(exact.report.method == "exact")
    #expect(exact.metrics?.feasible == true)
    #expect(exact.report.detail("warmStart") == .string("approx"), "\(exact.report.details)")
    guard case .string(let why)? = exact.report.detail("exactNotRun") else {
      Issue.record("no exactNotRun detail: \(exact.report.details)")
      return
    }
    #expect(why.contains("time limit"), "\(why)")
    let auto = try Planner.solve(index, method: .auto, options: options)
    #expect(auto.report.detail("autoChoice") == .string("approx"))
    guard case .string(let reason)? = auto.report.detail("autoReason") else {
      Issue.record("no autoReason: \(auto.report.details)")
      return
    }
    #expect(reason.contains("not small") && reason.contains("had all of it"), "\(reason)")
  }

  /// Over the exact method's size limit the warm start is the answer, labelled as such;
  /// without a warm start the refusal is.
  @Test func exactOverItsSizeLimitAnswersWithTheWarmStart() throws {
    var options = PlannerOptions()
    options.maximumNonzeros = 1
    let exact = try Planner.solve(index, method: .exact, options: options)
    let approx = try Planner.solve(index, method: .approx)
    #expect(exact.report.method == "exact")
    #expect(exact.metrics?.feasible == true)
    #expect(exact.objective == approx.objective, "the approx method's plan, with all of its effort")
    guard case .string(let why)? = exact.report.detail("exactNotRun") else {
      Issue.record("no exactNotRun detail: \(exact.report.details)")
      return
    }
    #expect(why.contains("model too large"))

    options.warmStart = false
    #expect {
      try Planner.solve(index, method: .exact, options: options)
    } throws: { error in
      guard let error = error as? SolverError, case .tooLarge = error else { return false }
      return true
    }

    options.maximumNonzeros = -1
    #expect(throws: SolverError.self) { try options.validate() }
  }

  @Test func controlHelpers() {
    let past = SolveControl(timeLimitSeconds: 0)
    #expect(past.isStopRequested && past.stopReason() == .timeLimit && past.remainingSeconds == 0)
    let flag = StopFlag()
    let control = SolveControl(timeLimitSeconds: 100, shouldStop: { flag.isSet })
    #expect(!control.isStopRequested && (control.remainingSeconds ?? 0) > 90)
    flag.set()
    #expect(control.stopReason() == .interrupted)
    #expect(SolveControl.unlimited.remainingSeconds == nil && SolveControl.unlimited.stopReason() == nil)
    #expect((SolveControl(timeLimitSeconds: 100).limited(toSeconds: 1).remainingSeconds ?? 9) <= 1)
  }
}
