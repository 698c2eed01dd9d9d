"""Register imports, property-based (issue 12): valid rows land once, invalid rows never, on both backends.

Each example writes a households CSV mixing valid rows and rows with one bad cell (a CCCD that is not 12
digits, a phone that is not a phone, a blank name), imports it with ``skip_invalid``, imports it again,
and checks the store holds exactly the valid keys, once, with the values of the file.
"""
from __future__ import annotations

import itertools

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports.table_files import csv_bytes
from ingest.register_import import import_register
from ingest.register_rows import REGISTERS

HEADERS = [f.header_vi for f in REGISTERS["households"]]
BAD_CELLS = {"Số CCCD": "12345", "Số điện thoại": "12ab", "Tên chủ hộ": ""}
_examples = itertools.count()

names = st.text(alphabet="AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệ ", min_size=1,
                max_size=20).filter(lambda s: s.strip())
rows = st.lists(st.tuples(st.booleans(), names, st.sampled_from(sorted(BAD_CELLS)),
                          st.integers(0, 10**12 - 1), st.integers(10**8, 10**9 - 1)), min_size=1, max_size=12)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows)
def test_valid_rows_land_once_invalid_never(store, actor, rows):
    prefix = f"P{next(_examples)}-"
    records, valid_keys, invalid_keys = [], {}, set()
    for i, (ok, name, bad_column, cccd, phone) in enumerate(rows):
        key = f"{prefix}{i}"
        record = dict(zip(HEADERS, [key, name, f"{cccd:012d}", f"0{phone}", "Thôn 1", "Phường Kỳ Lừa"], strict=True))
        if ok:
            valid_keys[key] = " ".join(name.split())
        else:
            record[bad_column] = BAD_CELLS[bad_column]
            invalid_keys.add(key)
        records.append(record)
    data = csv_bytes(pd.DataFrame(records, columns=HEADERS))
    first = import_register(data, store, kind="households", project_id="QL4B", actor=actor, skip_invalid=True,
                            file_name="ho.csv")
    assert {p.row for p in first.problems} == {i + 2 for i, r in enumerate(rows) if not r[0]}
    again = import_register(data, store, kind="households", project_id="QL4B", actor=actor, skip_invalid=True,
                            file_name="ho-lan-2.csv")
    assert again.status == ("nothing_new" if valid_keys else "rejected")
    stored = store.register("households", include_personal=True, actor=actor)
    mine = stored[stored["household_id"].str.startswith(prefix)]
    assert sorted(mine["household_id"]) == sorted(valid_keys)
    assert dict(zip(mine["household_id"], mine["name"], strict=True)) == valid_keys
    assert not invalid_keys & set(stored["household_id"])
