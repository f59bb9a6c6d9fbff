"""Hand-made views for the metrics tests: account data in Aave units, no chain."""

from rwa_testbed.view import AccountData, View

WAD = 10**18
E8 = 10**8


def account(collateral_usd: float, debt_usd: float, hf: float = 1.5) -> AccountData:
    """Account data in Aave's base currency (USD, 8 decimals)."""
    return AccountData(round(collateral_usd * E8), round(debt_usd * E8), 0, 8_000, 7_500, round(hf * WAD))


def view(accounts, *, oracle_usd=1.0, stable_usd=1.0, deficit_stable=0, spv_reserve=10**24,
         stable_reserve=10**12, t=0) -> View:
    """A view: the AMM at $1 by default (1e6 tokens against 1e6 stablecoins)."""
    return View(t=t, oracle_answer=round(oracle_usd * E8), oracle_updated_at=0, stable_answer=round(stable_usd * E8),
                spv_reserve=spv_reserve, stable_reserve=stable_reserve, accounts=accounts, deficit=deficit_stable,
                nav_per_token=0, redemptions_frozen=False, impaired=False)
