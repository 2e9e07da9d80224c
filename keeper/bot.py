"""The keeper as a silverback bot: `silverback run keeper.bot:bot --network <choice>` with ALP_CONFIG naming the
keeper's YAML settings (ALP_* variables override it).

A cron trigger runs a full cycle every five minutes; a new-block trigger runs one at once when the chain says the
situation changed (a strategy left its range, or the vault was unpaused). Each cycle's state is returned, so
silverback records it as a metric. The same `Keeper.cycle` runs under `alp run`.
"""

from __future__ import annotations

import os
from typing import Any

from silverback import SilverbackBot

from keeper.config import ConfigError, load_config

bot = SilverbackBot()
_state: dict[str, Any] = {}


@bot.on_startup()
def start(_startup_state) -> None:
    from keeper.accounts import resolve
    from keeper.cycle import Keeper

    config = load_config(os.environ.get("ALP_CONFIG"))
    if not config.account:
        raise ConfigError("config: account: missing: name the Ape account that signs for the keeper")
    _state["keeper"] = Keeper(config, resolve(config.account))
    # A first cycle at start: the bot reports where things stand without waiting for the first cron tick.
    _state["keeper"].cycle()


@bot.cron("*/5 * * * *")
def scheduled_cycle(_time) -> str:
    return _state["keeper"].cycle().state


@bot.on_(bot.chain_manager.blocks)
def on_block(block) -> str | None:
    from keeper import contracts

    keeper = _state["keeper"]
    if keeper.vault.paused():
        return None
    # Only a change worth acting on triggers a cycle between cron ticks: an out-of-range position earns nothing.
    for address in keeper.vault.withdrawQueue():
        try:
            strategy = contracts.at("UniswapV3Strategy", address)
            pool = strategy.pool()
        except Exception:  # an ERC-4626 adapter has no range
            continue
        tick = keeper.reader.pools([pool])[0].tick
        if strategy.liquidity() > 0 and not strategy.tickLower() <= tick < strategy.tickUpper():
            return keeper.cycle().state
    return None
