"""Every people-side code has one Vietnamese word, and the reverse lookup reads labels back to codes."""
from __future__ import annotations

import pytest

from vocab.format import MISSING
from vocab.people import PEOPLE_TABLES, code_for_label, people_label


@pytest.mark.parametrize("table", sorted(PEOPLE_TABLES))
def test_every_code_has_one_distinct_label(table):
    codes, labels = PEOPLE_TABLES[table]
    assert set(labels) == set(codes)
    assert len(set(labels.values())) == len(codes)


@pytest.mark.parametrize("table", sorted(PEOPLE_TABLES))
def test_labels_read_back_to_their_codes(table):
    codes, labels = PEOPLE_TABLES[table]
    lookup = code_for_label(table)
    assert all(lookup[labels[c]] == c and lookup[c] == c for c in codes)


def test_people_label_words_missing_and_unknown():
    assert people_label("complaint_kind", "denunciation") == "Tố cáo"
    assert people_label("complaint_status", None) == MISSING
    assert people_label("lot_status", "mystery") == "mystery"

