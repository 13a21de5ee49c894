# Shared by scripts/dev and scripts/test: find Python 3.12+, make .venv, install what the
# project needs (Python packages, the system libraries WeasyPrint uses, and for tests
# Chromium and axe-core). Safe to run again: each step is skipped when already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_new_enough() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 python; do
    [ -n "$candidate" ] || continue
    candidate="$(command -v "$candidate" 2>/dev/null)" || continue
    if is_new_enough "$candidate"; then echo "$candidate"; return 0; fi
  done
  # pyenv keeps versions outside PATH; take the newest 3.12+ it has.
  for candidate in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.* 2>/dev/null | sort -rV); do
    if [ -x "$candidate/bin/python" ] && is_new_enough "$candidate/bin/python"; then
      echo "$candidate/bin/python"; return 0
    fi
  done
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

APT_UPDATED=
apt_install() {
  command -v apt-get >/dev/null || die "please install these packages: $*"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq || die "apt-get update failed"; APT_UPDATED=1; fi
  say "Installing system packages: $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null \
    || die "could not install $* (run as root or with sudo)"
}

has_library() {
  local ldconfig
  ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
  "$ldconfig" -p 2>/dev/null | grep -q "$1"
}

ensure_system_libraries() {
  # WeasyPrint renders through Pango and subsets fonts with HarfBuzz.
  if ! has_library 'libpango-1.0.so' || ! has_library 'libpangoft2-1.0.so' \
     || ! has_library 'libharfbuzz-subset.so'; then
    apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig
  fi
}

ensure_venv() {
  local python
  python="$(find_python)" || die "Python 3.12 or newer is needed and none was found.
Looked on PATH (python3.14 … python3) and in ${PYENV_ROOT:-$HOME/.pyenv}/versions.
Install one (apt-get install python3.12, or pyenv install 3.12) or set PYTHON=/path/to/python3.12."
  if [ -x "$VENV/bin/python" ] && ! is_new_enough "$VENV/bin/python"; then
    say "Replacing .venv: it was made with an older Python"; rm -rf "$VENV"
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating .venv with $("$python" --version) ($python)"
    "$python" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "Installing Python packages (pyproject.toml)"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    rm -f "$VENV"/.installed-*; touch "$stamp"
  fi
}

ensure_browser_test_tools() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  # poppler's pdfsig checks the signed PDFs with a second, independent validator, trusting
  # the demo CA through an NSS database made with certutil.
  if ! command -v pdfsig >/dev/null; then apt_install poppler-utils; fi
  if ! command -v certutil >/dev/null; then apt_install libnss3-tools; fi
  if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
  local stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
  if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f "$stamp" ]; then
    say "Installing axe-core from the npm registry (package-lock.json)"
    npm ci --silent --no-audit --no-fund
    touch "$stamp"
  fi
}
