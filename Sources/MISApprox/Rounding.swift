import MISModel
import MISSolver

/// The randomized rounding of the MIS strategy, as a pure function of the fractional
/// solution and a random number generator.
///
/// For every registry `r` one uniform threshold `U_r` is drawn; then for every candidate
/// (layer, registry) an independent coin. Layer `l` is kept at layer level on `r` with
/// probability `x*[l,r]` (its coin), and at file level iff `U_r < z*[l,r]`; the file group
/// `g` is stored iff `U_r < y*[g,r]`. Because `z*[l,r] ≤ y*[g,r]` for every group of `l`,
/// every kept file-level layer finds all its files. When a layer wins both on one registry
/// the layer-level copy is kept (it serves every pull at least as fast and the file-level
/// copy's files are then dropped unless another kept layer needs them).
///
/// `Docs/approximation.md` proves that before repair each registry's expected storage is at
/// most its capacity and the expected latency saved is at least (1 − 1/e) of the LP's.
///
/// - Complexity: O(R + candidate placements).
public enum RandomizedRounding {
  /// Rounds `relaxation` (which must be optimal) into a plan that may exceed capacities.
  ///
  /// The draws are consumed in a fixed order (thresholds by registry, then coins by layer
  /// and registry), so a seeded generator gives the same plan on every platform.
  public static func round<G: RandomNumberGenerator>(_ relaxation: Relaxation, using rng: inout G) -> PlacementMatrix {
    let formulation = relaxation.formulation
    let index = formulation.index
    let R = index.registryCount
    var matrix = PlacementMatrix(for: index)
    guard relaxation.status == .optimal, !relaxation.values.isEmpty else { return matrix }
    var threshold = [Double](repeating: 0, count: R)
    for r in 0..<R { threshold[r] = uniform(&rng) }
    for l in 0..<index.layerCount {
      for r in 0..<R {
        let xColumn = formulation.layerColumn[l * R + r]
        let zColumn = formulation.fileColumn[l * R + r]
        var keepLayer = false
        if xColumn >= 0 { keepLayer = uniform(&rng) < relaxation.values[Int(xColumn)] }
        if keepLayer {
          matrix[l, r] = .layer
        } else if zColumn >= 0, threshold[r] < relaxation.values[Int(zColumn)] {
          matrix[l, r] = .file
        }
      }
    }
    return matrix
  }

  /// Rounds a fractional plan (from the Lagrangian engine or the exact LP) into a plan that
  /// may exceed capacities — the same rule as ``round(_:using:)``: one threshold `U_r` per
  /// registry for the file-level shares (so that a stored file-level layer finds all its
  /// files: a file group is kept iff `U_r` is below the largest share of the layers needing
  /// it), one coin per layer-level share.
  ///
  /// Draws: thresholds by registry, then a coin for each candidate with a positive
  /// layer-level share, by layer then registry.
  public static func round<G: RandomNumberGenerator>(_ fractional: FractionalPlan, using rng: inout G)
    -> PlacementMatrix
  {
    var matrix = PlacementMatrix(layerCount: fractional.layerCount, registryCount: fractional.registryCount)
    var threshold = [Double](repeating: 0, count: fractional.registryCount)
    for r in 0..<fractional.registryCount { threshold[r] = uniform(&rng) }
    for l in 0..<fractional.layerCount {
      fractional.forEachCandidate(layer: l) { r, x, z in
        if x > 0, uniform(&rng) < x {
          matrix[l, r] = .layer
        } else if threshold[r] < z {
          matrix[l, r] = .file
        }
      }
    }
    return matrix
  }

  /// The placements whose share is 1 (layer level first): the plan of a 0/1 fractional
  /// plan, such as the Lagrangian subproblem's solution. No draws.
  static func integral(_ fractional: FractionalPlan) -> PlacementMatrix {
    var matrix = PlacementMatrix(layerCount: fractional.layerCount, registryCount: fractional.registryCount)
    for l in 0..<fractional.layerCount {
      fractional.forEachCandidate(layer: l) { r, x, z in
        if x >= 1 {
          matrix[l, r] = .layer
        } else if z >= 1 {
          matrix[l, r] = .file
        }
      }
    }
    return matrix
  }

  /// A uniform draw in [0, 1) from the top 53 bits of one 64-bit output.
  @inline(__always)
  static func uniform<G: RandomNumberGenerator>(_ rng: inout G) -> Double {
    Double(rng.next() >> 11) * 0x1p-53
  }
}
