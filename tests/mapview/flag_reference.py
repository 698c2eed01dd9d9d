"""The map's per-date flag values as ``mapview.parcel_layer`` made them before issue 13: the flag index lists of
every parcel built in a Python loop (``mapview.parcels._flag_index``), then a bitmask per parcel with ``sum``.
Kept as the reference of ``tests/mapview/test_flag_bits_fast.py`` and ``benchmarks/bench_dashboard_date.py``;
nothing in the product imports it."""
from __future__ import annotations

import numpy as np
import pandas as pd

from mapview.encode import columnar
from mapview.parcel_layer import MAX_FLAG_BITS, payload_parcels
from mapview.parcels import _at_risk, _flag_index, _stage_dates, _stage_ranks


def flag_values_reference(parcels: pd.DataFrame) -> tuple[list[str], list]:
    labels, indices = _flag_index(parcels)
    if len(labels) > MAX_FLAG_BITS:
        return labels, indices
    return labels, [sum(1 << i for i in idx) for idx in indices]


def map_date_state_reference(snapshot, project_ids: tuple[str, ...] = ()) -> dict:
    parcels = payload_parcels(snapshot.parcels, tuple(project_ids))
    ranks, risky = np.asarray(_stage_ranks(parcels), dtype=int), _at_risk(parcels)
    labels, flags = flag_values_reference(parcels)
    dates = columnar(pd.DataFrame({"d": _stage_dates(parcels)}))["d"]
    return {"s": ranks.tolist(), "r": risky.tolist(), "d": dates, "f": flags, "flags": labels}
