"""Interest accrual against `rwa_testbed.models.aave.ReserveModel`, a Python replay of the index math.

The same supplies, borrows, repayments and withdrawals at the same block times on the chain and in
the model; after each step the stored indexes, rates, treasury accrual, totals and balances must be
equal to the wei, and so must the as-of-now views some time later.
"""

import pytest
from fixtures.constants import MAX_UINT, USDC, VARIABLE, WAD
from .lending_defaults import STABLE_PARAMS
from hypothesis import given, settings
from hypothesis import strategies as st

from rwa_testbed.models.aave import RAY, RateCurve, ReserveModel

YEAR = 365 * 86400


@pytest.fixture
def model():
    return ReserveModel(curve=RateCurve(RAY * 90 // 100, 0, RAY * 4 // 100, RAY * 60 // 100), reserve_factor_bps=1_000)


@pytest.fixture
def replay(pool, chain, fund, deposit, lp, borrower, other_borrower, stablecoin, rwa_token, treasury):
    """Runs ("supply"|"withdraw"|"borrow"|"repay", who, amount, seconds_after_previous) steps on the
    stablecoin reserve and in `model`, comparing after each."""
    users = {"lp": lp, "borrower": borrower, "other": other_borrower}

    def check(model, now):
        data = pool.getReserveData(stablecoin)
        assert data.liquidityIndex == model.liquidity_index
        assert data.variableBorrowIndex == model.variable_borrow_index
        assert data.currentLiquidityRate == model.liquidity_rate
        assert data.currentVariableBorrowRate == model.variable_borrow_rate
        assert data.accruedToTreasury == model.accrued_to_treasury
        assert data.lastUpdateTimestamp == model.last_update
        assert data.scaledTotalSupply == model.scaled_total_supply
        assert data.scaledTotalDebt == model.scaled_total_debt
        assert stablecoin.balanceOf(pool) == model.cash
        for name, account in users.items():
            assert pool.scaledSupplyOf(stablecoin, account) == model.supply_shares.get(name, 0)
            assert pool.scaledDebtOf(stablecoin, account) == model.debt_shares.get(name, 0)

    def run(model, steps):
        for account in users.values():
            fund(account, stable=10**8 * USDC)
            deposit(account, rwa_token, 10**6 * WAD)  # ample collateral for anyone
        now = chain.blocks.head.timestamp
        for action, who, amount, seconds in steps:
            now += seconds
            chain.pending_timestamp = now
            account = users[who]
            if action == "supply":
                pool.supply(stablecoin, amount, account, 0, sender=account)
                model.supply(who, amount, now)
            elif action == "withdraw":
                pool.withdraw(stablecoin, amount, account, sender=account)
                model.withdraw(who, amount, now)
            elif action == "borrow":
                pool.borrow(stablecoin, amount, VARIABLE, 0, account, sender=account)
                model.borrow(who, amount, now)
            elif action == "repay":
                pool.repay(stablecoin, amount, VARIABLE, account, sender=account)
                model.repay(who, amount, now)
            check(model, now)
        # views as of a later time, without a state update
        later = now + 97 * 86400 + 13
        chain.pending_timestamp = later
        chain.mine()
        assert pool.getReserveNormalizedIncome(stablecoin) == model.normalized_income(later)
        assert pool.getReserveNormalizedVariableDebt(stablecoin) == model.normalized_debt(later)
        assert pool.totalDebt(stablecoin) == model.total_debt(later)
        for name, account in users.items():
            assert pool.supplyBalanceOf(stablecoin, account) == model.supply_balance(name, later)
            assert pool.debtBalanceOf(stablecoin, account) == model.debt_balance(name, later)
        return later

    return run


def test_accrual__a_year_of_actions__indexes_rates_and_balances_match_model(replay, model):
    replay(
        model,
        [
            ("supply", "lp", 1_000_000 * USDC, 10),
            ("borrow", "borrower", 600_000 * USDC, 60),
            ("borrow", "other", 250_000 * USDC, 3_600),
            ("supply", "other", 12_345_678, 86_400),
            ("repay", "borrower", 100_000 * USDC, 30 * 86_400),
            ("borrow", "borrower", 140_000 * USDC, 7),  # above the 90 % kink
            ("withdraw", "lp", 3_000 * USDC, YEAR // 2),
            ("repay", "other", MAX_UINT, YEAR // 3),
            ("withdraw", "other", MAX_UINT, 1),
            ("repay", "borrower", MAX_UINT, 86_400),
        ],
    )
    assert model.scaled_total_debt == 0
    assert model.accrued_to_treasury > 0


def test_accrual__no_debt__borrow_index_does_not_move_but_the_view_compounds_the_base_rate(pool, admin, replay, stablecoin):
    pool.configureReserve(stablecoin, dict(STABLE_PARAMS, baseRateRay=RAY // 50), sender=admin)
    model = ReserveModel(curve=RateCurve(RAY * 90 // 100, RAY // 50, RAY * 4 // 100, RAY * 60 // 100), reserve_factor_bps=1_000)
    later = replay(model, [("supply", "lp", 1_000 * USDC, 5)])
    assert pool.getReserveData(stablecoin).variableBorrowIndex == RAY
    assert pool.getReserveNormalizedVariableDebt(stablecoin) == model.normalized_debt(later) > RAY


def test_mint_to_treasury__credits_accrued_share_as_supply(pool, replay, model, chain, treasury, stablecoin, rwa_token, keeper):
    replay(model, [("supply", "lp", 1_000_000 * USDC, 10), ("borrow", "borrower", 800_000 * USDC, 10), ("supply", "lp", USDC, YEAR)])
    accrued = pool.getReserveData(stablecoin).accruedToTreasury
    assert accrued == model.accrued_to_treasury > 0
    now = chain.blocks.head.timestamp + 100
    chain.pending_timestamp = now
    expected = model.mint_to_treasury("treasury", now)

    tx = pool.mintToTreasury([stablecoin, rwa_token], sender=keeper)  # anyone may call; RWA has nothing

    assert pool.getReserveData(stablecoin).accruedToTreasury == 0
    assert pool.scaledSupplyOf(stablecoin, treasury) == model.supply_shares["treasury"]
    assert tx.events.filter(pool.MintedToTreasury) == [
        pool.MintedToTreasury(asset=stablecoin, amount=expected, scaledAmount=model.supply_shares["treasury"])
    ]


steps = st.lists(
    st.tuples(
        st.sampled_from(["supply", "borrow", "repay", "withdraw"]),
        st.sampled_from(["lp", "borrower", "other"]),
        st.integers(min_value=1, max_value=10**5),
        st.sampled_from([0, 1, 13, 3_600, 86_400, 30 * 86_400, YEAR]),
    ),
    min_size=3,
    max_size=8,
)


@settings(max_examples=8)
@given(script=steps)
def test_accrual__random_actions__match_model(run_isolated, replay, script):
    """Amounts are scaled so most actions succeed; those the model rejects are skipped on both."""
    model = ReserveModel(curve=RateCurve(RAY * 90 // 100, 0, RAY * 4 // 100, RAY * 60 // 100), reserve_factor_bps=1_000)
    plan = [("supply", "lp", 2_000_000 * USDC, 1)]
    probe = ReserveModel(curve=model.curve, reserve_factor_bps=1_000)
    probe.supply("lp", 2_000_000 * USDC, 1)
    now = 1
    carried = 0  # seconds of skipped steps still pass
    for action, who, units, seconds in script:
        now += seconds
        carried += seconds
        amount = units * 10 * USDC
        try:
            getattr(probe, action)(who, amount, now)
        except ValueError:
            continue
        plan.append((action, who, amount, carried))
        carried = 0
    run_isolated(lambda: replay(model, plan))
