"""Our ConstantProductPair at 30 bps against the real Uniswap V2 pair, in lock-step.

Both pools get the same first deposit, then the same 200 swaps (hypothesis-drawn sizes from 1 wei
to twice the input reserve, both directions). Each swap's input is sent to the pair and `swap` asks
for Uniswap's getAmountOut (computed here in its own 997/1000 form): both must pay it, emit the same
events and end with the same reserves, timestamps and cumulative prices; one wei more must revert
on both. The same goes for mint and burn. Transactions go through the engine's FastChain: each step
is one block holding both pools' transactions, so both pairs see identical timestamps.
"""

from contextlib import contextmanager
from math import isqrt

import pytest
import requests
from ape.utils import ZERO_ADDRESS
from eth_abi import decode, encode
from eth_account import Account
from eth_utils import is_hex_address, keccak, to_checksum_address
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rwa_testbed.abi import Abi, Bound
from rwa_testbed.chain import FastChain
from rwa_testbed.testing import isolated

DEAD = "0x000000000000000000000000000000000000dEaD"
UINT112_MAX = 2**112 - 1
SWAPS = 200

ERROR_STRING = keccak(text="Error(string)")[:4]
K_INVARIANT = keccak(text="KInvariant(uint256,uint256)")[:4]
INSUFFICIENT_LIQUIDITY = keccak(text="InsufficientLiquidity(uint256,uint256,uint256,uint256)")[:4]
INSUFFICIENT_LIQUIDITY_MINTED = keccak(text="InsufficientLiquidityMinted(uint256,uint256)")[:4]
INSUFFICIENT_LIQUIDITY_BURNED = keccak(text="InsufficientLiquidityBurned(uint256,uint256)")[:4]

# No shrinking: shrinking a chain-driven example takes 5-10 minutes on this machine; a failure
# prints the whole failing example instead (keep it as an explicit regression test).
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]
_HEALTH = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.large_base_example,
    HealthCheck.data_too_large,
]


def uniswap_get_amount_out(amount_in, reserve_in, reserve_out):
    """UniswapV2Library.getAmountOut, in Uniswap's own 997/1000 form."""
    return amount_in * 997 * reserve_out // (reserve_in * 1000 + amount_in * 997)


def uq112x112(numerator, denominator):
    return (numerator << 112) // denominator


class Pool:
    """One side of the lock-step: a pair and its two tokens, bound for FastChain."""

    def __init__(self, name, pair, token0, token1, pair_abi, erc20_abi):
        self.name = name
        self.pair = Bound(name, pair.address, pair_abi)
        self.tokens = [
            Bound(f"{name}.token{i}", token.address, erc20_abi) for i, token in enumerate((token0, token1))
        ]
        # Role labels make both pools' events comparable. "null" is address(0) (the counterparty
        # of every mint and burn, and Uniswap's holder of the locked MINIMUM_LIQUIDITY) or 0xdEaD
        # (our holder of it: OpenZeppelin's ERC20 refuses to mint to address(0)).
        self.labels = {
            self.pair.address: "pair",
            self.tokens[0].address: "token0",
            self.tokens[1].address: "token1",
            DEAD: "null",
            ZERO_ADDRESS: "null",
        }

    def _label(self, value):
        if isinstance(value, str) and is_hex_address(value):
            value = to_checksum_address(value)
            return self.labels.get(value, value)
        return value

    def events(self, result):
        """(emitter, event, fields) of each log of a transaction, addresses as role labels."""
        events = []
        for log in result.logs:
            emitter = to_checksum_address(log["address"])
            abi = self.pair.abi if emitter == self.pair.address else self.tokens[0].abi
            name, fields = abi.decode_log(log)
            events.append((self.labels[emitter], name, {k: self._label(v) for k, v in fields.items()}))
        return events

    def tx(self, who, sender, fn, *args):
        contract = self.pair if who == "pair" else self.tokens[who]
        return contract.tx(sender, fn, *args, agent=self.name)


def eth_calls(uri, calls):
    """`eth_call` each (to, data) at latest, in one batch: ("ok" | "revert", data) each."""
    payload = [
        {"jsonrpc": "2.0", "id": i, "method": "eth_call", "params": [{"to": to, "data": "0x" + data.hex()}, "latest"]}
        for i, (to, data) in enumerate(calls)
    ]
    answers = sorted(requests.post(uri, json=payload, timeout=60).json(), key=lambda a: a["id"])
    return [
        ("revert", bytes.fromhex(a["error"]["data"][2:])) if "error" in a else ("ok", bytes.fromhex(a["result"][2:]))
        for a in answers
    ]


def uniswap_reason(answer):
    status, data = answer
    assert status == "revert" and data[:4] == ERROR_STRING, f"expected a revert string, got {status} 0x{data.hex()}"
    return decode(["string"], data[4:])[0]


def our_error(selector, types, values):
    return ("revert", selector + encode(types, values))


def step_results(fast, requests, t):
    """Mines `requests` in one block at `t`; their results (FastChain.step also returns reads)."""
    return fast.step(requests, t)[0]


def expect_ok(results):
    for result in results:
        assert result.status == 1, f"{result.request.agent}: {result.request.action} reverted"


def read_state(fast, pools, holders=()):
    """Per pool: (reserves tuple, price0CumulativeLast, price1CumulativeLast, totalSupply, LP balances)."""
    calls = []
    for pool in pools:
        calls += [
            pool.pair.call(fn)
            for fn in ("getReserves", "price0CumulativeLast", "price1CumulativeLast", "totalSupply")
        ]
        calls += [pool.pair.call("balanceOf", h) for h in holders]
    raw = fast.calls(calls)
    per_pool = 4 + len(holders)
    states = []
    for i, pool in enumerate(pools):
        chunk = raw[i * per_pool : (i + 1) * per_pool]
        states.append(
            (
                tuple(pool.pair.abi.decode("getReserves", chunk[0])),
                decode(["uint256"], chunk[1])[0],
                decode(["uint256"], chunk[2])[0],
                decode(["uint256"], chunk[3])[0],
                tuple(decode(["uint256"], c)[0] for c in chunk[4:]),
            )
        )
    return states


class Prices:
    """Uniswap V2's cumulative prices, recomputed in Python."""

    def __init__(self):
        self.cumulative0 = self.cumulative1 = 0
        self.last = None

    def update(self, reserves, t):
        if self.last is not None and t != self.last and reserves[0] and reserves[1]:
            elapsed = (t - self.last) % 2**32
            self.cumulative0 = (self.cumulative0 + uq112x112(reserves[1], reserves[0]) * elapsed) % 2**256
            self.cumulative1 = (self.cumulative1 + uq112x112(reserves[0], reserves[1]) * elapsed) % 2**256
        self.last = t


@pytest.fixture
def lockstep(chain, project, tokens, uniswap_pair, our_pair, token_of, uniswap_pair_container, trader, lp):
    """`with lockstep() as (fast, pools, t0, uri):` both pools, FastChain mining, chain state
    restored afterwards (one hypothesis example each). The trader holds 2^200 of every token."""
    erc20_abi = Abi([a.model_dump(mode="json", by_alias=True) for a in project.TestERC20.contract_type.abi])

    def pair_abi(container):
        return Abi([a.model_dump(mode="json", by_alias=True) for a in container.contract_type.abi])

    pools = [
        Pool(name, pair, token_of(pair, 0), token_of(pair, 1), pair_abi(container), erc20_abi)
        for name, pair, container in (
            ("uniswap", uniswap_pair, uniswap_pair_container),
            ("ours", our_pair, project.ConstantProductPair),
        )
    ]
    for token in tokens:
        token.mint(trader, 2**200, sender=trader)

    @contextmanager
    def run():
        with isolated(chain):
            fast = FastChain(chain.provider.uri)
            fast.take_control()
            try:
                yield fast, pools, fast.timestamp() + 1, chain.provider.uri
            finally:
                fast.release_control()

    return run


def first_deposit(fast, pools, t, sender, to, amount0, amount1):
    """Same first deposit on both pools in one block; asserts LP = isqrt(x*y) - 1000 on both."""
    results = step_results(fast,
        [
            tx
            for pool in pools
            for tx in (
                pool.tx(0, sender, "transfer", pool.pair.address, amount0),
                pool.tx(1, sender, "transfer", pool.pair.address, amount1),
                pool.tx("pair", sender, "mint", to),
            )
        ],
        t,
    )
    expect_ok(results)
    liquidity = isqrt(amount0 * amount1) - 1000
    expected = [
        ("pair", "Transfer", {"from": "null", "to": "null", "value": 1000}),
        ("pair", "Transfer", {"from": "null", "to": to, "value": liquidity}),
        ("pair", "Sync", {"reserve0": amount0, "reserve1": amount1}),
        ("pair", "Mint", {"sender": sender.address, "amount0": amount0, "amount1": amount1}),
    ]
    assert [pools[0].events(results[2]), pools[1].events(results[5])] == [expected, expected]
    # LP balances of (depositor, address(0), 0xdEaD): the locked 1000 sit at address(0) on
    # Uniswap's pair, at 0xdEaD on ours.
    uniswap_state, our_state = read_state(fast, pools, holders=[to, ZERO_ADDRESS, DEAD])
    assert (uniswap_state[4], our_state[4]) == ((liquidity, 1000, 0), (liquidity, 0, 1000))
    assert uniswap_state[3] == our_state[3] == liquidity + 1000
    return liquidity


swap_step = st.tuples(
    st.booleans(),  # True: token0 in
    st.one_of(
        st.tuples(st.just("share_ppm"), st.integers(min_value=1, max_value=2_000_000)),  # of the input reserve
        st.tuples(st.just("wei"), st.integers(min_value=1, max_value=10**6)),
    ),
    st.integers(min_value=1, max_value=3_600),  # seconds since the previous step
)


@settings(max_examples=2, deadline=None, suppress_health_check=_HEALTH, phases=NO_SHRINK)
@given(
    reserve0=st.integers(min_value=10**18, max_value=10**30),  # 1 to 1e12 tokens of 18 decimals
    reserve1=st.integers(min_value=10**18, max_value=10**30),
    swaps=st.lists(swap_step, min_size=SWAPS, max_size=SWAPS),
)
def test_swap__same_200_swaps_as_uniswap_v2__identical_outputs_reserves_and_prices(
    lockstep, trader, lp, reserve0, reserve1, swaps
):
    sender = Account.from_key(trader.private_key)
    with lockstep() as (fast, pools, t, uri):
        first_deposit(fast, pools, t, sender, lp.address, reserve0, reserve1)
        reserves = [reserve0, reserve1]
        prices = Prices()
        prices.update(reserves, t)

        for zero_for_one, (kind, size), gap in swaps:
            i_in, i_out = (0, 1) if zero_for_one else (1, 0)
            r_in, r_out = reserves[i_in], reserves[i_out]
            amount_in = min(size if kind == "wei" else max(1, r_in * size // 10**6), UINT112_MAX - r_in)
            if amount_in == 0:  # the input reserve is full (uint112): nothing can be sold into it
                continue
            amount_out = uniswap_get_amount_out(amount_in, r_in, r_out)
            ins, outs = [0, 0], [0, 0]
            ins[i_in], outs[i_out] = amount_in, amount_out

            t += gap
            expect_ok(step_results(fast, [pool.tx(i_in, sender, "transfer", pool.pair.address, amount_in) for pool in pools], t))

            # One wei more than Uniswap's quote reverts on both: K (or liquidity, if that is the whole reserve).
            greedy = list(outs)
            greedy[i_out] += 1
            uniswap, ours = eth_calls(uri, [pool.pair.call("swap", *greedy, sender.address, b"") for pool in pools])
            if greedy[i_out] >= r_out:
                assert uniswap_reason(uniswap) == "UniswapV2: INSUFFICIENT_LIQUIDITY"
                assert ours == our_error(INSUFFICIENT_LIQUIDITY, ["uint256"] * 4, [*greedy, *reserves])
            else:
                balances = [reserves[i] + ins[i] - greedy[i] for i in (0, 1)]
                k_after = (balances[0] * 10_000 - ins[0] * 30) * (balances[1] * 10_000 - ins[1] * 30)
                assert uniswap_reason(uniswap) == "UniswapV2: K"
                k_before = reserves[0] * reserves[1] * 10**8
                assert ours == our_error(K_INVARIANT, ["uint256", "uint256"], [k_before, k_after])

            t += 1
            if amount_out > 0:  # the quote itself: both pay it
                results = step_results(fast, [pool.tx("pair", sender, "swap", *outs, sender.address, b"") for pool in pools], t)
                prices.update(reserves, t)
                reserves = [reserves[i] + ins[i] - outs[i] for i in (0, 1)]
                expected = [
                    (f"token{i_out}", "Transfer", {"from": "pair", "to": sender.address, "value": amount_out}),
                    ("pair", "Sync", {"reserve0": reserves[0], "reserve1": reserves[1]}),
                    ("pair", "Swap", {"sender": sender.address, "amount0In": ins[0], "amount1In": ins[1],
                                      "amount0Out": outs[0], "amount1Out": outs[1], "to": sender.address}),
                ]
            else:  # the input buys nothing (dust into the dear side): both give it back through skim
                results = step_results(fast, [pool.tx("pair", sender, "skim", sender.address) for pool in pools], t)
                expected = [
                    ("token0", "Transfer", {"from": "pair", "to": sender.address, "value": ins[0]}),
                    ("token1", "Transfer", {"from": "pair", "to": sender.address, "value": ins[1]}),
                ]
            expect_ok(results)
            assert [pool.events(r) for pool, r in zip(pools, results)] == [expected, expected]

            uniswap_state, our_state = read_state(fast, pools)
            assert uniswap_state == our_state
            reserves_read, cumulative0, cumulative1, _, _ = our_state
            assert reserves_read[:2] == tuple(reserves)
            assert reserves_read[2] == prices.last % 2**32
            assert (cumulative0, cumulative1) == (prices.cumulative0, prices.cumulative1)


@settings(max_examples=10, deadline=None, suppress_health_check=_HEALTH, phases=NO_SHRINK)
@given(
    first=st.tuples(st.integers(min_value=10**4, max_value=10**30), st.integers(min_value=10**4, max_value=10**30)),
    second=st.tuples(st.integers(min_value=0, max_value=10**30), st.integers(min_value=0, max_value=10**30)),
    burn_ppm=st.integers(min_value=1, max_value=1_000_000),
    gap=st.integers(min_value=1, max_value=86_400),
)
def test_mint_and_burn__same_deposits_and_withdrawal_as_uniswap_v2__identical_lp_and_amounts(
    lockstep, trader, lp, first, second, burn_ppm, gap
):
    trader_key = Account.from_key(trader.private_key)
    lp_key = Account.from_key(lp.private_key)
    with lockstep() as (fast, pools, t, uri):
        lp_tokens = first_deposit(fast, pools, t, trader_key, lp.address, *first)
        reserves, supply = list(first), lp_tokens + 1000

        # Second deposit at any ratio (or none): min of the two sides' shares, 0 reverts on both.
        t += gap
        expect_ok(
            step_results(fast,
                [pool.tx(i, trader_key, "transfer", pool.pair.address, second[i]) for pool in pools for i in (0, 1)], t
            )
        )
        minted = min(second[0] * supply // reserves[0], second[1] * supply // reserves[1])
        uniswap, ours = eth_calls(uri, [pool.pair.call("mint", trader.address) for pool in pools])
        if minted == 0:
            assert uniswap_reason(uniswap) == "UniswapV2: INSUFFICIENT_LIQUIDITY_MINTED"
            assert ours == our_error(INSUFFICIENT_LIQUIDITY_MINTED, ["uint256", "uint256"], list(second))
            t += 1
            expect_ok(step_results(fast, [pool.tx("pair", trader_key, "skim", trader.address) for pool in pools], t))
        else:
            assert uniswap[0] == ours[0] == "ok"
            assert decode(["uint256"], uniswap[1]) == decode(["uint256"], ours[1]) == (minted,)
            t += 1
            results = step_results(fast, [pool.tx("pair", trader_key, "mint", trader.address) for pool in pools], t)
            expect_ok(results)
            reserves, supply = [reserves[i] + second[i] for i in (0, 1)], supply + minted
            expected = [
                ("pair", "Transfer", {"from": "null", "to": trader.address, "value": minted}),
                ("pair", "Sync", {"reserve0": reserves[0], "reserve1": reserves[1]}),
                ("pair", "Mint", {"sender": trader.address, "amount0": second[0], "amount1": second[1]}),
            ]
            assert [pool.events(r) for pool, r in zip(pools, results)] == [expected, expected]

        # Burning nothing reverts on both.
        uniswap, ours = eth_calls(uri, [pool.pair.call("burn", lp.address) for pool in pools])
        assert uniswap_reason(uniswap) == "UniswapV2: INSUFFICIENT_LIQUIDITY_BURNED"
        assert ours == our_error(INSUFFICIENT_LIQUIDITY_BURNED, ["uint256", "uint256"], [0, 0])

        # The LP burns a share of its LP tokens: pro-rata of balances on both (or both revert on dust).
        burned = max(1, lp_tokens * burn_ppm // 10**6)
        amounts = [burned * reserves[i] // supply for i in (0, 1)]
        t += gap
        transfers = step_results(fast, [pool.tx("pair", lp_key, "transfer", pool.pair.address, burned) for pool in pools], t)
        expect_ok(transfers)
        if 0 in amounts:
            uniswap, ours = eth_calls(uri, [pool.pair.call("burn", lp.address) for pool in pools])
            assert uniswap_reason(uniswap) == "UniswapV2: INSUFFICIENT_LIQUIDITY_BURNED"
            assert ours == our_error(INSUFFICIENT_LIQUIDITY_BURNED, ["uint256", "uint256"], amounts)
        else:
            t += 1
            results = step_results(fast, [pool.tx("pair", lp_key, "burn", lp.address) for pool in pools], t)
            expect_ok(results)
            reserves, supply = [reserves[i] - amounts[i] for i in (0, 1)], supply - burned
            expected = [
                ("pair", "Transfer", {"from": "pair", "to": "null", "value": burned}),
                ("token0", "Transfer", {"from": "pair", "to": lp.address, "value": amounts[0]}),
                ("token1", "Transfer", {"from": "pair", "to": lp.address, "value": amounts[1]}),
                ("pair", "Sync", {"reserve0": reserves[0], "reserve1": reserves[1]}),
                (
                    "pair",
                    "Burn",
                    {"sender": lp.address, "amount0": amounts[0], "amount1": amounts[1], "to": lp.address},
                ),
            ]
            assert [pool.events(r) for pool, r in zip(pools, results)] == [expected, expected]

        uniswap_state, our_state = read_state(fast, pools, holders=[lp.address, trader.address])
        assert uniswap_state == our_state
        assert our_state[0][:2] == tuple(reserves)
        assert our_state[3] == supply


@pytest.mark.parametrize(
    "amounts, uniswap_says",
    [
        ((1000, 1000), "UniswapV2: INSUFFICIENT_LIQUIDITY_MINTED"),  # sqrt = 1000: 0 LP
        ((10**6, 1), "UniswapV2: INSUFFICIENT_LIQUIDITY_MINTED"),
        ((1, 999_999), "ds-math-sub-underflow"),  # sqrt = 999 < 1000
    ],
)
def test_mint__first_deposit_with_sqrt_k_at_most_minimum__reverts_on_both(lockstep, trader, amounts, uniswap_says):
    sender = Account.from_key(trader.private_key)
    with lockstep() as (fast, pools, t, uri):
        transfers = [pool.tx(i, sender, "transfer", pool.pair.address, amounts[i]) for pool in pools for i in (0, 1)]
        expect_ok(step_results(fast, transfers, t))

        uniswap, ours = eth_calls(uri, [pool.pair.call("mint", trader.address) for pool in pools])

        assert uniswap_reason(uniswap) == uniswap_says
        assert ours == our_error(INSUFFICIENT_LIQUIDITY_MINTED, ["uint256", "uint256"], list(amounts))
