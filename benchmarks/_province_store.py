"""A province-scale PostGIS store for the dashboard benchmarks: ~500 000 parcels ("ten districts", issue 13).

The bundled data (4 032 parcels, 24 611 events) repeated ``k`` times (k = 124 → 499 968 parcels, ≈3 million
events). Copy ``i`` is laid out on a grid of :data:`COLUMNS` columns, shifted ``(i % COLUMNS) × 35 km`` east and
``(i // COLUMNS) × 25 km`` north (the bundled parcels span 32 × 22 km, so copies do not overlap), with
parcel ids suffixed ``#i`` and its own copy of the bundled parcel events. Geometry is shifted with one
``shapely.transform`` per copy (numpy over the coordinate array), never per feature.

Writes go through the store's own audited paths: one ``replace_layer('parcels')`` (≈500 000 rows) and one
``commit_upload`` per ``batch`` copies (the ledger's COPY on PostgreSQL); ``parcel_status`` is recomputed
once, with the last commit. The database is named ``bench_province_<k>`` on the server of
``$GPMB_TEST_PG_ADMIN_URL`` and kept (building takes minutes): drop it with ``--drop``.

Usage: ``python benchmarks/_province_store.py [--copies 124] [--batch 12] [--drop]``; prints the build time.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

#: Copies per row of the grid, and the shift between neighbouring copies (m, EPSG:9215).
COLUMNS = 12
STEP_X_M, STEP_Y_M = 35_000.0, 25_000.0
DEFAULT_COPIES = 124


def database_name(k: int) -> str:
    """Name of the province database of ``k`` copies (kept between benchmark runs)."""
    return f"bench_province_{int(k)}"


def _admin_execute(statement: str) -> None:
    from sqlalchemy import create_engine, text

    from tests.support.postgis import admin_url

    engine = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def database_exists(k: int) -> bool:
    """Whether ``bench_province_<k>`` exists and holds a finished store (``store_meta.province_built``)."""
    from sqlalchemy import create_engine, text

    from tests.support.postgis import database_url

    engine = create_engine(database_url(database_name(k)))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM bench_province_built")).first() is not None
    except Exception:  # noqa: BLE001 - missing database or unfinished build
        return False
    finally:
        engine.dispose()


def drop(k: int) -> None:
    """Drop ``bench_province_<k>`` (``WITH (FORCE)``: connections left by a killed server do not keep it)."""
    _admin_execute(f'DROP DATABASE IF EXISTS "{database_name(k)}" WITH (FORCE)')


def copies(parcels, events, k: int):
    """(all ``k`` copies of ``parcels`` as one GeoDataFrame, the event frame of each copy 1 … k-1).

    ``parcels``: the bundled parcels (EPSG:9215); ``events``: the bundled parcel events (store frame).
    Copy 0 is the bundled data itself (its events are already in the store).
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    frames, ledgers = [parcels], []
    events = events[events["kind"] == "parcel"].drop(columns=["event_id", "upload_id"])
    for i in range(1, k):
        shift = np.array([(i % COLUMNS) * STEP_X_M, (i // COLUMNS) * STEP_Y_M])
        p = parcels.copy()
        p["parcel_id"] = p["parcel_id"] + f"#{i}"
        p["geometry"] = shapely.transform(p.geometry.values, lambda xy, s=shift: xy + s)
        frames.append(p)
        e = events.copy()
        e["parcel_id"] = e["parcel_id"] + f"#{i}"
        ledgers.append(e)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=parcels.crs), ledgers


def build(k: int = DEFAULT_COPIES, batch: int = 12) -> str:
    """Create ``bench_province_<k>`` with PostGIS and fill it; returns its URL (password kept).

    Raises whatever :func:`store.init_store` raises (e.g. the database already holds a store: drop it first).
    """
    import pandas as pd
    from sqlalchemy import create_engine, text

    from milestones.status_layer import parcel_status_frame
    from store import init_store
    from store import parcel_status as ps
    from tests.support.actors import office_admin
    from tests.support.postgis import database_url

    name = database_name(k)
    drop(k)
    _admin_execute(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    ps.register_refresher(None)
    store = init_store(url, demo=True)
    try:
        actor = office_admin(store)
        parcels, ledgers = copies(store.parcels(), store.events(), k)
        started = time.perf_counter()
        store.replace_layer("parcels", parcels, actor=actor, report={"benchmark": k})
        print(f"  parcels layer: {len(parcels)} rows in {time.perf_counter() - started:.0f} s", flush=True)
        groups = [ledgers[i:i + batch] for i in range(0, len(ledgers), batch)]
        for j, group in enumerate(groups):
            started = time.perf_counter()
            events = pd.concat(group, ignore_index=True)
            if j == len(groups) - 1:
                ps.register_refresher(parcel_status_frame)
            store.commit_upload(events, actor=actor, file_name=f"province{j}.csv",
                                file_sha256=hashlib.sha256(f"province-{k}-{j}".encode()).hexdigest(),
                                rows_read=len(events))
            print(f"  upload {j + 1}/{len(groups)}: {len(events)} events in {time.perf_counter() - started:.0f} s",
                  flush=True)
    finally:
        ps.register_refresher(None)
        store.close()
    with engine.begin() as conn:   # marks a finished build (a killed one is rebuilt)
        conn.execute(text("CREATE TABLE bench_province_built (k integer)"))
        conn.execute(text("INSERT INTO bench_province_built VALUES (:k)"), {"k": k})
    engine.dispose()
    return url


def ensure(k: int = DEFAULT_COPIES, batch: int = 12) -> str:
    """The URL of ``bench_province_<k>``, built when missing or unfinished (prints the build time)."""
    from tests.support.postgis import database_url

    if database_exists(k):
        return database_url(database_name(k))
    started = time.perf_counter()
    url = build(k, batch)
    print(f"province store {database_name(k)} built in {time.perf_counter() - started:.0f} s", flush=True)
    return url


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=DEFAULT_COPIES)
    parser.add_argument("--batch", type=int, default=12, help="copies of the ledger per upload")
    parser.add_argument("--drop", action="store_true", help="drop the database and stop")
    args = parser.parse_args()
    if args.drop:
        drop(args.copies)
        print(f"dropped {database_name(args.copies)}")
    else:
        print(ensure(args.copies, args.batch))
