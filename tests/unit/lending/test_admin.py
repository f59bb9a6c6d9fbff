"""Reserve listing and configuration by POOL_ADMIN: parameter rules (as Aave's PoolConfigurator),
events, and every privileged function refused to `attacker`."""

import ape
import pytest
from fixtures.constants import USDC, WAD
from .lending_defaults import RWA_PARAMS, STABLE_PARAMS, reserve_params

from rwa_testbed.models.aave import RAY
from rwa_testbed.models.reserve import ReserveSpec
from rwa_testbed.testing import deploy, reverts

ZERO = "0x0000000000000000000000000000000000000000"


class Rule:
    """ILendingPool.ReserveParamRule"""

    LtvAboveThreshold = 0
    BonusNotAbove100Percent = 1
    BonusWithoutThreshold = 2
    ThresholdTimesBonusAbove100Percent = 3
    BonusTooLarge = 4
    ProtocolFeeAbove100Percent = 5
    ReserveFactorAbove100Percent = 6
    SupplyCapTooLarge = 7
    BorrowCapTooLarge = 8
    OptimalUsageOutOfRange = 9
    ThresholdZeroWithSuppliers = 10


@pytest.fixture
def new_token(project, admin):
    return admin.deploy(project.TestToken, "Other", "OTH", 8)


@pytest.fixture
def new_feed(project, admin):
    return admin.deploy(project.MockAggregator, 5 * 10**8)


def test_constructor__roles_and_treasury(pool, admin, treasury, attacker):
    assert pool.hasRole(pool.POOL_ADMIN_ROLE(), admin)
    assert pool.hasRole(pool.DEFAULT_ADMIN_ROLE(), admin)
    assert not pool.hasRole(pool.POOL_ADMIN_ROLE(), attacker)
    assert pool.treasury() == treasury.address


def test_constructor__zero_treasury__reverts_zero_address(project, admin):
    with reverts(project.LendingPool.ZeroAddress):
        deploy(admin, project.LendingPool, admin, ZERO)


def test_init_reserve__lists_with_token_decimals_and_unit_indexes(pool, admin, new_token, new_feed):
    tx = pool.initReserve(new_token, new_feed, RWA_PARAMS, sender=admin)

    data = pool.getReserveData(new_token)
    assert data.id == 2
    assert data.config.decimals == 8
    assert (data.config.ltvBps, data.config.liquidationThresholdBps, data.config.liquidationBonusBps) == (
        6_000,
        7_000,
        11_000,
    )
    assert (data.config.liquidationProtocolFeeBps, data.config.reserveFactorBps) == (2_000, 2_000)
    assert data.liquidityIndex == data.variableBorrowIndex == RAY
    assert data.currentLiquidityRate == data.currentVariableBorrowRate == data.lastUpdateTimestamp == 0
    assert (data.optimalUsageRay, data.slope1Ray, data.slope2Ray) == (RAY * 45 // 100, RAY * 7 // 100, 3 * RAY)
    assert data.priceSource == new_feed.address and data.maxPriceAge == 0
    assert list(pool.getReservesList())[2] == new_token.address
    assert pool.getAssetPrice(new_token) == 5 * 10**8
    assert [e.event_name for e in tx.events] == ["ReserveInitialized", "PriceSourceSet", "ReserveConfigured"]
    assert tx.events[0] == pool.ReserveInitialized(asset=new_token, id=2, decimals=8, priceSource=new_feed)
    assert tx.events[1] == pool.PriceSourceSet(asset=new_token, priceSource=new_feed, maxPriceAge=0)
    assert tx.events[2].asset == new_token.address


def test_init_reserve__twice__reverts(pool, admin, stablecoin, stable_feed):
    with ape.reverts(pool.ReserveAlreadyInitialized, asset=stablecoin.address):
        pool.initReserve(stablecoin, stable_feed, STABLE_PARAMS, sender=admin)


def test_init_reserve__zero_asset__reverts(pool, admin, stable_feed):
    with ape.reverts(pool.ZeroAddress):
        pool.initReserve(ZERO, stable_feed, STABLE_PARAMS, sender=admin)


def test_init_reserve__feed_without_8_decimals__reverts(pool, admin, new_token, stablecoin):
    # the stablecoin is an ERC20 with 6 decimals: as a "feed" it reports 6
    with ape.reverts(pool.InvalidPriceSource, asset=new_token.address, source=stablecoin.address, decimals=6):
        pool.initReserve(new_token, stablecoin, STABLE_PARAMS, sender=admin)
    with ape.reverts(pool.InvalidPriceSource, asset=new_token.address, source=ZERO, decimals=0):
        pool.initReserve(new_token, ZERO, STABLE_PARAMS, sender=admin)


@pytest.mark.parametrize(
    "overrides, rule, value, limit",
    [
        (dict(ltvBps=7_001), Rule.LtvAboveThreshold, 7_001, 7_000),
        (dict(liquidationBonusBps=10_000), Rule.BonusNotAbove100Percent, 10_000, 10_000),
        # 7000 x 14286 / 10000 = 10000.2 -> 10000 (ok); 14287 -> 10000.9 -> 10001
        (dict(liquidationBonusBps=14_287), Rule.ThresholdTimesBonusAbove100Percent, 10_001, 10_000),
        (dict(liquidationThresholdBps=1, ltvBps=0, liquidationBonusBps=70_000), Rule.BonusTooLarge, 70_000, 65_535),
        (dict(liquidationProtocolFeeBps=10_001), Rule.ProtocolFeeAbove100Percent, 10_001, 10_000),
        (dict(reserveFactorBps=10_001), Rule.ReserveFactorAbove100Percent, 10_001, 10_000),
        (dict(supplyCap=2**36), Rule.SupplyCapTooLarge, 2**36, 2**36 - 1),
        (dict(borrowCap=2**36), Rule.BorrowCapTooLarge, 2**36, 2**36 - 1),
        (dict(optimalUsageRay=0), Rule.OptimalUsageOutOfRange, 0, RAY),
        (dict(optimalUsageRay=RAY + 1), Rule.OptimalUsageOutOfRange, RAY + 1, RAY),
    ],
)
def test_init_reserve__invalid_params__reverts_with_rule(pool, admin, new_token, new_feed, overrides, rule, value, limit):
    params = dict(RWA_PARAMS, **overrides)
    with ape.reverts(pool.InvalidReserveParams, rule=rule, value=value, limit=limit):
        pool.initReserve(new_token, new_feed, params, sender=admin)


def test_init_reserve__bonus_without_threshold__reverts(pool, admin, new_token, new_feed):
    with ape.reverts(pool.InvalidReserveParams, rule=Rule.BonusWithoutThreshold, value=10_500, limit=0):
        pool.initReserve(new_token, new_feed, reserve_params(liquidationBonusBps=10_500), sender=admin)


def test_init_reserve__threshold_times_bonus_exactly_100_percent__accepted(pool, admin, new_token, new_feed):
    pool.initReserve(new_token, new_feed, dict(RWA_PARAMS, liquidationBonusBps=14_286), sender=admin)
    assert pool.getReserveData(new_token).config.liquidationBonusBps == 14_286


def test_init_reserve__129th_reserve__reverts(pool, admin, project, new_feed):
    for i in range(126):  # two are listed
        token = admin.deploy(project.TestToken, f"T{i}", f"T{i}", 18)
        pool.initReserve(token, new_feed, STABLE_PARAMS, sender=admin)
    extra = admin.deploy(project.TestToken, "X", "X", 18)
    with ape.reverts(pool.TooManyReserves, max=128):
        pool.initReserve(extra, new_feed, STABLE_PARAMS, sender=admin)


def test_configure_reserve__replaces_params_without_touching_state(pool, admin, rwa_token):
    params = dict(RWA_PARAMS, ltvBps=5_000, supplyCap=123, borrowCap=45, reserveFactorBps=3_000, slope1Ray=RAY // 10)
    before = pool.getReserveData(rwa_token)

    tx = pool.configureReserve(rwa_token, params, sender=admin)

    after = pool.getReserveData(rwa_token)
    assert (after.config.ltvBps, after.config.supplyCap, after.config.borrowCap) == (5_000, 123, 45)
    assert after.config.reserveFactorBps == 3_000 and after.slope1Ray == RAY // 10
    assert after.config.decimals == 18
    assert (after.liquidityIndex, after.lastUpdateTimestamp) == (before.liquidityIndex, before.lastUpdateTimestamp)
    assert [e.event_name for e in tx.events] == ["ReserveConfigured"]


def test_configure_reserve__unlisted__reverts(pool, admin, new_token):
    with ape.reverts(pool.ReserveNotActive, asset=new_token.address):
        pool.configureReserve(new_token, RWA_PARAMS, sender=admin)


def test_configure_reserve__collateral_to_threshold_zero_with_suppliers__reverts(pool, admin, deposit, borrower, rwa_token):
    deposit(borrower, rwa_token, 10 * WAD)
    with ape.reverts(pool.InvalidReserveParams, rule=Rule.ThresholdZeroWithSuppliers, value=10 * WAD, limit=0):
        pool.configureReserve(rwa_token, reserve_params(), sender=admin)


def test_configure_reserve__collateral_to_threshold_zero_without_suppliers__accepted(pool, admin, rwa_token):
    pool.configureReserve(rwa_token, reserve_params(), sender=admin)
    assert pool.getReserveData(rwa_token).config.liquidationThresholdBps == 0


def test_set_price_source__sets_feed_and_max_age(pool, admin, rwa_token, new_feed):
    tx = pool.setPriceSource(rwa_token, new_feed, 3_600, sender=admin)
    data = pool.getReserveData(rwa_token)
    assert (data.priceSource, data.maxPriceAge) == (new_feed.address, 3_600)
    assert pool.getAssetPrice(rwa_token) == 5 * 10**8
    assert tx.events == [pool.PriceSourceSet(asset=rwa_token, priceSource=new_feed, maxPriceAge=3_600)]


def test_set_reserve_paused_and_frozen__flags_and_events(pool, admin, stablecoin):
    tx = pool.setReservePaused(stablecoin, True, sender=admin)
    assert tx.events == [pool.ReservePauseChanged(asset=stablecoin, paused=True)]
    tx = pool.setReserveFrozen(stablecoin, True, sender=admin)
    assert tx.events == [pool.ReserveFreezeChanged(asset=stablecoin, frozen=True)]
    config = pool.getReserveData(stablecoin).config
    assert config.paused and config.frozen
    pool.setReservePaused(stablecoin, False, sender=admin)
    assert not pool.getReserveData(stablecoin).config.paused


def test_setters__unlisted_asset__revert(pool, admin, new_token, new_feed):
    with ape.reverts(pool.ReserveNotActive, asset=new_token.address):
        pool.setReservePaused(new_token, True, sender=admin)
    with ape.reverts(pool.ReserveNotActive, asset=new_token.address):
        pool.setReserveFrozen(new_token, True, sender=admin)
    with ape.reverts(pool.ReserveNotActive, asset=new_token.address):
        pool.setPriceSource(new_token, new_feed, 0, sender=admin)


def test_privileged_functions__attacker__reverts_unauthorized(pool, attacker, new_token, new_feed, stablecoin):
    role = pool.POOL_ADMIN_ROLE()
    calls = [
        lambda: pool.initReserve(new_token, new_feed, STABLE_PARAMS, sender=attacker),
        lambda: pool.configureReserve(stablecoin, STABLE_PARAMS, sender=attacker),
        lambda: pool.setPriceSource(stablecoin, new_feed, 0, sender=attacker),
        lambda: pool.setReservePaused(stablecoin, True, sender=attacker),
        lambda: pool.setReserveFrozen(stablecoin, True, sender=attacker),
        lambda: pool.coverDeficit(stablecoin, USDC, sender=attacker),
    ]
    for call in calls:
        with ape.reverts(pool.AccessControlUnauthorizedAccount, account=attacker.address, neededRole=role):
            call()
    with ape.reverts(pool.AccessControlUnauthorizedAccount, account=attacker.address, neededRole=b"\x00" * 32):
        pool.grantRole(role, attacker, sender=attacker)


@pytest.mark.parametrize("threshold, accepted", [(9_524, True), (9_525, False)])
def test_init_reserve__threshold_times_bonus_boundary__pool_agrees_with_reserve_spec(
    pool, admin, new_token, new_feed, threshold, accepted
):
    """LT x bonus 10_500 rounds half up: 9_524 makes 10_000.2 bps, accepted by both the pool and
    `ReserveSpec.validate`; 9_525 (10_001.25) is the first threshold both reject."""
    try:
        spec = ReserveSpec(new_token.address, new_feed.address, ltv_bps=9_000, liquidation_threshold_bps=threshold,
                           liquidation_bonus_bps=10_500, usable_as_collateral=True)
    except ValueError:
        spec = None
    assert (spec is not None) == accepted
    params = dict(RWA_PARAMS, ltvBps=9_000, liquidationThresholdBps=threshold, liquidationBonusBps=10_500)
    if accepted:
        pool.initReserve(new_token, new_feed, spec.to_pool_params(), sender=admin)
        assert pool.getReserveData(new_token).config.liquidationThresholdBps == threshold
    else:
        with ape.reverts(pool.InvalidReserveParams, rule=Rule.ThresholdTimesBonusAbove100Percent, value=10_001,
                         limit=10_000):
            pool.initReserve(new_token, new_feed, params, sender=admin)


def test_reserve_spec_to_pool_params__in_the_pool_abi_order(pool):
    """`ReserveSpec.to_pool_params()` is a tuple in `ILendingPool.ReserveParams`' order: matched here
    by component name against the compiled ABI, so a reordered struct fails loudly."""
    spec = ReserveSpec(asset=ZERO, price_feed=ZERO, ltv_bps=1, liquidation_threshold_bps=2, liquidation_bonus_bps=10_003,
                       liquidation_protocol_fee_bps=4, reserve_factor_bps=5, supply_cap_tokens=6, borrow_cap_tokens=7,
                       borrowing_enabled=True, usable_as_collateral=True, optimal_usage_ray=9, base_rate_ray=10,
                       slope1_ray=11, slope2_ray=12)
    (abi,) = [m for m in pool.contract_type.mutable_methods if m.name == "initReserve"]
    names = [c.name for c in abi.inputs[2].components]
    assert dict(zip(names, spec.to_pool_params(), strict=True)) == {
        "ltvBps": 1, "liquidationThresholdBps": 2, "liquidationBonusBps": 10_003, "liquidationProtocolFeeBps": 4,
        "reserveFactorBps": 5, "supplyCap": 6, "borrowCap": 7, "borrowingEnabled": True, "optimalUsageRay": 9,
        "baseRateRay": 10, "slope1Ray": 11, "slope2Ray": 12,
    }
