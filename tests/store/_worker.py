"""Subprocess used by the kill and concurrency tests: open a store and commit one upload.

Usage: python _worker.py URL SOURCES_DIR ROWS TAG [BARRIER_FILE]

Commits ROWS parcel events as the account ``quan_tri`` (the caller creates it) with file hash sha256(TAG) and prints the UploadResult as JSON. With
BARRIER_FILE it waits for that file to exist before committing (to start several workers together).
``GPMB_STORE_SLEEP_IN_COMMIT`` (seconds) makes the store sleep inside the transaction.
"""
import hashlib
import json
import sys
import time
import zlib
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))

import pandas as pd  # noqa: E402
from sources_fixture import PARCEL_IDS  # noqa: E402

from store import Accounts  # noqa: E402
from tests.support.stores import demo_store  # noqa: E402


def events(rows: int, tag: str) -> pd.DataFrame:
    return pd.DataFrame({
        "kind": "parcel",
        "project_id": "QL4B",
        "parcel_id": [PARCEL_IDS[i % 3] for i in range(rows)],
        "event": ["inventory" if i % 2 else "notice" for i in range(rows)],
        "event_date": [date(2024, 1, 1) + timedelta(days=i % 300) for i in range(rows)],
        "households": 1,
        # distinct content per row and per tag (a row repeating another's content is not written twice)
        "amount_vnd": [float(zlib.crc32(tag.encode()) % 1_000_000 * 1_000_000 + i) for i in range(rows)],
        "note": [f"{tag}-{i}" for i in range(rows)],
    })


def main() -> None:
    url, sources_dir, rows, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    barrier = Path(sys.argv[5]) if len(sys.argv) > 5 else None
    store = demo_store(url, sources_dir=sources_dir)
    frame = events(rows, tag)
    if barrier is not None:
        deadline = time.time() + 60
        while not barrier.exists() and time.time() < deadline:
            time.sleep(0.01)
    result = store.commit_upload(frame, file_name=f"{tag}.csv", file_sha256=hashlib.sha256(tag.encode()).hexdigest(),
                                 actor=Accounts(store).get("quan_tri"), rows_read=rows, source="cli")
    print(json.dumps({"upload_id": result.upload_id, "created": result.created,
                      "rows_committed": result.rows_committed}))


if __name__ == "__main__":
    main()
