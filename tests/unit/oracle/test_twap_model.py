"""TwapOracle on the REAL Uniswap V2 pair vs the Python model (`PairPriceHistory` +
`TwapOracleModel`): random windows, answer decimals, priced token, pool moves and update times."""

from hypothesis import event, given
from hypothesis import strategies as st
from oracle_strategies import twap_runs

from rwa_testbed.models.oracle import TwapOracleModel

@given(
    window=st.sampled_from([60, 300, 900]),
    decimals=st.sampled_from([8, 18]),
    price_stablecoin=st.booleans(),
    run=twap_runs,
)
def test_twap_oracle__random_pool_moves_and_updates__rounds_match_model(
    create_twap_oracle, pool_driver, keeper, chain, stablecoin, rwa_share_token, window, decimals, price_stablecoin, run
):
    base, quote = (stablecoin, rwa_share_token) if price_stablecoin else (rwa_share_token, stablecoin)
    oracle = create_twap_oracle(base_token=base, window=window, decimals=decimals)
    base_is_token0 = oracle.baseIsToken0()
    model = TwapOracleModel(
        window=window, base_decimals=base.decimals(), quote_decimals=quote.decimals(), answer_decimals=decimals
    )

    for step, (rwa, usdc), update in run:
        t = chain.blocks.head.timestamp + step
        if rwa or usdc:
            pool_driver.donate_and_sync(t, rwa=rwa, usdc=usdc)
        if update:
            chain.pending_timestamp = t
            tx = oracle.update(sender=keeper)
            expected = model.update(t, pool_driver.cumulative(t, base_is_token0))
            published = tx.events.filter(oracle.TwapPublished)
            assert published == ([] if expected is None else [oracle.TwapPublished(expected[0], expected[2], t)])
            if expected:
                event("published a round")
        assert oracle.latestRoundData() == model.latest_round_data()
        assert oracle.checkpointCount() == len(model.checkpoints)

    now = chain.blocks.head.timestamp
    live = model.consult(now, pool_driver.cumulative(now, base_is_token0))
    if live is not None:
        assert oracle.consult() == live
