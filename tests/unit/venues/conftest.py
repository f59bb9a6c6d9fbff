"""A two-reserve Aave V3.0 market (6-decimals stablecoin debt, 18-decimals RWA collateral): `aave`
and its reserves come from `tests/fixtures/` (aave.py, tokens.py, feeds.py).

Deployed once per module; ape reverts each test's changes.
"""

import pytest


@pytest.fixture(scope="module", autouse=True)
def _actors_before_deployments(admin, lp, borrower, liquidator, treasury):
    """Creates the session-scoped actors before any module fixture, as ape's isolation needs."""


@pytest.fixture
def supply(aave, fund, stablecoin):
    """Fund `account` and supply to Aave (approve + supply)."""

    def supply(account, token, amount):
        fund(account, **{"stable" if token == stablecoin else "rwa": amount})
        token.approve(aave.pool, amount, sender=account)
        return aave.pool.supply(token, amount, account, 0, sender=account)

    return supply
