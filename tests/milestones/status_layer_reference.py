"""The ``parcel_status`` frame as it was computed before issue 13: the rows of the whole snapshot (tables and
S-curve included). The reference of :func:`milestones.status_layer.parcel_status_frame`
(``tests/milestones/test_status_layer_fast.py``) and the anchor of ``benchmarks/bench_refresh_steps.py``."""
from __future__ import annotations

from datetime import date

from milestones.snapshot import compute_snapshot
from milestones.status_layer import status_rows


def parcel_status_frame_reference(reader, as_of: date):
    """:func:`milestones.status_layer.status_rows` of :func:`milestones.snapshot.compute_snapshot`."""
    return status_rows(compute_snapshot(reader, as_of))
