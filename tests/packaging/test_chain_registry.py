"""The chain registry agrees with Ape: each entry's ecosystem is an installed Ape ecosystem whose mainnet has that
chain id, and every address is in its checksummed form (a typo in one hex digit fails the checksum)."""

from __future__ import annotations

from eth_utils import to_checksum_address

from keeper.deploy.registry import chains


def test_registry__the_five_chains_of_the_design_and_optimism_polygon():
    assert set(chains()) == {1, 10, 56, 137, 8453, 42161, 43114}


def test_registry__each_ecosystem_is_installed_with_this_chain_id_as_its_mainnet():
    from ape import networks

    for chain_id, entry in chains().items():
        network = networks.get_ecosystem(entry.ecosystem).get_network("mainnet")
        assert network.chain_id == chain_id, f"{entry.name}: Ape's {entry.ecosystem}:mainnet is {network.chain_id}"


def test_registry__every_address_is_checksummed():
    for entry in chains().values():
        addresses = [entry.factory, entry.position_manager, entry.swap_router, entry.wrapped_native.address]
        addresses += [entry.usdc.address] if entry.usdc else []
        for address in addresses:
            assert to_checksum_address(address) == address, (entry.name, address)
