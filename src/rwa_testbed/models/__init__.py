"""Pure-Python models of the contracts' rules, integer for integer, used alike by the engine, the
agents, the venues and the tests (each rule has its one home here):

- `aave`: Aave V3.0's lending arithmetic (WAD/RAY rounding, interest, account data, liquidation
  amounts, a one-reserve simulator).
- `amm`: Uniswap V2 quotes.
- `oracle`: the latency oracle's publication rules and the TWAP.
- `spv`: the SPV token's enums and NAV/gate math.

Each imports only `rwa_testbed.units`.
"""
