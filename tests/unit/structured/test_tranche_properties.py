"""TrancheVault under hypothesis: random runs of deposits, redemptions, price moves and waits on the
contract and on its Python model (`rwa_testbed.models.tranche.TrancheVaultModel`) side by side.

After every step: the model equals the contract (minted shares, paid assets, values, principal,
supplies, balance; the same reverts with the same arguments), and the tranche values sum to the
vault's value exactly. On every price move: the junior absorbs the loss first, and the senior never
loses while the junior has value.
"""

from dataclasses import replace

from hypothesis import event, given

from rwa_testbed.models.tranche import TooSmall, Tranche, TrancheVaultModel, WipedOut
from rwa_testbed.testing import reverts
from rwa_testbed.units import BPS

from .conftest import COUPON_BPS
from .structured_strategies import vault_runs


class Run:
    """One example: the contract, the model and the accounts (senior investor `lp`, junior `trader`)."""

    def __init__(self, vault, feed, tokens, underlying, admin, lp, trader, chain):
        self.vault, self.feed, self.tokens, self.underlying = vault, feed, tokens, underlying
        self.admin, self.chain = admin, chain
        self.investor = {Tranche.SENIOR: lp, Tranche.JUNIOR: trader}
        self.model = TrancheVaultModel(coupon_bps=COUPON_BPS, inception_time=vault.inceptionTime(),
                                       balance=underlying.balanceOf(vault))
        self.price = feed.latestAnswer()

    def now(self) -> int:
        return self.chain.blocks.head.timestamp

    def next_block(self) -> int:
        """Pins the next block one second after the head; returns its time."""
        timestamp = self.now() + 1
        self.chain.pending_timestamp = timestamp
        return timestamp

    def deposit(self, tranche: Tranche, assets: int) -> None:
        timestamp = self.next_block()
        trial = replace(self.model)
        method = self.vault.depositSenior if tranche == Tranche.SENIOR else self.vault.depositJunior
        account = self.investor[tranche]
        try:
            expected = trial.deposit(tranche, assets, self.price, timestamp)
        except WipedOut as refused:
            _, supply, total, claim = refused.args
            event(f"{tranche.name} deposit refused: wiped out")
            with reverts(self.vault.TrancheWipedOut, tranche=int(tranche), supply=supply, totalValue=total,
                         seniorClaim=claim):
                method(assets, account, sender=account)
            return
        except TooSmall as refused:
            event(f"{tranche.name} deposit refused: too small")
            with reverts(self.vault.DepositTooSmall, tranche=int(tranche), assets=assets, value=refused.args[2]):
                method(assets, account, sender=account)
            return
        tx = method(assets, account, sender=account)
        assert tx.timestamp == timestamp
        assert tx.return_value == expected
        self.model = trial
        event(f"{tranche.name} deposit minted")

    def redeem(self, tranche: Tranche, bps: int) -> None:
        account = self.investor[tranche]
        shares = self.tokens[tranche].balanceOf(account) * bps // BPS
        if shares == 0:
            return
        timestamp = self.next_block()
        method = self.vault.redeemSenior if tranche == Tranche.SENIOR else self.vault.redeemJunior
        expected = self.model.redeem(tranche, shares, self.price, timestamp)
        assert method(shares, account, sender=account).return_value == expected
        event(f"{tranche.name} redeemed")

    def move_price(self, move_bps: int) -> None:
        before = tuple(self.vault.values())
        senior_nav_before = self.vault.seniorNavPerToken()
        self.price = max(1, self.price * (BPS + move_bps) // BPS)
        self.next_block()
        self.feed.setAnswer(self.price, sender=self.admin)
        after = tuple(self.vault.values())
        total_before, _, senior_before, junior_before = before
        total_after, claim_after, senior_after, junior_after = after
        if total_after <= total_before:  # a loss (the claim only grew meanwhile): the junior's first
            loss = total_before - total_after
            assert junior_before - junior_after >= min(loss, junior_before)
            assert senior_before - senior_after <= max(0, loss - junior_before)
        event("price move: " + ("junior absorbs" if junior_after else "senior impaired" if senior_after < claim_after
                                else "nothing left"))
        if junior_after > 0:  # the senior is whole while the junior has value, and never loses
            assert senior_after == claim_after
            assert self.vault.seniorNavPerToken() >= senior_nav_before

    def wait(self, seconds: int) -> None:
        self.chain.mine(timestamp=self.now() + seconds)

    def check(self) -> None:
        total, claim, senior, junior = values = tuple(self.vault.values())
        assert senior + junior == total  # conservation, exactly
        assert values == self.model.values(self.price, self.now())
        assert self.vault.seniorPrincipal() == self.model.principal
        assert (self.tokens[Tranche.SENIOR].totalSupply(), self.tokens[Tranche.JUNIOR].totalSupply()) == (
            self.model.senior_supply, self.model.junior_supply)
        assert self.underlying.balanceOf(self.vault) == self.model.balance
        for tranche in Tranche:
            assert self.vault.navPerToken(int(tranche)) == self.model.nav_per_token(tranche, self.price, self.now())


@given(run=vault_runs)
def test_vault_run__any_steps__model_equals_contract_and_waterfall_holds(
        tranche_vault, tranche_tokens, vault_feed, vault_underlying, admin, lp, trader, chain, run_isolated, run):
    def body():
        state = Run(tranche_vault, vault_feed, dict(zip(Tranche, tranche_tokens)), vault_underlying, admin, lp,
                    trader, chain)
        for step in run:
            kind, argument = step
            if kind in ("senior", "junior"):
                state.deposit(Tranche.SENIOR if kind == "senior" else Tranche.JUNIOR, argument)
            elif kind in ("redeem_senior", "redeem_junior"):
                state.redeem(Tranche.SENIOR if kind == "redeem_senior" else Tranche.JUNIOR, argument)
            elif kind == "price":
                state.move_price(argument)
            else:
                state.wait(argument)
            state.check()

    run_isolated(body)
