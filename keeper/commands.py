"""`alp run | once | status | approve | history`: the keeper from the command line. Human output by default,
`--json` everywhere."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import click

from keeper.config import ConfigError, KeeperConfig, load_config
from keeper.interrupts import on_interrupt

# Consecutive failed cycles after which `alp run` stops instead of hammering a broken node or contract.
CIRCUIT_BREAKER = 5


def _options(f):
    f = click.option("--config", "config_path", default=None, help="YAML settings file (ALP_* variables override).")(f)
    f = click.option("--network", default=None, help="Ape network choice or RPC URL (overrides the config).")(f)
    f = click.option("--vault", default=None, help="Vault address (overrides the config).")(f)
    f = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(f)
    return f


def _config(config_path: str | None, **overrides: Any) -> KeeperConfig:
    try:
        return load_config(config_path, **overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@contextlib.contextmanager
def _connected(config: KeeperConfig) -> Iterator[None]:
    from ape import networks

    try:
        with networks.parse_network_choice(config.network):
            yield
    except (ConnectionError, OSError) as exc:
        raise click.ClickException(f"cannot reach the node for {config.network}: {exc} (is it running?)") from None


def _keeper(config: KeeperConfig, **kwargs: Any):
    from keeper.accounts import AccountError, resolve
    from keeper.cycle import Keeper

    try:
        return Keeper(config, resolve(config.account), **kwargs)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


def _emit(as_json: bool, payload: dict, human: str) -> None:
    click.echo(json.dumps(payload, indent=2, default=str) if as_json else human)


def _result(result) -> dict:
    return {"cycle": result.cycle_id, "state": result.state, "reasons": result.reasons,
            "plan": result.plan.model_dump(mode="json") | {"id": result.plan.id} if result.plan else None}


def _human(result) -> str:
    lines = [f"cycle {result.cycle_id}: {result.state}"]
    if result.plan:
        lines.append(f"plan {result.plan.id} ({result.plan.kind.value})")
    lines += [f"  - {r}" for r in result.reasons]
    return "\n".join(lines)


@click.command()
@_options
@click.option("--dry-run", is_flag=True, help="Check and simulate the plan; send nothing.")
def once(config_path, network, vault, as_json, dry_run):
    """Run one keeper cycle and print the plan and why."""
    config = _config(config_path, network=network, vault=vault)
    with _connected(config):
        result = _keeper(config).cycle(dry_run=dry_run or None)
    _emit(as_json, _result(result), _human(result))


@click.command()
@_options
@click.option("--cycles", default=0, help="Stop after this many cycles (0: run until Ctrl-C).")
def run(config_path, network, vault, as_json, cycles):
    """Run the keeper: a cycle every cycle_seconds, in the configured mode."""
    config = _config(config_path, network=network, vault=vault)
    done = failures = 0
    with _connected(config):
        from keeper.cycle import MAX_FOLLOW_UPS

        keeper = _keeper(config)
        # Stopped between steps or mid-send, the store holds every plan's state: the next run reconciles it.
        with on_interrupt(lambda: click.echo("keeper stopped")):
            follow_ups = 0
            while not cycles or done < cycles:
                follow_up = False
                try:
                    result = keeper.cycle()
                    failures = 0
                    follow_up = result.follow_up and follow_ups < MAX_FOLLOW_UPS
                    _emit(as_json, _result(result), _human(result))
                except Exception as exc:  # one bad cycle is recorded and survived; a run of them stops the bot
                    failures += 1
                    click.echo(f"cycle failed ({failures}/{CIRCUIT_BREAKER}): {type(exc).__name__}: {exc}", err=True)
                    if failures >= CIRCUIT_BREAKER:
                        raise click.ClickException("too many consecutive failures: stopping (circuit breaker)")
                done += 1
                follow_ups = follow_ups + 1 if follow_up else 0
                if (not cycles or done < cycles) and not follow_up:
                    time.sleep(config.cycle_seconds)


@click.command()
@_options
def status(config_path, network, vault, as_json):
    """The vault, its strategies and the keeper's last decisions."""
    from keeper import contracts

    from keeper.execute.guardrails import VaultLimits
    from keeper.store import Store

    config = _config(config_path, network=network, vault=vault)
    with _connected(config):
        contract = contracts.at("Vault", config.vault)
        limits = VaultLimits.read(contract)
        share_price = contract.convertToAssets(10 ** contract.decimals())
    decisions = Store(config.store_url).decisions(limit=5)
    payload = {"vault": config.vault, "limits": limits.model_dump(mode="json"), "share_price": share_price,
               "decisions": decisions}
    lines = [f"vault {config.vault}: total assets {limits.total_assets:,}, idle {limits.total_idle:,}, "
             f"share price {share_price:,}{' PAUSED' if limits.paused else ''}"]
    lines += [f"  strategy {a}: debt {s.current_debt:,} (cap {limits.cap(a):,})" for a, s in limits.strategies.items()]
    lines += ["last decisions:"] + [f"  {d['t']} {d['outcome']} {d['plan_id'] or ''}: {d['reasons'][-1] if d['reasons'] else ''}"
                                    for d in decisions]
    _emit(as_json, payload, "\n".join(lines))


@click.command()
@_options
@click.argument("plan_id")
def approve(config_path, network, vault, as_json, plan_id):
    """Approve a plan waiting in approval mode; it is re-checked against the vault, then sent."""
    from keeper.execute.sender import ExecutionError

    config = _config(config_path, network=network, vault=vault)
    with _connected(config):
        keeper = _keeper(config)
        try:
            state = keeper.approve(plan_id, who=keeper.account.address)
        except ExecutionError as exc:
            raise click.ClickException(str(exc)) from None
    _emit(as_json, {"plan": plan_id, "state": state}, f"plan {plan_id}: {state}")


@click.command()
@_options
@click.option("--limit", default=20)
def history(config_path, network, vault, as_json, limit):
    """Recent plans with their states and reasons."""
    from keeper.store import Store

    config = _config(config_path, network=network, vault=vault)
    plans = Store(config.store_url).plans(limit=limit)
    lines = [f"{p['id']} {p['kind']} {p['state']} gain {p['expected_gain']:,.0f} cost {p['cost']:,.0f}"
             + (f" error: {p['error']}" if p['error'] else "") for p in plans]
    _emit(as_json, {"plans": plans}, "\n".join(lines) or "no plans yet")
