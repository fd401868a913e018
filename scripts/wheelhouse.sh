#!/usr/bin/env bash
# Build a wheelhouse: Ureshii's wheel and a wheel of every runtime dependency (with the
# `postgres` extra, not the test tools) for this platform and this Python, so that a machine
# with no internet installs Ureshii with
#
#   python3 -m venv ureshii-venv
#   ureshii-venv/bin/pip install --no-index --find-links wheelhouse ureshii
#
# Needs the internet once (PyPI), here. Build it on the same OS, CPU and Python minor version
# as the machines that will install it (README: "Installing with no internet").
#
# Usage: scripts/wheelhouse.sh [FOLDER]     (default: wheelhouse/; an older one is replaced)
#        PYTHON=python3.12 scripts/wheelhouse.sh   (another interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-wheelhouse}"
python="${PYTHON:-python3}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install --quiet --upgrade pip

rm -rf "$out"
mkdir -p "$out"
# One resolution for Ureshii and all its dependencies: pip builds Ureshii's wheel (in an
# isolated build environment, with setuptools>=77 from PyPI) and downloads, or builds from an
# sdist, a wheel of every package it needs.
"${pip[@]}" wheel --quiet --wheel-dir "$out" ".[postgres]"
# pip, setuptools and wheel as well: an old pip on the target can then upgrade itself offline.
"${pip[@]}" download --quiet --only-binary=:all: --dest "$out" pip setuptools wheel

# Prove it: a fresh virtual environment installs from the folder alone (--isolated: no pip
# configuration of this machine, such as another --find-links, can help).
"$python" -m venv "$work/check"
"$work/check/bin/python" -m pip install --isolated --quiet --no-index \
  --find-links "$out" "ureshii[postgres]"
"$work/check/bin/ureshii" --version

echo "$(find "$out" -name '*.whl' | wc -l) wheels, $(du -sh "$out" | cut -f1) in $out/"
