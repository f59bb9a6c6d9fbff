"""Pure-Python models of the contracts' rules, integer for integer (each rule has its one home here):

- `aave`: Aave V3.0's lending arithmetic (WAD/RAY rounding, interest, base values, health factor,
  account data, liquidation amounts, a one-reserve simulator). Used by the engine (interest-driven
  health-factor crossings), `liquidation_sizing` (hence the liquidators), the Aave venue (health factors
  around a liquidation), `view` (`AccountData`) and the tests.
- `amm`: Uniswap V2 quotes. Used by the liquidators, `liquidation_sizing`, the arbitrageurs, the
  population's leverage loops and the tests.
- `oracle`: the latency oracle's publication rules and the TWAP. The keeper mirrors the SPV's
  latency feed in a `LatencyOracleModel` (when a poke publishes); the TWAP models are the tests'
  reference.
- `spv`: the SPV token's enums and NAV/gate math. Used by the population (`AssetKind`), the `redeem`
  liquidators (collateral valued at NAV) and the tests.
- `tranche`: the senior/junior waterfall of `contracts/structured/TrancheVault.sol` (`TrancheMath.sol`):
  claim, split, mint and redemption amounts, the senior principal's bookkeeping, and a state model of
  the vault. Used by the tests (differential against the contract).

Each imports only `rwa_testbed.units`.
"""
