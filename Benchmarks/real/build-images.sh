#!/usr/bin/env bash
# Builds the real-image family of the real-image benchmark as OCI layouts, once:
#
#   for each Debian release in $RELEASES (default: bookworm trixie; bullseye works too):
#     base     = debootstrap --variant=minbase
#     python   = base + python3            nginx  = base + nginx
#     pgclient = base + postgresql-client  build  = base + build-essential
#   layouts/debian-RELEASE          the five images, each app one layer on the shared base
#   layouts/debian-RELEASE-rebuild  the same recipe rebuilt: the same packages, new file
#                                   times, so every layer has a new digest (what a nightly
#                                   rebuild of an unchanged Dockerfile produces)
#
# An app root filesystem is the base plus `apt-get install --no-install-recommends` in a
# chroot, so an app layer is what that adds on top of the base: the package files plus
# the dpkg/apt state it rewrites. Package caches, apt lists and logs are left out, as a
# Dockerfile that cleans up would. Everything is cached in $REAL_CACHE (default
# ~/.cache/mis-bench-real): delete a directory there to rebuild it.
set -euo pipefail

cache="${REAL_CACHE:-$HOME/.cache/mis-bench-real}"
releases="${RELEASES:-bookworm trixie}"
mirror="${MIRROR:-http://deb.debian.org/debian}"
declare -A packages=([python]=python3 [nginx]=nginx [pgclient]=postgresql-client [build]=build-essential)
apps=(python nginx pgclient build)

mkdir -p "$cache/rootfs" "$cache/layouts" "$cache/logs"

rootfs() { # release name → builds $cache/rootfs/release-name once
  local release=$1 name=$2 target="$cache/rootfs/$1-$2"
  [[ -f "$target.done" ]] && return 0
  rm -rf "$target"
  if [[ $name == base ]]; then
    mkdir -p "$cache/apt-$release"
    echo "build-images: debootstrap $release" >&2
    debootstrap --variant=minbase --cache-dir="$cache/apt-$release" "$release" "$target" "$mirror" \
      >"$cache/logs/debootstrap-$release.log" 2>&1
  else
    # What a Dockerfile's `RUN apt-get update && apt-get install --no-install-recommends`
    # on the base does: a copy of the base, apt inside it (services are not started).
    echo "build-images: $release + ${packages[$name]}" >&2
    cp -a "$cache/rootfs/$release-base" "$target"
    cp /etc/resolv.conf "$target/etc/resolv.conf"
    printf '#!/bin/sh\nexit 101\n' >"$target/usr/sbin/policy-rc.d"
    chmod +x "$target/usr/sbin/policy-rc.d"
    {
      chroot "$target" apt-get -q update
      DEBIAN_FRONTEND=noninteractive chroot "$target" apt-get install -y -q --no-install-recommends ${packages[$name]}
    } >"$cache/logs/apt-$release-$name.log" 2>&1
    rm -f "$target/usr/sbin/policy-rc.d"
    cp -a "$cache/rootfs/$release-base/etc/resolv.conf" "$target/etc/resolv.conf" 2>/dev/null || rm -f "$target/etc/resolv.conf"
  fi
  rm -rf "$target"/var/lib/apt/lists/* "$target"/var/cache/apt/* "$target"/var/log/* \
    "$target"/var/cache/debconf/*-old "$target"/var/lib/dpkg/*-old
  touch "$target.done"
}

# Copies a root filesystem into an unpacked umoci bundle (only differences end up in the
# next layer); with a timestamp, every file gets that mtime (the rebuild).
fill() { # source bundle [timestamp]
  find "$2/rootfs" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  cp -a "$1/." "$2/rootfs/"
  rm -rf "$2/rootfs/proc/"* "$2/rootfs/sys/"* "$2/rootfs/dev/"*
  if [[ $# -ge 3 ]]; then
    find "$2/rootfs" -xdev -exec touch -h -d "@$3" {} +
  fi
}

pack() { # release layout-suffix [timestamp]
  local release=$1 layout="$cache/layouts/debian-$1$2" work="$cache/work/$1$2"
  shift 2
  [[ -f "$layout.done" ]] && return 0
  rm -rf "$layout" "$work"
  mkdir -p "$work"
  echo "build-images: packing $(basename "$layout")" >&2
  umoci init --layout "$layout"
  umoci new --image "$layout:base"
  umoci unpack --image "$layout:base" "$work/base" >/dev/null
  fill "$cache/rootfs/$release-base" "$work/base" "$@"
  umoci repack --image "$layout:base" "$work/base"
  for app in "${apps[@]}"; do
    umoci unpack --image "$layout:base" "$work/$app" >/dev/null
    fill "$cache/rootfs/$release-$app" "$work/$app" "$@"
    umoci repack --image "$layout:$app" "$work/$app"
    rm -rf "$work/$app"
  done
  rm -rf "$work"
  umoci gc --layout "$layout"
  touch "$layout.done"
}

for release in $releases; do
  rootfs "$release" base
  for app in "${apps[@]}"; do rootfs "$release" "$app"; done
  pack "$release" ""
  # The rebuild: every file of every layer gets a new time.
  pack "$release" -rebuild 1735689600
done
du -sh "$cache/layouts"/* >&2
