import Foundation

/// A snapshot of a running solve, handed to ``SolveControl/progress``.
public struct SolveProgress: Sendable, Hashable {
  /// Seconds since the solve started.
  public var elapsed: Double
  /// The objective of the best plan known so far, if any.
  public var bestObjective: Double?
  /// The best proven lower bound on the optimum of the full model so far, if any.
  public var bestBound: Double?
  /// `(bestObjective − bestBound) / bestObjective` where both exist.
  public var gap: Double?
  /// What the solve is doing, e.g. `"relaxation"`, `"rounding"`, `"branch-and-cut"`.
  public var phase: String

  /// Creates a snapshot; `gap` is derived from `bestObjective` and `bestBound` unless given.
  public init(
    elapsed: Double, bestObjective: Double? = nil, bestBound: Double? = nil, gap: Double? = nil, phase: String
  ) {
    self.elapsed = elapsed
    self.bestObjective = bestObjective
    self.bestBound = bestBound
    self.phase = phase
    if let gap {
      self.gap = gap
    } else if let o = bestObjective, let b = bestBound {
      self.gap = o > 0 ? max(0, o - b) / o : 0
    } else {
      self.gap = nil
    }
  }
}

/// How a caller steers a running solve: a deadline, a cancellation flag and a progress
/// callback. Every method accepts one.
///
/// Stopping is **cooperative**: a method checks ``isStopRequested`` (or ``stopReason()``)
/// at its phase boundaries and inside its long loops (simplex iterations, rounding trials,
/// branch-and-cut nodes), then returns the best plan it has with termination
/// ``Termination/timeLimit`` or ``Termination/interrupted``. A stop therefore takes effect
/// after the current step, typically well under a second.
///
/// ```swift
/// let flag = StopFlag()
/// let control = SolveControl(timeLimitSeconds: 30, shouldStop: { flag.isSet }) {
///   print($0.elapsed, $0.bestObjective ?? .nan)
/// }
/// ```
public struct SolveControl: Sendable {
  /// The instant by which the solve should return (from a time limit), or `nil`.
  public var deadline: ContinuousClock.Instant?
  /// Polled by the solve; returning `true` cancels it (e.g. a `Task`'s `isCancelled`, a
  /// SIGINT flag). Must be cheap and thread-safe.
  public var shouldStop: (@Sendable () -> Bool)?
  /// Called from the solving thread with progress snapshots. Keep it cheap.
  public var progress: (@Sendable (SolveProgress) -> Void)?

  /// Creates a control value.
  public init(
    deadline: ContinuousClock.Instant? = nil, shouldStop: (@Sendable () -> Bool)? = nil,
    progress: (@Sendable (SolveProgress) -> Void)? = nil
  ) {
    self.deadline = deadline
    self.shouldStop = shouldStop
    self.progress = progress
  }

  /// Creates a control value whose deadline is `timeLimitSeconds` from now (`nil`: none).
  /// A limit of 0 or less (or NaN) is a deadline already passed; an infinite or
  /// astronomically long one (over 10^12 s) is no deadline.
  public init(
    timeLimitSeconds: Double?, shouldStop: (@Sendable () -> Bool)? = nil,
    progress: (@Sendable (SolveProgress) -> Void)? = nil
  ) {
    self.init(
      deadline: timeLimitSeconds.flatMap { Self.instant(after: $0) }, shouldStop: shouldStop, progress: progress)
  }

  /// The instant `seconds` after `start` (default now): `start` itself for 0, negative or
  /// NaN, `nil` (no deadline) for more than 10^12 s or infinity.
  public static func instant(
    after seconds: Double, from start: ContinuousClock.Instant = .now
  ) -> ContinuousClock.Instant? {
    guard seconds > 0 else { return start }
    guard seconds <= 1e12 else { return nil }
    return start.advanced(by: .seconds(seconds))
  }

  /// No deadline, no cancellation, no progress.
  public static let unlimited = SolveControl()

  /// Whether the solve should stop now: the deadline has passed or ``shouldStop`` returns `true`.
  public var isStopRequested: Bool { stopReason() != nil }

  /// Seconds until the deadline (0 once passed), or `nil` without a deadline.
  public var remainingSeconds: Double? {
    guard let deadline else { return nil }
    let d = deadline - ContinuousClock.now
    let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    return max(0, s)
  }

  /// Why the solve should stop now: ``Termination/interrupted`` when ``shouldStop`` returns
  /// `true` (checked first), ``Termination/timeLimit`` when the deadline has passed, else `nil`.
  public func stopReason() -> Termination? {
    if let shouldStop, shouldStop() { return .interrupted }
    if let deadline, ContinuousClock.now >= deadline { return .timeLimit }
    return nil
  }

  /// Sends `snapshot` to ``progress``, if any.
  public func report(_ snapshot: SolveProgress) {
    progress?(snapshot)
  }

  /// This control with every progress snapshot's `elapsed` re-measured on `clock`: for a
  /// solver run inside another, whose own clock starts later, so that the snapshots the
  /// caller sees never go back in time.
  package func timingProgress(on clock: Stopwatch) -> SolveControl {
    guard let outer = progress else { return self }
    var copy = self
    copy.progress = { snapshot in
      var snapshot = snapshot
      snapshot.elapsed = clock.seconds
      outer(snapshot)
    }
    return copy
  }

  /// This control with its deadline moved earlier to at most `seconds` from now (for one
  /// phase of a solve that shares its budget); cancellation and progress are kept.
  public func limited(toSeconds seconds: Double) -> SolveControl {
    var copy = self
    guard let phaseDeadline = Self.instant(after: seconds) else { return copy }
    copy.deadline = deadline.map { min($0, phaseDeadline) } ?? phaseDeadline
    return copy
  }
}

/// A thread-safe flag to cancel a solve from another thread or a signal handler's queue:
/// pass `{ flag.isSet }` as ``SolveControl/shouldStop``.
public final class StopFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false

  /// Creates an unset flag.
  public init() {}

  /// Whether ``set()`` was called.
  public var isSet: Bool {
    lock.lock()
    defer { lock.unlock() }
    return value
  }

  /// Sets the flag (idempotent).
  public func set() {
    lock.lock()
    value = true
    lock.unlock()
  }
}
