"""Arguments, store handling and report printing shared by the geo import commands.

``import-parcels``, ``import-boundary``, ``import-alignment`` and ``add-project`` read vector files
(shp/zip/gpkg/geojson/kml/kmz/dgn/dxf) in a coordinate system given by the file, by ``--crs`` or by the
project's province (VN-2000 TM-3 zone), check them, and write one layer of the store unless
``--dry-run``. This module holds what they have in common: the arguments, the ``--crs`` parsing, opening
and closing the store, turning a :class:`cadastre.importer.CadastreImportError` into exit code 1 with a
Vietnamese message (as JSON with ``--json``), and printing the report as JSON or text. A store that
cannot be opened raises :class:`store.errors.StoreUnavailableError`, which ``cli.py`` reports. Its name starts with ``_`` so ``cli.py`` does
not load it as a subcommand.

Exit codes (the CLI contract): 0 written (or checked, with ``--dry-run``), 1 refused or failed,
2 bad arguments.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from commands._common import add_database_url_argument
from domain.errors import UsageError

FORMATS = "shp/zip/gpkg/geojson/kml/kmz/dgn/dxf"
CRS_HELP = "hệ tọa độ cho tệp không có .prj: mã EPSG (9215) hoặc tên tỉnh (Lạng Sơn)"


def add_layer_arguments(parser: argparse.ArgumentParser, what: str, *, sliver: bool = False) -> None:
    """The arguments of a command that replaces one layer of one project.

    ``FILE [FILE …]`` (``what`` names the layer), ``--project ID`` (required), ``--crs`` and, when
    ``sliver``, ``--sliver-m2``.
    """
    add_files_argument(parser, what)
    add_project_argument(parser)
    add_crs_argument(parser)
    if sliver:
        add_sliver_argument(parser)


def add_files_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """The positional ``FILE [FILE …]`` (one or more files of one layer); ``what`` names the layer."""
    parser.add_argument("files", nargs="+", metavar="FILE", help=f"{what} ({FORMATS})")


def add_project_argument(parser: argparse.ArgumentParser, help_text: str = "mã dự án, ví dụ QL4B") -> None:
    """``--project ID`` (required): the project whose layer is replaced."""
    parser.add_argument("--project", required=True, help=help_text)


def add_crs_argument(parser: argparse.ArgumentParser) -> None:
    """``--crs``: EPSG code or province name for files without a ``.prj`` (see :func:`parse_epsg`)."""
    parser.add_argument("--crs", help=CRS_HELP)


def add_sliver_argument(parser: argparse.ArgumentParser) -> None:
    """``--sliver-m2`` (m², default 1,0): a parcel whose part inside the clearance boundary is smaller
    is a sliver, reported and not imported (:func:`cadastre.geometry.clip_to_boundary`)."""
    parser.add_argument("--sliver-m2", type=float, default=1.0, help="ngưỡng mảnh vụn (m², mặc định 1,0)")


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """``--dry-run``, ``--json``, ``--as USER`` (needed to write; the store checks the role and audits)
    and ``--database-url``, the same for every import command."""
    from commands._auth import add_as_argument

    add_as_argument(parser)
    parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo, không ghi")
    parser.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
    add_database_url_argument(parser)


def parse_epsg(crs: str | None) -> int | None:
    """The EPSG code of ``--crs`` (``"9215"``, ``"Lạng Sơn"``, ``"UTM48"`` …); ``None`` when not given.

    Raises
    ------
    ValueError
        With a Vietnamese message when the text names no known coordinate system
        (:func:`cadastre.coords.resolve_crs`).
    """
    if not crs:
        return None
    from cadastre.coords import resolve_crs

    return resolve_crs(crs).to_epsg()


def usage_error(exc: Exception) -> UsageError:
    """The :class:`domain.errors.UsageError` ``Lỗi tham số: …`` for a bad argument (exit code 2); raise it
    ``from exc``."""
    return UsageError(f"Lỗi tham số: {exc}")


def print_json(document: Any) -> None:
    """Print a report as indented UTF-8 JSON (dates and other values through ``str``)."""
    print(json.dumps(document, ensure_ascii=False, indent=1, default=str))


def run_on_store(args: argparse.Namespace, work: Callable[[Any], tuple[dict, int]],
                 print_text: Callable[[dict], None], failure: str = "Không nhập được") -> int:
    """Open the store of ``args.database_url``, run ``work(store)``, close the store, print the report.

    Parameters
    ----------
    args
        The parsed arguments; uses ``database_url`` and ``json``.
    work
        ``work(store) -> (report, status)``: reads and checks the files and, unless ``--dry-run``,
        writes the layer; raises :class:`cadastre.importer.CadastreImportError` to refuse.
    print_text
        Prints the report for a person (Vietnamese) when ``--json`` is not given.
    failure
        Start of the message when ``work`` refuses (``Không nhập được``, ``Không tạo được dự án``).

    Returns
    -------
    int
        ``status`` of ``work``; 1 when ``work`` refuses (``failure: reason`` on stderr, or
        ``{"error": …}`` on stdout with ``--json``; nothing was written).

    Raises
    ------
    store.errors.StoreUnavailableError
        When the store cannot be opened (``cli.py`` prints its message, exit code 1).
    """
    from cadastre.importer import CadastreImportError
    from store import open_store

    store = open_store(args.database_url)
    try:
        report, status = work(store)
    except CadastreImportError as exc:
        if args.json:
            print_json({"error": str(exc)})
        else:
            print(f"{failure}: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if args.json:
        print_json(report)
    else:
        print_text(report)
    return status


def print_crs_and_warnings(report: dict) -> None:
    """Print the coordinate system chosen for each file and the warnings of ``report``."""
    for crs in report.get("crs", []):
        print(f"Hệ tọa độ {crs['file']}: EPSG:{crs['epsg']} – {crs['reason']}")
    for warning in report.get("warnings", []):
        print(f"Cảnh báo: {warning}")
