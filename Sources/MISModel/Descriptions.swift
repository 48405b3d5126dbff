import Foundation

// Short, one-line descriptions: `print(instance)`, `print(plan)` or a result holding an index
// show a summary whose length does not grow with the instance, never the whole value
// (`dump(_:)` still shows everything).

/// A number with at most six significant digits, for summaries.
private func short(_ value: Double) -> String {
  guard value.isFinite else { return "\(value)" }
  if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
  return String(format: "%.6g", value)
}

/// `"name"`, cut to 60 characters, or `(unnamed)`.
private func shortName(_ name: String?) -> String {
  guard let name else { return "(unnamed)" }
  return name.count > 60 ? "\"\(name.prefix(57))…\"" : "\"\(name)\""
}

/// `count noun(s)`.
private func counted(_ count: Int, _ noun: String, _ plural: String? = nil) -> String {
  "\(count) \(count == 1 ? noun : (plural ?? noun + "s"))"
}

extension Instance: CustomStringConvertible {
  /// A one-line summary: name and the size of every list, e.g.
  /// `Instance "three-registries": 3 registries, 3 nodes, 6 links, 3 origin links, 9 files,
  /// 8 layers, 4 images, 8 demands`.
  public var description: String {
    "Instance \(shortName(name)): \(counted(registries.count, "registry", "registries")), "
      + "\(counted(nodes.count, "node")), \(counted(links.count, "link")), "
      + "\(counted(origin?.links.count ?? 0, "origin link")), \(counted(files.count, "file")), "
      + "\(counted(layers.count, "layer")), \(counted(images.count, "image")), \(counted(demands.count, "demand"))"
  }
}

extension Plan: CustomStringConvertible {
  /// A one-line summary: the instance and the number of placements per granularity, e.g.
  /// `Plan for "three-registries": 5 placements (3 layer-level, 2 file-level)`.
  public var description: String {
    let fileLevel = placements.reduce(0) { $0 + ($1.granularity == .file ? 1 : 0) }
    let target = instance.map { " for \(shortName($0))" } ?? ""
    return "Plan\(target): \(counted(placements.count, "placement")) "
      + "(\(placements.count - fileLevel) layer-level, \(fileLevel) file-level)"
  }
}

extension Placement: CustomStringConvertible {
  /// `layer "l" on registry "r" at layer level` (or `at file level`).
  public var description: String {
    "layer \(IdResolver.quoted(layer)) on registry \(IdResolver.quoted(registry)) at \(granularity.rawValue) level"
  }
}

extension PlacementMatrix: CustomStringConvertible {
  /// `PlacementMatrix (8 layers × 3 registries): 5 placements (3 layer-level, 2 file-level)`.
  public var description: String {
    var layerLevel = 0
    var fileLevel = 0
    for state in rawStates {
      if state == 1 { layerLevel += 1 } else if state == 2 { fileLevel += 1 }
    }
    return "PlacementMatrix (\(counted(layerCount, "layer")) × \(counted(registryCount, "registry", "registries"))): "
      + "\(counted(layerLevel + fileLevel, "placement")) (\(layerLevel) layer-level, \(fileLevel) file-level)"
  }
}

extension PlanMetrics: CustomStringConvertible {
  /// A one-line summary: feasibility (with the number of violations), total latency, pulls,
  /// mean pull time, reconstruction time and origin share, e.g. `feasible plan: total latency
  /// 155.91 s over 156 pulls (0.999 s per pull), reconstruction 0 s, origin share 12.5%,
  /// 3 registries`.
  public var description: String {
    var text = feasible ? "feasible plan: " : "infeasible plan (\(counted(violations.count, "violation"))): "
    if let total = totalLatencySeconds {
      text += "total latency \(short(total)) s over \(short(totalPulls)) pulls"
      if let mean = meanImagePullSeconds { text += " (\(short(mean)) s per pull)" }
    } else {
      text += "some demand unserved, \(short(totalPulls)) pulls"
    }
    text += ", reconstruction \(short(reconstructionSeconds)) s, origin share \(short(originShare * 100))%, "
    return text + counted(registries.count, "registry", "registries")
  }
}

extension RegistryMetrics: CustomStringConvertible {
  /// `registry "edge-a": 30000000 of 35000000 bytes, 2 layer-level and 1 file-level layers,
  /// 3 stored files`.
  public var description: String {
    "registry \(IdResolver.quoted(registry)): \(usedBytes) of \(capacityBytes) bytes, \(layerLevelLayers) layer-level "
      + "and \(fileLevelLayers) file-level layers, \(counted(storedFiles, "stored file"))"
  }
}

extension ProblemIndex: CustomStringConvertible {
  /// A one-line summary, never the instance itself, e.g. `ProblemIndex of "three-registries":
  /// 3 registries, 3 nodes, 8 layers, 9 files in 7 classes, 20 demanded (node, layer) pairs,
  /// 156 pulls`.
  public var description: String {
    "ProblemIndex of \(shortName(instance.name)): \(counted(registryCount, "registry", "registries")), "
      + "\(counted(nodeCount, "node")), \(counted(layerCount, "layer")), \(counted(fileCount, "file")) in "
      + "\(counted(classCount, "class", "classes")), "
      + "\(counted(layerDemand.values.count, "demanded (node, layer) pair")), \(short(totalPulls)) pulls"
  }
}
