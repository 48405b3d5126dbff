import Foundation
import MISModel
import MISSolver

extension Planner {
  /// Plans `index` with `method` without blocking the caller: the synchronous solve runs
  /// on a thread of its own (GLPK stays on that one thread), and cancelling the calling
  /// `Task` stops it cooperatively — the result is then the best plan available, with
  /// termination ``/MISModel/Termination/interrupted``, not an error.
  ///
  /// ```swift
  /// let task = Task { try await Planner.solve(index, method: .exact) }
  /// task.cancel()                       // stops at the next check
  /// let result = try await task.value   // the best plan so far
  /// ```
  ///
  /// Progress arrives through ``PlannerOptions/control`` (``/MISModel/SolveControl/progress``), or
  /// as an `AsyncStream` with ``start(_:method:options:)``.
  ///
  /// - Throws: as the synchronous `solve(_:method:options:)`.
  public static func solve(
    _ index: ProblemIndex, method: PlanningMethod, options: PlannerOptions = PlannerOptions()
  ) async throws(SolverError) -> PlanningResult {
    let flag = StopFlag()
    var options = options
    let outer = options.control.shouldStop
    options.control.shouldStop = { flag.isSet || (outer?() ?? false) }
    let frozen = options
    let outcome: Result<PlanningResult, SolverError> = await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Result<PlanningResult, SolverError>, Never>) in
        let thread = Thread {
          continuation.resume(
            returning: Result { () throws(SolverError) -> PlanningResult in
              try solve(index, method: method, options: frozen)
            })
        }
        thread.stackSize = 16 << 20
        thread.start()
      }
    } onCancel: {
      flag.set()
    }
    return try outcome.get()
  }

  /// Starts planning `index` with `method` in the background and returns a handle with
  /// the progress as an `AsyncStream` and the result.
  ///
  /// ```swift
  /// let run = Planner.start(index, method: .exact)
  /// for await p in run.progress { print(p.elapsed, p.bestObjective ?? .nan, p.phase) }
  /// let result = try await run.result
  /// ```
  public static func start(
    _ index: ProblemIndex, method: PlanningMethod, options: PlannerOptions = PlannerOptions()
  ) -> PlanningRun {
    let (stream, continuation) = AsyncStream<SolveProgress>.makeStream(bufferingPolicy: .bufferingNewest(64))
    var options = options
    let outer = options.control.progress
    options.control.progress = { p in
      outer?(p)
      continuation.yield(p)
    }
    let frozen = options
    let task = Task { () -> Result<PlanningResult, SolverError> in
      defer { continuation.finish() }
      do throws(SolverError) {
        return .success(try await solve(index, method: method, options: frozen))
      } catch {
        return .failure(error)
      }
    }
    return PlanningRun(progress: stream, task: task)
  }
}

/// A solve running in the background (``Planner/start(_:method:options:)``).
public struct PlanningRun: Sendable {
  /// Progress snapshots, ending when the solve ends.
  public let progress: AsyncStream<SolveProgress>
  let task: Task<Result<PlanningResult, SolverError>, Never>

  /// The result, once the solve has ended.
  public var result: PlanningResult {
    get async throws(SolverError) { try await task.value.get() }
  }

  /// Stops the solve cooperatively; ``result`` is then the best plan available, with
  /// termination ``/MISModel/Termination/interrupted``.
  public func cancel() { task.cancel() }
}
