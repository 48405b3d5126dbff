#!/usr/bin/env bash
# Installs the system packages MIS needs, only when they are missing:
#   libglpk-dev  GLPK headers and library (the exact solver and the LP relaxation)
#   glpk-utils   glpsol, used by the tests that re-solve exported MPS/LP files
#   libarchive-dev, zlib1g-dev   tar/gzip/zstd reading and gzip sizes for `mis import`
#   umoci, skopeo, zstd          build the real-image fixtures of the import tests
#                                (scripts/build-import-fixtures.sh)
#   debootstrap, time            the real-image benchmark (make bench-real)
# Needs root (apt-get); otherwise explains what to run and exits 1.
set -euo pipefail

missing=()
[[ -f /usr/include/glpk.h ]] || missing+=(libglpk-dev)
command -v glpsol >/dev/null 2>&1 || missing+=(glpk-utils)
[[ -f /usr/include/archive.h ]] || missing+=(libarchive-dev)
[[ -f /usr/include/zlib.h ]] || missing+=(zlib1g-dev)
command -v umoci >/dev/null 2>&1 || missing+=(umoci)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v zstd >/dev/null 2>&1 || missing+=(zstd)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
[[ -x /usr/bin/time ]] || missing+=(time)

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing ${missing[*]}; run as root (or with sudo):" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: missing ${missing[*]} and apt-get is not available; install them by hand" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
