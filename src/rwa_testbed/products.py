"""RWA² products (`market.structured`): more SPV tokens beside the scenario's own, an index over all of
them and its senior and junior tranches, each product with its own AMM pair and its own collateral
reserve in the pool. `population.deploy` calls these at its setup stages; everything is issued by the
issuer and spread the way the scenario's own SPV token is.

Every component SPV token gets a latency NAV feed with the market's one oracle design (`market.oracle`:
the same delay, heartbeat and deviation rules) reported by the one keeper; the index is priced by an
`IndexNavFeed` over those feeds and the scenario's own NAV feed, the tranches by `TrancheNavFeed`s over
the vault. A shared dependency is therefore shared on-chain, not by assumption.
"""

from __future__ import annotations

from .abi import Bound
from .chain import TxRequest
from .deployment import Actors, Setup, artifact
from .market import Product, StructuredMarket, StructuredComponent
from .models.spv import AssetKind
from .scenario import AssetConfig, Scenario, product_reserve
from .units import BPS, FAR_DEADLINE, FEED_DECIMALS, MAX_UINT256, SECONDS_PER_DAY, SPV_DECIMALS, usd_to_feed, usd_to_stable
from .venues.base import ReserveListing

APPROVE_GAS = 100_000
POOL_GAS = 1_000_000
SWAP_GAS = 300_000
TRANCHE_IDS = {"senior": 0, "junior": 1}
"""`TrancheVault.Tranche`'s values."""
ONCHAIN_KIND = {"treasury_fund": "private_credit"}
"""Scenario asset kinds the SPV contract's `AssetKind` does not list, as it records them: the kind is
informational on-chain (no rule reads it), so a tokenized treasury fund is a credit fund there."""


def deploy_spv(setup: Setup, actors: Actors, stable: Bound, asset: AssetConfig, batch: list[TxRequest]) -> Bound:
    """An SPV token for `asset` (the scenario's own or a component), appended to `batch`: the admin's, the
    custodian attesting, NAV at the start NAV, the asset's redemption delay, gate and window."""
    return setup.deploy(
        actors.admin, "SPVToken", asset.name, asset.symbol, stable.address, actors.admin.address,
        actors.custodian.address, AssetKind[ONCHAIN_KIND.get(asset.kind, asset.kind).upper()],
        round(asset.redemption_delay_days * SECONDS_PER_DAY), asset.redemption_gate_bps or 1,
        round(asset.gate_window_days * SECONDS_PER_DAY), usd_to_stable(asset.nav_per_token_usd), batch=batch)


def basket_units(scenario: Scenario) -> list[int]:
    """Units (18 decimals) of each basket token per index share: the weight's value of a share at the
    start NAVs, rounded down (the scenario's SPV token first, then the components)."""
    st = scenario.market.structured
    navs = [scenario.market.asset.nav_per_token_usd] + [c.nav_per_token_usd for c in st.components]
    share = st.index.nav_per_share_usd
    return [int(share * w / BPS / nav * 10**SPV_DECIMALS) for w, nav in zip(st.index.weights_bps, navs)]


def deploy(setup: Setup, scenario: Scenario, actors: Actors, stable: Bound, spv: Bound, nav_feed: Bound) -> StructuredMarket:
    """Deploys the components and their feeds, the index and its feed, the vault, its tranche tokens'
    feeds and every product's pair (two blocks: the index's constructor reads its feeds)."""
    m, admin = scenario.market, actors.admin
    st = m.structured
    batch: list[TxRequest] = []
    components = []
    for c in st.components:
        token = deploy_spv(setup, actors, stable, c, batch)
        feed = setup.deploy(admin, "LatencyOracle", FEED_DECIMALS, f"{c.symbol} / USD (NAV)", m.oracle.delay_seconds,
                            m.oracle.heartbeat_seconds, m.oracle.deviation_bps, admin.address, batch=batch)
        components.append(StructuredComponent(c, token, feed))
    setup.mine(batch)

    batch = []
    tokens = [spv.address] + [c.spv.address for c in components]
    feeds = [nav_feed.address] + [c.feed.address for c in components]
    index = setup.deploy(admin, "IndexToken", st.index.name, st.index.symbol, tokens, basket_units(scenario), feeds,
                         batch=batch)
    index_feed = setup.deploy(admin, "IndexNavFeed", index.address, f"{st.index.symbol} / USD (NAV)", batch=batch)
    products = {"index": _product(setup, admin, "index", index, index_feed, stable, m.amm.fee_bps, batch)}
    vault = None
    if st.tranches is not None:
        vault = setup.deploy(admin, "TrancheVault", index.address, index_feed.address, st.tranches.coupon_bps,
                             f"{st.index.name} Senior", f"{st.index.symbol}-S", f"{st.index.name} Junior",
                             f"{st.index.symbol}-J", batch=batch)
    setup.mine(batch)
    if vault is not None:
        batch = []
        for side, tranche in TRANCHE_IDS.items():
            address = vault.abi.decode(f"{side}Token", setup.chain.calls([vault.call(f"{side}Token")])[0])[0]
            token = Bound("TrancheToken", address, setup.abis.setdefault("TrancheToken", artifact("TrancheToken")[0]))
            feed = setup.deploy(admin, "TrancheNavFeed", vault.address, tranche,
                                f"{st.index.symbol}-{side[0].upper()} / USD (NAV)", batch=batch)
            products[side] = _product(setup, admin, side, token, feed, stable, m.amm.fee_bps, batch)
        setup.mine(batch)
    return StructuredMarket(components, index, vault, products)


def _product(setup: Setup, admin, name: str, token: Bound, feed: Bound, stable: Bound, fee_bps: int,
             batch: list[TxRequest]) -> Product:
    """`name`'s pair with the stablecoin (the market's AMM fee), appended to `batch`."""
    pair = setup.deploy(admin, "ConstantProductPair", token.address, stable.address, fee_bps, batch=batch)
    return Product(name, token, feed, pair, int(token.address, 16) < int(stable.address, 16))


def listings(scenario: Scenario, structured: StructuredMarket, max_price_age_seconds: int) -> list[ReserveListing]:
    """The products' reserves, in `StructuredConfig.products()` order (after the SPV token's). Their feeds
    are as old as the oldest NAV feed under them, so they take the SPV feed's staleness limit."""
    return [ReserveListing(p.token, p.feed, product_reserve(scenario, name), product_symbol(scenario, name),
                           SPV_DECIMALS, max_price_age_seconds)
            for name, p in structured.products.items()]


def product_symbol(scenario: Scenario, product: str) -> str:
    """A product's token symbol: the index's, or the index's with -S / -J for a tranche."""
    symbol = scenario.market.structured.index.symbol
    return symbol if product == "index" else f"{symbol}-{product[0].upper()}"


def configure(setup: Setup, scenario: Scenario, actors: Actors, structured: StructuredMarket, stable: Bound,
              reporter_role: bytes, batch: list[TxRequest]) -> None:
    """Appended to setup's configuration block: the issuer's stablecoin for the components' issuance and the
    LPs' for the products' pairs, the keeper's reporter role on every component feed, the issuer's
    approvals (subscriptions, the index's pull of its basket, the vault's pull of the index)."""
    a, admin = actors, actors.admin
    batch.append(stable.tx(admin, "mint", a.issuer.address, sum(usd_to_stable(c.config.size_usd) for c in structured.components),
                           agent="setup", action="mint issuer (components)"))
    for lp in a.lps:
        batch.append(stable.tx(admin, "mint", lp.address, sum(_lp_stable(scenario, name, len(a.lps)) for name in structured.products),
                               agent="setup", action="mint lp (products)"))
    for c in structured.components:
        batch.append(c.feed.tx(admin, "grantRole", reporter_role, a.keeper.address, agent="setup", action="grant reporter"))
        batch.append(stable.tx(a.issuer, "approve", c.spv.address, MAX_UINT256, agent="setup", action="approve"))
        batch.append(c.spv.tx(a.issuer, "approve", structured.index.address, MAX_UINT256, agent="setup", action="approve index"))
    if structured.vault is not None:
        batch.append(structured.index.tx(a.issuer, "approve", structured.vault.address, MAX_UINT256, agent="setup",
                                         action="approve vault"))


def _lp_stable(scenario: Scenario, product: str, lps: int) -> int:
    return usd_to_stable(scenario.market.structured.listing(product).amm_depth_usd / 2 / lps)


def subscribe(scenario: Scenario, actors: Actors, structured: StructuredMarket, now: int, batch: list[TxRequest]) -> None:
    """Appended to setup's issuance block: each component issued at NAV (all but its cash reserve invested
    off-chain) and its first NAV report, in the same block as the scenario's own."""
    a = actors
    for c in structured.components:
        size = usd_to_stable(c.config.size_usd)
        batch.append(c.spv.tx(a.issuer, "subscribe", size, agent="setup", action="subscribe", gas=POOL_GAS))
        invested = size - size * c.config.cash_reserve_bps // BPS
        batch.append(c.spv.tx(a.admin, "withdrawCash", a.offchain.address, invested, agent="setup", action="invest off-chain"))
        batch.append(c.feed.tx(a.keeper, "submit", usd_to_feed(c.config.nav_per_token_usd), now, agent="setup",
                               action="first NAV"))


def pokes(actors: Actors, structured: StructuredMarket) -> list[TxRequest]:
    """The component feeds' pokes that publish their first NAV after the oracle's delay."""
    return [c.feed.tx(actors.keeper, "poke", agent="setup", action="poke") for c in structured.components]


def issue(setup: Setup, scenario: Scenario, actors: Actors, structured: StructuredMarket, spv: Bound, router: Bound,
          stable: Bound) -> None:
    """Once every NAV feed has published: the index minted in kind (the issuer's SPV tokens and components),
    the tranches deposited, and each product's pair seeded by the LPs at the product's NAV."""
    st, a = scenario.market.structured, actors
    shares = int(st.index.size_usd / st.index.nav_per_share_usd * 10**SPV_DECIMALS)
    setup.mine([spv.tx(a.issuer, "approve", structured.index.address, MAX_UINT256, agent="setup", action="approve index"),
                structured.index.tx(a.issuer, "mint", shares, a.issuer.address, agent="setup", action="mint index",
                                    gas=POOL_GAS)])
    navs = {"index": _read(setup, structured.index, "navPerShare")}
    if structured.vault is not None:
        batch = []
        for side in TRANCHE_IDS:
            assets = int(getattr(st.tranches, side).size_usd / (navs["index"] / 10**FEED_DECIMALS) * 10**SPV_DECIMALS)
            batch.append(structured.vault.tx(a.issuer, f"deposit{side.capitalize()}", assets, a.issuer.address,
                                             agent="setup", action=f"deposit {side}", gas=POOL_GAS))
        setup.mine(batch)
        for side in TRANCHE_IDS:
            navs[side] = _read(setup, structured.vault, f"{side}NavPerToken")
    batch = [p.token.tx(arb, "approve", router.address, MAX_UINT256, agent="setup", action="approve router",
                        gas=APPROVE_GAS) for p in structured.products.values() for arb in a.arbitrageurs]
    for name, p in structured.products.items():
        for lp in a.lps:
            usd = st.listing(name).amm_depth_usd / 2 / len(a.lps)
            batch.append(p.token.tx(a.issuer, "transfer", lp.address, _tokens_at(usd, navs[name]), agent="setup",
                                    action="transfer"))
            for token in (p.token, p.pair):
                batch.append(token.tx(lp, "approve", router.address, MAX_UINT256, agent="setup", action="approve router",
                                      gas=APPROVE_GAS))
    setup.mine(batch)
    batch = []
    for name, p in structured.products.items():
        for lp in a.lps:
            usd = st.listing(name).amm_depth_usd / 2 / len(a.lps)
            amounts = (_tokens_at(usd, navs[name]), _lp_stable(scenario, name, len(a.lps)))
            amount0, amount1 = amounts if p.token_is_token0 else amounts[::-1]
            batch.append(router.tx(lp, "addLiquidity", p.pair.address, amount0, amount1, 0, lp.address, FAR_DEADLINE,
                                   agent="setup", action="add liquidity", gas=SWAP_GAS))
    setup.mine(batch)


def _tokens_at(usd: float, nav_feed_answer: int) -> int:
    """Token units worth `usd` at a NAV per token given as an 8-decimal answer."""
    return int(usd * 10**FEED_DECIMALS / nav_feed_answer * 10**SPV_DECIMALS)


def _read(setup: Setup, contract: Bound, fn: str, *args) -> int:
    return contract.abi.decode(fn, setup.chain.calls([contract.call(fn, *args)])[0])[0]
