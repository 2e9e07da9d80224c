#!/usr/bin/env bash
# One idempotent set-up: Python venv + packages, npm packages, and an offline solc for Ape.
# Each step is skipped when its inputs have not changed since it last succeeded, so a repeat run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin" "$TOOLS/solcx" "$TOOLS/stamps"

say() { printf '[setup] %s\n' "$*"; }
fail() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

digest() { cat "$@" | sha256sum | cut -d' ' -f1; }
fresh() { [ -f "$TOOLS/stamps/$1" ] && [ "$(cat "$TOOLS/stamps/$1")" = "$2" ]; }
mark() { echo "$2" > "$TOOLS/stamps/$1"; }

command -v python3.11 >/dev/null || fail "python3.11 not found: install Python 3.11 (e.g. apt-get install python3.11 python3.11-venv)."
command -v npm >/dev/null || fail "npm not found: install Node.js 18+ with npm (e.g. apt-get install nodejs npm)."

# --- npm: solcjs, anvil, OpenZeppelin, Uniswap V3 artifacts (exact versions from the lock file)
npm_key=$(digest package.json package-lock.json)
if ! fresh npm "$npm_key" || [ ! -d node_modules ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || fail "npm ci failed: check the npm registry is reachable, then run 'make setup' again."
  mark npm "$npm_key"
fi

# anvil from the platform package; the node wrapper in node_modules/.bin leaves defunct processes behind.
anvil_bin=$(ls node_modules/@foundry-rs/anvil-linux-*/bin/anvil 2>/dev/null | head -n1 || true)
[ -n "$anvil_bin" ] || fail "anvil binary missing from node_modules/@foundry-rs: run 'rm -rf node_modules && make setup'."
# A thin wrapper, not a link: ape-foundry always starts anvil with step tracing, whose memory grows without bound
# over a long replay (a 14-day demo reached 24 GB); keeping only recent blocks' transactions bounds it, and a long
# job that needs no step traces (the demo sets ALP_ANVIL_STEPS_TRACING=0) drops the flag altogether.
# Old blocks' states go to ~/.foundry/anvil/tmp, one file per block, left behind if anvil is killed: at most
# ANVIL_PERSISTED_STATES of them (a chain of 1,000 pools writes ~50 MB per block); with ALP_ANVIL_PRUNE_HISTORY=1 none,
# and only the last ANVIL_RECENT_STATES blocks' states are kept, in memory.
ANVIL_PERSISTED_STATES=256
ANVIL_RECENT_STATES=64
rm -f "$TOOLS/bin/anvil"
cat > "$TOOLS/bin/anvil" <<SH
#!/bin/sh
if [ "\${ALP_ANVIL_STEPS_TRACING:-1}" = "0" ]; then
  for arg in "\$@"; do shift; [ "\$arg" = "--steps-tracing" ] || set -- "\$@" "\$arg"; done
fi
history="--max-persisted-states $ANVIL_PERSISTED_STATES"
if [ "\${ALP_ANVIL_PRUNE_HISTORY:-0}" = "1" ]; then history="--prune-history $ANVIL_RECENT_STATES"; fi
exec "$ROOT/$anvil_bin" --transaction-block-keeper 2048 \$history "\$@"
SH
chmod +x "$TOOLS/bin/anvil"
# forge for the invariant campaign (fuzz/, foundry.toml): a link to the platform package's binary.
forge_bin=$(ls node_modules/@foundry-rs/forge-linux-*/bin/forge 2>/dev/null | head -n1 || true)
[ -n "$forge_bin" ] || fail "forge binary missing from node_modules/@foundry-rs: run 'rm -rf node_modules && make setup'."
ln -sf "$ROOT/$forge_bin" "$TOOLS/bin/forge"

# py-solc-x treats any executable named solc-v<version> in SOLCX_BINARY_PATH as an installed compiler.
solc_version=$(node -e 'console.log(require("./node_modules/solc/package.json").version)')
cat > "$TOOLS/solcx/solc-v$solc_version" <<SH
#!/bin/sh
exec node "$ROOT/tools/solcjs-standard-json.js" "\$@"
SH
chmod +x "$TOOLS/solcx/solc-v$solc_version"

# --- Python: venv + the project with its test extras
py_key=$(digest pyproject.toml)
if ! fresh python "$py_key" || [ ! -x "$VENV/bin/ape" ]; then
  [ -x "$VENV/bin/python" ] || { say "creating virtual environment"; python3.11 -m venv "$VENV"; }
  say "installing Python packages"
  "$VENV/bin/pip" install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
  "$VENV/bin/pip" check >/dev/null || fail "pip reports conflicting packages: run '$VENV/bin/pip check' to see them."
  [ -x "$VENV/bin/ape" ] || fail "ape was not installed: see the pip output above."
  mark python "$py_key"
fi
# --- Compiled contract types as package data of the keeper (ABIs and bytecode), rebuilt when a source changes.
PATH="$TOOLS/bin:$VENV/bin:$PATH" SOLCX_BINARY_PATH="$TOOLS/solcx" "$VENV/bin/python" tools/build_contract_types.py --if-stale \
  || fail "compiling the contracts failed (see above): fix the source, then run 'make setup' again."

# --- Debian's Chromium for the dashboard's browser test (`tools/setup.sh --browser`, used by `make test`).
# Playwright drives this system browser; its own browser download needs hosts this machine cannot reach.
# Debian packages the tests use (never downloaded from elsewhere): installed when missing, as root.
debian_package() {  # NAME: what the tests need it for
  command -v apt-get >/dev/null || fail "$1 missing and no apt-get: install Debian's '$1' package, then run 'make test' again."
  [ "$(id -u)" = 0 ] || fail "$1 missing: run 'sudo apt-get install -y $1', then 'make test' again."
  say "installing $1 (apt-get install $1: $2)"
  { apt-get install -y -q "$1" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$1" >/dev/null 2>&1; }; } \
    || fail "apt-get could not install $1: check the Debian mirror is reachable, then run 'make test' again."
}
if [ "${1:-}" = "--browser" ]; then
  [ -x /usr/bin/chromium ] || debian_package chromium "the dashboard's browser tests"
  command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
    || debian_package postgresql "the store tests on PostgreSQL"
  command -v redis-server >/dev/null || debian_package redis-server "the fleet's queue, in its tests"
fi
say "ready (venv: .venv, tools: .tools/bin, solc $solc_version via solcjs)"
