#!/usr/bin/env python3
"""The relaxation engine where capacity is tight at mid size: bound against the LP value.

Between the models small enough for the exact LP (`exactLPRowLimit`) and the fleet sizes
where capacity is slack, `approx` certifies its plan with the Lagrangian bound alone. This
script measures how far that bound sits below the LP value there, and what plan comes out,
on paper-kind instances with 3 connections and capacity 0.3:

* `mis solve --method approx --json --timings` end to end (wall seconds and peak RSS from
  /usr/bin/time; objective, bound, bound source, relaxation iterations and seconds);
* optionally the same with a second `mis` binary (`--baseline-mis`, e.g. a build of the
  previous commit), in the same run, for a before/after comparison;
* the LP value of the same instance: its compact model (`mis export --format mps`) solved
  by HiGHS (`highspy`, dual simplex, one thread) in a child process under a cap. That model
  carries every reduction, including the one that depends on the capacities (copies larger
  than their registry are left out);
* the LP value of the model of Docs/model.md §6 that keeps those copies, the one the engine's
  Lagrangian dual approaches over the full model (`mis-bench export-mps --relaxation
  --keep-oversized-copies`, needs `swift build -c release --package-path Benchmarks`), by
  HiGHS the same way. The engine's last iterations leave those copies out, so its bound
  may pass this LP (`belowKeptLP` < 0), never the first.

Writes Benchmarks/results/engine-tight.csv. Run from the repository root after
`swift build -c release` and `pip install highspy`:

    python3 Benchmarks/engine/tight.py [--instances 10x20x200:1,...] [--baseline-mis PATH]
        [--cap 600] [--keep-peers]

`--keep-peers` reuses the compact LP rows of the existing CSV instead of solving again
(marked "kept from an earlier run").
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale  # noqa: E402  (timed, the HiGHS child)

ROOT = scale.ROOT
MIS = scale.MIS
OUT = os.path.join(ROOT, "Benchmarks", "results", "engine-tight.csv")
BENCH = os.path.join(ROOT, "Benchmarks", ".build", "release", "mis-bench")
DEFAULT = "7x15x100:2,8x20x150:3,10x20x200:1,10x20x200:4,10x20x200:8,10x30x300:5"


def approx(mis, inst, cap, label, name):
    sec, mib, out, to = scale.timed([mis, "solve", inst, "--method", "approx", "--json", "--timings"], cap)
    row = {"instance": name, "tool": label, "seconds": round(sec, 2), "peakMiB": mib and round(mib)}
    if not to and out.strip():
        s = json.loads(out)["solver"]
        row.update({k: s.get(k) for k in ("objective", "bound", "boundSource", "relaxationIterations",
                                             "relaxationSeconds")})
    else:
        row["note"] = "timeout"
    print(row, flush=True)
    return row


def highs_lp(mps, constant, cap, name, tool):
    """The LP value of `mps` by HiGHS in a child process: (CSV row, value or None)."""
    sec, mib, out, to = scale.timed(
        [sys.executable, scale.__file__, "--highs-child", mps, repr(constant), str(cap)], cap + 30)
    row = {"instance": name, "tool": tool, "seconds": round(sec, 2), "peakMiB": mib and round(mib)}
    value = None
    try:
        h = json.loads(out.strip().splitlines()[-1])
        if h["status"] == "Optimal":
            value = h["value"]
            row.update({"bound": value, "note": f"LP value, {h['seconds']:.1f} s of it in the solve"})
        else:
            row["note"] = "timeout"
    except (IndexError, ValueError, KeyError):
        row["note"] = "timeout" if to else "not run (highspy missing?)"
    print(row, flush=True)
    return row, value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", default=DEFAULT, help="RxNxI:seed,...")
    ap.add_argument("--baseline-mis", default=None, help="a second mis binary, run on the same instances")
    ap.add_argument("--baseline-label", default="mis approx (baseline)")
    ap.add_argument("--cap", type=int, default=600, help="seconds per run")
    ap.add_argument("--keep-peers", action="store_true", help="reuse the compact LP rows of the existing CSV")
    args = ap.parse_args()
    rows = []
    kept = {}
    if args.keep_peers:
        for r in scale.kept_rows(OUT, lambda r: r["tool"] == "highs compact LP"):
            kept[r["instance"]] = {k: v for k, v in r.items() if v != ""}
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.instances.split(","):
            size, seed = spec.split(":")
            r, n, i = (int(x) for x in size.split("x"))
            name = f"paper {size} seed {seed}"
            inst = os.path.join(tmp, f"p{size}-{seed}.json")
            subprocess.run(
                [MIS, "generate", "--kind", "paper", "--seed", seed, "--registries", str(r), "--nodes", str(n),
                 "--images", str(i), "--connections", "3", "--capacity-fraction", "0.3", "--output", inst],
                check=True, capture_output=True)
            mine = [approx(MIS, inst, args.cap, "mis approx", name)]
            if args.baseline_mis:
                mine.append(approx(args.baseline_mis, inst, args.cap, args.baseline_label, name))
            if name in kept:
                lp = kept[name]
                value = float(lp["bound"]) if "bound" in lp else None
                print(lp, flush=True)
            else:
                mps = os.path.join(tmp, f"p{size}-{seed}.mps")
                lp, value = highs_lp(mps, scale.export_mps(MIS, inst, mps), args.cap, name, "highs compact LP")
            # The §6 model with the copies larger than their registry kept.
            kmps = os.path.join(tmp, f"p{size}-{seed}-kept.mps")
            ex = subprocess.run(
                [BENCH, "export-mps", "--registries", str(r), "--nodes", str(n), "--images", str(i), "--seed", seed,
                 "--connections", "3", "--capacity-fraction", "0.3", "--relaxation", "--keep-oversized-copies",
                 "--output", kmps], capture_output=True, text=True)
            try:
                constant = json.loads(ex.stdout.strip().splitlines()[-1])["objectiveConstant"]
                klp, kvalue = highs_lp(kmps, constant, args.cap, name, "highs §6 LP, oversized copies kept")
            except (IndexError, ValueError, KeyError):
                klp, kvalue = {"instance": name, "tool": "highs §6 LP, oversized copies kept",
                               "note": "not run (mis-bench missing?)"}, None
            for row in mine:
                if value and row.get("bound") is not None:
                    row["belowLP"] = round((value - row["bound"]) / value, 6)
                if kvalue and row.get("bound") is not None:
                    row["belowKeptLP"] = round((kvalue - row["bound"]) / kvalue, 6)
            rows += mine + [lp, klp]
    keys = ["instance", "tool", "seconds", "peakMiB", "objective", "bound", "belowLP", "belowKeptLP",
            "boundSource", "relaxationIterations", "relaxationSeconds", "note"]
    scale.write_csv(OUT, keys, rows)


if __name__ == "__main__":
    main()
