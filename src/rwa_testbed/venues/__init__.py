"""Lending venues: the engine's adapter interface and the markets behind it.

- `base`: `LendingVenue` (what the engine asks of a venue), `Liquidation` records, `create`.
- `ours`: this project's `LendingPool`.
- `aave`: the real Aave V3.0 market through the engine's fast path (deployed, or found on a fork).
- `aave_v3`: Aave's artifacts, library linking, and `deploy_aave_v3` through ape (tests).
- `spec`: `ReserveSpec`, one reserve's parameters, shared by every venue.
"""

from rwa_testbed.venues.base import VENUE_KINDS, LendingVenue, Liquidation, create
from rwa_testbed.venues.spec import ReserveSpec

__all__ = ["VENUE_KINDS", "LendingVenue", "Liquidation", "ReserveSpec", "create"]
