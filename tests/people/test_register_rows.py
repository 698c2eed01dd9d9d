"""Register row validators: valid rows pass with parsed values, a row with any bad cell never does."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.people import COMPLAINT_KINDS, COMPLAINT_STATUSES, LOT_STATUSES, PLAN_PARTS
from ingest.register_rows import (
    REGISTERS,
    validate_complaints,
    validate_households,
    validate_lots,
    validate_payments,
    validate_plans,
)
from vocab.people import COMPLAINT_KIND_LABELS_VI, PLAN_PART_LABELS_VI

codes = st.from_regex(r"[A-Z]{2}-[0-9]{1,5}", fullmatch=True)
days = st.dates(date(2020, 1, 1), date(2030, 12, 31))
names = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyÁÀẢÃẠ ", min_size=1, max_size=20).filter(str.strip)


@st.composite
def household_rows(draw):
    return {"household_id": draw(codes), "name": draw(names),
            "id_number": draw(st.from_regex(r"0[0-9]{11}", fullmatch=True)),
            "phone": draw(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True)),
            "address": draw(names), "commune": draw(names)}


@st.composite
def plan_rows(draw):
    decided = draw(days)
    return {"household_id": draw(codes), "project_id": draw(codes),
            "compensation_vnd": draw(st.integers(0, 10**10)), "support_vnd": f"{draw(st.integers(1, 999))}.000.000",
            "resettlement_vnd": 0, "decision_number": f"{draw(st.integers(1, 999))}/QĐ-UBND",
            "decision_date": decided.strftime("%d/%m/%Y"),
            "effective_date": decided + timedelta(days=draw(st.integers(0, 30))),
            "resettlement_entitlement": draw(st.sampled_from(["A", "B", "không", None]))}


@st.composite
def payment_rows(draw):
    return {"household_id": draw(codes), "project_id": draw(codes), "payment_date": draw(days),
            "amount_vnd": draw(st.integers(1, 10**10)),
            "part": draw(st.sampled_from(list(PLAN_PARTS) + list(PLAN_PART_LABELS_VI.values()))),
            "receipt_number": f"PC{draw(st.integers(1, 9999))}"}


@st.composite
def complaint_rows(draw):
    received = draw(days)
    accepted = received + timedelta(days=draw(st.integers(0, 10)))
    return {"letter_id": draw(codes), "received_date": received, "channel": "Trực tiếp",
            "household_id": draw(codes), "parcels": draw(st.sampled_from(["17+175", "263A", "389b-2", None])),
            "kind": draw(st.sampled_from(list(COMPLAINT_KINDS) + list(COMPLAINT_KIND_LABELS_VI.values()))),
            "subject": "Giá đất", "body": "UBND xã", "accepted_date": accepted,
            "status": draw(st.sampled_from(COMPLAINT_STATUSES)), "outcome": None,
            "published_date": accepted + timedelta(days=draw(st.integers(0, 60)))}


@st.composite
def lot_rows(draw):
    return {"area_id": draw(codes), "lot_number": draw(codes), "area_m2": draw(st.floats(1, 500)),
            "price_vnd": draw(st.integers(0, 10**9)), "status": draw(st.sampled_from(LOT_STATUSES))}


CASES = {
    "households": (validate_households, household_rows(),
                   [("id_number", "12345"), ("phone", "12345"), ("household_id", "HD 01"), ("name", "  ")]),
    "plans": (validate_plans, plan_rows(),
              [("compensation_vnd", -5), ("decision_date", "31/02/2024"), ("support_vnd", "nhiều")]),
    "payments": (validate_payments, payment_rows(), [("amount_vnd", 0), ("part", "tiền thưởng"),
                                                      ("payment_date", None)]),
    "complaints": (validate_complaints, complaint_rows(), [("kind", "than phiền"), ("parcels", "abc"),
                                                            ("status", "đang chờ")]),
    "lots": (validate_lots, lot_rows(), [("area_m2", -1), ("status", "bán"), ("price_vnd", "x")]),
}


@pytest.mark.parametrize("register", sorted(CASES))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_valid_rows_pass_and_a_row_with_a_bad_cell_never_does(register, data):
    validate, rows, breakers = CASES[register]
    good = data.draw(st.lists(rows, min_size=1, max_size=6))
    column, bad_value = data.draw(st.sampled_from(breakers))
    bad_at = data.draw(st.integers(0, len(good) - 1))
    frame = pd.DataFrame(good, index=range(5, 5 + len(good)))
    valid, problems = validate(frame)
    assert problems == [] and list(valid.index) == list(frame.index)
    broken = frame.astype(object).copy()
    broken.at[5 + bad_at, column] = bad_value
    valid, problems = validate(broken)
    header = next(f.header_vi for f in REGISTERS[register] if f.column == column)
    assert 5 + bad_at not in valid.index
    assert len(valid) == len(frame) - 1
    assert [(p.row, p.column) for p in problems] == [(5 + bad_at, header)]


def test_parsed_values_and_vietnamese_headers():
    frame = pd.DataFrame({"Mã hộ": ["HD-1"], "Mã dự án": ["CT_HNCL"], "Bồi thường (đồng)": ["1.250.000"],
                          "Hỗ trợ (đồng)": [0], "Tái định cư (đồng)": [None], "Số quyết định": ["12/QĐ-UBND"],
                          "Ngày quyết định": ["05/03/2026"], "Ngày có hiệu lực": ["04/03/2026"]}, index=[7])
    valid, problems = validate_plans(frame)
    assert valid.empty
    assert [(p.row, p.column) for p in problems] == [(7, "Tái định cư (đồng)"), (7, "Ngày có hiệu lực")]
    assert "không được trước ngày quyết định" in problems[1].message_vi
    frame.loc[7, ["Tái định cư (đồng)", "Ngày có hiệu lực"]] = [0, "06/03/2026"]
    valid, problems = validate_plans(frame)
    assert problems == []
    assert valid.loc[7, "compensation_vnd"] == 1_250_000 and valid.loc[7, "effective_date"] == date(2026, 3, 6)
    assert valid.loc[7, "resettlement_entitlement"] == "none"


def test_a_missing_required_column_is_named():
    valid, problems = validate_lots(pd.DataFrame({"area_id": ["K1"]}))
    assert valid.empty and {p.column for p in problems} == {"Số lô", "Diện tích (m²)", "Giá đất (đồng)", "Trạng thái"}


def test_choice_cells_accept_codes_and_words_and_name_the_choices_otherwise():
    rows = pd.DataFrame([{"household_id": "H1", "project_id": "P1", "payment_date": "01/02/2026", "amount_vnd": 10,
                          "part": part, "receipt_number": "PC1"} for part in ("hỗ trợ", "RESETTLEMENT", "thưởng")])
    valid, problems = validate_payments(rows)
    assert list(valid["part"]) == ["support", "resettlement"]
    assert "«Bồi thường», «Hỗ trợ», «Tái định cư»" in problems[0].message_vi


def test_excel_phone_numbers_keep_their_leading_zero():
    valid, problems = validate_households(pd.DataFrame([{"household_id": "H1", "name": "A", "commune": "X",
                                                          "phone": 912345678.0, "id_number": 12345678901.0}]))
    assert [p.column for p in problems] == ["Số CCCD"]  # 11 digits once Excel dropped the leading zero
    valid, _ = validate_households(pd.DataFrame([{"household_id": "H1", "name": "A", "commune": "X",
                                                  "phone": 912345678.0, "id_number": "020 123 456 789"}]))
    assert valid.iloc[0]["phone"] == "0912345678" and valid.iloc[0]["id_number"] == "020123456789"
