"""Progress of exports (issue 13): the print map reports page n/N once per page, the Excel report its step;
the same callback, no Streamlit (the dashboard's status box and the CLI's stderr line draw it)."""
from __future__ import annotations

import io

from pypdf import PdfReader

from exports import export
from exports.options import ExportOptions
from exports.printmap import render_print_map
from vocab.labels import progress_text


def test_the_print_map_reports_each_page_once_in_order(snap, fake_store):
    calls: list[tuple[int, int]] = []
    pdf = render_print_map(snap, fake_store, ExportOptions(), "pdf", progress=lambda i, n: calls.append((i, n)))
    n_pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert n_pages > 1 and calls == [(i, n_pages) for i in range(1, n_pages + 1)]
    assert pdf == render_print_map(snap, fake_store, ExportOptions(), "pdf")  # the callback changes nothing


def test_export_names_the_steps_for_the_views(snap, fake_store):
    steps: list[tuple[str, int, int]] = []
    result = export("pdf", snap, fake_store, ExportOptions(pages="overview"), progress=lambda *a: steps.append(a))
    assert steps == [("pdf_page", 0, 1)] and len(PdfReader(io.BytesIO(result.data)).pages) == 1
    assert progress_text(*steps[0]) == "Vẽ trang PDF 1/1…"
    steps.clear()
    export("xlsx", snap, fake_store, ExportOptions(), progress=lambda *a: steps.append(a))
    assert steps == [("excel", 0, 1)] and progress_text(*steps[0]) == "[1/1] Lập tệp Excel…"
