"""`FastChain.step_unlogged` (setup's blocks): the block's gas from its header, and the receipts of
only the transactions that left no log, which are the only ones that can have reverted."""

from rwa_testbed.chain import FastChain, TxRequest, derive_account
from rwa_testbed.deployment import create_address
from rwa_testbed.node import fresh_anvil

LOGGER = bytes.fromhex("6560006000a0006000526006601af3")  # creation code of: LOG0(0, 0); STOP
REVERTER = bytes.fromhex("6460006000fd6000526005601bf3")  # creation code of: REVERT(0, 0)


def test_step_unlogged__logged_silent_and_reverted__block_gas_and_the_silent_ones_checked():
    sender = derive_account(0, "setup-blocks", 0)
    with fresh_anvil() as uri:
        chain = FastChain(uri)
        chain.take_control()
        chain.fund([sender.address], 10**21)
        t = chain.timestamp()
        logger, reverter = (create_address(sender.address, n) for n in (0, 1))
        tx = lambda to, data=b"", value=0: TxRequest(sender, to, data, "setup", "test", value=value, gas=100_000)  # noqa: E731
        _, deployed = chain.step_unlogged([tx(None, LOGGER), tx(None, REVERTER)], t + 12)
        assert [r.reverted for r in deployed] == [False, False]  # creations log nothing: checked by receipt

        requests = [tx(logger), tx(sender.address, value=1), tx(reverter)]
        gas, silent = chain.step_unlogged(requests, t + 24)

        assert [r.request for r in silent] == requests[1:]
        assert [r.reverted for r in silent] == [False, True]
        block = chain.rpc.call("eth_getBlockByNumber", "latest", False)
        receipts = chain.rpc.batch([("eth_getTransactionReceipt", [h]) for h in block["transactions"]])
        assert gas == sum(int(r["gasUsed"], 16) for r in receipts)
        assert [int(r["status"], 16) for r in receipts] == [1, 1, 0] and len(receipts[0]["logs"]) == 1
        chain.release_control()
