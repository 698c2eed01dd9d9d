"""The label tables cover every code of domain/ and of the risk flags; one wording per code."""
from pathlib import Path

import pytest

from domain.milestones import METRICS, STATUSES
from domain.stages import EVENT_CODES, FLAGS, STAGES
from milestones.risk import RISK_CODES
from vocab import labels
from vocab.format import MISSING


def test_every_stage_flag_and_event_has_a_label_and_a_colour():
    assert set(labels.STAGE_LABELS_VI) == set(STAGES)
    assert set(labels.STAGE_COLOURS) == set(STAGES)
    assert set(labels.FLAG_LABELS_VI) == set(FLAGS)
    assert set(labels.EVENT_LABELS_VI) == set(EVENT_CODES)
    assert all(labels.EVENT_LABELS_VI[c].strip() for c in EVENT_CODES)


def test_every_milestone_status_and_metric_has_a_label():
    assert set(labels.MILESTONE_STATUS_LABELS_VI) == set(STATUSES)
    assert set(labels.MILESTONE_STATUS_COLOURS) == set(STATUSES)
    assert set(labels.METRIC_LABELS_VI) == set(METRICS)
    assert set(labels.METRIC_SHORT_LABELS_VI) == set(METRICS)
    assert labels.metric_label("percent_households_paid", short=True) == "Số hộ đã chi trả"


def test_every_risk_code_has_one_label_in_vocab():
    missing = [c for c in RISK_CODES if c not in labels.RISK_FLAG_LABELS_VI]
    assert missing == []
    # One wording: the same text wherever a stuck flag is shown (CLI, dashboard, Excel).
    assert labels.risk_flag_label("stuck_inventory") == "Tồn đọng ở bước Kiểm đếm quá thời hạn"
    assert labels.risk_flag_label("stuck_plan_posted") == "Tồn đọng ở bước Niêm yết phương án quá thời hạn"
    labels_of_codes = [labels.risk_flag_label(c) for c in RISK_CODES]
    assert len(set(labels_of_codes)) == len(RISK_CODES)  # two codes never read alike


def test_unknown_codes_show_as_given():
    assert labels.risk_flag_label("new_flag") == "new_flag"
    assert labels.stage_label("cleared") == "cleared"
    assert labels.stage_label(None) == MISSING
    assert labels.status_label(float("nan")) == MISSING


def test_land_use_codes_of_the_demo_data_have_names():
    import pyogrio

    parcels = pyogrio.read_dataframe(Path(__file__).parents[2] / "data" / "sources" / "parcels.gpkg", columns=["land_use"], read_geometry=False)
    codes = set(parcels["land_use"].dropna().astype(str))
    assert codes, "the demo parcels carry land-use codes"
    assert sorted(codes - set(labels.LAND_USE_LABELS_VI)) == []
    assert labels.land_use_label("LUC") == "LUC – Đất chuyên trồng lúa"


@pytest.mark.parametrize("flags, expected", [
    (["complaint_open", "stuck_paid"], "Khiếu nại chưa giải quyết; Tồn đọng ở bước Chi trả quá thời hạn"),
    ("enforced;milestone_at_risk", "Cưỡng chế thu hồi đất; Thuộc nhóm thửa quyết định mốc chậm hoặc có nguy cơ chậm"),
    (None, ""), (float("nan"), ""), ([], ""),
])
def test_risk_flags_text(flags, expected):
    assert labels.risk_flags_text(flags) == expected
