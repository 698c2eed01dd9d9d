"""The parcel payload written as two data blocks (mapview.encode.split_blocks): the first holds only ASCII
(the browser then keeps it one byte per character), the second the entries with other text, and merged
they are the payload again."""
import json
import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from mapview import build_map, standalone_html
from mapview.elements import ParcelLayer
from mapview.encode import merge_blocks, script_json, split_blocks
from tests.dashboard import synthetic

texts = st.text(alphabet=st.sampled_from("aZ09 <>/\"'\\Xã Số Lừa Kỳ–⚠"), max_size=8)
leaves = st.one_of(st.none(), st.integers(-5, 10**6), texts, st.lists(st.integers(0, 40), max_size=5),
                   st.lists(texts, max_size=4), st.fixed_dictionaries({"dict": st.lists(texts, max_size=3),
                                                                      "codes": st.lists(st.integers(-1, 2), max_size=4)}))
payloads = st.dictionaries(st.sampled_from(["geometry", "ids", "columns", "tables", "state", "rows", "extra"]),
                           st.one_of(leaves, st.dictionaries(texts, leaves, max_size=5)), max_size=7)


@settings(max_examples=300, deadline=None)
@given(payloads)
def test_blocks_merge_back_into_the_payload(payload):
    first, second = split_blocks(payload)
    assert merge_blocks(json.loads(first), second and json.loads(second)) == json.loads(script_json(payload))
    parsed = json.loads(first)
    assert all(k in parsed for k in ("geometry", "ids") if k in payload)       # always in the first block
    # only the first-block entries may bring non-ASCII text into it
    rest = {k: v for k, v in parsed.items() if k not in ("geometry", "ids")}
    assert script_json(rest).isascii()
    assert (second is None) == script_json({k: v for k, v in payload.items() if k not in ("geometry", "ids")}).isascii()
    assert "<" not in first and "<" not in (second or "")                    # neither can close its block


def test_page_blocks_hold_the_payload_and_the_first_is_ascii():
    store = synthetic.FakeStore()
    m = build_map(synthetic.compute_snapshot(store, date(2024, 6, 30)), store)
    payload = next(c for c in m._children.values() if isinstance(c, ParcelLayer)).payload
    page = standalone_html(m)
    blocks = re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', page, re.S)
    assert [name.rsplit("_", 1)[-1] for name, _ in blocks] == ["data", "text"]
    (_, first), (_, second) = blocks
    assert first.isascii() and not second.isascii() and "Giai đoạn" not in first
    assert merge_blocks(json.loads(first), json.loads(second)) == json.loads(script_json(payload))
    assert json.loads(first)["ids"] == payload["ids"] and "tables" in json.loads(second)
