"""Each privileged function, called by every role that may not call it, reverts.

The admin is the timelock contract: no EOA holds `DEFAULT_ADMIN_ROLE`, so governance's own key is one of the
"other roles" here, and the admin paths are exercised through the timelock in the other test files.
"""

from __future__ import annotations

import ape
import pytest

from .conftest import USDC, allocation
from keeper import contracts
from keeper.execute.rationale import NO_RATIONALE

PERSONAS = ["governance", "curator", "guardian", "keeper", "alice"]
FAR = 2**40

# name -> (call builder, personas allowed to make it directly). Curator-allowed calls are the tightening ones.
PRIVILEGED = {
    "rebalance": (None, lambda v, s: (allocation((s, 1)), FAR, NO_RATIONALE), {"keeper"}),
    "harvest": (None, lambda v, s: (s, FAR), {"keeper"}),
    "pause": (None, lambda v, s: (), {"guardian"}),
    "shutdown": (None, lambda v, s: (), {"guardian"}),
    "revokeStrategy": (None, lambda v, s: (s, False), {"guardian"}),
    "unpause": (None, lambda v, s: (), set()),
    "addStrategy": (None, lambda v, s: (s, 1, 1), set()),
    "setFees": (None, lambda v, s: (1_000, 100), set()),
    "setFeeRecipient": (None, lambda v, s: (s,), set()),
    "setStrategyCaps__raise": (None, lambda v, s: (s, 2_000_000 * USDC, 6_000), set()),
    "setStrategyCaps__lower": (None, lambda v, s: (s, 1 * USDC, 1), {"curator"}),
    "setMinIdleBps__loosen": (None, lambda v, s: (0,), set()),
    "setMinIdleBps__tighten": (None, lambda v, s: (300,), {"curator"}),
    "setMinRebalanceInterval__loosen": (None, lambda v, s: (0,), set()),
    "setMinRebalanceInterval__tighten": (None, lambda v, s: (7_200,), {"curator"}),
    "setMaxTurnoverBps__loosen": (None, lambda v, s: (9_000,), set()),
    "setMaxTurnoverBps__tighten": (None, lambda v, s: (1_000,), {"curator"}),
    "setMaxRebalanceLossBps__loosen": (None, lambda v, s: (50,), set()),
    "setMaxRebalanceLossBps__tighten": (None, lambda v, s: (0,), {"curator"}),
    "setDepositLimit__loosen": (None, lambda v, s: (2**128 - 1,), set()),
    "setDepositLimit__tighten": (None, lambda v, s: (1 * USDC,), {"curator"}),
    "setProfitUnlockTime__loosen": (None, lambda v, s: (0,), set()),
    "setProfitUnlockTime__tighten": (None, lambda v, s: (14 * 86_400,), {"curator"}),
    "setWithdrawQueue": (None, lambda v, s: (list(v.withdrawQueue()),), {"curator"}),
}


def _method(vault, name):
    return getattr(vault, name.split("__")[0])


@pytest.fixture(scope="module")
def setup(funded, deployer, asset, yield_sources, curator):
    """A spare strategy not yet added (for addStrategy), and a finite deposit limit so raising it is a loosening."""
    funded.setDepositLimit(10_000_000 * USDC, sender=curator)
    return deployer.deploy(contracts.container("ERC4626Adapter"), yield_sources[2], asset, funded, "spare", "spr")


FORBIDDEN = [(name, persona) for name in sorted(PRIVILEGED) for persona in PERSONAS if persona not in PRIVILEGED[name][2]]


@pytest.mark.parametrize("name,persona", FORBIDDEN)
def test_privileged_call__by_other_role__reverts(name, persona, request, funded, strategies, setup):
    _, args, _ = PRIVILEGED[name]
    caller = request.getfixturevalue(persona)
    target = setup if name == "addStrategy" else strategies[0]
    with ape.reverts():
        _method(funded, name)(*args(funded, target), sender=caller)


@pytest.mark.parametrize("name", sorted(n for n, (_, _, allowed) in PRIVILEGED.items() if allowed))
def test_privileged_call__by_its_role__passes(name, request, funded, strategies, chain):
    _, args, allowed = PRIVILEGED[name]
    caller = request.getfixturevalue(sorted(allowed)[0])
    receipt = _method(funded, name)(*args(funded, strategies[0]), sender=caller)
    assert not receipt.failed


def test_grant_role__by_anyone_but_timelock__reverts(funded, governance, curator, guardian, keeper, alice):
    for caller in (governance, curator, guardian, keeper, alice):
        with ape.reverts(funded.AccessControlUnauthorizedAccount):
            funded.grantRole(funded.KEEPER_ROLE(), alice, sender=caller)


def test_admin_call__through_timelock__waits_for_delay(funded, admin, chain):
    scheduled = admin.schedule(funded, "setFees", 1_000, 100)
    with ape.reverts():
        admin.execute(scheduled)  # not ready: the delay has not passed
    chain.pending_timestamp += admin.timelock.getMinDelay() + 1
    admin.execute(scheduled)
    assert funded.performanceFeeBps() == 1_000
    assert funded.managementFeeBps() == 100


def test_keeper_key_compromised__cannot_exceed_any_bound(chain, funded, strategies, keeper, alice, asset):
    """A stolen keeper key can only move funds between the vault and its strategies, inside the bounds."""
    with ape.reverts(funded.TurnoverExceeded):
        funded.rebalance(allocation((strategies[0], 60_000 * USDC)), FAR, NO_RATIONALE, sender=keeper)
    with ape.reverts():
        funded.revokeStrategy(strategies[0], False, sender=keeper)
    with ape.reverts():
        funded.setFeeRecipient(keeper, sender=keeper)
    assert asset.balanceOf(keeper) == 0
