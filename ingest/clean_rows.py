"""The checks of :mod:`ingest.validate` done column by column for the rows that pass them (issue 13).

Most rows of a large field-count file are parcel rows with nothing wrong. :func:`clean_parcel_rows`
finds them with whole-column operations — the cells already parsed once per distinct value
(:mod:`parsing.columns`), the parcel keys matched in one :func:`pandas.merge`, dates compared as
arrays — and gives their parsed values as columns. Every other row (a blank or unreadable cell, an
unknown or ambiguous parcel, a date out of range, a chainage-range or aggregate row…) is left to the
one-row checks of :mod:`ingest.row_checks`, which build its Vietnamese messages: messages are made
only for bad rows, by the same code as before.

A row is *clean* here exactly when the one-row checks (everything but the file-order checks: repeats
within the file, stages going backwards) would record no problem on it, and its values are the ones
they would give; ``tests/ingest/test_clean_rows.py`` checks this against
``tests/ingest/validate_reference.validate_row_by_row`` (hypothesis). :func:`ordered_keys` then tells which
parcels of clean rows still need the file-order checks row by row; for the others those checks
provably find nothing (see its docstring).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from domain.stages import STAGE_RANK
from ingest.headers import UNIT_FACTORS
from ingest.lookups import Lookups, project_key
from ingest.row_checks import AREA_TOLERANCE_M2, WHOLE_NUMBER_FIELDS
from parsing.columns import map_distinct
from parsing.numbers import AmbiguousNumberError

#: Number fields in the order :meth:`ingest.row_checks.RowCheck.scaled` reads them.
AREA_FIELDS = ("area_m2", "area_ha")
AMOUNT_FIELDS = ("amount_vnd", "amount_million_vnd", "amount_thousand_vnd")


@dataclass
class ParsedColumns:
    """One file's cells column by column.

    ``rows``: Excel row number of each position; ``cells[name]``: the cells, blanks as None;
    ``parsed[name]``: for the fields :mod:`ingest.validate` parses column by column, each cell's value
    or the ValueError its one-cell parser raises (blanks included: they are never read); ``decimal`` the
    file's number convention (:func:`ingest.validate._decimal_convention`); ``filled[name]`` (optional) the
    boolean array of the cells that are not blank.
    """

    names: list[str]
    rows: list[int]
    cells: dict[str, list]
    parsed: dict[str, list]
    decimal: str | None = None
    filled: dict[str, np.ndarray] | None = None

    def cell_column(self, name: str) -> list:
        """The cells of ``name`` (all None when the file has no such column)."""
        return self.cells[name] if name in self.cells else [None] * len(self.rows)


@dataclass
class CleanRows:
    """Clean parcel rows (positions in the file, ascending) and their parsed values, aligned with ``positions``.

    ``area_m2`` in m², ``amount_vnd`` in đồng (units converted as :data:`ingest.headers.UNIT_FACTORS`),
    None when blank; ``households`` int or None; ``event_date`` ``datetime.date``.
    """

    positions: np.ndarray
    project_id: list
    parcel_id: list
    event: list
    event_date: list
    area_m2: list
    amount_vnd: list
    households: list
    is_correction: list

    def __len__(self) -> int:
        return len(self.positions)


def _present(cols: ParsedColumns, name: str) -> np.ndarray:
    if cols.filled is not None and name in cols.filled:
        return cols.filled[name]
    return np.fromiter((c is not None for c in cols.cell_column(name)), dtype=bool, count=len(cols.rows))


def _parsed_ok(cols: ParsedColumns, name: str) -> np.ndarray:
    """True where the column's one-cell parser did not raise (the field parsed column by column)."""
    values = cols.parsed.get(name)
    if values is None:
        return np.ones(len(cols.rows), dtype=bool)
    return np.fromiter((not isinstance(v, ValueError) for v in values), dtype=bool, count=len(values))


def _numbers(cols: ParsedColumns, name: str, integer: bool) -> tuple[np.ndarray, list]:
    """``(ok, values)`` of a number field as :meth:`ingest.row_checks.RowCheck.number` reads it: ok is
    False where it would record a problem (unreadable, ambiguous outside money in đồng, negative); the
    value None where the cell is blank."""
    cells = cols.cell_column(name)
    parsed = cols.parsed.get(name, [None] * len(cells))
    whole = not integer and name in WHOLE_NUMBER_FIELDS

    def read(x):
        if isinstance(x, AmbiguousNumberError) and whole:
            x = max(x.readings.values())
        if isinstance(x, ValueError) or x < 0:
            return False, None
        return True, x

    ok = np.ones(len(cells), dtype=bool)
    values: list = [None] * len(cells)
    memo: dict[int, tuple[bool, Any]] = {}   # parsed values are shared per distinct cell: read each once
    for i, (cell, x) in enumerate(zip(cells, parsed)):
        if cell is None:
            continue
        got = memo.get(id(x))
        if got is None:
            got = memo[id(x)] = read(x)
        ok[i], values[i] = got
    return ok, values


def _scaled(cols: ParsedColumns, fields: Sequence[str]) -> tuple[np.ndarray, list]:
    """``(ok, values)`` of :meth:`ingest.row_checks.RowCheck.scaled`: every field checked, the first filled one kept."""
    ok = np.ones(len(cols.rows), dtype=bool)
    out: list = [None] * len(cols.rows)
    for fld in fields:
        if fld not in cols.cells:
            continue
        fld_ok, values = _numbers(cols, fld, integer=False)
        ok &= fld_ok
        factor = UNIT_FACTORS[fld][1] if fld in UNIT_FACTORS else None
        out = [o if o is not None or v is None else (v * factor if factor is not None else v)
               for o, v in zip(out, values)]
    return ok, out


def _projects(cols: ParsedColumns, lk: Lookups) -> list:
    """:func:`ingest.row_checks.project_of` of each row without its messages: id, None (blank) or False (unknown)."""
    return map_distinct(cols.cell_column("project"),
                        lambda t: None if t is None else lk.project_keys.get(project_key(t), False))


def _parcel_index(lk: Lookups) -> pd.DataFrame:
    """The parcels of ``lk.parcels`` as a frame (one row per indexed parcel, duplicates kept); ``limit`` the
    area to recover as a float, None when missing (read once per parcel, not once per row)."""
    rows = [(fk, sheet, number, m["parcel_id"], m["project_id"], _limit(m.get("area_to_recover_m2")))
            for (fk, sheet, number), found in lk.parcels.items() for m in found]
    return pd.DataFrame(rows, columns=["fk", "sheet", "number", "parcel_id", "parcel_project", "limit"])


def _limit(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _candidates(communes: Sequence[str], lk: Lookups) -> pd.DataFrame:
    """Former communes each typed commune name is searched in: ``(commune, fk, group)``, group 0 first."""
    rows = []
    for text in communes:
        first, then, _ = lk.communes.resolve(text)
        rows += [(text, fk, 0) for fk in first] + [(text, fk, 1) for fk in then]
    return pd.DataFrame(rows, columns=["commune", "fk", "group"])


def _match(frame: pd.DataFrame, lk: Lookups) -> pd.DataFrame:
    """For rows ``pos, commune, sheet, number, project`` the one parcel found, as
    :func:`ingest.row_checks._matching_parcels` finds it (the first group of former communes with any
    parcel of this key, filtered by the project when given); rows with none or several are left out."""
    cand = _candidates(frame["commune"].unique().tolist(), lk)
    index = _parcel_index(lk)
    if cand.empty or index.empty:
        return frame.iloc[:0].assign(parcel_id=[], parcel_project=[], limit=[])
    index["sheet"] = index["sheet"].astype("int64")
    hits = frame.merge(cand, on="commune").merge(index, on=["fk", "sheet", "number"])
    given = hits["project"].notna()
    hits = hits[~given | (hits["project"] == hits["parcel_project"])]
    hits = hits[hits["group"] == hits.groupby("pos")["group"].transform("min")]
    counts = hits.groupby("pos")["pos"].transform("size")
    return hits[counts == 1]


def clean_parcel_rows(cols: ParsedColumns, lk: Lookups, *, today, project_starts: dict, formula_rows: dict,
                      header_problem: str) -> CleanRows:
    """The parcel rows on which the one-row checks record no problem, with their values (module docstring).

    Parameters
    ----------
    cols
        The file's cells and parsed cells (:class:`ParsedColumns`).
    lk
        The look-ups of :func:`ingest.lookups.build_lookups`.
    today, project_starts, formula_rows, header_problem
        As in :class:`ingest.validate.FileChecks`.

    Returns
    -------
    CleanRows
        Empty when the file lacks a required column (every row then carries that problem).
    """
    n = len(cols.rows)
    if header_problem or n == 0:
        return _empty()
    ok = np.fromiter((not formula_rows.get(r) for r in cols.rows), dtype=bool, count=n)
    for name in ("event", "event_date", "map_sheet", "parcel_number", "commune"):
        ok &= _present(cols, name)
    for name in ("event", "event_date", "parcel_number", "is_correction"):
        ok &= _parsed_ok(cols, name)
    area_ok, area = _scaled(cols, AREA_FIELDS)
    amount_ok, amount = _scaled(cols, AMOUNT_FIELDS)
    households_ok, households = _numbers(cols, "households", integer=True)
    sheet_ok, sheets = _numbers(cols, "map_sheet", integer=True)
    projects = _projects(cols, lk)
    ok &= area_ok & amount_ok & households_ok & sheet_ok
    ok &= np.fromiter((p is not False for p in projects), dtype=bool, count=n)
    pos = np.flatnonzero(ok)
    frame = pd.DataFrame({
        "pos": pos, "commune": [str(cols.cells["commune"][i]) for i in pos],
        "sheet": np.array([sheets[i] for i in pos], dtype="int64"),
        "number": [cols.parsed["parcel_number"][i] for i in pos],
        "project": pd.Series([projects[i] for i in pos], dtype=object),
    })
    found = _match(frame, lk)
    return _dated(cols, found, area, amount, households, projects, today, project_starts)


def _dated(cols: ParsedColumns, found: pd.DataFrame, area: list, amount: list, households: list,
           projects: list, today, project_starts: dict) -> CleanRows:
    """The found rows whose area fits the parcel and whose date is neither future nor before the project's start."""
    pos = found["pos"].to_numpy()
    order = np.argsort(pos, kind="stable")
    pos = pos[order]
    parcel_id = found["parcel_id"].to_numpy(dtype=object)[order].tolist()
    parcel_project = found["parcel_project"].to_numpy(dtype=object)[order].tolist()
    limits = found["limit"].to_numpy(dtype=object)[order].tolist()
    dates = [cols.parsed["event_date"][i] for i in pos]
    project_id = [projects[i] or pp for i, pp in zip(pos, parcel_project)]
    areas = [area[i] for i in pos]
    keep = np.fromiter((
        not (a is not None and lim is not None and a > lim + AREA_TOLERANCE_M2)
        and not d > today
        and not (pid and project_starts.get(pid) is not None and d < project_starts[pid])
        for a, lim, d, pid in zip(areas, limits, dates, project_id)), dtype=bool, count=len(pos))
    flags = cols.parsed.get("is_correction")
    kept = np.flatnonzero(keep)
    at = pos[kept]
    return CleanRows(
        positions=at,
        project_id=[project_id[k] for k in kept], parcel_id=[parcel_id[k] for k in kept],
        event=[cols.parsed["event"][i] for i in at], event_date=[dates[k] for k in kept],
        area_m2=[areas[k] for k in kept], amount_vnd=[amount[i] for i in at],
        households=[households[i] for i in at],
        is_correction=[bool(flags[i]) if flags is not None and cols.cells["is_correction"][i] is not None else False
                       for i in at],
    )


def _empty() -> CleanRows:
    return CleanRows(np.zeros(0, dtype="int64"), [], [], [], [], [], [], [], [])


def ordered_keys(clean: CleanRows, stages: dict) -> set:
    """Parcels of clean rows that still need the file-order checks row by row (repeats, stage order).

    For any other parcel those checks find nothing, by induction over the file's rows: its rows
    repeat no (event, date); its stage rows are not corrections and their ranks never fall in file
    order; its ledger events (``stages``: :attr:`ingest.history.LedgerHistory.stages`) hold no
    correction and no rank above a row's own at that row's date. Then the stage at each row's date
    (the maximum of the ledger's and the earlier rows' ranks up to that date) is at most the row's
    rank, so no row goes back and each joins the history valid.

    Parameters
    ----------
    clean
        :func:`clean_parcel_rows`.
    stages
        Ledger stage events per key, ``(day, order, rank, is_correction)``.

    Returns
    -------
    set of str
        ``parcel_id`` values.
    """
    if not len(clean):
        return set()
    rank = np.array([STAGE_RANK.get(e, 0) for e in clean.event], dtype="int64")   # 0: a flag, no stage
    frame = pd.DataFrame({"key": clean.parcel_id, "event": clean.event, "day": clean.event_date,
                          "rank": rank, "corr": clean.is_correction})
    stage = frame["rank"] > 0
    repeated = frame.duplicated(["key", "event", "day"], keep=False)
    corrected = stage & frame["corr"]
    staged = frame[stage]
    falling = staged.groupby("key", sort=False)["rank"].diff() < 0
    out = set(frame.loc[repeated | corrected, "key"]) | set(staged.loc[falling, "key"])
    return out | _above_ledger(staged, stages)


def _above_ledger(staged: pd.DataFrame, stages: dict) -> set:
    """Keys whose ledger holds a correction, or a rank above a row's at that row's date."""
    keys = [k for k in staged["key"].unique().tolist() if stages.get(k)]
    if not keys:
        return set()
    out = {k for k in keys if any(e[3] for e in stages[k])}
    ledger = pd.DataFrame([(k, e[0].toordinal(), e[2]) for k in keys if k not in out for e in stages[k]],
                          columns=["key", "day", "ledger_rank"])
    if ledger.empty:
        return out
    ledger = ledger.sort_values("day", kind="stable")
    ledger["ledger_rank"] = ledger.groupby("key")["ledger_rank"].cummax()
    rows = staged[staged["key"].isin(set(ledger["key"]))].assign(day=lambda f: [d.toordinal() for d in f["day"]])
    rows = pd.merge_asof(rows.sort_values("day", kind="stable"), ledger, on="day", by="key", direction="backward")
    return out | set(rows.loc[rows["ledger_rank"] > rows["rank"], "key"])
