"""Defaults of the SPV unit-test fixtures (units: see rwa_testbed.units and rwa_testbed.models.spv)."""

from rwa_testbed.units import SHARE, USDC

DAY = 86_400
NAV = 100 * USDC  # $100 per token
DELAY = 3 * DAY  # redemption settlement delay
GATE_BPS = 1_000  # 10 % of supply per window
GATE_WINDOW = 7 * DAY
SEED_STABLE = 1_000_000 * USDC  # the seeded SPV's first subscription: 10,000 tokens at $100
SEED_SHARES = 10_000 * SHARE
SEED_CAP = 1_000 * SHARE  # gate cap of the seeded SPV's open window
