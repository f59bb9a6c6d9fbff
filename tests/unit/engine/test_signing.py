"""`chain.sign_legacy` gives the bytes eth_account gives for the same legacy EIP-155 transaction."""

import random

import coincurve
import rlp
import pytest
from eth_utils import to_checksum_address

from rwa_testbed.chain import derive_account, rlp_flat_list, sign_legacy


@pytest.mark.parametrize("seed", range(4))
def test_sign_legacy__any_fields__same_bytes_as_eth_account(seed):
    rng = random.Random(seed)
    for i in range(50):
        sender = derive_account(seed, "signer", i)
        chain_id = rng.choice([1, 1337, 31337, 10**6])
        to = rng.choice([None, to_checksum_address(bytes(rng.randrange(256) for _ in range(20)))])
        tx = {"nonce": rng.choice([0, 1, rng.randrange(10**6)]), "gas": rng.randrange(21_000, 10**9),
              "gasPrice": rng.choice([0, 1, rng.randrange(10**12)]), "value": rng.choice([0, rng.randrange(10**30)]),
              "data": bytes(rng.randrange(256) for _ in range(rng.choice([0, 4, 68, 1_000]))), "chainId": chain_id}
        if to:
            tx["to"] = to
        expected = bytes(sender.sign_transaction(tx).raw_transaction)
        got = sign_legacy(coincurve.PrivateKey(bytes(sender.key)), chain_id, tx["nonce"], tx["gasPrice"], tx["gas"],
                          to, tx["value"], tx["data"])
        assert got == expected


@pytest.mark.parametrize("items", [[], [0], [1, 127, 128, 255, 256], [b"", b"\x00", b"\x7f", b"\x80"], [b"x" * 55, b"y" * 56],
                                   [2**256 - 1, b"z" * 1_000, 10**30], [b"a" * 70_000]])
def test_rlp_flat_list__ints_and_bytes__same_as_pyrlp(items):
    assert rlp_flat_list(items) == rlp.encode(items)
