"""Every borrower's account data on our pool, kept step by step from what moves it, exactly as
`LendingPool.getUsersAccountData` would return it, without reading every borrower every step.

A borrower's six numbers (`AccountLogic.accountData`, prices at the feeds' last answers whatever their
age) depend on two kinds of state:

- the borrower's own: the user configuration (collateral and borrowing flags) and the scaled supply
  and scaled debt in each reserve. These change only in a transaction of the pool that names the
  borrower in a log (`Supplied`, `Withdrawn`, `Borrowed`, `Repaid`, `CollateralToggled`,
  `LiquidationExecuted`, `DeficitCreated`: the user is a topic, a liquidator taking shares a data
  word). After each block the book re-reads the borrowers its pool logs name (`observe_block`);
  `start` reads them all once.
- the reserves': normalized income and debt (interest moves them every block), the price (the
  reserve's price source, `latestRoundData`), decimals, LTV and threshold. The book reads these for
  every reserve at every step (`reserve_calls`), a handful of calls whatever the population.

From the two it computes each borrower's numbers with `models.aave.account_data`, the same integer
arithmetic as the pool (values rounded down, value-weighted averages, half-up health factor). A
record whose inputs did not change since the last step is reused. The engine's every-block
reference mode reads every borrower from the chain instead (`OurPool(full_account_reads=True)`),
and the stepping tests compare the two.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Sequence

from ..models.aave import AccountData, PositionLine, account_data, ray_mul
from .base import Call, word

if TYPE_CHECKING:
    from ..abi import Bound
    from ..chain import TxResult

USERS_PER_BATCH = 2_000
"""Borrowers re-read per JSON-RPC batch (each one 1 + 2 x reserves eth_calls)."""

_RESERVE_READS = 4  # getReserveData, normalized income, normalized debt, the price source's round


def _signed(data: bytes, i: int) -> int:
    return int.from_bytes(data[32 * i: 32 * i + 32], "big", signed=True)


class AccountBook:
    """The borrowers' state on our pool and their account data (see the module docstring)."""

    def __init__(self, pool: "Bound", users: Sequence[str]):
        self.pool = pool
        self.users = list(users)
        self.index = {u.lower(): i for i, u in enumerate(self.users)}
        self.assets: list[str] = []
        self.sources: list[str] = []
        # per borrower: (user configuration, scaled supply per reserve, scaled debt per reserve)
        self.state: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
        self._reserves: tuple | None = None  # the reserves' inputs at the last step
        self._records: list[AccountData] = []
        self._dirty: set[int] = set()
        # where getReserveData's answer holds the fields the book reads (a static struct)
        self._word = {name: pool.abi.output_word("getReserveData", name)
                      for name in ("priceSource", "decimals", "ltvBps", "liquidationThresholdBps")}

    # -- reading ---------------------------------------------------------------------------

    def start(self, chain) -> None:
        """Reads the listed reserves, their price sources and every borrower's state."""
        self.assets = [a for a in self.pool.abi.decode("getReservesList", chain.calls([
            self.pool.call("getReservesList")])[0])[0]]
        answers = chain.calls([self.pool.call("getReserveData", a) for a in self.assets])
        self.sources = [_address(word(answer, self._word["priceSource"])) for answer in answers]
        self.state = [(0, (), ())] * len(self.users)
        self._load(chain, range(len(self.users)))
        self._reserves, self._records = None, []

    def observe_block(self, chain, results: Sequence["TxResult"]) -> None:
        """Re-reads the borrowers that the pool's logs in `results` name (topics and data words)."""
        pool = self.pool.address.lower()
        touched: set[int] = set()
        for result in results:
            for log in result.logs:
                if log["address"].lower() != pool:
                    continue
                words = [t[2:] for t in log["topics"][1:]]
                data = log["data"][2:]
                words += [data[k: k + 64] for k in range(0, len(data), 64)]
                for w in words:
                    if len(w) == 64 and w.startswith("0" * 24):
                        i = self.index.get("0x" + w[24:].lower())
                        if i is not None:
                            touched.add(i)
        if touched:
            self._load(chain, sorted(touched))

    def _load(self, chain, indices: Sequence[int]) -> None:
        per = 1 + 2 * len(self.assets)
        indices = list(indices)
        for start in range(0, len(indices), USERS_PER_BATCH):
            chunk = indices[start: start + USERS_PER_BATCH]
            calls: list[Call] = []
            for i in chunk:
                user = self.users[i]
                calls.append(self.pool.call("getUserConfiguration", user))
                for asset in self.assets:
                    calls += [self.pool.call("scaledSupplyOf", asset, user), self.pool.call("scaledDebtOf", asset, user)]
            answers = chain.calls(calls)
            for k, i in enumerate(chunk):
                a = answers[k * per: (k + 1) * per]
                self.state[i] = (word(a[0]), tuple(word(x) for x in a[1::2]), tuple(word(x) for x in a[2::2]))
                self._dirty.add(i)

    def reserve_calls(self) -> list[Call]:
        """Per reserve, read every step: its data, normalized income and debt, and its price's round."""
        calls: list[Call] = [self.pool.call("getReservesList")]
        for asset, source in zip(self.assets, self.sources):
            calls += [self.pool.call("getReserveData", asset),
                      self.pool.call("getReserveNormalizedIncome", asset),
                      self.pool.call("getReserveNormalizedVariableDebt", asset),
                      (source, _LATEST_ROUND_DATA)]
        return calls

    # -- computing ---------------------------------------------------------------------------

    def accounts(self, answers: Sequence[bytes]) -> list[AccountData]:
        """Every borrower's account data at the block `answers` (of `reserve_calls`) were read on."""
        listed = [a.lower() for a in self.pool.abi.decode("getReservesList", answers[0])[0]]
        if listed != [a.lower() for a in self.assets]:
            raise RuntimeError(f"the pool's reserves changed during the run ({self.assets} -> {listed}): "
                               "the account book reads the reserves listed at its start")
        at = self._word
        reserves = []
        for j, asset in enumerate(self.assets):
            data, income, debt_index, round_ = answers[1 + _RESERVE_READS * j: 1 + _RESERVE_READS * (j + 1)]
            source = _address(word(data, at["priceSource"]))
            if source != self.sources[j]:
                raise RuntimeError(f"reserve {asset}: price source changed during the run ({self.sources[j]} -> "
                                   f"{source}): the account book reads the sources set at its start")
            price = _signed(round_, 1)
            if price <= 0:  # the pool's read reverts here (`InvalidPrice`)
                raise RuntimeError(f"reserve {asset}: non-positive price {price} from {source}")
            reserves.append((price, word(data, at["decimals"]), word(data, at["ltvBps"]),
                             word(data, at["liquidationThresholdBps"]), word(income), word(debt_index)))
        key = tuple(reserves)
        if key != self._reserves or len(self._records) != len(self.users):
            self._records = [self._compute(state, reserves) for state in self.state]
        else:
            for i in self._dirty:
                self._records[i] = self._compute(self.state[i], reserves)
        self._reserves, self._dirty = key, set()
        return list(self._records)

    @staticmethod
    def _compute(state: tuple[int, tuple[int, ...], tuple[int, ...]], reserves: Sequence[tuple]) -> AccountData:
        """`AccountLogic.accountData` for one borrower: reserves the configuration flags, balances at
        the normalized income and debt (ray, half up), the six numbers from `account_data`."""
        config, supplied, borrowed = state
        lines = []
        for j, (price, decimals, ltv, threshold, income, debt_index) in enumerate(reserves):
            flags = (config >> (2 * j)) & 3
            if not flags:
                continue
            debt = borrowed[j] if flags & 1 else 0
            lines.append(PositionLine(price, decimals, ltv, threshold,
                                      ray_mul(supplied[j], income) if flags & 2 else 0, bool(flags & 2),
                                      ray_mul(debt, debt_index) if debt else 0))
        data = account_data(lines)
        # the chain's six words carry no zero-LTV flag: the records are those a chain read decodes to
        return replace(data, has_zero_ltv_collateral=False) if data.has_zero_ltv_collateral else data


_LATEST_ROUND_DATA = bytes.fromhex("feaf968c")  # latestRoundData()


def _address(value: int) -> str:
    return "0x" + value.to_bytes(20, "big").hex()
