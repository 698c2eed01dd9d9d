"""The register ↔ map match of a cadastral import as Vietnamese tables and files (the import page's view of
what ``python cli.py import-parcels`` prints, :func:`cadastre.register_match.format_register_match`).

Input: the dict of :func:`cadastre.register_match.register_match` (``register_parcels``, ``register_area_m2``,
``matched``, ``ambiguous``, ``register_only``, ``map_only``, ``matched_area_to_recover_m2``). Words come from
``vocab.people`` (``REGISTER_MATCH_LIST_LABELS_VI``, ``REGISTER_MATCH_FIGURE_LABELS_VI``); the keys are the
register's and the map's own parcel numbers, kept as text (the page shows them in tables, never as markdown;
the files go through :mod:`exports.table_files`, which neutralises formula-like text).
"""
from __future__ import annotations

import pandas as pd

from exports.table_files import csv_bytes, xlsx_bytes
from vocab.format import fmt_number
from vocab.people import REGISTER_MATCH_FIGURE_LABELS_VI, REGISTER_MATCH_LIST_LABELS_VI

#: The lists of a match, in report order.
MATCH_LISTS: tuple[str, ...] = tuple(REGISTER_MATCH_LIST_LABELS_VI)

#: Header of the parcel-number column of the lists.
KEY_HEADER = "Số thửa"
#: Header of the list-name column of the file with every list.
LIST_HEADER = "Nhóm"


def match_figures(match: dict) -> list[tuple[str, str]]:
    """(label, value as text) of the match, for the page's metrics: the register's parcels and area, the size of
    each list, the matched parcels' area to recover (m²)."""
    figures = [(REGISTER_MATCH_FIGURE_LABELS_VI["register_parcels"], fmt_number(match["register_parcels"])),
               (REGISTER_MATCH_FIGURE_LABELS_VI["register_area_m2"], fmt_number(match["register_area_m2"], 1))]
    figures += [(REGISTER_MATCH_LIST_LABELS_VI[name], fmt_number(len(match[name]))) for name in MATCH_LISTS]
    figures.append((REGISTER_MATCH_FIGURE_LABELS_VI["matched_area_to_recover_m2"],
                    fmt_number(match["matched_area_to_recover_m2"], 1)))
    return figures


def match_list(match: dict, name: str, limit: int | None = None) -> pd.DataFrame:
    """One list (``matched`` | ``ambiguous`` | ``register_only`` | ``map_only``) as a one-column table
    (:data:`KEY_HEADER`, text), its first ``limit`` rows when given.

    Raises
    ------
    KeyError
        If ``name`` is not a list of the match.
    """
    if name not in MATCH_LISTS:
        raise KeyError(name)
    keys = [str(k) for k in match[name]]
    return pd.DataFrame({KEY_HEADER: pd.Series(keys[:limit] if limit is not None else keys, dtype=object)})


def match_table(match: dict) -> pd.DataFrame:
    """Every list in one table: :data:`LIST_HEADER` (the list's Vietnamese name) and :data:`KEY_HEADER`."""
    rows = [(REGISTER_MATCH_LIST_LABELS_VI[name], str(key)) for name in MATCH_LISTS for key in match[name]]
    return pd.DataFrame(rows, columns=[LIST_HEADER, KEY_HEADER], dtype=object)


def match_csv(match: dict) -> bytes:
    """:func:`match_table` as the Vietnamese CSV (UTF-8 BOM, ``;``; :func:`exports.table_files.csv_bytes`)."""
    return csv_bytes(match_table(match))


def match_xlsx(match: dict, *, title: str | None = None) -> bytes:
    """:func:`match_table` as XLSX, one sheet ``Đối chiếu sổ hộ`` (:func:`exports.table_files.xlsx_bytes`)."""
    return xlsx_bytes(match_table(match), sheet_name="Đối chiếu sổ hộ", title=title)


def match_next_step(match: dict) -> str | None:
    """What to do after committing a map that matched register parcels (the CLI's last line), None otherwise."""
    if not match["matched"]:
        return None
    return (f"{fmt_number(len(match['matched']))} thửa trong sổ hộ đã khớp bản đồ: nhập lại bảng hộ × bước "
            "(python cli.py import-register) để ghi tiến độ của các thửa đã khớp.")
