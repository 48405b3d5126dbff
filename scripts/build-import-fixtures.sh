#!/usr/bin/env bash
# Builds the real-image fixtures of MISImportTests: small OCI image layouts made by real
# tools (umoci, skopeo) from real Debian packages of two releases (bookworm and trixie).
#
#   .fixtures/import/layouts/bookworm   OCI, gzip (umoci): base, hello, hello-rebuilt
#   .fixtures/import/layouts/trixie     OCI, gzip (umoci): base, hello
#   .fixtures/import/layouts/docker     Docker schema-2 media types (skopeo --format v2s2)
#   .fixtures/import/layouts/zstd       OCI, zstd layers (skopeo --dest-compress-format zstd)
#
# base = busybox-static; hello = base + the hello package, a hard link to /usr/bin/hello and
# a deleted base file (a whiteout); hello-rebuilt = the same recipe with new file times, so
# the same file contents in a new layer digest (the base layer is shared).
#
# Built once and kept (delete the directory to rebuild). Without the tools or without
# network access it builds nothing and writes the reason to .fixtures/import/UNAVAILABLE;
# the tests then skip with that reason. Exit status 0 either way, so `make test` goes on.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="${MIS_FIXTURES:-$root/.fixtures}/import"
if [[ -f "$out/READY" ]]; then exit 0; fi
mkdir -p "$out"
rm -f "$out/UNAVAILABLE"

unavailable() {
  echo "build-import-fixtures: $1; the real-image tests will skip" >&2
  echo "$1" >"$out/UNAVAILABLE"
  exit 0
}

for tool in umoci skopeo dpkg-deb apt-get tar zstd sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || unavailable "$tool is not installed (scripts/install-deps.sh installs it)"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Downloads packages of one Debian suite with a private apt configuration (the system's
# sources and state are not touched).
fetch() {
  local suite=$1
  shift
  local dir="$work/apt-$suite"
  mkdir -p "$dir/parts" "$dir/lists/partial" "$dir/cache/archives/partial" "$out/debs/$suite"
  cat >"$dir/parts/$suite.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  local opts=(-q -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$dir/parts"
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o "Dir::State::status=/dev/null"
    -o "APT::Architecture=amd64")
  if [[ $(id -u) -eq 0 ]]; then opts+=(-o "APT::Sandbox::User=root"); fi
  apt-get "${opts[@]}" update >"$work/apt-$suite.log" 2>&1 || return 1
  (cd "$out/debs/$suite" && apt-get "${opts[@]}" download "$@" >>"$work/apt-$suite.log" 2>&1) || return 1
}

for suite in bookworm trixie; do
  if ! ls "$out/debs/$suite/"busybox-static_*.deb "$out/debs/$suite/"hello_*.deb >/dev/null 2>&1; then
    fetch "$suite" busybox-static hello || unavailable "cannot download Debian $suite packages (no network?)"
  fi
done

# Unpacks one downloaded package into a directory tree.
unpack() { # suite package dir
  mkdir -p "$3"
  dpkg-deb -x "$(ls "$out/debs/$1/$2"_*.deb | head -n 1)" "$3"
}

layouts="$out/layouts"
rm -rf "$layouts"
mkdir -p "$layouts"

# One umoci layout per release: base, hello (and, for bookworm, hello-rebuilt).
build_release() { # suite
  local suite=$1 layout="$layouts/$1"
  unpack "$suite" busybox-static "$work/$suite/pkg-busybox"
  unpack "$suite" hello "$work/$suite/pkg-hello"
  umoci init --layout "$layout"
  umoci new --image "$layout:base"
  umoci unpack --rootless --image "$layout:base" "$work/$suite/b0" >/dev/null
  cp -a "$work/$suite/pkg-busybox/." "$work/$suite/b0/rootfs/"
  umoci repack --image "$layout:base" "$work/$suite/b0"

  local variant
  for variant in hello hello-rebuilt; do
    if [[ $variant == hello-rebuilt && $suite != bookworm ]]; then continue; fi
    local bundle="$work/$suite/$variant"
    umoci unpack --rootless --image "$layout:base" "$bundle" >/dev/null
    if [[ $variant == hello ]]; then
      cp -a "$work/$suite/pkg-hello/." "$bundle/rootfs/"  # package file times
    else
      cp -r --no-preserve=timestamps "$work/$suite/pkg-hello/." "$bundle/rootfs/"  # same files, new times
      touch -d '2001-02-03 04:05:06' $(find "$bundle/rootfs/usr/share/doc/hello" -type f)
    fi
    ln "$bundle/rootfs/usr/bin/hello" "$bundle/rootfs/usr/bin/hello-again"  # a hard link
    rm -f "$bundle/rootfs/usr/share/doc/busybox-static/changelog.Debian.gz"  # a whiteout
    umoci repack --image "$layout:$variant" "$bundle"
  done
  umoci gc --layout "$layout"
}

build_release bookworm
build_release trixie

# The same bookworm image with Docker schema-2 media types, and the trixie one with zstd.
skopeo --insecure-policy copy -q --format v2s2 "oci:$layouts/bookworm:hello" "oci:$layouts/docker:hello"
skopeo --insecure-policy copy -q --dest-compress-format zstd "oci:$layouts/trixie:hello" "oci:$layouts/zstd:hello"

date -u +%FT%TZ >"$out/READY"
echo "build-import-fixtures: built $(ls "$layouts" | wc -l) layouts in $layouts" >&2
