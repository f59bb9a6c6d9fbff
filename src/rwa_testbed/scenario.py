"""Scenarios are data: a YAML file validated against this schema before any chain work.

Units are in field names: `_usd` (US dollars), `_bps` (basis points, 10_000 = 100 %), `_seconds`,
`_days`, `_pct` (percent, 100 = 100 %). Times of shocks are days from the start of the run.
Every model forbids unknown fields, so a typo stops the run with the field's path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

BUILTIN_DIR = Path(__file__).parent / "scenarios"

Bps = Annotated[int, Field(ge=0, le=10_000)]
Pct = Annotated[float, Field(ge=0, le=100)]
PositiveUsd = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


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

    kind: Literal["private_credit", "real_estate"]
    name: str = "RWA SPV token"
    symbol: str = "RWA"
    size_usd: PositiveUsd = Field(description="value of the whole asset at the start")
    nav_per_token_usd: PositiveUsd = 1.0
    yield_apr_bps: Bps = Field(0, description="true value accrues this yield between shocks")
    redemption_delay_days: NonNegative = 30
    redemption_gate_bps: Bps = 500
    gate_window_days: Annotated[float, Field(gt=0)] = 30
    cash_reserve_bps: Bps = Field(500, description="share of the asset the SPV keeps in stablecoin")


class CustodianConfig(Model):
    """Which off-chain value the custodian attests, and when."""

    report_every_days: Annotated[float, Field(gt=0)] = 30
    reporting_lag_days: NonNegative = Field(0, description="a report states the true NAV this long ago")


class OracleConfig(Model):
    """The feed that prices the SPV token in the lending pool."""

    kind: Literal["latency", "twap"] = "latency"
    delay_seconds: Annotated[int, Field(ge=0)] = 0
    heartbeat_seconds: Annotated[int, Field(ge=0)] = 0
    deviation_bps: Bps = 0
    twap_window_seconds: Annotated[int, Field(gt=0)] = 1800
    max_age_seconds: Annotated[int, Field(ge=0)] | None = Field(
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
        if self.ltv_bps > self.liquidation_threshold_bps:
            raise ValueError("ltv_bps must not exceed liquidation_threshold_bps")
        if self.liquidation_threshold_bps:
            if self.liquidation_bonus_bps <= 10_000:
                raise ValueError("liquidation_bonus_bps must exceed 10000 (100 %) when used as collateral")
            if self.liquidation_threshold_bps * self.liquidation_bonus_bps > 10_000 * 10_000:
                raise ValueError("liquidation_threshold_bps x liquidation_bonus_bps must be at most 100 %")
        return self


class LendingConfig(Model):
    collateral: ReserveConfig = Field(description="the SPV token's reserve")
    stablecoin: ReserveConfig = Field(description="the borrowed stablecoin's reserve")
    stable_supply_usd: PositiveUsd = Field(description="stablecoin supplied by lenders")


class StablecoinConfig(Model):
    name: str = "USD Coin"
    symbol: str = "USDC"


class ExistingContracts(Model):
    """Contracts already on the chain (a fork) that the scenario uses instead of deploying its own."""

    stable_feed_address: Address | None = Field(
        None,
        description="a Chainlink-style USD feed of the stablecoin already on the chain (e.g. USDC / USD on a "
        "mainnet fork): the venue prices the stablecoin off it. A settable mock feed's code is installed at "
        "that address (anvil_setCode), starting from the feed's current answer, so stablecoin shocks move the "
        "price every contract there reads; a fork-only cheat",
    )


class MarketConfig(Model):
    asset: AssetConfig
    custodian: CustodianConfig = CustodianConfig()
    oracle: OracleConfig = OracleConfig()
    amm: AmmConfig
    lending: LendingConfig
    stablecoin: StablecoinConfig = StablecoinConfig()
    existing: ExistingContracts = ExistingContracts()


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
    min: Annotated[float, Field(gt=1.0)] = 1.05
    max: Annotated[float, Field(gt=1.0)] = 2.0
    median: Annotated[float, Field(gt=1.0)] = 1.3
    sigma: Annotated[float, Field(ge=0)] = 0.25

    @model_validator(mode="after")
    def _ordered(self) -> "HealthFactorDistribution":
        if not self.min <= self.median <= self.max:
            raise ValueError("need min <= median <= max")
        return self


class ExplicitPosition(Model):
    """One borrower given by hand (a dominant position beside the lognormal tail)."""

    collateral_usd: PositiveUsd = Field(description="value of the SPV tokens it supplies, at the start NAV")
    health_factor: Annotated[float, Field(gt=1.0)] = Field(
        description="its health factor once it has borrowed (at least liquidation threshold / LTV)"
    )
    label: str = Field("", description="a name for reports (e.g. 'whale')")


class PopulationConfig(Model):
    borrowers: Annotated[int, Field(ge=0, le=100_000)] = Field(
        100, description="borrowers in the lognormal tail (besides `positions`)"
    )
    collateral_usd_total: NonNegative = Field(description="value of SPV tokens the lognormal tail supplies as collateral")
    positions: list[ExplicitPosition] = Field(
        [],
        description="borrowers given one by hand, opened first (borrower 0, 1, ...), e.g. one dominant "
        "position; `borrowers` and `collateral_usd_total` describe the tail that follows them",
    )
    collateral_size_sigma: NonNegative = Field(1.0, description="lognormal dispersion of position sizes")
    health_factor: HealthFactorDistribution = HealthFactorDistribution()
    leverage_loops: Annotated[int, Field(ge=0, le=5)] = Field(
        0, description="times each borrower buys SPV on the AMM with its loan and supplies it again"
    )
    holders: Annotated[int, Field(ge=0, le=100_000)] = 20
    holders_usd_total: NonNegative = Field(0, description="SPV tokens held by plain holders (may panic-sell)")


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
    liquidators: list[LiquidatorConfig] = [LiquidatorConfig()]
    arbitrageurs: ArbitrageurConfig = ArbitrageurConfig()
    panic_sellers: PanicSellerConfig = PanicSellerConfig()
    liquidity_providers: LiquidityProviderConfig = LiquidityProviderConfig()


# -- shocks -------------------------------------------------------------------------------


class ShockBase(Model):
    at_days: NonNegative = Field(description="when the shock starts, days from the start of the run")
    offchain_days: NonNegative | None = Field(
        None,
        description="how long the event takes to play out off-chain (defaults per kind: the default "
        "wave's length, 180 days for a hack's legal fight, 90 for a disaster's damage assessment, "
        "else 0); the slow side of the months-vs-minutes comparison",
    )


class DefaultWave(ShockBase):
    """True NAV decays by `nav_drop_pct` linearly over `over_days`, as loan defaults accrue."""

    kind: Literal["default_wave"]
    nav_drop_pct: Pct
    over_days: Annotated[float, Field(gt=0)]


class NavWritedown(ShockBase):
    """The custodian writes the NAV down at once and reports it off-cycle."""

    kind: Literal["nav_writedown"]
    nav_drop_pct: Pct
    report_immediately: bool = True


class Rumor(ShockBase):
    """A share of holders try to sell within minutes, before any oracle move."""

    kind: Literal["rumor"]
    holder_share_bps: Bps
    within_minutes: Annotated[float, Field(gt=0)] = 30


class CustodianHack(ShockBase):
    """Redemptions frozen, legal claim impaired, fair value uncertain."""

    kind: Literal["custodian_hack"]
    value_haircut_pct: Pct = Field(0, description="drop of the true value (stolen or contested)")


class NaturalDisaster(ShockBase):
    """Property value drops at once (hurricane, flood, earthquake)."""

    kind: Literal["natural_disaster"]
    value_drop_pct: Pct


class LiquidityWithdrawal(ShockBase):
    """LPs pull a share of AMM depth."""

    kind: Literal["liquidity_withdrawal"]
    share_pct: Pct


class OracleOutage(ShockBase):
    """The oracle publishes nothing for `duration_days`."""

    kind: Literal["oracle_outage"]
    duration_days: Annotated[float, Field(gt=0)]


class OracleLatencyChange(ShockBase):
    """The SPV feed's latency rules change."""

    kind: Literal["oracle_latency_change"]
    delay_seconds: Annotated[int, Field(ge=0)]
    heartbeat_seconds: Annotated[int, Field(ge=0)] = 0
    deviation_bps: Bps = 0


class StablecoinDepeg(ShockBase):
    """The stablecoin's feed drops to `price_usd` for `duration_days`."""

    kind: Literal["stablecoin_depeg"]
    price_usd: Annotated[float, Field(gt=0, le=2)]
    duration_days: Annotated[float, Field(gt=0)]


ShockConfig = Annotated[
    Union[
        DefaultWave,
        NavWritedown,
        Rumor,
        CustodianHack,
        NaturalDisaster,
        LiquidityWithdrawal,
        OracleOutage,
        OracleLatencyChange,
        StablecoinDepeg,
    ],
    Field(discriminator="kind"),
]


# -- run ----------------------------------------------------------------------------------


class RunConfig(Model):
    duration_days: Annotated[float, Field(gt=0, le=3_650)]
    block_time_seconds: Annotated[int, Field(ge=1, le=3_600)] = 12
    seed: Annotated[int, Field(ge=0)] = 0
    out_dir: str = "results"


class Scenario(Model):
    name: str
    description: str = ""
    market: MarketConfig
    population: PopulationConfig
    agents: AgentsConfig = AgentsConfig()
    shocks: list[ShockConfig] = []
    venue: VenueConfig = VenueConfig()
    run: RunConfig

    def collateral_max_price_age_seconds(self) -> int:
        """The pool's `maxPriceAge` for the SPV token's feed: `market.oracle.max_age_seconds` if set,
        else a default that fits the feed's update cadence, so that the built-in scenarios' feeds
        never go stale between two regular updates.

        - latency feed: a round is published at each custodian report (or at each heartbeat, if one
          is set), so the limit is that cadence + the longest publication delay in the scenario (its
          own or a later `oracle_latency_change`) + 10 % of the cadence for a late report + the
          longest `oracle_outage`. A NAV reported every 30 days with a 1 h delay: 33 days 1 h. With a
          deviation threshold and no heartbeat an unchanged NAV is never republished: 0 (unchecked).
        - TWAP: 0 (unchecked). The keeper updates the average only while the AMM price moves (the
          average of a still market does not change), so its age says nothing about its accuracy.

        Outages count because the engine reads every account through the pool's views, which revert
        on a stale price; set the field to see the pool freeze, at the cost of those reads.
        """
        oracle = self.market.oracle
        if oracle.max_age_seconds is not None:
            return oracle.max_age_seconds
        if oracle.kind == "twap" or (oracle.deviation_bps and not oracle.heartbeat_seconds):
            return 0
        cadence = oracle.heartbeat_seconds or round(self.market.custodian.report_every_days * 86_400)
        delay = max([oracle.delay_seconds] + [s.delay_seconds for s in self.shocks if s.kind == "oracle_latency_change"])
        outage = max([0] + [round(s.duration_days * 86_400) for s in self.shocks if s.kind == "oracle_outage"])
        return cadence + delay + cadence // 10 + outage

    @model_validator(mode="after")
    def _shocks_within_run(self) -> "Scenario":
        for i, shock in enumerate(self.shocks):
            if shock.at_days > self.run.duration_days:
                raise ValueError(
                    f"shocks.{i}.at_days: shock '{shock.kind}' at day {shock.at_days:g} is after "
                    f"the end of the run (run.duration_days = {self.run.duration_days:g})"
                )
        return self


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


def apply_override(data: dict, assignment: str) -> None:
    """Applies `key.path=value` (value parsed as YAML; list items by index) to raw scenario data."""
    if "=" not in assignment:
        raise ScenarioError(f"--set expects key.path=value, got '{assignment}'")
    key, raw = assignment.split("=", 1)
    parts = key.strip().split(".")
    if not all(parts):
        raise ScenarioError(f"--set: empty key in '{assignment}'")
    value = yaml.safe_load(raw) if raw.strip() else raw
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(f"--set {key}: '{where}' is not an index of that list")
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            raise ScenarioError(f"--set {key}: '{where}' is not a mapping")
    last = parts[-1]
    if isinstance(node, list):
        if not last.isdigit() or int(last) >= len(node):
            raise ScenarioError(f"--set {key}: '{last}' is not an index of that list")
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError(f"--set {key}: parent is not a mapping")


def _format_errors(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
        msg = e["msg"].removeprefix("Value error, ")
        if msg.startswith("shocks.") and ":" in msg:  # the validator names the path itself
            lines.append(msg)
        else:
            lines.append(f"{loc or '<root>'}: {msg}" + (f" (got {e['input']!r})" if e["type"] != "missing" and not isinstance(e["input"], dict) else ""))
    return "; ".join(lines)


_UNION_TAGS = {
    "default_wave",
    "nav_writedown",
    "rumor",
    "custodian_hack",
    "natural_disaster",
    "liquidity_withdrawal",
    "oracle_outage",
    "oracle_latency_change",
    "stablecoin_depeg",
}


def from_dict(data: dict, source: str = "<scenario>") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(f"invalid scenario {source}: {_format_errors(err)}") from None


def load(name_or_path: str, overrides: tuple[str, ...] | list[str] = (), seed: int | None = None,
         out_dir: str | None = None) -> Scenario:
    """Reads, overrides (`key.path=value`), validates. Raises ScenarioError naming the field path."""
    path = resolve(name_or_path)
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ScenarioError(f"{path}: not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping at the top level")
    for assignment in overrides:
        apply_override(data, assignment)
    if seed is not None:
        data.setdefault("run", {})["seed"] = seed
    if out_dir is not None:
        data.setdefault("run", {})["out_dir"] = out_dir
    return from_dict(data, str(path))
