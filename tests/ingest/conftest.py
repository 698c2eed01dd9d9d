"""pytest fixtures for the ingest tests (data in ``fixture_data.py``)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.ingest.fixture_data import TODAY, make_ledger, make_parcels, make_projects


@pytest.fixture
def projects() -> pd.DataFrame:
    return make_projects()


@pytest.fixture
def parcels() -> pd.DataFrame:
    return make_parcels()


@pytest.fixture
def ledger() -> pd.DataFrame:
    return make_ledger()


@pytest.fixture
def today() -> date:
    return TODAY
