"""The ``alp`` command line: each sub-command lives beside the layer it drives and is registered here."""

from __future__ import annotations

import importlib

import click

# name -> "module:attribute". Imported lazily so `alp --help` stays fast and one broken layer cannot hide the rest.
_COMMANDS: dict[str, str] = {
    "demo": "keeper.demo.command:demo",
    "backtest": "keeper.backtest.command:backtest",
    "dashboard": "keeper.dashboard.command:dashboard",
    "fleet": "keeper.fleet.command:fleet",
    "run": "keeper.commands:run",
    "once": "keeper.commands:once",
    "status": "keeper.commands:status",
    "approve": "keeper.commands:approve",
    "history": "keeper.commands:history",
    "explain": "keeper.explain:explain_command",
    "deploy": "keeper.deploy.command:deploy",
    "vault": "keeper.curate.command:vault",
    "deposit": "keeper.depositor.command:deposit",
    "withdraw": "keeper.depositor.command:withdraw",
    "redeem": "keeper.depositor.command:redeem",
    "position": "keeper.depositor.command:position",
}


def _operator_errors() -> tuple[type[BaseException], ...]:
    """Errors whose message already says what is wrong and what to do: shown as one line, never as a traceback."""
    from keeper.accounts import AccountError
    from keeper.config import ConfigError
    from keeper.contracts import ContractTypesError
    from keeper.market.chain import OracleTooShort
    from keeper.market.history import DataError
    from keeper.curate.command import CurateError
    from keeper.curate.timelock import TimelockError
    from keeper.deploy.record import RecordError
    from keeper.deploy.spec import SpecError
    from keeper.deploy.steps import DeployError
    from keeper.execute.transact import Refused
    from keeper.store.store import StoreError
    from keeper.vault_probe import VaultError

    return (ContractTypesError, ConfigError, AccountError, VaultError, OracleTooShort, DataError, PermissionError,
            SpecError, RecordError, DeployError, Refused, CurateError, TimelockError, StoreError)


class _LazyGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except Exception as exc:
            if isinstance(exc, _operator_errors()):
                raise click.ClickException(str(exc)) from None
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = _COMMANDS.get(name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                raise click.ClickException(f"'alp {name}' is not available in this build ({module_name} missing).")
            raise
        return getattr(module, attribute)


def _ape_logs_to_stderr() -> None:
    """Ape's log lines (connecting, confirmed, deployed) go to stderr: stdout carries only a command's own output,
    so `alp status --json | python -m json.tool` reads nothing but JSON."""
    import logging

    from ape.logging import ClickHandler

    for handler in logging.getLogger("ape").handlers:
        if isinstance(handler, ClickHandler):
            levels = ("debug", "info", "success", "warning", "error", "critical")
            handler.echo_kwargs = {level: {**handler.echo_kwargs.get(level, {}), "err": True} for level in levels}


@click.group(cls=_LazyGroup)
@click.version_option(package_name="alp")
def main() -> None:
    """ALP: a risk-bounded liquidity vault and the keeper that manages it."""
    _ape_logs_to_stderr()


if __name__ == "__main__":
    main()
