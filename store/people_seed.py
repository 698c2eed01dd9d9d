"""Filling the people-side registers of a store from ``data/sources/`` (the demo households, plans, payments,
letters, resettlement area and lots of :mod:`data.demo.people`).

Runs inside the seeding transaction of :func:`store.store.open_store`. Each register file present becomes
one register import with ``source='seed'`` (an ``uploads`` row, a ``register_imports`` row, its rows), so a
seeded register is read, superseded and reverted exactly like an imported one. Registers are seeded once:
when the store has no register import yet (a new store, or one migrated from before revision 0010).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from domain.people import REGISTER_COLUMNS, REGISTER_DATE_COLUMNS
from store import registers, schema, sources
from store.layer_versions import utcnow

#: Register → its file in the sources folder, in seeding order (areas before their lots).
REGISTER_SOURCE_FILES: dict[str, str] = {
    "households": "households.csv", "plans": "plans.csv", "payments": "payments.csv",
    "complaints": "complaints.csv", "areas": "resettlement_areas.csv", "lots": "lots.csv",
    "refusals": "payment_refusals.csv", "transfers": "fund_transfers.csv",
}

SEEDED_BY = "Khởi tạo từ data/sources"


def load_register(path: Path, register: str) -> pd.DataFrame:
    """A register CSV of ``data/sources`` (UTF-8 with BOM, ISO dates) with the register's columns."""
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False, na_values=[""])
    for column in REGISTER_DATE_COLUMNS & set(frame.columns):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").dt.date.where(frame[column].notna())
    for column in ("complicated", "remote_area"):
        if column in frame:
            frame[column] = frame[column].map({"True": True, "False": False})
    return frame.reindex(columns=list(REGISTER_COLUMNS[register]))


def _seed_one(conn, sources_dir: Path, register: str, file_name: str) -> None:
    path = Path(sources_dir) / file_name
    rows = registers.prepare_rows(register, load_register(path, register))
    sha = registers.content_sha256(register, None, rows, None)
    upload_id = int(conn.execute(schema.uploads.insert().values(
        uploaded_at=utcnow(), uploaded_by=SEEDED_BY, file_name=file_name, file_sha256=sources.file_sha256(path),
        rows_read=len(rows), rows_committed=len(rows), source="seed",
    ).returning(schema.uploads.c.upload_id)).scalar_one())
    registers.insert_rows(conn, register, upload_id, rows)
    registers.record_import(conn, upload_id, register, None, sha, {
        "rows_added": len(rows), "rows_changed": 0, "rows_unchanged": 0, "events_added": 0}, kind=register)


def seed_registers(conn, sources_dir: Path) -> int:
    """Seed every register file present in ``sources_dir`` when the store has no register import yet.

    Returns
    -------
    int
        The number of registers seeded (0 when the store already had register imports or no file is present).
    """
    if conn.execute(select(func.count()).select_from(registers.register_imports)).scalar_one():
        return 0
    seeded = 0
    for register, file_name in REGISTER_SOURCE_FILES.items():
        if (Path(sources_dir) / file_name).is_file():
            _seed_one(conn, sources_dir, register, file_name)
            seeded += 1
    return seeded
