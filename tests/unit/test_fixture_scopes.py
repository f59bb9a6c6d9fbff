"""Guard against a fixture name defined with different scopes in different conftests.

ape 0.8.51 orders a test's fixtures by scope using every definition of each name in the whole
session (`FixtureMap._arg2fixturedefs` is the session-global map), not the definitions the test
actually sees. A function-scoped `pool` in one folder and a module-scoped `pool` in another make
ape set up the function-scoped one before its `_function_isolation` snapshot, so that fixture's
transactions are never reverted and leak into the next test, but only when both folders are
collected (the full suite), never in a folder alone. Give such fixtures distinct names.
"""


def test_fixture_names__one_scope_across_the_suite(request):
    scopes: dict[str, set[str]] = {}
    for name, definitions in request.session._fixturemanager._arg2fixturedefs.items():
        for definition in definitions:
            scopes.setdefault(name, set()).add(definition.scope)

    mixed = {name: sorted(found) for name, found in scopes.items() if len(found) > 1}

    assert mixed == {}
