"""Stochastic paths: the shocks a run draws from its scenario's processes (`scenario.stochastic`).

`realise(scenario)` turns the processes into ordinary shocks of the timeline, from `run.seed`
alone, before any chain work; the engine runs them with the scenario's own `shocks`. Each process
draws from its own numpy stream (`SeedSequence([seed, STREAM_TAG, stream])`), so adding one process
leaves the others' draws unchanged, and the population's draws (`numpy.random.default_rng(seed)`) are
untouched.

- `true_value`: a geometric Brownian motion, d(ln V) = (mu - sigma^2/2) dt + sigma dW, drawn at
  `from_days` + k `step_days` (one `true_value_path` shock, linear between the points, the last
  point at the end of the run), times jumps: a Poisson process on [from_days, end) (its count
  Poisson(rate x span), its times uniform), each a drop uniform in `drop_pct`, a `natural_disaster`
  or `nav_writedown` shock at its time. The factors multiply (`World.true_nav_at`): Merton's jump
  diffusion.
- `amm_depth`: Poisson `liquidity_withdrawal` shocks, shares uniform in `share_pct`.
- `stablecoin`: Poisson `stablecoin_depeg` shocks, price and duration uniform in their ranges; a
  depeg drawn while an earlier one lasts is dropped (one depeg at a time: each ends back at $1).
- `rumors`: Poisson `rumor` shocks, holder shares uniform in `holder_share_bps` (rounded).

Times are whole seconds (as the engine steps them), written as days. `Draws.record()` is the list
of drawn shocks as scenario entries (the run's `draws.json`: paste them under `shocks:` to replay
without the processes); `Draws.summary()` the few numbers a run's summary (and a sweep's row)
carries; `scenario.replay_command` replays a run alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import scenario as sc
from .units import DAYS_PER_YEAR, SECONDS_PER_DAY

STREAM_TAG = 0x5707  # separates the processes' streams from any other use of the seed
STREAMS = {"true_value": 1, "jumps": 2, "amm_depth": 3, "stablecoin": 4, "rumors": 5}
COMPONENT_STREAMS = 100
"""A structured component's processes draw from streams 100 + 2 i (its GBM) and 101 + 2 i (its jumps), i its
position in `market.structured.components`."""


def stream(seed: int, name: str, component: int | None = None) -> np.random.Generator:
    """The numpy generator of one process for `seed` (of component `component`'s own, for a structured one)."""
    tag = STREAMS[name] if component is None else COMPONENT_STREAMS + 2 * component + STREAMS[name] - 1
    return np.random.default_rng(np.random.SeedSequence([seed, STREAM_TAG, tag]))


def _days(seconds: int) -> float:
    return seconds / SECONDS_PER_DAY


def poisson_times(rng: np.random.Generator, per_year: float, start: int, end: int) -> list[int]:
    """A Poisson process's event times (whole seconds, sorted) in [start, end): the count is
    Poisson(per_year x span in years), the times uniform. Drawn even at rate 0 (a count of 0), so a
    process's later draws do not depend on whether its rate is zero."""
    count = int(rng.poisson(per_year * (end - start) / (DAYS_PER_YEAR * SECONDS_PER_DAY)))
    times = rng.uniform(start, end, size=count)
    return sorted(min(end - 1, int(t)) for t in times)


def gbm_path(rng: np.random.Generator, drift_pct: float, vol_pct: float, start: int, end: int,
             step: int) -> list[tuple[int, float]]:
    """(seconds after `start`, factor) points of a GBM from 1.0 at `start`, every `step` seconds and
    at `end`: ln V_k = ln V_(k-1) + (mu - sigma^2/2) dt + sigma sqrt(dt) Z, dt in years."""
    times = list(range(start + step, end, step)) + [end]
    mu, sigma = drift_pct / 100, vol_pct / 100
    points, log_v, prev = [], 0.0, start
    z = rng.standard_normal(len(times))
    for t, zk in zip(times, z):
        dt = (t - prev) / (DAYS_PER_YEAR * SECONDS_PER_DAY)
        log_v += (mu - sigma**2 / 2) * dt + sigma * np.sqrt(dt) * zk
        points.append((t - start, float(np.exp(log_v))))
        prev = t
    return points


MAX_CHANGE_PCT = 10_000.0  # `scenario.ChangePct`'s bound: a drawn rise beyond it holds there


@dataclass
class Draws:
    """The shocks drawn for one run and what they were drawn from."""

    seed: int
    shocks: list = field(default_factory=list)  # scenario shock configs, in time order per process
    counts: dict[str, int] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)

    def record(self) -> list[dict]:
        """The drawn shocks as scenario `shocks` entries (JSON)."""
        return [s.model_dump(mode="json", exclude_none=True) for s in self.shocks]

    def summary(self) -> dict:
        """Numbers for the run's summary: the seed, each process's event count and the path's figures."""
        return {"seed": self.seed, "shocks": len(self.shocks), **self.counts, **self.stats}


def realise(scenario: sc.Scenario) -> Draws | None:
    """The shocks `scenario.stochastic` and the structured components' own processes
    (`market.structured.components[i].true_value`) draw for `run.seed` (None without either)."""
    st = scenario.stochastic
    structured = scenario.market.structured
    components = [(i, c) for i, c in enumerate(structured.components if structured else []) if c.true_value is not None]
    if st is None and not components:
        return None
    seed = scenario.run.seed
    start = round(st.from_days * SECONDS_PER_DAY) if st is not None else 0
    end = round(scenario.run.duration_days * SECONDS_PER_DAY)
    draws = Draws(seed)
    for i, c in components:
        _true_value(draws, c.true_value, seed, start, end, component=i, asset=c.symbol)
    if st is None:
        return draws
    if st.true_value is not None:
        _true_value(draws, st.true_value, seed, start, end)
    if st.amm_depth is not None:
        rng = stream(seed, "amm_depth")
        p = st.amm_depth
        times = poisson_times(rng, p.withdrawals_per_year, start, end)
        shares = rng.uniform(*p.share_pct, size=len(times))
        draws.shocks += [sc.LiquidityWithdrawal(kind="liquidity_withdrawal", at_days=_days(t), share_pct=float(x))
                         for t, x in zip(times, shares)]
        draws.counts["amm_depth_withdrawals"] = len(times)
    if st.stablecoin is not None:
        rng = stream(seed, "stablecoin")
        p = st.stablecoin
        times = poisson_times(rng, p.depegs_per_year, start, end)
        prices = rng.uniform(*p.price_usd, size=len(times))
        durations = rng.uniform(*p.duration_days, size=len(times))
        kept, free_at = [], start  # a depeg drawn while an earlier one lasts is dropped: one price at a time
        for t, x, d in zip(times, prices, durations):
            if t >= free_at:
                kept.append(sc.StablecoinDepeg(kind="stablecoin_depeg", at_days=_days(t), price_usd=float(x),
                                               duration_days=float(d)))
                free_at = t + round(float(d) * SECONDS_PER_DAY)
        draws.shocks += kept
        draws.counts["stablecoin_depegs"] = len(kept)
        draws.stats["stablecoin_min_price_usd"] = min((s.price_usd for s in kept), default=1.0)
    if st.rumors is not None:
        rng = stream(seed, "rumors")
        p = st.rumors
        times = poisson_times(rng, p.per_year, start, end)
        shares = rng.uniform(p.holder_share_bps[0], p.holder_share_bps[1], size=len(times))
        draws.shocks += [sc.Rumor(kind="rumor", at_days=_days(t), holder_share_bps=int(round(x)),
                                  within_minutes=p.within_minutes) for t, x in zip(times, shares)]
        draws.counts["rumors"] = len(times)
        draws.stats["first_rumor_at_days"] = _days(times[0]) if times else -1.0
    return draws


def _true_value(draws: Draws, p: sc.TrueValueProcess, seed: int, start: int, end: int,
                component: int | None = None, asset: str | None = None) -> None:
    """The GBM path and jumps of the SPV token's true value, or of component `component`'s (its own
    streams; its shocks name `asset`, its figures are prefixed with the symbol). A component's jumps are
    `natural_disaster` shocks: a `nav_writedown` reports the scenario's own SPV token at once."""
    step = max(1, round(p.step_days * SECONDS_PER_DAY))
    points = gbm_path(stream(seed, "true_value", component), p.drift_pct_per_year, p.volatility_pct_per_year,
                      start, end, step)
    path = [(_days(s), min(MAX_CHANGE_PCT, (f - 1.0) * 100.0)) for s, f in points]
    target = {"asset": asset} if asset is not None else {}
    draws.shocks.append(sc.TrueValuePath(kind="true_value_path", at_days=_days(start), path=path, **target))
    factors = [1.0] + [f for _, f in points]
    rng = stream(seed, "jumps", component)
    times = poisson_times(rng, p.jumps.per_year, start, end)
    drops = rng.uniform(*p.jumps.drop_pct, size=len(times))
    if p.jumps.shock == "natural_disaster" or asset is not None:
        draws.shocks += [sc.NaturalDisaster(kind="natural_disaster", at_days=_days(t), value_drop_pct=float(d), **target)
                         for t, d in zip(times, drops)]
    else:
        draws.shocks += [sc.NavWritedown(kind="nav_writedown", at_days=_days(t), nav_drop_pct=float(d))
                         for t, d in zip(times, drops)]
    jumps_factor = float(np.prod([1 - d / 100 for d in drops])) if len(drops) else 1.0
    prefix = f"{asset}_" if asset is not None else ""
    draws.counts[f"{prefix}true_value_jumps"] = len(times)
    draws.stats.update({
        f"{prefix}gbm_final_factor": factors[-1],
        f"{prefix}gbm_min_factor": min(factors),
        f"{prefix}jumps_factor": jumps_factor,
        f"{prefix}first_jump_at_days": _days(times[0]) if times else -1.0,
    })
