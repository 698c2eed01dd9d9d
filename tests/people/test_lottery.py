"""The resettlement lottery: reproducible, one lot per household of its class, no lot twice, hashes move."""
from __future__ import annotations

import hashlib
import io
import json
from datetime import date

import pandas as pd
import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from exports.lottery_minutes import MinutesInfo, lottery_minutes_docx
from milestones.lottery import (
    LotteryError,
    draw_lots,
    input_hashes,
    require_redraw_reason,
    verify_draw,
)

CLASSES = ("A", "B", "C")


@st.composite
def draw_inputs(draw):
    """Eligible households and lots with at least as many lots as households in every class."""
    households = draw(st.lists(st.sampled_from(CLASSES), min_size=0, max_size=30))
    extra = draw(st.lists(st.sampled_from(CLASSES), max_size=10))
    eligible = pd.DataFrame({"household_id": [f"H{i:03d}" for i in range(len(households))],
                             "entitlement_class": households})
    lot_classes = households + extra
    lots = pd.DataFrame({"lot_id": [f"L{i:03d}" for i in range(len(lot_classes))], "lot_class": lot_classes})
    order = draw(st.permutations(range(len(lots))))
    return eligible, lots.iloc[list(order)].reset_index(drop=True)


seeds = st.text(min_size=1, max_size=20).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None)
@given(draw_inputs(), seeds)
def test_same_inputs_and_seed_give_the_same_result(inputs, seed):
    eligible, lots = inputs
    first = draw_lots(eligible, lots, seed)
    shuffled = draw_lots(eligible.sample(frac=1, random_state=1), lots.sample(frac=1, random_state=2), seed)
    assert first == shuffled  # row order of the inputs does not matter: they are sorted canonically
    assert verify_draw(first, eligible, lots)


@settings(max_examples=60, deadline=None)
@given(draw_inputs(), seeds)
def test_each_household_gets_exactly_one_lot_of_its_class_and_no_lot_goes_twice(inputs, seed):
    eligible, lots = inputs
    result = draw_lots(eligible, lots, seed)
    got = result.assignments_frame()
    assert sorted(got["household_id"]) == sorted(eligible["household_id"])
    assert got["lot_id"].is_unique
    lot_class = dict(zip(lots["lot_id"], lots["lot_class"], strict=True))
    wanted = dict(zip(eligible["household_id"], eligible["entitlement_class"], strict=True))
    for row in got.itertuples():
        assert lot_class[row.lot_id] == wanted[row.household_id] == row.lot_class
    assert set(result.unallocated_lots) == set(lots["lot_id"]) - set(got["lot_id"])


@settings(max_examples=60, deadline=None)
@given(draw_inputs(), seeds, st.data())
def test_a_changed_input_changes_its_hash_and_the_draw_hash(inputs, seed, data):
    eligible, lots = inputs
    before = draw_lots(eligible, lots, seed)
    grown = pd.concat([lots, pd.DataFrame({"lot_id": ["L999"], "lot_class": [data.draw(st.sampled_from(CLASSES))]})])
    after = draw_lots(eligible, grown, seed)
    assert after.lots_sha256 != before.lots_sha256
    assert after.eligible_sha256 == before.eligible_sha256
    assert after.inputs_sha256 != before.inputs_sha256
    assert after.draw_sha256 != before.draw_sha256
    if len(eligible):
        renamed = eligible.assign(household_id=eligible["household_id"].str.replace("H", "K"))
        again = draw_lots(renamed, lots, seed)
        assert again.eligible_sha256 != before.eligible_sha256
        assert again.draw_sha256 != before.draw_sha256


def test_the_hash_is_sha256_of_the_documented_canonical_json():
    eligible = pd.DataFrame({"household_id": [" H2", "H1"], "entitlement_class": ["A", "A "]})
    lots = pd.DataFrame({"lot_id": ["L1"], "lot_class": ["A"]})
    expected = hashlib.sha256(json.dumps([["H1", "A"], ["H2", "A"]], separators=(",", ":")).encode()).hexdigest()
    assert input_hashes(eligible, lots)[0] == expected


def test_the_permutation_is_the_documented_hash_order():
    eligible = pd.DataFrame({"household_id": ["H1", "H2", "H3"], "entitlement_class": ["A"] * 3})
    lots = pd.DataFrame({"lot_id": ["L1", "L2", "L3", "L4"], "lot_class": ["A"] * 4})
    result = draw_lots(eligible, lots, "  12 07 33  ")
    key = hashlib.sha256(f"12 07 33\x1f{result.inputs_sha256}".encode()).hexdigest()
    order = sorted(lots["lot_id"], key=lambda lot: hashlib.sha256(f"{key}\x1fA\x1f{lot}".encode()).hexdigest())
    assert [a.lot_id for a in result.assignments] == order[:3]
    assert result.unallocated_lots == (order[3],)
    assert result.seed == "12 07 33"


def test_another_seed_usually_gives_another_draw():
    eligible = pd.DataFrame({"household_id": [f"H{i}" for i in range(20)], "entitlement_class": ["A"] * 20})
    lots = pd.DataFrame({"lot_id": [f"L{i}" for i in range(20)], "lot_class": ["A"] * 20})
    draws = {draw_lots(eligible, lots, f"seed {i}").draw_sha256 for i in range(5)}
    assert len(draws) == 5


def test_too_few_lots_in_a_class_is_refused_naming_the_class_and_the_counts():
    eligible = pd.DataFrame({"household_id": ["H1", "H2", "H3"], "entitlement_class": ["A", "B", "B"]})
    lots = pd.DataFrame({"lot_id": ["L1", "L2"], "lot_class": ["A", "B"]})
    with pytest.raises(LotteryError) as err:
        draw_lots(eligible, lots, "x")
    assert "loại «B»: 2 hộ nhưng chỉ có 1 lô" in err.value.message_vi
    assert "«A»" not in err.value.message_vi


@pytest.mark.parametrize("eligible, lots, seed, words", [
    ({"household_id": ["H1", "H1"], "entitlement_class": ["A", "A"]}, {"lot_id": ["L1", "L2"], "lot_class": ["A"] * 2},
     "s", "«H1» xuất hiện hơn một lần"),
    ({"household_id": ["H1"], "entitlement_class": ["A"]}, {"lot_id": ["L1", "L1"], "lot_class": ["A", "A"]},
     "s", "«L1» xuất hiện hơn một lần"),
    ({"household_id": ["H1"], "entitlement_class": [None]}, {"lot_id": ["L1"], "lot_class": ["A"]}, "s", "dòng 1"),
    ({"household_id": ["H1"]}, {"lot_id": ["L1"], "lot_class": ["A"]}, "s", "thiếu cột: entitlement_class"),
    ({"household_id": ["H1"], "entitlement_class": ["A"]}, {"lot_id": ["L1"], "lot_class": ["A"]}, "  ", "seed"),
])
def test_bad_inputs_are_refused_in_vietnamese(eligible, lots, seed, words):
    with pytest.raises(LotteryError, match=words):
        draw_lots(pd.DataFrame(eligible), pd.DataFrame(lots), seed)


def test_a_redraw_needs_a_reason():
    require_redraw_reason(None, None)
    require_redraw_reason("ab" * 32, "Bổ sung 2 hộ theo QĐ 123")
    with pytest.raises(LotteryError, match="lý do"):
        require_redraw_reason("ab" * 32, "   ")


def test_the_minutes_open_and_hold_every_assignment():
    eligible = pd.DataFrame({"household_id": [f"H{i:02d}" for i in range(12)],
                             "entitlement_class": ["A"] * 7 + ["B"] * 5,
                             "household_name": [f"Nguyễn Văn {i}" for i in range(12)]})
    lots = pd.DataFrame({"lot_id": [f"TDC-{i:02d}" for i in range(14)], "lot_class": ["A"] * 8 + ["B"] * 6,
                         "lot_number": [f"Lô {i}" for i in range(14)], "area_m2": [100.0] * 8 + [120.5] * 6})
    result = draw_lots(eligible, lots, "04 19 27 33")
    info = MinutesInfo(governing_body="UBND tỉnh Lạng Sơn", issuing_body="Trung tâm Phát triển quỹ đất",
                       document_number="15/BB-TTPTQĐ", place="Lạng Sơn", meeting_date=date(2026, 11, 20),
                       project_name="Cao tốc Hữu Nghị – Chi Lăng", area_name="Khu TĐC Hợp Thành",
                       participants=["Ông Hoàng Văn Minh – Phó Giám đốc, chủ trì"])
    doc = Document(io.BytesIO(lottery_minutes_docx(result, info, eligible=eligible, lots=lots)))
    text = "\n".join(p.text for p in doc.paragraphs)
    head = doc.tables[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head.cell(0, 1).text
    assert "Độc lập - Tự do - Hạnh phúc" in head.cell(0, 1).text
    assert "Lạng Sơn, ngày 20 tháng 11 năm 2026" in head.cell(0, 1).text
    assert "Số: 15/BB-TTPTQĐ" in head.cell(0, 0).text
    assert "TRUNG TÂM PHÁT TRIỂN QUỸ ĐẤT" in head.cell(0, 0).text
    for needle in ("BIÊN BẢN", "Khu TĐC Hợp Thành", "I. THÀNH PHẦN", result.eligible_sha256, result.lots_sha256,
                   result.inputs_sha256, result.draw_sha256, "«04 19 27 33»"):
        assert needle in text
    rows = [[c.text for c in r.cells] for r in doc.tables[1].rows[1:]]
    assert len(rows) == 12
    names = dict(zip(eligible["household_id"], eligible["household_name"], strict=True))
    numbers = dict(zip(lots["lot_id"], lots["lot_number"], strict=True))
    for row, a in zip(rows, result.assignments, strict=True):
        assert row[1:5] == [a.household_id, names[a.household_id], a.lot_class, numbers[a.lot_id]]
    assert {r[5] for r in rows} == {"100,0", "120,5"}
    assert "(Ký, ghi rõ họ tên)" in doc.tables[2].cell(0, 0).text
    spare = ", ".join(numbers[lot] for lot in result.unallocated_lots)
    assert f"Lô chưa giao (2): {spare}" in text
