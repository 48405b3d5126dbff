#!/usr/bin/env python3
"""Writes the fleet (mis-instance/1 without images) and the demand table of the real-image
benchmark, seeded, from the image ids of the OCI layouts given.

usage: make-fleet.py SEED FLEET.json DEMAND.csv LAYOUT...

Fleet: 4 registries, 10 nodes, each node linked to 2 registries (12.5–50 MB/s, 10–40 ms),
every node linked to the origin (2.5–6 MB/s, 100–200 ms). Capacities are set per run by
grid.py. Demand: every node pulls 6 of the images, chosen by a Zipf(1.1) popularity over a
seeded order of the images, 10–200 pulls each: the old and the rebuilt variants of the
same application are both in use, as during a rollout.
"""
import json
import os
import random
import sys

seed, fleet_path, demand_path, layouts = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
rng = random.Random(seed)

images = []
for layout in layouts:
    base = os.path.basename(os.path.normpath(layout))
    with open(os.path.join(layout, "index.json")) as f:
        for m in json.load(f)["manifests"]:
            ref = m.get("annotations", {}).get("org.opencontainers.image.ref.name")
            images.append(f"{base}:{ref}" if ref else f"{base}@{m['digest']}")

registries = [{"id": f"edge-{c}", "capacityBytes": 0} for c in "abcd"]
nodes = [{"id": f"site-{i + 1:02d}"} for i in range(10)]
links, origin = [], []
for i, node in enumerate(nodes):
    for r in rng.sample(range(len(registries)), 2):
        links.append({"node": node["id"], "registry": registries[r]["id"],
                      "bandwidthBytesPerSecond": round(rng.uniform(12.5e6, 50e6)),
                      "latencySeconds": round(rng.uniform(0.010, 0.040), 4)})
    origin.append({"node": node["id"], "bandwidthBytesPerSecond": round(rng.uniform(2.5e6, 6e6)),
                   "latencySeconds": round(rng.uniform(0.100, 0.200), 4)})
links.sort(key=lambda l: (l["node"], l["registry"]))
fleet = {"format": "mis-instance/1", "name": "debian-real-images",
         "reconstruction": {"secondsPerLayer": 0.21, "secondsPerByte": 0},
         "registries": registries, "nodes": nodes, "links": links, "origin": {"links": origin}}
with open(fleet_path, "w") as f:
    json.dump(fleet, f, indent=1)

order = images[:]
rng.shuffle(order)
weights = [1.0 / (k + 1) ** 1.1 for k in range(len(order))]
with open(demand_path, "w") as f:
    f.write("node,image,pulls\n")
    for node in nodes:
        chosen = set()
        while len(chosen) < min(6, len(order)):
            chosen.add(rng.choices(range(len(order)), weights)[0])
        for k in sorted(chosen):
            f.write(f"{node['id']},{order[k]},{rng.randint(10, 200)}\n")
