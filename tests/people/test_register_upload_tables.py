"""What the page «Nhập sổ hộ dân, đơn thư» shows, without Streamlit: the mapping table and back, the branch-step
rule of the matrix, the matrix template read back by the matrix reader, the kind labels."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from domain.people import IMPORT_KINDS
from domain.stages import STAGES
from exports.matrix_template import DEFAULT_STEPS, matrix_template_xlsx
from exports.register_import_tables import (
    MAPPING_COLUMNS_VI,
    NO_TARGET_VI,
    imports_frame,
    mapping_choices,
    mapping_frame,
    mapping_from_frame,
    revertable_labels,
    summary_figures,
    target_label,
)
from ingest.read import IngestError
from ingest.register_matrix import read_register_matrix
from ingest.step_stages import check_branch_steps, is_branch_step, propose_step_mapping
from tests.people.matrix_builder import STEPS, build_matrix
from vocab.people import IMPORT_KIND_LABELS_VI

TODAY = date(2025, 12, 31)


@pytest.fixture(scope="module")
def report():
    data, _ = build_matrix(40)
    return read_register_matrix(data, today=TODAY), data


class _Result:
    """The fields of a RegisterImportResult the tables read."""

    def __init__(self, report):
        self.mapping, self.kind = dict(report.mapping), "matrix"
        self.procedure = report.procedure.rename(columns={"code": "step_code"})


def test_every_choice_round_trips_and_none_is_blank():
    choices = mapping_choices()
    assert set(choices.values()) == {*STAGES[1:], "flag:enforced", "flag:compulsory_inventory", None}
    assert all(target_label(t) == label for label, t in choices.items())
    assert len(set(choices)) == len(choices)  # one label per target


def test_the_mapping_table_reads_back_the_mapping_and_its_edits(report):
    result = _Result(report[0])
    frame = mapping_frame(result)
    assert list(frame.columns) == list(MAPPING_COLUMNS_VI)
    assert list(frame["Mã bước"]) == [code for code, _, _ in STEPS]
    assert mapping_from_frame(frame) == result.mapping
    assert list(frame["Đề xuất theo tên bước"]) == list(frame["Ánh xạ"])  # no profile: the proposal is used
    edited = frame.copy()
    edited.loc[edited["Mã bước"] == "C003", "Ánh xạ"] = target_label("plan_posted")
    edited.loc[edited["Mã bước"] == "C007", "Ánh xạ"] = None
    assert mapping_from_frame(edited) == {**result.mapping, "C003": "plan_posted", "C007": None}
    edited.loc[0, "Ánh xạ"] = "finished"
    with pytest.raises(ValueError, match="C001"):
        mapping_from_frame(edited)


def test_a_branch_step_mapped_to_a_main_stage_is_refused(report):
    data = report[1]
    assert is_branch_step("Tổ chức cưỡng chế thu hồi đất") and not is_branch_step("Biên bản bàn giao mặt bằng")
    with pytest.raises(IngestError, match=r"C010.*nhánh cưỡng chế"):
        read_register_matrix(data, today=TODAY, mapping={"C010": "handed_over"})
    with pytest.raises(IngestError, match="C009"):
        read_register_matrix(data, today=TODAY, mapping={"C009": "inventory"})
    assert read_register_matrix(data, today=TODAY, mapping={"C010": None}).mapping["C010"] is None
    names = {code: name for code, name, _ in STEPS}
    assert check_branch_steps({"C008": "handed_over", "C010": "flag:enforced"}, names) == []


def test_the_matrix_template_reads_back_with_its_steps_mapped():
    read = read_register_matrix(matrix_template_xlsx(), today=TODAY)
    assert read.rows == 0 and read.problems == []
    assert list(read.procedure["code"]) == [s[0] for s in DEFAULT_STEPS]
    expected = propose_step_mapping({code: name for code, name, *_ in DEFAULT_STEPS})
    assert read.mapping == expected
    assert set(expected.values()) >= {*STAGES[1:], "flag:enforced", "flag:compulsory_inventory"}


def test_summary_figures_and_imports_list():
    class R:
        kind, rows, rows_valid, households, parcel_tokens, parcels_distinct = "matrix", 5, 4, 3, 6, 5
        area_m2_total, parcels_matched, events, procedure_steps, amount_vnd_total = 1234.5, 2, 7, 9, 0.0

    figures = dict(summary_figures(R()))
    assert figures["Dòng có lỗi"] == "1" and figures["Số thửa (ghi / khác nhau)"] == "6 / 5"
    assert figures["Diện tích"] == "1.234,5 m²" and figures["Sự kiện tiến độ"] == "7"
    imports = pd.DataFrame({"upload_id": [2, 3, 5], "register": ["households", "households", "complaints"],
                            "kind": ["households", "matrix", "unknown"], "project_id": ["QL4B"] * 3,
                            "rows_added": [1, 2, 1], "rows_changed": [0, 0, 0], "events_added": [0, 4, 0],
                            "uploaded_at": pd.to_datetime(["2024-05-01T00:00:00Z", "2024-06-01T17:30:00Z",
                                                           "2024-06-02T01:00:00Z"]),
                            "uploaded_by": ["a", "a", "b"], "file_name": ["h.csv", "x.xlsx", "d.csv"],
                            "reverted": [False, True, False]})
    shown = imports_frame(imports)
    # the label is the import kind, not the register: a matrix recorded in the households register is a matrix
    assert list(shown["Lần tải"]) == [5, 3, 2]
    assert list(shown["Sổ"]) == ["Không rõ", "Bảng theo dõi hộ × bước thủ tục", "Danh sách hộ"]
    assert list(shown["Thời điểm (giờ VN)"]) == ["02/06/2024 08:00", "02/06/2024 00:30", "01/05/2024 07:00"]
    assert list(shown["Trạng thái"]) == ["Đang dùng", "Đã hoàn tác", "Đang dùng"]
    assert revertable_labels(imports) == {5: "Lần 5 – Không rõ – d.csv", 2: "Lần 2 – Danh sách hộ – h.csv"}


def test_every_import_kind_has_a_label():
    assert set(IMPORT_KIND_LABELS_VI) == set(IMPORT_KINDS)
    assert len(set(IMPORT_KIND_LABELS_VI.values())) == len(IMPORT_KINDS)
    assert NO_TARGET_VI not in IMPORT_KIND_LABELS_VI.values()
