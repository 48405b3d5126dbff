#!/usr/bin/env python3
"""Solution quality of `mis solve --method approx` (and the baselines) against proven optima.

For every instance of a seeded set (tiny instances and paper instances of several sizes,
all made by `mis generate`), the script

1. computes a reference optimum twice, independently:
   * HiGHS (highspy) on the reduced exact MIP written by `mis export --format mps`
     (one thread, --time-limit seconds, mip_rel_gap 1e-6), and
   * the project's own exact solver, `mis solve --method exact --time-limit T`;
   an instance counts as *proven* when either proves optimality; when both do, their
   optima must agree within 1e-6 relative (a disagreement is a bug and is reported loudly);
2. runs `mis solve --method M` for M in approx, layer-only, file-only, popularity (default
   options: seed 0, 32 trials), records each objective (the plan's solver block) and the
   wall-clock seconds of the command (measured here);
3. writes one CSV row per instance (approx/optimum ratio, which baselines beat approx) and
   prints a summary.

Objective constant: `mis export` keeps the constant Σ D·cO (origin-only latency) as the MPS
objective row's RHS, with the sign GLPK reads back; HiGHS reads the RHS of the objective
row with the opposite sign (offset = -constant), so HiGHS's raw objective is
true - 2·constant. The script checks that HiGHS's offset is minus the constant printed by
`mis export`, then sets the offset to +constant before solving, so that HiGHS's objective,
bound and relative gap are those of the true objective. The agreement check with the exact
solver on the instances both prove verifies the convention end to end.

Run from anywhere (needs the release binary, `swift build -c release`, and `pip install
highspy`); one solver process runs at a time:

    python3 Benchmarks/compare/quality.py [--sizes tiny,2x4x5,3x4x10c2,...]
        [--seeds tiny=1-16,3x4x10=1-6,...|1-4] [--time-limit 120]
        [--workdir DIR (default: <system temp>/mis-quality)] [--output Benchmarks/results/quality.csv] [--fresh]

A size is `tiny` or `RxNxI` (registries x nodes x images, connections 3, clamped to R) or
`RxNxIcC` (connections C). `--seeds` is either one seed list for every size (`1-4,7`) or a
per-size map (`tiny=1-16,3x4x10=1-6`; sizes missing from the map get seed 1). Instances
(JSON), MPS files and per-instance results (`*.result.json`) stay in the work directory;
a rerun reuses a cached result when the instance, the time limit and the mis binary are
unchanged (`--fresh` recomputes everything), so an interrupted run resumes where it stopped.
The mis binary is copied into the work directory (`bin/mis-<sha256 prefix>`) at the start and
only the copy is run, so a rebuild of `.build/release/mis` during the run cannot mix two
builds in one CSV; the build's hash is printed and is part of the cache key.

Every column after `approx_worse_than_baseline` is extra: both references' objectives and
bounds, the best known plan and the best bound over every method (for unproven instances,
approx/best_known ≤ approx/optimum ≤ approx/best_bound), approx's certified ratio, the
baselines' statuses and seconds, and the instance's file name in the work directory
(`instance_path`: a name, so that a committed CSV does not point outside the repository).
"""
import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_MIS = os.path.join(ROOT, ".build", "release", "mis")
METHODS = ["approx", "layer-only", "file-only", "popularity"]
BASELINES = ["layer-only", "file-only", "popularity"]
DEFAULT_SIZES = "tiny,2x4x5,3x4x10,3x4x15,4x6x25,5x8x40,3x4x10c2,3x4x15c2,4x6x25c2,5x8x40c2"
DEFAULT_SEEDS = ("tiny=1-16,2x4x5=1-6,3x4x10=1-6,3x4x15=1-4,4x6x25=1-4,5x8x40=1-2,"
                 "3x4x10c2=1-3,3x4x15c2=1-2,4x6x25c2=1-2,5x8x40c2=1")
AGREE_REL = 1e-6
BEAT_REL = 1e-9
CACHE_VERSION = 1


def parse_seed_list(text):
    seeds = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            seeds.extend(range(int(lo), int(hi) + 1))
        else:
            seeds.append(int(part))
    return seeds


def parse_seeds(text, sizes):
    """Returns {size: [seed]} from a plain list or a `size=list,size=list` map."""
    if "=" not in text:
        seeds = parse_seed_list(text)
        return {s: seeds for s in sizes}
    table = {}
    for m in re.finditer(r"([^=,]+)=([0-9,\-]+?)(?=,[^=,]+=|$)", text):
        table[m.group(1).strip()] = parse_seed_list(m.group(2))
    unknown = set(table) - set(sizes)
    if unknown:
        print(f"note: --seeds names sizes not in --sizes, ignored: {sorted(unknown)}", file=sys.stderr)
    return {s: table.get(s, [1]) for s in sizes}


def parse_size(size):
    """tiny -> None; RxNxI[cC] -> (R, N, I, C) with C clamped to R."""
    if size == "tiny":
        return None
    m = re.fullmatch(r"(\d+)x(\d+)x(\d+)(?:c(\d+))?", size)
    if not m:
        sys.exit(f"bad size {size!r}: expected tiny or RxNxI or RxNxIcC")
    r, n, i = int(m.group(1)), int(m.group(2)), int(m.group(3))
    c = int(m.group(4)) if m.group(4) else 3
    return r, n, i, min(c, r)


def run(cmd, timeout=None):
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p, time.perf_counter() - start


def mis_binary_ready(mis):
    """Waits (up to 10 min) while the binary is missing or being rewritten."""
    for _ in range(120):
        if os.path.isfile(mis) and os.access(mis, os.X_OK):
            p, _ = run([mis, "--version"])
            if p.returncode == 0:
                return p.stdout.strip()
        print("waiting for the mis binary...", file=sys.stderr, flush=True)
        time.sleep(5)
    sys.exit(f"{mis} is not available")


def mis(args_, cmd, timeout=None):
    mis_binary_ready(args_.mis)
    return run([args_.mis] + cmd, timeout)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def generate(a, size, seed):
    spec = parse_size(size)
    if spec is None:
        name = f"tiny-s{seed}"
        cmd = ["generate", "--kind", "tiny", "--seed", str(seed)]
        kind, conn = "tiny", ""
    else:
        r, n, i, c = spec
        name = f"paper-{r}x{n}x{i}-c{c}-s{seed}"
        cmd = ["generate", "--kind", "paper", "--registries", str(r), "--nodes", str(n),
               "--images", str(i), "--connections", str(c), "--capacity-fraction", "0.3",
               "--seed", str(seed)]
        kind, conn = "paper", c
    path = os.path.join(a.workdir, name + ".json")
    p, _ = mis(a, cmd + ["--output", path])
    if p.returncode != 0:
        raise RuntimeError(f"generate failed: {p.stderr.strip()}")
    if kind == "tiny":
        doc = json.load(open(path))
        size_label = f"{len(doc['registries'])}x{len(doc['nodes'])}x{len(doc['images'])}"
        per_node = {}
        for link in doc["links"]:
            per_node[link["node"]] = per_node.get(link["node"], 0) + 1
        counts = [per_node.get(n_["id"], 0) for n_ in doc["nodes"]]
        conn = str(counts[0]) if len(set(counts)) == 1 else f"{min(counts)}-{max(counts)}"
    else:
        size_label = f"{spec[0]}x{spec[1]}x{spec[2]}"
    return name, path, kind, size_label, conn


def highs_solve(a, inst_path, mps_path):
    import highspy

    p, _ = mis(a, ["export", inst_path, "--format", "mps", "--output", mps_path])
    if p.returncode != 0:
        return {"status": "export-failed", "error": p.stderr.strip()}
    m = re.search(r"objective constant:\s*([-+0-9.eE]+)", p.stdout + p.stderr)
    constant = float(m.group(1)) if m else None
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(a.time_limit))
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.readModel(mps_path)
    raw_offset = h.getLp().offset_
    # Convention check: HiGHS reads GLPK's objective-row RHS as -constant.
    convention_ok = constant is not None and abs(raw_offset + constant) <= 1e-6 * max(1.0, abs(constant))
    if not convention_ok:
        print(f"WARNING: {mps_path}: HiGHS offset {raw_offset} is not minus the exported constant "
              f"{constant}; using +constant anyway", file=sys.stderr)
    true_constant = constant if constant is not None else -raw_offset
    h.changeObjectiveOffset(true_constant)
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    obj = info.objective_function_value if info.primal_solution_status >= 2 else None
    bound = info.mip_dual_bound
    if bound is not None and abs(bound) == float("inf"):
        bound = None
    return {"status": status, "objective": obj, "bound": bound, "gap": info.mip_gap,
            "seconds": seconds, "constant": true_constant, "raw_offset": raw_offset,
            "convention_ok": convention_ok, "nodes": info.mip_node_count}


def mis_solve(a, inst_path, method, extra=()):
    p, seconds = mis(a, ["solve", inst_path, "--method", method, "--json"] + list(extra))
    out = {"exit": p.returncode, "seconds": seconds}
    try:
        doc = json.loads(p.stdout)
        s = doc["solver"]
        out.update(status=s.get("status"), termination=s.get("termination"),
                   objective=s.get("objective"), bound=s.get("bound"),
                   certified_ratio=s.get("certifiedRatio"),
                   feasible=doc.get("metrics", {}).get("feasible"),
                   latency=doc.get("metrics", {}).get("totalLatencySeconds"))
    except (ValueError, KeyError, TypeError):
        out.update(status=f"exit{p.returncode}", objective=None, error=p.stderr.strip()[-500:])
    if p.returncode not in (0, 1):
        out["error"] = p.stderr.strip()[-500:]
    return out


def solve_instance(a, name, inst_path, binary_key):
    cache = os.path.join(a.workdir, name + ".result.json")
    key = {"v": CACHE_VERSION, "instance": sha256(inst_path), "time_limit": a.time_limit,
           "binary": binary_key}
    if not a.fresh and os.path.exists(cache):
        try:
            c = json.load(open(cache))
            if c.get("key") == key:
                return c["result"], True
        except ValueError:
            pass
    res = {"highs": highs_solve(a, inst_path, os.path.join(a.workdir, name + ".mps"))}
    res["exact"] = mis_solve(a, inst_path, "exact", ["--time-limit", str(a.time_limit)])
    for m in METHODS:
        res[m] = mis_solve(a, inst_path, m)
    with open(cache, "w") as f:
        json.dump({"key": key, "result": res}, f, indent=1)
    return res, False


def rel_diff(x, y):
    return abs(x - y) / max(1.0, abs(x), abs(y))


def fmt(x, digits=None):
    """Objectives with 10 significant digits, seconds and ratios with `digits` decimals."""
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.10g}" if digits is None else f"{x:.{digits}f}"
    return str(x)


def make_row(name, inst_path, kind, size, seed, conn, res, problems, notes):
    hi, ex = res["highs"], res["exact"]
    highs_proven = hi.get("status") == "Optimal" and hi.get("objective") is not None
    exact_proven = ex.get("status") == "optimal" and ex.get("objective") is not None
    optimum, source, agree = None, "", ""
    if highs_proven and exact_proven:
        source = "both"
        d = rel_diff(hi["objective"], ex["objective"])
        agree = "yes" if d <= AGREE_REL else "NO"
        if d > AGREE_REL:
            problems.append(f"DISAGREEMENT {name}: HiGHS {hi['objective']!r} vs exact {ex['objective']!r} "
                            f"(rel {d:.3g}) [{inst_path}]")
        # The exact solver's objective is recomputed by the evaluator from its plan; HiGHS's
        # carries its feasibility tolerances, so it may sit a hair below the true optimum.
        optimum = ex["objective"]
    elif highs_proven:
        source, optimum = "highs", hi["objective"]
    elif exact_proven:
        source, optimum = "exact", ex["objective"]
    # A proven optimum must not exceed anyone's feasible objective, nor be below a bound.
    feas = [v["objective"] for k, v in res.items() if k != "highs" and v.get("objective") is not None
            and v.get("feasible")]
    if hi.get("objective") is not None:
        feas.append(hi["objective"])
    best_known = min(feas) if feas else None
    bounds = [b for b in (hi.get("bound"), ex.get("bound"), res["approx"].get("bound")) if b is not None]
    best_bound = max(bounds) if bounds else None
    if optimum is not None and best_known is not None and best_known < optimum * (1 - AGREE_REL):
        problems.append(f"BELOW-OPTIMUM {name}: a plan of {best_known!r} beats the proven optimum "
                        f"{optimum!r} [{inst_path}]")
    if optimum is not None and best_bound is not None and best_bound > optimum * (1 + AGREE_REL):
        problems.append(f"BOUND-ABOVE-OPTIMUM {name}: bound {best_bound!r} > optimum {optimum!r} "
                        f"[{inst_path}]")
    if not hi.get("convention_ok", True):
        problems.append(f"MPS-CONSTANT {name}: HiGHS offset {hi.get('raw_offset')} vs constant "
                        f"{hi.get('constant')}")
    for k, v in res.items():
        if k == "highs":
            continue
        if k in BASELINES and v.get("exit") == 1 and v.get("status") == "infeasible" and not v.get("error"):
            # A restricted method or a baseline may legitimately find no feasible plan.
            notes.append(f"{k} found no feasible plan on {name}")
        elif v.get("error") or v.get("exit") not in (0,):
            problems.append(f"SOLVE {k} {name}: exit {v.get('exit')} status {v.get('status')} "
                            f"{v.get('error', '')} [{inst_path}]")
        elif v.get("feasible") is False:
            problems.append(f"INFEASIBLE-PLAN {k} {name} [{inst_path}]")
    ap = res["approx"].get("objective")
    ratio = ap / optimum if (ap is not None and optimum) else None
    beaters = [b for b in BASELINES if ap is not None and res[b].get("objective") is not None
               and res[b]["objective"] < ap * (1 - BEAT_REL)]
    return {
        "instance": name, "kind": kind, "size": size, "seed": seed, "connections": conn,
        "proven_optimum": fmt(optimum), "optimum_source": source,
        "highs_status": hi.get("status", ""), "highs_s": fmt(hi.get("seconds"), 3),
        "exact_status": ex.get("status", ""), "exact_s": fmt(ex.get("seconds"), 3),
        "approx_obj": fmt(ap), "approx_s": fmt(res["approx"].get("seconds"), 3),
        "approx_ratio": fmt(ratio, 8),
        "layer_only_obj": fmt(res["layer-only"].get("objective")),
        "file_only_obj": fmt(res["file-only"].get("objective")),
        "popularity_obj": fmt(res["popularity"].get("objective")),
        "approx_worse_than_baseline": ";".join(beaters),
        # Extra columns (after the required ones).
        "highs_obj": fmt(hi.get("objective")), "highs_bound": fmt(hi.get("bound")),
        "exact_obj": fmt(ex.get("objective")), "exact_bound": fmt(ex.get("bound")),
        "exact_termination": ex.get("termination", ""), "optima_agree_1e-6": agree,
        "best_known": fmt(best_known), "best_bound": fmt(best_bound),
        "approx_ratio_vs_best_known": fmt(ap / best_known if ap is not None and best_known else None, 8),
        "approx_ratio_vs_best_bound": fmt(ap / best_bound if ap is not None and best_bound else None, 8),
        "approx_certified_ratio": fmt(res["approx"].get("certified_ratio"), 6),
        "baseline_statuses": ";".join(f"{b}={res[b].get('status')}" for b in BASELINES),
        "layer_only_s": fmt(res["layer-only"].get("seconds"), 3),
        "file_only_s": fmt(res["file-only"].get("seconds"), 3),
        "popularity_s": fmt(res["popularity"].get("seconds"), 3),
        "instance_path": os.path.basename(inst_path),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default=DEFAULT_SIZES,
                   help="comma-separated: tiny, RxNxI (connections 3) or RxNxIcC (default: %(default)s)")
    p.add_argument("--seeds", default=DEFAULT_SEEDS,
                   help="a seed list for every size (1-4,7) or a per-size map (default: %(default)s)")
    p.add_argument("--time-limit", type=float, default=120.0,
                   help="seconds for HiGHS and for mis exact, each (default: %(default)s)")
    p.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "mis-quality"))
    p.add_argument("--output", default=os.path.join(ROOT, "Benchmarks", "results", "quality.csv"))
    p.add_argument("--mis", default=DEFAULT_MIS, help="the mis binary (default: %(default)s)")
    p.add_argument("--fresh", action="store_true", help="ignore cached per-instance results")
    a = p.parse_args()
    try:
        import highspy  # noqa: F401
    except ImportError:
        sys.exit("highspy is missing: pip install highspy")
    os.makedirs(a.workdir, exist_ok=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    for s in sizes:
        parse_size(s)
    seeds = parse_seeds(a.seeds, sizes)
    version = mis_binary_ready(a.mis)
    digest = sha256(a.mis)
    snapshot = os.path.join(a.workdir, "bin", f"mis-{digest[:12]}")
    if not os.path.exists(snapshot):
        os.makedirs(os.path.dirname(snapshot), exist_ok=True)
        shutil.copy2(a.mis, snapshot + ".tmp")
        os.replace(snapshot + ".tmp", snapshot)
    if sha256(snapshot) != digest:
        sys.exit(f"{a.mis} changed while it was copied; run again")
    print(f"mis {version}, sha256 {digest} ({a.mis}, run as {snapshot})", flush=True)
    a.mis = snapshot
    binary_key = f"{version}|{digest}"

    rows, problems, notes, seen = [], [], [], set()
    t0 = time.time()
    for size in sizes:
        for seed in seeds[size]:
            name, path, kind, size_label, conn = generate(a, size, seed)
            if name in seen:  # e.g. 2x4x5c2 is 2x4x5 (connections clamped to 2)
                continue
            seen.add(name)
            res, cached = solve_instance(a, name, path, binary_key)
            row = make_row(name, path, kind, size_label, seed, conn, res, problems, notes)
            rows.append(row)
            print(f"[{time.time() - t0:7.0f}s] {name}{' (cached)' if cached else ''}: "
                  f"opt={row['proven_optimum'] or '-'} ({row['optimum_source'] or 'unproven'}) "
                  f"highs={row['highs_status']} {row['highs_s']}s exact={row['exact_status']} {row['exact_s']}s "
                  f"approx={row['approx_obj']} ratio={row['approx_ratio'] or '-'} {row['approx_s']}s "
                  f"beaten_by={row['approx_worse_than_baseline'] or '-'}", flush=True)
            with open(a.output, "w", newline="") as f:  # rewritten after each instance
                w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
                w.writeheader()
                w.writerows(rows)

    proven = [r for r in rows if r["proven_optimum"]]
    ratios = [(float(r["approx_ratio"]), r) for r in proven if r["approx_ratio"]]
    print()
    print(f"wrote {a.output}: {len(rows)} instances, {len(proven)} proven "
          f"(both {sum(r['optimum_source'] == 'both' for r in proven)}, "
          f"HiGHS only {sum(r['optimum_source'] == 'highs' for r in proven)}, "
          f"exact only {sum(r['optimum_source'] == 'exact' for r in proven)})")
    if ratios:
        mean = sum(x for x, _ in ratios) / len(ratios)
        worst, wr = max(ratios, key=lambda t: t[0])
        print(f"approx/optimum on proven instances: mean {mean:.6f}, worst {worst:.6f} ({wr['instance']})")
    high = [(x, r) for x, r in ratios if x > 1.005]
    print(f"instances with ratio > 1.005: {len(high)}")
    for x, r in high:
        print(f"  {r['instance']}: ratio {x:.6f} approx {r['approx_obj']} optimum {r['proven_optimum']} "
              f"[{r['instance_path']}]")
    beaten = [r for r in rows if r["approx_worse_than_baseline"]]
    print(f"instances where a baseline beats approx: {len(beaten)}")
    for r in beaten:
        objs = {b: r[b.replace('-', '_') + '_obj'] for b in BASELINES}
        print(f"  {r['instance']}: approx {r['approx_obj']} beaten by {r['approx_worse_than_baseline']} "
              f"{objs} [{r['instance_path']}]")
    unproven = [r for r in rows if not r["proven_optimum"]]
    print(f"unproven instances: {len(unproven)} (approx/optimum lies in [approx/best_known, approx/best_bound])")
    for r in unproven:
        flag = "  <-- approx > 1.005 x a known plan" if (r["approx_ratio_vs_best_known"]
                                                         and float(r["approx_ratio_vs_best_known"]) > 1.005) else ""
        print(f"  {r['instance']}: approx {r['approx_obj']} best known {r['best_known']} "
              f"best bound {r['best_bound']} ratio in [{r['approx_ratio_vs_best_known']}, "
              f"{r['approx_ratio_vs_best_bound']}]{flag}")
    secs = [(float(r["approx_s"]), r["instance"]) for r in rows if r["approx_s"]]
    if secs:
        print(f"max approx seconds: {max(secs)[0]:.2f} ({max(secs)[1]})")
    if notes:
        print(f"notes ({len(notes)}):")
        for n_ in notes:
            print("  " + n_)
    if problems:
        print()
        print(f"PROBLEMS ({len(problems)}):")
        for pr in problems:
            print("  " + pr)
    else:
        print("no problems: optima agree wherever both proved them, every returned plan feasible, no solver failure")
    return 1 if any(pr.startswith("DISAGREEMENT") for pr in problems) else 0


if __name__ == "__main__":
    sys.exit(main())
