"""`alp run | once | status | approve | history`: the keeper from the command line. Human output by default,
`--json` everywhere."""

from __future__ import annotations

import contextlib

import json
import time
from typing import Any

import click

from keeper.config import ConfigError, KeeperConfig, load_config
from keeper.connect import connected, redacted
from keeper.interrupts import on_interrupt

# Consecutive failed cycles after which `alp run` stops instead of hammering a broken node or contract.
CIRCUIT_BREAKER = 5
# Cycle outcomes that mean a plan was wanted and did not happen: `alp once` exits non-zero on them, with a code
# that tells a supervisor which: a plan that failed or reverted (1), or one a guardrail refused, which may only be
# waiting for the vault's rebalance interval (3; click uses 2 for usage errors).
EXIT_PLAN_FAILED = 1
EXIT_PLAN_REJECTED = 3
EXIT_CODES = {"reverted": EXIT_PLAN_FAILED, "failed": EXIT_PLAN_FAILED, "rejected": EXIT_PLAN_REJECTED}


def _options(f):
    f = click.option("--config", "config_path", default=None, envvar="ALP_CONFIG",
                     help="YAML settings file (default: $ALP_CONFIG; ALP_* variables override its values).")(f)
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
def _connected(config: KeeperConfig, on_rpc_error=None):
    """Connected to the config's network, else to its first fallback that answers; with fallbacks, every request
    then goes through the failover provider (keeper.rpc_failover)."""
    choices = [config.network, *config.rpc_fallbacks]
    with contextlib.ExitStack() as stack:
        for index, choice in enumerate(choices):
            try:
                stack.enter_context(connected(choice))
                break
            except click.ClickException as exc:
                if index == len(choices) - 1:
                    raise
                click.echo(f"{exc.message}; trying the next RPC endpoint", err=True)
        if config.rpc_fallbacks:
            from ape import chain

            from keeper.rpc_failover import install

            # The endpoint connected first, then the others in the config's order.
            urls = [chain.provider.uri] + [c for c in choices if "://" in c and c != choices[index]]
            install(urls, on_error=on_rpc_error, max_lag_blocks=config.max_rpc_lag_blocks)
        yield


def _keeper(config: KeeperConfig, **kwargs: Any):
    from keeper.accounts import AccountError, resolve
    from keeper.cycle import Keeper
    from keeper.vault_probe import VaultError

    if not config.account:
        raise click.ClickException("config: account: missing: name the Ape account that signs for the keeper "
                                   "(account: ALIAS from `ape accounts list`, or test:N on a local chain)")
    try:
        return Keeper(config, resolve(config.account), **kwargs)
    except (AccountError, VaultError) as exc:
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
    from keeper.market.chain import OracleTooShort

    with _connected(config):
        try:
            result = _keeper(config).cycle(dry_run=dry_run or None)
        except OracleTooShort as exc:
            raise click.ClickException(str(exc)) from None
    _emit(as_json, _result(result), _human(result))
    if result.state in EXIT_CODES:
        why = result.reasons[-1] if result.reasons else "no reason recorded"
        click.echo(f"Error: plan {result.plan.id if result.plan else ''} {result.state}: {why}", err=True)
        raise SystemExit(EXIT_CODES[result.state])


@click.command()
@_options
@click.option("--cycles", default=0, help="Stop after this many cycles (0: run until Ctrl-C).")
@click.option("--metrics-port", type=int, default=None, envvar="ALP_METRICS_PORT",
              help="Serve Prometheus /metrics and /healthz on this port (127.0.0.1; 0 picks a free one).")
@click.option("--metrics-host", default="127.0.0.1", show_default=True,
              help="Interface for /metrics and /healthz (0.0.0.0 for a scraper or probe from outside).")
@click.option("--max-cycle-age", type=float, default=None,
              help="/healthz fails when the last successful cycle is older than this (s; default 3 cycles).")
def run(config_path, network, vault, as_json, cycles, metrics_port, metrics_host, max_cycle_age):
    """Run the keeper: a cycle every cycle_seconds, in the configured mode."""
    import contextlib

    config = _config(config_path, network=network, vault=vault)
    done = failures = 0
    metrics = exporter = None
    if metrics_port is not None:
        from keeper.metrics import KeeperMetrics, MetricsServer

        metrics = KeeperMetrics(config.vault, max_cycle_age or 3 * config.cycle_seconds)
        exporter = MetricsServer(metrics, host=metrics_host, port=metrics_port)
        click.echo(f"metrics on {exporter.url}/metrics, health on {exporter.url}/healthz", err=True)
    on_rpc_error = (lambda endpoint: metrics.rpc_errors.labels(endpoint).inc()) if metrics else None
    with _connected(config, on_rpc_error), (exporter or contextlib.nullcontext()):
        from keeper.connect import shown
        from keeper.cycle import MAX_FOLLOW_UPS
        from keeper.execute.guardrails import VaultLimits

        keeper = _keeper(config)
        # Stopped between steps or mid-send, the store holds every plan's state: the next run reconciles it.
        with on_interrupt(lambda: click.echo("keeper stopped")):
            follow_ups = 0
            while not cycles or done < cycles:
                follow_up = False
                started = time.monotonic()
                try:
                    result = keeper.cycle()
                    failures = 0
                    follow_up = result.follow_up and follow_ups < MAX_FOLLOW_UPS
                    _emit(as_json, _result(result), _human(result))
                    if metrics:
                        try:
                            limits = VaultLimits.read(keeper.vault)
                        except Exception:  # the budgets are a gauge's worth; the cycle itself went through
                            limits = None
                        metrics.record_cycle(result.state, time.monotonic() - started, keeper.store, limits)
                except Exception as exc:  # one bad cycle is recorded and survived; a run of them stops the bot
                    if metrics:
                        from requests.exceptions import ConnectionError as HTTPConnectionError

                        unreachable = isinstance(exc, (ConnectionError, HTTPConnectionError, OSError))
                        metrics.record_failure(shown(config.network), not unreachable, time.monotonic() - started)
                    failures += 1
                    click.echo(f"cycle failed ({failures}/{CIRCUIT_BREAKER}): {type(exc).__name__}: "
                               f"{redacted(str(exc), config.network)}", err=True)
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
    from keeper import names
    from keeper.execute.guardrails import VaultLimits
    from keeper.store import Store
    from keeper.vault_probe import VaultError, alp_vault

    config = _config(config_path, network=network, vault=vault)
    with _connected(config):
        try:
            contract = alp_vault(config.vault)
        except VaultError as exc:
            raise click.ClickException(str(exc)) from None
        limits = VaultLimits.read(contract)
        symbol, decimals = names.token(contract.asset())
        share_price = contract.convertToAssets(10 ** contract.decimals())
        strategies = {a: names.strategy(a) for a in limits.strategies}
        keeper_roles = _keeper_roles(contract, config)
    decisions = Store(config.store_url).decisions(limit=5)
    payload = {"vault": config.vault, "asset": {"symbol": symbol, "decimals": decimals},
               "limits": limits.model_dump(mode="json"), "share_price": share_price,
               "strategies": {a: {"name": n, "debt": limits.strategies[a].current_debt, "cap": limits.cap(a)}
                              for a, n in strategies.items()},
               "keeper_account_roles": keeper_roles, "decisions": decisions}
    money = lambda raw: names.amount(raw, decimals, symbol)  # noqa: E731
    lines = [f"vault {config.vault}: total assets {money(limits.total_assets)}, idle {money(limits.total_idle)}, "
             f"share price {share_price / 10**decimals:,.6f} {symbol}{' PAUSED' if limits.paused else ''}"
             f"{' SHUT DOWN' if limits.shutdown else ''}",
             f"guardrails: idle buffer {limits.min_idle_bps / 100:g} %, turnover {limits.max_turnover_bps / 100:g} % "
             f"per rebalance, one rebalance per {names.duration(limits.min_rebalance_interval)}",
             f"rolling budget left today: loss {money(limits.loss_budget_left or 0)}, "
             f"turnover {money(limits.turnover_budget_left or 0)}"]
    if config.account:
        held = "unknown (the account is not available here)" if keeper_roles is None else (
            ", ".join(keeper_roles) or "no role on this vault")
        lines.append(f"keeper account {config.account}: {held}")
    lines += [f"  {name}: debt {money(limits.strategies[a].current_debt)} (cap {money(limits.cap(a))})"
              for a, name in strategies.items()]
    lines += ["last decisions:"] + [f"  {names.when(d['t'])} {d['outcome']} {d['plan_id'] or ''}: "
                                    f"{d['reasons'][-1] if d['reasons'] else ''}" for d in decisions]
    _emit(as_json, payload, "\n".join(lines))


def _keeper_roles(vault: Any, config: KeeperConfig) -> list[str] | None:
    """The roles the configured keeper account holds; None when that account cannot be loaded on this machine
    (status only reads, so a monitoring host without the key still gets the rest)."""
    from keeper import names
    from keeper.accounts import AccountError, resolve

    if not config.account:
        return []
    try:
        return names.roles_of(vault, resolve(config.account).address)
    except AccountError:
        return None


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
    from keeper import names
    from keeper.store import Store

    config = _config(config_path, network=network, vault=vault)
    store = Store(config.store_url)
    plans = store.plans(limit=limit)
    units: dict[str, tuple[str, int]] = {}
    for p in plans:
        if p["vault"] not in units:  # the asset's units as the keeper last observed them: no chain needed here
            seen = [o["asset"] for o in store.observations(p["vault"], limit=1) if "asset" in o]
            units[p["vault"]] = (seen[0]["symbol"], seen[0]["decimals"]) if seen else ("units", 0)
    money = lambda p, raw: names.amount(raw, units[p["vault"]][1], units[p["vault"]][0])  # noqa: E731
    lines = [f"{names.when(p['created_at'])} {p['id']} {p['kind']} {p['state']}: gain {money(p, p['expected_gain'])}, "
             f"cost {money(p, p['cost'])}" + (f"; error: {p['error']}" if p['error'] else "") for p in plans]
    _emit(as_json, {"plans": plans}, "\n".join(lines) or "no plans yet")
