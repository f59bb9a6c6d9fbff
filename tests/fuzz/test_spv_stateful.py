"""Stateful fuzzing of the SPV token (contracts/rwa/SPVToken.sol) against a Python model.

Every rule predicts the outcome from the model (the exact custom error and its arguments, or
success and the events it emits) at a clock the model controls, then runs it on the real contract
on anvil: predicted successes as transactions; predicted reverts as an eth_call on a block mined
at that time (same code, same state; a reverted transaction would change nothing, and the call
spares ape's trace fetch, ~10x faster), its revert data decoded and compared in full.
Named invariants, checked after every step:

- no_redemption_paid_twice: RedemptionSettled logs never repeat a request id, and the latest
  settled id reads Settled on-chain;
- paid_out_never_exceeds_cash_in: from logs, redemptions paid + cash withdrawn <= subscriptions +
  deposits, and the difference is the SPV's stablecoin balance;
- escrow_equals_unsettled_request_shares: the SPV's own share balance == pendingRedemptionShares ==
  the sum of the shares of the model's Pending requests;
- stablecoin_balance_equals_model_cash: the SPV's stablecoin balance == cashReserve() == model cash;
- supply_and_balances_match_model;
- gate_matches_model_and_stays_within_cap.

Every example starts from the same seeded state (three holders, three claimable requests, most
cash deployed into the asset; see `seeded_spv`) through chain.snapshot() / chain.restore().
Runs under the hypothesis profile loaded in tests/conftest.py ("ci" by default).
"""

from collections import Counter

import pytest
from eth_abi import decode
from eth_utils import is_hex_address, keccak, to_checksum_address
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from web3.exceptions import ContractLogicError as Web3ContractLogicError

from rwa_testbed.models.spv import AssetKind, RequestStatus, gate_cap, shares_for_stable, stable_for_shares
from rwa_testbed.units import SHARE, USDC

DAY = 86_400
DELAY = 2 * DAY
GATE_WINDOW = 7 * DAY
GATE_BPS = 2_000  # 20 % of supply per window
NAV0 = 100 * USDC
WALLET_STABLE = 10**12 * USDC  # each investor's (and the sponsor's) stablecoin wallet
SEED_SUBSCRIPTIONS = {"lp": 1_000_000 * USDC, "trader": 500_000 * USDC, "borrower": 250_000 * USDC}
SEED_REQUESTS = {"lp": 1_500 * SHARE, "trader": 1_000 * SHARE, "borrower": 500 * SHARE}  # 3,000 of a 3,500 cap
SEED_DEPLOYED_CASH = 1_500_000 * USDC  # leaves $250,000: pays two seeded requests at $100, not the third
INVESTORS = tuple(SEED_SUBSCRIPTIONS)
GUARDIANS = ("custodian", "admin")


def normalise(value):
    """Accounts, contracts and hex address strings as checksummed strings; other values as they are."""
    value = getattr(value, "address", value)
    return to_checksum_address(value) if isinstance(value, str) and is_hex_address(value) else value


def decode_error(error_abi, data: bytes) -> dict:
    """Inputs of custom error `error_abi` decoded from revert `data`; AssertionError on another error."""
    if data[:4] != keccak(text=error_abi.selector)[:4]:
        raise AssertionError(f"expected custom error {error_abi.selector}, got revert data 0x{data.hex()}")
    values = decode([i.canonical_type for i in error_abi.inputs], data[4:])
    return {i.name: normalise(v) for i, v in zip(error_abi.inputs, values)}


# ------------------------------------------------------------------- bounded strategies

investors = st.sampled_from(INVESTORS)
guardians = st.sampled_from(GUARDIANS)
stable_amounts = st.integers(1, 2_000_000 * USDC)
percents = st.integers(0, 100)
request_modes = st.sampled_from(["gate_remaining", "percent_of_balance", "gate_remaining", "gate_remaining_plus_one"])
request_picks = st.integers(0, 2**16)
navs = st.integers(1, 200 * USDC)
as_of_modes = st.sampled_from(["now", "between", "now", "same_as_latest", "between", "stale", "future"])
time_steps = st.one_of(
    st.sampled_from([DELAY, GATE_WINDOW, 1, 3_600, DELAY - 1, GATE_WINDOW - 1]),
    st.integers(1, 2 * GATE_WINDOW),
)
one_in_three = st.sampled_from([False, False, True])  # rarer switches: freeze, impair, write-off, over-draw
reasons = st.sampled_from(["custodian hack", "legal challenge", "hurricane", "cleared"])


class SpvMachine(RuleBasedStateMachine):
    """Model of one SPV; `env` (contracts, actors, seed receipts) is set by the test before running."""

    env: dict = {}
    outcomes: Counter = Counter()  # "method: error or success" across examples; printed by the test

    def __init__(self):
        super().__init__()
        env = self.env
        self.chain, self.spv, self.stablecoin = env["chain"], env["spv"], env["stablecoin"]
        self.web3 = self.chain.provider.web3
        self._calldata = {}
        self.accounts = env["accounts"]
        self.snapshot = self.chain.snapshot()

        spv = self.spv
        self.head_time = self.chain.blocks.head.timestamp  # latest mined block
        self.now = self.head_time + 1  # timestamp of the next transaction
        self.epoch = spv.gateEpoch()
        # model, read once from the seeded state
        self.nav, self.nav_as_of, _ = spv.latestNav()
        self.nav_reports = spv.navReportCount()
        self.frozen, self.impaired, self.reason = False, False, ""
        self.balances = {name: spv.balanceOf(self.accounts[name]) for name in INVESTORS}
        self.supply = spv.totalSupply()
        self.cash = spv.cashReserve()
        self.requests = []  # dicts: holder, shares, claimable_at, status, window
        holders = {self.accounts[name].address: name for name in INVESTORS}
        for request_id in range(spv.redemptionRequestCount()):
            request = spv.redemptionRequest(request_id)
            self.requests.append(
                {
                    "holder": holders[request.holder],
                    "shares": request.shares,
                    "claimable_at": request.claimableAt,
                    "status": RequestStatus(request.status),
                    "window": request.gateWindowIndex,
                }
            )
        gate = spv.gateStatus()  # the seed leaves the head in the last window it touched
        self.gate_index, self.gate_supply, self.gate_requested = (
            gate.windowIndex,
            gate.supplyAtStart,
            gate.requestedShares,
        )
        # facts read from the logs of every successful transaction, the seed's included
        self.log_cash_in, self.log_cash_out = 0, 0
        self.log_settled_ids = []
        for receipt in env["seed_receipts"]:
            self._read_logs(receipt)

    def teardown(self):
        self.chain.restore(self.snapshot)

    # --------------------------------------------------------------- helpers

    def _send(self, method, *args, sender, error=None, **error_args):
        """Runs `method(*args)` from `sender` at the model's clock, expecting `error` (exactly
        `error_args`) or success. Either way one block is mined at `now`."""
        self.outcomes[f"{method.abis[-1].name}: {error or 'success'}"] += 1
        account = self.accounts[sender]
        tx = None
        if error is not None:
            self.chain.mine(timestamp=self.now)
            call = {"from": account.address, "to": self.spv.address, "data": method.encode_input(*args)}
            try:
                self.web3.eth.call(call)
            except Web3ContractLogicError as err:
                data = bytes.fromhex(err.data.removeprefix("0x"))
            else:
                raise AssertionError(f"{method.abis[-1].name}{args} did not revert; expected {error}")
            expected = {name: normalise(value) for name, value in error_args.items()}
            assert decode_error(getattr(self.spv, error).abi, data) == expected
        else:
            self.chain.pending_timestamp = self.now
            tx = method(*args, sender=account)
            assert tx.timestamp == self.now
            self._read_logs(tx)
        self.head_time, self.now = self.now, self.now + 1
        return tx

    def _uint(self, contract, method, *args):
        """A uint256 view read with web3 directly: the invariants' hot path (ape's call pipeline
        costs ~3x more per call)."""
        key = (contract.address, method, args)
        if (data := self._calldata.get(key)) is None:
            data = self._calldata[key] = getattr(contract, method).encode_input(*args)
        return int.from_bytes(self.web3.eth.call({"to": contract.address, "data": data}), "big")

    def _read_logs(self, tx):
        for log in tx.events:
            if log.contract_address != self.spv.address:
                continue
            if log.event_name == "Subscribed":
                self.log_cash_in += log.stableAmount
            elif log.event_name == "CashDeposited":
                self.log_cash_in += log.amount
            elif log.event_name == "CashWithdrawn":
                self.log_cash_out += log.amount
            elif log.event_name == "RedemptionSettled":
                self.log_cash_out += log.paid
                self.log_settled_ids.append(log.requestId)

    def _window(self, t):
        return (t - self.epoch) // GATE_WINDOW

    def _gate_at(self, t):
        """(index, supply at start, requested) of the gate window at time t, as the contract sees it."""
        index = self._window(t)
        if index == self.gate_index:
            return index, self.gate_supply, self.gate_requested
        return index, self.supply, 0  # no mint or burn since it started

    def _roll_gate(self, tx):
        """After a request, mint or burn: the window at tx time is the stored one (event if new)."""
        index, supply_at_start, requested = self._gate_at(tx.timestamp)
        opened = [] if index == self.gate_index else [
            self.spv.GateWindowOpened(
                index, self.epoch + index * GATE_WINDOW, supply_at_start, gate_cap(supply_at_start, GATE_BPS)
            )
        ]
        assert tx.events.filter(self.spv.GateWindowOpened) == opened
        self.gate_index, self.gate_supply, self.gate_requested = index, supply_at_start, requested

    def _pick_request(self, pick, any_id):
        """A Pending request's id, or with `any_id` any id including the next, unknown one."""
        pending = [i for i, r in enumerate(self.requests) if r["status"] == RequestStatus.PENDING]
        if pending and not any_id:
            return pending[pick % len(pending)]
        return pick % (len(self.requests) + 1)

    # --------------------------------------------------------------- rules

    @rule(investor=investors, amount=stable_amounts)
    def subscribe(self, investor, amount):
        if self.frozen:
            return self._send(self.spv.subscribe, amount, sender=investor, error="RedemptionsFrozen")
        if self.impaired:
            return self._send(self.spv.subscribe, amount, sender=investor, error="SpvImpaired", reason=self.reason)
        if self.nav == 0:
            return self._send(
                self.spv.subscribe, amount, sender=investor, error="NavIsZero", reportIndex=self.nav_reports - 1
            )
        shares = shares_for_stable(amount, self.nav)
        assert shares > 0  # NAV <= $200 and amount >= 1 unit always buy shares
        tx = self._send(self.spv.subscribe, amount, sender=investor)
        assert tx.events.filter(self.spv.Subscribed) == [
            self.spv.Subscribed(self.accounts[investor], amount, shares, self.nav)
        ]
        self._roll_gate(tx)
        self.balances[investor] += shares
        self.supply += shares
        self.cash += amount

    @rule(investor=investors, mode=request_modes, percent=percents)
    def request_redemption(self, investor, mode, percent):
        index, supply_at_start, requested = self._gate_at(self.now)
        remaining = gate_cap(supply_at_start, GATE_BPS) - requested
        if mode == "percent_of_balance":
            shares = self.balances[investor] * percent // 100
        elif mode == "gate_remaining":
            shares = min(remaining, self.balances[investor])
        else:
            shares = remaining + 1
        call = self.spv.requestRedemption
        if shares == 0:
            return self._send(call, shares, sender=investor, error="ZeroAmount")
        if self.frozen:
            return self._send(call, shares, sender=investor, error="RedemptionsFrozen")
        if shares > remaining:
            return self._send(
                call, shares, sender=investor, error="GateExceeded", requested=shares, remainingInWindow=remaining
            )
        assert shares <= self.balances[investor]  # percent <= 100; gate_remaining is capped by balance
        request_id = len(self.requests)
        tx = self._send(call, shares, sender=investor)
        claimable_at = tx.timestamp + DELAY
        assert tx.return_value == request_id
        assert tx.events.filter(self.spv.RedemptionRequested) == [
            self.spv.RedemptionRequested(request_id, self.accounts[investor], shares, claimable_at)
        ]
        self._roll_gate(tx)
        self.gate_requested += shares
        self.balances[investor] -= shares
        self.requests.append(
            {
                "holder": investor,
                "shares": shares,
                "claimable_at": claimable_at,
                "status": RequestStatus.PENDING,
                "window": index,
            }
        )

    @rule(pick=request_picks, any_id=st.booleans())
    def settle_redemption(self, pick, any_id):
        request_id = self._pick_request(pick, any_id)
        call = self.spv.settleRedemption
        if request_id == len(self.requests):
            return self._send(
                call, request_id, sender="keeper", error="UnknownRedemptionRequest", requestId=request_id,
                count=len(self.requests),
            )
        request = self.requests[request_id]
        if request["status"] != RequestStatus.PENDING:
            return self._send(
                call, request_id, sender="keeper", error="RedemptionNotPending", requestId=request_id,
                status=int(request["status"]),
            )
        if self.frozen:
            return self._send(call, request_id, sender="keeper", error="RedemptionsFrozen")
        if self.now < request["claimable_at"]:
            return self._send(
                call, request_id, sender="keeper", error="RedemptionNotClaimable", requestId=request_id,
                claimableAt=request["claimable_at"], currentTime=self.now,
            )
        paid = stable_for_shares(request["shares"], self.nav)
        if paid > self.cash:
            return self._send(
                call, request_id, sender="keeper", error="InsufficientCash", needed=paid, available=self.cash
            )
        tx = self._send(call, request_id, sender="keeper")
        holder = self.accounts[request["holder"]]
        assert tx.return_value == paid
        assert tx.events.filter(self.spv.RedemptionSettled) == [
            self.spv.RedemptionSettled(request_id, holder, request["shares"], self.nav, paid)
        ]
        self._roll_gate(tx)
        request["status"] = RequestStatus.SETTLED
        self.supply -= request["shares"]
        self.cash -= paid

    @rule(pick=request_picks, any_id=st.booleans(), by_other=st.booleans(), other=investors)
    def cancel_redemption(self, pick, any_id, by_other, other):
        request_id = self._pick_request(pick, any_id)
        call = self.spv.cancelRedemption
        if request_id == len(self.requests):
            return self._send(
                call, request_id, sender=other, error="UnknownRedemptionRequest", requestId=request_id,
                count=len(self.requests),
            )
        request = self.requests[request_id]
        caller = other if by_other else request["holder"]
        if request["status"] != RequestStatus.PENDING:
            return self._send(
                call, request_id, sender=caller, error="RedemptionNotPending", requestId=request_id,
                status=int(request["status"]),
            )
        if caller != request["holder"]:
            return self._send(
                call, request_id, sender=caller, error="NotRequester", requestId=request_id,
                caller=self.accounts[caller], holder=self.accounts[request["holder"]],
            )
        released = request["shares"] if request["window"] == self._window(self.now) else 0
        tx = self._send(call, request_id, sender=caller)
        assert tx.events.filter(self.spv.RedemptionCancelled) == [
            self.spv.RedemptionCancelled(request_id, self.accounts[caller], request["shares"], released)
        ]
        self.gate_requested -= released
        request["status"] = RequestStatus.CANCELLED
        self.balances[caller] += request["shares"]

    @rule(seconds=time_steps)
    def pass_time(self, seconds):
        self.now += seconds

    @rule(nav=navs, write_off=one_in_three, mode=as_of_modes, percent=percents)
    def report_nav(self, nav, write_off, mode, percent):
        nav = 0 if write_off else nav
        as_of = {
            "now": self.now,
            "same_as_latest": self.nav_as_of,
            "between": self.nav_as_of + (self.now - self.nav_as_of) * percent // 100,
            "stale": self.nav_as_of - 1,
            "future": self.now + 1,
        }[mode]
        call = self.spv.reportNav
        if as_of > self.now:
            return self._send(
                call, nav, as_of, sender="custodian", error="NavFromFuture", asOf=as_of, blockTimestamp=self.now
            )
        if as_of < self.nav_as_of:
            return self._send(
                call, nav, as_of, sender="custodian", error="StaleNav", asOf=as_of, latestAsOf=self.nav_as_of
            )
        tx = self._send(call, nav, as_of, sender="custodian")
        assert tx.events == [self.spv.NavReported(nav, as_of, self.nav_reports)]
        self.nav, self.nav_as_of, self.nav_reports = nav, as_of, self.nav_reports + 1

    @rule(frozen=one_in_three, by=guardians)
    def freeze_redemptions(self, frozen, by):
        tx = self._send(self.spv.freezeRedemptions, frozen, sender=by)
        assert tx.events == [self.spv.RedemptionsFrozenUpdated(frozen, self.accounts[by])]
        self.frozen = frozen

    @rule(impaired=one_in_three, reason=reasons, by=guardians)
    def set_impaired(self, impaired, reason, by):
        tx = self._send(self.spv.setImpaired, impaired, reason, sender=by)
        assert tx.events == [self.spv.ImpairmentUpdated(impaired, reason, self.accounts[by])]
        self.impaired, self.reason = impaired, reason

    @rule(percent=percents, over=one_in_three)
    def withdraw_cash(self, percent, over):
        amount = self.cash + 1 if over else self.cash * percent // 100
        treasury = self.accounts["treasury"]
        if amount == 0:
            return self._send(self.spv.withdrawCash, treasury, amount, sender="admin", error="ZeroAmount")
        if amount > self.cash:
            return self._send(
                self.spv.withdrawCash, treasury, amount, sender="admin", error="InsufficientCash", needed=amount,
                available=self.cash,
            )
        tx = self._send(self.spv.withdrawCash, treasury, amount, sender="admin")
        self.cash -= amount
        assert tx.events.filter(self.spv.CashWithdrawn) == [
            self.spv.CashWithdrawn(self.accounts["admin"], treasury, amount, self.cash)
        ]

    @rule(amount=stable_amounts, zero=one_in_three)
    def deposit_cash(self, amount, zero):
        amount = 0 if zero else amount
        if amount == 0:
            return self._send(self.spv.depositCash, amount, sender="treasury", error="ZeroAmount")
        tx = self._send(self.spv.depositCash, amount, sender="treasury")
        self.cash += amount
        assert tx.events.filter(self.spv.CashDeposited) == [
            self.spv.CashDeposited(self.accounts["treasury"], amount, self.cash)
        ]

    @rule(sender=investors, receiver=investors, percent=percents)
    def transfer(self, sender, receiver, percent):
        amount = self.balances[sender] * percent // 100
        self._send(self.spv.transfer, self.accounts[receiver], amount, sender=sender)
        self.balances[sender] -= amount
        self.balances[receiver] += amount

    # --------------------------------------------------------------- invariants

    @invariant()
    def no_redemption_paid_twice(self):
        assert len(self.log_settled_ids) == len(set(self.log_settled_ids))
        if self.log_settled_ids:
            latest = self.log_settled_ids[-1]
            assert self.spv.redemptionRequest(latest).status == RequestStatus.SETTLED

    @invariant()
    def paid_out_never_exceeds_cash_in(self):
        assert self.log_cash_out <= self.log_cash_in
        assert self.log_cash_in - self.log_cash_out == self._uint(self.stablecoin, "balanceOf", self.spv.address)

    @invariant()
    def escrow_equals_unsettled_request_shares(self):
        unsettled = sum(r["shares"] for r in self.requests if r["status"] == RequestStatus.PENDING)
        escrowed = self._uint(self.spv, "balanceOf", self.spv.address)
        assert escrowed == self._uint(self.spv, "pendingRedemptionShares") == unsettled

    @invariant()
    def stablecoin_balance_equals_model_cash(self):
        balance = self._uint(self.stablecoin, "balanceOf", self.spv.address)
        assert balance == self._uint(self.spv, "cashReserve") == self.cash

    @invariant()
    def supply_and_balances_match_model(self):
        assert self._uint(self.spv, "totalSupply") == self.supply
        for name in INVESTORS:
            assert self._uint(self.spv, "balanceOf", self.accounts[name].address) == self.balances[name]

    @invariant()
    def gate_matches_model_and_stays_within_cap(self):
        index, supply_at_start, requested = self._gate_at(self.head_time)
        status = self.spv.gateStatus()
        assert (status.windowIndex, status.supplyAtStart, status.requestedShares) == (index, supply_at_start, requested)
        assert status.requestedShares <= status.capShares == gate_cap(supply_at_start, GATE_BPS)


@pytest.fixture
def seeded_spv(project, chain, stablecoin, admin, custodian, lp, trader, borrower, treasury):
    """A private-credit SPV in gate window 1, an hour past its settlement delay: three holders,
    three claimable requests (3,000 of the 3,500-share cap), $1.5M of its $1.75M deployed.
    Investors and the sponsor (`treasury`) hold stablecoin and approved the SPV.
    Returns (spv, receipts of the seed's cash movements)."""
    spv = admin.deploy(
        project.SPVToken, "SME Loan Book SPV", "SMESPV", stablecoin, admin, custodian, AssetKind.PRIVATE_CREDIT,
        DELAY, GATE_BPS, GATE_WINDOW, NAV0,
    )
    holders = {"lp": lp, "trader": trader, "borrower": borrower}
    receipts = []
    for account in (*holders.values(), treasury):
        stablecoin.mint(account, WALLET_STABLE, sender=admin)
        stablecoin.approve(spv, 2**256 - 1, sender=account)
    for name, amount in SEED_SUBSCRIPTIONS.items():
        receipts.append(spv.subscribe(amount, sender=holders[name]))
    chain.mine(timestamp=spv.gateEpoch() + GATE_WINDOW)
    for name, shares in SEED_REQUESTS.items():
        spv.requestRedemption(shares, sender=holders[name])
    receipts.append(spv.withdrawCash(treasury, SEED_DEPLOYED_CASH, sender=admin))
    chain.mine(timestamp=spv.gateEpoch() + GATE_WINDOW + DELAY + 3_600)
    return spv, receipts


def test_spv_state_machine(seeded_spv, chain, stablecoin, admin, custodian, keeper, lp, trader, borrower, treasury):
    spv, seed_receipts = seeded_spv
    SpvMachine.env = {
        "chain": chain,
        "spv": spv,
        "stablecoin": stablecoin,
        "seed_receipts": seed_receipts,
        "accounts": {
            "admin": admin, "custodian": custodian, "keeper": keeper, "treasury": treasury,
            "lp": lp, "trader": trader, "borrower": borrower,
        },
    }
    SpvMachine.outcomes.clear()
    run_state_machine_as_test(SpvMachine)
    print("\nSPV state machine outcomes:", *sorted(SpvMachine.outcomes.items()), sep="\n  ")
