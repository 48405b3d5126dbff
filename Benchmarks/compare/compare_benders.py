#!/usr/bin/env python3
"""Time to proven optimum: the exact solver's compact model vs its branch-and-Benders-cut
(both GLPK) vs HiGHS on the unreduced model, on seeded paper instances of growing size.

Builds nothing itself: first run, from the repository root,

    swift build -c release --package-path Benchmarks/compare/BendersBench

then

    python3 Benchmarks/compare/compare_benders.py [--sizes 3x4x15,4x6x25,5x8x40]
        [--seeds 1] [--connections 2] [--time-limit 120]

Each instance is `mis generate --kind paper --registries R --nodes N --images I
--connections C --capacity-fraction 0.3 --seed S` (same generator options, through the
driver). HiGHS (highspy, one thread) solves the unreduced model (the model of
Docs/model.md §6 as written, with the origin share substituted) exported as free MPS; its
objective offset is set to the model's constant, as in compare_highs.py. `mis-exact` runs
`mis solve --method exact --time-limit T` (build it with `swift build -c release --product
mis`), the exact method as users run it: approximate warm start, then branch and cut.
Results go to
Benchmarks/results/exact-benders.csv. Timings are wall-clock seconds and CPU seconds of the
solving process: on a shared machine the CPU time is the steadier of the two.
"""
import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import highs_model

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
DRIVER = os.path.join(HERE, "BendersBench", ".build", "release", "BendersBench")


def run(args):
    out = subprocess.run([DRIVER] + args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def highs(path, constant, time_limit):
    h = highs_model.load(path, constant, time_limit)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    h.run()
    wall = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    return {
        "status": "optimal" if status == "Optimal" else status,
        "objective": info.objective_function_value,
        "bound": info.mip_dual_bound,
        "seconds": wall,
        "cpuSeconds": cpu,
        "nodes": info.mip_node_count,
    }


def mis_exact(tool, path, time_limit):
    """`mis solve --method exact` as a user runs it (approximate warm start, then branch and
    cut), timed from outside like HiGHS; CPU seconds of the child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([tool, "solve", path, "--method", "exact", "--time-limit", str(time_limit), "--json"],
                         capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    block = json.loads(out.stdout)["solver"]
    return {
        "status": block["status"], "objective": block.get("objective"), "bound": block.get("bound"),
        "seconds": wall, "cpuSeconds": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "nodes": block.get("nodes"),
    }


def main():
    global DRIVER
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="3x4x10,3x4x15,4x6x25,5x8x40")
    p.add_argument("--seeds", default="1")
    p.add_argument("--connections", type=int, default=2)
    p.add_argument("--time-limit", type=float, default=120)
    p.add_argument("--output", default=os.path.join(BENCH, "results", "exact-benders.csv"))
    p.add_argument("--solvers", default="glpk-compact,glpk-benders,highs-unreduced",
                   help="any of glpk-compact, glpk-benders, mis-exact, highs-unreduced")
    p.add_argument("--benders-options", default="", help="key=value,… for BendersOptions (see the driver)")
    p.add_argument("--label", default="", help="suffix for the Benders solver name, e.g. --label=-mir")
    p.add_argument("--append", action="store_true", help="append to the CSV instead of replacing it")
    p.add_argument("--driver", default=DRIVER)
    p.add_argument("--mis", default=os.path.join(os.path.dirname(BENCH), ".build", "release", "mis"),
                   help="the mis tool, for the mis-exact solver (what users run: warm start included)")
    a = p.parse_args()
    DRIVER = a.driver
    solvers = a.solvers.split(",")
    extra = [o for o in a.benders_options.split(",") if o]
    if not os.path.exists(DRIVER):
        sys.exit("build the driver first: swift build -c release --package-path Benchmarks/compare/BendersBench")
    fields = ["size", "seed", "solver", "status", "objective", "bound", "gap", "seconds", "cpuSeconds", "nodes"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in a.sizes.split(","):
            r, n, i = (int(x) for x in size.split("x"))
            for seed in (int(s) for s in a.seeds.split(",")):
                inst = os.path.join(tmp, f"p{size}s{seed}.json")
                run(["generate", str(r), str(n), str(i), str(seed), str(a.connections), inst])
                results = {}
                if "glpk-compact" in solvers:
                    results["glpk-compact"] = run(["solve", inst, "compact", str(a.time_limit)])
                if "glpk-benders" in solvers:
                    results["glpk-benders" + a.label] = run(["solve", inst, "benders", str(a.time_limit)] + extra)
                if "mis-exact" in solvers:
                    results["mis-exact"] = mis_exact(a.mis, inst, a.time_limit)
                if "highs-unreduced" in solvers:
                    mps = os.path.join(tmp, f"p{size}s{seed}.mps")
                    exported = run(["export-unreduced", inst, mps])
                    results["highs-unreduced"] = highs(mps, exported["constant"], a.time_limit)
                for solver, res in results.items():
                    obj, bound = res.get("objective"), res.get("bound")
                    gap = (obj - bound) / max(1.0, abs(obj)) if obj is not None and bound is not None else None
                    row = {
                        "size": size, "seed": seed, "solver": solver, "status": res.get("status"),
                        "objective": obj, "bound": bound, "gap": gap, "seconds": round(res["seconds"], 2),
                        "cpuSeconds": round(res["cpuSeconds"], 2), "nodes": int(res.get("nodes") or 0),
                    }
                    rows.append(row)
                    print(",".join(str(row[f]) for f in fields), flush=True)
    exists = os.path.exists(a.output)
    with open(a.output, "a" if a.append else "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        if not (a.append and exists):
            w.writeheader()
        w.writerows(rows)
    print("wrote", a.output)


if __name__ == "__main__":
    main()
