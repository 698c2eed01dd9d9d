"""The resettlement lottery (bốc thăm giao đất tái định cư): a reproducible, verifiable draw.

The draw is a pure function of (eligible households, lots, seed):

1. Both lists are put in canonical form (trimmed NFC text, sorted by class then id) and hashed:
   ``eligible_sha256`` and ``lots_sha256`` are SHA-256 of their canonical JSON (UTF-8, keys sorted, no
   spaces), ``inputs_sha256`` is SHA-256 of the two hashes joined by ``:``. These are read out at the
   meeting and written in the minutes before the draw.
2. The seed is the text agreed at the meeting (e.g. the numbers drawn from a box), trimmed and NFC.
   ``draw_key = SHA-256(seed + "\\x1f" + inputs_sha256)``.
3. In each class, lots are ordered by ``SHA-256(draw_key + "\\x1f" + class + "\\x1f" + lot_id)`` (a
   permutation anyone can recompute with a SHA-256 tool), households by id; the i-th household gets the
   i-th lot. Lots beyond the number of households of the class stay unallocated.
4. ``draw_sha256`` is SHA-256 of the canonical JSON of inputs hash, seed and assignments: recording it
   with the inputs lets a later step refuse a silent redraw (a redraw is a new event with a reason:
   :func:`require_redraw_reason`).

Every eligible household gets exactly one lot of its entitlement class and no lot goes twice; a class
with fewer lots than households is refused (:class:`LotteryError`, naming the class and both counts).
The legal frame: the provincial People's Committee's rules on allocating resettlement land by lottery
(Land Law 2024 art. 111; Decree 88/2024 art. 25).
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

from domain.errors import GpmbError
from parsing.text import is_blank

#: Columns of the eligible-households frame (extra columns are ignored by the draw).
ELIGIBLE_COLUMNS: tuple[str, ...] = ("household_id", "entitlement_class")
#: Columns of the lots frame (extra columns, e.g. ``lot_number``, ``area_m2``, are ignored by the draw).
LOT_COLUMNS: tuple[str, ...] = ("lot_id", "lot_class")

_SEP = "\x1f"


class LotteryError(GpmbError):
    """A draw that cannot be made as asked (Vietnamese message naming the class, household or lot)."""


@dataclass(frozen=True)
class Assignment:
    """One result line: the household, the lot it drew and the class of both."""

    household_id: str
    lot_id: str
    lot_class: str


@dataclass(frozen=True)
class LotteryResult:
    """The recorded outcome of a draw: enough to print the minutes, store it and verify it later."""

    seed: str
    eligible_sha256: str
    lots_sha256: str
    inputs_sha256: str
    draw_sha256: str
    assignments: tuple[Assignment, ...]
    unallocated_lots: tuple[str, ...]
    households: int
    lots: int

    def to_dict(self) -> dict:
        """JSON-ready form (CLI ``--json``, the store's record of the draw)."""
        out = asdict(self)
        out["assignments"] = [asdict(a) for a in self.assignments]
        out["unallocated_lots"] = list(self.unallocated_lots)
        return out

    def assignments_frame(self) -> pd.DataFrame:
        """Columns ``household_id``, ``lot_id``, ``lot_class``, one row per household, in draw order."""
        return pd.DataFrame([asdict(a) for a in self.assignments], columns=["household_id", "lot_id", "lot_class"])


def sha256_text(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_json(value: object) -> str:
    """The canonical JSON of ``value``: keys sorted, no spaces, non-ASCII kept (UTF-8)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _clean(value: object) -> str:
    return unicodedata.normalize("NFC", str(value)).strip()


def _canonical_pairs(frame: pd.DataFrame, id_col: str, class_col: str, what: str) -> list[tuple[str, str]]:
    missing = [c for c in (id_col, class_col) if c not in frame.columns]
    if missing:
        raise LotteryError(f"Danh sách {what} thiếu cột: {', '.join(missing)}.")
    pairs: list[tuple[str, str]] = []
    for row, (ident, klass) in enumerate(zip(frame[id_col], frame[class_col], strict=True), start=1):
        if is_blank(ident) or is_blank(klass):
            raise LotteryError(f"Danh sách {what}, dòng {row}: thiếu mã hoặc loại (cột {id_col}, {class_col}).")
        pairs.append((_clean(ident), _clean(klass)))
    seen: set[str] = set()
    for ident, _ in pairs:
        if ident in seen:
            raise LotteryError(f"Danh sách {what}: mã «{ident}» xuất hiện hơn một lần.")
        seen.add(ident)
    return sorted(pairs, key=lambda p: (p[1], p[0]))


def canonical_eligible(eligible: pd.DataFrame) -> list[tuple[str, str]]:
    """``(household_id, entitlement_class)`` pairs, trimmed NFC text, sorted by class then id.

    Raises
    ------
    LotteryError
        A column is missing, a cell is blank, or a household appears twice.
    """
    return _canonical_pairs(eligible, "household_id", "entitlement_class", "hộ đủ điều kiện")


def canonical_lots(lots: pd.DataFrame) -> list[tuple[str, str]]:
    """``(lot_id, lot_class)`` pairs, trimmed NFC text, sorted by class then id (raises as above)."""
    return _canonical_pairs(lots, "lot_id", "lot_class", "lô tái định cư")


def input_hashes(eligible: pd.DataFrame, lots: pd.DataFrame) -> tuple[str, str, str]:
    """``(eligible_sha256, lots_sha256, inputs_sha256)`` of the canonical lists (module docstring, step 1)."""
    eligible_hash = sha256_text(canonical_json([list(p) for p in canonical_eligible(eligible)]))
    lots_hash = sha256_text(canonical_json([list(p) for p in canonical_lots(lots)]))
    return eligible_hash, lots_hash, sha256_text(f"{eligible_hash}:{lots_hash}")


def _check_counts(households: dict[str, list[str]], lots: dict[str, list[str]]) -> None:
    short = [(k, len(h), len(lots.get(k, []))) for k, h in sorted(households.items())
             if len(h) > len(lots.get(k, []))]
    if short:
        detail = "; ".join(f"loại «{k}»: {n} hộ nhưng chỉ có {m} lô" for k, n, m in short)
        raise LotteryError(f"Không đủ lô tái định cư để bốc thăm: {detail}. "
                           "Cần bổ sung lô hoặc xem lại tiêu chuẩn tái định cư trước khi bốc thăm.")


def _by_class(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for ident, klass in pairs:
        groups.setdefault(klass, []).append(ident)
    return groups


def draw_lots(eligible: pd.DataFrame, lots: pd.DataFrame, seed: str) -> LotteryResult:
    """Draw one lot of its class for every eligible household (module docstring, steps 1–4).

    Parameters
    ----------
    eligible : DataFrame
        ``household_id`` (str), ``entitlement_class`` (str: the lot class the approved plan entitles the
        household to). Households without an entitlement are left out by the caller.
    lots : DataFrame
        ``lot_id`` (str), ``lot_class`` (str): the lots open to this draw (status ``available``).
    seed : str
        The text agreed at the meeting; not blank.

    Returns
    -------
    LotteryResult
        Assignments ordered by class then household id; ``unallocated_lots`` in lot-id order.

    Raises
    ------
    LotteryError
        Blank seed, a missing column, a blank or repeated id, or a class with fewer lots than households.
    """
    seed = _clean(seed)
    if not seed:
        raise LotteryError("Chưa có chuỗi hạt giống (seed) thống nhất tại buổi bốc thăm.")
    households = _by_class(canonical_eligible(eligible))
    lots_by_class = _by_class(canonical_lots(lots))
    _check_counts(households, lots_by_class)
    eligible_hash, lots_hash, inputs_hash = input_hashes(eligible, lots)
    draw_key = sha256_text(f"{seed}{_SEP}{inputs_hash}")
    assignments: list[Assignment] = []
    unallocated: list[str] = []
    for klass in sorted(lots_by_class):
        order = sorted(lots_by_class[klass], key=lambda lot, k=klass: sha256_text(f"{draw_key}{_SEP}{k}{_SEP}{lot}"))
        drawing = households.get(klass, [])
        assignments += [Assignment(h, lot, klass) for h, lot in zip(drawing, order, strict=False)]
        unallocated += order[len(drawing):]
    draw_hash = sha256_text(canonical_json({
        "inputs_sha256": inputs_hash, "seed": seed,
        "assignments": [[a.household_id, a.lot_id] for a in assignments]}))
    return LotteryResult(seed=seed, eligible_sha256=eligible_hash, lots_sha256=lots_hash,
                         inputs_sha256=inputs_hash, draw_sha256=draw_hash, assignments=tuple(assignments),
                         unallocated_lots=tuple(sorted(unallocated)),
                         households=sum(len(h) for h in households.values()),
                         lots=sum(len(v) for v in lots_by_class.values()))


def verify_draw(result: LotteryResult, eligible: pd.DataFrame, lots: pd.DataFrame) -> bool:
    """True when drawing again from ``eligible``, ``lots`` and ``result.seed`` gives ``result`` exactly."""
    return draw_lots(eligible, lots, result.seed) == result


def require_redraw_reason(previous_draw_sha256: str | None, reason: str | None) -> None:
    """Refuse a silent redraw: once a draw is committed for an area, a new one needs a stated reason.

    Raises
    ------
    LotteryError
        ``previous_draw_sha256`` is set and ``reason`` is blank.
    """
    if previous_draw_sha256 and (reason is None or not reason.strip()):
        raise LotteryError(f"Khu tái định cư này đã có kết quả bốc thăm (mã kiểm tra {previous_draw_sha256[:12]}…). "
                           "Bốc thăm lại là một lần bốc thăm mới và phải ghi rõ lý do.")
