"""Differential fixtures: the REAL Uniswap V2 (compiled artifacts from @uniswap/v2-core 1.0.1,
solc 0.5.16) next to our ConstantProductPair, each on its own pair of fresh 18-decimal tokens."""

import pytest
from fixtures.uniswap import uniswap_container


@pytest.fixture(scope="module", autouse=True)
def _actors_before_deployments(admin, lp, trader):
    """Session actors first: one requested after a module snapshot makes ape rebase."""


@pytest.fixture(scope="module")
def tokens(project, admin):
    """Four fresh 18-decimal tokens: two for Uniswap's pair, two for ours."""
    return [admin.deploy(project.TestERC20, f"Token {i}", f"TK{i}") for i in range(4)]


@pytest.fixture(scope="module")
def uniswap_pair_container():
    return uniswap_container("UniswapV2Pair")


@pytest.fixture
def uniswap_pair(admin, tokens, uniswap_pair_container):
    """A real UniswapV2Pair from a real UniswapV2Factory (feeTo unset: protocol fee off)."""
    factory = admin.deploy(uniswap_container("UniswapV2Factory"), admin)
    factory.createPair(tokens[0], tokens[1], sender=admin)
    return uniswap_pair_container.at(factory.getPair(tokens[0], tokens[1]))


@pytest.fixture
def our_pair(project, admin, tokens):
    """Our pair at Uniswap's 30 bps."""
    return admin.deploy(project.ConstantProductPair, tokens[2], tokens[3], 30)


@pytest.fixture
def token_of(project):
    """token_of(pair, i): the pair's token i (0 or 1) as a TestERC20 instance."""

    def token_of(pair, i):
        return project.TestERC20.at(pair.token0() if i == 0 else pair.token1())

    return token_of
