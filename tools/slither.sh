#!/usr/bin/env bash
# Static analysis of our contracts (Slither, in a virtual environment of its own so its pins never meet Ape's), part
# of `make test`: every High or Medium finding must be triaged in tools/slither-triage.yaml, else this fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SLITHER_VERSION=0.11.6
VENV="$ROOT/.tools/slither"
if [ ! -x "$VENV/bin/slither" ] || [ "$("$VENV/bin/slither" --version 2>/dev/null)" != "$SLITHER_VERSION" ]; then
  echo "[slither] installing slither-analyzer $SLITHER_VERSION"
  python3.11 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "slither-analyzer==$SLITHER_VERSION" 2>&1 | grep -v "^WARNING: Location" || true
  [ -x "$VENV/bin/slither" ] || { echo "[slither] ERROR: slither-analyzer did not install: check PyPI is reachable" >&2; exit 1; }
fi
solc=$(ls "$ROOT"/.tools/solcx/solc-v* 2>/dev/null | head -n1)
[ -n "$solc" ] || { echo "[slither] ERROR: no offline solc in .tools/solcx: run 'make setup'" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Slither exits non-zero whenever it finds anything; the triage below decides what fails.
# crytic-compile reads foundry.toml (the fuzz campaign) for remappings through `forge config`: forge must be on PATH.
export PATH="$ROOT/.tools/bin:$PATH"
"$VENV/bin/slither" contracts --solc-standard-json --solc "$solc" \
  --solc-remaps "@openzeppelin/contracts=node_modules/@openzeppelin/contracts" \
  --filter-paths "node_modules|contracts/test" --json "$out/findings.json" > "$out/log.txt" 2>&1 || true
[ -s "$out/findings.json" ] || { tail -20 "$out/log.txt" >&2; echo "[slither] ERROR: Slither produced no report (see above)" >&2; exit 1; }
"$ROOT/.venv/bin/python" tools/slither_triage.py "$out/findings.json" tools/slither-triage.yaml
