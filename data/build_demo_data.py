"""Build the bundled demo data in ``data/sources/`` (deterministic: fixed seed, same output every run).

Usage::

    python data/build_demo_data.py                      # rebuild data/sources/ from the repo's own inputs
    python data/build_demo_data.py --out build/demo     # write elsewhere (inputs still read from data/sources/)
    python data/build_demo_data.py --shared-dir ../shared/data   # refresh communes/roads copies first

Inputs (committed in ``data/sources/``): ``communes.geojson`` (2025 communes, MIT), ``roads.geojson``
(LegoCity roads, CC BY-SA 4.0), ``former_units.csv`` (pre-2025 unit codes). Outputs: ``projects.gpkg``
(layers ``projects``, ``centrelines``), ``parcels.gpkg`` (layer ``parcels``), ``events.csv``,
``milestones.csv``, ``rules.yaml`` and the people-side registers (``households.csv``, ``plans.csv``,
``payments.csv``, ``complaints.csv``, ``resettlement_areas.csv``, ``lots.csv``: :mod:`data.demo.people`). Rules of every approximation: ``data/SOURCES.md``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyogrio  # noqa: E402

from data.demo import build, history, people, tables  # noqa: E402
from gis.layers import write_gpkg  # noqa: E402

SOURCES_DIR = REPO / "data" / "sources"
#: Fixed seed of the demo data (change it and every parcel and event changes).
SEED = 20240630
#: Timestamp GDAL writes into the GeoPackage metadata (gpkg_contents.last_change): fixed, so that two
#: builds give byte-identical .gpkg files.
GPKG_TIMESTAMP = "2025-06-30T00:00:00.000Z"
#: Files copied from shared/data by ``--shared-dir`` (source name → bundled name).
SHARED_FILES = {
    "cao_loc_lang_son_chi_lang_communes_2025_vpdb.geojson": "communes.geojson",
    "lang_son_roads_rail_legocity.geojson": "roads.geojson",
}
INPUT_FILES = ("communes.geojson", "roads.geojson", "former_units.csv")


def refresh_inputs(shared_dir: Path, sources_dir: Path) -> None:
    """Copy the open boundary and road layers from ``shared_dir`` into ``sources_dir``."""
    for src, dst in SHARED_FILES.items():
        shutil.copyfile(Path(shared_dir) / src, Path(sources_dir) / dst)


def write_events_csv(events: pd.DataFrame, path: Path) -> None:
    """``events.csv``: UTF-8 with BOM, ISO dates, ``\\n`` line ends, amounts in whole VND."""
    out = events.copy()
    out["amount_vnd"] = out["amount_vnd"].round().astype("Int64")
    out["households"] = out["households"].astype("Int64")
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n", float_format="%.1f")


def build_all(out_dir: Path, sources_dir: Path = SOURCES_DIR, seed: int = SEED) -> dict:
    """Build every output file into ``out_dir``; returns a summary dict (counts and areas)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if out_dir.resolve() != Path(sources_dir).resolve():
        for name in INPUT_FILES:
            shutil.copyfile(Path(sources_dir) / name, out_dir / name)
    communes = gpd.read_file(Path(sources_dir) / "communes.geojson").to_crs(9215)
    roads = gpd.read_file(Path(sources_dir) / "roads.geojson").to_crs(9215)
    former = build.load_former_units(sources_dir)
    rng = np.random.default_rng(seed)

    geom = build.build_geometry(communes, roads)
    projects = build.projects_layer(geom)
    centrelines = build.centrelines_layer(geom)
    parcels = build.parcels_layer(geom, communes, former, rng)
    start_dates = {pid: info["start_date"] for pid, info in build.PROJECT_INFO.items()}
    events = history.build_events(parcels, start_dates, rng)

    for name in ("projects.gpkg", "parcels.gpkg"):
        (out_dir / name).unlink(missing_ok=True)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_TIMESTAMP})
    try:
        write_gpkg(projects, out_dir / "projects.gpkg", "projects")
        write_gpkg(centrelines, out_dir / "projects.gpkg", "centrelines")
        write_gpkg(parcels, out_dir / "parcels.gpkg", "parcels")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    write_events_csv(events, out_dir / "events.csv")
    tables.milestones_table().to_csv(out_dir / "milestones.csv", index=False, encoding="utf-8-sig",
                                     lineterminator="\n")
    (out_dir / "rules.yaml").write_text(tables.RULES_YAML, encoding="utf-8")
    registers = people.people_tables(projects, parcels, events)
    for register, frame in registers.items():
        people.write_register_csv(frame, out_dir / people.REGISTER_FILES[register])
    return {
        "parcels": len(parcels),
        "events": len(events),
        "area_to_recover_ha": (parcels.groupby("project_id")["area_to_recover_m2"].sum() / 1e4).round(3).to_dict(),
        "ql4b_half_width_m": geom["ql4b_half_width_m"],
        **{f"register_{name}": len(frame) for name, frame in registers.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the GPMB Tracker demo data (deterministic).")
    parser.add_argument("--out", type=Path, default=SOURCES_DIR, help="output folder (default data/sources)")
    parser.add_argument("--shared-dir", type=Path, default=None,
                        help="folder with the open layers (shared/data) to refresh communes/roads first")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    if args.shared_dir is not None:
        refresh_inputs(args.shared_dir, SOURCES_DIR)
    summary = build_all(args.out, SOURCES_DIR, args.seed)
    for key, value in summary.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
