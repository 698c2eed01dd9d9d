"""Register templates: headers of the validators, drop-down lists of the Vietnamese words, CSV header line."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from exports.register_templates import register_template_csv, register_template_xlsx
from ingest.register_rows import REGISTERS, validate_register
from vocab.people import PEOPLE_TABLES


@pytest.mark.parametrize("register", sorted(REGISTERS))
def test_xlsx_template_headers_and_drop_downs(register):
    wb = openpyxl.load_workbook(io.BytesIO(register_template_xlsx(register)))
    sheet, lists = wb.worksheets[0], wb["Danh mục"]
    fields = REGISTERS[register]
    assert [c.value.removesuffix(" *") for c in sheet[1]] == [f.header_vi for f in fields]
    assert [c.value.endswith(" *") for c in sheet[1]] == [f.required for f in fields]
    sources = {next(iter(dv.sqref.ranges)).min_col: dv.formula1 for dv in sheet.data_validations.dataValidation
               if dv.type == "list"}
    for col, f in enumerate(fields, start=1):
        if f.choices:
            letter = sources[col].split("!")[1].split(":")[0].replace("$", "")[0]
            words = [c.value for c in lists[letter][1:] if c.value is not None]
            assert words == list(PEOPLE_TABLES[f.choices][1].values())
        else:
            assert col not in sources


@pytest.mark.parametrize("register", sorted(REGISTERS))
def test_csv_template_is_the_header_line_the_validator_reads(register):
    frame = pd.read_csv(io.BytesIO(register_template_csv(register)), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(frame.columns) == [f.header_vi for f in REGISTERS[register]]
    valid, problems = validate_register(register, frame)
    assert valid.empty and problems == []
