"""The Vietnamese drop zone of the dashboard's uploaders (dashboard.uploader): its hint and its CSS."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.uploader import BUTTON_VI, drop_zone_hint, scoped_css
from ingest.read import MAX_FILE_BYTES


def test_the_hint_names_the_reader_limit_and_the_kinds():
    assert drop_zone_hint(["csv", ".xlsx"], MAX_FILE_BYTES) == "Kéo thả tệp vào đây · tối đa 50 MB một tệp · CSV, XLSX"
    assert drop_zone_hint(["shp"], 250 * 1024 * 1024, multiple=True, kinds="Shapefile, ZIP") == (
        "Kéo thả các tệp vào đây · tối đa 250 MB một tệp · Shapefile, ZIP")


def test_the_css_is_scoped_to_its_uploader_and_carries_both_texts():
    css = scoped_css("upload_file_3", "Kéo thả tệp vào đây")
    rules = [line for line in css.splitlines() if "{" in line]
    assert len(rules) == 4 and all(line.startswith(".st-key-upload_file_3 ") for line in rules)
    assert 'content: "Kéo thả tệp vào đây"' in css and f'content: "{BUTTON_VI}"' in css


@given(st.text(min_size=1, max_size=20))
def test_a_key_or_hint_that_could_break_out_of_the_css_is_refused(text):
    bad_key = not all(c.isascii() and (c.isalnum() or c in "_-") for c in text)
    bad_hint = any(c in text for c in '"\\<>')
    if bad_key:
        with pytest.raises(ValueError):
            scoped_css(text, "gợi ý")
    else:
        assert f".st-key-{text} " in scoped_css(text, "gợi ý")
    if bad_hint:
        with pytest.raises(ValueError):
            scoped_css("k", text)
    else:
        assert text in scoped_css("k", text)
