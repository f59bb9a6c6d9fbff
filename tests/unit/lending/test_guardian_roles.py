"""The roles the simulation's guardian is granted (`venues.ours`) are the pool's own."""

from rwa_testbed.venues.ours import GUARDIAN_ROLE, POOL_ADMIN_ROLE


def test_guardian_roles__the_simulations_constants(pool):
    assert pool.POOL_ADMIN_ROLE() == POOL_ADMIN_ROLE
    assert pool.GUARDIAN_ROLE() == GUARDIAN_ROLE
