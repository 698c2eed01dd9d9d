"""``cli.py export --include-personal-data`` needs ``--as`` an account with export_personal; marked and audited."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from exports.personal import PERSONAL_DATA_FILE_SUFFIX, PERSONAL_EXPORT_ACTION

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store_with_accounts(real, real_db_url, real_sources, tmp_path_factory):
    """A copy of the seeded real store with an admin, an officer and a viewer."""
    from tests.support.login import add_account

    path = tmp_path_factory.mktemp("personal_cli") / "gpmb.gpkg"
    shutil.copy(real_db_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    for name, role in (("quan_tri", "admin"), ("can_bo", "officer"), ("lanh_dao", "viewer")):
        add_account(url, name, role, sources_dir=real_sources)
    return url


def _cli(url: str, sources, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "GPMB_SOURCES_DIR": str(sources)}
    return subprocess.run([sys.executable, "cli.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)


def test_personal_export_by_role(store_with_accounts, real_sources, tmp_path):
    from store import AuditTrail
    from tests.support.stores import demo_store

    base = ("export", "--as-of", "2024-06-30", "--format", "xlsx", "--include-personal-data", "--out")
    without_as = _cli(store_with_accounts, real_sources, *base, f"{tmp_path}/")
    assert without_as.returncode == 2 and "--as" in without_as.stderr
    viewer = _cli(store_with_accounts, real_sources, *base, f"{tmp_path}/", "--as", "lanh_dao")
    assert viewer.returncode != 0 and list(tmp_path.iterdir()) == []

    officer = _cli(store_with_accounts, real_sources, *base, f"{tmp_path}/", "--as", "can_bo")
    assert officer.returncode == 0, officer.stderr
    [written] = list(tmp_path.iterdir())
    assert written.name.endswith(f"{PERSONAL_DATA_FILE_SUFFIX}.xlsx")
    texts = " ".join(str(v) for ws in openpyxl.load_workbook(written) for row in ws.iter_rows(values_only=True)
                     for v in row if v is not None)
    assert "CÓ DỮ LIỆU CÁ NHÂN" in texts
    audit = AuditTrail(demo_store(store_with_accounts, sources_dir=real_sources)).read()
    rows = audit[audit["action"] == PERSONAL_EXPORT_ACTION]
    assert rows["account"].tolist() == ["can_bo"]
    assert written.name in rows.iloc[0]["target"]
