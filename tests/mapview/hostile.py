"""A hostile corpus: script, markup, a ``javascript:`` URL, Markdown and terminal escapes in every text
field of the map's data, and a synthetic store whose communes, projects, roads and parcels carry them."""
from __future__ import annotations

from datetime import date

from tests.dashboard import synthetic

#: Each is a text a file could hold; none may run, fetch or be re-read as markup anywhere in the map.
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = '"><script>alert(2)</script>'
JS_URL = "javascript:alert(3)"
MARKDOWN = "![](http://example.invalid/x.png)"
TERMINAL = "\x1b[2J\x1b[31mXóa màn hình\x1b[0m"
CORPUS = (IMG, SCRIPT, JS_URL, MARKDOWN, TERMINAL)
#: What a reader sees of each (the browser drops the control character ESC from the rendered text).
VISIBLE = {IMG: IMG, SCRIPT: SCRIPT, JS_URL: JS_URL, MARKDOWN: MARKDOWN, TERMINAL: "[31mXóa màn hình"}


def hostile_store() -> synthetic.FakeStore:
    """The synthetic store with hostile commune, project, road and parcel texts (geometries unchanged)."""
    store = synthetic.FakeStore()
    store._communes["full_name"] = [f"Xã {IMG}", f"Phường {MARKDOWN}"]
    store._projects["short_name"] = [f"Đường {SCRIPT}", f"CCN {JS_URL}"]
    store._projects["name"] = [f"Dự án {MARKDOWN}", f"Dự án {TERMINAL}"]
    store._projects["geometry_note"] = [f"Ghi chú {IMG}", "Đo đạc"]
    store._roads["name"] = [f"QL {IMG}", f"Đường sắt {SCRIPT}"]
    parcels = store._parcels
    parcels["commune"] = [f"Phường {IMG}" if i % 2 else f"Xã {MARKDOWN}" for i in range(len(parcels))]
    parcels["commune_former"] = [f"Xã cũ {SCRIPT}"] * len(parcels)
    parcels["land_use"] = [JS_URL if i % 2 else IMG for i in range(len(parcels))]
    parcels["owner_name"] = [f"Hộ {TERMINAL}"] * len(parcels)
    return store


def hostile_snapshot(store: synthetic.FakeStore, parcel_number: str = IMG):
    """The store's snapshot on 30/06/2024; the last parcel's number is ``parcel_number`` (text)."""
    snap = synthetic.compute_snapshot(store, date(2024, 6, 30))
    numbers = snap.parcels["parcel_number"].astype(object)
    numbers.iloc[-1] = parcel_number
    snap.parcels["parcel_number"] = numbers
    return snap
