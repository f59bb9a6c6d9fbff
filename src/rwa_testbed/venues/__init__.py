"""Lending venues the engine and the tests can deploy on a local chain.

- `spec`: `ReserveSpec`, one reserve's parameters, shared by every venue.
- `aave_v3`: the real Aave V3.0 market, deployed from `@aave/core-v3`'s compiled artifacts.
"""

from rwa_testbed.venues.spec import ReserveSpec

__all__ = ["ReserveSpec"]
