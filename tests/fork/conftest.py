"""Fork tests: the chain is anvil forking an upstream (see tools/fork_tests.sh). Fixtures find the market on it,
real mainnet or the local upstream, and fund test accounts the way that market allows."""

from __future__ import annotations

import os

import pytest
from ape import Contract
from ethpm_types import ContractType

from keeper import contracts
from keeper.localnet.fork import fork_market

HOUR = 3_600
_WETH_DEPOSIT_ABI = [{"type": "function", "name": "deposit", "stateMutability": "payable", "inputs": [], "outputs": []}]


@pytest.fixture(scope="session", autouse=True)
def _on_a_fork(chain):
    """Refuse to run anywhere but a fork: these tests must never pass vacuously on a plain local chain."""
    if chain.provider.network.name != "mainnet-fork":
        pytest.fail("fork tests need --network ethereum:mainnet-fork:foundry: run them with tools/fork_tests.sh")
    # Ape files a fork's contracts under the forked chain's own cache: what these tests deploy exists only on the
    # fork, and must not be read back as mainnet's contracts later.
    from keeper.connect import settled_chain

    with settled_chain():
        yield


@pytest.fixture(scope="session")
def upstream_url() -> str:
    url = os.environ.get("ALP_FORK_UPSTREAM", "")
    assert url.startswith("http"), "ALP_FORK_UPSTREAM is not set: run the fork tests with tools/fork_tests.sh"
    return url


@pytest.fixture(scope="session")
def described():
    return fork_market()


@pytest.fixture(scope="session")
def tokens(described):
    return {symbol: contracts.at("TestToken", address) for symbol, address in described.tokens.items()}


@pytest.fixture(scope="session")
def router(described):
    return contracts.at("SwapRouter", described.router)


@pytest.fixture(scope="session")
def factory(described):
    return contracts.at("UniswapV3Factory", described.factory)


@pytest.fixture(scope="session")
def pool(described):
    return contracts.at("UniswapV3Pool", described.pools["WETH/USDC/500"])


@pytest.fixture(scope="session")
def get_weth(accounts, described, tokens):
    """Gives an account WETH: minted by the token owner on the local market, wrapped from ETH on mainnet."""
    def give(account, amount: int) -> None:
        if described.token_owner:
            owner = next(a for a in accounts if a.address == described.token_owner)
            tokens["WETH"].mint(account, amount, sender=owner)
        else:
            weth = Contract(described.tokens["WETH"], contract_type=ContractType(abi=_WETH_DEPOSIT_ABI))
            weth.deposit(sender=account, value=amount)
    return give


@pytest.fixture(scope="session")
def oracle_history(chain):
    """Let an hour pass on the fork so TWAPs over the strategy's window are readable on any upstream."""
    chain.pending_timestamp += HOUR
    chain.mine()
