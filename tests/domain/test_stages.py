import pytest

from domain import stages
from parsing.stages import parse_event_code
from vocab import labels


def test_stage_order_matches_the_clearance_process():
    assert stages.STAGES[0] == "not_started"
    assert stages.STAGES[-1] == "handed_over"
    assert stages.stage_rank("approved") < stages.stage_rank("paid") < stages.stage_rank("handed_over")


def test_every_code_has_a_vietnamese_label_and_stages_have_colours():
    for code in stages.EVENT_CODES:
        assert labels.EVENT_LABELS_VI[code]
    assert set(labels.STAGE_COLOURS) == set(stages.STAGES)


@pytest.mark.parametrize(
    "text, code",
    [
        ("Bàn giao mặt bằng", "handed_over"),
        ("ban giao mat bang", "handed_over"),
        ("BÀN GIAO", "handed_over"),
        ("HANDED_OVER", "handed_over"),
        ("Niêm yết phương án", "plan_posted"),
        ("kiem dem bat buoc", "compulsory_inventory"),
        ("Khiếu nại", "complaint"),
        ("  Chi   trả ", "paid"),
        ("Thông báo thu hồi đất", "notice"),
    ],
)
def test_parse_event_code_accepts_codes_and_labels(text, code):
    assert parse_event_code(text) == code


@pytest.mark.parametrize("text", ["", "xong", "not_started", "bàn giao một nửa"])
def test_parse_event_code_rejects_unknown_values_in_vietnamese(text):
    with pytest.raises(ValueError, match="Giá trị giai đoạn không hợp lệ"):
        parse_event_code(text)


def test_stage_rank_rejects_unknown():
    with pytest.raises(ValueError):
        stages.stage_rank("done")
