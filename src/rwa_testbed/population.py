"""Deploys a scenario's market and creates its population: issuance, AMM depth, lenders, borrowers.

Setup sends real transactions block by block (`market.Setup`); any revert stops with the
transaction's name and decoded error, before the run starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import products, venues
from .abi import Bound
from .chain import FastChain, TxRequest
from .deployment import Actors, Setup, SetupError, start_time
from .market import Market
from .models.amm import get_amount_out
from .models.reserve import within_cap
from .scenario import Position, Scenario, check_rules, product_nav0, product_reserve, sample_positions
from .units import (
    BPS,
    FAR_DEADLINE,
    FEED_DECIMALS,
    MAX_UINT256,
    SPV_DECIMALS,
    STABLE_DECIMALS,
    tokens_to_wei,
    usd_to_feed,
    usd_to_stable,
)
from .venues.base import ReserveListing

APPROVE_GAS = 100_000
POOL_GAS = 1_000_000
SWAP_GAS = 300_000
FUNDING_WEI = 10_000 * 10**18  # ether for gas, per account


@dataclass
class Population:
    positions: list[Position]
    clamped_health_factors: int  # targets raised to the LTV limit
    setup_gas: int
    start_time: int  # chain timestamp at the run's t = 0
    turned_away: list[Position] = field(default_factory=list)  # positions the caps left out (never opened)


CAP_INTEREST_HEADROOM = 1e-3
"""Share of the borrow cap kept free at setup: loans opened in setup's earlier blocks accrue interest
while the later ones are mined (0.1 %: 44 minutes at the steepest rate a scenario allows, 1,200 %/year)."""


def admit(scenario: Scenario, positions: list[Position]) -> list[bool]:
    """Which positions open under the scenario's caps (`market.mitigations.collateral`), first come
    first served: each in turn if its collateral and loan, added to those admitted before it, pass
    neither cap (the pool's own check, `models.reserve.within_cap`, on the amounts setup sends; the
    borrow cap less `CAP_INTEREST_HEADROOM`). A position that does not fit is turned away and later,
    smaller ones may still fit. Without caps every position opens."""
    supply_cap, borrow_cap = scenario.market.mitigations.collateral.cap_tokens(scenario.market.asset.nav_per_token_usd)
    if not supply_cap and not borrow_cap:
        return [True] * len(positions)
    supplied = borrowed = 0
    fits = []
    for p in positions:
        # The supply cap is the SPV token's; a structured product's collateral is another reserve.
        supply, debt = tokens_to_wei(p.collateral_tokens) if p.product == "spv" else 0, usd_to_stable(p.debt_usd)
        ok = (within_cap(supplied + supply, supply_cap, SPV_DECIMALS)
              and within_cap(math.ceil((borrowed + debt) * (1 + CAP_INTEREST_HEADROOM)), borrow_cap, STABLE_DECIMALS))
        if ok:
            supplied, borrowed = supplied + supply, borrowed + debt
        fits.append(ok)
    return fits


def deploy(chain: FastChain, scenario: Scenario, actors: Actors) -> tuple[Market, Population]:
    """Deploys everything and opens every position the caps admit (`admit`); returns the market and
    the population. Borrowers turned away leave `actors.borrowers` (they never hold a position)."""
    check_rules(scenario)  # validated at load already; again for scenarios copied without validation
    sampled, clamped = sample_positions(scenario, np.random.default_rng(scenario.run.seed))
    fits = admit(scenario, sampled)
    positions = [p for p, ok in zip(sampled, fits) if ok]
    turned_away = [p for p, ok in zip(sampled, fits) if not ok]
    actors.borrowers = [b for b, ok in zip(actors.borrowers, fits) if ok]

    chain.fund([a.address for a in actors.all()], FUNDING_WEI)
    block_time = scenario.run.block_time_seconds
    setup = Setup(chain, start_time(chain), block_time)
    market = _deploy_contracts(setup, scenario, actors)
    _fund_and_configure(setup, scenario, actors, market)
    _open_positions(setup, scenario, actors, market, positions)
    start = setup.time + block_time
    return market, Population(positions, clamped, setup.gas_used, start, turned_away)


def _deploy_contracts(setup: Setup, scenario: Scenario, actors: Actors) -> Market:
    m = scenario.market
    admin = actors.admin
    batch: list[TxRequest] = []
    stable = setup.deploy(admin, "SettlementStablecoin", m.stablecoin.name, m.stablecoin.symbol, admin.address, batch=batch)
    spv = products.deploy_spv(setup, actors, stable, m.asset, batch)
    pair = setup.deploy(admin, "ConstantProductPair", spv.address, stable.address, m.amm.fee_bps, batch=batch)
    router = setup.deploy(admin, "AmmRouter", batch=batch)
    if m.oracle.kind == "latency":
        spv_feed = setup.deploy(admin, "LatencyOracle", FEED_DECIMALS, f"{m.asset.symbol} / USD (NAV)",
                                m.oracle.delay_seconds, m.oracle.heartbeat_seconds, m.oracle.deviation_bps,
                                admin.address, batch=batch)
    else:
        spv_feed = setup.deploy(admin, "TwapOracle", pair.address, spv.address, m.oracle.twap_window_seconds,
                                FEED_DECIMALS, f"{m.asset.symbol} / USD (AMM TWAP)", batch=batch)
    if m.existing.stable_feed_address:
        from .fork import pin_feed

        stable_feed, stable_answer = pin_feed(setup, m.existing.stable_feed_address, "market.existing.stable_feed_address")
        stable_feed_kind = "pinned"
        if m.stablecoin.pricing == "fixed":
            stable_answer = usd_to_feed(m.stablecoin.pool_price_usd())
    else:
        stable_feed = setup.deploy(admin, "LatencyOracle", FEED_DECIMALS, f"{m.stablecoin.symbol} / USD", 0, 0, 0,
                                   admin.address, batch=batch)
        stable_feed_kind, stable_answer = "latency", usd_to_feed(m.stablecoin.pool_price_usd())
    venue = venues.create(scenario)
    venue.deploy(setup, actors, batch)
    feeds = _deploy_conservative_oracle(setup, scenario, admin, pair, spv, spv_feed, batch)
    setup.mine(batch)
    structured = products.deploy(setup, scenario, actors, stable, spv, spv_feed) if m.structured is not None else None
    pool_feed = feeds.get("guard", spv_feed)
    supply_cap, borrow_cap = m.mitigations.collateral.cap_tokens(m.asset.nav_per_token_usd)
    reserves = [
        ReserveListing(stable, stable_feed, m.lending.stablecoin, m.stablecoin.symbol, STABLE_DECIMALS,
                       borrow_cap_tokens=borrow_cap),
        ReserveListing(spv, pool_feed, m.lending.collateral, m.asset.symbol, SPV_DECIMALS,
                       scenario.collateral_max_price_age_seconds(), collateral=True, supply_cap_tokens=supply_cap),
    ]
    if structured is not None:
        reserves += products.listings(scenario, structured, scenario.collateral_max_price_age_seconds())
    pool = venue.finish(setup, actors, reserves)

    executors: dict[str, Bound] = {}
    atomic = [liq for liq, g in zip(actors.liquidators, actors.liquidator_groups)
              if scenario.agents.liquidators[g].atomic]
    if atomic:
        batch = []
        for liquidator in atomic:
            executors[liquidator.address] = setup.deploy(liquidator, "LiquidationExecutor", pool.address, batch=batch)
        setup.mine(batch)
    por_feed = por_executor = None
    if m.mitigations.oracle.proof_of_reserve is not None:  # deployed last: no other address moves
        batch = []
        por_feed = setup.deploy(admin, "LatencyOracle", SPV_DECIMALS, f"{m.asset.symbol} reserves (proof of reserve)",
                                0, 0, 0, admin.address, batch=batch)
        por_executor = setup.deploy(admin, "ProofOfReserveExecutor", pool.address, spv.address, por_feed.address,
                                    batch=batch)
        setup.mine(batch)

    return Market(
        stable=stable, spv=spv, pair=pair, router=router, spv_feed=pool_feed, stable_feed=stable_feed, pool=pool,
        executors=executors, oracle_kind=m.oracle.kind,
        spv_is_token0=int(spv.address, 16) < int(stable.address, 16), fee_bps=m.amm.fee_bps, abis=dict(setup.abis),
        venue=venue, listings=reserves, stable_feed_kind=stable_feed_kind, stable_answer0=stable_answer,
        nav_feed=feeds.get("nav"), twap_feed=feeds.get("twap"), guard=feeds.get("guard"),
        por_feed=por_feed, por_executor=por_executor, structured=structured,
    )


def _deploy_conservative_oracle(setup: Setup, scenario: Scenario, admin, pair: Bound, spv: Bound, own_feed: Bound,
                                batch: list[TxRequest]) -> dict[str, Bound]:
    """With `market.mitigations.oracle` enabled: the ConservativeOracle the pool reads, over the scenario's
    own feed and, with `min_nav_twap`, the other side (a TWAP over `twap_window_seconds` beside a latency
    feed, a NAV feed without delay beside a TWAP); appended to `batch` after everything else, so that no
    other address moves. Returns {"nav", "twap", "guard"} (the sides present); {} when off."""
    m, o = scenario.market, scenario.market.mitigations.oracle
    if not o.enabled:
        return {}
    feeds = {"nav" if m.oracle.kind == "latency" else "twap": own_feed}
    if o.min_nav_twap and m.oracle.kind == "latency":
        feeds["twap"] = setup.deploy(admin, "TwapOracle", pair.address, spv.address, o.twap_window_seconds,
                                     FEED_DECIMALS, f"{m.asset.symbol} / USD (AMM TWAP)", batch=batch)
    elif o.min_nav_twap:
        feeds["nav"] = setup.deploy(admin, "LatencyOracle", FEED_DECIMALS, f"{m.asset.symbol} / USD (NAV)", 0, 0, 0,
                                    admin.address, batch=batch)
    zero = "0x" + "00" * 20
    feeds["guard"] = setup.deploy(
        admin, "ConservativeOracle", feeds["nav"].address if "nav" in feeds else zero,
        feeds["twap"].address if "twap" in feeds else zero, o.max_change_bps, o.freeze_seconds,
        FEED_DECIMALS, f"{m.asset.symbol} / USD (conservative)", admin.address, batch=batch)
    return feeds


def _fund_and_configure(setup: Setup, scenario: Scenario, actors: Actors, market: Market) -> None:
    m, a, ag = scenario.market, actors, scenario.agents
    admin, stable, spv = a.admin, market.stable, market.spv
    nav0 = m.asset.nav_per_token_usd
    size = usd_to_stable(m.asset.size_usd)
    lp_stable = usd_to_stable(m.amm.depth_usd / 2 / len(a.lps))

    batch: list[TxRequest] = [stable.tx(admin, "mint", a.issuer.address, size, agent="setup", action="mint issuer")]
    batch.append(stable.tx(admin, "mint", a.lender.address, usd_to_stable(m.lending.stable_supply_usd),
                           agent="setup", action="mint lender"))
    for lp in a.lps:
        batch.append(stable.tx(admin, "mint", lp.address, lp_stable, agent="setup", action="mint lp"))
    capital_backed = _capital_liquidators(scenario, a)
    for liq, group in capital_backed:
        batch.append(stable.tx(admin, "mint", liq.address, usd_to_stable(group.capital_usd),
                               agent="setup", action="mint liquidator"))
    for arb in a.arbitrageurs:
        batch.append(stable.tx(admin, "mint", arb.address, usd_to_stable(ag.arbitrageurs.capital_usd),
                               agent="setup", action="mint arbitrageur"))
    latency_feeds = [f for f in (market.stable_feed if market.stable_feed_kind == "latency" else None, market.nav_feed)
                     if f is not None]
    if latency_feeds:
        reporter = _role(setup, latency_feeds[0], "REPORTER_ROLE")
        for feed in latency_feeds:
            batch.append(feed.tx(admin, "grantRole", reporter, a.keeper.address, agent="setup", action="grant reporter"))
    # Who calls `liquidationCall` per liquidator (the executors exist already): for an allowlist.
    callers = [market.executors[liq.address].address if liq.address in market.executors else liq.address
               for liq in a.liquidators]
    market.venue.configure(setup, a, market.listings, batch, callers)
    if m.mitigations.needs_pool_role:
        market.venue.grant_guardian(setup, a, batch, reconfigures=m.mitigations.guardian_reconfigures)
    if m.mitigations.circuit_breakers.emergency_stop is not None:  # the guardian may stop the SPV's own feed
        stopper = _role(setup, market.nav_feed, "STOPPER_ROLE")
        batch.append(market.nav_feed.tx(admin, "grantRole", stopper, a.guardian.address, agent="setup", action="grant stopper"))
    if market.structured is not None:
        products.configure(setup, scenario, a, market.structured, stable, _role(setup, market.nav_feed, "REPORTER_ROLE"),
                           batch)
    if market.por_feed is not None:
        batch.append(market.por_feed.tx(admin, "grantRole", _role(setup, market.por_feed, "REPORTER_ROLE"), a.keeper.address,
                                        agent="setup", action="grant reserves reporter"))
        market.venue.grant_proof_of_reserve(setup, a, batch, market.por_executor.address)
    batch.append(spv.tx(a.issuer, "approve", spv.address, MAX_UINT256, agent="setup", action="approve"))
    batch.append(stable.tx(a.issuer, "approve", spv.address, MAX_UINT256, agent="setup", action="approve"))
    setup.mine(batch)

    # Issuance at NAV, then the SPV invests all but its cash reserve off-chain.
    batch = [spv.tx(a.issuer, "subscribe", size, agent="setup", action="subscribe", gas=POOL_GAS)]
    invested = size - size * m.asset.cash_reserve_bps // BPS
    batch.append(spv.tx(admin, "withdrawCash", a.offchain.address, invested, agent="setup", action="invest off-chain"))
    now = setup.time + setup.block_time
    if market.stable_feed_kind == "pinned":
        batch.append(market.stable_feed.tx(a.keeper, "setAnswer", market.stable_answer0, agent="setup", action="stable price"))
    else:
        batch.append(market.stable_feed.tx(a.keeper, "submit", market.stable_answer0, now, agent="setup", action="stable price"))
    if market.nav_feed is not None:
        batch.append(market.nav_feed.tx(a.keeper, "submit", usd_to_feed(nav0), now, agent="setup", action="first NAV"))
    if market.structured is not None:
        products.subscribe(scenario, a, market.structured, now, batch)
    setup.mine(batch)
    if market.oracle_kind == "latency" and m.oracle.delay_seconds > 0:
        pokes = products.pokes(a, market.structured) if market.structured is not None else []
        setup.mine([market.nav_feed.tx(a.keeper, "poke", agent="setup", action="poke")] + pokes, advance=m.oracle.delay_seconds)

    # Distribution: AMM depth, holders, arbitrage inventory.
    tokens = lambda usd: tokens_to_wei(usd / nav0)  # noqa: E731
    batch = []
    if market.por_feed is not None:  # the attestor's first report: the whole issuance is in custody
        supply = spv.abi.decode("totalSupply", setup.chain.calls([spv.call("totalSupply")])[0])[0]
        batch.append(market.por_feed.tx(a.keeper, "submit", supply, setup.time, agent="setup", action="first reserves"))
    for lp in a.lps:
        batch.append(spv.tx(a.issuer, "transfer", lp.address, tokens(m.amm.depth_usd / 2 / len(a.lps)), agent="setup", action="transfer"))
    for holder in a.holders:
        batch.append(spv.tx(a.issuer, "transfer", holder.address, tokens(scenario.population.holders_usd_total / len(a.holders)),
                            agent="setup", action="transfer"))
    for arb in a.arbitrageurs:
        batch.append(spv.tx(a.issuer, "transfer", arb.address, tokens(ag.arbitrageurs.capital_usd), agent="setup", action="transfer"))
    capital_backed = [liq for liq, _ in _capital_liquidators(scenario, a)]
    traders = a.lps + a.holders + a.arbitrageurs + a.borrowers + capital_backed
    for who in traders:
        for token in (spv, stable, market.pair):
            batch.append(token.tx(who, "approve", market.router.address, MAX_UINT256, agent="setup", action="approve router", gas=APPROVE_GAS))
    for who in a.borrowers + [a.lender] + capital_backed:
        for token in (spv, stable):
            batch.append(token.tx(who, "approve", market.pool.address, MAX_UINT256, agent="setup", action="approve pool", gas=APPROVE_GAS))
    setup.mine(batch)
    if market.structured is not None:  # the LPs' stablecoin approvals are in
        products.issue(setup, scenario, a, market.structured, spv, market.router, stable)

    batch = []
    for lp in a.lps:
        amounts = (tokens(m.amm.depth_usd / 2 / len(a.lps)), lp_stable)
        amount0, amount1 = amounts if market.spv_is_token0 else amounts[::-1]
        batch.append(market.router.tx(lp, "addLiquidity", market.pair.address, amount0, amount1, 0, lp.address, FAR_DEADLINE,
                                      agent="setup", action="add liquidity", gas=SWAP_GAS))
    batch.append(market.pool.tx(a.lender, "supply", stable.address, usd_to_stable(m.lending.stable_supply_usd), a.lender.address, 0,
                                agent="setup", action="lender supply", gas=POOL_GAS))
    setup.mine(batch)
    if market.twap_feed is not None:
        # Two checkpoints a window apart, so the pool has a price before anyone borrows.
        window = m.oracle.twap_window_seconds if m.oracle.kind == "twap" else m.mitigations.oracle.twap_window_seconds
        setup.mine([market.twap_feed.tx(a.keeper, "update", agent="setup", action="twap update")])
        setup.mine([market.twap_feed.tx(a.keeper, "update", agent="setup", action="twap update")], advance=window)
    if market.guard is not None:
        setup.mine([market.guard.tx(a.keeper, "update", agent="setup", action="conservative update")])


def _capital_liquidators(scenario: Scenario, actors: Actors) -> list:
    groups = scenario.agents.liquidators
    return [(liq, groups[g]) for liq, g in zip(actors.liquidators, actors.liquidator_groups) if not groups[g].atomic]


def _role(setup: Setup, contract: Bound, name: str) -> bytes:
    """The role id `contract` exposes as `name` (an AccessControl constant, e.g. REPORTER_ROLE)."""
    return contract.abi.decode(name, setup.chain.calls([contract.call(name)])[0])[0]


def _open_positions(setup: Setup, scenario: Scenario, actors: Actors, market: Market, positions: list[Position]) -> None:
    if not positions:
        return
    a, stable, pool = actors, market.stable, market.pool
    batch = [_token(market, p.product).tx(a.issuer, "transfer", who.address, tokens_to_wei(p.collateral_tokens),
                                          agent="setup", action="transfer")
             for who, p in zip(a.borrowers, positions)]
    for who, p in zip(a.borrowers, positions):
        if p.product != "spv":  # the SPV token's approvals come with everyone else's
            token = _token(market, p.product)
            batch.append(token.tx(who, "approve", pool.address, MAX_UINT256, agent="setup", action="approve pool",
                                  gas=APPROVE_GAS))
            batch.append(token.tx(who, "approve", market.router.address, MAX_UINT256, agent="setup",
                                  action="approve router", gas=APPROVE_GAS))
    setup.mine(batch)
    batch = []
    for who, p in zip(a.borrowers, positions):
        batch.append(pool.tx(who, "supply", _token(market, p.product).address, tokens_to_wei(p.collateral_tokens),
                             who.address, 0, agent="setup", action="borrower supply", gas=POOL_GAS))
        batch.append(pool.tx(who, "borrow", stable.address, usd_to_stable(p.debt_usd), 2, 0, who.address,
                             agent="setup", action="borrower borrow", gas=POOL_GAS))
    setup.mine(batch)
    loops = scenario.population.leverage_loops
    for _ in range(loops):
        # Leverage loop: swap the loan for the collateral on its AMM, supply it, borrow against it at the same HF.
        reserves = {}
        for name in {p.product for p in positions}:
            pair = _pair(market, name)
            raw = pair.abi.decode("getReserves", setup.chain.calls([pair.call("getReserves")])[0])
            reserves[name] = market.reserves(raw) if name == "spv" else market.structured.products[name].reserves(raw)
        batch = []
        for who, p in zip(a.borrowers, positions):
            r_token, r_stable = reserves[p.product]
            token, pair = _token(market, p.product), _pair(market, p.product)
            spend = usd_to_stable(p.debt_usd)
            bought = get_amount_out(spend, r_stable, r_token, market.fee_bps)
            reserves[p.product] = (r_token - bought, r_stable + spend)
            batch.append(market.router.tx(who, "swapExactTokensForTokens", pair.address, stable.address, spend, bought,
                                          who.address, FAR_DEADLINE, agent="setup", action="leverage swap", gas=SWAP_GAS))
            batch.append(pool.tx(who, "supply", token.address, bought, who.address, 0, agent="setup", action="leverage supply", gas=POOL_GAS))
            added_usd = bought / 10**SPV_DECIMALS * product_nav0(scenario, p.product)
            more = added_usd * product_reserve(scenario, p.product).liquidation_threshold_bps / BPS / p.target_health_factor
            batch.append(pool.tx(who, "borrow", stable.address, usd_to_stable(more), 2, 0, who.address,
                                 agent="setup", action="leverage borrow", gas=POOL_GAS))
            p.collateral_tokens += bought / 10**SPV_DECIMALS
            p.debt_usd += more
        setup.mine(batch)


def _token(market: Market, product: str) -> Bound:
    """The token of a collateral product (`scenario.PRODUCTS`)."""
    return market.spv if product == "spv" else market.structured.products[product].token


def _pair(market: Market, product: str) -> Bound:
    """A collateral product's pair with the stablecoin."""
    return market.pair if product == "spv" else market.structured.products[product].pair


__all__ = ["deploy", "sample_positions", "Population", "Position", "SetupError"]
