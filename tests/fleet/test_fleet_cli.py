"""`alp fleet` at its edges: a bad fleet file or an unknown chain is one line and a non-zero exit; `alp fleet redis`
serves Debian's redis-server on the port asked and stops on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import redis
from click.testing import CliRunner

from keeper.cli import main

from ..chains.conftest import _free_port


def _alp(*args: str):
    return CliRunner(mix_stderr=False).invoke(main, list(args), prog_name="alp")


@pytest.mark.parametrize("text, expected", [
    (None, "not found"),
    ("chains: [unclosed", "not valid YAML"),
    ("chains: {}", "store: Field required"),
    ("store: sqlite:///x.sqlite\nchains: {base: {network: x, vaults: []}}", "chains.base.vaults"),
])
def test_fleet__bad_file__one_line(tmp_path, text, expected):
    path = tmp_path / "fleet.yaml"
    if text is not None:
        path.write_text(text)
    result = _alp("fleet", "worker", str(path), "--name", "w")
    assert result.exit_code == 1 and expected in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_fleet__unknown_chain__names_the_known_ones(tmp_path):
    path = tmp_path / "fleet.yaml"
    path.write_text("store: sqlite:///x.sqlite\nchains: {base: {network: x, vaults: [{vault: '0x1', account: a}]}}")
    result = _alp("fleet", "chain", str(path), "mars")
    assert result.exit_code == 1 and "no chain 'mars'" in result.stderr and "base" in result.stderr


def test_fleet_redis__serves_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "keeper.cli", "fleet", "redis", "--port", str(port), "--dir",
                               str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 60  # the command imports Ape before it starts the server
        while True:
            try:
                assert client.ping()
                break
            except redis.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "alp fleet redis never answered"
                time.sleep(0.1)
        client.xadd("alp:plans", {"plan": "p"})
        assert client.xlen("alp:plans") == 1
    finally:
        server.send_signal(signal.SIGINT)
        try:
            output, _ = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:  # never leave a server behind
            server.kill()
            raise
    assert server.returncode == 130, output[-2000:]  # Ctrl-C's exit status, as every alp command ends on it
    with pytest.raises(redis.ConnectionError):
        redis.Redis(port=port, socket_connect_timeout=1).ping()
