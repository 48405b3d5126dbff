#!/usr/bin/env python3
"""Solves the imported real-image instances over a grid of capacity fractions and
reconstruction costs with every method; one CSV row per (file sizes, capacity fraction,
reconstruction, method).

usage: grid.py MIS WORKDIR OUT.csv

Capacity of every registry = fraction × Σ size of the demanded layers (the generator's
definition, without its random spread). Reconstruction: secondsPerLayer in
{0.05, 0.21, 1, 3} with secondsPerByte 0, and 0.21 s + 1 s/GB. Exact (GLPK) runs at every
point under EXACT_LIMIT seconds (default 30): these instances have few file classes.
"""
import csv
import json
import os
import subprocess
import sys
import time

mis, work, out = sys.argv[1], sys.argv[2], sys.argv[3]
fractions = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75]
reconstructions = [(0.05, 0.0), (0.21, 0.0), (1.0, 0.0), (3.0, 0.0), (0.21, 1e-9)]
methods = ["approx", "layer-only", "file-only", "popularity", "origin-only"]
exact_limit = os.environ.get("EXACT_LIMIT", "30")

rows = []
for size_mode in ["raw", "gzip"]:
    base = json.load(open(os.path.join(work, f"instance-{size_mode}.json")))
    layer_size = {l["id"]: l["sizeBytes"] for l in base["layers"]}
    image_layers = {i["id"]: i["layers"] for i in base["images"]}
    demanded = set()
    for d in base["demands"]:
        if d["pulls"] > 0:
            demanded.update(image_layers[d["image"]])
    demanded_bytes = sum(layer_size[l] for l in demanded)
    for fraction in fractions:
        for spl, spb in reconstructions:
            inst = dict(base)
            inst["registries"] = [dict(r, capacityBytes=int(fraction * demanded_bytes)) for r in base["registries"]]
            inst["reconstruction"] = {"secondsPerLayer": spl, "secondsPerByte": spb}
            path = os.path.join(work, f"grid-{size_mode}-{fraction}-{spl}-{spb}.json")
            with open(path, "w") as f:
                json.dump(inst, f)
            runs = methods + ["exact"]
            for method in runs:
                args = [mis, "solve", path, "--method", method, "--json", "--seed", "1"]
                if method == "exact":
                    args += ["--time-limit", exact_limit]
                start = time.time()
                p = subprocess.run(args, capture_output=True, text=True)
                seconds = time.time() - start
                if p.returncode not in (0, 1):
                    print(f"grid: {method} failed on {path}: {p.stderr[-500:]}", file=sys.stderr)
                    continue
                d = json.loads(p.stdout)
                m, s = d["metrics"], d.get("solver", {})
                regs = m["registries"]
                rows.append({
                    "file_size": size_mode, "capacity_fraction": fraction, "seconds_per_layer": spl,
                    "seconds_per_byte": spb, "method": method, "status": s.get("status"),
                    "objective": m["totalLatencySeconds"], "bound": s.get("bound"),
                    "mean_pull_s": m["meanImagePullSeconds"], "reconstruction_s": m["reconstructionSeconds"],
                    "origin_share": m["originShare"],
                    "layer_level": sum(r["layerLevelLayers"] for r in regs),
                    "file_level": sum(r["fileLevelLayers"] for r in regs),
                    "used_bytes": sum(r["usedBytes"] for r in regs),
                    "dedup_saved_bytes": sum(r["dedupSavedBytes"] for r in regs),
                    "wall_s": round(seconds, 3),
                })
                print(f"grid: {size_mode} f={fraction} spl={spl} spb={spb} {method}: "
                      f"{m['totalLatencySeconds']:.1f} ({seconds:.1f}s)", file=sys.stderr)
with open(out, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
