"""Hypothesis strategies for scenario documents: the built-in YAMLs mutated (values, types, keys),
raw text spliced into them, and `--set` strings. Bounded: a document stays small enough to load in
milliseconds (a mutation may still ask for 100,000 borrowers)."""

import copy

import yaml
from hypothesis import strategies as st

from rwa_testbed import scenario as sc

BUILTINS = {name: sc.BUILTIN_DIR.joinpath(f"{name}.yaml").read_text() for name in sc.builtin_names()}
BASES = {name: yaml.safe_load(text) for name, text in BUILTINS.items()}
# The built-ins use none of the later fields: one more base document does (a treasury fund priced at a
# fixed $1 by the pool, a depeg path, a write-down path and a recovery).
LANGUAGE = copy.deepcopy(BASES["calm_market"])
LANGUAGE["market"]["asset"].update(kind="treasury_fund", redemption_delay_days=1)
LANGUAGE["market"]["custodian"] = {"report_every_days": 1, "reporting_lag_days": 0}
LANGUAGE["market"]["stablecoin"] = {"pricing": "fixed", "fixed_price_usd": 1.0}
LANGUAGE["shocks"] = [
    {"kind": "stablecoin_depeg", "at_days": 1, "path": [[0.1, 0.9], [0.5, 0.9], [1, 1.0]], "publish_deviation_bps": 25},
    {"kind": "nav_writedown", "at_days": 2, "path": [[0, 2], [3, 8]]},
    {"kind": "nav_writeup", "at_days": 10, "nav_rise_pct": 8},
    {"kind": "natural_disaster", "at_days": 3, "path": [[1, 10]]},
]
sc.from_dict(copy.deepcopy(LANGUAGE))  # valid as written
BASES["language"] = LANGUAGE
BUILTINS["language"] = yaml.safe_dump(LANGUAGE, sort_keys=False)

# Values a careless or hostile document might hold where a number, a string or a section belongs.
NASTY_SCALARS = [
    None, True, False, 0, -1, 1, 2**63, 10**80, -(10**80), 0.5, -0.0, 1e-300, 5e-324, 1e15, 1.1e15, 1e80,
    float("inf"), float("-inf"), float("nan"), "", "x", "0x" + "ab" * 20, "../../etc/passwd", "1e80", ".inf",
    "latency", "twap", "amm", "hold", "redeem", "default_wave", "oracle_latency_change", "\x00", "é" * 300,
    "market", "fixed", "treasury_fund", "nav_writeup", "stablecoin_depeg", "+", [[0, 0.9], [1, 1.0]], [[1, 0.9], [0, 1]],
    [[0, 5]], [[0.0001, 1e80]], [], [[]],
]
scalars = st.one_of(
    st.sampled_from(NASTY_SCALARS),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)


def _paths(node, prefix=()):
    """Every path into a parsed document (the root included)."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


PATHS = {name: [p for p in _paths(doc) if p] for name, doc in BASES.items()}
NEW_KEYS = ["market.stablecoin.pricing", "market.stablecoin.fixed_price_usd", "market.stablecoin", "market.asset.kind",
            "shocks.+", "agents.liquidators.+", "population.positions.+", "shocks.0.path", "shocks.0.path.+",
            "shocks.0.publish_deviation_bps", "shocks.0.nav_rise_pct", "market.custodian"]
"""Keys of the fields and syntax added after the built-in documents were written (they use none)."""
KEY_PATHS = sorted({".".join(str(k) for k in p) for paths in PATHS.values() for p in paths})


def _scale(value, factor):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    try:
        return type(value)(value * factor)
    except (OverflowError, ValueError):
        return value


@st.composite
def mutated_documents(draw):
    """A built-in document with 1-4 mutations: a value replaced (any type) or scaled, a key removed,
    a key added, a list item duplicated."""
    name = draw(st.sampled_from(sorted(BASES)))
    doc = copy.deepcopy(BASES[name])
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        op = draw(st.sampled_from(["replace", "scale", "delete", "add", "duplicate"]))
        if op == "replace":
            parent[key] = draw(values)
        elif op == "scale":
            parent[key] = _scale(parent[key], draw(st.sampled_from([-1, 0, 1e-9, 0.5, 2, 10, 1e6, 1e12, 1e80])))
        elif op == "delete":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(values)
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    return doc


@st.composite
def spliced_texts(draw):
    """A built-in YAML text with a random slice replaced by random (or YAML-special) text."""
    text = BUILTINS[draw(st.sampled_from(sorted(BUILTINS)))]
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 40)))
    insert = draw(st.one_of(
        st.text(max_size=30),
        st.sampled_from(["&a", "*a", "*b", "[", "{", "]", "}", "!!python/object:os.system", "!!binary", ": :",
                         "\t", "- ", "? ", "<<: *a", ".inf", "1e80", "0x" + "f" * 60, "'", '"', "|", ">", "%YAML 1.1\n---"]),
    ))
    return text[:start] + insert + text[end:]


set_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["[1,", "{a: 1", ".inf", "-.inf", ".nan", "1e80", "1.0e80", "~", "null", "[]", "{}",
                     "&a [*a]", "*a", "!!python/name:os.system", "0x12", "10_000", "1_000_000_000_000_000_000",
                     "'../../x'", "twap", "{kind: oracle_latency_change, at_days: 1, delay_seconds: 5}",
                     "fixed", "treasury_fund", "{pricing: fixed, fixed_price_usd: 1.0}", "{pricing: market, fixed_price_usd: 2}",
                     "{kind: stablecoin_depeg, at_days: 1, path: [[0.1, 0.9], [0.2, 0.9], [0.5, 1.0]]}",
                     "{kind: stablecoin_depeg, at_days: 1, path: [[0, 0.001], [0.0001, 2]], publish_deviation_bps: 10}",
                     "{kind: nav_writeup, at_days: 1, nav_rise_pct: 8}", "{kind: nav_writeup, at_days: 1, path: [[5, 8]]}",
                     "{kind: nav_writedown, at_days: 1, path: [[0, 5], [1, 50]]}", "{count: 2, atomic: false, disposal: hold}",
                     "[[0, 0.9], [1, 1.0]]"]),
    values.map(lambda v: yaml.safe_dump(v, default_flow_style=True).strip()),
)


@st.composite
def set_strings(draw):
    """`key.path=value`: a known path (or a random or broken one) and any value text."""
    odd_index = st.sampled_from(["\u00b2", "\u0663", "-1", "99", "9" * 5_000, "0x1", " 0", "", "+", "++", "+1"])
    key = draw(st.one_of(st.sampled_from(KEY_PATHS), st.text(max_size=20),
                         st.sampled_from(KEY_PATHS).map(lambda k: k + ".0.x"), st.just(""),
                         st.sampled_from(KEY_PATHS).map(lambda k: k + ".+"), st.sampled_from(NEW_KEYS),
                         st.tuples(st.sampled_from(["shocks", "agents.liquidators", "population.positions"]),
                                   odd_index, st.sampled_from(["", ".x", ".at_days"])).map(lambda t: f"{t[0]}.{t[1]}{t[2]}")))
    sep = draw(st.sampled_from(["=", "=", "=", ""]))
    return key + sep + draw(set_values)
