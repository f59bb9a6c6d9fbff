"""The engine's venue adapters without a run: reads decoded alike, bad debt as documented, and
liquidation records built from logs (synthetic receipts; the e2e tests cover real ones)."""

from types import SimpleNamespace

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from rwa_testbed.abi import Abi, Bound
from rwa_testbed.view import AccountData, View
from rwa_testbed.deployment import artifact
from rwa_testbed.venues.aave import AaveV3Venue, abi_of
from rwa_testbed.venues.ours import USERS_PER_READ, OurPool
from fixtures.constants import USDC, WAD

POOL = to_checksum_address("0x" + "aa" * 20)
A_TOKEN = to_checksum_address("0x" + "ab" * 20)
TREASURY = to_checksum_address("0x" + "77" * 20)
SPV = to_checksum_address("0x" + "51" * 20)
STABLE = to_checksum_address("0x" + "52" * 20)
ALICE = to_checksum_address("0x" + "a1" * 20)
BOB = to_checksum_address("0x" + "b0" * 20)
BORROWERS = {ALICE.lower(): 0, BOB.lower(): 1}


def account(collateral=0, debt=0, hf=2 * WAD):
    return AccountData(collateral, debt, 0, 8_500, 8_000, hf)


def view(*accounts, oracle=90_000_000, stable=100_000_000):
    return View(t=0, oracle_answer=oracle, oracle_updated_at=0, stable_answer=stable, spv_reserve=1,
                stable_reserve=1, accounts=list(accounts), deficit=0, nav_per_token=1,
                redemptions_frozen=False, impaired=False)


def topic(address: str) -> str:
    return "0x" + bytes(12).hex() + address[2:].lower()


def event_log(abi: Abi, address: str, name: str, indexed: list[str], types: list[str], values: list) -> dict:
    event = next((t, e) for t, e in abi.events.items() if e.name == name)
    return {"address": address, "topics": ["0x" + event[0].hex(), *indexed], "data": "0x" + encode(types, values).hex()}


def receipt(*logs, reverted=False):
    return SimpleNamespace(logs=list(logs), reverted=reverted, block_number=1,
                           request=SimpleNamespace(agent="liquidator-0", action="liquidation"))


# -- reads --------------------------------------------------------------------------------


def test_decode_view__batched_struct_array_and_one_call_per_user__same_account_data():
    alice, bob = (10**12, 5 * 10**11, 0, 8_500, 8_000, 17 * WAD // 10), (0, 3 * 10**10, 0, 0, 0, 0)
    ours = OurPool()
    batched = encode(["(uint256,uint256,uint256,uint256,uint256,uint256)[]"], [[alice, bob]])
    ours_accounts, ours_deficit = ours.decode_view([batched, encode(["uint256"], [123])], 10**8)
    aave_accounts, _ = AaveV3Venue().decode_view([encode(["uint256"] * 6, alice), encode(["uint256"] * 6, bob)], 10**8)

    assert ours_accounts == aave_accounts == [AccountData(*alice), AccountData(*bob)]
    assert ours_deficit == 123


def test_our_view__more_borrowers_than_one_read__chunked_reads_decoded_in_order():
    ours = OurPool()
    ours.pool = Bound("LendingPool", POOL, artifact("LendingPool")[0])
    stable = Bound("SettlementStablecoin", to_checksum_address("0x" + "bb" * 20), ours.pool.abi)
    users = [to_checksum_address(f"0x{i:040x}") for i in range(1, 2 * USERS_PER_READ + 2)]
    calls = ours.view_calls(users, stable)
    assert len(calls) == 3 + 1  # three reads of at most USERS_PER_READ, then the deficit
    rows = [(i, 2 * i, 0, 8_500, 8_000, WAD + i) for i in range(len(users))]
    reads = [encode(["(uint256,uint256,uint256,uint256,uint256,uint256)[]"], [rows[i: i + USERS_PER_READ]])
             for i in range(0, len(rows), USERS_PER_READ)]

    accounts, deficit = ours.decode_view([*reads, encode(["uint256"], [7])], 10**8)
    again, _ = ours.decode_view([*reads, encode(["uint256"], [7])], 10**8)

    assert accounts == [AccountData(*row) for row in rows] and deficit == 7
    assert all(a is b for a, b in zip(again, accounts))  # unchanged bytes: the same records


def test_aave_bad_debt__debt_of_borrowers_without_collateral__in_stablecoin_units():
    stranded, healthy, underwater = account(0, 2_500 * 10**8), account(10**11, 10**10), account(1, 10**12, hf=0)

    # Base currency is USD with 8 decimals: 2_500 USD of debt at a 1 USD stablecoin is 2_500 USDC.
    assert AaveV3Venue.bad_debt([stranded, healthy, underwater], 10**8) == 2_500 * USDC
    # At 0.5 USD per stablecoin the same dollars are twice as many stablecoins.
    assert AaveV3Venue.bad_debt([stranded], 5 * 10**7) == 5_000 * USDC
    assert AaveV3Venue.bad_debt([healthy, underwater], 10**8) == 0


def test_account_data__debt_without_collateral__not_liquidatable():
    assert account(1, 10**10, hf=WAD - 1).liquidatable
    assert not account(0, 10**10, hf=0).liquidatable  # Aave V3.0 after the last collateral is seized
    assert not account(10**10, 10**10, hf=WAD).liquidatable


# -- liquidation records ------------------------------------------------------------------


THRESHOLD_BPS = 8_500


@pytest.fixture
def offline_aave_venue():
    venue = AaveV3Venue()
    venue.pool = Bound("Pool", POOL, abi_of("Pool"))
    venue.a_tokens = {SPV: Bound("AToken", A_TOKEN, abi_of("AToken"))}
    venue.treasury = TREASURY
    venue.decimals = {SPV.lower(): 18, STABLE.lower(): 6}
    venue.thresholds = {SPV.lower(): THRESHOLD_BPS, STABLE.lower(): 0}
    venue.stable_asset = STABLE.lower()
    return venue


def liquidation_call(user, debt, collateral):
    return event_log(abi_of("Pool"), POOL, "LiquidationCall", [topic(SPV), topic(STABLE), topic(user)],
                     ["uint256", "uint256", "address", "bool"], [debt, collateral, BOB, False])


def fee_transfer(user, amount, to=TREASURY):
    transfer = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
    return {"address": A_TOKEN, "topics": [transfer, topic(user), topic(to)],
            "data": "0x" + encode(["uint256"], [amount]).hex()}


def health(collateral_base: int, debt_base: int) -> int:
    """Aave V3.0's health factor: collateral x threshold (half-up bps) / debt (half-up WAD)."""
    weighted = (collateral_base * THRESHOLD_BPS + 5_000) // 10_000
    return (weighted * WAD + debt_base // 2) // debt_base


def test_aave_liquidations__fee_transfer_then_event__one_record_with_block_prices_and_health(offline_aave_venue):
    # End of block: 500 USD of collateral for 500 USD of debt (base currency, 8 decimals).
    after = view(account(500 * 10**8, 500 * 10**8, hf=health(500 * 10**8, 500 * 10**8)), account())
    tx = receipt(fee_transfer(ALICE, 7 * WAD), fee_transfer(ALICE, 5 * WAD, to=BOB),
                 liquidation_call(ALICE, 500 * USDC, 600 * WAD))

    [(result, liq)] = offline_aave_venue.liquidations([tx], after, BORROWERS)

    assert result is tx
    assert (liq.user.lower(), liq.debt_repaid, liq.collateral_seized) == (ALICE.lower(), 500 * USDC, 600 * WAD)
    assert liq.protocol_fee == 7 * WAD  # only the transfer to the treasury
    assert (liq.collateral_price, liq.debt_price) == (90_000_000, 100_000_000)
    # Before: + (600 + 7) tokens at 0.90 USD of collateral, + 500 USD of debt.
    assert liq.hf_before == health(500 * 10**8 + 607 * 90_000_000, 1_000 * 10**8)
    assert (liq.hf_after, liq.deficit_created) == (after.accounts[0].health_factor, 0)


def test_aave_liquidations__last_collateral_taken_in_two_txs__health_chained_and_debt_left_booked_once(offline_aave_venue):
    after = view(account(0, 1_234 * 10**8, hf=0), account())
    first = receipt(liquidation_call(ALICE, 100 * USDC, 10 * WAD))
    failed = receipt(liquidation_call(ALICE, 1, 1), reverted=True)
    last = receipt(liquidation_call(ALICE, 50 * USDC, 5 * WAD))

    found = offline_aave_venue.liquidations([first, failed, last], after, BORROWERS)

    assert [r for r, _ in found] == [first, last]
    assert [liq.deficit_created for _, liq in found] == [0, 1_234 * USDC]
    (_, one), (_, two) = found
    assert two.hf_after == 0
    assert two.hf_before == one.hf_after == health(5 * 90_000_000, 1_284 * 10**8)
    assert one.hf_before == health(15 * 90_000_000, 1_384 * 10**8)


def test_our_liquidations__deficit_created_before_its_liquidation__attached_to_that_liquidation():
    ours = OurPool()
    ours.pool = Bound("LendingPool", POOL, artifact("LendingPool")[0])
    abi = ours.pool.abi
    executed = lambda user, hf_after: event_log(  # noqa: E731
        abi, POOL, "LiquidationExecuted", [topic(SPV), topic(STABLE), topic(user)],
        ["address", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256", "bool"],
        [BOB, 100 * USDC, 110 * WAD, WAD, 9 * 10**7, 10**8, WAD // 2, hf_after, False])
    deficit = event_log(abi, POOL, "DeficitCreated", [topic(BOB), topic(STABLE)], ["uint256"], [42 * USDC])
    earlier = receipt(executed(ALICE, WAD))
    wiping = receipt(deficit, executed(BOB, 2**256 - 1))

    found = ours.liquidations([earlier, wiping], view(account(), account()), BORROWERS)

    records = [(liq.user.lower(), liq.deficit_created) for _, liq in found]
    assert records == [(ALICE.lower(), 0), (BOB.lower(), 42 * USDC)]
    assert found[1][1].hf_before == WAD // 2 and found[1][1].protocol_fee == WAD
