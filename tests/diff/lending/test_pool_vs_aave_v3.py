"""Our LendingPool against the real Aave V3.0 market: same reserves, prices, actions and block
times must give the same account data, liquidation amounts and interest, to the wei.

Where the collateral runs out, Aave V3.0 leaves the unpaid debt on the borrower while our pool
books it as `deficit(asset)`: we compare the borrower's debt plus the deficit with Aave's debt.
Every Aave replay is also checked against `rwa_testbed.models.aave`, the pure-Python V3.0
arithmetic (the Aave-alone test runs even without our pool).
"""

from __future__ import annotations

from lending_replay import Borrow, Liquidate, Replay, SetPrice, Supply, Warp, first_difference, replay
from lending_strategies import DAY, Position, actions, positions
from hypothesis import event, example, given, settings

from rwa_testbed.models import aave as aave_math

LTV_BPS, THRESHOLD_BPS = 6_000, 7_000
POSITIONS = positions(ltv_bps=LTV_BPS, threshold_bps=THRESHOLD_BPS)

# Each branch of Aave V3.0's liquidation, covered whatever hypothesis draws.
HALF_CLOSE = Position(collateral=100 * 10**18, price=100 * 10**8, borrow_bps=9_000, health_bps=9_800)
FULL_CLOSE = Position(collateral=100 * 10**18, price=100 * 10**8, borrow_bps=9_000, health_bps=9_000)
COLLATERAL_CAPPED = Position(collateral=100 * 10**18, price=100 * 10**8, borrow_bps=9_000, health_bps=5_000)
PARTIAL_COVER = Position(
    collateral=7 * 10**18 + 1, price=3_333 * 10**8, borrow_bps=5_000, health_bps=9_000, cover_bps=3_000
)
AFTER_30_DAYS = Position(
    collateral=12_345 * 10**18, price=10**8, borrow_bps=9_900, health_bps=9_700, days=30
)
CAPPED_AFTER_30_DAYS = Position(
    collateral=10**16, price=10**12, borrow_bps=5_000, health_bps=3_000, days=30
)
BRANCH_EXAMPLES = [HALF_CLOSE, FULL_CLOSE, COLLATERAL_CAPPED, PARTIAL_COVER, AFTER_30_DAYS, CAPPED_AFTER_30_DAYS]


def with_examples(test):
    for position in reversed(BRANCH_EXAMPLES):
        test = example(position=position)(test)
    return test


def branch(health: int, collateral: int, result) -> str:
    """Which liquidation branch a liquidation took (for hypothesis' statistics)."""
    if result.collateral_received + result.protocol_fee == collateral:
        return "collateral-capped"
    return "close-factor-100%" if health <= aave_math.CLOSE_FACTOR_HF_THRESHOLD else "close-factor-50%"


def expected_account_data(rwa_spec, rwa_price: int, collateral: int, debt: int) -> tuple[int, ...]:
    """`getUserAccountData` of a borrower with only RWA collateral and only USDC debt."""
    lines = [
        aave_math.PositionLine(
            price=rwa_price,
            decimals=18,
            ltv_bps=rwa_spec.ltv_bps,
            liquidation_threshold_bps=rwa_spec.liquidation_threshold_bps,
            collateral=collateral,
        ),
        aave_math.PositionLine(price=10**8, decimals=6, debt=debt),
    ]
    return aave_math.account_data(lines).as_tuple()


def check_against_reference(run: Replay, rwa_spec) -> list[str]:
    """Assert every observation of an Aave replay against `aave_math`; return the branches taken."""
    branches = []
    price = None
    previous = None
    for observation in run.observations:
        action = observation.action
        if isinstance(action, SetPrice):
            price = action.answer
        assert observation.account_data == expected_account_data(
            rwa_spec, price, observation.collateral_supplied, observation.debt_owed
        ), action
        if isinstance(action, Liquidate):
            health = previous.account_data[5]
            expected = aave_math.liquidation_amounts(
                debt_to_cover=action.debt_to_cover,
                user_debt=previous.debt_owed,
                health_factor=health,
                user_collateral=previous.collateral_supplied,
                collateral_price=price,
                debt_price=10**8,
                collateral_decimals=18,
                debt_decimals=6,
                liquidation_bonus_bps=rwa_spec.liquidation_bonus_bps,
                protocol_fee_bps=rwa_spec.liquidation_protocol_fee_bps,
            )
            result = observation.liquidation
            assert (result.debt_repaid, result.collateral_received, result.protocol_fee) == (
                expected.debt_repaid,
                expected.collateral_to_liquidator,
                expected.protocol_fee,
            )
            assert observation.collateral_supplied == (
                previous.collateral_supplied - result.collateral_received - result.protocol_fee
            )
            # Scaled-balance rounding: the debt token burns repaid / index, rounded half up.
            assert abs(observation.debt_owed - (previous.debt_owed - result.debt_repaid)) <= 1
            branches.append(branch(health, previous.collateral_supplied, result))
        if isinstance(action, Warp):
            assert observation.variable_debt_index > previous.variable_debt_index
            assert observation.debt_owed > previous.debt_owed
        previous = observation
    return branches


# --- Aave V3.0 alone: always runs -----------------------------------------------------------


@with_examples
@given(position=POSITIONS)
@settings(max_examples=10)  # the differential test below checks 25 more Aave replays against it
def test_aave_v30__replayed_positions__match_the_v30_reference(
    chain, world, aave_venue, rwa_spec, run_isolated, position
):
    steps = actions(position, ltv_bps=LTV_BPS, threshold_bps=THRESHOLD_BPS)
    start = chain.blocks.head.timestamp + 1

    run = run_isolated(lambda: replay(aave_venue, world, steps, start=start))

    for name in check_against_reference(run, rwa_spec):
        event(name)


def test_aave_v30__branch_examples__cover_all_three_liquidation_branches(
    chain, world, aave_venue, rwa_spec, run_isolated
):
    branches = []
    for position in (HALF_CLOSE, FULL_CLOSE, COLLATERAL_CAPPED):
        steps = actions(position, ltv_bps=LTV_BPS, threshold_bps=THRESHOLD_BPS)
        start = chain.blocks.head.timestamp + 1
        branches += check_against_reference(
            run_isolated(lambda: replay(aave_venue, world, steps, start=start)), rwa_spec
        )
    assert branches == ["close-factor-50%", "close-factor-100%", "collateral-capped"]


# --- our pool against Aave V3.0 --------------------------------------------------------------


def replay_both(chain, run_isolated, world, ours, aave, steps) -> tuple[Replay, Replay]:
    """The same actions from the same state and block times on each venue."""
    start = chain.blocks.head.timestamp + 1
    theirs = run_isolated(lambda: replay(aave, world, steps, start=start))
    mine = run_isolated(lambda: replay(ours, world, steps, start=start))
    return mine, theirs


@with_examples
@given(position=POSITIONS)
def test_pool_vs_aave__same_position_and_shock__same_account_data_and_liquidation_to_the_wei(
    chain, world, aave_venue, our_venue, run_isolated, rwa_spec, position
):
    steps = actions(position, ltv_bps=LTV_BPS, threshold_bps=THRESHOLD_BPS)

    mine, theirs = replay_both(chain, run_isolated, world, our_venue, aave_venue, steps)

    difference = first_difference(mine, theirs)
    assert difference is None, difference
    assert mine.liquidations == theirs.liquidations
    (taken,) = check_against_reference(theirs, rwa_spec)
    ours_after, aave_after = mine.observations[-1], theirs.observations[-1]
    if taken == "collateral-capped":
        # Aave V3.0 leaves the unpaid debt on the borrower; our pool books it as the reserve's deficit.
        assert (ours_after.debt_owed - ours_after.deficit, ours_after.deficit) == (0, aave_after.debt_owed)
    else:
        assert ours_after.deficit == 0
    event(taken)


def test_pool_vs_aave__after_30_days__same_debt_index_income_index_and_user_debt(
    chain, world, aave_venue, our_venue, run_isolated
):
    steps = [
        SetPrice("rwa", 100 * 10**8),
        Supply("lp", "stable", 10_000 * 10**6),
        Supply("borrower", "rwa", 100 * 10**18),
        Borrow("borrower", "stable", 5_000 * 10**6),
        Warp(30 * DAY),
        Warp(30 * DAY),
    ]

    mine, theirs = replay_both(chain, run_isolated, world, our_venue, aave_venue, steps)

    for ours_after, aave_after in zip(mine.observations[-2:], theirs.observations[-2:], strict=True):
        assert ours_after.variable_debt_index == aave_after.variable_debt_index
        assert ours_after.liquidity_index == aave_after.liquidity_index
        assert ours_after.debt_owed == aave_after.debt_owed
    assert theirs.observations[-1].debt_owed > 5_000 * 10**6
    difference = first_difference(mine, theirs)
    assert difference is None, difference
