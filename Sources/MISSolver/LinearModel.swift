/// A solver-neutral sparse minimisation model: `minimise c·x + c₀` subject to
/// `rowLower ≤ A·x ≤ rowUpper` and `columnLower ≤ x ≤ columnUpper`, some `x`
/// integer.
///
/// The model is a plain value: build it on any thread, pass it anywhere. It
/// knows nothing of GLPK; ``GLPKSolver`` validates and canonicalises it
/// (``canonicalized()``) before the first C call.
///
/// Infinite bounds are written `-.infinity` / `.infinity`.
///
/// ```swift
/// var model = LinearModel()
/// let x = model.addColumn(name: "x", upperBound: 1, objective: -5, isInteger: true)
/// let y = model.addColumn(name: "y", upperBound: 1, objective: -4, isInteger: true)
/// model.addRow(name: "weight", upperBound: 6, terms: [(x, 4), (y, 3)])
/// let outcome = try GLPKSolver.solveMIP(model)
/// ```
public struct LinearModel: Sendable, Hashable {
  /// One variable.
  public struct Column: Sendable, Hashable {
    /// A display name; sanitised (see ``LinearModel/sanitizedNames()``) when written to a file.
    public var name: String
    /// Lower bound; finite or `-.infinity`.
    public var lowerBound: Double
    /// Upper bound; finite or `.infinity`, and at least `lowerBound`.
    public var upperBound: Double
    /// Objective coefficient; finite.
    public var objective: Double
    /// Whether the variable must take an integer value (ignored by LP solves).
    public var isInteger: Bool

    /// Creates a column. See the properties for the constraints on values.
    public init(
      name: String, lowerBound: Double, upperBound: Double, objective: Double, isInteger: Bool
    ) {
      self.name = name
      self.lowerBound = lowerBound
      self.upperBound = upperBound
      self.objective = objective
      self.isInteger = isInteger
    }
  }

  /// One constraint `lowerBound ≤ Σ coefficients[k] · x[columnIndices[k]] ≤ upperBound`.
  ///
  /// The terms are two parallel arrays of equal length. Indices may repeat (the
  /// coefficients are then added up by ``LinearModel/canonicalized()``).
  public struct Row: Sendable, Hashable {
    /// A display name; sanitised when written to a file.
    public var name: String
    /// Lower bound; finite or `-.infinity`.
    public var lowerBound: Double
    /// Upper bound; finite or `.infinity`, and at least `lowerBound`.
    public var upperBound: Double
    /// Zero-based column indices of the terms.
    public var columnIndices: [Int32]
    /// Coefficients of the terms, parallel to `columnIndices`; finite.
    public var coefficients: [Double]

    /// Creates a row. See the properties for the constraints on values.
    public init(
      name: String, lowerBound: Double, upperBound: Double,
      columnIndices: [Int32], coefficients: [Double]
    ) {
      self.name = name
      self.lowerBound = lowerBound
      self.upperBound = upperBound
      self.columnIndices = columnIndices
      self.coefficients = coefficients
    }
  }

  /// The largest number of non-zeros accepted (50 million). Larger models
  /// fail fast with ``SolverError/tooLarge(reason:)`` instead of exhausting
  /// memory inside GLPK (which needs roughly 100 bytes per non-zero).
  public static let maximumNonzeros = 50_000_000

  /// The variables, in index order.
  public var columns: [Column] = []
  /// The constraints, in index order.
  public var rows: [Row] = []
  /// The constant `c₀` added to the objective; finite.
  public var objectiveConstant: Double = 0

  /// Creates an empty model.
  public init() {}

  /// The number of stored terms over all rows (before merging duplicates).
  ///
  /// - Complexity: O(rows).
  public var nonzeroCount: Int {
    rows.reduce(0) { $0 + $1.columnIndices.count }
  }

  /// Appends a column and returns its zero-based index.
  ///
  /// - Parameters:
  ///   - name: display name (may be empty; a name is generated when writing).
  ///   - lowerBound: finite or `-.infinity`; default 0.
  ///   - upperBound: finite or `.infinity`; default `.infinity`.
  ///   - objective: objective coefficient; default 0.
  ///   - isInteger: integrality; default `false`.
  /// - Returns: the index to use in ``addRow(name:lowerBound:upperBound:terms:)``.
  /// - Complexity: amortised O(1).
  @discardableResult
  public mutating func addColumn(
    name: String = "", lowerBound: Double = 0, upperBound: Double = .infinity,
    objective: Double = 0, isInteger: Bool = false
  ) -> Int {
    columns.append(
      Column(
        name: name, lowerBound: lowerBound, upperBound: upperBound,
        objective: objective, isInteger: isInteger))
    return columns.count - 1
  }

  /// Appends a 0/1 integer column and returns its zero-based index.
  ///
  /// - Complexity: amortised O(1).
  @discardableResult
  public mutating func addBinaryColumn(name: String = "", objective: Double = 0) -> Int {
    addColumn(name: name, lowerBound: 0, upperBound: 1, objective: objective, isInteger: true)
  }

  /// Appends a row and returns its zero-based index.
  ///
  /// Indices that do not fit in `Int32` are stored clamped, which keeps them
  /// out of range, so ``validate()`` reports them; nothing traps here.
  ///
  /// - Parameters:
  ///   - name: display name (may be empty).
  ///   - lowerBound: finite or `-.infinity`; default `-.infinity`.
  ///   - upperBound: finite or `.infinity`; default `.infinity`.
  ///   - terms: `(column, coefficient)` pairs; repeats are summed later.
  /// - Returns: the row's index.
  /// - Complexity: O(terms).
  @discardableResult
  public mutating func addRow(
    name: String = "", lowerBound: Double = -.infinity, upperBound: Double = .infinity,
    terms: [(column: Int, coefficient: Double)]
  ) -> Int {
    rows.append(
      Row(
        name: name, lowerBound: lowerBound, upperBound: upperBound,
        columnIndices: terms.map { Int32(clamping: $0.column) },
        coefficients: terms.map(\.coefficient)))
    return rows.count - 1
  }

  /// Checks the model without changing it.
  ///
  /// Checks: finite objective coefficients, constant and matrix coefficients;
  /// no NaN bounds; lower bounds not `+∞`, upper bounds not `-∞`,
  /// `lowerBound ≤ upperBound`; parallel term arrays of equal length; column
  /// indices in range; sizes within 32-bit GLPK indices and
  /// ``maximumNonzeros``. Repeated column indices in a row are allowed.
  /// Names are not checked: they are sanitised when written.
  ///
  /// - Throws: ``SolverError/tooLarge(reason:)`` for size, otherwise
  ///   ``SolverError/invalidModel(reason:)`` listing up to 20 issues, each
  ///   with a path such as `rows[3].terms[1]`.
  /// - Complexity: O(columns + rows + non-zeros).
  public func validate() throws(SolverError) {
    try checkSize()
    var issues = IssueList()
    if !objectiveConstant.isFinite {
      issues.add("objectiveConstant: \(objectiveConstant) is not finite")
    }
    for (j, column) in columns.enumerated() {
      checkBounds(
        column.lowerBound, column.upperBound, path: "columns[\(j)]", into: &issues)
      if !column.objective.isFinite {
        issues.add("columns[\(j)].objective: \(column.objective) is not finite")
      }
    }
    let n = columns.count
    for (i, row) in rows.enumerated() {
      checkBounds(row.lowerBound, row.upperBound, path: "rows[\(i)]", into: &issues)
      guard row.columnIndices.count == row.coefficients.count else {
        issues.add(
          "rows[\(i)]: \(row.columnIndices.count) column indices but \(row.coefficients.count) coefficients"
        )
        continue
      }
      for k in row.columnIndices.indices {
        let j = row.columnIndices[k]
        if j < 0 || Int(j) >= n {
          issues.add("rows[\(i)].terms[\(k)]: column index \(j) out of range 0..<\(n)")
        }
        let a = row.coefficients[k]
        if !a.isFinite {
          issues.add("rows[\(i)].terms[\(k)]: coefficient is \(a)")
        }
      }
    }
    if let reason = issues.joined { throw .invalidModel(reason: reason) }
  }

  /// Returns a validated copy whose rows have strictly increasing column
  /// indices, repeated indices merged by adding their coefficients, and
  /// exact zeros dropped — the form GLPK's `glp_load_matrix` requires.
  ///
  /// - Throws: as ``validate()``, and ``SolverError/invalidModel(reason:)``
  ///   if merging makes a coefficient overflow to infinity.
  /// - Complexity: O(non-zeros · log(row length)) in the worst case; rows
  ///   already canonical are copied unchanged.
  public func canonicalized() throws(SolverError) -> LinearModel {
    try validate()
    var result = self
    for i in result.rows.indices {
      let row = result.rows[i]
      if Self.isCanonical(row) { continue }
      let order = row.columnIndices.indices.sorted {
        (row.columnIndices[$0], $0) < (row.columnIndices[$1], $1)
      }
      var indices: [Int32] = []
      var values: [Double] = []
      indices.reserveCapacity(order.count)
      values.reserveCapacity(order.count)
      for k in order {
        let j = row.columnIndices[k]
        if let last = indices.last, last == j {
          values[values.count - 1] += row.coefficients[k]
        } else {
          indices.append(j)
          values.append(row.coefficients[k])
        }
      }
      if values.contains(where: { !$0.isFinite }) {
        throw .invalidModel(reason: "rows[\(i)]: merged coefficient overflows")
      }
      var kept = 0
      for k in indices.indices where values[k] != 0 {
        indices[kept] = indices[k]
        values[kept] = values[k]
        kept += 1
      }
      indices.removeLast(indices.count - kept)
      values.removeLast(values.count - kept)
      result.rows[i].columnIndices = indices
      result.rows[i].coefficients = values
    }
    return result
  }

  /// Names safe for free MPS and CPLEX LP files, as GLPK writes them.
  ///
  /// Each name keeps ASCII letters, digits, `_` and `.`; other characters
  /// become `_`; a name starting with a digit or `.` gets a `_` prefix; empty
  /// names become `c<j>` / `r<i>`; names are cut to 240 characters; repeats get
  /// a `_<index>` suffix. Row names never equal `obj`, the objective's name.
  ///
  /// - Returns: one name per column and per row, unique within each list.
  /// - Complexity: O(total name length).
  public func sanitizedNames() -> (columns: [String], rows: [String]) {
    var usedColumns = Set<String>()
    let columnNames = columns.indices.map { j in
      Self.sanitize(columns[j].name, fallback: "c\(j)", index: j, used: &usedColumns)
    }
    var usedRows: Set<String> = [Self.objectiveName]
    let rowNames = rows.indices.map { i in
      Self.sanitize(rows[i].name, fallback: "r\(i)", index: i, used: &usedRows)
    }
    return (columnNames, rowNames)
  }

  /// The name given to the objective in written files.
  static let objectiveName = "obj"

  /// Describes the first way `x` violates the model (bounds, integrality,
  /// rows) within ``SolverTolerance``, or returns `nil` if it satisfies it.
  ///
  /// - Precondition: `x.count == columns.count`, model validated.
  func firstViolation(of x: [Double], checkIntegrality: Bool) -> String? {
    for (j, column) in columns.enumerated() {
      let v = x[j]
      guard v.isFinite else { return "x[\(j)] = \(v) is not finite" }
      let tol = SolverTolerance.feasibility
      if v < column.lowerBound - tol * max(1, abs(column.lowerBound))
        || v > column.upperBound + tol * max(1, abs(column.upperBound))
      {
        return "x[\(j)] = \(v) outside [\(column.lowerBound), \(column.upperBound)]"
      }
      if checkIntegrality, column.isInteger,
        abs(v - v.rounded()) > SolverTolerance.integrality
      {
        return "x[\(j)] = \(v) is not integral"
      }
    }
    for (i, row) in rows.enumerated() {
      var activity = 0.0
      var scale = 1.0
      for k in row.columnIndices.indices {
        let term = row.coefficients[k] * x[Int(row.columnIndices[k])]
        activity += term
        scale = max(scale, abs(term))
      }
      let tol = SolverTolerance.feasibility * scale
      if activity < row.lowerBound - tol || activity > row.upperBound + tol {
        return "rows[\(i)] activity \(activity) outside [\(row.lowerBound), \(row.upperBound)]"
      }
    }
    return nil
  }

  /// The objective `c·x + c₀`.
  func objectiveValue(at x: [Double]) -> Double {
    var value = objectiveConstant
    for (j, column) in columns.enumerated() { value += column.objective * x[j] }
    return value
  }

  // MARK: - Private helpers

  private func checkSize() throws(SolverError) {
    // GLPK indexes rows and columns with `int`, 1-based, and its matrix
    // arrays have ne + 1 elements.
    let limit = Int(Int32.max) - 1
    if columns.count > limit {
      throw .tooLarge(reason: "\(columns.count) columns; GLPK accepts at most \(limit)")
    }
    if rows.count > limit {
      throw .tooLarge(reason: "\(rows.count) rows; GLPK accepts at most \(limit)")
    }
    let nonzeros = nonzeroCount
    if nonzeros > Self.maximumNonzeros {
      throw .tooLarge(
        reason: "\(nonzeros) non-zeros; the limit is \(Self.maximumNonzeros)")
    }
  }

  private func checkBounds(
    _ lower: Double, _ upper: Double, path: String, into issues: inout IssueList
  ) {
    if lower.isNaN || upper.isNaN {
      issues.add("\(path): bound is NaN")
    } else if lower == .infinity {
      issues.add("\(path).lowerBound is +infinity")
    } else if upper == -.infinity {
      issues.add("\(path).upperBound is -infinity")
    } else if lower > upper {
      issues.add("\(path): lowerBound \(lower) > upperBound \(upper)")
    }
  }

  private static func isCanonical(_ row: Row) -> Bool {
    var previous: Int32 = -1
    for k in row.columnIndices.indices {
      let j = row.columnIndices[k]
      if j <= previous || row.coefficients[k] == 0 { return false }
      previous = j
    }
    return true
  }

  private static func sanitize(
    _ name: String, fallback: String, index: Int, used: inout Set<String>
  ) -> String {
    var scalars = String.UnicodeScalarView()
    for scalar in name.unicodeScalars.prefix(240) {
      let ok =
        scalar.isASCII
        && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
          || ("0"..."9").contains(scalar) || scalar == "_" || scalar == ".")
      scalars.append(ok ? scalar : "_")
    }
    var candidate = String(scalars)
    if candidate.isEmpty {
      candidate = fallback
    } else if let first = candidate.unicodeScalars.first,
      first == "." || ("0"..."9").contains(first)
    {
      candidate = "_" + candidate
    }
    if used.contains(candidate) {
      candidate += "_\(index)"
      // A user name may itself look like `x_3`; fall back to the index form.
      if used.contains(candidate) { candidate = "\(fallback)_\(index)" }
      var bump = 1
      while used.contains(candidate) {
        candidate = "\(fallback)_\(index)_\(bump)"
        bump += 1
      }
    }
    used.insert(candidate)
    return candidate
  }
}

extension LinearModel.Column {
  /// The bounds of an integer column rounded inward to integers, allowing
  /// ``SolverTolerance/integrality`` of noise (so 2.0000000001 stays 2).
  /// GLPK rejects fractional bounds on integer columns (`GLP_EBOUND`).
  var integerBounds: (lower: Double, upper: Double) {
    (
      (lowerBound - SolverTolerance.integrality).rounded(.up),
      (upperBound + SolverTolerance.integrality).rounded(.down)
    )
  }
}

/// The numeric tolerances of this module, in one place.
enum SolverTolerance {
  /// Relative tolerance for bounds and rows when checking a start vector.
  static let feasibility = 1e-6
  /// Absolute distance to the nearest integer accepted as integral.
  static let integrality = 1e-6
}

/// Collects up to 20 validation issues.
private struct IssueList {
  private var items: [String] = []
  private var dropped = 0
  static let limit = 20

  var isFull: Bool { items.count >= Self.limit }

  mutating func add(_ issue: String) {
    if isFull { dropped += 1 } else { items.append(issue) }
  }

  var joined: String? {
    guard !items.isEmpty else { return nil }
    let more = dropped > 0 ? "; and \(dropped) more" : ""
    return items.joined(separator: "; ") + more
  }
}
