import Foundation
import MISModel

/// The hand-computed instance of the evaluator tests (see EvaluatorTests for the numbers).
func handInstance() -> Instance {
  var b = InstanceBuilder(name: "hand", reconstruction: Reconstruction(secondsPerLayer: 0.5))
  b.addRegistry("r1", capacityBytes: 100)
  b.addRegistry("r2", capacityBytes: 50)
  b.addNode("n1")
  b.addNode("n2")
  b.addLink(node: "n1", registry: "r1", bandwidthBytesPerSecond: 10, latencySeconds: 1)
  b.addLink(node: "n2", registry: "r1", bandwidthBytesPerSecond: 5, latencySeconds: 0)
  b.addLink(node: "n2", registry: "r2", bandwidthBytesPerSecond: 10, latencySeconds: 0)
  b.addOriginLink(node: "n1", bandwidthBytesPerSecond: 1, latencySeconds: 2)
  b.addFile("f1", sizeBytes: 30)
  b.addFile("f2", sizeBytes: 20)
  b.addFile("f3", sizeBytes: 10)
  b.addLayer("L1", sizeBytes: 40, files: ["f1", "f2"])
  b.addLayer("L2", sizeBytes: 35, files: ["f1", "f3"])
  b.addLayer("L3", sizeBytes: 10, files: ["f3"])
  b.addImage("A", layers: ["L1", "L2"])
  b.addImage("B", layers: ["L2", "L3"])
  b.addDemand(node: "n1", image: "A", pulls: 3)
  b.addDemand(node: "n2", image: "B", pulls: 2)
  b.addDemand(node: "n2", image: "B", pulls: 1)
  return b.instance
}

/// A small valid instance document, as text, for JSON-level tests.
let validInstanceJSON = """
  {
    "format": "mis-instance/1",
    "name": "doc",
    "registries": [ { "id": "edge-a", "capacityBytes": 4000000000 } ],
    "nodes": [ { "id": "site-1" } ],
    "links": [ { "node": "site-1", "registry": "edge-a", "bandwidthBytesPerSecond": 12500000, "latencySeconds": 0.02 } ],
    "origin": { "links": [ { "node": "site-1", "bandwidthBytesPerSecond": 2500000, "latencySeconds": 0.15 } ] },
    "files": [ { "id": "f1", "sizeBytes": 1048576 } ],
    "layers": [ { "id": "sha256:aa", "sizeBytes": 734003, "files": ["f1"] } ],
    "images": [ { "id": "nginx:1.27", "layers": ["sha256:aa"] } ],
    "demands": [ { "node": "site-1", "image": "nginx:1.27", "pulls": 40 } ]
  }
  """

/// Decodes `text`, returning the error it throws (or nil when it decodes).
func decodeError(_ text: String) -> ModelError? {
  do {
    _ = try InstanceCodec.decode(Array(text.utf8))
    return nil
  } catch {
    return error
  }
}

/// `validInstanceJSON` with `old` replaced by `new` (the replacement must happen).
func mutated(_ old: String, _ new: String) -> String {
  precondition(validInstanceJSON.contains(old), "fixture does not contain \(old)")
  return validInstanceJSON.replacingOccurrences(of: old, with: new)
}
