"""The last field count of each league row as ``milestones.league`` found it before issue 13: the whole ledger
filtered, mapped to the parcels' units and grouped again at every as-of date (1.4 s per new date at 52 000
parcels). Kept as the reference of ``tests/milestones/test_league_counts_fast.py``; nothing in the product
imports it."""
from __future__ import annotations

import numpy as np
import pandas as pd

from milestones.events import to_timestamp


def with_last_counts_reference(out: pd.DataFrame, parcels: pd.DataFrame, events: pd.DataFrame, as_of, stale_days) -> pd.DataFrame:
    ts = to_timestamp(as_of)
    ev = events[pd.to_datetime(events["event_date"]) <= ts]
    unit_of = parcels.set_index("parcel_id")["_unit"]
    on_parcels = ev[ev["kind"] == "parcel"].assign(commune=lambda f: f["parcel_id"].map(unit_of))
    reports = ev[(ev["kind"] == "aggregate") & ev["commune"].notna()]
    both = pd.concat([on_parcels[["project_id", "commune", "event_date"]], reports[["project_id", "commune", "event_date"]]])
    last = both.assign(event_date=pd.to_datetime(both["event_date"])).groupby(["project_id", "commune"])["event_date"].max()
    keys = list(zip(out["project_id"], out["commune"], strict=True))
    dates = [last.get(k) for k in keys]
    out["last_count_on"] = [None if d is None or pd.isna(d) else d.date() for d in dates]
    out["days_since_last_count"] = [np.nan if d is None or pd.isna(d) else float((ts - d).days) for d in dates]
    out["stale"] = [bool(np.isnan(d) or d > float(stale_days)) for d in out["days_since_last_count"]]
    return out
