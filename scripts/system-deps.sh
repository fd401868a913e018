#!/usr/bin/env bash
# Install the Debian packages the test suite needs, if they are missing:
#   postgresql      the PostgreSQL store tests
#   chromium        the browser tests (Playwright drives Debian's Chromium; it never downloads one)
#   fonts-noto-cjk  Japanese text in charts (vl-convert) and in the browser screenshots
#   nginx           the reverse proxy of the two-replica test (tests/trust/test_replicas.py)
# Needs root (or sudo) to install; never downloads anything but Debian packages.
# With CI=true a part that is still missing afterwards is an error, never a skip.
set -euo pipefail

CHROMIUM_BIN="${URESHII_CHROMIUM:-/usr/bin/chromium}"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true; }
have_postgres() { local bin; bin=$(pg_bin); [ -n "$bin" ] && [ -x "$bin/initdb" ]; }
have_chromium() { [ -x "$CHROMIUM_BIN" ]; }
have_cjk_font() { compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK*" >/dev/null; }
have_nginx() { [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null; }

need_pkgs=()
have_postgres || need_pkgs+=(postgresql)
have_chromium || need_pkgs+=(chromium)
have_cjk_font || need_pkgs+=(fonts-noto-cjk)
have_nginx || need_pkgs+=(nginx)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "system-deps: installing ${need_pkgs[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "system-deps: need root to install ${need_pkgs[*]}; the tests that need them will be skipped" >&2
    [ "${CI:-}" = "true" ] && exit 1
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

missing=()
have_postgres || missing+=("PostgreSQL server binaries (postgresql)")
have_chromium || missing+=("Chromium at $CHROMIUM_BIN (chromium)")
have_cjk_font || missing+=("Noto Sans CJK fonts (fonts-noto-cjk)")
have_nginx || missing+=("nginx (nginx)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'system-deps: still missing: %s\n' "${missing[@]}" >&2
  [ "${CI:-}" = "true" ] && exit 1
fi
echo "system-deps: ok (PostgreSQL: $(pg_bin || true); Chromium: $(have_chromium && echo "$CHROMIUM_BIN" || echo missing); CJK font: $(have_cjk_font && echo yes || echo missing); nginx: $(have_nginx && echo yes || echo missing))"
