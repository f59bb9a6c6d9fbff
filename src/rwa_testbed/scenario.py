"""Scenarios are data: a YAML file validated against this schema before any chain work.

Units are in field names: `_usd` (US dollars), `_bps` (basis points, 10_000 = 100 %), `_seconds`,
`_days`, `_pct` (percent, 100 = 100 %). Times of shocks are days from the start of the run.
Every model forbids unknown fields, so a typo stops the run with the field's path.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal, Union, get_args

import numpy as np
import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from .models.reserve import ReserveSpec
from .units import BPS, DAYS_PER_YEAR, MAX_CAP, RAY, SECONDS_PER_DAY, SPV_DECIMALS, UINT112_MAX

BUILTIN_DIR = Path(__file__).parent / "scenarios"

# Every number is finite and bounded where the contracts' integer ranges (and float arithmetic
# before them) must hold it: 1e15 USD is 1e33 token wei, far inside uint256, and 1000x the largest
# real-world asset a scenario would model. `.inf`, `.nan` and 1e80 stop at load with the field path.
MAX_USD = 1e15
"""The largest dollar amount a scenario may give (a quadrillion)."""
MAX_DAYS = 36_500
"""The longest span a scenario may give in days (100 years)."""
MAX_SECONDS = MAX_DAYS * SECONDS_PER_DAY
"""The longest span a scenario may give in seconds (100 years)."""
MAX_SIGMA = 10.0
"""The widest lognormal dispersion (e^10 between one sigma steps is already absurd)."""
MAX_HEALTH_FACTOR = 1e6

Bps = Annotated[int, Field(ge=0, le=10_000)]
Pct = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
PositiveUsd = Annotated[float, Field(gt=0, le=MAX_USD, allow_inf_nan=False)]
Usd = Annotated[float, Field(ge=0, le=MAX_USD, allow_inf_nan=False)]
"""A dollar amount: finite, 0 to `MAX_USD`."""
NonNegative = Usd
Days = Annotated[float, Field(ge=0, le=MAX_DAYS, allow_inf_nan=False)]
PositiveDays = Annotated[float, Field(gt=0, le=MAX_DAYS, allow_inf_nan=False)]
Seconds = Annotated[int, Field(ge=0, le=MAX_SECONDS)]
Sigma = Annotated[float, Field(ge=0, le=MAX_SIGMA, allow_inf_nan=False)]
HealthFactor = Annotated[float, Field(gt=1.0, le=MAX_HEALTH_FACTOR, allow_inf_nan=False)]
StablePrice = Annotated[float, Field(gt=0, le=2, allow_inf_nan=False)]
"""A stablecoin's price in USD: above 0, at most 2."""
PathStablePrice = Annotated[float, Field(ge=0.001, le=2, allow_inf_nan=False)]
"""A stablecoin price on a depeg path: 0.001 to 2 USD (bounds the feed's publications)."""
RisePct = Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False)]
"""A rise of the true value in percent: 0 to 1,000 (x11)."""
MAX_PATH_POINTS = 100
Label = Annotated[str, Field(max_length=200)]


def _address_from_yaml(value: Any) -> Any:
    """YAML reads an unquoted 0x... as an integer: give the address back its 40 hex digits."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**160:
        return f"0x{value:040x}"
    return value


Address = Annotated[str, BeforeValidator(_address_from_yaml), Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
"""An account or contract address: 0x and 40 hex digits (quoted or not in YAML)."""


class ScenarioError(ValueError):
    """An invalid scenario; the message names the field path."""


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- market -------------------------------------------------------------------------------


class AssetConfig(Model):
    """The off-chain asset held by the SPV and its token."""

    kind: Literal["private_credit", "real_estate", "treasury_fund"] = Field(
        description="what the SPV holds. 'treasury_fund': a tokenized money-market / T-bill fund, daily NAV "
        "and T+0/T+1 redemptions: `market.custodian.report_every_days` and `redemption_delay_days` default "
        "to 1 and may not exceed 1 (checked in `check_rules`); on-chain the SPV records it as PrivateCredit "
        "(the contract's kind is informational only)"
    )
    name: Label = "RWA SPV token"
    symbol: Annotated[str, Field(max_length=32)] = "RWA"
    size_usd: PositiveUsd = Field(description="value of the whole asset at the start")
    nav_per_token_usd: PositiveUsd = 1.0
    yield_apr_bps: Bps = Field(0, description="true value accrues this yield between shocks")
    redemption_delay_days: Days = Field(30, description="a redemption request is claimable this long after it "
                                        "is made (treasury_fund: default 1, T+1; 0 is T+0)")
    redemption_gate_bps: Bps = 500
    gate_window_days: PositiveDays = 30
    cash_reserve_bps: Bps = Field(500, description="share of the asset the SPV keeps in stablecoin")


class CustodianConfig(Model):
    """Which off-chain value the custodian attests, and when."""

    report_every_days: PositiveDays = Field(30, description="the custodian attests the NAV this often "
                                            "(treasury_fund: default 1, a daily NAV)")
    reporting_lag_days: Days = Field(0, description="a report states the true NAV this long ago")


class OracleConfig(Model):
    """The feed that prices the SPV token in the lending pool."""

    kind: Literal["latency", "twap"] = "latency"
    delay_seconds: Seconds = 0
    heartbeat_seconds: Seconds = 0
    deviation_bps: Bps = 0
    twap_window_seconds: Annotated[int, Field(gt=0, le=MAX_SECONDS)] = 1800
    max_age_seconds: Seconds | None = Field(
        None,
        description="the lending pool's staleness limit for this feed (`maxPriceAge`): a round older than "
        "this blocks borrows, withdrawals of collateral while in debt, liquidations and the account "
        "views (StalePrice); 0 = never stale (Aave V3.0). Unset: from the feed's update cadence, see "
        "`Scenario.collateral_max_price_age_seconds`",
    )


class AmmConfig(Model):
    depth_usd: PositiveUsd = Field(description="value of both sides of the SPV/stablecoin pool")
    fee_bps: Annotated[int, Field(ge=0, lt=10_000)] = 30


class ReserveConfig(Model):
    """Aave-style reserve parameters (bps as in Aave: bonus 10_500 = 5 % bonus)."""

    ltv_bps: Bps = 0
    liquidation_threshold_bps: Bps = 0
    liquidation_bonus_bps: Annotated[int, Field(ge=0, le=20_000)] = 0
    liquidation_protocol_fee_bps: Bps = 1_000
    reserve_factor_bps: Bps = 1_000
    borrowing_enabled: bool = False
    optimal_utilization_bps: Annotated[int, Field(gt=0, le=10_000)] = 8_000
    base_rate_bps: Bps = 0
    slope1_bps: Bps = 400
    slope2_bps: Annotated[int, Field(ge=0, le=100_000)] = 6_000

    @model_validator(mode="after")
    def _aave_rules(self) -> "ReserveConfig":
        self.spec()  # ReserveSpec validates itself: the pool's own rules and rounding
        return self

    def spec(self, asset: str = "", price_feed: str = "") -> ReserveSpec:
        """This reserve as a `ReserveSpec` for `asset` priced by `price_feed`: bps stay bps, rates
        become RAY (rounded down); collateral if it has a liquidation threshold."""
        ray = lambda bps: bps * RAY // BPS  # noqa: E731
        return ReserveSpec(
            asset=asset,
            price_feed=price_feed,
            ltv_bps=self.ltv_bps,
            liquidation_threshold_bps=self.liquidation_threshold_bps,
            liquidation_bonus_bps=self.liquidation_bonus_bps,
            liquidation_protocol_fee_bps=self.liquidation_protocol_fee_bps,
            reserve_factor_bps=self.reserve_factor_bps,
            borrowing_enabled=self.borrowing_enabled,
            usable_as_collateral=self.liquidation_threshold_bps != 0,
            optimal_usage_ray=ray(self.optimal_utilization_bps),
            base_rate_ray=ray(self.base_rate_bps),
            slope1_ray=ray(self.slope1_bps),
            slope2_ray=ray(self.slope2_bps),
        )


class LendingConfig(Model):
    collateral: ReserveConfig = Field(description="the SPV token's reserve")
    stablecoin: ReserveConfig = Field(description="the borrowed stablecoin's reserve")
    stable_supply_usd: PositiveUsd = Field(description="stablecoin supplied by lenders")


class StablecoinConfig(Model):
    name: Label = "USD Coin"
    symbol: Annotated[str, Field(max_length=32)] = "USDC"
    pricing: Literal["market", "fixed"] = Field(
        "market",
        description="how the lending pool prices the borrowed stablecoin. 'market': its feed follows the "
        "market price, depegs included (stablecoin_depeg publishes on it). 'fixed': the feed is set to "
        "`fixed_price_usd` at setup and never moves (a hard-coded $1), while the market price still "
        "depegs for the AMM, arbitrageurs and every valuation at true value",
    )
    fixed_price_usd: StablePrice | None = Field(
        None, description="with pricing 'fixed': the constant price the pool uses (default 1.0)"
    )

    def pool_price_usd(self) -> float:
        """The stablecoin feed's answer at setup: the fixed price, or $1 (the market's start)."""
        return self.fixed_price_usd if self.pricing == "fixed" and self.fixed_price_usd is not None else 1.0


class ExistingContracts(Model):
    """Contracts already on the chain (a fork) that the scenario uses instead of deploying its own."""

    stable_feed_address: Address | None = Field(
        None,
        description="a Chainlink-style USD feed of the stablecoin already on the chain (e.g. USDC / USD on a "
        "mainnet fork): the venue prices the stablecoin off it. A settable mock feed's code is installed at "
        "that address (anvil_setCode), starting from the feed's current answer, so stablecoin shocks move the "
        "price every contract there reads; a fork-only cheat",
    )


# -- mitigations --------------------------------------------------------------------------
# The article's remedies (conservative oracles, stricter collateral standards, circuit breakers),
# each off by default: a scenario without `market.mitigations` runs exactly as before. Aave V3.1-3.3,
# Maker and Aave Horizon are the references for behaviour. `ape run compare_mitigations` measures them.

MAX_GRACE_SECONDS = 4 * 3_600
"""The longest liquidation grace period (Aave V3.1's cap: 4 hours)."""


class ProofOfReserve(Model):
    """Aave's proof-of-reserve executor on the SPV reserve: an attestor reports the custodian's reserves to
    a Chainlink-style feed; when they fall below the token's supply the guardian calls the permissionless
    `ProofOfReserveExecutor`, which freezes the SPV reserve and sets its LTV to 0 (no new borrowing against
    it; positions are neither liquidated nor released by it; lifting it is governance's call).

    The reserves are the SPV tokens still backed by assets in custody: the supply at the report times the
    share of the custody left, which only a `custodian_hack` takes (`reserves_lost_pct`, stolen). Losses of
    value (defaults, disasters, write-downs) are not losses of custody: a proof of reserve does not see
    them. No one subscribes during a run, so the supply never outgrows the last report by minting."""

    report_every_hours: Annotated[float, Field(gt=0, le=MAX_DAYS * 24, allow_inf_nan=False)] = Field(
        24, description="the attestor's cadence, hours (Chainlink's proof-of-reserve feeds: a 24 h heartbeat); "
        "the first report at setup, then every period of the run (summary: mitigations.reserve_freeze_at_days)")


class OracleMitigations(Model):
    """A conservative price for the SPV token: a `ConservativeOracle` between the feed and the pool; a
    proof-of-reserve check on the custodian."""

    min_nav_twap: bool = Field(
        False, description="price the SPV token at min(the custodian's NAV feed, the AMM's TWAP): the pool never "
        "values collateral above what the market pays, nor above the attested NAV. The scenario's own feed is "
        "one side (market.oracle: a latency feed is the NAV side, a twap the TWAP side); the other is added: "
        "a TWAP over twap_window_seconds, or a NAV feed that publishes each report at once")
    twap_window_seconds: Annotated[int, Field(gt=0, le=MAX_SECONDS)] = Field(
        3_600, description="with min_nav_twap and a latency feed: the added TWAP's window, seconds")
    max_change_bps: Bps = Field(
        0, description="a new price that moves more than this from the last published one is not published: "
        "the feed freezes at its last price for freeze_seconds, then accepts the price of the day (0: off)")
    freeze_seconds: Annotated[int, Field(gt=0, le=MAX_SECONDS)] = Field(
        86_400, description="with max_change_bps: how long a freeze holds the last price (governance's "
        "reaction time), seconds")
    proof_of_reserve: ProofOfReserve | None = Field(
        None, description="freeze the SPV reserve and set its LTV to 0 once the custodian's attested reserves "
        "fall below the token's supply (see ProofOfReserve; venue 'ours')")

    @property
    def enabled(self) -> bool:
        """Whether the pool reads a `ConservativeOracle` (the proof of reserve is a separate check)."""
        return self.min_nav_twap or self.max_change_bps > 0


class LiquidityAwareLtv(Model):
    """A risk steward that haircuts the SPV reserve's LTV (and threshold) when the AMM is thin relative
    to the debt it would have to absorb (the depth a liquidation cascade sells into)."""

    full_at_depth_to_debt: Annotated[float, Field(gt=0, le=1_000, allow_inf_nan=False)] = Field(
        0.5, description="configured values hold while the AMM's SPV side (USD at the market price) is at "
        "least this times the pool's total debt; below it they scale down in proportion")
    min_scale_pct: Pct = Field(50, description="the haircut never takes the values below this share of "
                               "the configured ones, percent")
    haircut_threshold: bool = Field(
        False, description="scale the liquidation threshold too (a lower threshold liquidates at once), "
        "not only the LTV (new borrows)")
    every_hours: Annotated[float, Field(gt=0, le=MAX_DAYS * 24, allow_inf_nan=False)] = Field(
        1, description="how often the steward re-reads depth and debt (first one period into the run), hours")
    step_bps: Annotated[int, Field(ge=1, le=10_000)] = Field(
        100, description="a new haircut is sent only when the LTV moves at least this much, or back to the "
        "configured values, bps (summary: mitigations.lowest_ltv_bps, borrow_capacity_removed_at_lowest_usd)")


class CollateralMitigations(Model):
    """Stricter collateral standards."""

    supply_cap_usd: Usd = Field(
        0, description="supply cap of the SPV reserve, USD at the start NAV (whole tokens on-chain, rounded down; "
        "0: none): borrowers whose collateral would pass it are turned away at setup, first come first served "
        "(summary: population.turned_away, turned_away_debt_usd)")
    debt_ceiling_usd: Usd = Field(
        0, description="borrow cap of the stablecoin reserve, USD (whole tokens on-chain at $1, rounded down; 0: "
        "none): borrowers whose loan would pass it (less 0.1 % for setup's interest) are turned away at setup")
    liquidity_aware_ltv: LiquidityAwareLtv | None = Field(
        None, description="haircut LTV (and threshold) by AMM depth relative to debt")
    liquidator_allowlist: Annotated[int, Field(ge=0, le=100)] | None = Field(
        None, description="a permissioned market (e.g. Aave Horizon): only the first N liquidators may "
        "liquidate (the pool's allowlist); unset: anyone")

    def cap_tokens(self, nav0_usd: float) -> tuple[int, int]:
        """(supply cap of the SPV reserve, borrow cap of the stablecoin reserve), whole tokens as the
        pool stores them: the USD caps at the start NAV and at $1, rounded down (0: no cap)."""
        return int(self.supply_cap_usd / nav0_usd), int(self.debt_ceiling_usd)

    def allowlisted(self, liquidator_index: int) -> bool:
        """Whether liquidator `liquidator_index` (its place in `agents.liquidators`, groups in order)
        may liquidate: the pool grants LIQUIDATOR_ROLE to the first `liquidator_allowlist` (to the
        executor contract of an atomic one); without an allowlist, everyone."""
        return self.liquidator_allowlist is None or liquidator_index < self.liquidator_allowlist


class GracePeriod(Model):
    """Aave V3.1's liquidation grace period, set by a guardian after a jump of the oracle price."""

    after_jump_bps: Annotated[int, Field(ge=1, le=10_000)] = Field(
        1_000, description="a fall of the collateral's oracle price of at least this, from the price the "
        "guardian saw at its previous step (every step the engine visits, hence every price change), starts "
        "a grace period; the guardian's transactions go first in their block, before any liquidation")
    seconds: Annotated[int, Field(gt=0, le=MAX_GRACE_SECONDS)] = Field(
        3_600, description="how long no position holding the collateral can be liquidated (Aave V3.1: at most 4 h)")


class LiquidationCap(Model):
    """Maker `Dog.Hole`-style: at most `usd_per_window` of debt liquidated in any window."""

    usd_per_window: PositiveUsd = Field(
        description="debt a window's liquidations of the SPV collateral may repay, USD at the stablecoin's "
        "oracle price (the pool's base currency); a liquidation is cut to the room left, and liquidators "
        "wait for the next window when none is left")
    window_seconds: Annotated[int, Field(gt=0, le=MAX_SECONDS)] = Field(
        3_600, description="the window, seconds; windows start at multiples of it (chain time)")


class EmergencyStop(Model):
    """Maker OSM's emergency stop on the SPV's delayed NAV feed: the delay (`market.oracle.delay_seconds`)
    lets the guardian read the price queued in the feed before it publishes (OSM's `peep`) and stop the
    feed (`stop`) when that price is suspect; the published price holds while governance reviews, then the
    guardian restarts the feed and the newest visible observation publishes (older ones are skipped)."""

    pending_move_bps: Annotated[int, Field(ge=1, le=10_000)] = Field(
        1_000, description="the guardian stops the feed when the newest observation queued in it, not yet "
        "published, differs from the feed's published answer by at least this, bps of that answer; checked at "
        "every step; each queued observation can stop the feed once")
    hold_hours: Annotated[float, Field(gt=0, le=MAX_DAYS * 24, allow_inf_nan=False)] = Field(
        24, description="how long a stop holds (governance's review), hours; then the feed restarts, and the "
        "observations queued until then count as reviewed (summary: mitigations.emergency_stops, "
        "stopped_seconds)")


class CircuitBreakers(Model):
    """Stronger circuit breakers. Two the scenario already has: `market.oracle.delay_seconds` (a Maker
    OSM-style delayed price, to which `emergency_stop` adds the stop) and `market.asset.redemption_gate_bps`
    (redemption gates on the SPV)."""

    grace_period: GracePeriod | None = Field(None, description="a liquidation grace period after an oracle jump")
    liquidation_cap: LiquidationCap | None = Field(None, description="a cap on liquidated debt per window")
    divergence_pause_bps: Bps = Field(
        0, description="new borrows paused (the stablecoin's borrowing disabled by a guardian) while the AMM "
        "price and the oracle price differ by more than this, bps of the oracle price, checked at every step "
        "(0: off; summary: mitigations.borrow_pauses, borrow_paused_seconds)")
    emergency_stop: EmergencyStop | None = Field(
        None, description="an OSM-style emergency stop of the delayed NAV feed (needs market.oracle.kind "
        "latency with delay_seconds > 0)")


class MitigationsConfig(Model):
    """The article's remedies, each off by default (`ape run compare_mitigations` compares them)."""

    oracle: OracleMitigations = OracleMitigations()
    collateral: CollateralMitigations = CollateralMitigations()
    circuit_breakers: CircuitBreakers = CircuitBreakers()

    @property
    def guardian_reconfigures(self) -> bool:
        """Whether the pool's guardian (`agents.guardian`) changes reserve parameters (the divergence
        pause, the liquidity-aware LTV): it then needs the pool admin's role."""
        return self.circuit_breakers.divergence_pause_bps > 0 or self.collateral.liquidity_aware_ltv is not None

    @property
    def needs_guardian(self) -> bool:
        """Whether a mechanism the pool's guardian runs is on: the run then has that agent (and the
        roles its mechanisms need)."""
        b = self.circuit_breakers
        return (self.guardian_reconfigures or b.grace_period is not None or b.emergency_stop is not None
                or self.oracle.proof_of_reserve is not None)

    @property
    def needs_pool_role(self) -> bool:
        """Whether the guardian needs a role on the pool: to start grace periods, or to reconfigure."""
        return self.guardian_reconfigures or self.circuit_breakers.grace_period is not None

    def active(self) -> list[str]:
        """The dotted names of the mechanisms switched on (for reports)."""
        o, c, b = self.oracle, self.collateral, self.circuit_breakers
        flags = {"oracle.min_nav_twap": o.min_nav_twap, "oracle.max_change_bps": o.max_change_bps > 0,
                 "oracle.proof_of_reserve": o.proof_of_reserve is not None,
                 "collateral.supply_cap_usd": c.supply_cap_usd > 0, "collateral.debt_ceiling_usd": c.debt_ceiling_usd > 0,
                 "collateral.liquidity_aware_ltv": c.liquidity_aware_ltv is not None,
                 "collateral.liquidator_allowlist": c.liquidator_allowlist is not None,
                 "circuit_breakers.grace_period": b.grace_period is not None,
                 "circuit_breakers.liquidation_cap": b.liquidation_cap is not None,
                 "circuit_breakers.divergence_pause_bps": b.divergence_pause_bps > 0,
                 "circuit_breakers.emergency_stop": b.emergency_stop is not None}
        return [name for name, on in flags.items() if on]


# -- structured products (RWA²) ------------------------------------------------------------

PRODUCTS = ("spv", "index", "senior", "junior")
"""The collateral products a borrower may supply: the scenario's SPV token (`market.asset`), the index
over it and `market.structured.components`, and the index's senior and junior tranches."""


class ProductListing(Model):
    """A structured product's market: its own AMM pair against the stablecoin, and its reserve in the pool."""

    amm_depth_usd: PositiveUsd = Field(description="value of both sides of the product's pair with the stablecoin")
    reserve: ReserveConfig = Field(description="the product's collateral reserve in the lending pool (liquidation "
                                   "threshold 0: listed, not collateral)")


class ComponentConfig(AssetConfig):
    """A component SPV token of the index: an asset like `market.asset`, reported on the same custodian
    schedule to a NAV feed with the same oracle rules; its true value moves by the shocks that name its
    symbol (`asset:`) and by its own stochastic path."""

    true_value: TrueValueProcess | None = Field(
        None, description="a GBM (with jumps) of this component's true value, drawn from the run's seed on the "
        "component's own stream (see `stochastic`); unset: it moves only by the shocks that name it")


class IndexConfig(ProductListing):
    """The index token: a fixed basket of `market.asset` and the components, minted in kind at setup."""

    name: Label = "RWA Index"
    symbol: Annotated[str, Field(max_length=32)] = "RWAX"
    weights_bps: Annotated[list[Annotated[int, Field(ge=1, le=10_000)]], Field(min_length=2, max_length=10)] = Field(
        description="value weights at the start NAVs: `market.asset` first, then each component in order; sum 10,000")
    size_usd: PositiveUsd = Field(description="value of the index shares minted at setup")
    nav_per_share_usd: PositiveUsd = Field(100.0, description="the index's NAV per share at the start")


class TrancheSide(ProductListing):
    """One tranche: the index value deposited for it at setup, its pair and its reserve."""

    size_usd: PositiveUsd = Field(description="value of the index deposited for this tranche at setup")


class TranchesConfig(Model):
    """Senior and junior tranches over the index (`TrancheVault`): losses hit the junior first; the senior's
    claim grows by a simple coupon and is capped there."""

    coupon_bps: Annotated[int, Field(ge=0, le=10_000)] = Field(500, description="the senior's simple coupon a year")
    senior: TrancheSide
    junior: TrancheSide


class StructuredConfig(Model):
    """RWA²: an index over several SPV tokens and its tranches, each listed as collateral with its own AMM pair.
    Every product shares the market's one oracle design (`market.oracle`, `market.custodian`), stablecoin
    and lending pool."""

    components: Annotated[list[ComponentConfig], Field(min_length=1, max_length=9)] = Field(
        description="the SPV tokens in the index besides `market.asset`, each with its own asset, NAV feed and "
        "redemption queue")
    index: IndexConfig
    tranches: TranchesConfig | None = None

    def products(self) -> tuple[str, ...]:
        """The products listed beside the SPV token, in listing order."""
        return ("index", "senior", "junior") if self.tranches is not None else ("index",)

    def listing(self, product: str) -> ProductListing:
        return self.index if product == "index" else getattr(self.tranches, product)


KIND_DEFAULTS = {"treasury_fund": {"custodian": {"report_every_days": 1}, "asset": {"redemption_delay_days": 1}}}
"""Per `market.asset.kind`, the defaults that differ from the fields' own (a daily NAV, T+1)."""


class MarketConfig(Model):
    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        """Fills the asset kind's own defaults (`KIND_DEFAULTS`) where the document leaves them out."""
        asset = data.get("asset") if isinstance(data, dict) else None
        kind = asset.get("kind") if isinstance(asset, dict) else None
        if not isinstance(kind, str) or kind not in KIND_DEFAULTS:
            return data
        data = dict(data)
        for section, defaults in KIND_DEFAULTS[kind].items():
            given = data.get(section, {})
            if isinstance(given, dict):
                data[section] = {**defaults, **given}
        return data

    asset: AssetConfig
    custodian: CustodianConfig = CustodianConfig()
    oracle: OracleConfig = OracleConfig()
    amm: AmmConfig
    lending: LendingConfig
    stablecoin: StablecoinConfig = StablecoinConfig()
    existing: ExistingContracts = ExistingContracts()
    mitigations: MitigationsConfig = Field(
        MitigationsConfig(), description="the article's remedies, each off by default (see MitigationsConfig)")
    structured: StructuredConfig | None = Field(
        None, description="RWA²: an index over the SPV token and more SPV tokens, its tranches, each listed as "
        "collateral with its own AMM pair (see StructuredConfig)")


class VenueConfig(Model):
    """The lending market the population borrows from; every venue takes Aave V3's user ABI."""

    kind: Literal["ours", "aave-v3"] = Field(
        "ours",
        description="'ours': this project's LendingPool (Aave V3.0 numbers, on-chain deficit); 'aave-v3': the "
        "real Aave V3.0 market from @aave/core-v3's artifacts (bad debt stays on the borrowers)",
    )
    aave_pool_address: Address | None = Field(
        None,
        description="with kind aave-v3 on a fork: an existing Aave V3.0 Pool (proxy) to list the scenario's "
        "reserves on (its ACL admin is impersonated) instead of deploying a new market",
    )


# -- population ---------------------------------------------------------------------------


class HealthFactorDistribution(Model):
    """Target health factors at the start: lognormal around `median`, clipped to [min, max]."""

    distribution: Literal["lognormal", "uniform"] = "lognormal"
    min: HealthFactor = 1.05
    max: HealthFactor = 2.0
    median: HealthFactor = 1.3
    sigma: Sigma = 0.25

    @model_validator(mode="after")
    def _ordered(self) -> "HealthFactorDistribution":
        if not self.min <= self.median <= self.max:
            raise ValueError("need min <= median <= max")
        return self


class ExplicitPosition(Model):
    """One borrower given by hand (a dominant position beside the lognormal tail)."""

    collateral_usd: PositiveUsd = Field(description="value of the SPV tokens it supplies, at the start NAV")
    health_factor: HealthFactor = Field(
        description="its health factor once it has borrowed (at least liquidation threshold / LTV)"
    )
    label: Label = Field("", description="a name for reports (e.g. 'whale')")
    collateral: Literal[PRODUCTS] = Field(
        "spv", description="the product it supplies (valued at that product's start NAV): 'spv', or with "
        "`market.structured` 'index', 'senior', 'junior'")


class PopulationConfig(Model):
    borrowers: Annotated[int, Field(ge=0, le=100_000)] = Field(
        100, description="borrowers in the lognormal tail (besides `positions`)"
    )
    collateral_usd_total: NonNegative = Field(description="value of SPV tokens the lognormal tail supplies as collateral")
    positions: Annotated[list[ExplicitPosition], Field(max_length=10_000)] = Field(
        [],
        description="borrowers given one by hand, opened first (borrower 0, 1, ...), e.g. one dominant "
        "position; `borrowers` and `collateral_usd_total` describe the tail that follows them",
    )
    collateral_size_sigma: Sigma = Field(1.0, description="lognormal dispersion of position sizes")
    health_factor: HealthFactorDistribution = HealthFactorDistribution()
    leverage_loops: Annotated[int, Field(ge=0, le=5)] = Field(
        0, description="times each borrower buys SPV on the AMM with its loan and supplies it again"
    )
    holders: Annotated[int, Field(ge=0, le=100_000)] = 20
    holders_usd_total: NonNegative = Field(0, description="SPV tokens held by plain holders (may panic-sell)")
    collateral_mix: dict[Literal[PRODUCTS], Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]] | None = Field(
        None, description="with `market.structured`: the chance that a borrower of the tail supplies each product "
        "(spv, index, senior, junior; sum 1), drawn from the seed, one product per borrower; unset: all 'spv'")

    @field_validator("collateral_mix")
    @classmethod
    def _mix_sums_to_one(cls, mix: dict[str, float] | None) -> dict[str, float] | None:
        if mix is not None and not math.isclose(sum(mix.values()), 1.0, abs_tol=1e-9):
            raise ValueError(f"the chances must sum to 1 (got {sum(mix.values()):g})")
        return mix


# -- agents -------------------------------------------------------------------------------


class LiquidatorConfig(Model):
    """A group of liquidators that act alike."""

    count: Annotated[int, Field(ge=0, le=100)] = 3
    capital_usd: NonNegative = 5_000_000
    min_profit_usd: NonNegative = Field(
        100, description="a liquidation is sent only if its profit, gas deducted, is at least this"
    )
    gas_cost_usd: NonNegative = Field(
        30,
        description="what one liquidation's transactions cost in gas, deducted from its profit when sizing "
        "it (atomic: the executor call; capital-backed: the liquidation and the dump or redemption "
        "request). 30: about 500,000 gas at 20 gwei with ether at 3,000 USD",
    )
    disposal: Literal["amm", "redeem", "hold"] = Field(
        "amm",
        description="what capital-backed liquidators do with seized collateral: dump it on the AMM, "
        "request a (slow, gated) redemption at NAV, or hold it valued at the oracle price",
    )
    atomic: bool = Field(True, description="flash-swap through the Vyper executor, no capital needed")

    @model_validator(mode="after")
    def _atomic_dumps(self) -> "LiquidatorConfig":
        if self.atomic and self.disposal != "amm":
            raise ValueError("atomic liquidators sell the collateral on the AMM: disposal must be 'amm'")
        return self


class ArbitrageurConfig(Model):
    count: Annotated[int, Field(ge=0, le=100)] = 2
    capital_usd: NonNegative = 2_000_000
    fair_value: Literal["oracle", "nav_report", "true_value"] = "nav_report"
    threshold_bps: Bps = 200
    impaired_haircut_bps: Bps = Field(5_000, description="fair-value haircut while the claim is impaired")
    max_trade_usd: PositiveUsd = 1_000_000
    min_trade_usd: NonNegative = Field(10_000, description="smaller trades are not worth the gas")
    capital_inflow_usd_per_day: NonNegative = Field(
        0, description="fresh capital reaching each arbitrageur per day (off-chain fundraising is slow)"
    )


class PanicSellerConfig(Model):
    sell_share_bps: Bps = Field(5_000, description="share of its tokens a panicking holder sells")
    max_trade_usd: PositiveUsd = 250_000
    drawdown_panic_bps: Bps = Field(
        2_500, description="a calm holder panics too when the AMM price is this far below its one-day high (0: never)"
    )
    floor_pct_of_nav: Pct = Field(20, description="holders do not sell below this share of the last attested NAV")


class LiquidityProviderConfig(Model):
    count: Annotated[int, Field(ge=1, le=100)] = 4
    withdraw_on_drawdown_bps: Bps = Field(1_500, description="AMM price drop from its 1-day high that scares LPs")
    withdraw_share_bps: Bps = Field(5_000, description="share of its liquidity a scared LP pulls")


class AgentsConfig(Model):
    liquidators: Annotated[list[LiquidatorConfig], Field(max_length=100)] = [LiquidatorConfig()]
    arbitrageurs: ArbitrageurConfig = ArbitrageurConfig()
    panic_sellers: PanicSellerConfig = PanicSellerConfig()
    liquidity_providers: LiquidityProviderConfig = LiquidityProviderConfig()


# -- shocks -------------------------------------------------------------------------------


class ShockBase(Model):
    at_days: Days = Field(description="when the shock starts, days from the start of the run")
    offchain_days: Days | None = Field(
        None,
        description="how long the event takes to play out off-chain (defaults per kind: the default "
        "wave's length, 180 days for a hack's legal fight, 90 for a disaster's damage assessment, "
        "else 0); the slow side of the months-vs-minutes comparison",
    )


class DefaultWave(ShockBase):
    """True NAV decays by `nav_drop_pct` linearly over `over_days`, as loan defaults accrue."""

    kind: Literal["default_wave"]
    nav_drop_pct: Pct
    over_days: PositiveDays
    asset: Annotated[str, Field(max_length=32)] | None = Field(
        None, description="with `market.structured`: the symbol of the component whose true value moves; unset: "
        "the scenario's own SPV token (`market.asset`)")


def _check_path(path: list[tuple[float, float]] | None) -> None:
    """A path's days strictly increase, also once rounded to seconds."""
    if path is None:
        return
    seconds = [round(d * SECONDS_PER_DAY) for d, _ in path]
    for i, (a, b) in enumerate(zip(seconds, seconds[1:])):
        if b <= a:
            raise ValueError(f"path: days must increase from point to point (point {i + 1} at day "
                             f"{path[i + 1][0]:g} is not after point {i} at day {path[i][0]:g})")


def _one_of(model: Model, single: str, path: str = "path") -> None:
    """Exactly one of the single-jump field and the path."""
    given = [name for name in (single, path) if getattr(model, name) is not None]
    if len(given) != 1:
        raise ValueError(f"give either {single} (one jump at at_days) or {path} (points), not "
                         f"{'both' if given else 'neither'}")


DropPath = Annotated[list[tuple[Days, Pct]], Field(min_length=1, max_length=MAX_PATH_POINTS)]
RisePath = Annotated[list[tuple[Days, RisePct]], Field(min_length=1, max_length=MAX_PATH_POINTS)]
_PATH_DOC = ("(days after at_days, {what} %) points, linear in between, from 0 % at at_days unless the first "
             "point is at day 0; the last value holds afterwards (the shock ends at the last point). "
             "Instead of `{single}`")


class NavWritedown(ShockBase):
    """The custodian writes the NAV down at once (or along a `path`) and reports it off-cycle."""

    kind: Literal["nav_writedown"]
    nav_drop_pct: Pct | None = Field(None, description="drop of the true value at at_days, percent")
    path: DropPath | None = Field(None, description=_PATH_DOC.format(what="drop", single="nav_drop_pct"))
    report_immediately: bool = Field(
        True, description="reported at once as of its own date (with a path: at each point's time)")

    @model_validator(mode="after")
    def _form(self) -> "NavWritedown":
        _one_of(self, "nav_drop_pct")
        _check_path(self.path)
        return self


class NavWriteup(ShockBase):
    """A recovery: the true value rises by `nav_rise_pct` at once (or along a `path`), e.g. frozen
    reserves released; reported off-cycle like a write-down."""

    kind: Literal["nav_writeup"]
    nav_rise_pct: RisePct | None = Field(None, description="rise of the true value at at_days, percent")
    path: RisePath | None = Field(None, description=_PATH_DOC.format(what="rise", single="nav_rise_pct"))
    report_immediately: bool = Field(
        True, description="reported at once as of its own date (with a path: at each point's time)")

    @model_validator(mode="after")
    def _form(self) -> "NavWriteup":
        _one_of(self, "nav_rise_pct")
        _check_path(self.path)
        return self


class Rumor(ShockBase):
    """A share of holders try to sell within minutes, before any oracle move."""

    kind: Literal["rumor"]
    holder_share_bps: Bps
    within_minutes: Annotated[float, Field(gt=0, le=MAX_DAYS * 1_440, allow_inf_nan=False)] = 30


class CustodianHack(ShockBase):
    """Redemptions frozen, legal claim impaired, fair value uncertain."""

    kind: Literal["custodian_hack"]
    value_haircut_pct: Pct = Field(0, description="drop of the true value (stolen or contested)")
    reserves_lost_pct: Pct | None = Field(
        None, description="share of the custodian's reserves stolen, as a proof-of-reserve attestor sees it "
        "(market.mitigations.oracle.proof_of_reserve); default: value_haircut_pct")

    @property
    def reserves_lost(self) -> float:
        """The share of the custody the hack takes, percent."""
        return self.value_haircut_pct if self.reserves_lost_pct is None else self.reserves_lost_pct


class NaturalDisaster(ShockBase):
    """Property value drops at once (hurricane, flood, earthquake)."""

    kind: Literal["natural_disaster"]
    value_drop_pct: Pct | None = Field(None, description="drop of the true value at at_days, percent")
    path: DropPath | None = Field(None, description=_PATH_DOC.format(what="drop", single="value_drop_pct"))
    asset: Annotated[str, Field(max_length=32)] | None = Field(
        None, description="with `market.structured`: the symbol of the component whose true value moves; unset: "
        "the scenario's own SPV token (`market.asset`)")

    @model_validator(mode="after")
    def _form(self) -> "NaturalDisaster":
        _one_of(self, "value_drop_pct")
        _check_path(self.path)
        return self


class LiquidityWithdrawal(ShockBase):
    """LPs pull a share of AMM depth."""

    kind: Literal["liquidity_withdrawal"]
    share_pct: Pct


class OracleOutage(ShockBase):
    """The oracle publishes nothing for `duration_days`."""

    kind: Literal["oracle_outage"]
    duration_days: PositiveDays


class OracleLatencyChange(ShockBase):
    """The SPV feed's latency rules change."""

    kind: Literal["oracle_latency_change"]
    delay_seconds: Seconds
    heartbeat_seconds: Seconds = 0
    deviation_bps: Bps = 0


class StablecoinDepeg(ShockBase):
    """The stablecoin's market price drops to `price_usd` for `duration_days` (then back to $1), or
    follows `path`; its feed publishes it (with `market.stablecoin.pricing: fixed` it does not)."""

    kind: Literal["stablecoin_depeg"]
    price_usd: StablePrice | None = Field(None, description="the price during the depeg (with duration_days)")
    duration_days: PositiveDays | None = Field(None, description="how long the depeg lasts; then $1 again")
    path: Annotated[list[tuple[Days, PathStablePrice]], Field(min_length=1, max_length=MAX_PATH_POINTS)] | None = Field(
        None,
        description="instead of price_usd/duration_days: (days after at_days, price USD) points, linear in "
        "between, from $1 at at_days unless the first point is at day 0; the last price holds afterwards. "
        "The feed publishes at each point and whenever the price has moved publish_deviation_bps from its "
        "last publication",
    )
    publish_deviation_bps: Annotated[int, Field(ge=10, le=10_000)] = Field(
        25, description="with a path: the feed's deviation threshold (25: 0.25 %, USDC / USD on Chainlink)"
    )

    @model_validator(mode="after")
    def _form(self) -> "StablecoinDepeg":
        jump = [name for name in ("price_usd", "duration_days") if getattr(self, name) is not None]
        if self.path is None and len(jump) != 2:
            raise ValueError("give price_usd and duration_days (one depeg) or path (points)")
        if self.path is not None and jump:
            raise ValueError(f"give path or price_usd and duration_days, not both ({', '.join(jump)} given)")
        _check_path(self.path)
        return self


ChangePct = Annotated[float, Field(gt=-100, le=10_000, allow_inf_nan=False)]
"""A change of the true value in percent of its value when a path starts: above -100, at most 10,000."""
MAX_DRAWN_POINTS = 10_000
"""The most points a `true_value_path` may have (a drawn GBM: one per `step_days` of the run)."""


class TrueValuePath(ShockBase):
    """The true value moves along a path, up and down (e.g. a GBM drawn by `stochastic.true_value`),
    silently: nobody reports it off-cycle, the custodian's routine reports and anyone reading the
    true value see it."""

    kind: Literal["true_value_path"]
    path: Annotated[list[tuple[Days, ChangePct]], Field(min_length=1, max_length=MAX_DRAWN_POINTS)] = Field(
        description="(days after at_days, change %) points: the true value's change from at_days, linear in "
        "between, from 0 % at at_days unless the first point is at day 0; the last value holds afterwards")
    asset: Annotated[str, Field(max_length=32)] | None = Field(
        None, description="with `market.structured`: the symbol of the component whose true value moves; unset: "
        "the scenario's own SPV token (`market.asset`)")

    @model_validator(mode="after")
    def _form(self) -> "TrueValuePath":
        _check_path(self.path)
        return self


SHOCK_CONFIGS: tuple[type[ShockBase], ...] = tuple(ShockBase.__subclasses__())
"""Every shock kind's config model: a subclass of `ShockBase` with a `kind` literal is all it takes
to join the schema (its behaviour is one class in `shocks.py`, registered with `@shock`)."""

ShockConfig = Annotated[Union[SHOCK_CONFIGS], Field(discriminator="kind")]
SHOCK_KINDS = frozenset(get_args(cls.model_fields["kind"].annotation)[0] for cls in SHOCK_CONFIGS)


# -- stochastic paths ---------------------------------------------------------------------
# Processes a run draws its shocks from, on top of the `shocks` timeline, seeded from `run.seed`
# (`stochastic.realise`): the same seed draws the same shocks; each draw is in the run's outputs.

PerYear = Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)]
"""A Poisson intensity: expected events a year (0: none)."""


def _ordered(pair: tuple[Any, Any]) -> tuple[Any, Any]:
    if pair[0] > pair[1]:
        raise ValueError("[low, high] with low <= high")
    return pair


def Range(bound: Any) -> Any:
    """`[low, high]` of `bound` values, low <= high (a uniform draw's range)."""
    return Annotated[tuple[bound, bound], AfterValidator(_ordered)]


class JumpProcess(Model):
    """Jumps of the true value (defaults, disasters): a Poisson process, each jump a drop drawn
    uniformly from `drop_pct`."""

    per_year: PerYear = Field(0, description="expected jumps a year (Poisson intensity)")
    drop_pct: Range(Pct) = Field((5.0, 30.0), description="[low, high]: a jump's drop of the true value, "
                                 "percent, uniform in between")
    shock: Literal["natural_disaster", "nav_writedown"] = Field(
        "natural_disaster", description="what a jump is on the timeline: natural_disaster (nobody reports it: "
        "the routine reports see it) or nav_writedown (the custodian reports it at once)")


class TrueValueProcess(Model):
    """The true value as a geometric Brownian motion, d(ln V) = (mu - sigma^2/2) dt + sigma dW, drawn
    every `step_days` (linear in between), times the jumps."""

    drift_pct_per_year: Annotated[float, Field(ge=-1_000, le=1_000, allow_inf_nan=False)] = Field(
        0, description="mu, percent a year (continuous; on top of market.asset.yield_apr_bps)")
    volatility_pct_per_year: Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False)] = Field(
        0, description="sigma, percent a year (real estate ~10-20, a loan book's NAV less)")
    step_days: PositiveDays = Field(1, description="days between two drawn points of the path")
    jumps: JumpProcess = JumpProcess()


class DepthProcess(Model):
    """LPs pulling liquidity from the AMM: a Poisson process of `liquidity_withdrawal` shocks."""

    withdrawals_per_year: PerYear = Field(0, description="expected withdrawals a year (Poisson intensity)")
    share_pct: Range(Pct) = Field((10.0, 50.0), description="[low, high]: share of the AMM's depth a "
                                       "withdrawal pulls, percent, uniform in between")


class StablecoinProcess(Model):
    """Depegs of the borrowed stablecoin: a Poisson process of `stablecoin_depeg` shocks (one at a
    time: a depeg drawn while an earlier one lasts is dropped)."""

    depegs_per_year: PerYear = Field(0, description="expected depegs a year (Poisson intensity)")
    price_usd: Range(StablePrice) = Field((0.90, 0.99), description="[low, high]: the price "
                                                       "during a depeg, USD, uniform in between")
    duration_days: Range(PositiveDays) = Field((0.5, 3.0), description="[low, high]: how long a "
                                                             "depeg lasts, days, uniform in between")


class RumorProcess(Model):
    """Rumors: a Poisson process of `rumor` shocks (the timing of panic)."""

    per_year: PerYear = Field(0, description="expected rumors a year (Poisson intensity)")
    holder_share_bps: Range(Bps) = Field((500, 3_000), description="[low, high]: share of holders "
                                              "that rush to sell, bps, uniform in between (rounded)")
    within_minutes: Annotated[float, Field(gt=0, le=MAX_DAYS * 1_440, allow_inf_nan=False)] = 30


class StochasticConfig(Model):
    """Shocks drawn from processes, seeded from `run.seed`, between `from_days` and the end of the
    run; each process draws from its own stream, so adding one leaves the others' draws unchanged."""

    from_days: Days = Field(0, description="draws start here (days from the start of the run)")
    true_value: TrueValueProcess | None = None
    amm_depth: DepthProcess | None = None
    stablecoin: StablecoinProcess | None = None
    rumors: RumorProcess | None = None


# -- run ----------------------------------------------------------------------------------


class RunConfig(Model):
    duration_days: Annotated[float, Field(gt=0, le=3_650, allow_inf_nan=False)]
    block_time_seconds: Annotated[int, Field(ge=1, le=3_600)] = 12
    seed: Annotated[int, Field(ge=0, le=2**64 - 1)] = 0
    out_dir: Annotated[str, Field(min_length=1, max_length=1_000)] = Field(
        "results",
        description="results folder, relative to the working directory and without '..': a run writes "
        "into <out_dir>/<name>/seed-<seed> (or the script's explicit --out)",
    )

    @field_validator("out_dir")
    @classmethod
    def _out_dir_relative(cls, out_dir: str) -> str:
        path = PurePath(out_dir)
        if path.is_absolute() or ".." in path.parts or "\\" in out_dir or "\x00" in out_dir:
            raise ValueError("must be a relative folder without '..'; use the script's --out for another place")
        return out_dir

    rpc_timeout_seconds: Annotated[float, Field(gt=0, le=3_600, allow_inf_nan=False)] = Field(
        60.0,
        description="seconds one JSON-RPC request may wait for the node's answer; past it the node is taken "
        "for hung and the run stops, its outputs written and marked incomplete (the script's --rpc-timeout)",
    )


NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
"""A scenario's name: it becomes a folder name under the results folder."""


class Scenario(Model):
    name: Annotated[str, Field(pattern=NAME_PATTERN, max_length=100)] = Field(
        description="letters, digits, '_', '.', '-' (not first, no '..'): the results subfolder's name"
    )
    description: Annotated[str, Field(max_length=20_000)] = ""
    market: MarketConfig
    population: PopulationConfig
    agents: AgentsConfig = AgentsConfig()
    shocks: Annotated[list[ShockConfig], Field(max_length=1_000)] = []
    stochastic: StochasticConfig | None = Field(
        None, description="shocks drawn from processes (GBM and jumps of the true value, AMM depth, "
        "stablecoin depegs, rumors), seeded from run.seed, on top of `shocks`")
    venue: VenueConfig = VenueConfig()
    run: RunConfig

    def collateral_max_price_age_seconds(self) -> int:
        """The pool's `maxPriceAge` for the SPV token's feed: `market.oracle.max_age_seconds` if set,
        else a default that fits the feed's update cadence, so that the built-in scenarios' feeds
        never go stale between two regular updates.

        - latency feed: a round is published at each custodian report, or, when a deviation threshold
          holds a report back, at the heartbeat (a heartbeat publishes a waiting report; it never
          republishes an old answer), so the cadence is the larger of the report interval and the
          heartbeat, and the limit is that cadence + the longest publication delay in the scenario
          (its own or a later `oracle_latency_change`) + 10 % of the cadence for a late report + the
          longest `oracle_outage`. A NAV reported every 30 days with a 1 h delay: 33 days 1 h. With a
          deviation threshold and no heartbeat an unchanged NAV is never republished: 0 (unchecked).
        - TWAP: 0 (unchecked). The keeper updates the average only while the AMM price moves (the
          average of a still market does not change), so its age says nothing about its accuracy.

        - conservative oracle (`market.mitigations.oracle`): the pool reads its rounds, published by the
          keeper's `update()` in the block of every side's publication (a new side round makes a new
          round, even at an unchanged price) and at a freeze's end. With a TWAP side (`min_nav_twap`, or
          a `twap` feed): 0, as for a TWAP. Over a latency feed alone (`max_change_bps` only): the
          latency limit above + `freeze_seconds`, since a freeze holds the last round back that long
          after the report that started it.

        Outages count because the engine reads every account through the pool's views, which revert
        on a stale price; set the field to see the pool freeze, at the cost of those reads.
        """
        oracle, guard = self.market.oracle, self.market.mitigations.oracle
        if oracle.max_age_seconds is not None:
            return oracle.max_age_seconds
        if oracle.kind == "twap" or (oracle.deviation_bps and not oracle.heartbeat_seconds):
            return 0
        if guard.min_nav_twap:
            return 0
        # The feed gets a new answer only at a report; a heartbeat publishes a held-back one, it never
        # republishes an old answer (LatencyOracle, models.oracle): the longest gap is the larger of the two.
        cadence = max(oracle.heartbeat_seconds, round(self.market.custodian.report_every_days * SECONDS_PER_DAY))
        delay = max([oracle.delay_seconds] + [s.delay_seconds for s in self.shocks if s.kind == "oracle_latency_change"])
        outage = max([0] + [round(s.duration_days * SECONDS_PER_DAY) for s in self.shocks if s.kind == "oracle_outage"])
        freeze = guard.freeze_seconds if guard.max_change_bps else 0
        return cadence + delay + cadence // 10 + outage + freeze

    @model_validator(mode="after")
    def _rules_across_fields(self) -> "Scenario":
        if ".." in self.name:
            raise ValueError(f"name: must not contain '..' (got {self.name!r})")
        check_rules(self)
        return self


# -- rules across fields ------------------------------------------------------------------
# One home each: `Scenario` validation runs them at load, `population.deploy` again for scenarios
# copied with `model_copy` (which skips validation). Each message starts with the fields it names.


@dataclass
class Position:
    """A borrower's opening position (for the summary; the chain holds the live one)."""

    collateral_tokens: float
    debt_usd: float
    target_health_factor: float
    product: str = "spv"  # the collateral it supplies (`PRODUCTS`)


def product_nav0(scenario: Scenario, product: str) -> float:
    """A product's NAV per token at the start, USD: the SPV token's, the index's per share, a tranche's 1
    (an empty vault mints one tranche token per USD)."""
    if product == "spv":
        return scenario.market.asset.nav_per_token_usd
    if product == "index":
        return scenario.market.structured.index.nav_per_share_usd
    return 1.0


def product_reserve(scenario: Scenario, product: str) -> ReserveConfig:
    """The pool's reserve parameters of a collateral product."""
    if product == "spv":
        return scenario.market.lending.collateral
    return scenario.market.structured.listing(product).reserve


TAIL_PRODUCT_STREAM = 1
"""The tail borrowers' products are drawn from their own stream, `default_rng([seed, 1])`: adding a
product mix leaves every other draw of the seed as it was."""


def sample_positions(scenario: Scenario, rng: np.random.Generator) -> tuple[list[Position], int]:
    """The explicit positions, then the tail: collateral sizes (lognormal weights) and target health
    factors, from the seed; and how many targets were raised to the LTV limit."""
    pop = scenario.population
    explicit = [Position(p.collateral_usd / product_nav0(scenario, p.collateral),
                         p.collateral_usd * product_reserve(scenario, p.collateral).liquidation_threshold_bps / BPS
                         / p.health_factor, p.health_factor, p.collateral)
                for p in pop.positions]
    n = pop.borrowers
    if n == 0:
        return explicit, 0
    weights = rng.lognormal(mean=0.0, sigma=pop.collateral_size_sigma, size=n)
    sizes = pop.collateral_usd_total * weights / weights.sum()
    hf_cfg = pop.health_factor
    if hf_cfg.distribution == "lognormal":
        hfs = np.exp(rng.normal(math.log(hf_cfg.median), hf_cfg.sigma, size=n))
    else:
        hfs = rng.uniform(hf_cfg.min, hf_cfg.max, size=n)
    hfs = np.clip(hfs, hf_cfg.min, hf_cfg.max)
    products = tail_products(scenario, n)
    floors = np.array([hf_floor(scenario, p) for p in products])
    clamped = int((hfs < floors).sum())
    hfs = np.maximum(hfs, floors)
    positions = [Position(float(s / product_nav0(scenario, p)),
                          float(s * product_reserve(scenario, p).liquidation_threshold_bps / BPS / h), float(h), p)
                 for s, h, p in zip(sizes, hfs, products)]
    return explicit + positions, clamped


def products_supplied(scenario: Scenario) -> list[str]:
    """The products some borrower may supply (`PRODUCTS` order): the explicit positions' and the tail's."""
    p = scenario.population
    used = {x.collateral for x in p.positions}
    if p.borrowers:
        used |= {k for k, v in p.collateral_mix.items() if v > 0} if p.collateral_mix else {"spv"}
    return [x for x in PRODUCTS if x in used]


def tail_products(scenario: Scenario, n: int) -> list[str]:
    """The product each of the tail's `n` borrowers supplies: all 'spv', or drawn with
    `population.collateral_mix`'s chances from the seed's own stream (`TAIL_PRODUCT_STREAM`)."""
    mix = scenario.population.collateral_mix
    if not mix:
        return ["spv"] * n
    names = [p for p in PRODUCTS if mix.get(p, 0) > 0]
    chances = np.array([mix[p] for p in names])
    rng = np.random.default_rng([scenario.run.seed, TAIL_PRODUCT_STREAM])
    return [names[i] for i in rng.choice(len(names), size=n, p=chances / chances.sum())]


def hf_floor(scenario: Scenario, product: str = "spv") -> float:
    """The LTV limit in health-factor terms (liquidation threshold / LTV of the product's reserve), plus
    0.2 % for rounding: no borrower opens below it (0 without an LTV)."""
    coll = product_reserve(scenario, product)
    return coll.liquidation_threshold_bps / coll.ltv_bps * 1.002 if coll.ltv_bps else 0.0


def token_budget(scenario: Scenario) -> dict[str, float]:
    """Where the SPV tokens issued at the start go, in USD at the start NAV: the borrowers'
    collateral (tail + explicit positions), plain holders, the AMM's token side (half its depth) and
    the arbitrageurs' inventory (count x capital: each starts with that much in tokens beside its
    stablecoin). `market.asset.size_usd` must cover the sum (`check_rules`)."""
    m, p, a = scenario.market, scenario.population, scenario.agents
    budget = {
        "collateral": collateral_by_product(scenario).get("spv", 0.0),
        "holders": p.holders_usd_total,
        "amm_side": m.amm.depth_usd / 2,
        "arbitrage_inventory": a.arbitrageurs.count * a.arbitrageurs.capital_usd,
    }
    if m.structured is not None:  # the index's basket holds its share of the SPV token
        budget["index_basket"] = m.structured.index.size_usd * m.structured.index.weights_bps[0] / BPS
    return budget


def collateral_by_product(scenario: Scenario) -> dict[str, float]:
    """The borrowers' collateral by product, USD at the start NAVs: all of it 'spv' without a product
    mix; with one, summed over the seed's positions (`sample_positions`)."""
    p = scenario.population
    if not p.collateral_mix and all(x.collateral == "spv" for x in p.positions):
        return {"spv": p.collateral_usd_total + sum(x.collateral_usd for x in p.positions)}
    totals: dict[str, float] = {}
    for position in sample_positions(scenario, np.random.default_rng(scenario.run.seed))[0]:
        usd = position.collateral_tokens * product_nav0(scenario, position.product)
        totals[position.product] = totals.get(position.product, 0.0) + usd
    return totals


def check_rules(scenario: Scenario) -> None:
    """Every rule that spans fields; raises ScenarioError whose message starts with the fields."""
    s = scenario
    for i, shock in enumerate(s.shocks):
        if shock.at_days > s.run.duration_days:
            raise ScenarioError(
                f"shocks.{i}.at_days, run.duration_days: shock '{shock.kind}' at day {shock.at_days:g} is after "
                f"the end of the run (run.duration_days = {s.run.duration_days:g})"
            )
        if shock.kind == "oracle_latency_change" and s.market.oracle.kind == "twap":
            raise ScenarioError(
                f"shocks.{i}, market.oracle.kind: oracle_latency_change changes a latency feed's rules, "
                "the scenario's oracle is a twap (set market.oracle.kind = latency or remove the shock)"
            )
    if s.stochastic is not None:
        check_stochastic(s)
    stable = s.market.stablecoin
    if stable.fixed_price_usd is not None and stable.pricing != "fixed":
        raise ScenarioError(
            "market.stablecoin.fixed_price_usd, market.stablecoin.pricing: a fixed price needs pricing 'fixed' "
            f"(pricing is '{stable.pricing}': the pool follows the market)"
        )
    if s.market.asset.kind == "treasury_fund":
        for field, value in (("market.custodian.report_every_days", s.market.custodian.report_every_days),
                             ("market.asset.redemption_delay_days", s.market.asset.redemption_delay_days)):
            if value > 1:
                raise ScenarioError(
                    f"{field}, market.asset.kind: a treasury_fund has a daily NAV and T+0/T+1 redemptions: "
                    f"at most 1 day (got {value:g})"
                )
    check_mitigations(s)
    check_structured(s)
    budget = token_budget(s)
    needed = sum(budget.values())
    if needed > s.market.asset.size_usd:
        raise ScenarioError(
            "market.asset.size_usd, population.collateral_usd_total, population.positions, "
            "population.holders_usd_total, market.amm.depth_usd, agents.arbitrageurs: "
            f"the {s.market.asset.size_usd:,.0f} USD of tokens issued cannot cover collateral "
            f"({budget['collateral']:,.0f}) + holders ({budget['holders']:,.0f}) + AMM side "
            f"({budget['amm_side']:,.0f}) + arbitrage inventory ({budget['arbitrage_inventory']:,.0f}) "
            + (f"+ the index's basket ({budget['index_basket']:,.0f}) " if "index_basket" in budget else "")
            + f"= {needed:,.0f} USD"
        )
    asset = s.market.asset
    if asset.size_usd / asset.nav_per_token_usd * 10**SPV_DECIMALS > UINT112_MAX:
        raise ScenarioError(
            f"market.asset.size_usd, market.asset.nav_per_token_usd: {asset.size_usd:,.0f} USD at "
            f"{asset.nav_per_token_usd:g} USD a token is more tokens than the AMM's uint112 reserves hold "
            f"({UINT112_MAX / 10**SPV_DECIMALS:.3g} tokens of {SPV_DECIMALS} decimals)"
        )
    for product in products_supplied(s):
        if product_reserve(s, product).ltv_bps == 0:
            field = ("market.lending.collateral.ltv_bps" if product == "spv"
                     else f"market.structured.{'index' if product == 'index' else 'tranches.' + product}.reserve.ltv_bps")
            raise ScenarioError(f"{field}, population.borrowers: borrowers supply {product}, which needs LTV > 0")
    for i, p in enumerate(s.population.positions):
        floor, reserve = hf_floor(s, p.collateral), product_reserve(s, p.collateral)
        if p.health_factor < floor:
            field = "market.lending.collateral" if p.collateral == "spv" else f"market.structured ({p.collateral})"
            raise ScenarioError(
                f"population.positions.{i}.health_factor, {field}: {p.health_factor:g} is below "
                f"the LTV limit (liquidation threshold / LTV = {reserve.liquidation_threshold_bps}/{reserve.ltv_bps}, "
                f"plus 0.2 % for rounding: {floor:.4f})"
            )
    positions, _ = sample_positions(s, np.random.default_rng(s.run.seed))
    total_debt = sum(p.debt_usd for p in positions)
    if total_debt > s.market.lending.stable_supply_usd:
        raise ScenarioError(
            "market.lending.stable_supply_usd, population: lenders supply "
            f"{s.market.lending.stable_supply_usd:,.0f} USD but the population borrows {total_debt:,.0f} USD "
            f"at its target health factors (seed {s.run.seed})"
        )


POOL_ONLY_MITIGATIONS = ("collateral.liquidator_allowlist", "circuit_breakers.grace_period",
                         "circuit_breakers.liquidation_cap", "oracle.proof_of_reserve")
"""Mechanisms in our LendingPool that Aave V3.0's bytecode does not have (the proof-of-reserve executor
calls our pool's admin functions). The caps (listed with the reserves), the divergence pause and the
liquidity-aware LTV (the guardian as RISK_ADMIN through the PoolConfigurator), and the emergency stop (on
the SPV's own feed) work on both venues."""


def check_mitigations(s: Scenario) -> None:
    """Mitigations fit the scenario: the pool-only ones need venue 'ours'; an allowlist names no more
    liquidators than there are."""
    m = s.market.mitigations
    if s.venue.kind != "ours":
        used = [name for name in m.active() if name in POOL_ONLY_MITIGATIONS]
        if used:
            raise ScenarioError(
                f"{', '.join('market.mitigations.' + n for n in used)}, venue.kind: Aave V3.0 has no such mechanism; "
                "use venue.kind 'ours'")
    c, nav0 = m.collateral, s.market.asset.nav_per_token_usd
    for field, usd, tokens, unit in (("supply_cap_usd", c.supply_cap_usd, c.cap_tokens(nav0)[0], f"{nav0:g} USD a token"),
                                     ("debt_ceiling_usd", c.debt_ceiling_usd, c.cap_tokens(nav0)[1], "1 USD a token")):
        if usd > 0 and not 1 <= tokens <= MAX_CAP:
            raise ScenarioError(f"market.mitigations.collateral.{field}: {usd:,.2f} USD at {unit} is {tokens} whole "
                                f"tokens, outside the pool's caps [1, {MAX_CAP}] (0 would mean no cap)")
    if (c.supply_cap_usd or c.debt_ceiling_usd) and s.population.leverage_loops:
        raise ScenarioError("market.mitigations.collateral.supply_cap_usd, market.mitigations.collateral.debt_ceiling_usd, "
                            "population.leverage_loops: setup turns away the borrowers the caps leave out before "
                            "opening positions; a leverage loop's size depends on the AMM, so caps need leverage_loops 0")
    stop, oracle = m.circuit_breakers.emergency_stop, s.market.oracle
    if stop is not None and (oracle.kind != "latency" or oracle.delay_seconds == 0):
        raise ScenarioError(
            "market.mitigations.circuit_breakers.emergency_stop, market.oracle: an OSM-style stop acts on the "
            "delayed NAV feed, during its delay; needs market.oracle.kind 'latency' with delay_seconds > 0 "
            f"(the scenario has kind {oracle.kind!r}, delay_seconds {oracle.delay_seconds})")
    allow = m.collateral.liquidator_allowlist
    total = sum(g.count for g in s.agents.liquidators)
    if allow is not None and allow > total:
        raise ScenarioError(f"market.mitigations.collateral.liquidator_allowlist, agents.liquidators: {allow} "
                            f"allowlisted but the scenario has {total} liquidators")


def check_structured(s: Scenario) -> None:
    """`market.structured` fits the market: our pool, the latency NAV feed the index reads (no conservative
    oracle in front of it), one weight per basket token summing to 10,000, each component and product
    issued in amounts that cover where setup puts them; products supplied by borrowers are listed."""
    st, m = s.market.structured, s.market
    symbols = [c.symbol for c in st.components] if st is not None else []
    for i, shock in enumerate(s.shocks):
        target = getattr(shock, "asset", None)
        if target is not None and target not in symbols:
            raise ScenarioError(
                f"shocks.{i}.asset, market.structured.components: {target!r} names no component (components: "
                f"{', '.join(symbols) or 'none, market.structured is not set'}); leave it unset for market.asset")
    listed = ("spv",) + (st.products() if st is not None else ())
    for product in products_supplied(s):
        if product not in listed:
            raise ScenarioError(
                f"population.collateral_mix, population.positions, market.structured: borrowers supply {product!r}, "
                f"which the market does not list (listed: {', '.join(listed)})")
    if st is None:
        return
    if s.venue.kind != "ours":
        raise ScenarioError("market.structured, venue.kind: structured products are listed on our pool only "
                            "(venue.kind 'ours')")
    if len(set(symbols + [m.asset.symbol])) != len(symbols) + 1:
        raise ScenarioError(f"market.structured.components, market.asset.symbol: every SPV token needs its own symbol "
                            f"(got {', '.join([m.asset.symbol] + symbols)})")
    if m.oracle.kind != "latency" or m.mitigations.oracle.enabled:
        raise ScenarioError("market.structured, market.oracle, market.mitigations.oracle: the index is priced from "
                            "each SPV token's latency NAV feed; needs market.oracle.kind 'latency' without the "
                            "conservative oracle")
    active = m.mitigations.active()
    if active:
        raise ScenarioError(f"market.structured, {', '.join('market.mitigations.' + a for a in active)}: the remedies "
                            "guard the SPV token's reserve alone; with structured products they are not supported yet")
    redeem = [i for i, g in enumerate(s.agents.liquidators) if g.disposal == "redeem" and not g.atomic]
    if redeem:
        raise ScenarioError(f"market.structured, agents.liquidators.{redeem[0]}.disposal: a 'redeem' desk redeems SPV "
                            "tokens; with structured products use 'amm' or 'hold' (or atomic liquidators)")
    span = s.run.duration_days - (s.stochastic.from_days if s.stochastic is not None else 0)
    for i, c in enumerate(st.components):
        if c.true_value is not None and c.true_value.jumps.shock != "natural_disaster":
            raise ScenarioError(f"market.structured.components.{i}.true_value.jumps.shock: a component's jumps are "
                                "natural_disaster shocks (a nav_writedown reports market.asset at once)")
        if c.true_value is not None and span / c.true_value.step_days > MAX_DRAWN_POINTS:
            raise ScenarioError(f"market.structured.components.{i}.true_value.step_days, run.duration_days: {span:g} "
                                f"days in steps of {c.true_value.step_days:g} are more than {MAX_DRAWN_POINTS:,} points")
    weights = st.index.weights_bps
    if len(weights) != 1 + len(st.components) or sum(weights) != BPS:
        raise ScenarioError(
            f"market.structured.index.weights_bps, market.structured.components: one weight for market.asset and "
            f"each of the {len(st.components)} components ({1 + len(st.components)}), summing to {BPS:,} "
            f"(got {len(weights)} weights summing to {sum(weights):,})")
    for i, (component, weight) in enumerate(zip(st.components, weights[1:])):
        needed = st.index.size_usd * weight / BPS
        if needed > component.size_usd:
            raise ScenarioError(
                f"market.structured.components.{i}.size_usd, market.structured.index: the index's basket holds "
                f"{needed:,.0f} USD of {component.symbol} but only {component.size_usd:,.0f} USD is issued")
    collateral = collateral_by_product(s)
    tranches = st.tranches
    uses = {"index": ("market.structured.index.size_usd",
                      {"AMM side": st.index.amm_depth_usd / 2, "collateral": collateral.get("index", 0.0)}
                      | ({"senior deposit": tranches.senior.size_usd, "junior deposit": tranches.junior.size_usd}
                         if tranches is not None else {}))}
    if tranches is not None:
        for side in ("senior", "junior"):
            uses[side] = (f"market.structured.tranches.{side}.size_usd",
                          {"AMM side": getattr(tranches, side).amm_depth_usd / 2, "collateral": collateral.get(side, 0.0)})
    for product, (field, parts) in uses.items():
        size = st.index.size_usd if product == "index" else getattr(tranches, product).size_usd
        if sum(parts.values()) > size:
            spelled = " + ".join(f"{k} ({v:,.0f})" for k, v in parts.items())
            raise ScenarioError(f"{field}, population: the {size:,.0f} USD of {product} issued cannot cover "
                                f"{spelled} = {sum(parts.values()):,.0f} USD")


MAX_EXPECTED_DRAWS = 500
"""The most events a stochastic process may expect in a run (its intensity x the span it draws in)."""


def check_stochastic(s: Scenario) -> None:
    """The stochastic section fits the run: draws start before its end, a GBM path has at most
    `MAX_DRAWN_POINTS` points, a process expects at most `MAX_EXPECTED_DRAWS` events."""
    st, days = s.stochastic, s.run.duration_days
    if st.from_days >= days:
        raise ScenarioError(f"stochastic.from_days, run.duration_days: draws start at day {st.from_days:g}, "
                            f"not before the end of the run (day {days:g})")
    span = days - st.from_days
    if st.true_value is not None and span / st.true_value.step_days > MAX_DRAWN_POINTS:
        raise ScenarioError(
            f"stochastic.true_value.step_days, run.duration_days: {span:g} days in steps of "
            f"{st.true_value.step_days:g} are more than {MAX_DRAWN_POINTS:,} points; take a longer step")
    rates = {"stochastic.true_value.jumps.per_year": st.true_value and st.true_value.jumps.per_year,
             "stochastic.amm_depth.withdrawals_per_year": st.amm_depth and st.amm_depth.withdrawals_per_year,
             "stochastic.stablecoin.depegs_per_year": st.stablecoin and st.stablecoin.depegs_per_year,
             "stochastic.rumors.per_year": st.rumors and st.rumors.per_year}
    for field, rate in rates.items():
        expected = (rate or 0) * span / DAYS_PER_YEAR
        if expected > MAX_EXPECTED_DRAWS:
            raise ScenarioError(f"{field}, run.duration_days: {rate:g} a year over {span:g} days expects "
                                f"{expected:,.0f} events, more than {MAX_EXPECTED_DRAWS}")


def replay_command(scenario: str, seed: int, overrides: Sequence[str] = ()) -> str:
    """The `ape run crash_scenario` command that runs `scenario` with `seed` and `overrides` alone
    (the same seed draws the same stochastic shocks)."""
    parts = ["ape", "run", "crash_scenario", "--scenario", scenario, "--seed", str(seed)]
    for assignment in overrides:
        parts += ["--set", assignment]
    return shlex.join(parts)


# -- loading ------------------------------------------------------------------------------


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def resolve(name_or_path: str) -> Path:
    """A built-in scenario's name, or a path to a YAML file."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ScenarioError(f"scenario file not found: {path}")
        return path
    builtin = BUILTIN_DIR / f"{name_or_path}.yaml"
    if not builtin.is_file():
        raise ScenarioError(
            f"unknown scenario '{name_or_path}'; built-in: {', '.join(builtin_names())} (or give a .yaml path)"
        )
    return builtin


MAX_FILE_BYTES = 256 * 1024
"""The largest scenario file read (the built-in ones are under 5 KB)."""
MAX_NODES = 20_000
"""The most YAML nodes a document (or a `--set` value) may hold with its aliases expanded: a
scenario has a few hundred; an alias bomb (`a: &a [x, x]`, `b: &b [*a, *a]`, ...) doubles per line."""
MAX_MESSAGE_CHARS = 2_000
"""Error messages are cut to this length (a rejected value is quoted by at most 80 characters)."""


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that counts every node with aliases expanded and stops past
    `MAX_NODES`, so a small file cannot build a huge document; recursive aliases are refused."""

    def __init__(self, stream):
        super().__init__(stream)
        self._sizes: dict[int, int] = {}  # id(node) -> its expanded size, once composed

    def compose_document(self):
        self._sizes = {}
        return super().compose_document()

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor
            target = self.anchors.get(anchor)
            if target is not None and id(target) not in self._sizes:
                raise ScenarioError(f"YAML alias *{anchor} refers to a node that contains it (recursive)")
        node = super().compose_node(parent, index)
        size = self._sizes.get(id(node))
        if size is None:
            if isinstance(node, yaml.SequenceNode):
                size = 1 + sum(self._sizes.get(id(c), 1) for c in node.value)
            elif isinstance(node, yaml.MappingNode):
                size = 1 + sum(self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1) for k, v in node.value)
            else:
                size = 1
            self._sizes[id(node)] = size
        if size > MAX_NODES:
            raise ScenarioError(f"YAML document too large: more than {MAX_NODES:,} values with aliases expanded")
        return node


def parse_yaml(text: str, where: str) -> Any:
    """Parses YAML with the safe loader and the limits above; any failure is one ScenarioError."""
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(f"{where}: larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        return yaml.load(text, Loader=_LimitedLoader)  # noqa: S506 - a SafeLoader subclass
    except ScenarioError as err:
        raise ScenarioError(_truncate(f"{where}: {err}")) from None
    except (yaml.YAMLError, ValueError, RecursionError) as err:  # ValueError: int too long to convert
        raise ScenarioError(_truncate(f"{where}: not valid YAML: {_one_line(err)}")) from None


def _one_line(err: Exception) -> str:
    """A YAML error as one line: what is wrong and where (PyYAML's own text spans lines with a caret)."""
    if isinstance(err, yaml.MarkedYAMLError):
        parts = [p for p in (err.context, err.problem) if p]
        mark = err.problem_mark or err.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return ", ".join(parts) + where
    return " ".join(str(err).split()) or type(err).__name__


def _truncate(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 30] + f" ... ({len(text) - limit + 30:,} more characters)"


APPEND = "+"
"""As the last key of `--set`, appends the value to the list there: `--set shocks.+={kind: rumor, ...}`."""


def apply_override(data: dict, assignment: str) -> None:
    """Applies `key.path=value` (value parsed as YAML; list items by index) to raw scenario data.
    A mapping value replaces the whole object there; a last key `+` appends to the list there
    (`agents.liquidators.+={count: 2, atomic: true}`)."""
    if "=" not in assignment:
        raise ScenarioError(f"--set expects key.path=value, got '{_truncate(assignment, 200)}'")
    key, raw = assignment.split("=", 1)
    parts = key.strip().split(".")
    key = _truncate(key.strip(), 100)  # as shown in messages
    if not all(parts):
        raise ScenarioError(f"--set: empty key in '{_truncate(assignment, 200)}'")
    if APPEND in parts[:-1]:
        raise ScenarioError(f"--set {key}: '{APPEND}' appends to a list and must be the last key")
    value = parse_yaml(raw, f"--set {key}") if raw.strip() else raw
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            node = node[_list_index(node, part, f"--set {key}: '{_truncate(where, 100)}'")]
        elif isinstance(node, dict):
            if part not in node and depth == len(parts) - 2 and parts[-1] == APPEND:
                node[part] = _default_list(tuple(parts[:depth]), part)
            node = node.setdefault(part, {})
        else:
            raise ScenarioError(f"--set {key}: '{_truncate(where, 100)}' is not a mapping")
    last = parts[-1]
    if last == APPEND:
        if not isinstance(node, list):
            raise ScenarioError(f"--set {key}: '{APPEND}' appends to a list, and the value there is not a list")
        if len(node) >= MAX_NODES:
            raise ScenarioError(f"--set {key}: the list already holds {len(node):,} items")
        node.append(value)
    elif isinstance(node, list):
        node[_list_index(node, last, f"--set {key}: '{_truncate(last, 40)}'")] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError(f"--set {key}: parent is not a mapping")


def _default_list(loc: tuple, field: str) -> list:
    """The schema's default for the list `field` of the object at `loc`, as raw data (for `+` on a
    list the document leaves out: `agents.liquidators.+=...` adds to the default liquidator)."""
    model = _model_at(tuple(int(p) if p.isascii() and p.isdigit() else p for p in loc))
    info = model.model_fields.get(field) if model is not None else None
    default = info.default if info is not None else None
    if not isinstance(default, list):
        return []
    return [x.model_dump(exclude_defaults=True) if isinstance(x, BaseModel) else x for x in default]


def _list_index(node: list, part: str, what: str) -> int:
    """`part` as an index of `node`: ASCII digits only (not '²' or '٣'), within the list."""
    if not re.fullmatch(r"[0-9]{1,9}", part) or int(part) >= len(node):
        span = f"0 to {len(node) - 1}" if node else "it is empty"
        raise ScenarioError(f"{what} is not an index of that list ({span}; '{APPEND}' as the last key appends)")
    return int(part)


def _format_errors(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"] if not (isinstance(p, str) and p in SHOCK_KINDS))  # pydantic names the union member in error paths: dropped
        msg = e["msg"].removeprefix("Value error, ")
        if not loc and _NAMES_FIELDS.match(msg):  # a rule across fields names them itself
            lines.append(msg)
        else:
            got = f" (got {_truncate(repr(e['input']), 80)})" if e["type"] != "missing" and not isinstance(e["input"], dict) else ""
            if e["type"] == "extra_forbidden":
                model = _model_at(e["loc"][:-1])
                if model is not None:
                    got += f"; allowed here: {', '.join(model.model_fields)}"
            lines.append(f"{loc or '<root>'}: {msg}{got}")
    return _truncate("; ".join(lines))


def _model_types(annotation: Any) -> list[Any]:
    """The types inside an annotation: Annotated, Optional, Union, list and tuple unwrapped."""
    args = get_args(annotation)
    if not args:
        return [annotation]
    if hasattr(annotation, "__metadata__"):  # Annotated[T, ...]
        return _model_types(args[0])
    return [t for a in args for t in _model_types(a)]


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model that validates the object at an error's `loc` (None if it cannot be told): its
    fields are what that object allows."""
    model: type[BaseModel] = Scenario
    candidates: list[Any] = [Scenario]
    for part in loc:
        if isinstance(part, int):
            continue  # list or tuple item: same candidates
        if part in SHOCK_KINDS:
            candidates = [c for c in candidates if isinstance(c, type) and issubclass(c, ShockBase)
                          and part in get_args(c.model_fields["kind"].annotation)]
            continue
        models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel) and part in c.model_fields]
        if len(models) != 1:
            return None
        candidates = _model_types(models[0].model_fields[part].annotation)
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if len(models) == 1:
        model = models[0]
        return model
    return None


_NAMES_FIELDS = re.compile(r"^[a-z_][\w.]*(, [a-z_][\w.]*)*: ")


def from_dict(data: dict, source: str = "<scenario>") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(f"invalid scenario {source}: {_format_errors(err)}") from None


def load(name_or_path: str, overrides: tuple[str, ...] | list[str] = (), seed: int | None = None,
         out_dir: str | None = None) -> Scenario:
    """Reads, overrides (`key.path=value`), validates. Raises ScenarioError naming the field path."""
    path = resolve(name_or_path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{path}: cannot be read: {err}") from None
    data = parse_yaml(text, str(path))
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping at the top level")
    for assignment in overrides:
        apply_override(data, assignment)
    for field, value in (("seed", seed), ("out_dir", out_dir)):
        if value is not None:
            run = data.setdefault("run", {})
            if not isinstance(run, dict):
                raise ScenarioError(f"invalid scenario {path}: run: a mapping is expected (got {_truncate(repr(run), 80)})")
            run[field] = value
    return from_dict(data, str(path))
