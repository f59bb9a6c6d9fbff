from ape.utils import ZERO_ADDRESS

from rwa_testbed.testing import deploy, reverts


def test_constructor__rwa_as_base__records_pair_tokens_and_metadata(
    create_twap_oracle, seeded_pair, rwa_share_token, stablecoin
):
    oracle = create_twap_oracle(window=1800, decimals=8, description="RWA / USDC TWAP 30m")

    assert oracle.pair() == seeded_pair.address
    assert (oracle.baseToken(), oracle.quoteToken()) == (rwa_share_token.address, stablecoin.address)
    assert oracle.baseIsToken0() == (seeded_pair.token0() == rwa_share_token.address)
    assert oracle.window() == 1800
    assert (oracle.decimals(), oracle.description(), oracle.version()) == (8, "RWA / USDC TWAP 30m", 1)
    assert oracle.checkpointCount() == 0
    assert oracle.latestRoundData() == (0, 0, 0, 0, 0)


def test_constructor__stablecoin_as_base__quote_is_rwa(create_twap_oracle, seeded_pair, rwa_share_token, stablecoin):
    oracle = create_twap_oracle(base_token=stablecoin)

    assert (oracle.baseToken(), oracle.quoteToken()) == (stablecoin.address, rwa_share_token.address)
    assert oracle.baseIsToken0() == (seeded_pair.token0() == stablecoin.address)


def test_constructor__zero_window__reverts_invalid_window(project, admin, seeded_pair, rwa_share_token):
    with reverts(project.TwapOracle.InvalidWindow, window=0):
        deploy(admin, project.TwapOracle, seeded_pair, rwa_share_token, 0, 8, "RWA / USDC")


def test_constructor__token_not_in_pair__reverts_token_not_in_pair(project, admin, seeded_pair):
    with reverts(project.TwapOracle.TokenNotInPair, token=ZERO_ADDRESS, pair=seeded_pair.address):
        deploy(admin, project.TwapOracle, seeded_pair, ZERO_ADDRESS, 600, 8, "RWA / USDC")


def test_constructor__answer_decimals_too_large__reverts_unsupported_decimals(
    project, admin, seeded_pair, rwa_share_token
):
    # 18 (RWA) + 255 - 6 (USDC) = 267 > 77: 10**267 does not fit in 256 bits.
    with reverts(project.TwapOracle.UnsupportedDecimals, baseDecimals=18, quoteDecimals=6, answerDecimals=255):
        deploy(admin, project.TwapOracle, seeded_pair, rwa_share_token, 600, 255, "RWA / USDC")
