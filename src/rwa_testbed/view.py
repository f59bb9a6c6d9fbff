"""The per-step view of the chain that agents, metrics and the engine share (a value type: reads
nothing, sends nothing). The venues decode their account reads into `AccountData` (`models.aave`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .models.aave import NO_LIQUIDATION_CAP, AccountData, LiquidationCapState
from .models.oracle import Side
from .units import FEED_DECIMALS, SPV_DECIMALS, STABLE_DECIMALS

if TYPE_CHECKING:
    from .abi import Bound

__all__ = ["AccountData", "NewestObservation", "ProductView", "VaultView", "View"]


@dataclass(frozen=True)
class ProductView:
    """A collateral product at a step: the pool's feed for it (answer, 8 decimals, and its `updatedAt`) and
    its pair's reserves (token units, 18 decimals; stablecoin units)."""

    answer: int
    updated_at: int
    token_reserve: int
    stable_reserve: int

    def amm_price_usd(self, stable_usd: float) -> float:
        """Marginal AMM price of one token in USD, the stablecoin at `stable_usd`."""
        if self.token_reserve == 0:
            return 0.0
        return (self.stable_reserve / 10**STABLE_DECIMALS) / (self.token_reserve / 10**SPV_DECIMALS) * stable_usd


@dataclass(frozen=True)
class VaultView:
    """The tranche vault's state: its index balance (18 decimals), the senior's claim (USD, 8 decimals) and
    both tranches' supplies (18 decimals)."""

    index_balance: int
    senior_claim: int
    senior_supply: int
    junior_supply: int


@dataclass(frozen=True)
class NewestObservation:
    """The newest observation queued in a latency feed: answer (8 decimals), queue index, and whether
    it is still pending (neither published nor skipped)."""

    answer: int
    index: int
    pending: bool


@dataclass
class View:
    """Chain state read (in one batch) at the start of a step, before its block is mined."""

    t: int  # seconds since the start of the run
    oracle_answer: int  # SPV feed, 8 decimals (0 before the first publication)
    oracle_updated_at: int
    stable_answer: int  # stablecoin feed, 8 decimals
    spv_reserve: int  # AMM reserves, token units
    stable_reserve: int
    accounts: list[AccountData]  # per borrower, in population order
    deficit: int  # bad debt in the stablecoin, 6 decimals (our pool's deficit; Aave: debt left without collateral)
    nav_per_token: int  # SPV's latest attested NAV, 6 decimals per 1e18 tokens
    redemptions_frozen: bool
    impaired: bool
    balances: dict[tuple[str, str], int] = field(default_factory=dict)
    debt_rate_ray: int = 0  # the stablecoin reserve's variable borrow rate, RAY per year
    debt_rate_updated_at: int = 0  # chain time of that reserve's last update (the rate holds until its next action)
    cash_reserve: int = 0  # the SPV's stablecoin for redemptions, 6 decimals (`cashReserve`)
    pending_redemption_shares: int = 0  # shares in the SPV's redemption escrow, 18 decimals
    # The stablecoin's market price when the pool's feed does not follow it (`market.stablecoin.pricing:
    # fixed`, from the off-chain world); None: the feed's answer is the market price.
    stable_market_usd: float | None = None
    # With the conservative oracle (then `oracle_answer` is its price): its sides' latest rounds, 8
    # decimals (None: no such side, or no conservative oracle).
    nav_side: Side | None = None
    twap_side: Side | None = None
    # Our pool's liquidation circuit breakers (`market.mitigations.circuit_breakers`), read only when the
    # scenario has them: the chain time until which a grace period on the SPV or the stablecoin reserve
    # blocks liquidations (the later of the two; 0: none), and the SPV reserve's cap per window.
    liquidation_grace_until: int = 0
    liquidation_cap: LiquidationCapState = NO_LIQUIDATION_CAP
    # With a proof-of-reserve check (`market.mitigations.oracle.proof_of_reserve`): the attested reserves
    # (None before the first report) and the SPV token's supply, token units (18 decimals).
    reserves_reported: int | None = None
    spv_supply: int = 0
    # With an emergency stop (`market.mitigations.circuit_breakers.emergency_stop`): the NAV feed's newest
    # observation (`LatencyOracle.latestObservation`); None without one.
    newest_observation: NewestObservation | None = None
    # With structured products (`market.structured`): each listed product (index, senior, junior), the
    # components' NAV feed answers (8 decimals, in `market.structured.components` order) and the vault.
    products: dict[str, ProductView] = field(default_factory=dict)
    component_answers: tuple[int, ...] = ()
    vault: VaultView | None = None

    def line(self, product: str) -> ProductView:
        """Collateral product `product` (`scenario.PRODUCTS`) as a `ProductView`: the SPV token's from the
        view's own fields, a structured product's from `products`."""
        if product == "spv":
            return ProductView(self.oracle_answer, self.oracle_updated_at, self.spv_reserve, self.stable_reserve)
        return self.products[product]

    def balance(self, token: "Bound", holder: str) -> int:
        return self.balances[(token.address, holder)]

    @property
    def oracle_price_usd(self) -> float:
        return self.oracle_answer / 10**FEED_DECIMALS

    @property
    def stable_price_usd(self) -> float:
        """The stablecoin as the pool prices it: its feed's answer."""
        return self.stable_answer / 10**FEED_DECIMALS

    @property
    def stable_market_price_usd(self) -> float:
        """The stablecoin as the market prices it: the feed's answer unless the pool's price is fixed."""
        return self.stable_price_usd if self.stable_market_usd is None else self.stable_market_usd

    @property
    def amm_price_usd(self) -> float:
        """Marginal AMM price of one SPV token in USD (the stablecoin's market price applied)."""
        if self.spv_reserve == 0:
            return 0.0
        per_token = (self.stable_reserve / 10**STABLE_DECIMALS) / (self.spv_reserve / 10**SPV_DECIMALS)
        return per_token * self.stable_market_price_usd

    @property
    def nav_usd(self) -> float:
        return self.nav_per_token / 10**STABLE_DECIMALS
