"""Meeting exports: offline HTML map, print map (PDF/PNG), Excel progress report.

Every export is a function of a :class:`milestones.snapshot.Snapshot` (the figures at an as-of date),
the store (map layers) and :class:`ExportOptions`; the CLI (``python cli.py export``) and the
dashboard page "Xuất báo cáo" both call :func:`export`, so their files agree.

>>> result = export("xlsx", snapshot, store, ExportOptions(paper="A3"))  # doctest: +SKIP
>>> result.file_name, len(result.data)                                  # doctest: +SKIP
('gpmb_bao-cao_2024-06-30_u1.xlsx', 187654)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from exports.options import FORMATS, ExportOptions
from exports.provenance import data_version_of

if TYPE_CHECKING:
    from domain.progress import Progress
    from milestones.snapshot import Snapshot
    from store.protocol import LayerReader


__all__ = ["FORMATS", "ExportOptions", "ExportResult", "export", "file_name_for"]


@dataclass(frozen=True)
class ExportResult:
    """A finished export file: ``data`` (bytes), ``file_name`` (suggested), ``mime`` type."""

    data: bytes
    file_name: str
    mime: str


def file_name_for(fmt: str, snapshot, options: ExportOptions) -> str:
    """Suggested file name: ``gpmb_<kind>_<as-of ISO>[_<project>][_<paper>-<orientation>]_u<upload>[_ca-nhan].<ext>``.

    The as-of date and the data version are in the name so two files from different data never share one.
    """
    kind = {"html": "ban-do", "pdf": "ban-do-in", "png": "ban-do-in", "xlsx": "bao-cao", "docx": "bao-cao-quy",
            "gpkg": "lop-tien-do"}[fmt]
    parts = ["gpmb", kind, snapshot.as_of.isoformat()]
    if options.project_id:
        parts.append(options.project_id)
    if fmt in ("pdf", "png"):
        parts.append(f"{options.paper}-{'ngang' if options.orientation == 'landscape' else 'doc'}")
    parts.append(data_version_of(snapshot).slug())
    if options.include_personal_data and fmt in ("xlsx", "gpkg"):
        parts.append("ca-nhan")
    return "_".join(parts) + f".{fmt}"


def export(fmt: str, snapshot: Snapshot, store: LayerReader, options: ExportOptions | None = None,
           progress: Progress | None = None) -> ExportResult:
    """Make one export file.

    Parameters
    ----------
    fmt : {"html", "pdf", "png", "xlsx", "docx", "gpkg"}
        Offline interactive map, print map (multi-page PDF or one PNG), Excel report, the quarterly
        report as an editable Word document (:mod:`exports.report_docx`; all projects, ``options`` unused),
        or a GeoPackage of the parcels and their status for QGIS (:mod:`exports.gpkg`).
    snapshot : milestones.snapshot.Snapshot
        From ``compute_snapshot(store, as_of)``.
    store : store object
        ``store.open_store()``: map layers (projects, centrelines, communes, roads); the ledger for ``docx``.
    options : ExportOptions, optional
        Project, paper, orientation, personal data (see :class:`ExportOptions`).
    progress : callable, optional
        :data:`domain.progress.Progress`: step ``pdf_page`` once per page of a PDF/PNG (``done`` = pages
        drawn before it), step ``excel`` for an Excel report.

    Returns
    -------
    ExportResult

    Raises
    ------
    ValueError
        Unknown format or project, nothing to draw (Vietnamese messages).
    """
    options = options or ExportOptions()
    if fmt not in FORMATS:
        raise ValueError(f"Định dạng không hợp lệ: {fmt!r}; cho phép: {', '.join(FORMATS)}")
    if fmt == "html":
        from exports.html import export_html

        data = export_html(snapshot, store, options).encode("utf-8")
    elif fmt in ("pdf", "png"):
        from exports.printmap import render_print_map

        pages = None if progress is None else (lambda page_no, n_pages: progress("pdf_page", page_no - 1, n_pages))
        data = render_print_map(snapshot, store, options, fmt, progress=pages)
    elif fmt == "gpkg":
        from exports.gpkg import export_gpkg

        data = export_gpkg(snapshot, store, options)
    elif fmt == "docx":
        from exports.report_docx import report_docx

        data = report_docx(snapshot, store.events())
    else:
        from exports.excel import export_xlsx

        if progress is not None:
            progress("excel", 0, 1)
        data = export_xlsx(snapshot, store, options)
    return ExportResult(data=data, file_name=file_name_for(fmt, snapshot, options), mime=FORMATS[fmt])
