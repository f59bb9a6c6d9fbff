"""The cascade engine: deploys a scenario, then replays its timeline as real transactions.

Quiet periods (months of off-chain time) are crossed in a few blocks; while anything happens
on-chain the engine steps block by block (`run.block_time_seconds`), and it never steps over a
moment where an agent would act (see `Engine`). Each step: due shocks fire, every agent decides on
the state after the previous block, their transactions are mined in one block (the keeper's, then the
pool guardian's, then everyone else's in a seeded order),
the chain is read in one batch, and a row of metrics is recorded. Reverted transactions are
counted, never fatal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

from . import shocks as shock_kinds
from . import stochastic
from .agents import Agent, Guardian, Keeper, View, build_agents
from .view import NewestObservation, ProductView, VaultView
from .chain import FastChain, NodeError, TxRequest, TxResult
from .context import Context
from .deployment import Actors
from .metrics import (
    Recorder,
    insolvency_summary,
    is_solvent,
    main_cascade,
    mitigations_summary,
    oracle_summary,
    redemptions_summary,
    reverts_summary,
    structured_summary,
    unliquidated_summary,
)
from .population import Population, deploy
from .products import basket_units
from .models.aave import (
    CLOSE_FACTOR_HF_THRESHOLD,
    HEALTH_FACTOR_LIQUIDATION_THRESHOLD,
    NO_LIQUIDATION_CAP,
    WAD,
    LiquidationCapState,
    debt_growth_reaches,
)
from .models.oracle import Side
from .scenario import Scenario
from .units import BPS, SECONDS_PER_DAY, SHARE, USDC
from .world import ComponentValue, World


@dataclass
class RunResult:
    scenario: Scenario
    timeseries: list[dict]
    liquidations: list[dict]
    events: list[dict]
    summary: dict
    population: Population
    unliquidated: list[dict] = field(default_factory=list)  # liquidatable positions nobody attempted, per step
    draws: stochastic.Draws | None = None  # the shocks drawn from the scenario's processes
    oracle_freezes: list[dict] = field(default_factory=list)  # the conservative oracle's freezes (metrics.oracle_freeze)
    # With structured products: each borrower's collateral product by address (lowercase); empty without.
    borrower_products: dict[str, str] = field(default_factory=dict)


class RunIncomplete(NodeError):
    """The node failed mid-run (`NodeError`); `result` holds what was measured until then, its
    summary marked `"complete": false` with the reason."""

    def __init__(self, reason: str, result: RunResult | None):
        super().__init__(reason)
        self.result = result
        self.files: dict = {}  # the files written for `result` (set by `runner.run`)


def on_grid(t: int, block_time: int) -> int:
    """The first block time at or after `t` (blocks fall on multiples of the block time)."""
    return -(-t // block_time) * block_time


class Engine:
    """Steps a scenario's timeline on the chain.

    Agents act at a step on the state after the previous block, as a bot that watches every block
    would. Blocks fall on multiples of `run.block_time_seconds`. The default mode visits only the
    blocks where something can happen, and the reference mode (`every_block=True`) mines and reads
    every block; both give the same liquidations (tests/e2e/test_stepping.py) because the default
    mode steps block by block after any block that carried a transaction (agents see its effects),
    and otherwise jumps to the next moment anything can change without a transaction:

    - a shock starts or ends, and every time an agent asks to be woken (`Agent.wake_times`: the
      keeper's reports (the custodian's and the proof-of-reserve attestor's), oracle publications and
      heartbeats, TWAP updates; panic sellers' start
      times; a capital-bound arbitrageur's next trade's worth of inflow; a true-value arbitrageur's
      band crossing; an LP's cooldown; a liquidator's redemption becoming claimable, or a circuit
      breaker that held back its liquidations opening again: a grace period's end, the liquidation
      cap's next window; the guardian's liquidity-aware LTV checks and the end of its grace periods
      and of its emergency stops);
    - a health factor crossing 1 (liquidatable) or 0.95 (close factor 100 %) by interest alone:
      debt grows by the stablecoin reserve's rate, read every step, so the crossing time is
      computed exactly (`models.aave.debt_growth_reaches`), one block early for safety.

    Before agents act at such a moment the engine mines an empty block just before theirs and reads
    the state there, so they see what they would have seen watching every block.
    """

    def __init__(self, scenario: Scenario, uri: str, progress: Callable[[int, dict], None] | None = None,
                 every_block: bool = False, full_account_reads: bool | None = None):
        """`full_account_reads`: read every borrower's account data from the chain at every step
        instead of keeping it (our pool's `AccountBook`); default: only in the every-block reference."""
        self.scenario = scenario
        self.chain = FastChain(uri, scenario.run.rpc_timeout_seconds)
        self.progress = progress
        self.every_block = every_block
        self.full_account_reads = every_block if full_account_reads is None else full_account_reads
        self.duration = round(scenario.run.duration_days * SECONDS_PER_DAY)  # run seconds

    # -- setup -------------------------------------------------------------------------------

    def setup(self) -> Context:
        s = self.scenario
        actors = Actors.derive(s)
        self.chain.take_control()
        market, population = deploy(self.chain, s, actors)
        self.population = population
        world = World(nav0_usd=s.market.asset.nav_per_token_usd, yield_apr=s.market.asset.yield_apr_bps / BPS)
        self.draws = stochastic.realise(s)  # shocks drawn from the scenario's processes, from its seed
        drawn = self.draws.shocks if self.draws else []
        self.shocks = [shock_kinds.build(cfg) for cfg in (*s.shocks, *drawn)]
        structured = s.market.structured
        world.components = [ComponentValue(c.symbol, c.nav_per_token_usd, c.yield_apr_bps / BPS)
                            for c in (structured.components if structured is not None else [])]
        by_symbol = {c.symbol: c for c in world.components}
        for sh in self.shocks:  # a shock that names a component moves that component's true value
            target = getattr(sh.config, "asset", None)
            (world.value_factors if target is None else by_symbol[target].value_factors).append(sh.value_factor)
        ctx = Context(s, world, market, actors, self.chain, random.Random(s.run.seed), population.start_time,
                      borrower_products=[p.product for p in population.positions])
        self.keeper = ctx.keeper = Keeper(ctx)
        self.agents: list[Agent] = build_agents(ctx, self.keeper)
        self.guardian = next((a for a in self.agents if isinstance(a, Guardian)), None)
        # Our pool's borrowers are kept step by step (re-read when a block names them); the every-block
        # reference reads every one of them from the chain every block.
        market.venue.start_accounts(self.chain, [b.address for b in actors.borrowers], full=self.full_account_reads)
        self.watch = sorted({(token.address, holder) for a in self.agents for token, holder in a.watch()})
        self.ctx = ctx
        self.view_calls = self._view_calls()
        return ctx

    # -- reading -----------------------------------------------------------------------------

    def _view_calls(self) -> list[tuple[str, bytes]]:
        """The reads of every step, encoded once: feeds, reserves, the SPV's NAV, flags, cash reserve
        and redemption escrow, all borrowers, the debt reserve's rate, balances."""
        s, m, a = self.scenario, self.ctx.market, self.ctx.actors
        abis = {c.address: c.abi for c in m.contracts()}
        calls = [
            m.spv_feed.call("latestRoundData"),
            m.stable_feed.call("latestRoundData"),
            m.pair.call("getReserves"),
            m.spv.call("latestNav"),
            m.spv.call("redemptionsFrozen"),
            m.spv.call("impaired"),
            m.spv.call("cashReserve"),
            m.spv.call("pendingRedemptionShares"),
        ]
        # The venue's reads: every borrower's account data and the bad debt.
        venue_calls = m.venue.view_calls([b.address for b in a.borrowers], m.stable)
        self.venue_reads = slice(len(calls), len(calls) + len(venue_calls))
        calls += venue_calls
        self.rate_read = len(calls)
        calls.append(m.venue.rate_call(m.stable))
        # With the conservative oracle: its sides' latest rounds.
        self.side_reads = [(name, feed) for name, feed in (("nav", m.nav_feed), ("twap", m.twap_feed))
                           if m.guard is not None and feed is not None]
        calls += [feed.call("latestRoundData") for _, feed in self.side_reads]
        # Our pool's circuit breakers, when the scenario has them: grace periods of both reserves, the cap.
        breakers = s.market.mitigations.circuit_breakers
        self.breaker_read = None
        if breakers.grace_period is not None or breakers.liquidation_cap is not None:
            self.breaker_read = len(calls)
            calls += [m.pool.call("getLiquidationGracePeriod", m.spv.address),
                      m.pool.call("getLiquidationGracePeriod", m.stable.address),
                      m.pool.call("getLiquidationCapState", m.spv.address)]
        # The proof of reserve: the attested reserves and the supply. The emergency stop: the NAV feed's queue.
        self.por_read = None
        if m.por_feed is not None:
            self.por_read = len(calls)
            calls += [m.por_feed.call("latestRoundData"), m.spv.call("totalSupply")]
        self.queue_read = None
        if s.market.mitigations.circuit_breakers.emergency_stop is not None:
            self.queue_read = len(calls)
            calls.append(m.nav_feed.call("latestObservation"))
        # Structured products: each product's feed and pair, the components' NAV feeds, the vault's state.
        self.product_read = None
        st = m.structured
        if st is not None:
            self.product_read = len(calls)
            for product in st.products.values():
                calls += [product.feed.call("latestRoundData"), product.pair.call("getReserves")]
            calls += [c.feed.call("latestRoundData") for c in st.components]
            if st.vault is not None:
                calls += [st.index.call("balanceOf", st.vault.address), st.vault.call("seniorClaim"),
                          st.products["senior"].token.call("totalSupply"), st.products["junior"].token.call("totalSupply")]
        return calls + [(token, abis[token].encode("balanceOf", holder)) for token, holder in self.watch]

    def read_view(self, t: int, raw: list | None = None) -> View:
        """The per-step view, from `raw` answers of `_view_calls()` (read now if not given)."""
        m = self.ctx.market
        if raw is None:
            raw = self.chain.calls(self.view_calls)
        oracle = m.spv_feed.abi.decode("latestRoundData", raw[0])
        stable = m.stable_feed.abi.decode("latestRoundData", raw[1])
        spv_reserve, stable_reserve = m.reserves(m.pair.abi.decode("getReserves", raw[2]))
        word = lambda data, i=0: int.from_bytes(data[32 * i: 32 * i + 32], "big")  # noqa: E731
        accounts, deficit = m.venue.decode_view(raw[self.venue_reads], max(0, stable[1]))
        rate, rate_updated_at = m.venue.decode_rate(raw[self.rate_read])
        balances = {key: word(data) for key, data in zip(self.watch, raw[len(raw) - len(self.watch):])}
        sides = {}
        for i, (name, feed) in enumerate(self.side_reads):
            round_id, answer = feed.abi.decode("latestRoundData", raw[self.rate_read + 1 + i])[:2]
            sides[name] = Side(answer, round_id)
        grace_until, cap = 0, NO_LIQUIDATION_CAP
        if self.breaker_read is not None:
            k = self.breaker_read
            grace_until = max(m.pool.abi.decode("getLiquidationGracePeriod", raw[k])[0],
                              m.pool.abi.decode("getLiquidationGracePeriod", raw[k + 1])[0])
            cap = LiquidationCapState(*m.pool.abi.decode("getLiquidationCapState", raw[k + 2]))
        reserves, supply = None, 0
        if self.por_read is not None:
            _, answer, _, updated_at, _ = m.por_feed.abi.decode("latestRoundData", raw[self.por_read])
            reserves = max(0, answer) if updated_at else None
            supply = word(raw[self.por_read + 1])
        newest = None
        if self.queue_read is not None:
            answer, _, index, pending = m.nav_feed.abi.decode("latestObservation", raw[self.queue_read])
            newest = NewestObservation(answer, index, pending)
        products, component_answers, vault = {}, (), None
        if self.product_read is not None:
            st, k = m.structured, self.product_read
            for name, product in st.products.items():
                _, answer, _, updated_at, _ = product.feed.abi.decode("latestRoundData", raw[k])
                token_reserve, stable_reserve_p = product.reserves(product.pair.abi.decode("getReserves", raw[k + 1]))
                products[name] = ProductView(max(0, answer), updated_at, token_reserve, stable_reserve_p)
                k += 2
            component_answers = tuple(max(0, c.feed.abi.decode("latestRoundData", raw[k + i])[1])
                                      for i, c in enumerate(st.components))
            k += len(st.components)
            if st.vault is not None:
                vault = VaultView(*(word(raw[k + i]) for i in range(4)))
        return View(
            t=t,
            oracle_answer=max(0, oracle[1]),
            oracle_updated_at=oracle[3],
            stable_answer=max(0, stable[1]),
            spv_reserve=spv_reserve,
            stable_reserve=stable_reserve,
            accounts=accounts,
            deficit=deficit,
            nav_per_token=word(raw[3]),
            redemptions_frozen=bool(word(raw[4])),
            impaired=bool(word(raw[5])),
            cash_reserve=word(raw[6]),
            pending_redemption_shares=word(raw[7]),
            balances=balances,
            debt_rate_ray=rate,
            debt_rate_updated_at=rate_updated_at,
            stable_market_usd=self._stable_market_usd(),
            nav_side=sides.get("nav"),
            twap_side=sides.get("twap"),
            liquidation_grace_until=grace_until,
            liquidation_cap=cap,
            reserves_reported=reserves,
            spv_supply=supply,
            newest_observation=newest,
            products=products,
            component_answers=component_answers,
            vault=vault,
        )

    def _stable_market_usd(self) -> float | None:
        """The stablecoin's market price when the pool's feed does not follow it (pricing 'fixed'):
        the off-chain world's; None when the feed is the market price."""
        return self.ctx.world.stable_price_usd if self.scenario.market.stablecoin.pricing == "fixed" else None

    def _predict_crossing(self, view: View, view_t: int) -> int | None:
        """The block at which the next health factor crosses 1 or 0.95 by interest alone (one block
        early, and never before the block after `view_t`), or None within the run."""
        factor = None
        for a in view.accounts:
            if a.debt_base == 0 or a.collateral_base == 0:
                continue
            if a.health_factor >= HEALTH_FACTOR_LIQUIDATION_THRESHOLD:
                f = a.health_factor + 1  # debt growth that takes it below 1
            elif a.health_factor > CLOSE_FACTOR_HF_THRESHOLD:
                f = a.health_factor * WAD // CLOSE_FACTOR_HF_THRESHOLD + 1
            else:
                continue
            factor = f if factor is None else min(factor, f)
        if factor is None:
            return None
        ctx = self.ctx
        at = debt_growth_reaches(view.debt_rate_ray, view.debt_rate_updated_at, ctx.chain_time(view_t),
                                 factor, ctx.chain_time(self.duration))
        if at is None:
            return None
        bt = self.scenario.run.block_time_seconds
        return max(view_t + bt, on_grid(at - ctx.start_time, bt) - bt)

    # -- the loop ----------------------------------------------------------------------------

    def wake_times(self, t: int) -> list[int]:
        """Every future moment something can change without a transaction (see the class doc)."""
        times = [t2 for sh in self.shocks for t2 in sh.wake_times() if t2 > t]
        # A shock due at or before `t` that has not started (one at day 0: the run's first step comes
        # after t = 0) starts at the next block, as it would watching every block.
        times += [t + 1 for sh in self.shocks if not sh.started and sh.start <= t]
        times += [t2 for agent in self.agents for t2 in agent.wake_times(t)]
        if self.crossing_block is not None:
            times.append(self.crossing_block + self.scenario.run.block_time_seconds)
        return times

    def next_wake(self, t: int) -> int:
        bt = self.scenario.run.block_time_seconds
        return min([self.duration, *(on_grid(t2, bt) for t2 in self.wake_times(t) if t2 > t)])

    def _step_block(self, t: int, txs: list[TxRequest]) -> tuple[list[TxResult], View]:
        results, raw = self.chain.step(txs, self.ctx.chain_time(t), self.view_calls)
        self.ctx.market.venue.observe_block(self.chain, results)
        view = self.read_view(t, raw)
        self.view_t = t
        self.crossing_block = self._predict_crossing(view, t)
        return results, view

    def run(self) -> RunResult:
        ctx = getattr(self, "ctx", None) or self.setup()
        s, world, rec = self.scenario, ctx.world, Recorder()
        if s.market.structured is not None:  # each borrower priced by its own product
            rec.products, rec.basket_units = list(ctx.borrower_products), basket_units(s)
        self.chain.block_number_cached = self.chain.block_number()
        bt = s.run.block_time_seconds
        duration = self.duration
        t, react = 0, False
        view = self.read_view(0)
        self.view_t = -bt  # the state after setup's last block, one block before t = 0
        self.crossing_block = self._predict_crossing(view, 0)
        rec.row(0, view, ctx, "start", 0, 0)
        self._track_price(0, view)
        try:
            while t < duration:
                mode = "step" if react else "fast_forward"
                if self.every_block or react:
                    t = min(duration, t + bt)
                else:
                    t = min(duration, max(t + bt, self.next_wake(t)))
                world.t = t
                if not self.every_block and self.view_t < t - bt:
                    # Agents act on the state after the block before theirs: read it (an empty block).
                    _, view = self._step_block(t - bt, [])
                    rec.row(t - bt, view, ctx, "read", 0, 0)
                    self._track_price(t - bt, view)
                ctx.rng.seed(f"{s.run.seed}:{t}")  # a step's random order depends on its time alone
                txs: list[TxRequest] = []
                for sh in self.shocks:
                    txs += sh.fire(ctx)
                if view.stable_market_usd is not None:  # a market price off the feed moves without a block
                    view.stable_market_usd = self._stable_market_usd()
                txs += self.keeper.act(view, ctx)
                if self.guardian is not None:  # the pool's guardian acts before users and liquidators
                    txs += self.guardian.act(view, ctx)
                others = [a for a in self.agents if a is not self.keeper and a is not self.guardian]
                ctx.rng.shuffle(others)
                for agent in others:
                    txs += agent.act(view, ctx)
                rec.unliquidated(t, view, self.agents, ctx)
                world.forced_lp_withdrawal = 0.0
                results: list[TxResult] = []
                newly_liquidatable = False
                if txs or self.every_block or t >= duration:
                    before = {i for i, a in enumerate(view.accounts) if a.liquidatable}
                    results, view = self._step_block(t, txs)
                    newly_liquidatable = any(a.liquidatable and i not in before for i, a in enumerate(view.accounts))
                else:
                    # Nobody acts this block: nothing to mine, nothing new to read.
                    view.t = t
                by_agent: dict[str, list[TxResult]] = {}
                for r in results:
                    by_agent.setdefault(r.request.agent, []).append(r)
                for agent in self.agents:
                    if agent.name in by_agent:
                        agent.observe(by_agent[agent.name], ctx)
                rec.results(results, ctx, view)
                self._track_price(t, view)
                rec.row(t, view, ctx, "every_block" if self.every_block else mode, len(results),
                        sum(r.reverted for r in results))
                # Agents see the effects of any transaction in the next block; without one, nothing
                # changes before the next wake (agents declare every time-driven decision).
                react = bool(results) or newly_liquidatable
                if self.progress:
                    self.progress(t, {"mode": mode, "liquidations": len(rec.liquidations)})
        except NodeError as err:  # no release_control: the node is gone or hung
            raise RunIncomplete(str(err), self._partial(rec, world, view, ctx, str(err))) from None
        except BaseException:
            self.chain.release_control()
            raise
        self.chain.release_control()
        summary = summarize(s, rec, self.population, world, view, self.shocks, ctx, self.draws, self.guardian)
        return RunResult(s, rec.timeseries, rec.liquidations, world.events, summary, self.population,
                         rec.unliquidated_spans.all(), self.draws, rec.oracle_freezes, self._products_by_address(ctx))

    def _products_by_address(self, ctx: Context) -> dict[str, str]:
        """Each borrower's collateral product by address (lowercase), with structured products."""
        if self.scenario.market.structured is None:
            return {}
        return {b.address.lower(): p for b, p in zip(ctx.actors.borrowers, ctx.borrower_products)}

    def _partial(self, rec: Recorder, world: World, view: View, ctx: Context, reason: str) -> RunResult:
        """What the run measured until the node failed, its summary marked incomplete (the full
        summary when it can be computed from the rows so far, else the run's identity only)."""
        s = self.scenario
        try:
            summary = summarize(s, rec, self.population, world, view, self.shocks, ctx, self.draws, self.guardian)
        except Exception:  # noqa: BLE001 - a partial run may lack what a metric needs
            summary = {"scenario": s.name, "seed": s.run.seed, "venue": s.venue.kind}
        summary.update(complete=False, incomplete_reason=reason)
        return RunResult(s, rec.timeseries, rec.liquidations, world.events, summary, self.population,
                         rec.unliquidated_spans.all(), self.draws, rec.oracle_freezes, self._products_by_address(ctx))

    def _track_price(self, t: int, view: View) -> None:
        self.ctx.note_amm_price(t, view.amm_price_usd)


def liquidator_pnl_usd(s: Scenario, ctx: Context, final: View) -> float:
    """Liquidators' gain: final stablecoin plus seized tokens valued at the true NAV, less capital."""
    m, groups = ctx.market, s.agents.liquidators
    value = 0.0
    for account, g in zip(ctx.actors.liquidators, ctx.actors.liquidator_groups):
        stable = final.balance(m.stable, account.address) / USDC * final.stable_market_price_usd
        tokens = final.balance(m.spv, account.address) / SHARE * ctx.world.true_nav
        initial = 0.0 if groups[g].atomic else groups[g].capital_usd
        value += stable + tokens - initial
    return value


def summarize(s: Scenario, rec: Recorder, population: Population, world: World, final: View, shocks,
              ctx: Context, draws: stochastic.Draws | None = None, guardian: Guardian | None = None) -> dict:
    """The run's summary: only values derived from the chain and the seed (no wall time); with
    `stochastic` draws, their figures under `stochastic`; with a guardian, its under `mitigations`."""
    rows = rec.timeseries
    active = s.market.mitigations.active()
    liqs = rec.liquidations
    borrowed = sum(p.debt_usd for p in population.positions)
    deficit_usd = rows[-1]["deficit_usd"]
    offchain = (max(sh.offchain_end for sh in shocks) - min(sh.start for sh in shocks)) if shocks else 0
    main = main_cascade(rows, liqs)
    cascade = main.duration_seconds if main else 0
    insolvent_usd, expected_loss = rows[-1]["insolvent_debt_at_true_value_usd"], rows[-1]["expected_lender_loss_usd"]
    discount_true = [1 - r["amm_price_usd"] / r["true_nav_usd"] for r in rows if r["true_nav_usd"] > 0]
    discount_oracle = [1 - r["amm_price_usd"] / r["oracle_price_usd"] for r in rows if r["oracle_price_usd"] > 0]
    supplied = s.market.lending.stable_supply_usd
    return {
        "scenario": s.name,
        "seed": s.run.seed,
        "venue": s.venue.kind,
        "debt_pricing": s.market.stablecoin.pricing,  # the pool's price of the borrowed stablecoin: its feed or fixed
        "population": {
            "borrowers": len(population.positions),
            "borrowed_usd": borrowed,
            "collateral_tokens": sum(p.collateral_tokens for p in population.positions),
            "health_factors_clamped_to_ltv": population.clamped_health_factors,
            # borrowers the caps turned away at setup, and the debt they would have had
            "turned_away": len(population.turned_away),
            "turned_away_debt_usd": sum(p.debt_usd for p in population.turned_away),
        },
        "liquidations": {
            "count": len(liqs),
            "atomic": sum(1 for x in liqs if x["atomic"]),
            "debt_repaid_usd": sum(x["debt_repaid_usd"] for x in liqs),
            "collateral_seized_tokens": sum(x["collateral_seized_tokens"] for x in liqs),
            "collateral_seized_usd": sum(x["collateral_seized_usd"] for x in liqs),
            "borrowers_loss_usd": sum(x["borrower_loss_usd"] for x in liqs),  # bonuses and fees, at the pool's prices
            "users": len({x["user"] for x in liqs}),
        },
        "bad_debt": {
            "usd": deficit_usd,
            "pct_of_borrowed": 100 * deficit_usd / borrowed if borrowed else 0.0,
        },
        "liquidatable_debt": {
            "peak_usd": max(r["liquidatable_debt_usd"] for r in rows),
            "final_usd": rows[-1]["liquidatable_debt_usd"],
        },
        "prices": {
            "start_true_nav_usd": rows[0]["true_nav_usd"],
            "final_true_nav_usd": rows[-1]["true_nav_usd"],
            "final_oracle_usd": rows[-1]["oracle_price_usd"],
            "final_amm_usd": rows[-1]["amm_price_usd"],
            "min_amm_usd": min(r["amm_price_usd"] for r in rows),
            "max_discount_amm_to_true_pct": 100 * max(discount_true, default=0.0),
            "max_discount_amm_to_oracle_pct": 100 * max(discount_oracle, default=0.0),
        },
        "timing": {
            "offchain_shock_seconds": offchain,
            "onchain_cascade_seconds": cascade,
            "main_cascade_trigger_at_seconds": main.trigger_seconds if main else -1,
            "main_cascade_first_liquidation_at_seconds": main.first_liquidation_seconds if main else -1,
            "main_cascade_last_liquidation_at_seconds": main.last_liquidation_seconds if main else -1,
            "main_cascade_liquidations": main.liquidations if main else 0,
            "cascades": main.cascades if main else 0,
            "first_liquidatable_seconds": rec.first_liquidatable_t if rec.first_liquidatable_t is not None else -1,
            "first_liquidation_seconds": liqs[0]["t_seconds"] if liqs else -1,
            "last_liquidation_seconds": liqs[-1]["t_seconds"] if liqs else -1,
            "offchain_over_onchain": offchain / cascade if cascade else 0.0,
        },
        "lenders": {
            "supplied_usd": supplied,
            "loss_usd": deficit_usd,
            "loss_pct_of_supplied": 100 * deficit_usd / supplied,
            "expected_loss_usd": expected_loss,
            "expected_loss_pct_of_supplied": 100 * expected_loss / supplied,
        },
        "insolvency": insolvency_summary(rows),
        "unliquidated": unliquidated_summary(rec.unliquidated_spans.all(), rec.last_unliquidated_t),
        "liquidators": {
            "atomic_profit_usd": rec.liquidator_profit_stable / 1e6,
            "pnl_at_true_value_usd": liquidator_pnl_usd(s, ctx, final),
        },
        "chain": {
            "transactions": rec.tx_count,
            "reverted": rec.reverted,
            "reverted_by_action": dict(sorted(rec.reverted_by_action.items())),
            "revert_reasons": {k: sorted(v) for k, v in sorted(rec.revert_samples.items())},
            "gas_used": rec.gas_used,
            "setup_gas_used": population.setup_gas,
            "steps": len(rows),
            "block_by_block_steps": sum(1 for r in rows if r["mode"] == "step"),
        },
        "redemptions": redemptions_summary(rows, rec.redemptions),
        "reverts": reverts_summary(rec.revert_counts),
        "pool": {
            "final_total_debt_usd": rows[-1]["total_debt_usd"],
            "final_deficit_usd": deficit_usd,
            "final_insolvent_debt_at_true_value_usd": insolvent_usd,
            "solvent": is_solvent(deficit_usd, insolvent_usd),
        },
        **({"stochastic": draws.summary()} if draws is not None else {}),
        **({"structured": structured_summary(
            rows, liqs, [b.address for b in ctx.actors.borrowers], ctx.borrower_products,
            lambda t: [world.true_nav_at(t)] + [c.true_nav_at(t) for c in world.components],
            (main.trigger_seconds, main.last_liquidation_seconds) if main else None, s.run.block_time_seconds)}
           if s.market.structured is not None else {}),
        **({"oracle": oracle_summary(rec.oracle_freezes)} if getattr(ctx.market, "guard", None) is not None else {}),
        **({"mitigations": mitigations_summary(
            active, rec.unliquidated_spans.all(), sum(p.debt_usd for p in population.turned_away),
            guardian.summary(rows[-1]["t_seconds"]) if guardian is not None else {})} if active else {}),
    }
