"""Compares a Slither JSON report with the committed triage (tools/slither-triage.yaml): a High or Medium finding
that nobody has reviewed (listed by id, with a reason for its detector) fails the build; Low and Informational findings are counted, not gated.

A finding is known by Slither's own id (a hash of what and where), so moving or changing the flagged code makes it
new again: it must be looked at once more.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import yaml

GATED = ("High", "Medium")


def main(report_path: str, triage_path: str) -> int:
    report = json.loads(Path(report_path).read_text())
    findings = report.get("results", {}).get("detectors", [])
    triage = yaml.safe_load(Path(triage_path).read_text()) or {}
    reasons = triage.get("reasons", {})
    reviewed = {entry["id"]: entry for entry in triage.get("findings", []) if entry.get("check") in reasons}
    gated = [f for f in findings if f["impact"] in GATED]
    new = [f for f in gated if f["id"] not in reviewed]
    stale = sorted(set(reviewed) - {f["id"] for f in findings})
    counts = Counter(f["impact"] for f in findings)
    print(f"[slither] {len(findings)} findings ({', '.join(f'{n} {k}' for k, n in sorted(counts.items()))}); "
          f"{len(gated) - len(new)} High/Medium triaged in {triage_path}")
    for f in new:
        first = f["description"].strip().splitlines()[0]
        print(f"[slither] NEW {f['impact']} {f['check']} {f['id']}: {first}", file=sys.stderr)
    if stale:
        print(f"[slither] {len(stale)} triage entries match no finding any more (code changed): remove them",
              file=sys.stderr)
    if new:
        print(f"[slither] ERROR: {len(new)} untriaged High/Medium finding(s): fix them, or review each and add it "
              f"to {triage_path} with the reason it is safe", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
