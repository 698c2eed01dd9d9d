"""The builder is deterministic and reproduces the committed data/sources/ exactly."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from data.build_demo_data import build_all

TEXT_FILES = ("events.csv", "milestones.csv", "rules.yaml", "projects.gpkg", "parcels.gpkg", "households.csv",
              "plans.csv", "payments.csv", "complaints.csv", "resettlement_areas.csv", "lots.csv")  # byte-compared
LAYERS = (("projects.gpkg", "projects"), ("projects.gpkg", "centrelines"), ("parcels.gpkg", "parcels"))


def assert_same_layers(a, b):
    for file, layer in LAYERS:
        left = gpd.read_file(a / file, layer=layer)
        right = gpd.read_file(b / file, layer=layer)
        pd.testing.assert_frame_equal(left.drop(columns="geometry"), right.drop(columns="geometry"))
        assert left.geometry.geom_equals_exact(right.geometry, tolerance=0).all(), (file, layer)


@pytest.mark.slow
def test_two_builds_are_identical_and_match_the_committed_files(tmp_path, sources_dir):
    first, second = tmp_path / "a", tmp_path / "b"
    summary = build_all(first)
    build_all(second)
    for name in TEXT_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert_same_layers(first, second)
    # The committed files are the builder's output (no hand edits).
    for name in TEXT_FILES:
        assert (first / name).read_bytes() == (sources_dir / name).read_bytes(), name
    assert_same_layers(first, sources_dir)
    assert 2000 <= summary["parcels"] <= 5000
