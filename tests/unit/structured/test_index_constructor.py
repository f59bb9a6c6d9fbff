"""IndexToken's constructor: every argument checked with a custom error naming the component."""

import pytest
from fixtures.constants import WAD

from rwa_testbed.testing import reverts

from .conftest import UNITS

ZERO = "0x" + "00" * 20


def test_constructor__valid_basket__stores_components_units_and_feeds(index_token, index_components, index_feeds):
    tokens, units, feeds = index_token.components()

    assert list(tokens) == [c.address for c in index_components]
    assert list(units) == list(UNITS)
    assert list(feeds) == [f.address for f in index_feeds]
    assert (index_token.componentCount(), index_token.decimals(), index_token.totalSupply()) == (3, 18, 0)


@pytest.mark.parametrize(
    "lengths", [(3, 2, 3), (3, 3, 2), (2, 3, 3)], ids=["units_short", "feeds_short", "components_short"]
)
def test_constructor__lengths_differ__reverts_length_mismatch(project, create_index, index_components, index_feeds,
                                                              lengths):
    n_components, n_units, n_feeds = lengths
    with reverts(project.IndexToken.LengthMismatch, components=n_components, unitsPerShare=n_units, feeds=n_feeds):
        create_index(components=index_components[:n_components], units=UNITS[:n_units], feeds=index_feeds[:n_feeds])


def test_constructor__empty_basket__reverts_no_components(project, create_index):
    with reverts(project.IndexToken.NoComponents):
        create_index(components=(), units=(), feeds=())


def test_constructor__zero_component__reverts_with_its_index(project, create_index, index_components):
    with reverts(project.IndexToken.ZeroComponent, index=1):
        create_index(components=(index_components[0], ZERO, index_components[2]))


def test_constructor__zero_feed__reverts_with_its_index(project, create_index, index_feeds):
    with reverts(project.IndexToken.ZeroFeed, index=2):
        create_index(feeds=(*index_feeds[:2], ZERO))


def test_constructor__zero_units__reverts_with_its_index(project, create_index):
    with reverts(project.IndexToken.ZeroUnits, index=0):
        create_index(units=(0, WAD, WAD))


def test_constructor__same_token_twice__reverts_duplicate_component(project, create_index, index_components):
    with reverts(project.IndexToken.DuplicateComponent, index=2, firstIndex=0):
        create_index(components=(*index_components[:2], index_components[0]))


def test_constructor__feed_with_18_decimals__reverts_unsupported_feed_decimals(project, admin, create_index,
                                                                              index_feeds):
    feed_18 = admin.deploy(project.LatencyOracle, 18, "18-decimal feed", 0, 0, 0, admin)
    with reverts(project.IndexToken.UnsupportedFeedDecimals, index=1, decimals=18):
        create_index(feeds=(index_feeds[0], feed_18, index_feeds[2]))
