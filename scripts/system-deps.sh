#!/usr/bin/env bash
# Install the Debian packages the test suite needs, if they are missing.
# Needs root (or sudo) to install; never downloads anything but Debian packages.
# With CI=true a part that is still missing afterwards is an error, never a skip.
set -euo pipefail

need_pkgs=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || need_pkgs+=(postgresql)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "system-deps: installing ${need_pkgs[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "system-deps: need root to install ${need_pkgs[*]}; the PostgreSQL tests will be skipped" >&2
    [ "${CI:-}" = "true" ] && exit 1
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "system-deps: PostgreSQL server binaries are still missing" >&2
  [ "${CI:-}" = "true" ] && exit 1
fi
echo "system-deps: ok (PostgreSQL: ${pg_bin:-missing})"
