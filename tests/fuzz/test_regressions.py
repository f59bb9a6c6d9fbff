"""Every failure the protocol state machine found, shrunk, kept as an explicit sequence of rules.

Each test replays the sequence hypothesis printed (`protocol_machine.replay`: from the seeded
market, invariants checked after every step, chain restored afterwards). Latency rules are
(delay 0, heartbeat 0, threshold 0) unless stated.
"""

from protocol_machine import replay

CRASH_60 = ("observe_price", {"lag": 0, "move_bps": -6_000, "out_of_order": False})  # $100 -> $40, published


def test_deficit__interest_accrues_for_a_month__suppliers_stay_covered(protocol_machine):
    """Contract bug, fixed in InterestRateModel/ReserveLogic: after a liquidation wrote 2,779 USDC off
    into the deficit, suppliers (whose balances still include it) earned interest on it at the
    supply rate while nobody paid it: a month later cash + debt + deficit was ~0.25 USDC short of
    what suppliers and the treasury were owed, and growing (found as a 6 wei shortfall 12 s after
    the liquidation). The supply usage now counts the deficit, as Aave V3.3's `unbacked`."""
    replay(protocol_machine, [
        CRASH_60,
        ("liquidate", {"mode": "max", "percent": 0, "receive_shares": False, "user": "borrower"}),
        ("pass_time", {"seconds": 30 * 86_400}),
        ("supply", {"asset": "stable", "one_wei": True, "percent": 0, "user": "borrower"}),  # accrues, credits treasury
        ("pass_time", {"seconds": 365 * 86_400}),
        ("mint_to_treasury", {}),
    ])


def test_deficit__covered_in_part_then_a_year__suppliers_stay_covered(protocol_machine):
    """The same accounting once the admin has covered half of the deficit (the rate follows it)."""
    replay(protocol_machine, [
        CRASH_60,
        ("liquidate", {"mode": "max", "percent": 0, "receive_shares": True, "user": "borrower"}),
        ("cover_deficit", {"percent": 50}),
        ("pass_time", {"seconds": 365 * 86_400}),
        ("mint_to_treasury", {}),
    ])


def test_unhealthy_user__withdraws_non_collateral_stablecoin__allowed_health_unchanged(protocol_machine):
    """Found as a failure of the machine's own check (it required HF >= 1 after any withdraw): an
    unhealthy borrower may withdraw a supply that is not collateral (the stablecoin, threshold 0),
    as in Aave; its health factor does not move. The check now says exactly that."""
    replay(protocol_machine, [
        CRASH_60,
        ("remove_liquidity", {"percent": 0}),
        ("supply", {"asset": "stable", "one_wei": True, "percent": 0, "user": "borrower"}),
        ("withdraw", {"asset": "stable", "mode": "one_wei", "percent": 1, "user": "borrower"}),
    ])


def test_time_passes_after_the_seed__rounding_within_allowance(protocol_machine):
    """Found as a 1 wei cash shortfall after 10 minutes: the seed's seven supplies and borrows had
    rounded shares before the machine started counting. The allowance now counts them."""
    replay(protocol_machine, [("add_liquidity", {"percent": 0}), ("pass_time", {"seconds": 600})])


def test_amm_actions_bounded_by_wallets(protocol_machine):
    """Harness failures (ERC20InsufficientBalance / ZeroAmount from amounts the machine drew above a
    wallet or of zero): swaps, greedy swaps and deposits are now limited by what the actor holds."""
    replay(protocol_machine, [
        ("liquidator_sells_collateral", {"percent": 0}),  # holds nothing: no transaction
        ("add_liquidity", {"percent": 100}),  # the lp's collateral is the scarcer side
        ("add_liquidity", {"percent": 56}),
        ("swap", {"sell_rwa": True, "seller": "borrower", "size_bps": 1_491}),
        ("add_liquidity", {"percent": 10}),
        ("greedy_swap", {"extra": 1, "sell_rwa": True, "size_bps": 5_000}),
    ])



def test_supply_one_wei_from_an_empty_wallet__harness_supplies_nothing(protocol_machine):
    """Harness failure (deep profile): the borrower supplied its whole stablecoin wallet, then the
    machine drew a 1 wei supply, which the token refused (ERC20InsufficientBalance, not a pool
    error). A supply is now limited by the wallet: 0 from an empty one (InvalidAmount)."""
    replay(protocol_machine, [
        ("supply", {"asset": "stable", "one_wei": False, "percent": 100, "user": "borrower"}),
        ("supply", {"asset": "stable", "one_wei": True, "percent": 38, "user": "borrower"}),
    ])


def test_repay_more_than_the_payers_wallet__harness_pays_what_it_holds(protocol_machine):
    """Harness failure (deep profile): a payer with less stablecoin than the repayment drawn (here
    none, after supplying it all) made the token revert. The payer now repays at most its wallet."""
    replay(protocol_machine, [
        ("supply", {"asset": "stable", "one_wei": False, "percent": 100, "user": "borrower"}),
        ("repay", {"payer": "borrower", "user": "borrower", "own": True, "mode": "max", "percent": 0}),
        ("repay", {"payer": "borrower", "user": "other_borrower", "own": False, "mode": "one_wei", "percent": 0}),
        ("supply", {"asset": "stable", "one_wei": False, "percent": 100, "user": "other_borrower"}),
        ("supply", {"asset": "stable", "one_wei": False, "percent": 60, "user": "trader"}),
        ("repay", {"payer": "trader", "user": "trader", "own": True, "mode": "balance_plus_one", "percent": 0}),
    ])
