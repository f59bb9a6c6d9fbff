"""Units, enums and NAV math of the SPV token (`contracts/rwa/SPVToken.sol`): the population (asset
kind), the `redeem` liquidators (collateral valued at NAV, `stable_for_shares`) and the tests use it.

Shares have 18 decimals, the settlement stablecoin 6; `nav_per_token` is stablecoin units per
1e18 share units (one whole token). Every conversion rounds down, as `contracts/rwa/NavMath.sol`.
"""

from enum import IntEnum

from ..units import BPS, SHARE

NAV_DECIMALS = 6


class AssetKind(IntEnum):
    """ISPVToken.AssetKind."""

    REAL_ESTATE = 0
    PRIVATE_CREDIT = 1


class RequestStatus(IntEnum):
    """ISPVToken.RequestStatus (NONE = unknown id)."""

    NONE = 0
    PENDING = 1
    SETTLED = 2
    CANCELLED = 3


def shares_for_stable(stable_amount: int, nav_per_token: int) -> int:
    """Shares (18 decimals) minted for `stable_amount` (6 decimals) at `nav_per_token`."""
    return stable_amount * SHARE // nav_per_token


def stable_for_shares(shares: int, nav_per_token: int) -> int:
    """Stablecoin (6 decimals) paid for `shares` (18 decimals) at `nav_per_token`."""
    return shares * nav_per_token // SHARE


def gate_cap(supply_at_window_start: int, gate_bps: int) -> int:
    """Shares requestable in one gate window."""
    return supply_at_window_start * gate_bps // BPS
