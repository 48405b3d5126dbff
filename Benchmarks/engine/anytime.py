#!/usr/bin/env python3
"""Plan quality against time: every planning method given 2, 5, 10, 20 and 40 s, with HiGHS
on the same model and the same limits beside it.

For each paper-kind instance (registries x nodes x images, seed, 3 connections, capacity
0.3) and each time limit T:

* `mis solve --method M --time-limit T --json` for M in approx, exact, auto (what users run:
  the exact method warm-starts from the approximate plan); wall seconds from outside;
* HiGHS (`highspy`, one thread, `time_limit` T) on the instance's exported model
  (`mis export --format mps`: the reduced model of Docs/exact-solver.md, the same optimum),
  in a child process so that a solve which overruns its limit is cut at T + 30 s;
* once per instance, `mis solve --method approx` without a limit (its default effort).

Each plan's objective is divided by the best plan any run found on that instance
(`ratioToBest`); HiGHS's objective is its incumbent's model value with the objective
constant added. Writes Benchmarks/results/anytime.csv and the figure
Docs/benchmarks/anytime.svg (ratio to the best plan against the time limit, one panel per
instance, log time axis). Run from the repository root after `swift build -c release
--product mis` (and `pip install highspy`):

    python3 Benchmarks/engine/anytime.py [--instances 4x6x25:3,5x8x40:1,10x20x200:1]
        [--limits 2,5,10,20,40] [--solvers approx,exact,auto,highs]

The time limits are wall-clock: on a loaded machine a limited run does less work, so the
curve depends on the machine (the default-effort row does not: its effort is counted in
work units).
"""
import argparse
import csv
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIS = os.path.join(ROOT, ".build", "release", "mis")
OUT = os.path.join(ROOT, "Benchmarks", "results", "anytime.csv")
SVG = os.path.join(ROOT, "Docs", "benchmarks", "anytime.svg")
COLORS = {"approx": "#1f77b4", "exact": "#d62728", "auto": "#9467bd", "highs": "#2ca02c"}


def run(cmd, cap):
    """Runs cmd in its own session; returns (wall seconds, stdout, timed_out). A run past
    the cap is killed with its whole process group."""
    start = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return time.time() - start, "", True
    return time.time() - start, out, False


def highs_child(mps, constant, limit):
    """In a child process: the MIP by HiGHS under a time limit; prints one JSON line."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "compare"))
    import highs_model
    h = highs_model.load(mps, constant, limit)
    h.run()
    info = h.getInfo()
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    print(json.dumps({"status": h.modelStatusToString(h.getModelStatus()),
                      "objective": info.objective_function_value if has_plan else None,
                      "bound": info.mip_dual_bound}))


def chart(rows, instances, path):
    """A dependency-free SVG: ratio to the best plan against the time limit (log axis), one
    panel per instance, one line per solver; the default-effort approx run as a star."""
    width, height, pad = 300, 250, 46
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * len(instances)}" height="{height + 40}" '
             'font-family="sans-serif" font-size="11">']
    for k, name in enumerate(instances):
        pts = [r for r in rows if r["instance"] == name and r["ratioToBest"] not in (None, "")]
        if not pts:
            continue
        limited = [r for r in pts if r["limit"] != "default"]
        xs = [float(r["limit"]) for r in limited] + [float(r["seconds"]) for r in pts if r["limit"] == "default"]
        x0, x1 = math.log10(min(xs)) - 0.05, math.log10(max(xs)) + 0.05
        top = min(max(float(r["ratioToBest"]) for r in pts), 1.3)
        y0, y1 = 1.0, max(top, 1.01)
        ox = k * width

        def px(v):
            return ox + pad + (math.log10(v) - x0) / (x1 - x0) * (width - 1.4 * pad)

        def py(v):
            return height - pad + 14 - (min(v, y1) - y0) / (y1 - y0) * (height - 1.6 * pad)
        parts.append(f'<text x="{ox + width / 2}" y="14" text-anchor="middle">{name}</text>')
        for t in (1, 2, 5, 10, 20, 50, 100):
            if x0 <= math.log10(t) <= x1:
                x = px(t)
                parts.append(f'<line x1="{x:.1f}" y1="{py(y0):.1f}" x2="{x:.1f}" y2="{py(y1):.1f}" stroke="#ddd"/>')
                parts.append(f'<text x="{x:.1f}" y="{py(y0) + 14:.1f}" text-anchor="middle">{t}</text>')
        for j in range(5):
            v = y0 + (y1 - y0) * j / 4
            parts.append(f'<line x1="{px(10 ** x0):.1f}" y1="{py(v):.1f}" x2="{px(10 ** x1):.1f}" y2="{py(v):.1f}" '
                         'stroke="#ddd"/>')
            parts.append(f'<text x="{px(10 ** x0) - 4:.1f}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.3f}</text>')
        parts.append(f'<text x="{ox + width / 2}" y="{height + 30}" text-anchor="middle">time limit (s, log)</text>')
        for t, (solver, color) in enumerate(COLORS.items()):
            line = sorted((float(r["limit"]), float(r["ratioToBest"])) for r in limited if r["solver"] == solver)
            if line:
                coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in line)
                parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
                for x, y in line:
                    parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
                parts.append(f'<text x="{ox + width - 50}" y="{32 + 13 * t}" fill="{color}">{solver}</text>')
        for r in pts:
            if r["limit"] == "default":
                x, y = px(float(r["seconds"])), py(float(r["ratioToBest"]))
                parts.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" fill="#1f77b4" '
                             'font-size="14">★</text>')
        parts.append(f'<text x="{ox + width - 50}" y="{32 + 13 * len(COLORS)}" fill="#1f77b4">★ approx, default '
                     'effort</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", default="4x6x25:3,5x8x40:1,10x20x200:1", help="RxNxI:SEED, comma-separated")
    ap.add_argument("--limits", default="2,5,10,20,40")
    ap.add_argument("--solvers", default="approx,exact,auto,highs")
    ap.add_argument("--mis", default=MIS)
    ap.add_argument("--output", default=OUT)
    ap.add_argument("--figure", default=SVG)
    ap.add_argument("--highs-child", nargs=3, metavar=("MPS", "CONSTANT", "LIMIT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.highs_child:
        return highs_child(a.highs_child[0], float(a.highs_child[1]), float(a.highs_child[2]))
    limits = [float(x) for x in a.limits.split(",")]
    solvers = a.solvers.split(",")
    rows, names, constants = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for spec in a.instances.split(","):
            size, seed = spec.split(":")
            r, n, i = size.split("x")
            name = f"{size} seed {seed}"
            names.append(name)
            inst = os.path.join(tmp, f"{size}-{seed}.json")
            subprocess.run([a.mis, "generate", "--kind", "paper", "--seed", seed, "--registries", r, "--nodes", n,
                            "--images", i, "--connections", str(min(3, int(r))), "--capacity-fraction", "0.3", "--output", inst],
                           check=True, capture_output=True)
            mine = []
            runs = [("approx", None)] + [(s, t) for t in limits for s in solvers]
            for solver, limit in runs:
                row = {"instance": name, "solver": solver, "limit": "default" if limit is None else f"{limit:g}"}
                if solver == "highs":
                    mps = os.path.join(tmp, f"{size}-{seed}.mps")
                    if mps not in constants:
                        ex = subprocess.run([a.mis, "export", inst, "--format", "mps", "--output", mps],
                                            capture_output=True, text=True, check=True)
                        m = re.search(r"objective constant: ([0-9.e+-]+)", ex.stdout + ex.stderr)
                        constants[mps] = float(m.group(1)) if m else 0.0
                    constant = constants[mps]
                    sec, out, killed = run([sys.executable, os.path.abspath(__file__), "--highs-child", mps,
                                            repr(constant), str(limit)], limit + 30)
                    row["seconds"] = round(sec, 2)
                    if killed or not out.strip():
                        row["status"] = "killed" if killed else "failed"
                    else:
                        h = json.loads(out.strip().splitlines()[-1])
                        row.update(status=h["status"], objective=h["objective"], bound=h["bound"])
                else:
                    cmd = [a.mis, "solve", inst, "--method", solver, "--json"]
                    if limit is not None:
                        cmd += ["--time-limit", f"{limit:g}"]
                    sec, out, killed = run(cmd, (limit or 600) + 60)
                    row["seconds"] = round(sec, 2)
                    if killed or not out.strip():
                        row["status"] = "killed" if killed else "failed"
                    else:
                        s = json.loads(out)["solver"]
                        row.update(status=s.get("status"), objective=s.get("objective"), bound=s.get("bound"))
                mine.append(row)
                print(row, flush=True)
            best = min((r["objective"] for r in mine if r.get("objective") is not None), default=None)
            for row in mine:
                if best and row.get("objective") is not None:
                    row["ratioToBest"] = round(row["objective"] / best, 5)
            rows += mine
    keys = ["instance", "solver", "limit", "status", "seconds", "objective", "bound", "ratioToBest"]
    with open(a.output, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for row in rows:
            w.writerow({k: row.get(k) for k in keys})
    print("wrote", a.output)
    chart([{k: row.get(k) for k in keys} for row in rows], names, a.figure)
    print("wrote", a.figure)


if __name__ == "__main__":
    sys.exit(main())
