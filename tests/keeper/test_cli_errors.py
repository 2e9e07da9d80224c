"""Bad inputs that need no chain, through the installed `alp` started from a folder outside the repository: each
gives one line naming the problem and the fix, and a non-zero exit code; a secret is never echoed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

VAULT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4ff2ff8"  # anvil's well-known test key 0
ALP = [sys.executable, "-m", "keeper.cli"]


def _alp(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    # The user data folder is the test's own: a run without a config file must not touch the real one.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALP_")} | {"XDG_DATA_HOME": str(cwd.parent / "data")}
    return subprocess.run([*ALP, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env={**clean, **env})


def _one_line(done: subprocess.CompletedProcess, code: int = 1) -> str:
    assert done.returncode == code, done.stdout + done.stderr
    lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_unknown_network_choice(elsewhere):
    line = _one_line(_alp(["status", "--network", "ethereum:nonet:node", "--vault", VAULT], elsewhere))
    assert "unknown network 'ethereum:nonet:node'" in line and "ape networks list" in line


@pytest.mark.parametrize("command", [["status"], ["once"], ["run", "--cycles", "1"]])
def test_refused_rpc__one_line__api_key_never_shown(elsewhere, command):
    url = f"http://127.0.0.1:{_closed_port()}/v3/SECRETAPIKEY"
    done = _alp([*command, "--network", url, "--vault", VAULT], elsewhere, ALP_ACCOUNT="test:0")
    line = _one_line(done)
    assert "cannot reach a node for http://127.0.0.1:" in line and "SECRETAPIKEY" not in done.stdout + done.stderr


def test_unquoted_hex_address_in_yaml__says_to_quote_it(elsewhere):
    (elsewhere / "keeper.yaml").write_text(f"vault: {VAULT}\naccount: test:4\n")
    line = _one_line(_alp(["status", "--config", "keeper.yaml"], elsewhere))
    assert line.startswith("Error: config: vault:") and "write it in quotes" in line


@pytest.mark.parametrize("setting", [f"account: {KEY}", f"account: 0x{KEY}", f"network: 0x{KEY}",
                                     f"store: '0x{KEY}'"])
def test_private_key_anywhere_in_config__refused_never_echoed(elsewhere, setting):
    (elsewhere / "keeper.yaml").write_text(f'vault: "{VAULT}"\n{setting}\n')
    done = _alp(["status", "--config", "keeper.yaml"], elsewhere)
    line = _one_line(done)
    assert "looks like a private key" in line and "ape accounts import" in line
    assert KEY not in done.stdout + done.stderr and KEY[:12] not in done.stdout + done.stderr


def test_private_key_in_the_environment__refused(elsewhere):
    done = _alp(["status", "--vault", VAULT], elsewhere, ALP_ACCOUNT=KEY)
    assert "looks like a private key" in _one_line(done) and KEY not in done.stdout + done.stderr


@pytest.mark.parametrize("capital", ["0", "-5"])
def test_backtest_capital_not_positive(elsewhere, capital):
    line = _one_line(_alp(["backtest", "--capital", capital], elsewhere))
    assert "--capital" in line and "must be above 0" in line


@pytest.mark.parametrize("command", [["dashboard", "--vault", VAULT, "--network", "ethereum:local:node"],
                                     ["demo", "--days", "1"]])
def test_dashboard_port_in_use__checked_before_any_set_up(elsewhere, command):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = _alp([*command, "--port", str(port)], elsewhere)
    line = _one_line(done)
    assert f"dashboard port {port} on 127.0.0.1 is in use" in line and "--port" in line
    assert "Starting a local anvil" not in done.stdout


def test_alp_config_is_honoured__store_sits_beside_the_config__json_only_on_stdout(elsewhere, tmp_path):
    settings = tmp_path / "settings"
    settings.mkdir()
    (settings / "keeper.yaml").write_text(f'vault: "{VAULT}"\naccount: test:4\n')
    done = _alp(["history", "--json"], elsewhere, ALP_CONFIG=str(settings / "keeper.yaml"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"plans": []}
    assert (settings / "keeper.sqlite").is_file() and not list(elsewhere.iterdir())


def test_alp_config_with_a_bad_value__every_keeper_command_reports_it(elsewhere, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('vault: "0x12"\n')
    for command in (["status"], ["history"], ["once"], ["run", "--cycles", "1"], ["approve", "someplan"]):
        line = _one_line(_alp(command, elsewhere, ALP_CONFIG=str(bad)))
        assert line.startswith("Error: config: vault"), (command, line)


def test_no_config_file__store_per_vault_in_the_user_data_folder(elsewhere):
    done = _alp(["history", "--vault", VAULT, "--json"], elsewhere)
    assert done.returncode == 0, done.stderr
    assert (elsewhere.parent / "data" / "alp" / f"keeper-{VAULT.lower()}.sqlite").is_file()
    assert not list(elsewhere.iterdir())


def test_old_default_store_in_the_shells_folder__pointed_out(elsewhere):
    (elsewhere / ".alp").mkdir()
    (elsewhere / ".alp" / "keeper.sqlite").write_bytes(b"")
    line = _one_line(_alp(["history", "--vault", VAULT], elsewhere))
    assert "old default" in line and "set store:" in line


def test_shown_and_redacted__keep_only_scheme_and_host():
    from keeper.connect import redacted, shown

    assert shown("https://eth.example.org/v3/KEY?apikey=KEY2") == "https://eth.example.org"
    assert shown("eth.example.org/v3/KEY") == "eth.example.org" and shown("ethereum:mainnet:node") == "ethereum:mainnet:node"
    message = "401 Client Error: Unauthorized for url: https://eth.example.org/v3/KEY"
    assert redacted(message, "https://eth.example.org/v3/KEY") == "401 Client Error: Unauthorized for url: https://eth.example.org"


def test_missing_store_folder__reported(elsewhere):
    (elsewhere / "keeper.yaml").write_text(f'vault: "{VAULT}"\nstore: nowhere/keeper.sqlite\n')
    line = _one_line(_alp(["history", "--config", "keeper.yaml"], elsewhere))
    assert "store: folder" in line and "nowhere" in line and "does not exist" in line


GOOD_SPEC = {"name": "v", "symbol": "v", "asset": VAULT, "timelock_delay": 86_400,
             "roles": {"governance": "a", "curator": "b", "guardian": "c", "keeper": "d", "fee_recipient": "e"}}


@pytest.mark.parametrize("spec, says", [
    (None, "not found"),
    ("name: [unclosed", "not valid YAML at line"),
    ({**GOOD_SPEC, "timelock_delay": 60}, "timelock_delay: Value error, 60 s is below the one-day minimum"),
    ({**GOOD_SPEC, "asset": "0x1234"}, "asset: Value error, '0x1234' is not an address"),
    ({**GOOD_SPEC, "strategies": [{"kind": "uniswap-v3", "name": "x", "max_debt": 1, "max_debt_bps": 1}]},
     "give either pool (its address) or tokens and fee"),
    ({**GOOD_SPEC, "caps": 1}, "caps: Extra inputs are not permitted"),
])
def test_deploy__bad_spec__one_line_before_any_node(elsewhere, spec, says):
    path = elsewhere / "vault.yaml"
    if spec is not None:
        path.write_text(spec if isinstance(spec, str) else json.dumps(spec))
    # The network is a closed port: the spec must be refused before the node is reached.
    line = _one_line(_alp(["deploy", str(path), "--network", f"http://127.0.0.1:{_closed_port()}", "--account", "x"],
                          elsewhere))
    assert line.startswith(f"Error: spec {path}") and says in line, line


def test_amounts__exact_in_raw_units__separators_and_excess_decimals_refused():
    import click

    from keeper.cli_options import parse_amount

    assert parse_amount("1.1", 18, "WETH") == 1_100_000_000_000_000_000, "no float rounding"
    assert parse_amount("250000", 6, "USDC") == 250_000_000_000
    assert parse_amount("12345678901.123456789012345678", 18, "WETH") == 12345678901123456789012345678, \
        "exact past Python's default 28 digits"
    with pytest.raises(click.BadParameter, match="at most 18 decimals"):
        parse_amount("1.0000000000000000000000000001", 18, "WETH")  # rounded to 1 WETH by a 28-digit context
    for bad, says in (("1,234.5", "no separators"), ("abc", "not an amount"), ("0", "above zero"),
                      ("1.0000001", "at most 6 decimals"), ("inf", "not an amount"), ("-5", "above zero"),
                      ("1e99", "not an amount"), ("1_000", "no separators")):
        with pytest.raises(click.BadParameter, match=says):
            parse_amount(bad, 6, "USDC")
