"""`AccountBook` without a chain: which borrowers a block's pool logs name (and so are re-read), and
each borrower's numbers from its flags and balances as `AccountLogic` reads them. The e2e test
(`tests/e2e/test_account_book.py`) compares whole runs with reading every borrower from the pool."""

from types import SimpleNamespace

from eth_abi import encode
from eth_utils import to_checksum_address

from fixtures.constants import WAD
from rwa_testbed.abi import Bound
from rwa_testbed.deployment import artifact
from rwa_testbed.models.aave import MAX_UINT256, RAY, PositionLine, account_data, ray_mul
from rwa_testbed.venues.account_book import AccountBook

from .test_venue_adapters import event_log, topic

POOL = to_checksum_address("0x" + "aa" * 20)
OTHER = to_checksum_address("0x" + "cc" * 20)
SPV = to_checksum_address("0x" + "51" * 20)
STABLE = to_checksum_address("0x" + "52" * 20)
ALICE, BOB, CAROL = (to_checksum_address("0x" + b * 20) for b in ("a1", "b0", "c0"))
LIQUIDATOR = to_checksum_address("0x" + "d0" * 20)

# (price, decimals, ltv, threshold, normalized income, normalized debt): the SPV (id 0), the stablecoin (id 1)
RESERVES = [(90 * 10**8, 18, 6_000, 7_000, RAY, RAY), (10**8, 6, 7_500, 8_000, RAY + 10**24, RAY + 3 * 10**25)]
COLLATERAL_0, BORROWING_1 = 0b10, 0b0100


def book(users=(ALICE, BOB, CAROL, LIQUIDATOR)):
    b = AccountBook(Bound("LendingPool", POOL, artifact("LendingPool")[0]), list(users))
    b.reloaded = []
    b._load = lambda chain, indices: b.reloaded.append(list(indices))  # what observe_block re-reads
    return b


def block(*logs):
    return [SimpleNamespace(logs=list(logs))]


def test_observe_block__users_named_in_topics_and_data__re_read_once_in_population_order():
    b = book()
    abi = b.pool.abi
    supplied = event_log(abi, POOL, "Supplied", [topic(SPV), topic(CAROL), topic(ALICE)],
                         ["uint256", "uint256", "uint256"], [1, 1, RAY])
    liquidation = event_log(abi, POOL, "LiquidationExecuted", [topic(SPV), topic(STABLE), topic(BOB)],
                            ["address", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256",
                             "bool"], [LIQUIDATOR, 1, 1, 0, 1, 1, WAD // 2, WAD, True])

    b.observe_block(None, block(supplied, liquidation))

    # the caller (Carol) and the user (Alice) of the supply; the liquidated user and the liquidator
    # credited with shares (a data word)
    assert b.reloaded == [[0, 1, 2, 3]]


def test_observe_block__other_contracts_and_strangers__nothing_re_read():
    b = book()
    abi = b.pool.abi
    elsewhere = event_log(abi, OTHER, "Supplied", [topic(SPV), topic(ALICE), topic(ALICE)],
                          ["uint256", "uint256", "uint256"], [1, 1, RAY])
    stranger = to_checksum_address("0x" + "ee" * 20)
    unknown = event_log(abi, POOL, "CollateralToggled", [topic(SPV), topic(stranger)], ["bool"], [False])
    amounts = {"address": POOL, "topics": ["0x" + "11" * 32], "data": "0x" + encode(["uint256"], [10**30]).hex()}

    b.observe_block(None, block(elsewhere, unknown, amounts))
    b.observe_block(None, block())

    assert b.reloaded == []


def test_compute__collateral_and_debt__balances_at_the_indexes_valued_as_the_pool():
    state = (COLLATERAL_0 | BORROWING_1, (10 * WAD, 0), (0, 500 * 10**6))

    data = AccountBook._compute(state, RESERVES)

    expected = account_data([
        PositionLine(90 * 10**8, 18, 6_000, 7_000, 10 * WAD, True, 0),
        PositionLine(10**8, 6, 7_500, 8_000, 0, False, ray_mul(500 * 10**6, RAY + 3 * 10**25)),
    ])
    assert data == expected
    assert data.debt_base == 51_500_000_000  # 515 USDC with 8 decimals: the debt grew 3 %
    assert data.collateral_base == 90_000_000_000


def test_compute__balances_without_flags__ignored_as_the_pool_ignores_them():
    # a supply not flagged as collateral and a scaled debt without the borrowing flag count for nothing
    data = AccountBook._compute((0, (10 * WAD, 7 * 10**6), (0, 500 * 10**6)), RESERVES)

    assert data.as_tuple() == (0, 0, 0, 0, 0, MAX_UINT256)


def test_compute__collateral_flag_on_a_reserve_without_threshold__no_collateral():
    reserves = [(90 * 10**8, 18, 0, 0, RAY, RAY), RESERVES[1]]

    data = AccountBook._compute((COLLATERAL_0 | BORROWING_1, (10 * WAD, 0), (0, 100 * 10**6)), reserves)

    assert (data.collateral_base, data.health_factor) == (0, 0)
    assert data.debt_base == 10_300_000_000


def test_compute__zero_ltv_collateral__record_as_the_chain_read_decodes_it():
    # LTV 0 (a proof of reserve's freeze): the pool's six numbers carry no zero-LTV flag, nor does the record
    reserves = [(90 * 10**8, 18, 0, 7_000, RAY, RAY), RESERVES[1]]

    data = AccountBook._compute((COLLATERAL_0 | BORROWING_1, (10 * WAD, 0), (0, 100 * 10**6)), reserves)

    assert data.has_zero_ltv_collateral is False
    assert (data.ltv_bps, data.available_borrows_base, data.liquidation_threshold_bps) == (0, 0, 7_000)
