"""The people-side marker rule (issue 12) at 100 000 parcels: the vectorised rule against the set / zip loop it
replaced, and what a per-date state of the live map spends on its markers.

Both sides get the same generated parcels (``parcel_id``, ``project_id``, ``household_id``, ``stage``,
``complaint_open``, ``parcel_number``) and the same people figures (one plan per household, 40 % of them not
paid in full; open and closed letters naming parcel numbers), and must find the same marked parcels (checked).

* ``loop``: the rule as first written in ``mapview.people`` (Python sets of ``(project, household)`` tuples,
  a zip over the open parcels);
* ``vectorised``: :func:`mapview.people.people_marker_masks` + :func:`mapview.people.marker_indices`
  (a MultiIndex ``isin``) — what the state sends;
* ``letters``: :func:`milestones.complaints.open_letter_parcels` alone, which both sides call (its own loop
  over the parcels is left as it is), and the unpaid part alone on each side (what was vectorised).

Runs alternate loop / vectorised; medians, the ratio of the medians and the load average are printed.

Usage: ``python benchmarks/bench_markers.py [--parcels 100000] [--runs 7]``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from domain.stages import STAGES  # noqa: E402
from mapview.people import _unpaid_mask, marker_indices, people_marker_masks  # noqa: E402
from milestones.complaints import open_letter_parcels  # noqa: E402

AS_OF = date(2024, 6, 30)


def generate(n: int, seed: int = 12) -> tuple[SimpleNamespace, SimpleNamespace]:
    """(snapshot with ``n`` parcels, people figures at :data:`AS_OF`): 5 projects, ~3 parcels per household."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    homes = i // 3
    parcels = pd.DataFrame({
        "parcel_id": [f"P{k % 5}/{k}" for k in range(n)], "project_id": [f"P{k % 5}" for k in range(n)],
        "household_id": np.where(rng.random(n) < 0.05, None, [f"H{h}" for h in homes]).astype(object),
        "stage": np.array(STAGES, dtype=object)[rng.integers(0, len(STAGES), n)],
        "complaint_open": rng.random(n) < 0.01, "parcel_number": i,
    })
    plans = parcels.dropna(subset=["household_id"]).drop_duplicates(["project_id", "household_id"])
    payments = plans[["project_id", "household_id"]].assign(paid=rng.random(len(plans)) >= 0.4).reset_index(drop=True)
    n_letters = max(n // 200, 1)
    named = rng.integers(0, n, n_letters)
    letters = pd.DataFrame({
        "project_id": [f"P{k % 5}" for k in named], "parcels": [f"{k};{(k + 5) % n}" for k in named],
        "household_id": [f"H{k // 3}" if rng.random() < 0.5 else None for k in named],
        "received_date": pd.Timestamp("2024-01-15"),
        "closed_date": np.where(rng.random(n_letters) < 0.5, pd.NaT, pd.Timestamp("2024-05-01")),
    })
    return (SimpleNamespace(parcels=parcels, as_of=AS_OF),
            SimpleNamespace(as_of=AS_OF, letters=letters, payments=payments))


def loop_rule(snapshot, figures, parcels: pd.DataFrame) -> tuple[set, set]:
    """The rule as first written (``mapview.people.people_marker_parcels`` before issue 12's live markers)."""
    shown = set(parcels["parcel_id"])
    complaints = set(parcels.loc[parcels["complaint_open"].fillna(False).astype(bool), "parcel_id"])
    complaints |= open_letter_parcels(figures.letters, snapshot.parcels, snapshot.as_of)
    unpaid_homes = set(zip(figures.payments.loc[~figures.payments["paid"], "project_id"],
                           figures.payments.loc[~figures.payments["paid"], "household_id"], strict=True))
    open_parcels = parcels[parcels.get("stage", pd.Series("", index=parcels.index)) != "handed_over"]
    keys = zip(open_parcels["project_id"], open_parcels.get("household_id", pd.Series(None, index=open_parcels.index)),
               strict=True)
    unpaid = {pid for pid, key in zip(open_parcels["parcel_id"], keys, strict=True) if key in unpaid_homes}
    return complaints & shown, unpaid


def loop_unpaid(figures, parcels: pd.DataFrame) -> set:
    unpaid_homes = set(zip(figures.payments.loc[~figures.payments["paid"], "project_id"],
                           figures.payments.loc[~figures.payments["paid"], "household_id"], strict=True))
    open_parcels = parcels[parcels["stage"] != "handed_over"]
    keys = zip(open_parcels["project_id"], open_parcels["household_id"], strict=True)
    return {pid for pid, key in zip(open_parcels["parcel_id"], keys, strict=True) if key in unpaid_homes}


def vectorised(snapshot, figures, parcels: pd.DataFrame) -> dict[str, list[int]]:
    return marker_indices(people_marker_masks(snapshot, None, parcels, figures), np.ones(len(parcels), dtype=bool))


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    snapshot, figures = generate(args.parcels)
    parcels = snapshot.parcels
    ids = parcels["parcel_id"].to_numpy()
    old, new, letters, old_unpaid, new_unpaid = [], [], [], [], []
    for _ in range(args.runs):
        t_old, expected = timed(lambda: loop_rule(snapshot, figures, parcels))
        t_new, state = timed(lambda: vectorised(snapshot, figures, parcels))
        t_letters, _ = timed(lambda: open_letter_parcels(figures.letters, parcels, AS_OF))
        old_unpaid.append(timed(lambda: loop_unpaid(figures, parcels))[0])
        new_unpaid.append(timed(lambda: _unpaid_mask(parcels, figures.payments))[0])
        got = (set(ids[state["complaint"]]), set(ids[state["unpaid"]]))
        if got != expected:
            raise SystemExit(f"The two rules disagree: {len(got[0])}/{len(got[1])} vs {len(expected[0])}/{len(expected[1])}")
        old.append(t_old)
        new.append(t_new)
        letters.append(t_letters)
    m_old, m_new = statistics.median(old), statistics.median(new)
    print(f"{args.parcels:,} parcels, {len(figures.payments):,} plans, {len(figures.letters):,} letters; "
          f"marked: {len(expected[0]):,} open letter, {len(expected[1]):,} unpaid; {args.runs} alternating runs")
    print(f"loop       median {m_old:8.1f} ms   runs {[round(t) for t in old]}")
    print(f"vectorised median {m_new:8.1f} ms   runs {[round(t) for t in new]}")
    print(f"ratio vectorised / loop = {m_new / m_old:.2f}")
    print(f"open_letter_parcels alone (in both): median {statistics.median(letters):.1f} ms")
    u_old, u_new = statistics.median(old_unpaid), statistics.median(new_unpaid)
    print(f"unpaid part alone: loop {u_old:.1f} ms, vectorised {u_new:.1f} ms, ratio {u_new / u_old:.2f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
