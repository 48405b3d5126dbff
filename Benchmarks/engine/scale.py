#!/usr/bin/env python3
"""Scaling of the approximate planner on the relaxation engine, with peers on the same LP.

For each paper-kind size (registries x nodes x images, 3 connections, capacity 0.3):

* `mis solve --method approx` end to end (wall seconds and peak RSS from /usr/bin/time,
  objective, bound, bound source, certified ratio, the time split from --timings);
* optionally the old monolithic path: the compact LP of the same instance
  (`mis export --format mps`, the reduced model) solved by GLPK (`glpsol --nomip`) and by
  HiGHS (`highspy`, dual simplex, one thread), each under a cap; their LP value is the
  reference the engine's bound is compared with.

Writes Benchmarks/results/engine-scale.csv (one row per size and tool). Run from the
repository root after `swift build -c release`:

    python3 Benchmarks/engine/scale.py [--sizes 5x10x50,10x20x200,20x50x2000]
        [--peers] [--peers-up-to IMAGES] [--cap 300]
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIS = os.path.join(ROOT, ".build", "release", "mis")
OUT = os.path.join(ROOT, "Benchmarks", "results", "engine-scale.csv")


def timed(cmd, cap):
    """Runs cmd under /usr/bin/time; returns (seconds, peak MiB, stdout, timed_out)."""
    start = time.time()
    try:
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, capture_output=True, text=True, timeout=cap)
    except subprocess.TimeoutExpired:
        return time.time() - start, None, "", True
    last = p.stderr.strip().splitlines()[-1].split()
    return float(last[0]), float(last[1]) / 1024, p.stdout, False


def highs_lp(mps, constant, cap):
    import highspy
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(cap))
    h.setOptionValue("threads", 1)
    h.setOptionValue("solver", "simplex")
    h.readModel(mps)
    lp = h.getLp()
    for j in range(lp.num_col_):
        h.changeColIntegrality(j, highspy.HighsVarType.kContinuous)
    h.changeObjectiveOffset(constant)
    t = time.time()
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    return time.time() - t, status, h.getInfo().objective_function_value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5x10x50,10x20x200,20x50x2000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--peers", action="store_true", help="also the compact LP with GLPK and HiGHS")
    ap.add_argument("--cap", type=int, default=300, help="seconds per run")
    ap.add_argument("--peers-up-to", type=int, default=None,
                    help="run the peers only on sizes with at most this many images")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            r, n, i = (int(x) for x in size.split("x"))
            inst = os.path.join(tmp, f"p{size}.json")
            subprocess.run(
                [MIS, "generate", "--kind", "paper", "--seed", str(args.seed), "--registries", str(r), "--nodes",
                 str(n), "--images", str(i), "--connections", "3", "--capacity-fraction", "0.3", "--output", inst],
                check=True, capture_output=True)
            sec, mib, out, to = timed([MIS, "solve", inst, "--method", "approx", "--json", "--timings"], args.cap)
            row = {"size": size, "tool": "mis approx", "seconds": round(sec, 2), "peakMiB": mib and round(mib)}
            if not to and out.strip():
                s = json.loads(out)["solver"]
                row.update({k: s.get(k) for k in ("objective", "bound", "certifiedRatio", "boundSource",
                                                     "relaxationSeconds", "improveSeconds", "baselinesSeconds")})
            else:
                row["note"] = "timeout"
            rows.append(row)
            print(row, flush=True)
            if args.peers and (args.peers_up_to is None or i <= args.peers_up_to):
                mps = os.path.join(tmp, f"p{size}.mps")
                ex = subprocess.run([MIS, "export", inst, "--format", "mps", "--output", mps],
                                    capture_output=True, text=True)
                m = re.search(r"objective constant: ([0-9.e+-]+)", ex.stdout + ex.stderr)
                constant = float(m.group(1)) if m else 0.0
                sec, mib, out, to = timed(["glpsol", "--freemps", mps, "--nomip", "--dual"], args.cap)
                val = re.findall(r"obj =\s+([0-9.e+-]+)", out)
                rows.append({"size": size, "tool": "glpk compact LP", "seconds": round(sec, 2),
                             "peakMiB": mib and round(mib), "bound": (float(val[-1]) if val and not to else None),
                             "note": "timeout" if to else "objective includes the MPS constant as glpsol reads it"})
                print(rows[-1], flush=True)
                try:
                    hs, status, obj = highs_lp(mps, 0.0, args.cap)
                    rows.append({"size": size, "tool": "highs compact LP", "seconds": round(hs, 2),
                                 "bound": obj, "note": status + " (MPS offset as HiGHS reads it)"})
                except Exception as e:  # highspy missing
                    rows.append({"size": size, "tool": "highs compact LP", "note": f"not run: {e}"})
                print(rows[-1], flush=True)
    keys = ["size", "tool", "seconds", "peakMiB", "objective", "bound", "certifiedRatio", "boundSource",
            "relaxationSeconds", "improveSeconds", "baselinesSeconds", "note"]
    with open(OUT, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for row in rows:
            w.writerow({k: row.get(k) for k in keys})
    print("wrote", OUT)


if __name__ == "__main__":
    sys.exit(main())
