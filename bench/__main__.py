"""Runs every benchmark in turn: `python -m bench [name ...]`."""

from __future__ import annotations

import importlib
import sys

# Each module exposes run() -> None; it writes bench/results/<name>.json and prints its table.
BENCHMARKS = ["gas", "replay", "univ3_rebalance", "keeper_cycle", "backtest"]


def main(argv: list[str]) -> int:
    names = argv or BENCHMARKS
    failed = []
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                print(f"[bench] {name}: not built yet, skipped")
                continue
            raise
        print(f"[bench] {name}")
        try:
            module.run()
        except Exception as exc:  # one broken benchmark must not hide the others' numbers
            failed.append(name)
            print(f"[bench] {name} FAILED: {exc}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
