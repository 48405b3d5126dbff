#!/usr/bin/env python3
"""Solve the same reduced MIS models with GLPK (through mis-bench) and HiGHS (highspy).

For each generated paper instance, `mis-bench export-mps` writes the reduced model as
free MPS and times GLPK on it in-process (the LP relaxation with --relaxation, or the
exact MIP); this script then solves the same MPS file with HiGHS and reports objective
agreement and the GLPK/HiGHS time ratio side by side. Results go to
Benchmarks/results/highs-compare.csv.

Not a dependency of any package: `pip install highspy` first. Run from the repository
root:

    python3 Benchmarks/compare/compare_highs.py [--sizes 3x6x10,5x10x50] [--seeds 1]
        [--mode lp|mip|both] [--time-limit 60]

Objective constant: GLPK's MPS writer stores the objective constant as the objective
row's RHS with the sign GLPK reads back, which HiGHS interprets with the opposite (usual
MPS) sign, so the script replaces HiGHS's offset by the constant reported by mis-bench
(so that HiGHS's relative MIP gap is measured on the true objective too).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

import highs_model

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)


def mis_bench(args):
    """Runs the release mis-bench with args; returns its last stdout line as JSON."""
    cmd = ["swift", "run", "-c", "release", "--package-path", BENCH, "mis-bench"] + args
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def highs_solve(path, constant, relax, time_limit):
    import numpy as np

    # The true constant as the offset, so that HiGHS's relative MIP gap is measured on the
    # real objective.
    h = highs_model.load(path, constant, time_limit)
    lp = h.getLp()
    if relax:
        n = lp.num_col_
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    obj = info.objective_function_value
    bound = None if relax else info.mip_dual_bound
    return status, obj, bound, seconds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="2x4x5,3x6x10,4x8x20,5x10x50")
    p.add_argument("--seeds", default="1")
    p.add_argument("--mode", choices=["lp", "mip", "both"], default="both")
    p.add_argument("--time-limit", type=float, default=60)
    p.add_argument("--output", default=os.path.join(BENCH, "results", "highs-compare.csv"))
    a = p.parse_args()
    try:
        import highspy  # noqa: F401
    except ImportError:
        sys.exit("highspy is missing: pip install highspy")

    modes = ["lp", "mip"] if a.mode == "both" else [a.mode]
    rows = []
    tmp = tempfile.mkdtemp(prefix="mis-highs-")
    for size in a.sizes.split(","):
        r, n, i = size.split("x")
        for seed in a.seeds.split(","):
            for mode in modes:
                relax = mode == "lp"
                path = os.path.join(tmp, f"{size}-s{seed}-{mode}.mps")
                args = ["export-mps", "--registries", r, "--nodes", n, "--images", i, "--seed", seed,
                        "--output", path, "--solve", "--time-limit", str(a.time_limit)]
                if relax:
                    args.append("--relaxation")
                g = mis_bench(args)
                status, obj, bound, hs = highs_solve(path, g["objectiveConstant"], relax, a.time_limit)
                go = g.get("glpkObjective")
                agree = (go is not None and obj is not None and abs(go - obj) <= 1e-6 * max(1.0, abs(go)))
                row = {
                    "size": size, "seed": seed, "model": mode, "rows": g["rows"], "cols": g["columns"],
                    "binaries": g["binaries"] if not relax else 0, "nnz": g["nonzeros"],
                    "glpk_status": g.get("glpkStatus"), "glpk_objective": f"{go:.4f}" if go is not None else "-",
                    "glpk_s": f"{g['glpkSeconds']:.3f}", "highs_status": status, "highs_objective": f"{obj:.4f}",
                    "highs_bound": f"{bound:.4f}" if bound is not None else "-", "highs_s": f"{hs:.3f}",
                    "objectives_agree_1e-6": "yes" if agree else "no",
                    "glpk/highs_time": f"{g['glpkSeconds'] / max(hs, 1e-6):.1f}",
                }
                rows.append(row)
                print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
                os.remove(path)
    with open(a.output, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {a.output}")


if __name__ == "__main__":
    main()
