"""Payment refusals (mời nhận tiền lần 1/2/3, gửi tiền tạm giữ, Land Law 2024 art. 94(5)) and the investor's
fund transfers, on both backends: imported from their CSV templates, read back into the people figures (the
deposit stops the lateness clock, funds needed vs transferred), the page/Excel tables, idempotence, revert,
the commune officer's scope, and a refusal for a household without a plan rejected by row and column."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from domain.roles import PermissionDeniedError
from exports.people_tables import fund_records, people_sheets, refusal_records
from ingest.register_import import import_register
from milestones.people import people_figures
from tests.support.actors import make_account

PROJECT, COMMUNE = "QL4B", "Phường Kỳ Lừa"
SHA_A, SHA_B = "a" * 64, "b" * 64
PART_VND = {"compensation_vnd": 100_000_000.0, "support_vnd": 20_000_000.0, "resettlement_vnd": 0.0}
APPROVED_VND = sum(PART_VND.values())
EFFECTIVE = date(2024, 3, 1)  # deadline 31/03/2024 (30 days)

REFUSALS_CSV = ("Mã hộ;Mã dự án;Bước;Ngày;Số văn bản\n"
                "HD-2;QL4B;Mời nhận tiền lần 1;05/03/2024;GM-01\n"
                "HD-2;QL4B;invited_2;12/03/2024;GM-02\n"
                "HD-2;QL4B;Mời nhận tiền lần 3;19/03/2024;GM-03\n"
                "HD-2;QL4B;Gửi tiền vào tài khoản tạm giữ tại Kho bạc;10/04/2024;KB-77\n"
                "HD-3;QL4B;Mời nhận tiền lần 1;25/03/2024;GM-04\n")
TRANSFERS_CSV = ("Mã dự án;Ngày chuyển;Số tiền (đồng);Số chứng từ\n"
                 "QL4B;20/02/2024;200000000;UNC-01\n"
                 "QL4B;01/04/2024;50000000;UNC-02\n")


def _seed_plans(store, actor) -> None:
    ids = ["HD-1", "HD-2", "HD-3"]
    homes = pd.DataFrame({"household_id": ids, "project_id": PROJECT, "name": ["A", "B", "C"], "commune": COMMUNE})
    store.commit_register("households", homes, actor=actor, file_name="ho.csv", file_sha256=SHA_A, rows_read=3)
    plans = pd.DataFrame([{"household_id": h, "project_id": PROJECT, **PART_VND, "decision_number": "QĐ-1",
                           "decision_date": date(2024, 2, 25), "effective_date": EFFECTIVE} for h in ids])
    store.commit_register("plans", plans, actor=actor, file_name="pa.csv", file_sha256=SHA_A, rows_read=3)
    paid = pd.DataFrame([{"household_id": "HD-1", "project_id": PROJECT, "payment_date": date(2024, 3, 20),
                          "amount_vnd": APPROVED_VND, "part": "compensation", "receipt_number": "PC-1"}])
    store.commit_register("payments", paid, actor=actor, file_name="ct.csv", file_sha256=SHA_A, rows_read=1)


def _import(store, actor, kind: str, text: str, **kw):
    return import_register(text.encode("utf-8-sig"), store, kind=kind, project_id=PROJECT, actor=actor,
                           file_name=f"{kind}.csv", today=date(2024, 6, 1), **kw)


@pytest.fixture
def loaded(store, actor):
    _seed_plans(store, actor)
    for kind, text in (("refusals", REFUSALS_CSV), ("transfers", TRANSFERS_CSV)):
        result = _import(store, actor, kind, text)
        assert result.status == "committed", (result.message_vi, result.problems)
    return store


def test_deposit_stops_the_clock_and_funds_fall_short(loaded):
    figures = people_figures(loaded, date(2024, 5, 1), rules={})
    status = figures.payments.set_index("household_id")
    assert status.loc["HD-1", "days_late"] == 0 and status.loc["HD-1", "paid"]
    assert status.loc["HD-2", "days_late"] == (date(2024, 4, 10) - date(2024, 3, 31)).days  # stopped by the deposit
    assert status.loc["HD-2", "refusal_step"] == "deposited"
    assert status.loc["HD-3", "days_late"] == (date(2024, 5, 1) - date(2024, 3, 31)).days  # still running
    assert list(figures.refusals["household_id"]) == ["HD-2", "HD-3"]  # furthest step first
    cards = figures.cards(PROJECT)
    assert (cards["households_refusing"], cards["households_deposited"]) == (2, 1)
    funds = figures.funds.set_index("project_id").loc[PROJECT]
    assert funds["amount_needed_vnd"] == 3 * APPROVED_VND
    assert funds["amount_transferred_vnd"] == 250_000_000.0
    assert funds["shortfall_vnd"] == 3 * APPROVED_VND - 250_000_000.0


def test_figures_follow_the_as_of_date(loaded):
    figures = people_figures(loaded, date(2024, 3, 15), rules={})
    steps = figures.refusals.set_index("household_id")["refusal_step"].to_dict()
    assert steps == {"HD-2": "invited_2"}  # HD-3 not invited yet, the deposit still ahead
    assert figures.funds.set_index("project_id").loc[PROJECT, "amount_transferred_vnd"] == 200_000_000.0


def test_page_and_excel_tables(loaded):
    figures = people_figures(loaded, date(2024, 5, 1), rules={})
    names = {PROJECT: "Quốc lộ 4B"}
    refusals = refusal_records(figures, names)
    assert [r["refusal_step"] for r in refusals] == ["Gửi tiền vào tài khoản tạm giữ tại Kho bạc", "Mời nhận tiền lần 1"]
    assert refusals[0]["deposited_on"] == date(2024, 4, 10) and refusals[0]["project"] == "Quốc lộ 4B"
    assert fund_records(figures, names)[0]["shortfall_vnd"] == 3 * APPROVED_VND - 250_000_000.0
    sheets = {sheet: records for sheet, _title, _cols, records, _empty in people_sheets(figures, names)}
    assert len(sheets["Mời nhận tiền"]) == 2 and len(sheets["Kinh phí"]) == 1
    assert all("name" not in r for r in sheets["Mời nhận tiền"])  # no personal data in the report


def test_reimport_adds_nothing_and_revert_takes_the_transfers_out(loaded, actor):
    again = _import(loaded, actor, "transfers", TRANSFERS_CSV)
    assert again.status == "nothing_new"
    upload_id = loaded.register_imports().query("register == 'transfers'")["upload_id"].iloc[-1]
    loaded.revert_upload(int(upload_id), actor=actor, reason="nhập nhầm tệp")
    funds = people_figures(loaded, date(2024, 5, 1), rules={}).funds.set_index("project_id").loc[PROJECT]
    assert funds["amount_transferred_vnd"] == 0.0 and funds["shortfall_vnd"] == 3 * APPROVED_VND


def test_refusal_of_a_household_without_a_plan_is_rejected(store, actor):
    _seed_plans(store, actor)
    bad = REFUSALS_CSV + "HD-9;QL4B;Mời nhận tiền lần 1;25/03/2024;GM-09\nHD-1;QL4B;lần 4;25/03/2024;GM-10\n"
    result = _import(store, actor, "refusals", bad)
    assert result.status == "rejected"
    assert {(p.row, p.column) for p in result.problems} == {(7, "Mã hộ"), (8, "Bước")}
    assert store.register("refusals").empty


def test_commune_officer_records_refusals_but_not_the_investors_funds(store, actor):
    _seed_plans(store, actor)
    officer = make_account(store, "can_bo_xa", "commune_officer", (COMMUNE,))
    assert _import(store, officer, "refusals", REFUSALS_CSV, commune=COMMUNE).status == "committed"
    with pytest.raises(PermissionDeniedError):
        _import(store, officer, "transfers", TRANSFERS_CSV, commune=COMMUNE)
    assert store.register("transfers").empty


def test_a_0013_store_gains_the_new_registers_on_open(store, actor, store_url):
    """A store of the previous release (0013, registers without refusals, transfers, procedure plan and
    household stages) reopened: 0014 adds the three tables and the two columns and keeps the rows recorded."""
    from sqlalchemy import inspect

    from store import open_store, schema
    from store.engine import read_connection, write_transaction
    from tests.support.migrations import rewind

    _seed_plans(store, actor)
    with write_transaction(store.engine) as conn:
        rewind(conn, "0013")
    with read_connection(store.engine) as conn:
        assert not {"payment_refusals", "fund_transfers", "procedure_steps"} & set(inspect(conn).get_table_names())
        assert "stage" not in {c["name"] for c in inspect(conn).get_columns("households")}
    store.close()
    reopened = open_store(store_url)
    try:
        with reopened.engine.connect() as conn:
            assert schema.current_revision(conn) == schema.HEAD_REVISION
        assert len(reopened.register("plans")) == 3
        homes = reopened.register("households")
        assert len(homes) == 3 and homes["stage"].isna().all()
        assert _import(reopened, actor, "transfers", TRANSFERS_CSV).status == "committed"
        assert len(reopened.register("transfers")) == 2
    finally:
        reopened.close()


def test_the_matrix_steps_sheet_is_stored_as_the_procedure_plan(store, actor):
    """The steps sheet travels with the matrix import (same upload): stored per project and step, shown with the
    steps behind plan, not recorded twice, taken out by a revert; a commune officer's import leaves it out."""
    from tests.people.matrix_builder import STEPS, build_matrix

    data, _ = build_matrix(30)
    result = import_register(data, store, kind="matrix", project_id=PROJECT, actor=actor, file_name="bang.xlsx",
                             today=date(2025, 12, 1))
    assert result.status == "committed" and result.procedure_steps == len(STEPS)
    plan = store.register("procedure", project_id=PROJECT).set_index("step_code")
    assert list(plan.index) == [code for code, _, _ in STEPS]
    sheet = result.procedure.set_index("step_code")      # what the reader gave: stored as read
    for column in ("name", "lead_body", "min_days", "planned_date", "actual_date"):
        assert plan[column].tolist() == sheet[column].tolist(), column
    assert plan.at["C005", "stage"] == "approved" and plan.at["C010", "stage"] == "flag:enforced"
    assert pd.isna(plan.at["C003", "stage"])

    as_of = date(2025, 12, 1)
    figures = people_figures(store, as_of, rules={}).procedure.set_index("step_code")
    planned, actual = plan["planned_date"], plan["actual_date"]
    for code in plan.index:
        done = actual[code] is not None and not pd.isna(actual[code]) and actual[code] <= as_of
        late = not done and planned[code] is not None and not pd.isna(planned[code]) and planned[code] < as_of
        assert bool(figures.at[code, "overdue"]) == late, code
        if late:
            assert figures.at[code, "days_behind"] == (as_of - planned[code]).days
    sheets = {s: r for s, _t, _c, r, _e in people_sheets(people_figures(store, as_of, rules={}), {})}
    assert [r["step_code"] for r in sheets["Kế hoạch thủ tục"]] == [code for code, _, _ in STEPS]

    again = import_register(data, store, kind="matrix", project_id=PROJECT, actor=actor, file_name="bang.xlsx",
                            today=date(2025, 12, 1))
    assert again.status == "nothing_new"
    store.revert_upload(result.upload_id, actor=actor, reason="nhập nhầm")
    assert store.register("procedure").empty

    officer = make_account(store, "can_bo_xa", "commune_officer", (COMMUNE,))
    mine = import_register(data, store, kind="matrix", project_id=PROJECT, actor=officer, commune=COMMUNE,
                           file_name="bang.xlsx", today=date(2025, 12, 1))
    assert mine.status == "committed" and any("danh sách bước" in n for n in mine.notes)
    assert store.register("procedure").empty
