"""The static-analysis gate: an untriaged High or Medium finding fails, a triaged one (with a reason) passes, Low
and Informational findings never fail."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from slither_triage import main  # noqa: E402


def _finding(id_: str, impact: str, check: str = "reentrancy-no-eth") -> dict:
    return {"id": id_, "impact": impact, "check": check, "description": f"Reentrancy in Vault.f() ({id_})\n..."}


def _files(tmp_path, findings, triaged, reasons=("reentrancy-no-eth",)):
    report, triage = tmp_path / "report.json", tmp_path / "triage.yaml"
    report.write_text(json.dumps({"results": {"detectors": findings}}))
    triage.write_text(yaml.safe_dump({"reasons": {r: "guarded by nonReentrant" for r in reasons},
                                      "findings": [{"id": i, "check": "reentrancy-no-eth"} for i in triaged]}))
    return str(report), str(triage)


def test_untriaged_medium__fails_naming_it(tmp_path, capsys):
    assert main(*_files(tmp_path, [_finding("aa", "Medium"), _finding("bb", "Low")], triaged=[])) == 1
    assert "NEW Medium reentrancy-no-eth aa" in capsys.readouterr().err


def test_triaged_high_and_any_low__pass(tmp_path):
    assert main(*_files(tmp_path, [_finding("aa", "High"), _finding("bb", "Low"), _finding("cc", "Informational")],
                        triaged=["aa"])) == 0


def test_triage_entry_without_a_reason_for_its_detector__does_not_count(tmp_path):
    assert main(*_files(tmp_path, [_finding("aa", "High")], triaged=["aa"], reasons=())) == 1


def test_committed_triage__every_entry_has_a_reason():
    triage = yaml.safe_load((Path(__file__).resolve().parents[2] / "tools" / "slither-triage.yaml").read_text())
    assert triage["findings"] and all(entry["check"] in triage["reasons"] for entry in triage["findings"])
