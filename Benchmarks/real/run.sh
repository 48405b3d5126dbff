#!/usr/bin/env bash
# The real-image benchmark (make bench-real): builds the Debian image family once
# (build-images.sh), imports it with `mis import`, measures import throughput and memory
# against `tar -xzf` + `sha256sum` of the same layers, solves a grid of capacity
# fractions × reconstruction costs with every method, and writes results/*.csv, the SVG
# plots and Docs/benchmarks-real.md (report.py).
#
# Environment: REAL_CACHE (image cache, default ~/.cache/mis-bench-real), MIS (the mis
# binary, default .build/release/mis), SKIP_SOLVE=1 (throughput only), EXACT_LIMIT
# (seconds per exact solve, default 30).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${REAL_CACHE:-$HOME/.cache/mis-bench-real}"
mis="${MIS:-$root/.build/release/mis}"
results="$here/results"
work="$cache/run"
mkdir -p "$results" "$work"
export REAL_CACHE="$cache"

"$here/build-images.sh"
mapfile -t layouts < <(find "$cache/layouts" -mindepth 1 -maxdepth 1 -type d -name 'debian-*' | sort)
echo "run: ${#layouts[@]} layouts" >&2

python3 "$here/make-fleet.py" 7 "$work/fleet.json" "$work/demand.csv" "${layouts[@]}"

# --- Import throughput and memory -------------------------------------------------------
cat "$cache"/layouts/debian-*/blobs/sha256/* >/dev/null  # warm page cache for every reader
timing="$results/throughput.csv"
echo "run,layouts,images,jobs,file_size,seconds,max_rss_kb" >"$timing"
measure() { # label layouts-count images jobs file-size command...
  local label=$1 count=$2 images=$3 jobs=$4 size=$5
  shift 5
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/$label.stderr"
  read -r seconds rss <"$work/time.txt"
  echo "$label,$count,$images,$jobs,$size,$seconds,$rss" >>"$timing"
  echo "run: $label ${seconds}s ${rss}KB" >&2
}
images_of() { python3 -c 'import json,sys; print(sum(len(json.load(open(p+"/index.json"))["manifests"]) for p in sys.argv[1:]))' "$@"; }
all_images=$(images_of "${layouts[@]}")
imp=("$mis" import --fleet "$work/fleet.json" --demand "$work/demand.csv")
measure import-raw-jobs2 "${#layouts[@]}" "$all_images" 2 raw "${imp[@]}" --output "$work/instance-raw.json" --jobs 2 "${layouts[@]}"
measure import-raw-jobs1 "${#layouts[@]}" "$all_images" 1 raw "${imp[@]}" --output "$work/instance-raw-1.json" --jobs 1 "${layouts[@]}"
measure import-gzip-jobs2 "${#layouts[@]}" "$all_images" 2 gzip "${imp[@]}" --output "$work/instance-gzip.json" --jobs 2 --file-size gzip "${layouts[@]}"
cmp "$work/instance-raw.json" "$work/instance-raw-1.json"  # the worker count never changes the output
# Memory against the number of images: one layout, then all of them (demand of the first only).
first=${layouts[0]}
head -n 1 "$work/demand.csv" >"$work/demand-one.csv"
grep ",$(basename "$first"):" "$work/demand.csv" >>"$work/demand-one.csv" || true
measure import-raw-one-layout 1 "$(images_of "$first")" 2 raw "$mis" import --fleet "$work/fleet.json" \
  --demand "$work/demand-one.csv" --output "$work/instance-one.json" --jobs 2 "$first"

# The floor: tar -xzf of every distinct layer blob, then sha256sum of every extracted file.
python3 - "$work/instance-raw.json" "${layouts[@]}" >"$work/blobs.txt" <<'PY'
import json, os, sys
inst = json.load(open(sys.argv[1]))
for layer in inst["layers"]:
    alg, hexd = layer["id"].split(":")
    for layout in sys.argv[2:]:
        p = os.path.join(layout, "blobs", alg, hexd)
        if os.path.exists(p):
            print(p)
            break
PY
floor() { # jobs
  local dir="$work/floor"
  rm -rf "$dir"
  mkdir -p "$dir"
  # shellcheck disable=SC2016
  /usr/bin/time -f "%e %M" -o "$work/time.txt" xargs -P "$1" -I{} sh -c \
    'd=$(mktemp -d -p "$0"); tar -xzf "$1" -C "$d"; find "$d" -type f -print0 | xargs -0 -r sha256sum >/dev/null' \
    "$dir" {} <"$work/blobs.txt"
  read -r seconds rss <"$work/time.txt"
  echo "floor-tar-sha256sum-jobs$1,${#layouts[@]},$all_images,$1,raw,$seconds,$rss" >>"$timing"
  echo "run: floor jobs $1 ${seconds}s" >&2
  du -sb "$dir" | cut -f1 >"$work/floor-bytes.txt"
  rm -rf "$dir"
}
floor 1
floor 2

# --- Planning grid ----------------------------------------------------------------------
if [[ "${SKIP_SOLVE:-0}" != 1 ]]; then
  python3 "$here/grid.py" "$mis" "$work" "$results/solve.csv"
fi
python3 "$here/report.py" "$work" "$results" "$root/Docs/benchmarks-real.md"
