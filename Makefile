# The two commands a fresh machine needs: `make demo` and `make test`. Both set up whatever is missing first.
SHELL := /bin/bash
ENV := source tools/env.sh &&
NETWORK ?= ethereum:local:foundry

.PHONY: setup demo test test-fast bench compile slither fuzz clean

setup:
	@bash tools/setup.sh

compile: setup
	@$(ENV) python tools/build_contract_types.py

# `make demo DEMO_ARGS="--days 2"` passes options to `alp demo`.
demo: setup
	@$(ENV) alp demo $(DEMO_ARGS)

# Everything on a fresh anvil, then the fork tests (anvil forking an upstream: see tools/fork_tests.sh).
test:
	@bash tools/setup.sh --browser
	@$(ENV) ape test tests --ignore tests/fork --network $(NETWORK) -p no:cacheprovider $(PYTEST_ARGS)
	@bash tools/fork_tests.sh $(PYTEST_ARGS)
	@bash tools/slither.sh
	@$(ENV) forge test

# Static analysis alone: Slither over contracts/, every High/Medium finding triaged in tools/slither-triage.yaml.
slither: setup
	@bash tools/slither.sh

# The full invariant campaign (fuzz/, foundry.toml profile `campaign`): 10,000 random sequences of depth 50 on the
# real contracts and the real Uniswap V3 pool, every property checked after every call. `make test` runs a short one.
fuzz: setup
	@$(ENV) FOUNDRY_PROFILE=campaign forge test

# Keeper maths and backtests only: no chain, a few seconds.
test-fast: setup
	@$(ENV) pytest tests/keeper -q -p no:cacheprovider $(PYTEST_ARGS)

bench: setup
	@$(ENV) python -m bench

clean:
	rm -rf .build .tools .venv node_modules bench/results
