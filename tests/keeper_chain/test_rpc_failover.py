"""RPC failover under the keeper on anvil: the primary endpoint dies in the middle of a send (the transaction
reached the chain, its answer did not) and the keeper goes on through the secondary with the move done exactly once;
reads continue there; a lagging primary is not taken back until it catches up. Endpoints are proxies in front of the
one local anvil (see rpc_proxy)."""

from __future__ import annotations

import pytest
import requests

from keeper.commands import _connected
from keeper.cycle import Keeper
from keeper.rpc_failover import AllEndpointsFailed

from .conftest import rebalances
from .rpc_proxy import RpcProxy
from .test_cycle import _history


@pytest.fixture
def proxies(chain, monkeypatch):
    # Failures here are refused or dropped connections; a request merely slowed by a loaded machine (the proxy
    # shares the test's interpreter) must not count as one.
    monkeypatch.setattr("keeper.rpc_failover.TIMEOUT_SECONDS", 30.0)
    primary, secondary = RpcProxy(chain.provider.uri), RpcProxy(chain.provider.uri)
    yield primary, secondary
    primary.stop()
    secondary.stop()


def test_primary_dies_mid_send__keeper_continues_on_the_secondary__move_done_once(world, config, chain, proxies):
    from ape import chain as ape_chain

    primary, secondary = proxies
    errors: list[str] = []
    settings = config(network=primary.url, rpc_fallbacks=[secondary.url])
    # Observations an hour apart, with trading, recorded in the keeper's store on the direct connection (moving
    # the chain's clock needs the test provider).
    _history(Keeper(settings, world["keeper"]), world, chain, busy_fee=500)
    start = chain.blocks.head.number
    with _connected(settings, on_rpc_error=errors.append):
        failover = ape_chain.provider.web3.provider
        keeper = Keeper(settings, world["keeper"])
        keeper.cycle(dry_run=True)
        assert primary.calls["eth_call"] > 0 and secondary.calls["eth_call"] == 0, "reads go to the primary"
        primary.mode = "drop-after-send"
        result = keeper.cycle()  # the vault's first allocation: one transaction, broadcast through the primary
        assert result.state == "confirmed", result.reasons
        assert rebalances(world["vault"], start) == 1, "sent once, though its broadcast was retried"
        assert primary.mode == "down" and secondary.calls["eth_sendRawTransaction"] == 1
        assert failover.state.active == f"http://127.0.0.1:{secondary.url.rsplit(':', 1)[1]}"
        assert errors and set(errors) == {failover.endpoints[0].name}
        reads = secondary.calls["eth_call"]
        keeper.cycle(dry_run=True)
        assert secondary.calls["eth_call"] > reads, "reads continue on the secondary"

        # The primary comes back lagging: it is not taken back until it has caught up.
        primary.frozen_head = ape_chain.provider.web3.eth.block_number
        primary.mode = "lag"
        primary.start()
        requests.post(primary.target, json={"jsonrpc": "2.0", "id": 1, "method": "anvil_mine", "params": ["0xa"]},
                      timeout=10)
        failover.probe()
        assert failover.state.active == failover.endpoints[1].name
        primary.mode = "up"
        failover.probe()
        assert failover.state.active == failover.endpoints[0].name, "the primary is preferred once it is level"

        # Both gone: one line naming each endpoint by host, and the cycle fails rather than half-acts.
        primary.stop()
        secondary.stop()
        with pytest.raises(AllEndpointsFailed, match="no RPC endpoint answered") as failed:
            ape_chain.provider.web3.eth.block_number
        assert "127.0.0.1" in str(failed.value) and "\n" not in str(failed.value)


def test_primary_unreachable_at_start__connects_through_the_fallback(world, config, chain, proxies):
    from ape import chain as ape_chain

    primary, secondary = proxies
    primary.stop()
    settings = config(network=primary.url, rpc_fallbacks=[secondary.url])
    with _connected(settings):
        assert ape_chain.provider.web3.eth.block_number > 0
        assert secondary.calls["eth_blockNumber"] >= 1
