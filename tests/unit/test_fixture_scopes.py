"""Guard against a fixture name defined with different scopes in different conftests.

ape 0.8.51 orders a test's fixtures by scope using every definition of each name in the whole
session (`FixtureMap._arg2fixturedefs` is the session-global map), not the definitions the test
actually sees. A function-scoped `pool` in one folder and a module-scoped `pool` in another make
ape set up the function-scoped one before its `_function_isolation` snapshot, so that fixture's
transactions are never reverted and leak into the next test, but only when both folders are
collected (the full suite), never in a folder alone. Give such fixtures distinct names.

The session's map only holds what this run collected (with this file alone: `tests/conftest.py`
and the shared `tests/fixtures/` plugins), so every fixture written anywhere under `tests/`
(conftests, `tests/fixtures/`, test modules) is also read from the source.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _fixture_scope(decorator: ast.expr) -> tuple[str | None, str] | None:
    """(name override, scope) of a `@pytest.fixture` / `@pytest.fixture(...)` decorator, else None."""
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call else decorator
    if not (isinstance(target, ast.Attribute) and target.attr == "fixture") and not (
        isinstance(target, ast.Name) and target.id == "fixture"
    ):
        return None
    keywords = {k.arg: k.value for k in call.keywords} if call else {}
    scope, name = keywords.get("scope"), keywords.get("name")
    return (
        name.value if isinstance(name, ast.Constant) else None,
        scope.value if isinstance(scope, ast.Constant) else "function",
    )


def written_fixtures() -> dict[str, set[tuple[str, str]]]:
    """Fixture name -> {(scope, file)} for every fixture defined in a .py file under tests/."""
    found: dict[str, set[tuple[str, str]]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                fixture = _fixture_scope(decorator)
                if fixture:
                    name, scope = fixture
                    found.setdefault(name or node.name, set()).add((scope, str(path.relative_to(TESTS))))
    return found


def test_fixture_names__one_scope_across_the_suite(request):
    scopes: dict[str, set[str]] = {}
    for name, definitions in request.session._fixturemanager._arg2fixturedefs.items():
        for definition in definitions:
            scopes.setdefault(name, set()).add(definition.scope)
    written = written_fixtures()
    for name, where in written.items():
        scopes.setdefault(name, set()).update(scope for scope, _ in where)

    mixed = {name: sorted(found) for name, found in scopes.items() if len(found) > 1}

    assert mixed == {}, {name: sorted(written.get(name, ())) for name in mixed}
    # the source scan reads the shared fixtures and the folder conftests
    assert ("module", "fixtures/tokens.py") in written["rwa_token"]
    assert ("module", "fixtures/lending.py") in written["deploy_pool"]
    assert ("module", "unit/lending/conftest.py") in written["pool"]
