import MISModel

/// Which model ``ExactSolver`` hands to GLPK.
///
/// Both give the same optimum (the model of `Docs/model.md`); they differ in speed. See
/// `Docs/exact-solver.md` for the measurements behind ``automatic``.
public enum ExactFormulation: String, Sendable, Hashable, CaseIterable {
  /// Let the solver choose from the instance's size (see ``resolved(for:)``).
  case automatic
  /// The reduced compact model (``Formulation``): routing columns `a`, `b` and linking rows.
  case compact
  /// Branch-and-Benders-cut on the thinned model (``BendersSolver``): placements, file
  /// groups and capacity in GLPK, routing as optimality cuts generated on demand.
  case benders

  /// The concrete formulation for `index`.
  ///
  /// `automatic` is ``benders`` for every instance: in the measurements of
  /// `Docs/exact-solver.md` (paper instances from 3×4×10 to 5×8×40) the thinned master
  /// proved optima the compact model did not, and used less CPU where both finished; on
  /// the tiny instances of the tests both take milliseconds. The compact model stays
  /// available for comparison and is the fallback when GLPK fails inside the Benders search.
  public func resolved(for index: ProblemIndex) -> ExactFormulation {
    switch self {
    case .compact, .benders: return self
    case .automatic:
      _ = index
      return .benders
    }
  }
}
