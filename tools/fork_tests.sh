#!/usr/bin/env bash
# Fork tests: `ape test tests/fork --network ethereum:mainnet-fork:foundry`, where anvil forks an upstream node.
# With ALP_FORK_RPC_URL set, the upstream is that (real mainnet) RPC. Without it, the upstream is a local anvil with
# chain id 1 holding the local Uniswap V3 market: started here, and stopped on exit whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/env.sh

if [ -n "${ALP_FORK_RPC_URL:-}" ]; then
  echo "[fork] forking the RPC in ALP_FORK_RPC_URL (real mainnet market)"
  export ALP_FORK_UPSTREAM="$ALP_FORK_RPC_URL"
  unset ALP_FORK_MARKET
else
  port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  anvil --chain-id 1 --port "$port" --hardfork cancun --silent &
  upstream_pid=$!
  trap 'kill "$upstream_pid" 2>/dev/null || true; wait "$upstream_pid" 2>/dev/null || true' EXIT
  export ALP_FORK_UPSTREAM="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
      --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$ALP_FORK_UPSTREAM" && break
    sleep 0.1
  done
  mkdir -p .alp
  export ALP_FORK_MARKET="$PWD/.alp/fork-market.json"
  echo "[fork] no ALP_FORK_RPC_URL: forking a local upstream anvil on port $port with the local market"
  python -m keeper.localnet.upstream "$ALP_FORK_MARKET"
fi
ape test tests/fork --network ethereum:mainnet-fork:foundry -p no:cacheprovider "$@"
