"""The chainage strip of a road project: bands along the managed section, % handed over, blockers, communes.

A parcel lies in the band containing its centroid chainage (``chainage_m``); parcels before the section
start or after its end are put in the first or last band, so the bands' handed-over area is the parcels'
handed-over area of the project (aggregate reports have no location and are not on the strip: with none,
it equals the project's ``area_handed_over_m2``). A band is **clean** when it has parcels and all are
handed over (a band without parcels in the store is not counted: nothing is known of it); clean length is
the summed length of clean bands, the longest clean stretch the longest run of consecutive clean bands.
The commune of a band is the one with most area to recover in it; a commune boundary is where it changes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from domain.milestones import current_milestones
from domain.stages import HANDED_OVER_RANK

#: Columns of :attr:`ChainageStrip.bands`.
BAND_COLUMNS: tuple[str, ...] = (
    "band_from_m", "band_to_m", "parcels", "area_to_recover_m2", "area_handed_over_m2", "percent_handed_over",
    "blocking_parcels", "commune", "clean",
)


@dataclass(frozen=True)
class ChainageStrip:
    """The strip of one road project (lengths and chainages in metres, areas in m²).

    Attributes
    ----------
    project_id : str
    section_from_m, section_to_m, segment_m : float
    milestone_id : str or None
        The milestone whose blocking parcels are counted (the project's current area milestone not reached).
    bands : DataFrame
        :data:`BAND_COLUMNS`, one row per band from the section start; the last band ends at the section end.
        ``percent_handed_over`` is NaN for a band with nothing to recover.
    communes : DataFrame
        ``commune``, ``from_m``, ``to_m``: consecutive bands with the same commune (bands without parcels
        join the previous stretch).
    clean_m : float
        Length of clean bands.
    longest_clean_from_m, longest_clean_to_m : float
        The longest clean stretch (NaN when no band is clean).
    """

    project_id: str
    section_from_m: float
    section_to_m: float
    segment_m: float
    milestone_id: str | None
    bands: pd.DataFrame
    communes: pd.DataFrame
    clean_m: float
    longest_clean_from_m: float
    longest_clean_to_m: float

    @property
    def longest_clean_m(self) -> float:
        """Length of the longest clean stretch (0 when none)."""
        return 0.0 if np.isnan(self.longest_clean_from_m) else self.longest_clean_to_m - self.longest_clean_from_m


def chainage_strip(snapshot, project_id: str, *, segment_m: float = 100.0, milestone_id: str | None = None
                   ) -> ChainageStrip:
    """The strip of ``project_id`` at the snapshot's date (rule in the module docstring).

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        Its ``projects`` (``section_from_m``, ``section_to_m``, ``kind``), ``parcels`` (``chainage_m``,
        ``stage_rank``, ``area_to_recover_m2``, ``area_handed_over_m2``, ``commune``), ``milestones`` and
        ``blockers``.
    segment_m : float
        Band length in metres (> 0).
    milestone_id : str, optional
        Whose blocking parcels to mark; default the project's current project-scope area milestone not reached.

    Raises
    ------
    ValueError
        If the project is unknown, is not a road with a section, or ``segment_m`` is not positive
        (Vietnamese message).
    """
    start, end = _section(snapshot.projects, project_id)
    if not segment_m or segment_m <= 0:
        raise ValueError("Độ dài đoạn (segment_m) phải lớn hơn 0 m")
    parcels = snapshot.parcels[snapshot.parcels["project_id"] == project_id]
    milestone_id = milestone_id or _default_milestone(snapshot.milestones, project_id)
    blocking = set(snapshot.blockers.loc[snapshot.blockers["milestone_id"] == milestone_id, "parcel_id"]) \
        if milestone_id is not None and len(snapshot.blockers) else set()
    bands = _bands(parcels, start, end, float(segment_m), blocking)
    run_from, run_to = _longest_run(bands)
    return ChainageStrip(project_id=project_id, section_from_m=start, section_to_m=end, segment_m=float(segment_m),
                         milestone_id=milestone_id, bands=bands, communes=_commune_stretches(bands),
                         clean_m=float((bands["band_to_m"] - bands["band_from_m"])[bands["clean"]].sum()),
                         longest_clean_from_m=run_from, longest_clean_to_m=run_to)


def _section(projects: pd.DataFrame, project_id: str) -> tuple[float, float]:
    row = projects[projects["project_id"] == project_id]
    if row.empty:
        raise ValueError(f"Không có dự án {project_id!r}")
    rec = row.iloc[0]
    start, end = (pd.to_numeric(rec.get(c), errors="coerce") for c in ("section_from_m", "section_to_m"))
    if rec.get("kind") != "road" or pd.isna(start) or pd.isna(end) or end <= start:
        raise ValueError(f"Dự án {project_id} không phải tuyến đường có lý trình đầu và cuối đoạn")
    return float(start), float(end)


def _default_milestone(milestones: pd.DataFrame, project_id: str) -> str | None:
    ms = milestones[(milestones["project_id"] == project_id) & (milestones["metric"] == "percent_area_handed_over")
                    & (milestones["scope"] == "project")]
    pending = ms[ms["actual_percent"] < ms["target_percent"] - 1e-9]
    return None if pending.empty else str(current_milestones(pending).iloc[0]["milestone_id"])


def _bands(parcels: pd.DataFrame, start: float, end: float, segment_m: float, blocking: set) -> pd.DataFrame:
    count = int(np.ceil((end - start) / segment_m - 1e-9))
    band_from = start + segment_m * np.arange(count)
    chainage = pd.to_numeric(parcels["chainage_m"], errors="coerce").to_numpy(dtype=float)
    placed = ~np.isnan(chainage)
    index = np.clip(np.floor((chainage[placed] - start) / segment_m), 0, count - 1).astype("int64")
    p = parcels[placed].assign(band=index, todo=parcels["stage_rank"].to_numpy()[placed] < HANDED_OVER_RANK,
                               blocking=parcels["parcel_id"].isin(blocking).to_numpy()[placed])
    grouped = p.groupby("band")
    out = pd.DataFrame({"band_from_m": band_from, "band_to_m": np.minimum(band_from + segment_m, end)})
    out["parcels"] = grouped.size().reindex(out.index, fill_value=0).to_numpy()
    for col in ("area_to_recover_m2", "area_handed_over_m2"):
        out[col] = grouped[col].sum().reindex(out.index, fill_value=0.0).to_numpy(dtype=float)
    out["percent_handed_over"] = np.where(out["area_to_recover_m2"] > 0,
                                          100.0 * out["area_handed_over_m2"] / out["area_to_recover_m2"].where(
                                              out["area_to_recover_m2"] > 0), np.nan)
    out["blocking_parcels"] = grouped["blocking"].sum().reindex(out.index, fill_value=0).to_numpy(dtype="int64")
    area_by = p.groupby(["band", "commune"])["area_to_recover_m2"].sum().reset_index()
    main = area_by.sort_values(["band", "area_to_recover_m2"], ascending=[True, False]).drop_duplicates("band")
    out["commune"] = main.set_index("band")["commune"].reindex(out.index).to_numpy(dtype=object)
    out["clean"] = (out["parcels"] > 0).to_numpy() & ~grouped["todo"].any().reindex(out.index, fill_value=True).to_numpy(dtype=bool)
    return out[list(BAND_COLUMNS)]


def _longest_run(bands: pd.DataFrame) -> tuple[float, float]:
    best, run_start, best_len = (np.nan, np.nan), None, 0.0
    for rec in bands.to_dict("records"):
        if rec["clean"]:
            run_start = rec["band_from_m"] if run_start is None else run_start
            if rec["band_to_m"] - run_start > best_len:
                best, best_len = (run_start, rec["band_to_m"]), rec["band_to_m"] - run_start
        else:
            run_start = None
    return float(best[0]), float(best[1])


def _commune_stretches(bands: pd.DataFrame) -> pd.DataFrame:
    rows: list[dict] = []
    for rec in bands.to_dict("records"):
        name = rec["commune"] if isinstance(rec["commune"], str) else (rows[-1]["commune"] if rows else None)
        if rows and rows[-1]["commune"] == name:
            rows[-1]["to_m"] = rec["band_to_m"]
        else:
            rows.append({"commune": name, "from_m": rec["band_from_m"], "to_m": rec["band_to_m"]})
    return pd.DataFrame(rows, columns=["commune", "from_m", "to_m"])
