"""Our LendingPool against the real Aave V3.0 market on random multi-user action sequences.

Complements `test_pool_vs_aave_v3.py` (one position, one shock) with what it does not reach: two
reserves that are both collateral and borrowable (so same-asset and cross-asset liquidations),
two borrowers, both liquidation payout modes, interest over months, supply/borrow caps, collateral
toggling, withdrawals, repayments and `mintToTreasury`. The same seeded script runs on both
venues from the same chain snapshot and block times; after every step each reserve's stored
indexes, rates, treasury accrual and timestamp, the as-of-now indexes, totals, every actor's
supply/debt/token balances, account data and flag words must be equal to the wei, and an action
must succeed on both or revert on both.

Amounts that depend on state (a share of the borrowing power, of a debt) are read from the venue
itself, which is sound: the venues agreed on that state at the previous step.

Where our pool books a deficit (Aave V3.3 rule) the comparison stops after checking that the
borrower's debt plus the deficit equals the debt Aave V3.0 leaves on the borrower, to the wei.

Runtime: a sequence is ~20-60 transactions and a few hundred view calls per venue. CI runs the
seeds in `DEFAULT_SEEDS`; `DIFF_SEQUENCES=N` runs N seeds of each generator (the mixed one only then).
"""

from __future__ import annotations

import os
import random
from collections import Counter
from typing import Any

import ape
import pytest

from rwa_testbed.venues.aave_v3 import deploy_aave_v3
from rwa_testbed.models.reserve import ReserveSpec
from rwa_testbed.units import RAY
from fixtures.constants import MAX_UINT, USDC, WAD

ASSETS = ("stable", "rwa")
BORROWERS = ("b1", "b2")

SEQUENCES = int(os.environ.get("DIFF_SEQUENCES", "0"))
"""Seeds per generator for a deep run (each ~0.5-1 min); 0 = the CI default below."""
DEFAULT_LIQUIDATION_SEEDS = [12]
"""Seed 12: four liquidations (both payout modes, two debt assets) ending in a deficit (~20 s)."""


@pytest.fixture(scope="module", autouse=True)
def _more_actors_before_deployments(other_borrower):
    """Creates the second borrower before the module's deployments, as ape's isolation needs."""


@pytest.fixture(scope="module")
def venues(deploy_pool, admin, treasury, stablecoin, rwa_token, stable_feed, rwa_feed):
    """Aave V3.0 and our pool, both listing a collateral-and-borrowable stablecoin (with caps) and RWA."""
    specs = [
        ReserveSpec(
            asset=stablecoin.address, price_feed=stable_feed.address, ltv_bps=7_500, liquidation_threshold_bps=8_000,
            liquidation_bonus_bps=10_500, liquidation_protocol_fee_bps=1_000, reserve_factor_bps=1_000,
            borrowing_enabled=True, usable_as_collateral=True, optimal_usage_ray=RAY * 90 // 100,
            base_rate_ray=RAY // 100, slope1_ray=RAY * 4 // 100, slope2_ray=RAY * 60 // 100,
            borrow_cap_tokens=3_000_000, supply_cap_tokens=5_000_000,
        ),
        ReserveSpec(
            asset=rwa_token.address, price_feed=rwa_feed.address, ltv_bps=6_000, liquidation_threshold_bps=7_000,
            liquidation_bonus_bps=11_000, liquidation_protocol_fee_bps=2_000, reserve_factor_bps=2_000,
            borrowing_enabled=True, usable_as_collateral=True, optimal_usage_ray=RAY * 45 // 100,
            base_rate_ray=0, slope1_ray=RAY * 7 // 100, slope2_ray=RAY * 300 // 100,
        ),
    ]
    aave = deploy_aave_v3(admin, specs, treasury)
    ours = deploy_pool(*specs)
    return aave, ours


# --- scripts ------------------------------------------------------------------------------------


def _unit(asset: str) -> int:
    return USDC if asset == "stable" else WAD


def mixed_script(rng: random.Random, steps: int = 40) -> list[tuple]:
    """Any action by anyone, in random order."""
    script: list[tuple] = [
        ("supply", "lp", "stable", 2_000_000 * USDC),
        ("supply", "b1", "rwa", 1_000 * WAD),
        ("supply", "b2", "rwa", 500 * WAD),
        ("supply", "lp", "rwa", 2_000 * WAD),
    ]
    for _ in range(steps):
        r = rng.random()
        user, asset = rng.choice(["lp", *BORROWERS]), rng.choice(ASSETS)
        if r < 0.15:
            amount = rng.choice([1, 10 ** rng.randint(0, 6)]) * _unit(asset) // rng.choice([1, 3, 7])
            script.append(("supply", user, asset, max(amount, 1)))
        elif r < 0.22:
            script.append(("withdraw", user, asset, rng.choice([MAX_UINT, rng.randint(1, 10**6) * _unit(asset) // 100])))
        elif r < 0.4:
            script.append(("borrow_share", rng.choice(BORROWERS), asset, rng.choice([0.3, 0.9, 0.99, 1.0, 1.01])))
        elif r < 0.47:
            script.append(("repay_share", rng.choice(BORROWERS), asset, rng.choice([0.1, 0.5, 1.0, "max"])))
        elif r < 0.5:
            script.append(("toggle", user, asset, rng.random() < 0.5))
        elif r < 0.62:
            script.append(("shock", rng.random(), rng.choice([0.5, 0.8, 0.9, 0.95, 0.97, 1.05, 1.2])))
        elif r < 0.72:
            script.append(("warp", rng.choice([1, 60, 3_600, 86_400, 30 * 86_400, 365 * 86_400])))
        elif r < 0.97:
            script.append(("liquidate", rng.randint(0, 3), rng.choice(["max", 0.1, 0.5, 0.3]), rng.random() < 0.5))
        else:
            script.append(("mint_to_treasury",))
    return script


def liquidation_script(rng: random.Random) -> list[tuple]:
    """Two leveraged borrowers, time, then rounds of price shocks and liquidations."""
    script: list[tuple] = [("supply", "lp", "stable", 2_000_000 * USDC), ("supply", "lp", "rwa", 50_000 * WAD)]
    for borrower in BORROWERS:
        for asset in rng.sample(ASSETS, rng.choice([1, 2])):
            amount = rng.choice([rng.randint(1, 10**6) * _unit(asset) // rng.choice([1, 10, 1000]), rng.randint(1, 10**4)])
            script.append(("supply", borrower, asset, max(1, amount)))
        for asset in rng.sample(ASSETS, rng.choice([1, 2])):
            script.append(("borrow_share", borrower, asset, rng.choice([0.5, 0.9, 0.99, 1.0])))
    script.append(("warp", rng.choice([1, 3_600, 30 * 86_400, 365 * 86_400, 800 * 86_400])))
    for _ in range(rng.randint(2, 5)):
        if rng.random() < 0.85:
            script.append(("shock", rng.random(), rng.choice([0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.88, 0.92])))
        if rng.random() < 0.3:
            script.append(("warp", rng.choice([1, 3_600, 100 * 86_400])))
        script.append(("liquidate", rng.randint(0, 3), rng.choice(["max", 0.1, 0.5, 0.3, 0.0001]), rng.random() < 0.5))
        if rng.random() < 0.2:
            script.append(("mint_to_treasury",))
    return script


# --- one venue ----------------------------------------------------------------------------------


class Runner:
    """Runs a script on one venue ("aave" or "ours") and observes it after every step."""

    def __init__(self, kind, aave, ours, actors, tokens, feeds, treasury, admin, chain):
        self.kind, self.aave, self.ours = kind, aave, ours
        self.pool = aave.pool if kind == "aave" else ours
        self.actors, self.tokens, self.feeds = actors, tokens, feeds
        self.treasury, self.admin, self.chain = treasury, admin, chain
        self.prices = {"stable": 10**8, "rwa": 100 * 10**8}

    def supply_of(self, asset: str, account) -> int:
        token = self.tokens[asset]
        return self.aave.user_supply(token, account) if self.kind == "aave" else self.ours.supplyBalanceOf(token, account)

    def debt_of(self, asset: str, account) -> int:
        token = self.tokens[asset]
        return self.aave.user_debt(token, account) if self.kind == "aave" else self.ours.debtBalanceOf(token, account)

    def flags(self, account) -> int:
        config = self.pool.getUserConfiguration(account)
        return config if isinstance(config, int) else config[0]

    def weakest(self):
        """The borrower with the lowest health factor, with their collateral and debt assets."""
        _, name = min((self.pool.getUserAccountData(self.actors[b])[5], b) for b in BORROWERS)
        flags = self.flags(self.actors[name])
        collateral = [a for i, a in enumerate(ASSETS) if (flags >> (2 * i + 1)) & 1]
        debts = [a for i, a in enumerate(ASSETS) if (flags >> (2 * i)) & 1]
        return name, collateral, debts

    def set_price(self, asset: str, price: int) -> None:
        self.prices[asset] = max(1, price)
        self.feeds[asset].setAnswer(self.prices[asset], sender=self.admin)

    def step(self, action: tuple) -> bool:
        """Executes `action`; False if it reverted. Returns whether a deficit was created (ours)."""
        pool, actors, tokens = self.pool, self.actors, self.tokens
        name = action[0]
        if name == "supply":
            _, user, asset, amount = action
            pool.supply(tokens[asset], amount, actors[user], 0, sender=actors[user])
        elif name == "withdraw":
            _, user, asset, amount = action
            pool.withdraw(tokens[asset], amount, actors[user], sender=actors[user])
        elif name == "borrow_share":
            _, user, asset, share = action
            available = pool.getUserAccountData(actors[user])[2]
            amount = int(available * _unit(asset) * share) // self.prices[asset]
            pool.borrow(tokens[asset], amount, 2, 0, actors[user], sender=actors[user])
        elif name == "repay_share":
            _, user, asset, share = action
            amount = MAX_UINT if share == "max" else int(self.debt_of(asset, actors[user]) * share)
            pool.repay(tokens[asset], amount, 2, actors[user], sender=actors[user])
        elif name == "toggle":
            _, user, asset, enabled = action
            pool.setUserUseReserveAsCollateral(tokens[asset], enabled, sender=actors[user])
        elif name == "shock":
            # hurt the weakest borrower: their collateral falls (or their debt asset rises)
            _, selector, factor = action
            _, collateral, debts = self.weakest()
            if collateral and (selector < 0.7 or not debts):
                asset = collateral[int(selector * 10) % len(collateral)]
                self.set_price(asset, int(self.prices[asset] * factor))
            elif debts:
                asset = debts[int(selector * 10) % len(debts)]
                self.set_price(asset, int(self.prices[asset] / factor))
        elif name == "warp":
            self.chain.pending_timestamp = self.now + action[1]
            self.now += action[1]
            self.chain.mine()
        elif name == "liquidate":
            _, selector, share, receive_shares = action
            user, collateral, debts = self.weakest()
            collateral_asset = (collateral or ["rwa"])[selector % max(1, len(collateral))]
            debt_asset = (debts or ["stable"])[(selector // 2) % max(1, len(debts))]
            amount = MAX_UINT if share == "max" else int(self.debt_of(debt_asset, actors[user]) * share)
            tx = pool.liquidationCall(
                tokens[collateral_asset], tokens[debt_asset], actors[user], amount, receive_shares,
                sender=actors["liquidator"],
            )
            if self.kind == "ours":
                return bool(tx.events.filter(self.ours.DeficitCreated))
        elif name == "mint_to_treasury":
            pool.mintToTreasury([tokens[a] for a in ASSETS], sender=self.admin)
        return False

    def observe(self) -> dict[Any, Any]:
        pool, aave, ours = self.pool, self.aave, self.ours
        accounts = {**{k: v for k, v in self.actors.items()}, "treasury": self.treasury}
        seen: dict[Any, Any] = {}
        for asset in ASSETS:
            token = self.tokens[asset]
            data = pool.getReserveData(token)
            seen[("reserve", asset)] = (
                data.currentLiquidityRate, data.currentVariableBorrowRate, data.liquidityIndex,
                data.variableBorrowIndex, data.accruedToTreasury, data.lastUpdateTimestamp,
            )
            seen[("indexes now", asset)] = (
                pool.getReserveNormalizedIncome(token), pool.getReserveNormalizedVariableDebt(token)
            )
            seen[("totals", asset)] = (
                (aave.a_token(token).totalSupply(), aave.variable_debt_token(token).totalSupply())
                if self.kind == "aave"
                else (ours.totalSupplied(token), ours.totalDebt(token))
            )
            for who, account in accounts.items():
                seen[("balances", asset, who)] = (self.supply_of(asset, account), self.debt_of(asset, account))
                seen[("wallet", asset, who)] = token.balanceOf(account)
        for who in ("lp", *BORROWERS, "liquidator"):
            seen[("account", who)] = tuple(pool.getUserAccountData(self.actors[who]))
            seen[("flags", who)] = self.flags(self.actors[who])
        return seen

    def run(self, script: list[tuple], start: int) -> list[tuple]:
        for token_name, token in self.tokens.items():
            for account in self.actors.values():
                if token_name == "stable":
                    token.mint(account, 10**13, sender=self.admin)
                else:
                    token.mint(account, 10**24, sender=account)
                token.approve(self.pool, MAX_UINT, sender=account)
        log = []
        self.now = start
        for action in script:
            self.now += 1
            self.chain.pending_timestamp = self.now
            try:
                deficit = self.step(action)
                ok = True
            except ape.exceptions.VirtualMachineError:
                ok, deficit = False, False
            seen = self.observe()
            if deficit:
                seen["deficits"] = {a: self.ours.deficit(self.tokens[a]) for a in ASSETS}
            log.append((action, ok, seen))
            if deficit:
                break
        return log


def compare(mine: list[tuple], theirs: list[tuple]) -> Counter:
    """Fails at the first difference; returns the count of succeeded actions by name."""
    succeeded: Counter = Counter()
    for step, ((action, ok, ours), (_, ok_aave, aave)) in enumerate(zip(mine, theirs)):
        assert ok == ok_aave, f"step {step} {action}: ours {'ok' if ok else 'reverted'}, Aave {'ok' if ok_aave else 'reverted'}"
        succeeded[action[0]] += ok
        if "deficits" in ours:
            deficits = ours["deficits"]
            for key, value in aave.items():
                if key[0] == "balances" and ours[key] != value:
                    (supplied, owed), (aave_supplied, aave_owed) = ours[key], value
                    assert supplied == aave_supplied, (step, key, ours[key], value)
                    assert owed + deficits[key[1]] == aave_owed, (step, key, ours[key], value, deficits)
                elif key[0] in ("reserve", "indexes now", "totals", "account", "flags", "balances"):
                    continue  # written-off debt changes these from here on, by design
                else:
                    assert ours[key] == value, (step, action, key, ours[key], value)
            succeeded["deficit"] += 1
            break
        for key, value in aave.items():
            assert ours[key] == value, f"step {step} {action}: {key}\n ours {ours[key]}\n aave {value}"
    return succeeded


@pytest.fixture
def replay_both(venues, chain, admin, lp, borrower, other_borrower, liquidator, treasury, stablecoin, rwa_token, stable_feed, rwa_feed):
    aave, ours = venues
    actors = {"lp": lp, "b1": borrower, "b2": other_borrower, "liquidator": liquidator}
    tokens = {"stable": stablecoin, "rwa": rwa_token}
    feeds = {"stable": stable_feed, "rwa": rwa_feed}

    def replay(script):
        start = chain.blocks.head.timestamp + 100
        logs = []
        for kind in ("ours", "aave"):
            snapshot = chain.snapshot()
            try:
                runner = Runner(kind, aave, ours, actors, tokens, feeds, treasury, admin, chain)
                logs.append(runner.run(script, start))
            finally:
                chain.restore(snapshot)
        return compare(*logs)

    return replay


@pytest.mark.parametrize("seed", list(range(SEQUENCES)) or DEFAULT_LIQUIDATION_SEEDS)
def test_pool_vs_aave__random_liquidation_sequences__same_state_to_the_wei(replay_both, seed):
    succeeded = replay_both(liquidation_script(random.Random(1_000 + seed)))
    print(f"liquidation seed {seed}: {dict(succeeded)}")


@pytest.mark.skipif(not SEQUENCES, reason="deep run only: DIFF_SEQUENCES=N (about a minute per seed)")
@pytest.mark.parametrize("seed", list(range(max(SEQUENCES, 1))))
def test_pool_vs_aave__random_mixed_sequences__same_state_to_the_wei(replay_both, seed):
    succeeded = replay_both(mixed_script(random.Random(seed)))
    print(f"mixed seed {seed}: {dict(succeeded)}")
