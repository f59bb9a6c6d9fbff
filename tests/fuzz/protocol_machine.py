"""Stateful fuzzing of the whole protocol: LendingPool + LatencyOracle feeds + ConstantProductPair.

`ProtocolMachine` drives the real contracts on anvil (deployed by `protocol_market` in
tests/fuzz/conftest.py: a stablecoin to borrow, an 18-decimal building token as collateral priced
by a LatencyOracle, its AMM pair, three open positions) through every user action: supply,
withdraw, borrow, repay, collateral toggles (four users), the keeper's price observations and
pokes under the latency rules, rule changes and outages, time passing (interest accrues), AMM swaps
(also an over-greedy one) and liquidity changes, liquidations (`debtToCover` uncapped, capped or
1 wei; collateral as tokens or supply shares), the liquidator selling its seizure on the AMM,
`mintToTreasury` and deficit cover. Transactions go through `protocol_driver.Driver` (~3 ms each).

A reverted transaction is fine when its custom error is one the rule allows (listed per rule);
any other error, a panic or a string revert fails the example. Named invariants, checked after
every step:

- total_debt_is_sum_of_user_debts: sum of debt shares == scaledTotalDebt exactly, and
  |totalDebt - sum of debtBalanceOf| <= number of users (each balance rounds half up, < 1 wei);
- supply_shares_add_up: per reserve, the holders' supply shares sum to scaledTotalSupply exactly;
- pool_cash_covers_supply_net_of_debt_and_deficit: per reserve, cash + debt + deficit >= supplied +
  what the treasury is owed (accrued shares and the reserve factor's share of interest since the
  last update), i.e. cash >= supplied - borrowed - deficit, within a rounding allowance: 3 wei for
  the views, plus 2 x (1 + index / RAY) wei per share-moving transaction so far (supply, withdraw,
  borrow, repay, liquidation, mint to treasury, cover: each rounds shares half up, and the
  treasury's accrual once, at an index of `index`), the seed's included;
- liquidations_hit_only_unhealthy_positions: every successful liquidation had HF < 1 just before it
  (read at the liquidation's own block time, equal to the event's healthFactorBefore);
- liquidations_seize_at_most_the_users_collateral: seized + protocol fee <= the user's collateral,
  and the user's balance fell by exactly that (within 1 wei);
- liquidations_repay_at_most_the_close_factor: debtRepaid <= 50 % of the debt (100 % at HF <= 0.95),
  <= debtToCover, paid by the liquidator exactly, and the user's debt fell by it (or was written off);
- deficit_only_when_collateral_is_gone: the pool's deficit moves only by DeficitCreated (up) and
  DeficitCovered (down); a deficit is created only when the user's collateral is worth 0 after the
  liquidation, and then none of the user's debt is left;
- oracle_publishes_only_what_its_rules_allow: the feed's latest round equals the one the pure-Python
  model (`rwa_testbed.models.oracle`) published, every published observation was visible
  (observedAt + delay <= publication time), and the pool prices the collateral at that answer;
- amm_k_never_decreases_across_a_swap: reserve0 * reserve1 after every swap >= before it, and a
  swap that asks for more than the quote reverts with KInvariant leaving the reserves as they were.

Every example starts from the same state through chain.snapshot() (in the `start` initialize rule)
and chain.restore() (in `teardown`). Step counts accumulate in STATS (printed by tests/fuzz/conftest.py).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import INVARIANT_MARKER, RuleBasedStateMachine, initialize, invariant, rule

import protocol_strategies as S
from fixtures.constants import MAX_UINT, RAY, VARIABLE, WAD
from rwa_testbed.models.amm import get_amount_out
from rwa_testbed.models.oracle import LatencyOracleModel, Reason, Round

BLOCK_SECONDS = 12
CLOSE_FACTOR_HF_THRESHOLD = 95 * 10**16  # 0.95 WAD
VIEW_ROUNDING = 3  # wei: totalSupplied, the treasury's accrued shares and its pending share each round once
MIN_PRICE = 10**4  # $0.0001, 8 decimals: the keeper never reports a price of 0

STATS: Counter = Counter()  # examples, steps, transactions, reverted, liquidations, deficits, seconds
OUTCOMES: Counter = Counter()  # "contract.function: error name or ok", across examples

# Errors each rule may meet; anything else fails the example.
ALLOWED = {
    "supply": {"InvalidAmount"},
    "withdraw": {"InvalidAmount", "NotEnoughAvailableUserBalance", "InsufficientLiquidity",
                 "HealthFactorBelowThreshold", "LtvValidationFailed", "InvalidBurnAmount"},
    "borrow": {"InvalidAmount", "CollateralBalanceIsZero", "LtvValidationFailed", "HealthFactorBelowThreshold",
               "CollateralCannotCoverNewBorrow", "InsufficientLiquidity", "InvalidMintAmount"},
    "repay": {"InvalidAmount", "NoDebtOfSelectedType", "NoExplicitAmountToRepayOnBehalf", "InvalidBurnAmount"},
    "collateral": {"UnderlyingBalanceZero", "CollateralLtvZero", "HealthFactorBelowThreshold",
                   "LtvValidationFailed"},
    "liquidate": {"HealthyPosition", "NoDebt", "CollateralNotEnabled", "InvalidBurnAmount"},
    "swap": {"ZeroAmount", "InsufficientOutputAmount"},
    "greedy_swap": {"KInvariant", "InsufficientOutputAmount", "InsufficientLiquidity"},
    "liquidity": {"InsufficientLiquidityMinted", "InsufficientLiquidityBurned"},
    "cover": {"NoDeficit", "InvalidAmount"},
    "oracle_order": {"ObservationOutOfOrder"},
    "none": set(),
}


def percent_mul(value: int, bps: int) -> int:
    """PercentageMath.percentMul: value x bps / 10_000, half up."""
    return (value * bps + 5_000) // 10_000


class ProtocolMachine(RuleBasedStateMachine):
    """See the module docstring. `market` is set by the `protocol_machine` fixture."""

    market: ClassVar = None

    def __init__(self):
        super().__init__()
        self.m = self.market
        self.d = self.m.driver
        self.addr = {role: account.address for role, account in self.m.accounts.items()}
        self.rwa_is_token0 = self.m.rwa_is_token0
        self.snapshot = None

    # ------------------------------------------------------------------ setup / teardown

    @initialize(rules=S.latency_rules)
    def start(self, rules):
        """Snapshot the seeded market, read the model's starting point, set the feed's latency rules."""
        self.snapshot = self.m.chain.snapshot()
        self.started = time.monotonic()
        STATS["examples"] += 1
        self.now = self.d.head_timestamp() + BLOCK_SECONDS  # timestamp of the next block
        self.version = 0  # bumped by every mined block; invalidates the cached view
        self._view_cache = (None, None)
        self.share_moves = self.m.seed_share_moves
        # Rounding allowance (wei) of the cash invariant; see `_moved_shares`.
        self.allowance = VIEW_ROUNDING + 4 * self.m.seed_share_moves  # the seed's moves at index 1 RAY
        self.liquidations: list[dict] = []
        self.deficit_events: list[dict] = []
        self.swaps: list[tuple[int, int]] = []  # (k before, k after) of successful swaps
        self.greedy: list[tuple[tuple, tuple]] = []  # reserves before / after a rejected greedy swap
        self.deficit_expected = self.d.read([("pool", "deficit", (self.m.stablecoin.address,))])[0]
        # The pure-Python model of the collateral feed, from the seeded feed (one published round).
        (round_id, answer, _, updated_at, _), count = self.d.read(
            [("rwa_feed", "latestRoundData", ()), ("rwa_feed", "observationCount", ())])
        observed = [self.d.read([("rwa_feed", "getObservation", (i,))])[0] for i in range(count)]
        assert round_id == 1 and count == 1, "the seeded feed has one observation, published"
        self.oracle = LatencyOracleModel(observations=[(a, t) for a, t, _ in observed],
                                         rounds=[Round(1, answer, updated_at, 0, Reason.FIRST, 0)], done=1)
        self.publication_delays = {1: 0}  # round id -> delay (seconds) in force when it was published
        self.true_price = answer
        self.last_observed_at = observed[-1][1]
        self._tx("admin", "rwa_feed", "setLatencyRules", *rules, allowed="none")
        self.oracle.set_rules(*rules)

    def teardown(self):
        if self.snapshot is not None:
            self.m.chain.restore(self.snapshot)
            STATS["seconds"] += time.monotonic() - self.started

    # ------------------------------------------------------------------ plumbing

    def _tx(self, sender: str, contract: str, fn: str, *args, allowed: str):
        """Mines one transaction at the machine's clock; returns its Outcome. A revert must be one
        of ALLOWED[allowed]."""
        STATS["transactions"] += 1
        outcome = self.d.send(self.addr[sender], contract, fn, *args, timestamp=self.now)
        self.now += BLOCK_SECONDS
        self.version += 1
        OUTCOMES[f"{contract}.{fn}: {outcome.error or 'ok'}"] += 1
        if not outcome.ok:
            STATS["reverted"] += 1
            assert outcome.error in ALLOWED[allowed], (
                f"{contract}.{fn}{args} from {sender} reverted with {outcome.error}{outcome.error_args}, "
                f"allowed: {sorted(ALLOWED[allowed])}"
            )
        return outcome

    def _pending(self, calls):
        """Reads as of the next block (the clock's timestamp): what the next transaction will see."""
        self.d.set_next_timestamp(self.now)
        return self.d.read(calls, block="pending")

    def _token(self, asset: str) -> str:
        return (self.m.stablecoin if asset == "stable" else self.m.rwa).address

    def _moved_shares(self) -> None:
        """A transaction minted or burned supply or debt shares (and accrued the treasury's share):
        each rounds half up once per index it uses, i.e. by at most 1 + index / RAY wei, twice
        (shares, treasury accrual)."""
        self.share_moves += 1
        v = self.view()
        indexes = [v["income_stable"], v["reserve_stable"]["variableBorrowIndex"]]
        self.allowance += 2 * (1 + max(indexes) // RAY)

    def _count_step(self):
        STATS["steps"] += 1

    def view(self) -> dict:
        """Everything the invariants read, in one batch, cached until the next block."""
        if self._view_cache[0] == self.version:
            return self._view_cache[1]
        stable, rwa, pool = self.m.stablecoin.address, self.m.rwa.address, self.m.pool.address
        calls = [
            ("stable", "balanceOf", (pool,)), ("rwa", "balanceOf", (pool,)),
            ("pool", "totalDebt", (stable,)), ("pool", "deficit", (stable,)),
            ("pool", "totalSupplied", (stable,)), ("pool", "totalSupplied", (rwa,)),
            ("pool", "getReserveNormalizedIncome", (stable,)), ("pool", "getReserveNormalizedIncome", (rwa,)),
            ("rwa_feed", "latestRoundData", ()), ("pool", "getAssetPrice", (rwa,)), ("pair", "getReserves", ()),
        ]
        calls += [("pool", "debtBalanceOf", (stable, self.addr[u])) for u in S.USERS]
        calls += [("pool", "scaledDebtOf", (stable, self.addr[u])) for u in S.USERS]
        calls += [("pool", "scaledSupplyOf", (asset, self.addr[h])) for asset in (stable, rwa) for h in S.HOLDERS]
        values = self.d.read(calls)
        n, h = len(S.USERS), len(S.HOLDERS)
        names = ["cash_stable", "cash_rwa", "total_debt", "deficit", "supplied_stable", "supplied_rwa",
                 "income_stable", "income_rwa", "feed_round", "pool_rwa_price", "reserves"]
        out = dict(zip(names, values))
        out["debts"] = values[11: 11 + n]
        out["scaled_debts"] = values[11 + n: 11 + 2 * n]
        out["scaled_supply_stable"] = values[11 + 2 * n: 11 + 2 * n + h]
        out["scaled_supply_rwa"] = values[11 + 2 * n + h:]
        out["reserve_stable"] = self.d.read_named("pool", "getReserveData", stable)
        out["reserve_rwa"] = self.d.read_named("pool", "getReserveData", rwa)
        self._view_cache = (self.version, out)
        return out

    # ------------------------------------------------------------------ pool rules

    @rule(user=S.users, asset=S.assets, percent=S.percents, one_wei=st.booleans())
    def supply(self, user, asset, percent, one_wei):
        self._count_step()
        token = self._token(asset)
        wallet = self.d.read([(asset, "balanceOf", (self.addr[user],))])[0]
        amount = min(1, wallet) if one_wei else wallet * percent // 100  # an empty wallet supplies 0: InvalidAmount
        outcome = self._tx(user, "pool", "supply", token, amount, self.addr[user], 0, allowed="supply")
        if outcome.ok:
            self._moved_shares()

    @rule(user=S.users, asset=S.assets, mode=S.amount_modes, percent=S.percents)
    def withdraw(self, user, asset, mode, percent):
        self._count_step()
        token = self._token(asset)
        balance, account = self._pending([("pool", "supplyBalanceOf", (token, self.addr[user])),
                                          ("pool", "getUserAccountData", (self.addr[user],))])
        amount = {"percent": balance * percent // 100, "max": MAX_UINT, "one_wei": 1,
                  "balance_plus_one": balance + 1}[mode]
        outcome = self._tx(user, "pool", "withdraw", token, amount, self.addr[user], allowed="withdraw")
        if outcome.ok:
            self._moved_shares()
            self._assert_not_made_unhealthy(user, account[5], "withdraw")

    @rule(user=S.users, percent=S.borrow_percents)
    def borrow(self, user, percent):
        self._count_step()
        data = self._pending([("pool", "getUserAccountData", (self.addr[user],))])[0]
        amount = data[2] * percent // 100 // 100  # available, USD 8 decimals -> USDC 6 decimals at $1
        outcome = self._tx(user, "pool", "borrow", self.m.stablecoin.address, amount, VARIABLE, 0, self.addr[user],
                           allowed="borrow")
        if outcome.ok:
            self._moved_shares()
            self._assert_healthy(user, "borrow")
        elif outcome.error == "HealthFactorBelowThreshold":
            assert data[5] < WAD, f"borrow refused for HF {data[5]} but the position was healthy"

    @rule(payer=S.users, user=S.users, own=st.booleans(), mode=S.amount_modes, percent=S.percents)
    def repay(self, payer, user, own, mode, percent):
        self._count_step()
        user = payer if own else user
        debt, wallet = self._pending([("pool", "debtBalanceOf", (self.m.stablecoin.address, self.addr[user])),
                                      ("stable", "balanceOf", (self.addr[payer],))])
        amount = {"percent": debt * percent // 100, "max": MAX_UINT, "one_wei": 1, "balance_plus_one": debt + 1}[mode]
        if min(debt, amount) > wallet:
            amount = wallet  # the payer pays what it holds (an empty wallet: 0, InvalidAmount)
        outcome = self._tx(payer, "pool", "repay", self.m.stablecoin.address, amount, VARIABLE, self.addr[user],
                           allowed="repay")
        if outcome.ok:
            self._moved_shares()
            (repaid,) = outcome.named("pool", "Repaid")
            assert repaid["amount"] == min(debt, amount), "repaid more than the debt or the amount asked"

    @rule(user=S.users, asset=S.assets, enable=st.booleans())
    def toggle_collateral(self, user, asset, enable):
        self._count_step()
        hf_before = self._pending([("pool", "getUserAccountData", (self.addr[user],))])[0][5]
        outcome = self._tx(user, "pool", "setUserUseReserveAsCollateral", self._token(asset), enable,
                           allowed="collateral")
        if outcome.ok and not enable:
            self._assert_not_made_unhealthy(user, hf_before, "disabling collateral")

    @rule()
    def mint_to_treasury(self):
        self._count_step()
        self._tx("trader", "pool", "mintToTreasury", [self.m.stablecoin.address, self.m.rwa.address], allowed="none")
        self._moved_shares()

    @rule(percent=S.percents)
    def cover_deficit(self, percent):
        self._count_step()
        deficit = self._pending([("pool", "deficit", (self.m.stablecoin.address,))])[0]
        amount = max(deficit * percent // 100, 0)
        outcome = self._tx("admin", "pool", "coverDeficit", self.m.stablecoin.address, amount, allowed="cover")
        if outcome.ok:
            self._moved_shares()
            (covered,) = outcome.named("pool", "DeficitCovered")
            self.deficit_expected -= covered["amountCovered"]

    def _assert_healthy(self, user: str, action: str) -> None:
        hf = self.d.read([("pool", "getUserAccountData", (self.addr[user],))])[0][5]
        assert hf >= WAD, f"{action} left {user} with health factor {hf} < 1"

    def _assert_not_made_unhealthy(self, user: str, hf_before: int, action: str) -> None:
        """After a withdraw or a collateral switch-off: HF >= 1, or (non-collateral asset) unchanged."""
        hf = self.d.read([("pool", "getUserAccountData", (self.addr[user],))])[0][5]
        assert hf >= WAD or hf == hf_before, f"{action} took {user}'s health factor from {hf_before} to {hf} < 1"

    # ------------------------------------------------------------------ liquidations

    @rule(user=S.borrowers, mode=S.debt_to_cover_modes, percent=S.percents, receive_shares=st.booleans())
    def liquidate(self, user, mode, percent, receive_shares):
        self._count_step()
        stable, rwa, who = self.m.stablecoin.address, self.m.rwa.address, self.addr[user]
        pre_account, pre_debt, pre_collateral, pre_paid, pre_deficit = self._pending([
            ("pool", "getUserAccountData", (who,)), ("pool", "debtBalanceOf", (stable, who)),
            ("pool", "supplyBalanceOf", (rwa, who)), ("stable", "balanceOf", (self.addr["liquidator"],)),
            ("pool", "deficit", (stable,)),
        ])
        debt_to_cover = {"max": MAX_UINT, "percent": pre_debt * percent // 100, "one_wei": 1}[mode]
        outcome = self._tx("liquidator", "pool", "liquidationCall", rwa, stable, who, debt_to_cover, receive_shares,
                           allowed="liquidate")
        pre_hf = pre_account[5]
        if not outcome.ok:
            if outcome.error == "HealthyPosition":
                assert outcome.error_args["healthFactor"] == pre_hf >= WAD
            # Liveness: an unhealthy position with collateral can always be liquidated in full.
            if mode == "max" and pre_hf < WAD and pre_debt > 0 and pre_account[0] > 0:
                raise AssertionError(f"uncapped liquidation of unhealthy {user} (HF {pre_hf}) reverted with "
                                     f"{outcome.error}{outcome.error_args}")
            return
        self._moved_shares()
        STATS["liquidations"] += 1
        (event,) = outcome.named("pool", "LiquidationExecuted")
        post_account, post_debt, post_collateral, post_paid = self.d.read([
            ("pool", "getUserAccountData", (who,)), ("pool", "debtBalanceOf", (stable, who)),
            ("pool", "supplyBalanceOf", (rwa, who)), ("stable", "balanceOf", (self.addr["liquidator"],)),
        ])
        created = outcome.named("pool", "DeficitCreated")
        STATS["deficits"] += len(created)
        self.deficit_expected += sum(d["amountCreated"] for d in created)
        self.liquidations.append({
            "user": user, "debt_to_cover": debt_to_cover, "pre_hf": pre_hf, "pre_debt": pre_debt,
            "pre_collateral": pre_collateral, "post_debt": post_debt, "post_collateral": post_collateral,
            "post_collateral_base": post_account[0], "paid": pre_paid - post_paid, "event": event,
            "deficit_created": sum(d["amountCreated"] for d in created),
        })
        for d in created:
            self.deficit_events.append({"user": d["user"], "post_collateral_base": post_account[0],
                                        "post_debt": post_debt})
        assert pre_deficit + self.liquidations[-1]["deficit_created"] == self.view()["deficit"]

    @rule(mode=S.debt_to_cover_modes, percent=S.percents, receive_shares=st.booleans())
    def liquidate_weakest(self, mode, percent, receive_shares):
        """A liquidation bot's pick: the borrower with the lowest health factor."""
        accounts = self._pending([("pool", "getUserAccountData", (self.addr[u],)) for u in S.BORROWERS])
        weakest = min(zip(S.BORROWERS, accounts), key=lambda pair: pair[1][5])[0]
        self.liquidate(user=weakest, mode=mode, percent=percent, receive_shares=receive_shares)

    @rule(percent=S.percents)
    def liquidator_sells_collateral(self, percent):
        """The liquidator dumps part of what it seized on the AMM (a real liquidator's exit)."""
        self._count_step()
        held = self.d.read([("rwa", "balanceOf", (self.addr["liquidator"],))])[0]
        if held:
            self._swap("liquidator", True, held * percent // 100)

    # ------------------------------------------------------------------ oracle rules

    @rule(move_bps=S.price_moves_bps, lag=S.observation_lags, out_of_order=st.sampled_from([False] * 7 + [True]))
    def observe_price(self, move_bps, lag, out_of_order):
        """The keeper reports the true price, observed `lag` seconds ago (or, wrongly, before the
        previous observation: ObservationOutOfOrder)."""
        self._count_step()
        self.true_price = max(MIN_PRICE, self.true_price * (10_000 + move_bps) // 10_000)
        if out_of_order and self.last_observed_at > 0:
            observed_at = self.last_observed_at - 1
            outcome = self._tx("keeper", "rwa_feed", "submit", self.true_price, observed_at, allowed="oracle_order")
            assert (outcome.error, outcome.error_args) == (
                "ObservationOutOfOrder", {"observedAt": observed_at, "previousObservedAt": self.last_observed_at})
            return
        observed_at = max(self.last_observed_at, self.now - lag)
        now = self.now
        outcome = self._tx("keeper", "rwa_feed", "submit", self.true_price, observed_at, allowed="none")
        self.last_observed_at = observed_at
        self._record_round(self.oracle.submit(self.true_price, observed_at, now), outcome)

    @rule(drop_bps=st.integers(1_000, 6_000))
    def crash(self, drop_bps):
        """A shock: the true price falls by `drop_bps`, reported as observed `delay` seconds ago so it
        is visible (published at once unless an outage holds it back)."""
        self._count_step()
        self.true_price = max(MIN_PRICE, self.true_price * (10_000 - drop_bps) // 10_000)
        observed_at = max(self.last_observed_at, self.now - self.oracle.delay)
        now = self.now
        outcome = self._tx("keeper", "rwa_feed", "submit", self.true_price, observed_at, allowed="none")
        self.last_observed_at = observed_at
        self._record_round(self.oracle.submit(self.true_price, observed_at, now), outcome)

    @rule()
    def poke(self):
        self._count_step()
        now = self.now
        outcome = self._tx("trader", "rwa_feed", "poke", allowed="none")
        self._record_round(self.oracle.poke(now), outcome)

    @rule(rules=S.latency_rules)
    def change_latency_rules(self, rules):
        self._count_step()
        self._tx("admin", "rwa_feed", "setLatencyRules", *rules, allowed="none")
        self.oracle.set_rules(*rules)

    @rule(active=st.sampled_from([True, False, False]))
    def set_outage(self, active):
        self._count_step()
        self._tx("admin", "rwa_feed", "setOutage", active, allowed="none")
        self.oracle.set_outage(active)

    def _record_round(self, predicted: Round | None, outcome) -> None:
        published = outcome.named("rwa_feed", "ObservationPublished")
        if predicted is None:
            assert published == [], f"the feed published {published}; the model published nothing"
            return
        assert [(p["roundId"], p["index"], p["reason"], p["skipped"]) for p in published] == [
            (predicted.round_id, predicted.observation_index, int(predicted.reason), predicted.skipped)]
        self.publication_delays[predicted.round_id] = self.oracle.delay

    @rule(seconds=S.time_steps)
    def pass_time(self, seconds):
        """Time passes (interest accrues); one empty block makes the views see it."""
        self._count_step()
        self.now += seconds
        self.d.rpc.call("evm_mine", hex(self.now))
        self.now += BLOCK_SECONDS
        self.version += 1

    # ------------------------------------------------------------------ AMM rules

    def _oriented(self, reserves, sell_rwa: bool) -> tuple[int, int, bool]:
        rwa_is_0 = self.rwa_is_token0
        r_rwa, r_stable = (reserves[0], reserves[1]) if rwa_is_0 else (reserves[1], reserves[0])
        return (r_rwa, r_stable, rwa_is_0) if sell_rwa else (r_stable, r_rwa, not rwa_is_0)

    def _swap(self, seller: str, sell_rwa: bool, amount: int) -> None:
        token = self.m.rwa.address if sell_rwa else self.m.stablecoin.address
        before = self.view()["reserves"]
        outcome = self._tx(seller, "router", "swapExactTokensForTokens", self.m.pair.address, token, amount, 0,
                           self.addr[seller], self.now, allowed="swap")
        if outcome.error == "ZeroAmount":
            assert amount == 0
        if outcome.ok:
            after = self.view()["reserves"]
            self.swaps.append((before[0] * before[1], after[0] * after[1]))

    @rule(seller=S.users, sell_rwa=st.booleans(), size_bps=S.swap_sizes_bps)
    def swap(self, seller, sell_rwa, size_bps):
        self._count_step()
        reserve_in, _, _ = self._oriented(self.view()["reserves"], sell_rwa)
        wallet = self.d.read([("rwa" if sell_rwa else "stable", "balanceOf", (self.addr[seller],))])[0]
        self._swap(seller, sell_rwa, min(wallet, reserve_in * size_bps // 10_000))

    @rule(sell_rwa=st.booleans(), size_bps=S.swap_sizes_bps, extra=st.sampled_from([1, 1, 1_000]))
    def greedy_swap(self, sell_rwa, size_bps, extra):
        """The trader pays in, then asks the pair for `extra` more than the exact quote: KInvariant."""
        self._count_step()
        reserves = self.view()["reserves"]
        reserve_in, reserve_out, in_is_0 = self._oriented(reserves, sell_rwa)
        wallet = self.d.read([("rwa" if sell_rwa else "stable", "balanceOf", (self.addr["trader"],))])[0]
        amount_in = min(wallet, max(1, reserve_in * size_bps // 10_000))
        if amount_in == 0:
            return
        amount_out = get_amount_out(amount_in, reserve_in, reserve_out, 30) + extra
        if amount_out >= reserve_out:
            return  # a request above the reserve fails for another reason (InsufficientLiquidity)
        self._tx("trader", "rwa" if sell_rwa else "stable", "transfer", self.m.pair.address, amount_in, allowed="none")
        before = self.view()["reserves"]
        outs = (0, amount_out) if in_is_0 else (amount_out, 0)
        outcome = self._tx("trader", "pair", "swap", *outs, self.addr["trader"], b"", allowed="greedy_swap")
        assert not outcome.ok, f"the pair paid {amount_out} for {amount_in}, more than the quote"
        self.greedy.append((before, self.view()["reserves"]))
        self._tx("trader", "pair", "skim", self.addr["trader"], allowed="none")  # take the payment back

    @rule(percent=S.percents)
    def add_liquidity(self, percent):
        self._count_step()
        reserves = self.view()["reserves"]
        stable_wallet, rwa_wallet = self.d.read([("stable", "balanceOf", (self.addr["lp"],)),
                                                 ("rwa", "balanceOf", (self.addr["lp"],))])
        r_rwa, r_stable, rwa_is_0 = self._oriented(reserves, True)
        # `percent` of the lp's wallets, at the pool's ratio, limited by the scarcer side
        stable_amount = min(stable_wallet, rwa_wallet * r_stable // r_rwa) * percent // 100
        rwa_amount = stable_amount * r_rwa // r_stable
        amounts = (rwa_amount, stable_amount) if rwa_is_0 else (stable_amount, rwa_amount)
        self._tx("lp", "router", "addLiquidity", self.m.pair.address, *amounts, 0, self.addr["lp"], self.now,
                 allowed="liquidity")

    @rule(percent=S.percents)
    def remove_liquidity(self, percent):
        self._count_step()
        lp_tokens = self.d.read([("pair", "balanceOf", (self.addr["lp"],))])[0]
        self._tx("lp", "router", "removeLiquidity", self.m.pair.address, lp_tokens * percent // 100, 0, 0,
                 self.addr["lp"], self.now, allowed="liquidity")

    # ------------------------------------------------------------------ invariants

    @invariant()
    def total_debt_is_sum_of_user_debts(self):
        v = self.view()
        shares, total = sum(v["scaled_debts"]), v["reserve_stable"]["scaledTotalDebt"]
        assert shares == total, f"users' debt shares {shares} != scaledTotalDebt {total}"
        assert abs(v["total_debt"] - sum(v["debts"])) <= len(S.USERS), (
            f"total debt {v['total_debt']} vs sum of user debts {sum(v['debts'])}")

    @invariant()
    def supply_shares_add_up(self):
        v = self.view()
        for asset in ("stable", "rwa"):
            shares, total = sum(v[f"scaled_supply_{asset}"]), v[f"reserve_{asset}"]["scaledTotalSupply"]
            assert shares == total, f"{asset}: holders' supply shares {shares} != scaledTotalSupply {total}"

    @invariant()
    def pool_cash_covers_supply_net_of_debt_and_deficit(self):
        v = self.view()
        owed = v["supplied_stable"] + treasury_share(v["reserve_stable"], v["income_stable"], v["total_debt"])
        held = v["cash_stable"] + v["total_debt"] + v["deficit"]
        STATS["max_cash_shortfall_wei"] = max(STATS["max_cash_shortfall_wei"], owed - held)
        assert held + self.allowance >= owed, (
            f"stablecoin: cash {v['cash_stable']} + debt {v['total_debt']} + deficit {v['deficit']} = {held} "
            f"< supplied + treasury {owed} by {owed - held} (rounding allowance {self.allowance} wei)")
        owed_rwa = v["supplied_rwa"] + treasury_share(v["reserve_rwa"], v["income_rwa"], 0)
        assert v["cash_rwa"] + self.allowance >= owed_rwa, f"collateral cash {v['cash_rwa']} < owed {owed_rwa}"

    @invariant()
    def liquidations_hit_only_unhealthy_positions(self):
        for liq in self.liquidations:
            assert liq["pre_hf"] < WAD, f"liquidated {liq['user']} at health factor {liq['pre_hf']}"
            assert liq["event"]["healthFactorBefore"] == liq["pre_hf"]

    @invariant()
    def liquidations_seize_at_most_the_users_collateral(self):
        for liq in self.liquidations:
            taken = liq["event"]["collateralSeized"] + liq["event"]["protocolFee"]
            assert taken <= liq["pre_collateral"], f"seized {taken} of {liq['user']}'s {liq['pre_collateral']}"
            assert abs(liq["pre_collateral"] - taken - liq["post_collateral"]) <= 1

    @invariant()
    def liquidations_repay_at_most_the_close_factor(self):
        for liq in self.liquidations:
            repaid = liq["event"]["debtRepaid"]
            close_factor = 5_000 if liq["pre_hf"] > CLOSE_FACTOR_HF_THRESHOLD else 10_000
            assert repaid <= percent_mul(liq["pre_debt"], close_factor), (
                f"repaid {repaid} of {liq['pre_debt']} at HF {liq['pre_hf']} (close factor {close_factor} bps)")
            assert repaid <= liq["debt_to_cover"]
            assert liq["paid"] == repaid, "the liquidator paid a different amount than the debt repaid"
            if liq["deficit_created"] == 0:
                assert abs(liq["pre_debt"] - repaid - liq["post_debt"]) <= 1
            else:
                assert liq["post_debt"] == 0

    @invariant()
    def deficit_only_when_collateral_is_gone(self):
        assert self.view()["deficit"] == self.deficit_expected, "the deficit moved outside liquidations and covers"
        for d in self.deficit_events:
            assert d["post_collateral_base"] == 0, f"deficit created while {d['user']} kept collateral"
            assert d["post_debt"] == 0, "deficit created but the user still owes"

    @invariant()
    def oracle_publishes_only_what_its_rules_allow(self):
        v = self.view()
        assert tuple(v["feed_round"]) == self.oracle.latest_round_data(), (
            f"feed {v['feed_round']} vs model {self.oracle.latest_round_data()}")
        for r in self.oracle.rounds:
            observed_at = self.oracle.observations[r.observation_index][1]
            assert observed_at + self.publication_delays[r.round_id] <= r.updated_at
        assert v["pool_rwa_price"] == self.oracle.rounds[-1].answer

    @invariant()
    def amm_k_never_decreases_across_a_swap(self):
        for k_before, k_after in self.swaps:
            assert k_after >= k_before, f"k fell from {k_before} to {k_after} across a swap"
        for before, after in self.greedy:
            assert tuple(before[:2]) == tuple(after[:2]), "a rejected swap changed the reserves"


def ray_mul(a: int, b: int) -> int:
    """WadRayMath.rayMul: a x b / RAY, half up."""
    return (a * b + RAY // 2) // RAY


def treasury_share(reserve: dict, income: int, total_debt: int) -> int:
    """What the treasury is owed in a reserve (token units): its accrued supply shares at the current
    income index, plus the reserve factor's share of the debt interest accrued since the last update
    (which the pool credits at the next action)."""
    debt_at_last_update = ray_mul(reserve["scaledTotalDebt"], reserve["variableBorrowIndex"])
    pending = percent_mul(max(total_debt - debt_at_last_update, 0), reserve["config"][4])
    return ray_mul(reserve["accruedToTreasury"], income) + pending


class InvariantFailed(AssertionError):
    """A named invariant failed in a replayed sequence (`check_invariants`)."""

    def __init__(self, invariant: str, message: str):
        super().__init__(f"{invariant}: {message}")
        self.invariant = invariant


def check_invariants(machine: ProtocolMachine) -> None:
    """Runs every named invariant of `machine`, as hypothesis does after each step; raises
    InvariantFailed naming the first one that fails."""
    for name in dir(type(machine)):
        if getattr(getattr(type(machine), name), INVARIANT_MARKER, None) is not None:
            try:
                getattr(machine, name)()
            except AssertionError as err:
                raise InvariantFailed(name, str(err)) from err


def replay(machine_cls, steps, rules=(0, 0, 0)) -> None:
    """Runs a fixed sequence of rules `[(name, kwargs), ...]` from the seeded market (latency
    rules `rules`), checking every invariant after each step, as hypothesis would; always restores."""
    state = machine_cls()
    try:
        state.start(rules=rules)
        check_invariants(state)
        for name, kwargs in steps:
            getattr(state, name)(**kwargs)
            check_invariants(state)
    finally:
        state.teardown()
