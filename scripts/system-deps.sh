#!/usr/bin/env bash
# Install the Debian packages the test suite needs, if they are missing:
#   postgresql      the PostgreSQL store tests
#   chromium        the browser tests (Playwright drives Debian's Chromium; it never downloads one)
#   fonts-noto-cjk  Japanese text in charts (vl-convert) and in the browser screenshots
#   nginx           the reverse proxy of the two-replica test (tests/trust/test_replicas.py)
#   npm             installs axe-core for the accessibility tests (tests/a11y, `npm ci`)
#   libreoffice-calc-nogui  LibreOffice Calc, headless: the export tests open the CSV and XLSX
#                   in it and import what it saves (tests/export/test_export_spreadsheet_ids.py)
#   iproute2        `ss`: a test reads the server's listen backlog (tests/trust/test_venue_limits.py)
# Needs root (or sudo) to install; never downloads anything but Debian packages and, from the
# npm registry, the axe-core pinned in tests/a11y/package-lock.json.
# With CI=true a part that is still missing afterwards is an error, never a skip.
set -euo pipefail

CHROMIUM_BIN="${URESHII_CHROMIUM:-/usr/bin/chromium}"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true; }
have_postgres() { local bin; bin=$(pg_bin); [ -n "$bin" ] && [ -x "$bin/initdb" ]; }
have_chromium() { [ -x "$CHROMIUM_BIN" ]; }
have_cjk_font() { compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK*" >/dev/null; }
have_nginx() { [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null; }
have_npm() { command -v npm >/dev/null; }
have_soffice() { command -v soffice >/dev/null; }
have_ss() { command -v ss >/dev/null; }

need_pkgs=()
have_postgres || need_pkgs+=(postgresql)
have_chromium || need_pkgs+=(chromium)
have_cjk_font || need_pkgs+=(fonts-noto-cjk)
have_nginx || need_pkgs+=(nginx)
have_npm || need_pkgs+=(npm)
have_soffice || need_pkgs+=(libreoffice-calc-nogui)
have_ss || need_pkgs+=(iproute2)

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
have_npm || missing+=("npm (npm)")
have_soffice || missing+=("LibreOffice Calc (libreoffice-calc-nogui)")
have_ss || missing+=("ss (iproute2)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'system-deps: still missing: %s\n' "${missing[@]}" >&2
  [ "${CI:-}" = "true" ] && exit 1
fi

# axe-core (tests/a11y/package.json, pinned by its package-lock.json) for the accessibility
# browser tests: `npm ci` fetches it from the npm registry into tests/a11y/node_modules; the
# tests load that file into the pages (never a CDN). Needs node and npm (Debian: npm).
A11Y_DIR="$(dirname "$0")/../tests/a11y"
AXE_JS="$A11Y_DIR/node_modules/axe-core/axe.min.js"
have_axe() { [ -f "$AXE_JS" ] && grep -q "\"version\": \"$(axe_pinned)\"" "$A11Y_DIR/node_modules/axe-core/package.json"; }
axe_pinned() { sed -n 's/.*"axe-core": "\([^"]*\)".*/\1/p' "$A11Y_DIR/package.json" | head -n 1; }
if ! have_axe; then
  if command -v npm >/dev/null; then
    echo "system-deps: installing axe-core $(axe_pinned) (npm ci in tests/a11y)"
    (cd "$A11Y_DIR" && npm ci --no-audit --no-fund --loglevel=error) || true
  else
    echo "system-deps: npm is missing (Debian package: npm); axe-core cannot be installed" >&2
  fi
fi
if ! have_axe; then
  echo "system-deps: still missing: axe-core at tests/a11y/node_modules (npm ci in tests/a11y)" >&2
  [ "${CI:-}" = "true" ] && exit 1
fi
echo "system-deps: ok (PostgreSQL: $(pg_bin || true); Chromium: $(have_chromium && echo "$CHROMIUM_BIN" || echo missing); CJK font: $(have_cjk_font && echo yes || echo missing); nginx: $(have_nginx && echo yes || echo missing); LibreOffice: $(have_soffice && echo yes || echo missing); axe-core: $(have_axe && axe_pinned || echo missing))"
