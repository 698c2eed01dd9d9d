"""A large store for the dashboard benchmarks: the bundled data (4 032 parcels) repeated ``k`` times.

Copy ``i`` of the parcels is shifted ``i`` × 20 km east with ids suffixed ``#i`` and gets its own copy of
the bundled parcel events (``benchmarks.bench_parcel_status.scaled``), so the ledger grows in proportion
and every copy has the real mix of stages, dates, flags, projects and communes. ``parcel_status`` is
recomputed once, with the last copy's commit (not after every copy: that is not what is measured).

Usage: ``python benchmarks/_big_store.py URL K`` (K = 13 → 52 416 parcels); prints the build time.
"""
from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def build_big_store(url: str, k: int) -> int:
    """Seed the demo store at ``url`` and grow it to ``k`` copies; returns the number of parcels.

    Raises whatever :func:`store.init_store` raises when ``url`` already holds a store.
    """
    from benchmarks.bench_parcel_status import scaled
    from milestones.status_layer import parcel_status_frame
    from store import init_store
    from store import parcel_status as ps
    from tests.support.actors import office_admin

    ps.register_refresher(None)
    store = init_store(url, demo=True)
    try:
        actor = office_admin(store)
        if k > 1:
            parcels, ledgers = scaled(store, k)
            store.replace_layer("parcels", parcels, actor=actor, report={"benchmark": k})
            for i, events in enumerate(ledgers):
                if i == len(ledgers) - 1:
                    ps.register_refresher(parcel_status_frame)
                store.commit_upload(events, actor=actor, file_name=f"copy{i}.csv",
                                    file_sha256=hashlib.sha256(f"{k}-{i}".encode()).hexdigest(),
                                    rows_read=len(events))
        return len(store.parcels())
    finally:
        ps.register_refresher(None)
        store.close()


if __name__ == "__main__":
    started = time.perf_counter()
    n = build_big_store(sys.argv[1], int(sys.argv[2]))
    print(f"{n} parcels in {time.perf_counter() - started:.1f} s", flush=True)
