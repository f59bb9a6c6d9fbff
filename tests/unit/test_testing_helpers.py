"""Guard: `rwa_testbed.testing.deploy` and `reverts` check a reverting constructor by its raw revert
data, whatever ape's handling of the failed deployment raised.

In full-suite runs ape enriched a failed deployment with the contract type it had cached at the
address the deployment would get (another test's contract, from before a snapshot was restored):
it decoded the revert with that contract's same-named error once and raised `InvalidPointer` once.
`BrokenEnrichment` stands in for that: a sender whose `deploy` raises such an error.
"""

import pytest
from eth_abi.exceptions import InvalidPointer
from eth_utils import keccak

from rwa_testbed.testing import DeploymentReverted, deploy, reverts

FEE_BPS = 30


class BrokenEnrichment:
    """`admin`, except that `deploy` raises what ape raised while decoding a failed deployment."""

    def __init__(self, account):
        self.address = account.address

    def deploy(self, container, *args, **kwargs):
        raise InvalidPointer("Invalid pointer in tuple at location 0 in payload")


def test_deploy__constructor_reverts__reverts_checks_selector_and_inputs(project, admin):
    with reverts(project.ConstantProductPair.IdenticalTokens, token=admin):
        deploy(admin, project.ConstantProductPair, admin, admin, FEE_BPS)


def test_deploy__ape_raises_something_else__still_the_revert_data(project, admin):
    with pytest.raises(DeploymentReverted) as raised:
        deploy(BrokenEnrichment(admin), project.ConstantProductPair, admin, admin, FEE_BPS)

    selector = project.ConstantProductPair.IdenticalTokens.abi.selector
    assert raised.value.contract == "ConstantProductPair"
    assert raised.value.data.hex() == (
        keccak(text=selector)[:4].hex() + "00" * 12 + admin.address.lower().removeprefix("0x"))
    with reverts(project.ConstantProductPair.IdenticalTokens, token=admin):
        deploy(BrokenEnrichment(admin), project.ConstantProductPair, admin, admin, FEE_BPS)


def test_deploy__other_inputs__reverts_fails(project, admin, trader):
    with pytest.raises(AssertionError, match="IdenticalTokens: expected"):
        with reverts(project.ConstantProductPair.IdenticalTokens, token=trader):
            deploy(admin, project.ConstantProductPair, admin, admin, FEE_BPS)


def test_deploy__other_error__reverts_fails(project, admin):
    with pytest.raises(AssertionError, match="expected custom error FeeTooHigh"):
        with reverts(project.ConstantProductPair.FeeTooHigh, feeBps=FEE_BPS):
            deploy(admin, project.ConstantProductPair, admin, admin, FEE_BPS)


def test_deploy__constructor_succeeds__returns_the_contract_and_reverts_fails(project, admin, trader):
    pair = deploy(admin, project.ConstantProductPair, admin, trader, FEE_BPS)
    assert pair.feeBps() == FEE_BPS

    with pytest.raises(AssertionError, match="did not revert"):
        with reverts(project.ConstantProductPair.IdenticalTokens, token=admin):
            deploy(admin, project.ConstantProductPair, admin, trader, FEE_BPS)


def test_deploy__ape_raises_but_the_constructor_succeeds__the_original_error(project, admin, trader):
    with pytest.raises(InvalidPointer):
        deploy(BrokenEnrichment(admin), project.ConstantProductPair, admin, trader, FEE_BPS)
