"""`metrics.classify_revert`: every reason the contracts give, as a market race or an agent's own
mistake; `revert_name` and `reverts_summary` (no chain)."""

import pytest

from rwa_testbed import metrics

MAX = 2**256 - 1


@pytest.mark.parametrize("reason", [
    metrics.LOST_RACE,
    "HealthyPosition(0x99205f997e70d8d22f10b1d2ee667168541c3dc8, 1001707754078172629)",
    f"HealthyPosition(0x57a88a6d9228aef9c04e7f48c12893950e74d591, {MAX})",
    "NoDebt(0x01, 0x02)",
    "CollateralBalanceIsZero(0x01)",
    "45 (HEALTH_FACTOR_NOT_BELOW_THRESHOLD)",
    "46 (COLLATERAL_CANNOT_BE_LIQUIDATED)",
    "47 (SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER)",
    "StalePrice(0x01, 100, 60)",
    "InsufficientOutput(1295634877329211554057076, 1304878663616599687162335)",
    "InsufficientOutputAmount()",
    "InsufficientAmountsOut(1, 2, 3, 4)",
    "InsufficientLiquidity(1, 2, 3, 4)",
    "executor: unprofitable",
    "executor: seized collateral cannot repay the flash swap",
    "executor: insufficient liquidity",
    "GateExceeded(100, 5)",
    "InsufficientCash(100, 5)",
    "RedemptionsFrozen()",
    "SpvImpaired(hack)",
    "LiquidationGracePeriodActive(0x01, 1700000000)",
    "LiquidationCapReached(0x01, 1699999200, 500000000000000, 500000000000000)",
])
def test_classify_revert__market_moved_in_the_block__market_race(reason):
    assert metrics.classify_revert(reason) == metrics.MARKET_RACE


@pytest.mark.parametrize("reason", [
    "ERC20InsufficientBalance(0x01, 0, 5)",
    "ERC20InsufficientAllowance(0x01, 0, 5)",
    "RedemptionNotClaimable(1, 100, 50)",
    "RedemptionNotPending(1, 1)",
    "UnknownRedemptionRequest(9, 2)",
    "NotRequester(1, 0x01, 0x02)",
    "ZeroAmount()",
    "Expired(1, 2)",
    "26 (INVALID_AMOUNT)",
    "LiquidatorNotAllowed(0x01)",  # the allowlist is set before the run: the liquidator knows
    "execution reverted",  # no data at all: out of gas or an unknown failure
    "something new",
])
def test_classify_revert__known_from_the_agents_view_or_unknown__agent_error(reason):
    assert metrics.classify_revert(reason) == metrics.AGENT_ERROR


def test_revert_name__arguments_dropped_strings_kept():
    assert metrics.revert_name("HealthyPosition(0x01, 5)") == "HealthyPosition"
    assert metrics.revert_name(metrics.LOST_RACE) == "lost a race"
    assert metrics.revert_name("45 (HEALTH_FACTOR_NOT_BELOW_THRESHOLD)") == "45 (HEALTH_FACTOR_NOT_BELOW_THRESHOLD)"
    assert metrics.revert_name("executor: unprofitable") == "executor: unprofitable"


def test_reverts_summary__both_classes_always_present():
    counts = {("market_race", "liquidation", "HealthyPosition"): 3, ("market_race", "arbitrage_buy", "InsufficientOutput"): 1,
              ("agent_error", "redeem_request", "ERC20InsufficientBalance"): 2}

    section = metrics.reverts_summary(counts)

    assert section == {
        "market_race": {"count": 4, "by_action": {"arbitrage_buy": 1, "liquidation": 3},
                        "by_reason": {"HealthyPosition": 3, "InsufficientOutput": 1}},
        "agent_error": {"count": 2, "by_action": {"redeem_request": 2}, "by_reason": {"ERC20InsufficientBalance": 2}},
    }
    assert metrics.reverts_summary({})["agent_error"] == {"count": 0, "by_action": {}, "by_reason": {}}
