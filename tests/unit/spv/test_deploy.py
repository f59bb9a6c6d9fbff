from ape.utils import ZERO_ADDRESS

from rwa_testbed.models.spv import AssetKind
from rwa_testbed.testing import reverts

from .spv_defaults import DELAY, GATE_BPS, GATE_WINDOW, NAV


def test_deploy__defaults__stores_configuration_and_grants_roles(spv, stablecoin, admin, custodian):
    assert spv.decimals() == 18
    assert spv.NAV_DECIMALS() == 6
    assert spv.settlementToken() == stablecoin.address
    assert spv.assetKind() == AssetKind.REAL_ESTATE
    assert spv.settlementDelay() == DELAY
    assert spv.gateBps() == GATE_BPS
    assert spv.gateWindow() == GATE_WINDOW
    assert spv.transferPolicy() == ZERO_ADDRESS
    assert not spv.redemptionsFrozen()
    assert not spv.impaired()
    assert spv.hasRole(spv.DEFAULT_ADMIN_ROLE(), admin)
    assert spv.hasRole(spv.MANAGER_ROLE(), admin)
    assert spv.hasRole(spv.CUSTODIAN_ROLE(), custodian)
    assert not spv.hasRole(spv.CUSTODIAN_ROLE(), admin)


def test_deploy__initial_nav__is_report_zero_as_of_deployment(create_spv, chain, admin, custodian):
    spv = create_spv(nav=NAV)
    deployed_at = chain.blocks.head.timestamp

    assert spv.navReportCount() == 1
    assert spv.latestNav() == (NAV, deployed_at, deployed_at)
    assert spv.navReport(0) == (NAV, deployed_at, deployed_at)
    assert spv.gateEpoch() == deployed_at
    events = chain.get_receipt(spv.txn_hash).events
    assert events.filter(spv.NavReported) == [spv.NavReported(NAV, deployed_at, 0)]
    assert events.filter(spv.RoleGranted) == [
        spv.RoleGranted(spv.DEFAULT_ADMIN_ROLE(), admin, admin),
        spv.RoleGranted(spv.MANAGER_ROLE(), admin, admin),
        spv.RoleGranted(spv.CUSTODIAN_ROLE(), custodian, admin),
    ]


def test_deploy__private_credit__stores_asset_kind(create_spv):
    spv = create_spv(name="SME Loan Book SPV", symbol="SMESPV", asset_kind=AssetKind.PRIVATE_CREDIT)

    assert spv.assetKind() == AssetKind.PRIVATE_CREDIT
    assert spv.symbol() == "SMESPV"


def test_deploy__zero_settlement_token__reverts(create_spv, project):
    with reverts(project.SPVToken.ZeroAddress, parameter="settlementToken"):
        create_spv(settlement=ZERO_ADDRESS)


def test_deploy__zero_admin__reverts(create_spv, project):
    with reverts(project.SPVToken.ZeroAddress, parameter="admin"):
        create_spv(admin_account=ZERO_ADDRESS)


def test_deploy__zero_custodian__reverts(create_spv, project):
    with reverts(project.SPVToken.ZeroAddress, parameter="custodian"):
        create_spv(custodian_account=ZERO_ADDRESS)


def test_deploy__settlement_token_with_18_decimals__reverts(create_spv, project, spv):
    with reverts(project.SPVToken.UnsupportedSettlementDecimals, decimals=18):
        create_spv(settlement=spv)


def test_deploy__gate_bps_zero__reverts(create_spv, project):
    with reverts(project.SPVToken.InvalidGate, gateBps=0, gateWindow=GATE_WINDOW):
        create_spv(gate_bps=0)


def test_deploy__gate_bps_above_10000__reverts(create_spv, project):
    with reverts(project.SPVToken.InvalidGate, gateBps=10_001, gateWindow=GATE_WINDOW):
        create_spv(gate_bps=10_001)


def test_deploy__gate_window_zero__reverts(create_spv, project):
    with reverts(project.SPVToken.InvalidGate, gateBps=GATE_BPS, gateWindow=0):
        create_spv(gate_window=0)


def test_deploy__full_gate_and_no_delay__are_accepted(create_spv):
    spv = create_spv(gate_bps=10_000, delay=0)

    assert spv.gateBps() == 10_000
    assert spv.settlementDelay() == 0
