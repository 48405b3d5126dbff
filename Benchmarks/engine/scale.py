#!/usr/bin/env python3
"""Scaling of the approximate planner on the relaxation engine, with peers on the same LP.

For each paper-kind size (registries x nodes x images, 3 connections, capacity 0.3):

* `mis solve --method approx` end to end (wall seconds and peak RSS from /usr/bin/time,
  objective, bound, bound source, certified ratio, the time split from --timings);
* optionally the old monolithic path: the compact LP of the same instance
  (`mis export --format mps`, the reduced model) solved by GLPK (`glpsol --nomip`) and by
  HiGHS (`highspy`, dual simplex, one thread), each under a cap; their LP value is the
  reference the engine's bound is compared with.

Writes Benchmarks/results/engine-scale.csv (one row per size and tool) and the log-log
figure Docs/benchmarks/engine-scale.svg (wall seconds and peak memory against the number of
images; runs cut by the cap are left out of the figure and marked "timeout" in the CSV).
Run from the repository root after `swift build -c release` (and `pip install highspy`
for the HiGHS peer):

    python3 Benchmarks/engine/scale.py [--sizes 5x10x50,10x20x200,20x50x2000]
        [--peers] [--peers-up-to IMAGES] [--cap 300] [--keep-peers]

`--keep-peers` (without `--peers`) re-measures only the planner and keeps the peer rows of
the existing CSV for the same sizes, marked "kept from an earlier run".

HiGHS reads the objective row's RHS of the exported MPS as an offset of minus the constant
that `mis export` prints (GLPK reads it as plus); the script checks that and sets the offset
to +constant, so all three tools report the same LP value. Each HiGHS solve runs in a child
process under /usr/bin/time, like the other tools, so its peak memory is measured too.
"""
import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIS = os.path.join(ROOT, ".build", "release", "mis")
OUT = os.path.join(ROOT, "Benchmarks", "results", "engine-scale.csv")


def timed(cmd, cap):
    """Runs cmd under /usr/bin/time; returns (seconds, peak MiB, stdout, timed_out). On a
    timeout the whole process group is killed (not only /usr/bin/time), so that no solver
    keeps running into the next measurement."""
    start = time.time()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%e %M"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return time.time() - start, None, "", True
    last = err.strip().splitlines()[-1].split()
    return float(last[0]), float(last[1]) / 1024, out, False


def write_csv(path, keys, rows):
    """Writes `rows` (dicts) with the columns `keys`, missing values empty."""
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for row in rows:
            w.writerow({k: row.get(k) for k in keys})
    print("wrote", path)


def kept_rows(path, wanted):
    """The rows of the existing CSV at `path` for which `wanted(row)` holds (none if there is
    no such file), each marked "kept from an earlier run" in its note, once."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if wanted(r)]
    for r in rows:
        note = r.get("note") or ""
        if "kept from an earlier run" not in note:
            r["note"] = (note + "; " if note else "") + "kept from an earlier run"
    return rows


def export_mps(mis, inst, mps):
    """`mis export --format mps` of `inst` to `mps`; returns the objective constant it prints
    (0 if none)."""
    ex = subprocess.run([mis, "export", inst, "--format", "mps", "--output", mps], capture_output=True, text=True)
    m = re.search(r"objective constant: ([0-9.e+-]+)", ex.stdout + ex.stderr)
    return float(m.group(1)) if m else 0.0


def highs_child(mps, constant, cap):
    """In a child process: the compact LP by HiGHS; prints one JSON line."""
    import highspy
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(cap))
    h.setOptionValue("threads", 1)
    h.setOptionValue("solver", "simplex")
    h.readModel(mps)
    lp = h.getLp()
    raw = lp.offset_
    for j in range(lp.num_col_):
        h.changeColIntegrality(j, highspy.HighsVarType.kContinuous)
    h.changeObjectiveOffset(constant)
    t = time.time()
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    print(json.dumps({"seconds": time.time() - t, "status": status, "value": h.getInfo().objective_function_value,
                      "offsetOK": abs(raw + constant) <= 1e-6 * max(1.0, abs(constant))}))


def chart(rows, path):
    """A dependency-free log-log SVG: seconds and peak MiB against images, one line per tool."""
    tools = [("mis approx", "#1f77b4"), ("glpk compact LP", "#d62728"), ("highs compact LP", "#2ca02c")]
    panels = [("seconds", "wall seconds"), ("peakMiB", "peak memory (MiB)")]
    import math
    width, height, pad = 360, 260, 48
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * width}" height="{height + 30}" '
             'font-family="sans-serif" font-size="11">']
    for k, (key, title) in enumerate(panels):
        pts = [(float(r["size"].split("x")[2]), float(r[key]), r["tool"]) for r in rows
               if r.get(key) not in (None, "") and "timeout" not in (r.get("note") or "")]
        if not pts:
            continue
        xs = [math.log10(p[0]) for p in pts]
        ys = [math.log10(max(p[1], 1e-3)) for p in pts]
        x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
        y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
        if x1 == x0:
            x1 += 1
        if y1 == y0:
            y1 += 1
        ox = k * width

        def px(v):
            return ox + pad + (math.log10(v) - x0) / (x1 - x0) * (width - 1.5 * pad)

        def py(v):
            return height - pad + 10 - (math.log10(max(v, 1e-3)) - y0) / (y1 - y0) * (height - 1.5 * pad)
        parts.append(f'<text x="{ox + width / 2}" y="14" text-anchor="middle">{title} vs images (log-log)</text>')
        for d in range(x0, x1 + 1):
            x = px(10 ** d)
            parts.append(f'<line x1="{x}" y1="{py(10 ** y0)}" x2="{x}" y2="{py(10 ** y1)}" stroke="#ddd"/>')
            parts.append(f'<text x="{x}" y="{py(10 ** y0) + 14}" text-anchor="middle">{10 ** d:g}</text>')
        for d in range(y0, y1 + 1):
            y = py(10 ** d)
            parts.append(f'<line x1="{px(10 ** x0)}" y1="{y}" x2="{px(10 ** x1)}" y2="{y}" stroke="#ddd"/>')
            parts.append(f'<text x="{px(10 ** x0) - 4}" y="{y + 4}" text-anchor="end">{10 ** d:g}</text>')
        for t, (tool, color) in enumerate(tools):
            line = sorted((x, y) for x, y, name in pts if name == tool)
            if not line:
                continue
            coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in line)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
            for x, y in line:
                parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
            parts.append(f'<text x="{ox + pad + 8}" y="{30 + 13 * t}" fill="{color}">{tool}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5x10x50,10x20x200,20x50x2000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--peers", action="store_true", help="also the compact LP with GLPK and HiGHS")
    ap.add_argument("--cap", type=int, default=300, help="seconds per run")
    ap.add_argument("--peer-cap", type=int, default=None, help="seconds per peer LP run (default: --cap)")
    ap.add_argument("--peers-up-to", type=int, default=None,
                    help="run the peers only on sizes with at most this many images")
    ap.add_argument("--keep-peers", action="store_true",
                    help="without --peers: keep the peer rows (GLPK, HiGHS) of the existing CSV for these sizes, "
                         "so that re-measuring the planner does not drop the slow peer LPs")
    ap.add_argument("--highs-child", nargs=3, metavar=("MPS", "CONSTANT", "CAP"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.highs_child:
        return highs_child(args.highs_child[0], float(args.highs_child[1]), float(args.highs_child[2]))
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
                constant = export_mps(MIS, inst, mps)
                peer_cap = args.peer_cap or args.cap
                sec, mib, out, to = timed(["glpsol", "--freemps", mps, "--nomip", "--dual"], peer_cap)
                val = re.findall(r"obj =\s+([0-9.e+-]+)", out)
                rows.append({"size": size, "tool": "glpk compact LP", "seconds": round(sec, 2),
                             "peakMiB": mib and round(mib), "bound": (float(val[-1]) if val and not to else None),
                             "note": "timeout" if to else "LP value (glpsol adds the MPS constant)"})
                print(rows[-1], flush=True)
                sec, mib, out, to = timed(
                    [sys.executable, os.path.abspath(__file__), "--highs-child", mps, repr(constant), str(peer_cap)],
                    peer_cap + 30)
                row = {"size": size, "tool": "highs compact LP", "seconds": round(sec, 2), "peakMiB": mib and round(mib)}
                try:
                    h = json.loads(out.strip().splitlines()[-1])
                    row.update({"bound": h["value"],
                                "note": f"{h['status']}, {h['seconds']:.1f} s of it in the solve"
                                + ("" if h["offsetOK"] else " (MPS offset convention differs)")})
                    if h["status"] != "Optimal":
                        row["note"] = "timeout"
                except (IndexError, ValueError, KeyError):
                    row["note"] = "timeout" if to else "not run (highspy missing?)"
                rows.append(row)
                print(rows[-1], flush=True)
    keys = ["size", "tool", "seconds", "peakMiB", "objective", "bound", "certifiedRatio", "boundSource",
            "relaxationSeconds", "improveSeconds", "baselinesSeconds", "note"]
    if args.keep_peers and not args.peers and os.path.exists(OUT):
        sizes = args.sizes.split(",")
        kept = kept_rows(OUT, lambda r: r["tool"] != "mis approx" and r["size"] in sizes)
        rows = sorted(rows + kept, key=lambda r: (sizes.index(r["size"]), r["tool"] != "mis approx"))
    write_csv(OUT, keys, rows)
    svg = os.path.join(ROOT, "Docs", "benchmarks", "engine-scale.svg")
    chart(rows, svg)
    print("wrote", svg)


if __name__ == "__main__":
    sys.exit(main())
