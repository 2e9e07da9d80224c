"""Connecting to a chain for a command: one place that turns Ape's connection failures into one line with the fix.

An RPC URL can carry an API key in its path or query, so errors name only its scheme and host.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from urllib.parse import urlsplit

import click
from requests.exceptions import ConnectionError as HTTPConnectionError
from requests.exceptions import RequestException


def shown(choice: str) -> str:
    """A network choice as it may be printed: an RPC URL loses everything after its host (API keys live there)."""
    if "://" not in choice:
        # An Ape choice (ecosystem:network:provider) has no slashes; anything else may be a URL without a scheme.
        return choice if "/" not in choice and "?" not in choice else choice.split("/", 1)[0].split("?", 1)[0]
    parts = urlsplit(choice)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a malformed port: show the host alone
        port = ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}"


def redacted(text: str, choice: str) -> str:
    """`text` (an error message) with the network choice, and any URL in it, cut back to scheme and host."""
    import re

    text = text.replace(choice, shown(choice))
    return re.sub(r"\b(https?|wss?)://[^\s'\"]+", lambda m: shown(m.group(0)), text)


def unreachable(choice: str) -> click.ClickException:
    return click.ClickException(f"cannot reach a node for {shown(choice)}: start it, or fix the network choice or "
                                "RPC URL (--network or network: in the config)")


DEV_NODE_CLIENTS = ("anvil/", "HardhatNetwork/")


def is_dev_node() -> bool:
    """Whether the connected node is a development node (anvil, Hardhat) rather than a real chain's client,
    whatever chain id it was started with."""
    from ape import chain

    provider = chain.provider
    if provider.name == "test":  # Ape's in-memory chain
        return True
    try:
        version = provider.web3.client_version
    except Exception:  # a node that does not say what it is (or refuses to) is treated as a real chain
        return False
    return version.startswith(DEV_NODE_CLIENTS)


def settle_dev_node() -> None:
    """A development node reached by URL with a real chain's id (anvil --chain-id 8453) is taken by Ape for that
    chain: it would wait for confirmations a node mining on demand never gives, and trust anvil's bare gas
    estimate. Such a node gets the settings Ape gives its own local chains."""
    from ape import chain

    from keeper.ape_settings import URL_NETWORK_GAS_MULTIPLIER

    network = chain.provider.network
    if network.name in ("local",) or network.name.endswith("-fork") or not is_dev_node():
        return
    network.config.required_confirmations = 0
    gas = network.config.gas_limit
    if hasattr(gas, "multiplier") and gas.multiplier < URL_NETWORK_GAS_MULTIPLIER:
        gas.multiplier = URL_NETWORK_GAS_MULTIPLIER


# Ape's on-disk contract caches (in its data folder), keyed by network name and address.
CONTRACT_CACHES = ("contract_types", "proxy_infos", "blueprints", "contract_creations")


def contract_caches_on_disk(on_disk: bool) -> None:
    """Off: a development chain (or a fork) puts different contracts at the same addresses in every run. Reached by
    URL, Ape files it under `custom` (which any chain reached by URL shares) or, started with a real chain's id,
    under that real chain; a fork's contracts go under the forked chain. Written to disk, its contract types would
    be read back for other chains' contracts (and a process killed mid-write leaves an empty file that every later
    command logs an error about). Its types then stay in this process's memory, starting empty; every contract ALP
    calls is given its type from the build, so nothing is lost. On: Ape's own behaviour for a real chain, restored
    (and the memory emptied) when this process turned it off for the same network name before."""
    from ape import chain

    for name in CONTRACT_CACHES:
        cache = getattr(chain.contracts, name)
        if not on_disk or not cache._read_from_disk:
            cache.memory.clear()
        cache._write_to_disk = cache._read_from_disk = on_disk


@contextlib.contextmanager
def deployments_in_a_temporary_map() -> Iterator[None]:
    """Ape records deployments on chains it takes for live ones in its data folder's deployments map, rewriting the
    whole file each time: the body's go to a map in a temporary folder, and Ape's own map is back afterwards even
    when the body fails (Ape's `use_temporary_cache` does not restore it then)."""
    import tempfile
    from pathlib import Path

    from ape import chain

    deployments = chain.contracts.deployments
    saved = deployments._base_path, deployments._deployments
    with tempfile.TemporaryDirectory(prefix="alp-ape-deployments-") as folder:
        deployments._base_path, deployments._deployments = Path(folder), {}
        try:
            yield
        finally:
            deployments._base_path, deployments._deployments = saved


@contextlib.contextmanager
def settled_chain() -> Iterator[None]:
    """The body runs on the connected chain with what a development node reached by URL (or a fork) needs: Ape's
    settings for local chains (`settle_dev_node`) and nothing of its contracts written into Ape's data folder."""
    from ape import chain

    settle_dev_node()
    network = chain.provider.network
    if network.name == "local":  # Ape keeps a local chain's contracts in memory itself
        yield
        return
    throwaway = network.name.endswith("-fork") or network.name == "custom" or is_dev_node()
    contract_caches_on_disk(not throwaway)
    if not throwaway:
        yield
        return
    with deployments_in_a_temporary_map():
        yield


@contextlib.contextmanager
def connected(choice: str) -> Iterator[None]:
    """`with connected(choice):` runs the body on that network, with ALP's Ape settings wherever the command was
    started; a bad choice or a dead node ends the command."""
    from ape import networks
    from ape.exceptions import NetworkError, ProviderError, ProviderNotConnectedError

    from keeper import ape_settings

    ape_settings.apply()
    try:
        # A node given by URL is left when the command ends: kept connected, Ape would hand the same provider to the
        # next URL this process connects to (one process driving several chains, as the tests do).
        context = networks.parse_network_choice(choice, disconnect_after="://" in choice)
        context.__enter__()
    except NetworkError:
        raise click.ClickException(f"unknown network {shown(choice)!r}: use ecosystem:network:provider as "
                                   "`ape networks list` shows (e.g. ethereum:mainnet:node) or an RPC URL") from None
    except (ProviderError, ProviderNotConnectedError, ConnectionError, OSError):
        raise unreachable(choice) from None
    failure: BaseException | None = None
    try:
        # Ape 0.8.51 caches chain ids by network name alone ("mainnet"): within one process, Base's mainnet would
        # read the id of the Arbitrum mainnet connected before it. Forget them; the next read asks the node.
        from ape import chain

        chain._chain_id_cache.clear()
        with settled_chain():
            yield
    except (ProviderNotConnectedError, ConnectionError, HTTPConnectionError) as exc:  # the node died mid-command
        failure = exc
        raise unreachable(choice) from None
    except (ProviderError, RequestException) as exc:  # the node answered with an error (401, 429, 5xx, ...)
        failure = exc
        reason = redacted(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, choice)
        raise click.ClickException(f"the node for {shown(choice)} refused a request ({reason}): check the RPC "
                                   "URL, its API key and rate limit, then retry") from None
    except BaseException as exc:
        failure = exc
        raise
    finally:
        with contextlib.suppress(Exception):
            context.__exit__(type(failure) if failure else None, failure, None)
