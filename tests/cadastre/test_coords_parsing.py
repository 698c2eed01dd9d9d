"""The converter reads the numbers of a pasted line as one line (issue 8): ``2.421.100 450.800`` is X = 2 421 100 m,
Y = 450 800 m, through the library, the batch and the CLI."""
from __future__ import annotations

import json

import pytest

import cli
from cadastre.coords import convert_text_rows, parse_angle, parse_coordinate_pair, parse_grid_pair, resolve_crs


def _cli_json(capsys, *coords):
    code = cli.main(["transform", "--from", "Lạng Sơn", "--to", "4326", *coords, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_cli_dotted_line_gives_the_same_point_as_plain_digits(capsys):
    code_dotted, dotted, _ = _cli_json(capsys, "2.421.100", "450.800")
    code_plain, plain, _ = _cli_json(capsys, "2421100", "450800")
    assert code_dotted == code_plain == 0
    p, q = dotted["points"][0], plain["points"][0]
    assert (p["in_a"], p["in_b"]) == (2421100.0, 450800.0)
    assert (p["out_a"], p["out_b"]) == (q["out_a"], q["out_b"])
    assert 21 < p["out_a"] < 23 and 106 < p["out_b"] < 108  # Lạng Sơn, not near 102°E


def test_cli_reports_a_line_that_cannot_decide(capsys):
    code, doc, _ = _cli_json(capsys, "2421100", "450.800")
    assert code == 1
    error = doc["points"][0]["error"]
    assert error.startswith("Dòng 1: Y:") and "«450.800»" in error and "không rõ" in error


@pytest.mark.parametrize("a, b, x, y", [
    ("2.421.100", "450.800", 2421100.0, 450800.0), ("2.421.100,5", "450.800", 2421100.5, 450800.0),
    ("2,421,100.5", "450,800", 2421100.5, 450800.0), ("2421100,5", "450800", 2421100.5, 450800.0),
    ("2 421 100", "450 800", 2421100.0, 450800.0), ("2421100.25", "450800.5", 2421100.25, 450800.5),
])
def test_grid_pair_is_read_as_one_line(a, b, x, y):
    assert parse_grid_pair(a, b) == (x, y)
    assert parse_coordinate_pair(a, b, resolve_crs(9215)) == (x, y)


def test_grid_pair_names_the_axis_in_trouble():
    with pytest.raises(ValueError, match=r"^X: .*«2\.421\.100\.5»"):
        parse_grid_pair("2.421.100.5", "450800")


def test_batch_lines_decide_each_on_their_own():
    rows = convert_text_rows(["M1 2.421.100 450.800", "M2\t2421100\t450.800", "M3;2,421,100.0;450.800"],
                             resolve_crs(9215), resolve_crs(9215))
    assert (rows[0]["in_a"], rows[0]["in_b"]) == (2421100.0, 450800.0) and rows[0]["error"] is None
    assert rows[1]["error"].startswith("Dòng 2: Y:")
    assert rows[2]["in_b"] == pytest.approx(450.8) and rows[2]["error"] is None  # the line says English


@pytest.mark.parametrize("text, value", [("21.803", 21.803), ("106.766", 106.766), ("21°48′12.946″", 21.803596)])
def test_angles_read_a_lone_separator_as_decimal(text, value):
    assert parse_angle(text) == pytest.approx(value, abs=1e-6)
