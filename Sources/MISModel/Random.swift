import Foundation

/// A small, fast, seedable pseudo-random number generator: Steele, Lea and Flood's
/// SplitMix64.
///
/// Every random choice of the instance generator (and of anything else in MIS whose
/// output must be reproducible) draws from a `SplitMix64`. Its output sequence is a
/// pure function of the seed, fixed by the algorithm below, so the same seed gives
/// the same numbers on every platform and with every Swift version — unlike the
/// standard library's `Int.random(in:using:)` or `shuffled(using:)`, whose way of
/// consuming the generator is an implementation detail. Inside the package, draws go
/// through this file's helpers (Lemire's bounded integers, a Fisher–Yates shuffle) instead
/// of those; outside, pass it wherever MIS takes a generator (e.g. `Rounding.round`).
///
/// ```swift
/// var rng = SplitMix64(seed: 42)
/// let u = rng.nextUniform()       // in [0, 1)
/// var trialRNG = rng.split()      // an independent stream, e.g. for one trial
/// ```
///
/// Reference: G. L. Steele Jr., D. Lea, C. H. Flood, "Fast splittable pseudorandom
/// number generators", OOPSLA 2014, doi:10.1145/2660193.2660195.
///
/// - Complexity: O(1) per number; the state is one `UInt64`.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
  /// The generator's state; advanced by the golden-ratio increment on every draw.
  public private(set) var state: UInt64

  /// Creates a generator whose sequence is determined by `seed` alone.
  ///
  /// - Parameter seed: any value; 0 is fine.
  public init(seed: UInt64) {
    self.state = seed
  }

  /// Returns the next 64 uniformly distributed random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Returns a uniformly distributed `Double` in `[0, 1)`, with 53 random bits:
  /// `Double(next() >> 11) * 0x1p-53`.
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// Derives a new generator whose stream is independent of this one's, and advances
  /// this one by a single draw.
  ///
  /// Use it to give each trial, worker or generation phase its own stream, so that
  /// changing how many numbers one of them consumes does not shift the others.
  ///
  /// - Returns: `SplitMix64(seed: next())`.
  public mutating func split() -> SplitMix64 {
    SplitMix64(seed: next())
  }
}

/// Draws whose consumption of the generator is fixed by this code (package plumbing: the
/// generator and the solvers use them; they are not part of the public API, which keeps
/// standard-library protocols free of MIS extensions).
extension RandomNumberGenerator {
  /// Returns a uniformly distributed `Double` in `[0, 1)` built from 53 bits of
  /// `next()`: `Double(next() >> 11) * 0x1p-53`.
  package mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// Returns a uniformly distributed `Double` in `[lower, upper)` (or `lower` when
  /// the bounds are equal).
  ///
  /// - Parameters:
  ///   - lower: the inclusive lower bound.
  ///   - upper: the exclusive upper bound, ≥ `lower`.
  package mutating func nextUniform(_ lower: Double, _ upper: Double) -> Double {
    lower + (upper - lower) * nextUniform()
  }

  /// Returns a uniformly distributed integer in `0..<upperBound`, without modulo bias.
  ///
  /// Uses Lemire's nearly divisionless method (D. Lemire, "Fast random integer
  /// generation in an interval", ACM TOMACS 29(1), 2019, doi:10.1145/3230636), so the
  /// numbers drawn from the generator are fixed by this code, not by the standard
  /// library.
  ///
  /// - Parameter upperBound: the exclusive bound; must be positive.
  /// - Returns: an integer `i` with `0 ≤ i < upperBound`.
  /// - Complexity: O(1) expected draws (fewer than two on average).
  package mutating func nextInt(upperBound: Int) -> Int {
    precondition(upperBound > 0, "nextInt(upperBound:) needs a positive bound")
    let bound = UInt64(upperBound)
    var product = next().multipliedFullWidth(by: bound)
    if product.low < bound {
      let threshold = (0 &- bound) % bound
      while product.low < threshold {
        product = next().multipliedFullWidth(by: bound)
      }
    }
    return Int(product.high)
  }

  /// Returns a uniformly distributed integer in `range`.
  ///
  /// - Parameter range: a closed range, e.g. `2...4`.
  /// - Returns: an element of `range`, each equally likely.
  package mutating func nextInt(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + nextInt(upperBound: range.upperBound - range.lowerBound + 1)
  }

  /// Returns `true` with probability `probability` (clamped to `[0, 1]`).
  package mutating func nextBernoulli(_ probability: Double) -> Bool {
    nextUniform() < probability
  }

  /// Returns a standard normal deviate, by Marsaglia's polar method.
  ///
  /// Only `log` and `sqrt` are used; `sqrt` is exact in IEEE 754 and `log` comes from
  /// the platform's C library (correctly rounded in glibc ≥ 2.28 for almost all
  /// arguments), so sequences agree across Swift versions on one platform and in
  /// practice across platforms.
  ///
  /// - Complexity: O(1) expected (the rejection loop accepts with probability π/4).
  package mutating func nextGaussian() -> Double {
    while true {
      let u = 2 * nextUniform() - 1
      let v = 2 * nextUniform() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        return u * (-2 * log(s) / s).squareRoot()
      }
    }
  }

  /// Returns a log-normal deviate `median · exp(sigma · N(0,1))`.
  ///
  /// - Parameters:
  ///   - median: the distribution's median (`exp(μ)`), > 0.
  ///   - sigma: the standard deviation of its logarithm, ≥ 0.
  package mutating func nextLogNormal(median: Double, sigma: Double) -> Double {
    median * exp(sigma * nextGaussian())
  }

  /// Returns a Poisson deviate with mean `mean` (Knuth's multiplication method;
  /// intended for small means, say ≤ 30).
  ///
  /// - Complexity: O(mean) draws.
  package mutating func nextPoisson(mean: Double) -> Int {
    guard mean > 0 else { return 0 }
    let limit = exp(-mean)
    var count = 0
    var product = nextUniform()
    while product > limit {
      count += 1
      product *= nextUniform()
    }
    return count
  }

  /// Returns `count` distinct integers drawn uniformly from `0..<upperBound`, in the
  /// order they were chosen (Floyd's sampling algorithm).
  ///
  /// The returned *set* is uniform over all subsets of that size; its order is not a
  /// uniform permutation. Shuffle it with ``MutableCollection/stableShuffle(using:)``
  /// if order matters.
  ///
  /// - Parameters:
  ///   - count: how many integers; clamped to `0...upperBound`.
  ///   - upperBound: the exclusive bound, ≥ 0.
  /// - Complexity: O(count) expected time and space, independent of `upperBound`.
  package mutating func nextDistinctIndices(count: Int, upperBound: Int) -> [Int] {
    let k = min(max(count, 0), max(upperBound, 0))
    var chosen: [Int] = []
    chosen.reserveCapacity(k)
    var seen = Set<Int>(minimumCapacity: k)  // membership only; never iterated
    for j in (upperBound - k)..<upperBound {
      let t = nextInt(upperBound: j + 1)
      let pick = seen.contains(t) ? j : t
      seen.insert(pick)
      chosen.append(pick)
    }
    return chosen
  }
}

extension MutableCollection where Self: RandomAccessCollection {
  /// Shuffles the collection in place with the Fisher–Yates (Durstenfeld) algorithm,
  /// drawing from `rng` through ``RandomNumberGenerator/nextInt(upperBound:)``.
  ///
  /// Unlike `shuffle(using:)` of the standard library, the permutation is a fixed
  /// function of the generator's output, stable across Swift versions.
  ///
  /// ```swift
  /// var rng = SplitMix64(seed: 7)
  /// var deck = Array(0..<10)
  /// deck.stableShuffle(using: &rng)
  /// ```
  ///
  /// - Complexity: O(n).
  package mutating func stableShuffle<G: RandomNumberGenerator>(using rng: inout G) {
    let n = count
    guard n > 1 else { return }
    var remaining = n
    var position = index(startIndex, offsetBy: n - 1)
    while remaining > 1 {
      let j = rng.nextInt(upperBound: remaining)
      swapAt(position, index(startIndex, offsetBy: j))
      remaining -= 1
      formIndex(before: &position)
    }
  }
}

extension Sequence {
  /// Returns the elements in a random order, by Fisher–Yates over `rng` (see
  /// ``MutableCollection/stableShuffle(using:)``); stable across Swift versions.
  ///
  /// - Complexity: O(n).
  package func stableShuffled<G: RandomNumberGenerator>(using rng: inout G) -> [Element] {
    var result = Array(self)
    result.stableShuffle(using: &rng)
    return result
  }
}
