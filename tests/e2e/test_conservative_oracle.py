"""The conservative oracle (`market.mitigations.oracle`) end to end: the pool prices the SPV token at
min(NAV, TWAP), frozen for a while after a move above the limit; the default stepping agrees with the
every-block reference on it (the keeper wakes at each freeze's end), and the pool's price is never
above either side except while a freeze holds an older price.
"""


from .test_stepping import FLASH_CRASH_SHORT, _liquidations, both_modes  # noqa: F401 (a fixture)

# The same crash priced by the custodian's NAV feed (latency 10 minutes), reported every 0.1 day with
# a 0.05-day lag: the write-downs reach the feed at day 0.2, a fall far past the limit.
LATENCY_FEED = ["market.oracle.kind=latency", "market.oracle.delay_seconds=600",
                "market.custodian.report_every_days=0.1", "market.custodian.reporting_lag_days=0.05"]
MIN_NAV_TWAP = ["market.mitigations.oracle.min_nav_twap=true"]
FREEZE = ["market.mitigations.oracle.max_change_bps=500", "market.mitigations.oracle.freeze_seconds=3600"]


def _sides(row) -> list[float]:
    return [row[k] for k in ("nav_side_usd", "twap_side_usd") if k in row]


def test_min_nav_twap__default_stepping_agrees__pool_price_never_above_either_side(both_modes):  # noqa: F811
    default, reference = both_modes("real_estate_flash_crash", FLASH_CRASH_SHORT + MIN_NAV_TWAP)
    rows = reference.timeseries

    _assert_same(default, reference)
    assert all(len(_sides(r)) == 2 for r in rows)
    assert all(r["oracle_price_usd"] == min(_sides(r)) for r in rows)
    assert min(r["twap_side_usd"] for r in rows) < 0.9 * rows[0]["nav_side_usd"], "the TWAP side must fall"
    assert reference.summary["oracle"]["freezes"] == 0


def test_max_change__default_stepping_agrees__price_held_while_frozen_else_min_of_sides(both_modes):  # noqa: F811
    default, reference = both_modes("real_estate_flash_crash", FLASH_CRASH_SHORT + MIN_NAV_TWAP + FREEZE)
    rows = reference.timeseries
    spans = [(f["t_seconds"], f["until_seconds"]) for f in reference.oracle_freezes]

    _assert_same(default, reference)
    assert default.oracle_freezes == reference.oracle_freezes
    assert reference.summary["oracle"]["freezes"] == len(spans) > 0, "the crash must move the price past the limit"
    for r in rows:
        if any(start <= r["t_seconds"] < end for start, end in spans):
            continue  # a freeze holds an older price, possibly above a side
        assert r["oracle_price_usd"] == min(_sides(r)), f"t={r['t_seconds']}"


def test_max_change_over_latency_feed__default_stepping_agrees__keeper_updates_at_freeze_end(both_modes):  # noqa: F811
    # A freeze longer than anything else the keeper waits for: the fast path must wake it at the end.
    overrides = FLASH_CRASH_SHORT + LATENCY_FEED + ["market.mitigations.oracle.max_change_bps=1000",
                                                    "market.mitigations.oracle.freeze_seconds=5000"]
    default, reference = both_modes("real_estate_flash_crash", overrides)
    freezes = reference.oracle_freezes

    _assert_same(default, reference)
    assert default.oracle_freezes == freezes and freezes, "the write-down must move the NAV past the limit"
    for freeze in freezes:
        end = freeze["until_seconds"]
        block = reference.scenario.run.block_time_seconds
        held = [r for r in default.timeseries if freeze["t_seconds"] < r["t_seconds"] < end]
        after = [r for r in default.timeseries if end < r["t_seconds"] <= end + block]
        assert all(r["oracle_price_usd"] == freeze["held_usd"] for r in held)
        assert after and after[0]["oracle_price_usd"] == after[0]["nav_side_usd"], "published at the freeze's end"


def _assert_same(default, reference) -> None:
    """Same liquidations, freezes and oracle prices at every time both modes recorded."""
    assert _liquidations(default) == _liquidations(reference)
    assert default.summary["oracle"] == reference.summary["oracle"]
    by_time = {r["t_seconds"]: r["oracle_price_usd"] for r in reference.timeseries}
    assert all(by_time[r["t_seconds"]] == r["oracle_price_usd"] for r in default.timeseries if r["t_seconds"] in by_time)
