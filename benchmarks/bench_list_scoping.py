"""What scoping the lists costs (store.visibility): each list read for a scoped account against the same read
unscoped (the anchor: what the list cost before it was scoped).

    python benchmarks/bench_list_scoping.py [--runs 7] [--events 20000]

A demo store (``init_store(demo=True)``) in a temporary folder, plus one upload of ``--events`` parcel events (the
cost of the commune rule grows with the ledger: every event's commune is decided by
:func:`store.ledger.event_communes`). Sides, alternating, each a wall time and a CPU time (``time.process_time``):
``uploads()`` vs ``uploads_for(commune officer)`` and ``uploads_for(unit officer)``;
``register_imports()`` vs ``register_imports(account=commune officer)``; ``AuditTrail.read()`` vs
``AuditTrail.read(account=unit administrator)``. Medians, ratios to the anchor, the load average before and after.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from argon2 import PasswordHasher

from store import Accounts, AuditTrail, init_store
from store.settings import Settings

PASSWORD = "mat-khau-do-toc-do"


def _store(folder: Path, n_events: int):
    store = init_store(f"sqlite:///{folder / 'gpmb.gpkg'}", demo=True)
    accounts = Accounts(store, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    admin = accounts.create_account("quan_tri", PASSWORD, role="admin", by=None)
    Settings(store).set("maker_checker", "off", actor=admin)
    commune = str(store.parcels()["commune"].dropna().iloc[0])
    officer = accounts.create_account("cb_xa", PASSWORD, role="commune_officer", by=admin, communes=[commune])
    unit = str(store.projects()["unit"].iloc[0])
    unit_officer = accounts.create_account("cb_don_vi", PASSWORD, role="officer", by=admin, units=[unit])
    unit_admin = accounts.create_account("qt_don_vi", PASSWORD, role="admin", by=admin, units=[unit])
    if n_events:
        parcels = store.parcels()[["parcel_id", "project_id"]]
        rows = parcels.sample(n_events, replace=True, random_state=1).reset_index(drop=True)
        frame = pd.DataFrame({"kind": "parcel", "project_id": rows["project_id"], "parcel_id": rows["parcel_id"],
                              "event": "inventory", "event_date": [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
                                                                   for i in range(n_events)],
                              "note": [f"dòng {i}" for i in range(n_events)]})
        store.commit_upload(frame, actor=admin, file_name="lon.csv", file_sha256="f" * 64, rows_read=n_events)
    return store, officer, unit_officer, unit_admin


def _timed(fn) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--events", type=int, default=20000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store, officer, unit_officer, unit_admin = _store(Path(tmp), args.events)
        print(f"store: {len(store.events())} events, {len(store.uploads())} uploads, "
              f"{len(AuditTrail(store).read())} audit rows; load average {os.getloadavg()[0]:.2f}")
        sides = {
            "anchor: uploads()": lambda: store.uploads(),
            "uploads(commune officer)": lambda: store.uploads_for(officer),
            "uploads(unit officer)": lambda: store.uploads_for(unit_officer),
            "anchor: register_imports()": lambda: store.register_imports(),
            "register_imports(commune officer)": lambda: store.register_imports(account=officer),
            "anchor: AuditTrail.read()": lambda: AuditTrail(store).read(),
            "AuditTrail.read(unit administrator)": lambda: AuditTrail(store).read(account=unit_admin),
        }
        wall: dict[str, list[float]] = {k: [] for k in sides}
        cpu: dict[str, list[float]] = {k: [] for k in sides}
        for _ in range(args.runs):
            for name, fn in sides.items():
                w, c = _timed(fn)
                wall[name].append(w)
                cpu[name].append(c)
        anchor = None
        for name in sides:
            w, c = statistics.median(wall[name]), statistics.median(cpu[name])
            anchor = (w, c) if name.startswith("anchor") else anchor
            ratio = "" if name.startswith("anchor") else f"  ratio wall {w / anchor[0]:5.1f}, cpu {c / anchor[1]:5.1f}"
            print(f"  {name:38s} wall {w * 1000:8.1f} ms  cpu {c * 1000:8.1f} ms{ratio}")
        print(f"load average after {os.getloadavg()[0]:.2f}")
        store.close()


if __name__ == "__main__":
    main()
