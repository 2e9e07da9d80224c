"""`alp fleet`: one keeper for many vaults on many chains. `alp fleet run FLEET.yaml` starts a scheduler process per
chain and WORKERS worker processes; `alp fleet worker` and `alp fleet chain` run one of each; `alp fleet redis`
serves a local Redis for them."""

from __future__ import annotations

import subprocess
import sys

import click

from keeper.config import ConfigError


def _fleet(path: str):
    from keeper.fleet.config import load_fleet

    try:
        return load_fleet(path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def fleet() -> None:
    """Many vaults on many chains: schedulers per chain, workers over Redis."""


@fleet.command("chain")
@click.argument("fleet_file")
@click.argument("chain_name")
@click.option("--cycles", default=0, help="Stop after this many cycles (0: run until stopped).")
def chain_command(fleet_file: str, chain_name: str, cycles: int) -> None:
    """Run CHAIN_NAME's scheduler: each vault's cycle, plans queued for the workers."""
    from keeper.fleet.scheduler import run_scheduler

    config = _fleet(fleet_file)
    if chain_name not in config.chains:
        raise click.ClickException(f"no chain {chain_name!r} in {fleet_file}: one of {', '.join(config.chains)}")
    run_scheduler(config, chain_name, cycles, say=click.echo)


@fleet.command("worker")
@click.argument("fleet_file")
@click.option("--name", required=True, help="This worker's name in the consumer group (unique per worker).")
@click.option("--idle-exit", type=float, default=None, help="Exit after this many seconds without a plan.")
def worker_command(fleet_file: str, name: str, idle_exit: float | None) -> None:
    """Send queued plans, one at a time, each behind its signer's lock."""
    from keeper.fleet.worker import run_worker

    run_worker(_fleet(fleet_file), name, idle_exit_seconds=idle_exit, say=click.echo)


@fleet.command("run")
@click.argument("fleet_file")
@click.option("--workers", default=2, show_default=True)
def run_command(fleet_file: str, workers: int) -> None:
    """A scheduler per chain and WORKERS workers, as child processes, until Ctrl-C."""
    config = _fleet(fleet_file)
    alp = [sys.executable, "-m", "keeper.cli", "fleet"]
    children = [subprocess.Popen([*alp, "chain", fleet_file, name]) for name in config.chains]
    children += [subprocess.Popen([*alp, "worker", fleet_file, "--name", f"worker-{i + 1}"]) for i in range(workers)]
    try:
        for child in children:
            child.wait()
    except KeyboardInterrupt:
        for child in children:
            child.terminate()
        click.echo("fleet stopped")


@fleet.command("redis")
@click.option("--port", default=6379, show_default=True)
@click.option("--dir", "folder", default=".", show_default=True, help="Where Redis keeps its append-only file.")
def redis_command(port: int, folder: str) -> None:
    """Serve Debian's redis-server on 127.0.0.1:PORT, persisting the queue (appendonly), until Ctrl-C."""
    import shutil

    binary = shutil.which("redis-server")
    if binary is None:
        raise click.ClickException("redis-server not found: install Debian's redis-server (apt-get install redis-server)")
    os_args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--appendonly", "yes",
               "--save", ""]
    try:
        subprocess.run(os_args, check=False)
    except KeyboardInterrupt:
        click.echo("redis stopped")
