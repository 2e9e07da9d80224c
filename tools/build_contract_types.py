"""Compiles `contracts/` with Ape and writes every contract type ALP deploys or talks to into the keeper package
(`keeper/contracts/types/`), so the installed `alp` carries its ABIs and bytecode and works from any folder.

Run by `tools/setup.sh` (`--if-stale`: only when a contract source, the Ape config or the npm lock file changed).

Why not `project.Vault` at run time: Ape 0.8.51 lists a project's sources with a 500-file cap *before* applying its
exclude globs, and ape-solidity unpacks OpenZeppelin (507 files) into `contracts/.cache`; a process whose directory
walk reaches `.cache` first sees only some of our contracts. This build removes that folder before compiling, checks
that every contract declared in a source came out, and fails loudly if one is missing; nothing at run time walks
the contracts folder again.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from keeper.contracts import source_files, sources_digest  # noqa: E402  (one definition of "our sources")

OUT = ROOT / "keeper" / "contracts" / "types"
# The real Uniswap V3 bytecode and interfaces shipped in the npm packages (artifacts of the audited builds).
NPM_ARTIFACTS = {
    "UniswapV3Factory": "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json",
    "UniswapV3Pool": "@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json",
    "SwapRouter": "@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json",
    "NonfungiblePositionManager":
        "@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json",
    "UniswapInterfaceMulticall":
        "@uniswap/v3-periphery/artifacts/contracts/lens/UniswapInterfaceMulticall.sol/UniswapInterfaceMulticall.json",
    # The ERC-20 interface (with name, symbol, decimals) the keeper reads any real token through.
    "IERC20Metadata": "@uniswap/v3-periphery/artifacts/contracts/interfaces/IERC20Metadata.sol/IERC20Metadata.json",
}
_DECLARATION = re.compile(r"^\s*(?:abstract\s+)?(?:contract|interface|library)\s+(\w+)", re.MULTILINE)


class BuildError(RuntimeError):
    pass


def declared_contracts(root: Path = ROOT) -> dict[str, Path]:
    declared: dict[str, Path] = {}
    for path in source_files(root):
        for name in _DECLARATION.findall(path.read_text()):
            declared[name] = path
    return declared


def _compile(root: Path) -> dict[str, dict]:
    shutil.rmtree(root / "contracts" / ".cache", ignore_errors=True)
    done = subprocess.run(["ape", "compile", "--force"], cwd=root, capture_output=True, text=True)
    shutil.rmtree(root / "contracts" / ".cache", ignore_errors=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise BuildError("ape compile failed:\n" + "\n".join(tail))
    manifest = json.loads((root / ".build" / "__local__.json").read_text())
    return manifest["contractTypes"]


def _npm_type(root: Path, name: str, relative: str) -> dict:
    path = root / "node_modules" / relative
    if not path.is_file():
        raise BuildError(f"{path} missing: run 'make setup' (npm ci installs the Uniswap V3 packages)")
    artifact = json.loads(path.read_text())
    return {
        "contractName": name,
        "sourceId": artifact["sourceName"],
        "abi": artifact["abi"],
        "deploymentBytecode": {"bytecode": artifact["bytecode"]},
        "runtimeBytecode": {"bytecode": artifact["deployedBytecode"]},
    }


def build(root: Path = ROOT, out: Path = OUT) -> list[str]:
    compiled = _compile(root)
    missing = sorted(set(declared_contracts(root)) - set(compiled))
    if missing:
        raise BuildError(f"ape compile left out {', '.join(missing)}: the build must see every source in contracts/")
    types = dict(compiled)
    types.update({name: _npm_type(root, name, relative) for name, relative in NPM_ARTIFACTS.items()})
    staging = out.with_name(out.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, contract_type in types.items():
        (staging / f"{name}.json").write_text(json.dumps(contract_type, separators=(",", ":")))
    (staging / "index.json").write_text(json.dumps({"sources_digest": sources_digest(root), "contracts": sorted(types)},
                                                   indent=1))
    # Written aside, then swapped in: a build stopped half-way leaves the old types, none (set-up rebuilds them), or
    # the new ones, never a mix.
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return sorted(types)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if-stale", action="store_true", help="do nothing when the types match the sources")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project to compile (default: this checkout)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the types go (default: keeper/contracts/types)")
    args = parser.parse_args(argv)
    index = args.out / "index.json"
    if args.if_stale and index.is_file() and json.loads(index.read_text()).get("sources_digest") == sources_digest(args.root):
        return 0
    try:
        names = build(args.root, args.out)
    except BuildError as exc:
        print(f"[build] ERROR: {exc}", file=sys.stderr)
        return 1
    print(f"[build] {len(names)} contract types in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
