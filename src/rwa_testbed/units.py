"""Token decimals and the contracts' integer limits, for every module (a leaf: imports nothing).

Amounts on chain are integers in these units: stablecoin 6 decimals (USDC), the SPV token 18,
Chainlink-style feeds 8. The AMM pair keeps its reserves in uint112 (Uniswap V2), the tightest
integer range a scenario's numbers meet.
"""

STABLE_DECIMALS = 6
SPV_DECIMALS = 18
FEED_DECIMALS = 8
UINT112_MAX = 2**112 - 1
"""Uniswap V2's reserve type: no token balance the pair can hold exceeds it."""
