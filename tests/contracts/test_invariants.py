"""Stateful property test: random sequences of user, keeper, market and guardian actions never break the books.

Hypothesis drives the real vault on anvil. Actions may legitimately revert (a guardrail, an empty balance); the
invariants are checked after every step whatever happened, and each example starts from the same chain snapshot.
"""

from __future__ import annotations

import pytest
from ape.exceptions import ContractLogicError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from keeper.execute.rationale import NO_RATIONALE

from .conftest import DAY, USDC, allocation, deadline, earn

ONE_SHARE = 10 ** (6 + 6)
# Rounding the vault may lose to integer division per step across three ERC-4626 layers (ours, adapter, source).
ROUNDING_WEI = 10


class VaultMachine(RuleBasedStateMachine):
    # Set by the test below: the deployed world, shared by every example through a chain snapshot.
    world: dict = {}

    @initialize()
    def start(self):
        w = self.world
        self.snapshot = w["chain"].snapshot()
        self.users = [w["alice"], w["whale"]]
        self.losses_possible = False

    def teardown(self):
        self.world["chain"].restore(self.snapshot)

    # How many calls of each kind went through, across examples: proof the sequences reached deep states.
    succeeded: dict[str, int] = {}
    # Why calls were refused, by call and revert reason: tells a too-shallow run from a rule that can never succeed.
    refused: dict[str, int] = {}

    def _try(self, fn, *args, **kwargs):
        name = fn.abis[0].name
        try:
            receipt = fn(*args, **kwargs)
        except ContractLogicError as error:
            # Ape raises custom errors as ContractLogicError subclasses named after the Solidity error.
            reason = f"{name}: {type(error).__name__}"
            self.refused[reason] = self.refused.get(reason, 0) + 1
            return None
        self.succeeded[name] = self.succeeded.get(name, 0) + 1
        return receipt

    def _price(self):
        return self.world["vault"].convertToAssets(ONE_SHARE)

    @rule(user=st.integers(0, 1), amount=st.integers(1, 50_000 * USDC))
    def deposit(self, user, amount):
        vault, before = self.world["vault"], self._price()
        self._try(vault.deposit, amount, self.users[user], sender=self.users[user])
        assert self._price() >= before, "a deposit must never lower the share price"

    @rule(user=st.integers(0, 1), fraction=st.integers(1, 100), max_loss=st.sampled_from([0, 10, 10_000]))
    def withdraw(self, user, fraction, max_loss):
        vault, who = self.world["vault"], self.users[user]
        assets = vault.maxWithdraw(who) * fraction // 100
        if assets == 0:
            return
        before = self._price()
        if max_loss == 0:
            # The ERC-4626 call, at no loss: anything up to maxWithdraw must go through (issue 15, F-4).
            vault.withdraw(assets, who, who, sender=who)
            self.succeeded["withdraw"] = self.succeeded.get("withdraw", 0) + 1
        else:
            self._try(vault.withdraw, assets, who, who, max_loss, sender=who)
        if not self.losses_possible:
            assert self._price() + 1 >= before, "a loss-free withdrawal must not lower the share price"

    @rule(weights=st.lists(st.integers(0, 60), min_size=3, max_size=3))
    def rebalance(self, weights):
        w = self.world
        total = w["vault"].totalAssets()
        targets = allocation(*((s, total * pct // 100) for s, pct in zip(w["strategies"], weights)))
        w["chain"].pending_timestamp += w["vault"].minRebalanceInterval()
        self._try(w["vault"].rebalance, targets, deadline(w["chain"]), NO_RATIONALE, sender=w["keeper"])

    @rule(index=st.integers(0, 2), percent=st.integers(0, 40))
    def move_one(self, index, percent):
        """A keeper move that usually fits the guardrails: one strategy to a new share of the vault."""
        w = self.world
        target = w["vault"].totalAssets() * percent // 100
        w["chain"].pending_timestamp += w["vault"].minRebalanceInterval()
        self._try(
            w["vault"].rebalance, allocation((w["strategies"][index], target)), deadline(w["chain"]), NO_RATIONALE,
            sender=w["keeper"],
        )

    @rule(source=st.integers(0, 2), amount=st.integers(1, 1_000 * USDC))
    def interest(self, source, amount):
        earn(self.world["asset"], self.world["yield_sources"][source], amount, self.world["deployer"])

    @rule(source=st.integers(0, 2), amount=st.integers(1, 1_000 * USDC))
    def slash(self, source, amount):
        w = self.world
        target = w["yield_sources"][source]
        if w["asset"].balanceOf(target) >= amount:
            target.slash(w["deployer"], amount, sender=w["deployer"])
            self.losses_possible = True

    @rule(index=st.integers(0, 2))
    def harvest(self, index):
        w = self.world
        self._try(w["vault"].harvest, w["strategies"][index], deadline(w["chain"]), sender=w["keeper"])

    @rule(days=st.integers(1, 10), keeper_harvests=st.booleans())
    def time_passes(self, days, keeper_harvests):
        """Days go by; a keeper usually harvests everything on its daily round, so harvests also come from here."""
        w = self.world
        w["chain"].pending_timestamp += days * DAY
        w["chain"].mine()
        if keeper_harvests:
            for strategy in w["strategies"]:
                self._try(w["vault"].harvest, strategy, deadline(w["chain"]), sender=w["keeper"])

    @rule(amount=st.integers(1, 10_000 * USDC))
    def donation(self, amount):
        w = self.world
        before = w["vault"].totalAssets()
        w["asset"].mint(w["vault"], amount, sender=w["deployer"])
        assert w["vault"].totalAssets() == before, "a donation must not move total assets"

    @invariant()
    def books_balance(self):
        w = self.world
        if not hasattr(self, "users"):
            return
        vault = w["vault"]
        idle, debt = vault.totalIdle(), vault.totalDebt()
        held = vault.lockedProfit() + vault.unrealisedLoss()
        assert vault.totalAssets() == max(idle + debt - held, 0)
        assert vault.unrealisedLoss() == sum(
            max(vault.strategies(s).currentDebt - s.convertToAssets(s.balanceOf(vault)), 0) for s in w["strategies"]
        )
        assert w["asset"].balanceOf(vault) >= idle, "idle must be backed by tokens held"
        assert sum(vault.strategies(s).currentDebt for s in w["strategies"]) == debt
        # ERC-4626 views tell the truth and never revert.
        for who in self.users:
            assert vault.maxWithdraw(who) <= vault.previewRedeem(vault.balanceOf(who))
            assert vault.maxRedeem(who) <= vault.balanceOf(who)
        assert vault.maxDeposit(self.users[0]) > 0


def test_vault__random_action_sequences__books_always_balance(
    chain, funded, strategies, yield_sources, asset, keeper, deployer, alice, whale
):
    VaultMachine.world = dict(
        chain=chain, vault=funded, strategies=strategies, yield_sources=yield_sources, asset=asset,
        keeper=keeper, deployer=deployer, alice=alice, whale=whale,
    )
    run_state_machine_as_test(
        VaultMachine,
        settings=settings(
            max_examples=10, stateful_step_count=12, deadline=None, derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    print(f"\nsuccessful calls across examples: {VaultMachine.succeeded}")
    print(f"refused calls across examples: {VaultMachine.refused}")
    for name in ("deposit", "withdraw", "rebalance", "harvest"):
        assert VaultMachine.succeeded.get(name, 0) > 0, f"no successful {name}: the sequences are too shallow"
