/// Every numerical tolerance of the package, in one place.
///
/// Objectives are sums of products of demands, latencies and sizes over bandwidths; two
/// computations of the same plan's objective in a different order differ by rounding only.
/// Solver results are always re-evaluated by ``ProblemIndex/evaluate(_:)-(Plan)``; a
/// disagreement beyond ``objectiveRelative`` is an error, never a warning.
public enum Tolerance {
  /// Relative tolerance between a solver's own objective and the evaluator's (1e-6, the
  /// tolerance `Docs/model.md` §6 allows an exact solver).
  public static let objectiveRelative = 1e-6

  /// Relative gap under which a solve counts as proven optimal.
  public static let optimalityGap = 1e-6

  /// Whether `a` and `b` agree within ``objectiveRelative`` (relative to max(1, |a|, |b|)).
  public static func objectivesAgree(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) <= objectiveRelative * max(1, abs(a), abs(b))
  }

  /// `a ≤ b` up to ``objectiveRelative``.
  public static func atMost(_ a: Double, _ b: Double) -> Bool {
    a <= b + objectiveRelative * max(1, abs(a), abs(b))
  }
}
