"""Deploys an ALP vault behind its timelock, and drives the timelock: used by scripts, tests, benchmarks and the demo.

Everything here goes through the real contracts: admin actions are scheduled on the TimelockController, time passes,
then they execute. Nothing is granted to an EOA that the design reserves for the timelock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ape import chain
from ape.api import AccountAPI
from ape.contracts import ContractInstance
from keeper import contracts

# One day is the production minimum (Yearn, Morpho); local chains fast-forward through it.
DEFAULT_TIMELOCK_DELAY = 24 * 60 * 60
_ZERO_BYTES32 = b"\x00" * 32


@dataclass
class Roles:
    """The people around a vault. `governance` proposes and executes on the timelock, which is the admin."""

    governance: AccountAPI
    curator: AccountAPI
    guardian: AccountAPI
    keeper: AccountAPI
    fee_recipient: AccountAPI


def advance_time(seconds: int) -> None:
    """Moves a local chain's clock forward and mines a block: through Ape's provider where it can (anvil started by
    ape-foundry), else with the node's own evm_increaseTime (a node the user started, reached by RPC URL)."""
    from ape.exceptions import APINotImplementedError

    try:
        chain.pending_timestamp += seconds
        chain.mine()
    except APINotImplementedError:
        chain.provider.make_request("evm_increaseTime", [seconds])
        chain.provider.make_request("evm_mine", [])


class TimelockAdmin:
    """Acts as the vault's admin the only way the design allows: schedule on the timelock, wait, execute."""

    def __init__(self, timelock: ContractInstance, governance: AccountAPI) -> None:
        self.timelock = timelock
        self.governance = governance
        self._salt = 0

    @property
    def address(self) -> str:
        return self.timelock.address

    def schedule(self, target: ContractInstance, method: str, *args: Any) -> tuple[str, bytes, bytes]:
        """Schedules `target.method(*args)`; returns what `execute` needs."""
        data = getattr(target, method).encode_input(*args)
        self._salt += 1
        salt = self._salt.to_bytes(32, "big")
        delay = self.timelock.getMinDelay()
        self.timelock.schedule(target.address, 0, data, _ZERO_BYTES32, salt, delay, sender=self.governance)
        return target.address, data, salt

    def execute(self, scheduled: tuple[str, bytes, bytes]) -> Any:
        target, data, salt = scheduled
        return self.timelock.execute(target, 0, data, _ZERO_BYTES32, salt, sender=self.governance)

    def call(self, target: ContractInstance, method: str, *args: Any) -> Any:
        """Schedules, lets the delay pass on the local chain, and executes."""
        scheduled = self.schedule(target, method, *args)
        advance_time(self.timelock.getMinDelay() + 1)
        return self.execute(scheduled)


@dataclass
class VaultDeployment:
    vault: ContractInstance
    timelock: ContractInstance
    admin: TimelockAdmin
    roles: Roles


def deploy_vault(
    deployer: AccountAPI,
    asset: ContractInstance,
    roles: Roles,
    *,
    name: str = "ALP Vault",
    symbol: str = "alpV",
    timelock_delay: int = DEFAULT_TIMELOCK_DELAY,
) -> VaultDeployment:
    """Deploys the timelock (governance proposes and executes) and the vault with the timelock as its only admin."""
    gov = roles.governance.address
    timelock = deployer.deploy(contracts.container("Timelock"), timelock_delay, [gov], [gov], "0x" + "00" * 20)
    vault = deployer.deploy(
        contracts.container("Vault"),
        asset.address,
        name,
        symbol,
        timelock.address,
        roles.curator.address,
        roles.guardian.address,
        roles.keeper.address,
        roles.fee_recipient.address,
    )
    return VaultDeployment(vault=vault, timelock=timelock, admin=TimelockAdmin(timelock, roles.governance), roles=roles)


def deploy_erc4626_strategy(
    deployer: AccountAPI, deployment: VaultDeployment, target: ContractInstance, name: str, symbol: str
) -> ContractInstance:
    """Deploys an ERC-4626 adapter lending the vault's asset to `target` (not yet added to the vault)."""
    return deployer.deploy(
        contracts.container("ERC4626Adapter"), target.address, deployment.vault.asset(), deployment.vault.address, name, symbol
    )


def add_strategy(deployment: VaultDeployment, strategy: ContractInstance, max_debt: int, max_debt_bps: int) -> None:
    """Adds a strategy through the timelock."""
    deployment.admin.call(deployment.vault, "addStrategy", strategy.address, max_debt, max_debt_bps)


def deploy_univ3_strategy(
    deployer: AccountAPI, deployment: VaultDeployment, pool: ContractInstance, name: str, symbol: str
) -> ContractInstance:
    """Deploys a Uniswap V3 range strategy on `pool` pairing the vault's asset with the pool's other token (not yet
    added to the vault). The pool's oracle must already cover the strategy's TWAP window."""
    return deployer.deploy(contracts.container("UniswapV3Strategy"), pool.address, deployment.vault.asset(),
                           deployment.vault.address, name, symbol)
