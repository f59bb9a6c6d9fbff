"""The loader never crashes: random and mutated scenario documents and `--set` strings give a valid
`Scenario` or one `ScenarioError` (short, one line for YAML), never another exception.

Documents tried: `max_examples` per test below (x4 tests); LOADER_FUZZ_EXAMPLES=N for a long run.
"""

import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rwa_testbed import scenario as sc

from .documents import BUILTINS, mutated_documents, set_strings, spliced_texts

EXAMPLES = int(os.environ.get("LOADER_FUZZ_EXAMPLES", "150"))
fuzz = settings(max_examples=EXAMPLES, deadline=None)
TRIED = {"documents": 0}


def _load_text(text: str, overrides=()):
    TRIED["documents"] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return _outcome(lambda: sc.load(str(path), list(overrides)))


def _outcome(load):
    try:
        scenario = load()
    except sc.ScenarioError as err:
        assert len(str(err)) <= sc.MAX_MESSAGE_CHARS + 200  # the source path comes before the cut text
        return err
    assert isinstance(scenario, sc.Scenario)
    return scenario


def _dump(doc) -> str:
    try:
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:  # a value PyYAML cannot write (cannot happen for our strategies, but be safe)
        return "{}"


@fuzz
@given(doc=mutated_documents())
def test_loader__mutated_builtin_document__scenario_or_scenario_error(doc):
    _load_text(_dump(doc))


@fuzz
@given(text=spliced_texts())
def test_loader__spliced_builtin_text__scenario_or_scenario_error(text):
    _load_text(text)


@fuzz
@given(name=st.sampled_from(sorted(BUILTINS)), sets=st.lists(set_strings(), min_size=1, max_size=4),
       seed=st.one_of(st.none(), st.integers(0, 2**64 - 1)))
def test_loader__random_set_strings__scenario_or_scenario_error(name, sets, seed):
    TRIED["documents"] += 1
    _outcome(lambda: sc.load(name, sets, seed=seed))


@fuzz
@given(text=st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_loader__random_text__scenario_or_scenario_error(text):
    _load_text(text)


def test_loader__builtins_unchanged_by_the_round_trip():
    """The fuzz test's own round trip (parse, dump, load) keeps every built-in valid."""
    for name, text in BUILTINS.items():
        assert isinstance(_load_text(_dump(yaml.safe_load(text))), sc.Scenario), name
