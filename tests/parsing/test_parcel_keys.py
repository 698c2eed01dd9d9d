"""The one parcel-number rule (parsing.parcel_keys): canonical text keys, their numeric order, and the same
key from a register cell, a field-count cell and a cadastral attribute."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.tables import PARCEL_KEY_PATTERN
from ingest.parcel_tokens import parse_parcel_cell
from parsing.parcel_keys import parcel_key, parcel_key_cells, parcel_rank, parcel_sort_key, try_parcel_key

numbers = st.integers(min_value=1, max_value=99_999)
letters = st.sampled_from(["", *"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"])
parts = st.one_of(st.none(), st.integers(min_value=1, max_value=99))


@st.composite
def written_keys(draw):
    """A parcel number as people write it: leading zeros, either case, spaces around letter and hyphen."""
    number, letter, part = draw(numbers), draw(letters), draw(parts)
    zeros = "0" * draw(st.integers(0, 2))
    gap = " " * draw(st.integers(0, 1))
    text = f"{zeros}{number}{gap}{letter}" + (f"{gap}-{gap}{part}" if part is not None else "")
    pad = " " * draw(st.integers(0, 2))
    return pad + text + pad, (number, letter.upper(), part or 0)


@pytest.mark.parametrize(("written", "key"), [
    ("263a", "263A"), ("263A", "263A"), ("389b-2", "389B-2"), (" 389 B - 2 ", "389B-2"), ("0012", "12"),
    ("12", "12"), (12, "12"), (12.0, "12"), ("12.0", "12"), ("635b", "635B"),
])
def test_written_forms_give_the_canonical_key(written, key):
    assert parcel_key(written) == key


@pytest.mark.parametrize("bad", ["", "  ", None, float("nan"), 0, "0", -3, 12.5, "12,5", "A1", "263AB", "17 175",
                                 "17+175", "389B-0", True, "=1+1"])
def test_what_is_not_a_parcel_number_is_refused_in_vietnamese(bad):
    with pytest.raises(ValueError, match="số thửa"):
        parcel_key(bad)
    assert try_parcel_key(bad) is None


@given(written_keys())
def test_normalising_is_idempotent_and_canonical(case):
    written, (number, letter, part) = case
    key = parcel_key(written)
    assert parcel_key(key) == key
    assert re.fullmatch(PARCEL_KEY_PATTERN, key)
    assert parcel_sort_key(written) == parcel_sort_key(key) == (number, letter, part)


@given(st.lists(written_keys(), min_size=1, max_size=30))
def test_sort_key_orders_by_number_then_suffix_then_part(cases):
    keys = [parcel_key(w) for w, _ in cases]
    ordered = sorted(keys, key=parcel_sort_key)
    assert [parcel_sort_key(k) for k in ordered] == sorted(t for _, t in cases)
    ranks = parcel_rank(pd.Series(keys, dtype=object))
    assert [keys[i] for i in ranks.argsort(kind="stable")] == ordered


def test_numeric_not_lexical_order():
    keys = ["389B-2", "263A", "175", "263", "17", "263B", "9"]
    assert sorted(keys, key=parcel_sort_key) == ["9", "17", "175", "263", "263A", "263B", "389B-2"]
    ranks = parcel_rank(pd.Series(["175", None, "17A", "x", 17], dtype=object))
    assert ranks.tolist() == [2, 4, 1, 3, 0]  # 17 < 17A < 175, then text, then missing


@given(written_keys())
def test_register_field_count_and_cadastre_forms_are_equal(case):
    written, (number, letter, part) = case
    # a register cell naming two parcels (there " - " separates parcels, so the part is written 389b-2)
    register = parse_parcel_cell(re.sub(r"\s*-\s*", "-", written) + f"+{number + 1}")[0]
    field_count = parcel_key_cells([written])[0]                 # a column of a field-count sheet
    cadastre = parcel_key(number) if not letter and not part else parcel_key(written.upper())
    assert register == field_count == cadastre


def test_column_parsing_gives_the_one_cell_results():
    cells = ["263a", 12, "bad", "263a", None]
    out = parcel_key_cells(cells)
    assert out[:2] == ["263A", "12"] and out[3] == "263A"
    assert isinstance(out[2], ValueError) and "«bad»" in str(out[2])
    assert isinstance(out[4], ValueError)
