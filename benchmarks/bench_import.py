"""Benchmark: import of a 50 000-parcel cadastral shapefile (Famis field names, TCVN3 owner names, .prj).

``python benchmarks/bench_import.py [N]`` builds the shapefile in a temporary folder (a grid of
20 m × 25 m parcels in EPSG:9215 near Kỳ Lừa, Lạng Sơn; the clearance boundary covers about half of it),
opens a temporary GeoPackage store seeded from the cadastre test sources, and prints the time of each
step: write the test file, prepare (read, CRS, encodings, mapping, repair, duplicates, clip), commit
(store.replace_layer). No timing is asserted anywhere.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pyogrio  # noqa: E402
import shapely  # noqa: E402

from parsing.legacy import unicode_to_tcvn3  # noqa: E402

OWNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Hoàng Văn Đức", "Lương Thị Hợp", "Vi Văn Thắng", "Nông Thị Ưng"]


def build_shapefile(folder: Path, n: int) -> Path:
    cols = int(np.ceil(np.sqrt(n)))
    i = np.arange(n)
    x0 = 440_000.0 + 20.0 * (i % cols)
    y0 = 2_415_000.0 + 25.0 * (i // cols)
    geoms = shapely.box(x0, y0, x0 + 20.0, y0 + 25.0)
    gdf = gpd.GeoDataFrame({
        "SHBANDO": [f"{1 + k // 1000:03d}" for k in i],
        "SHTHUA": (1 + i % 1000).astype(float),
        "KHLOAIDAT": np.array(["LUC", "BHK", "ODT+BHK", "", "CLN", "ONT"])[i % 6],
        "DIENTICH": ["500,0"] * n,
        "TENCHU": [unicode_to_tcvn3(OWNERS[k % len(OWNERS)]) for k in i],
        "XAID": unicode_to_tcvn3("Xã Hợp Thành"),
    }, geometry=geoms, crs=9215)
    path = folder / "thua_50k.shp"
    pyogrio.write_dataframe(gdf, path, encoding="latin1")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


def main(n: int = 50_000) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "cadastre"))
    import make_fixtures as mf
    from conftest import write_sources  # the cadastre tests' tiny sources folder

    from cadastre.importer import ImportOptions, commit_parcels, prepare_parcels
    from tests.support.stores import demo_store

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        shp = build_shapefile(tmp, n)
        t_build = time.perf_counter() - t0
        sources = write_sources(tmp / "sources")
        store = demo_store(f"sqlite:///{tmp / 'store.gpkg'}", sources_dir=sources)
        # widen the test project's boundary to cover about half of the grid
        projects = store.projects()
        cols = int(np.ceil(np.sqrt(n)))
        half = shapely.box(440_000.0, 2_415_000.0, 440_000.0 + 20.0 * cols / 2 + 10, 2_415_000.0 + 25.0 * (n / cols) + 1)
        projects.loc[projects["project_id"] == mf.PROJECT_ID, "geometry"] = shapely.MultiPolygon([half])
        from tests.support.actors import office_admin

        actor = office_admin(store)
        store.replace_layer("projects", projects, actor=actor, report={"bench": True})
        t0 = time.perf_counter()
        prepared = prepare_parcels([shp], store, ImportOptions(project_id=mf.PROJECT_ID))
        t_prepare = time.perf_counter() - t0
        t0 = time.perf_counter()
        version = commit_parcels(store, prepared, actor=actor).result
        t_commit = time.perf_counter() - t0
        store.close()
        counts = prepared.report.to_dict()["counts"]
        size_mb = sum(p.stat().st_size for p in tmp.glob("thua_50k.*")) / 1e6
        print(f"parcels in file: {n} ({size_mb:.1f} MB shapefile)")
        print(f"build test shapefile: {t_build:.1f} s")
        print(f"prepare (read, CRS, TCVN3, mapping, checks, clip): {t_prepare:.1f} s")
        print(f"commit (store.replace_layer, GeoPackage): {t_commit:.1f} s  → layer version {version}")
        print(f"imported {counts['imported']}, outside boundary {counts['outside_boundary']}, "
              f"slivers {counts['slivers']}, rejected {counts['rejected']}, "
              f"area to recover {counts['area_to_recover_m2']:.1f} m²")
        print(f"encodings: {[(e.column, e.encoding) for e in prepared.report.encodings]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
