"""Table pages of the print PDF: the communes league and the blocking parcels (issue 11), packed so that no
row is lost or printed twice and no page overflows."""
from __future__ import annotations

import io

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from exports.figure_tables import league_table, shortfall_text
from exports.options import ExportOptions
from exports.printmap import render_print_map
from exports.table_print import (
    TableBlock,
    blocking_blocks,
    column_chars,
    paginate,
    row_costs,
)
from milestones.league import communes_league


def _block(n_rows: int, tag: str, long_every: int = 0) -> TableBlock:
    cells = [f"{tag}-{i}" + (" rất dài" * 12 if long_every and i % long_every == 0 else "") for i in range(n_rows)]
    return TableBlock(f"Bảng {tag}", pd.DataFrame({"Thửa": cells, "Diện tích (m²)": [str(i) for i in range(n_rows)]}))


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(0, 70), min_size=1, max_size=5), per_page=st.integers(6, 60),
       long_every=st.integers(0, 5))
def test_every_row_printed_once_and_no_page_overflows(sizes, per_page, long_every):
    blocks = [_block(n, f"B{k}", long_every) for k, n in enumerate(sizes)]
    pages = paginate(blocks, "tiêu đề", per_page, heading_chars=40, line_chars=60)
    printed = [v.replace("\n", " ") for p in pages for b in p.blocks for v in b.table.iloc[:, 0]]
    expected = [v for b in blocks for v in b.table["Thửa"]]
    assert printed == expected                                   # same rows, same order, none twice
    for page in pages:
        used = sum(1 + b.heading.count("\n") + 1 + sum(row_costs(b.table)) + 0.5 for b in page.blocks)
        only_one_row = len(page.blocks) == 1 and len(page.blocks[0].table) <= 1
        assert used <= per_page + 0.5 or only_one_row


def test_a_block_split_over_pages_repeats_its_heading_as_continued():
    pages = paginate([_block(30, "X")], "t", rows_per_page=12)
    assert len(pages) > 1
    assert pages[0].blocks[0].heading == "Bảng X"
    assert all(p.blocks[0].heading == "Bảng X (tiếp)" for p in pages[1:])
    assert sum(len(p.blocks[0].table) for p in pages) == 30


def test_columns_share_the_line_and_wide_columns_wrap():
    table = pd.DataFrame({"Thửa": ["CCN_HT1/06226/26/11"], "Vướng mắc": ["Khiếu nại chưa giải quyết; " * 4]})
    chars = column_chars(table, 40)
    assert sum(chars) <= 40 - 2 * 2 and chars[1] < len(table.iloc[0, 1])
    roomy = column_chars(table, 400)
    assert roomy == [len("CCN_HT1/06226/26/11"), len(table.iloc[0, 1])]


def test_real_pdf_has_the_league_and_the_blocking_list(real):
    snap, store = real
    pdf = render_print_map(snap, store, ExportOptions(), "pdf")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    league_pages = [t for t in pages if "Kết quả theo xã, phường" in t]
    blocking_pages = [t for t in pages if "Các thửa đất là điểm nghẽn của mốc chưa đạt" in t]
    assert league_pages and blocking_pages
    names = dict(zip(snap.projects["project_id"], snap.projects["name"]))
    league = league_table(communes_league(snap, store.events()), names)
    league_text = " ".join(league_pages)
    for row in league.to_dict("records"):                        # every commune row, with its gap
        assert row["Xã/phường"] in league_text and row["Còn thiếu so với mốc (ha)"] in league_text
    blocking_text = " ".join(blocking_pages).replace("\n", " ")
    for s in snap.blocking_summary.to_dict("records"):           # each milestone's shortfall and first parcel
        assert shortfall_text(s) in blocking_text
        first = snap.blockers[snap.blockers["milestone_id"] == s["milestone_id"]].iloc[0]["parcel_id"]
        assert all(part in blocking_text for part in str(first).split("/"))
    assert len(blocking_blocks(snap, names)) == len(snap.blocking_summary)
