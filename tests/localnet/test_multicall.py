"""Pool observation through Multicall3 (its published bytecode installed on anvil) on many distinct real pools:
the same states as batched eth_calls, in one round trip instead of one per 500 calls; a pool whose oracle is too
short reads as "no TWAP", an address that is no pool is refused by name."""

from __future__ import annotations

import pytest

from keeper import contracts
from keeper.localnet.many_pools import deploy_many_pools, tokens_for
from keeper.localnet.market import deploy_market
from keeper.market import multicall
from keeper.market.chain import ChainReader, NotAPool, SharedPools
from keeper.market.multicall import BATCH_SIZE

POOLS = 120  # 600 reads: more than one eth_call batch, one multicall request


@pytest.fixture(scope="module")
def pools(accounts, chain):
    market = deploy_market(accounts[0], lp=accounts[1])
    chain.pending_timestamp += 3_600  # the seeded pools' oracles then cover the TWAP window
    chain.mine()
    tokens = [accounts[0].deploy(contracts.container("TestToken"), f"Token {i}", f"T{i}", 18).address
              for i in range(tokens_for(POOLS))]
    many = deploy_many_pools(chain.provider.web3, market.factory, tokens, POOLS, accounts[0].address)
    return [p.address for p in market.pools.values()] + many


def test_multicall__same_states_as_batched_calls__in_one_round_trip(pools, chain):
    web3 = chain.provider.web3
    assert len(set(pools)) == len(pools) > BATCH_SIZE // 5
    batched = ChainReader(web3, multicall=False)  # what a chain without Multicall3 gets
    expected = batched.pools(pools)
    assert multicall.present(web3), "the local market installs Multicall3 from its published bytecode"
    reader = ChainReader(web3)
    assert reader.pools(pools) == expected
    assert reader._reads.multicall and reader.requests == 2, "one to find Multicall3, one for every pool"
    assert reader.pools(pools) == expected and reader.requests == 3
    assert batched.requests == -(-5 * len(pools) // BATCH_SIZE)
    # The seeded pools have a TWAP, the new ones (one observation each) do not.
    assert all(s.twap_tick is not None for s in expected[:4]) and all(s.twap_tick is None for s in expected[4:])


def test_multicall__an_address_that_is_no_pool__refused_by_name(pools, chain, accounts):
    reader = ChainReader(chain.provider.web3)
    with pytest.raises(NotAPool, match=accounts[5].address):
        reader.pools([pools[0], accounts[5].address])


def test_shared_pools__each_pool_read_once_per_cycle_whoever_asks(pools, chain):
    shared = SharedPools(ChainReader(chain.provider.web3))
    first = shared.pools(pools[:10])
    trips = shared.requests
    again = shared.pools(pools[5:10] + pools[:5])  # another vault's ranges, in other pools' order
    assert shared.requests == trips, "nothing read twice"
    assert again == first[5:10] + first[:5]
    shared.pools(pools[:12])
    assert shared.requests == trips + 1, "only the two new pools read"
