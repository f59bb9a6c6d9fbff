"""Oracle fixtures: LatencyOracle factory, and a REAL Uniswap V2 pair (reference artifact) for the
TWAP oracle, so the TWAP is tested against the genuine accumulator semantics.

The custodian (who appraises the real asset off-chain) is the LatencyOracle's reporter.
"""

import pytest
from fixtures.constants import USDC, WAD
from fixtures.uniswap import uniswap_container

from rwa_testbed.models.oracle import PairPriceHistory


@pytest.fixture
def next_timestamp(chain):
    """Sets the next block's timestamp to `seconds` after the latest block and returns it."""

    def _next(seconds: int = 1) -> int:
        timestamp = chain.blocks.head.timestamp + seconds
        chain.pending_timestamp = timestamp
        return timestamp

    return _next


@pytest.fixture
def next_block_at(chain):
    """Sets the next block's timestamp to `timestamp` (seconds, >= the latest block's)."""

    def _at(timestamp: int) -> int:
        chain.pending_timestamp = timestamp
        return timestamp

    return _at


# ---------------------------------------------------------------- LatencyOracle


@pytest.fixture
def create_latency_oracle(project, admin, custodian):
    """Deploys a LatencyOracle (8 decimals) and grants REPORTER_ROLE to the custodian."""

    def _create(delay=0, heartbeat=0, threshold_bps=0, decimals=8, description="RWA / USD"):
        oracle = admin.deploy(
            project.LatencyOracle, decimals, description, delay, heartbeat, threshold_bps, admin
        )
        oracle.grantRole(oracle.REPORTER_ROLE(), custodian, sender=admin)
        return oracle

    return _create


@pytest.fixture
def oracle(create_latency_oracle):
    """Plain push feed: delay 0, heartbeat off, threshold 0."""
    return create_latency_oracle()


# ---------------------------------------------------------------- Uniswap V2 + TwapOracle


@pytest.fixture(scope="session")
def rwa_share_token(admin):
    """An 18-decimal token standing for the RWA share (Uniswap's test ERC20, supply to admin)."""
    return admin.deploy(uniswap_container("ERC20"), 10**9 * WAD)


@pytest.fixture(scope="session")
def uniswap_factory(admin):
    return admin.deploy(uniswap_container("UniswapV2Factory"), admin)


@pytest.fixture(scope="session")
def rwa_usdc_pair(admin, uniswap_factory, rwa_share_token, stablecoin):
    """The real UniswapV2Pair for RWA/USDC, empty."""
    uniswap_factory.createPair(rwa_share_token, stablecoin, sender=admin)
    address = uniswap_factory.getPair(rwa_share_token, stablecoin)
    return uniswap_container("UniswapV2Pair").at(address)


@pytest.fixture
def deposit(admin, rwa_share_token, stablecoin, chain):
    """Sends raw amounts of both tokens to the pair (no sync): `deposit(pair, rwa, usdc)`, one
    block per token; with `timestamp` (seconds) every block carries it, else anvil's clock."""

    def _deposit(pair, rwa_amount: int = 0, usdc_amount: int = 0, timestamp: int | None = None) -> None:
        if rwa_amount:
            if timestamp is not None:
                chain.pending_timestamp = timestamp
            rwa_share_token.transfer(pair, rwa_amount, sender=admin)
        if usdc_amount:
            if timestamp is not None:
                chain.pending_timestamp = timestamp
            stablecoin.mint(pair, usdc_amount, sender=admin)

    return _deposit


@pytest.fixture
def seeded_pair(rwa_usdc_pair, deposit, lp):
    """The pair with 1,000 RWA and 100,000 USDC of liquidity (100 USDC per RWA), minted to lp."""
    deposit(rwa_usdc_pair, 1_000 * WAD, 100_000 * USDC)
    rwa_usdc_pair.mint(lp, sender=lp)
    return rwa_usdc_pair


@pytest.fixture
def create_twap_oracle(project, admin, rwa_usdc_pair, rwa_share_token):
    """Deploys a TwapOracle on the RWA/USDC pair pricing the RWA token (8 decimals) by default.
    The pair is empty unless the test also asks for `seeded_pair` or `pool_driver`."""

    def _create(pair=None, base_token=None, window=600, decimals=8, description="RWA / USDC TWAP"):
        return admin.deploy(
            project.TwapOracle,
            pair or rwa_usdc_pair,
            base_token or rwa_share_token,
            window,
            decimals,
            description,
        )

    return _create


class PoolDriver:
    """Moves the real pair's price at chosen times and keeps an independent Python record of its
    reserves (`history`) to compute the expected accumulators and TWAPs from."""

    def __init__(self, pair, rwa_share_token, stablecoin, admin, chain):
        self.pair, self.rwa_share_token, self.stablecoin, self.admin, self.chain = (
            pair,
            rwa_share_token,
            stablecoin,
            admin,
            chain,
        )
        self.rwa_is_token0 = pair.token0() == rwa_share_token.address
        reserve0, reserve1, timestamp = pair.getReserves()
        self.history = PairPriceHistory()
        self.history.record(timestamp, reserve0, reserve1)

    def reserves(self) -> tuple[int, int]:
        """(RWA, USDC) reserves as recorded in Python, raw units."""
        _, reserve0, reserve1 = self.history.updates[-1]
        return (reserve0, reserve1) if self.rwa_is_token0 else (reserve1, reserve0)

    def donate_and_sync(self, timestamp: int, rwa: int = 0, usdc: int = 0) -> None:
        """At `timestamp` (seconds): sends raw amounts to the pair and `sync()`s, which moves the
        price exactly like a trade (without fees). All blocks carry `timestamp`."""
        rwa_reserve, usdc_reserve = self.reserves()
        if rwa:
            self.chain.pending_timestamp = timestamp
            self.rwa_share_token.transfer(self.pair, rwa, sender=self.admin)
        if usdc:
            self.chain.pending_timestamp = timestamp
            self.stablecoin.mint(self.pair, usdc, sender=self.admin)
        self.chain.pending_timestamp = timestamp
        self.pair.sync(sender=self.admin)
        rwa_reserve, usdc_reserve = rwa_reserve + rwa, usdc_reserve + usdc
        expected = (rwa_reserve, usdc_reserve) if self.rwa_is_token0 else (usdc_reserve, rwa_reserve)
        assert self.pair.getReserves() == (*expected, timestamp)
        self.history.record(timestamp, *expected)

    def cumulative(self, timestamp: int, base_is_token0: bool) -> int:
        """Expected accumulator of the base token's price at `timestamp`."""
        return self.history.cumulative(timestamp, base_is_token0)


@pytest.fixture
def pool_driver(seeded_pair, rwa_share_token, stablecoin, admin, chain):
    """Driver of the seeded pair (see PoolDriver)."""
    return PoolDriver(seeded_pair, rwa_share_token, stablecoin, admin, chain)


# ---------------------------------------------------------------- ConservativeOracle


@pytest.fixture
def create_side_feed(project, admin):
    """A settable 8-decimal feed standing for one side (`setAnswer` publishes a new round)."""

    def _create(answer: int = 100 * 10**8):
        return admin.deploy(project.MockAggregator, answer)

    return _create


@pytest.fixture
def nav_side(create_side_feed):
    return create_side_feed()


@pytest.fixture
def twap_side(create_side_feed):
    return create_side_feed()


@pytest.fixture
def create_conservative_oracle(project, admin, nav_side, twap_side):
    """Deploys a ConservativeOracle over `nav_side` and `twap_side` (pass None to drop a side)."""

    def _create(nav=nav_side, twap=twap_side, max_change_bps=0, freeze_seconds=0, decimals=8,
                description="RWA / USD (conservative)"):
        zero = "0x" + "00" * 20
        return admin.deploy(project.ConservativeOracle, nav or zero, twap or zero, max_change_bps, freeze_seconds,
                            decimals, description, admin)

    return _create
