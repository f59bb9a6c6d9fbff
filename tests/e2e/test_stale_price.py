"""A pool whose staleness limit is shorter than the feed's cadence: the run goes on, the pool is seen
frozen, and liquidations happen only while the price is fresh.

`market.oracle.max_age_seconds=7200` on a NAV published monthly through a 1 h delay: the pool
refuses the price (`StalePrice`) except in the two hours after each publication. The engine's
batched read of every account still answers (the pool's monitoring read prices at the last answer
whatever its age), liquidators do not send what the pool would refuse (`stale_price`), and the
day-90 write-down is liquidated within its fresh window.
"""

from rwa_testbed.models.aave import price_is_stale

DAY = 86_400
MAX_AGE = 7_200


def test_short_max_age__run_completes__liquidations_only_while_the_price_is_fresh(run_scenario):
    result = run_scenario("credit_default_ripple", f"market.oracle.max_age_seconds={MAX_AGE}")

    assert result.liquidations, "the day-90 report must still be liquidated in its fresh window"
    report_day = 90 * DAY
    published = report_day + result.scenario.market.oracle.delay_seconds  # the keeper's poke
    for liquidation in result.liquidations:
        assert not price_is_stale(published, MAX_AGE, liquidation["t_seconds"]), liquidation["t_seconds"]
    assert any(u["reason"] == "stale_price" for u in result.unliquidated)
    assert result.summary["reverts"]["agent_error"]["count"] == 0
    stale = result.summary["reverts"]["market_race"]["by_reason"].get("StalePrice", 0)
    assert stale == 0  # nobody sent what the pool would refuse
