"""Lending venues: the engine's adapter interface and the markets behind it.

- `base`: `LendingVenue` (what the engine asks of a venue), `Liquidation` records.
- `ours`: this project's `LendingPool`.
- `aave`: the real Aave V3.0 market through the engine's fast path (deployed, or found on a fork).
- `aave_v3`: Aave's artifacts, library linking, and `deploy_aave_v3` through ape (tests).

`create(scenario)` picks the venue a scenario asks for (`venue.kind`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .aave import AaveV3Venue
from .base import LendingVenue, Liquidation
from .ours import OurPool
from ..models.reserve import ReserveSpec

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["VENUE_KINDS", "AaveV3Venue", "LendingVenue", "Liquidation", "OurPool", "ReserveSpec", "create"]

VENUE_KINDS = ("ours", "aave-v3")


def create(scenario: "Scenario") -> LendingVenue:
    """The venue `scenario.venue` asks for."""
    cfg = scenario.venue
    if cfg.kind == "aave-v3":
        return AaveV3Venue(existing_pool=cfg.aave_pool_address)
    return OurPool(scenario.market.mitigations)
