"""`alp` carries its Ape runtime settings to any folder, the same as the checkout's ape-config.yaml, and a user's
own Ape project keeps its own choices."""

from __future__ import annotations

from pathlib import Path

import yaml

from keeper import ape_settings

ROOT = Path(__file__).resolve().parents[2]


def test_runtime_settings__equal_the_checkouts_ape_config():
    checkout = yaml.safe_load((ROOT / "ape-config.yaml").read_text())
    for key, settings in ape_settings.RUNTIME_SETTINGS.items():
        for name, value in settings.items():
            assert checkout[key][name] == value, f"{key}.{name} differs between ape-config.yaml and keeper/ape_settings.py"


def test_folder_without_ape_config__gets_every_setting(tmp_path):
    assert ape_settings.missing_settings(tmp_path) == ape_settings.RUNTIME_SETTINGS


def test_users_own_foundry_settings__kept(tmp_path):
    (tmp_path / "ape-config.yaml").write_text("foundry:\n  host: http://127.0.0.1:9999\n")
    assert set(ape_settings.missing_settings(tmp_path)) == set(ape_settings.RUNTIME_SETTINGS) - {"foundry"}


def test_l2_base_fee_multiplier__reaches_apes_network_config_from_any_folder(tmp_path, monkeypatch):
    import subprocess
    import sys

    script = ("from keeper import ape_settings; ape_settings.apply()\n"
              "from ape import networks\n"
              "for eco in ('base', 'arbitrum', 'optimism', 'ethereum'):\n"
              "    c = networks.get_ecosystem(eco).get_network('mainnet').config\n"
              "    print(eco, c.base_fee_multiplier, c.required_confirmations)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines() if line.split()}
    for l2 in ("base", "arbitrum", "optimism"):
        assert float(seen[l2][0]) == ape_settings.L2_BASE_FEE_MULTIPLIER
        assert int(seen[l2][1]) >= 1, "the plugin's own confirmations are kept"
    assert float(seen["ethereum"][0]) == 1.4, "Ape's default elsewhere"
