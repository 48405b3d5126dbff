import Foundation
import MISModel
import MISSolver
import Testing

/// A paper instance that the exact solver cannot finish quickly: 60 images, tight
/// capacity. Without a limit it runs far beyond 20 s (measured: no incumbent after 25 s,
/// see Docs/robustness.md).
func longRunningInstance(images: Int = 60) -> Instance {
  InstanceGenerator.generate(
    GeneratorOptions(
      kind: .paper, seed: 3, registries: 5, nodes: 10, images: images, capacityFraction: 0.1,
      filesPerImageScale: 0.05))
}

/// Peak resident memory since the last reset (Linux: VmHWM, reset by writing 5 to
/// /proc/self/clear_refs), in MiB; nil where unavailable.
func resetPeakMemory() {
  try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
}

func peakMemoryMiB() -> Double? {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
  for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
    let digits = line.split(separator: " ").compactMap { Double($0) }
    return digits.first.map { $0 / 1024 }
  }
  return nil
}

@Suite(.serialized) struct SolverLimitsTests {
  static let index: ProblemIndex? = try? ProblemIndex(longRunningInstance())
  /// 10 images: the root LP takes well under a second and branch-and-cut then runs for
  /// more than 10 s, so a cancellation is seen at once (GLPK's callback runs only after the
  /// root LP, which takes ≈ 14 s on the 60-image instance).
  static let branching: ProblemIndex? = try? ProblemIndex(longRunningInstance(images: 10))

  /// The time limit is honoured: the solve returns (with a feasible plan or none) instead of
  /// running on. The bound is generous: it shows the limit works, not how fast.
  @Test func timeLimitIsHonoured() throws {
    let index = try #require(Self.index)
    let clock = ContinuousClock()
    let start = clock.now
    let result = try ExactSolver(options: .init(timeLimitSeconds: 2)).solve(index)
    let elapsed = clock.now - start
    #expect(result.status == .feasible || result.status == .timeLimitNoSolution, "\(result.status)")
    #expect(elapsed < .seconds(30), "time limit 2 s, returned after \(elapsed)")
    if let plan = result.plan { #expect(index.evaluate(plan).feasible) }
  }

  /// Cancelling the calling task stops GLPK at its next callback; the best plan so far (or
  /// none) comes back as a result, not an error.
  @Test func cancellationReturnsBestSoFar() async throws {
    let index = try #require(Self.branching)
    let task = Task.detached { () throws(SolverError) -> PlanningResult in
      try ExactSolver(options: .init(timeLimitSeconds: 120)).solve(index)
    }
    try await Task.sleep(for: .seconds(1.5))
    let clock = ContinuousClock()
    let cancelledAt = clock.now
    task.cancel()
    let result = try await task.value
    let latency = clock.now - cancelledAt
    #expect(result.status == .feasible || result.status == .timeLimitNoSolution, "\(result.status)")
    #expect(latency < .seconds(60), "cancellation took \(latency)")
    if let plan = result.plan { #expect(index.evaluate(plan).feasible) }
  }

  /// `shouldStop` works like a cancellation.
  @Test func shouldStopStops() throws {
    let index = try #require(Self.branching)
    var options = ExactSolver.Options(timeLimitSeconds: 120)
    let start = ContinuousClock.now
    options.shouldStop = { ContinuousClock.now - start > .seconds(1) }
    let result = try ExactSolver(options: options).solve(index)
    #expect(result.status == .feasible || result.status == .timeLimitNoSolution)
    #expect(ContinuousClock.now - start < .seconds(60))
  }

  /// A model over `maximumNonzeros` is refused before GLPK is called.
  @Test func maximumNonzerosRefuses() throws {
    let index = try ProblemIndex(ReferenceExamples.threeRegistries)
    var options = ExactSolver.Options()
    options.maximumNonzeros = 10
    #expect {
      try ExactSolver(options: options).solve(index)
    } throws: { error in
      guard let error = error as? SolverError, case .tooLarge(let reason) = error else { return false }
      return reason.contains("non-zeros")
    }
    // At the limit exactly, it runs.
    let size = Formulation(index).size.nonzeros
    options.maximumNonzeros = size
    #expect(try ExactSolver(options: options).solve(index).status == .optimal)
  }

  /// The size floor counted without building the model never exceeds the built model's
  /// non-zeros (with any reductions and granularities), and is tight enough to matter:
  /// a limit just under it refuses the model before it is built.
  @Test func nonzeroFloorBoundsTheBuiltModel() throws {
    var instances = (0..<12 as Range<UInt64>).map { tinyInstance($0) }
    instances.append(InstanceGenerator.generate(GeneratorOptions(kind: .paper, seed: 3)))
    instances.append(ReferenceExamples.threeRegistries)
    for (i, instance) in instances.enumerated() {
      guard let index = try? ProblemIndex(instance) else { continue }
      for reductions in [Reductions.all, .none] {
        for granularities: Set<Granularity> in [[.layer, .file], [.layer], [.file]] {
          let floor = Formulation.nonzeroLowerBound(index, granularities: granularities)
          let built = Formulation(index, reductions: reductions, granularities: granularities).size.nonzeros
          #expect(floor <= built, "instance \(i), \(granularities)")
        }
      }
    }
    let index = try ProblemIndex(InstanceGenerator.generate(GeneratorOptions(kind: .paper, seed: 3)))
    let floor = Formulation.nonzeroLowerBound(index)
    #expect(floor * 5 >= Formulation(index).size.nonzeros, "a floor within a factor 5 of the model")
    var options = ExactSolver.Options()
    options.maximumNonzeros = floor - 1
    #expect {
      try ExactSolver(options: options).checkSize(index)
    } throws: { error in
      guard let error = error as? SolverError, case .tooLarge(let reason) = error else { return false }
      return reason.contains("at least \(floor) non-zeros")
    }
    options.maximumNonzeros = floor
    try ExactSolver(options: options).checkSize(index)
  }

  /// Measurements for Docs/robustness.md: printed only with MIS_MEASURE_LIMITS=1, e.g.
  /// `MIS_MEASURE_LIMITS=1 swift test -c release --filter SolverLimitsTests/measure`.
  @Test func measure() async throws {
    guard ProcessInfo.processInfo.environment["MIS_MEASURE_LIMITS"] != nil else { return }
    let clock = ContinuousClock()
    let index = try #require(Self.index)
    // 1–5 s: the limit falls in the root LP; 30 images at 10 s: in branch-and-cut.
    for (images, limit) in [(60, 1.0), (60, 2.0), (60, 5.0), (30, 10.0)] {
      let index = images == 60 ? index : try ProblemIndex(longRunningInstance(images: images))
      let start = clock.now
      let result = try ExactSolver(options: .init(timeLimitSeconds: limit)).solve(index)
      let elapsed = (clock.now - start) / .seconds(1)
      print(
        String(
          format: "images %d, time limit %.0f s: returned after %.2f s (overshoot %.2f s), status %@", images, limit,
          elapsed, elapsed - limit, result.status.rawValue))
    }
    for after in [0.5, 2.0, 5.0] {
      let task = Task.detached { () throws(SolverError) -> PlanningResult in
        try ExactSolver(options: .init(timeLimitSeconds: 300)).solve(index)
      }
      try await Task.sleep(for: .seconds(after))
      let cancelledAt = clock.now
      task.cancel()
      let result = try await task.value
      print(
        String(
          format: "cancel after %.1f s: latency %.3f s, status %@", after, (clock.now - cancelledAt) / .seconds(1),
          result.status.rawValue))
    }
    for images in [10, 30, 60, 120, 240, 480] {
      let instance = longRunningInstance(images: images)
      resetPeakMemory()
      let base = peakMemoryMiB() ?? 0
      let index = try ProblemIndex(instance)
      let start = clock.now
      let result = try ExactSolver(options: .init(timeLimitSeconds: 10)).solve(index)
      let elapsed = (clock.now - start) / .seconds(1)
      let size = Formulation(index).size
      print(
        String(
          format:
            "images %d: layers %d, files %d, model %d rows × %d cols, %d nnz; peak RSS %.0f MiB (baseline %.0f); %.1f s, %@",
          images, index.layerCount, index.fileCount, size.rows, size.columns, size.nonzeros, peakMemoryMiB() ?? -1,
          base, elapsed, result.status.rawValue))
    }
  }
}
