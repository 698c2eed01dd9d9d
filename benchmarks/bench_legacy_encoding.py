"""Read time of a 100 000-row field-count CSV in each encoding communes send (no timing asserted anywhere).

Rows are the four good rows of tests/ingest/make_corpus.py repeated; the legacy files (TCVN3, VNI,
one byte per letter) are written with the encoders of parsing/legacy.py. Prints, per encoding,
the file size, the read time of ``ingest.read.read_table`` and the columns converted.

    python benchmarks/bench_legacy_encoding.py [ROWS]
"""
from __future__ import annotations

import csv
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.read import read_table  # noqa: E402
from parsing.legacy import unicode_to_tcvn3, unicode_to_vni  # noqa: E402
from tests.ingest.make_corpus import GOOD_ROWS_VI, H, cp1258_bytes  # noqa: E402


def main(rows: int = 100_000) -> None:
    headers = [h.replace("m²", "m2") for h in H]
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows([headers] + GOOD_ROWS_VI * (rows // 4))
    text = buf.getvalue()
    files = {
        "UTF-8": text.encode("utf-8"),
        "Windows-1258": cp1258_bytes(text),
        "TCVN3 (1 byte)": unicode_to_tcvn3(text).encode("latin-1"),
        "VNI (1 byte)": unicode_to_vni(text).encode("latin-1"),
        "TCVN3 stored as UTF-8": unicode_to_tcvn3(text).encode("utf-8"),
    }
    print(f"{rows:,} data rows, separator ';'")
    for name, data in files.items():
        start = time.perf_counter()
        table = read_table(data, "bench.csv")
        seconds = time.perf_counter() - start
        converted = ", ".join(f"{c['column']} ({c['encoding']})" for c in table.text_conversions) or "-"
        print(f"{name:24s} {len(data) / 1e6:6.1f} MB  read {seconds:5.2f} s  rows {len(table.data):,}  "
              f"codec {table.encoding}  converted: {converted}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
