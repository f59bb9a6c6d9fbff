"""Units, fixed-point scales, time constants and the contracts' integer limits: defined once here for
every module (a leaf: imports nothing).

Amounts on chain are integers in these units: stablecoin 6 decimals (USDC), the SPV token 18,
Chainlink-style feeds 8 (USD). Aave's fixed point: WAD (1e18, health factors), RAY (1e27, rates and
indexes), bps (10_000 = 100 %). The AMM pair keeps its reserves in uint112 (Uniswap V2), the tightest
integer range a scenario's numbers meet.
"""

STABLE_DECIMALS = 6
SPV_DECIMALS = 18
FEED_DECIMALS = 8
USDC = 10**STABLE_DECIMALS
"""One stablecoin, in its units."""
SHARE = 10**SPV_DECIMALS
"""One whole SPV token, in its units."""

WAD = 10**18
RAY = 10**27
BPS = 10_000
"""100 % in basis points."""

SECONDS_PER_MINUTE = 60
SECONDS_PER_HOUR = 3_600
SECONDS_PER_DAY = 86_400
DAYS_PER_YEAR = 365
SECONDS_PER_YEAR = DAYS_PER_YEAR * SECONDS_PER_DAY
"""Aave's year (no leap days), also the asset's yield year."""

UINT112_MAX = 2**112 - 1
"""Uniswap V2's reserve type: no token balance the pair can hold exceeds it."""
MAX_UINT256 = 2**256 - 1
"""`type(uint256).max`: an unlimited approval; Aave's "repay everything"; a debt-free health factor."""
MAX_LIQUIDATION_BONUS_BPS = 2**16 - 1
"""The lending pool stores the liquidation bonus in 16 bits (Aave: `MAX_VALID_LIQUIDATION_BONUS`)."""
MAX_CAP = 2**36 - 1
"""The largest supply or borrow cap, whole tokens (`LendingPool.MAX_CAP`, Aave's 36-bit cap fields)."""
FAR_DEADLINE = 2**64 - 1
"""A router deadline that never passes."""


def usd_to_stable(usd: float) -> int:
    """Dollars to stablecoin units (rounded to the nearest unit)."""
    return int(round(usd * 10**STABLE_DECIMALS))


def tokens_to_wei(tokens: float) -> int:
    """Whole SPV tokens to token units (rounded)."""
    return int(round(tokens * 10**SPV_DECIMALS))


def usd_to_feed(usd: float) -> int:
    """Dollars to a feed answer (8 decimals, rounded)."""
    return int(round(usd * 10**FEED_DECIMALS))


def usd_to_base(usd: float) -> int:
    """Dollars to the lending pool's base currency (USD with the feeds' 8 decimals, rounded): the unit
    of `...Base` values such as account data and the liquidation cap."""
    return usd_to_feed(usd)
