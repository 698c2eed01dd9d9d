"""Look-up tables built from the parcels and projects: communes (former and 2025), parcel keys, projects.

The cadastral sheets are numbered per former (pre-1/7/2025) commune, so a parcel is found by former
commune + sheet + parcel number; a user may name the former commune or the 2025 unit
(see :meth:`Communes.resolve`).
"""
from __future__ import annotations

import difflib
import functools
import math
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from parsing.columns import map_distinct
from parsing.parcel_keys import parcel_sort_key, try_parcel_key
from parsing.text import fold_key, fold_vi

#: Unit words written before a commune name (folded) → normalised unit.
_COMMUNE_PREFIXES = (("thi tran ", "thitran"), ("phuong ", "phuong"), ("xa ", "xa"), ("tt. ", "thitran"),
                     ("tt ", "thitran"), ("p. ", "phuong"), ("x. ", "xa"))


@functools.lru_cache(maxsize=4096)
def split_commune(name: str) -> tuple[str, str]:
    """``"Thị trấn Cao Lộc"`` → ``("thitran", "caoloc")``; ``"hop thanh"`` → ``("", "hopthanh")``.

    The unit word (``Xã``, ``Phường``, ``Thị trấn``/``TT``) is kept apart: ``Xã Cao Lộc`` (a 2025
    commune) and ``Thị trấn Cao Lộc`` (a former town, now in phường Kỳ Lừa) are different units.
    """
    folded = fold_vi(name).replace("_", " ")
    unit = ""
    for prefix, normal in _COMMUNE_PREFIXES:
        if folded.startswith(prefix):
            folded, unit = folded[len(prefix):], normal
            break
    return unit, fold_key(folded)


def commune_key(name: object) -> str:
    """Folded commune name without its unit word: ``"Xã Hợp Thành"``, ``"hop thanh"`` → ``"hopthanh"``."""
    return split_commune(str(name))[1]


def full_commune_key(name: object) -> str:
    unit, bare = split_commune(str(name))
    return f"{unit}|{bare}"


@functools.lru_cache(maxsize=4096)
def _project_key_text(text: str) -> str:
    return fold_key(text)


def project_key(text: object) -> str:
    """Folded project id/name, letters and digits only (:func:`parsing.text.fold_key`):
    ``"Cao tốc Hữu Nghị – Chi Lăng"`` → ``"caotochuunghichilang"``."""
    return _project_key_text(str(text))


@dataclass
class Communes:
    """Former (pre-1/7/2025) communes and 2025 units found in the parcels table.

    Former communes are keyed by their full key (``"xa|hopthanh"``): the cadastral sheets are
    numbered per former commune.
    """

    former_names: dict[str, str] = field(default_factory=dict)  # former full key → display name
    formers_by_bare: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    current_names: dict[str, str] = field(default_factory=dict)  # 2025 full key → display name
    currents_by_bare: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    formers_of_current: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _resolved: dict[str, tuple] = field(default_factory=dict, repr=False, compare=False)

    def add(self, former: str, current: str | None) -> str:
        self._resolved.clear()  # a new commune can change what a name means
        fk = full_commune_key(former)
        if fk not in self.former_names:
            self.former_names[fk] = former
            self.formers_by_bare[fk.split("|")[1]].append(fk)
        if current:
            ck = full_commune_key(current)
            if ck not in self.current_names:
                self.current_names[ck] = current
                self.currents_by_bare[ck.split("|")[1]].append(ck)
            self.formers_of_current[ck].add(fk)
        return fk

    def resolve(self, text: str) -> tuple[list[str], list[str], list[str]]:
        """Former communes a typed name can mean: ``(first, then, names)``.

        ``first``: former communes to search first (the name is exactly a former commune, unit word
        included); ``then``: the other candidates (formers merged into a 2025 unit of that name, or
        every unit sharing the bare name when the unit word is missing or matches nothing);
        ``names``: the distinct display names matched. All empty when the name is unknown. Answered once per
        distinct text (a file names a few communes on thousands of rows); the lists must not be modified.
        """
        if text not in self._resolved:
            self._resolved[text] = self._resolve(text)
        return self._resolved[text]

    def _resolve(self, text: str) -> tuple[list[str], list[str], list[str]]:
        unit, bare = split_commune(text)
        full = f"{unit}|{bare}"
        if unit and (full in self.former_names or full in self.current_names):
            first = [full] if full in self.former_names else []
            then = sorted(self.formers_of_current.get(full, set()) - set(first))
            names = [self.former_names[k] for k in first] + (
                [self.current_names[full]] if full in self.current_names else [])
            return first, then, list(dict.fromkeys(names))
        formers = list(self.formers_by_bare.get(bare, []))
        currents = self.currents_by_bare.get(bare, [])
        merged = sorted({f for c in currents for f in self.formers_of_current[c]} - set(formers))
        names = list(dict.fromkeys([self.former_names[k] for k in formers] + [self.current_names[c] for c in currents]))
        if len(names) > 1:  # "Cao Lộc": a former town and a 2025 commune; search them all together
            return [], formers + merged, names
        return formers, merged, names

    def suggestions(self, text: str) -> list[str]:
        """Up to three known names close to ``text`` (difflib on the folded names)."""
        bare = commune_key(text)
        names = {**{k.split("|")[1]: v for k, v in self.current_names.items()},
                 **{k.split("|")[1]: v for k, v in self.former_names.items()}}
        return [names[k] for k in difflib.get_close_matches(bare, list(names), n=3, cutoff=0.6)]


@dataclass
class Lookups:
    """Everything :func:`ingest.validate.validate` looks up, built once per file by :func:`build_lookups`."""

    projects: dict[str, dict]  # project_id → row
    project_keys: dict[str, str]  # folded id / name / short name → project_id
    communes: Communes
    parcels: dict[tuple[str, int, str], list[dict]]  # (former full key, sheet, parcel key) → parcels
    keys_by_former: dict[str, list[str]]  # former full key → ["12/345", …] for suggestions


def build_lookups(parcels: pd.DataFrame, projects: pd.DataFrame) -> Lookups:
    """Index the parcels (DATA_MODEL.md columns; geometry unused) and the projects for validation.

    Parcels without ``commune_former`` are indexed under their 2025 ``commune``, by the parcel key of
    :func:`parsing.parcel_keys.parcel_key` (``263A``); rows whose sheet is not an integer or whose parcel
    number is not a parcel number are skipped.
    """
    proj_rows = {str(r["project_id"]): r for r in projects.drop(columns="geometry", errors="ignore").to_dict("records")}
    project_keys: dict[str, str] = {}
    for pid, r in proj_rows.items():
        for text in (r.get("name"), r.get("short_name"), pid):
            if text is not None and not (isinstance(text, float) and math.isnan(text)) and str(text).strip():
                project_keys[project_key(text)] = pid
    cols = ["parcel_id", "project_id", "commune", "commune_former", "map_sheet", "parcel_number", "area_to_recover_m2"]
    frame = pd.DataFrame(parcels[[c for c in cols if c in parcels.columns]])
    communes = Communes()
    index: dict[tuple[str, int, str], list[dict]] = defaultdict(list)
    keys_by_former: dict[str, list[str]] = defaultdict(list)
    names = list(frame.columns)
    # each distinct parcel number read once (a district's sheets repeat the same few hundred numbers)
    keys = map_distinct(frame["parcel_number"], try_parcel_key) if "parcel_number" in names else [None] * len(frame)
    for values, number in zip(zip(*(frame[c].tolist() for c in names)), keys):
        rec = dict(zip(names, values))
        current = rec.get("commune") if isinstance(rec.get("commune"), str) and rec.get("commune") else None
        former = rec.get("commune_former") if isinstance(rec.get("commune_former"), str) and rec.get("commune_former") else current
        if former is None:
            continue
        fk = communes.add(former, current)
        try:
            sheet = int(rec["map_sheet"])
        except (TypeError, ValueError):
            continue
        if number is None:
            continue
        index[(fk, sheet, number)].append(rec)
        keys_by_former[fk].append(f"{sheet}/{number}")
    return Lookups(proj_rows, project_keys, communes, dict(index), dict(keys_by_former))


def nearest_keys(lk: Lookups, formers: list[str], sheet: int, number: str, n: int = 3) -> list[str]:
    """Nearest existing keys ``"sheet/number"``: same sheet, closest parcel numbers (by their number, then
    in parcel order: ``263`` is nearest to ``263A``); else difflib."""
    keys = list(dict.fromkeys(k for fk in formers for k in lk.keys_by_former.get(fk, [])))
    wanted = parcel_sort_key(number)
    same_sheet = sorted({k.split("/")[1] for k in keys if k.split("/")[0] == str(sheet)},
                        key=lambda x: (abs(parcel_sort_key(x)[0] - wanted[0]), parcel_sort_key(x)))
    if same_sheet:
        return [f"{sheet}/{x}" for x in same_sheet[:n]]
    return difflib.get_close_matches(f"{sheet}/{number}", keys, n=n, cutoff=0.5)
