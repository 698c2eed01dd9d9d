"""exports.personal.export_as: personal data only for roles with export_personal, marked and audited."""
from __future__ import annotations

import io

import openpyxl
import pytest

import store as store_package
from domain.errors import GpmbError
from domain.roles import Account, PermissionDeniedError
from exports import ExportOptions, export
from exports.personal import (
    PERSONAL_DATA_FILE_SUFFIX,
    PERSONAL_EXPORT_ACTION,
    export_as,
    marked_file_name,
)


def _account(role: str) -> Account:
    from datetime import UTC, datetime

    now = datetime(2024, 6, 1, tzinfo=UTC)
    return Account(username=f"u_{role}", display_name=role, role=role, communes=(), active=True,
                   created_at=now, password_changed_at=now)


@pytest.fixture
def audit_rows(monkeypatch):
    rows = []

    class Recorder:
        def __init__(self, _store):
            pass

        def append(self, **row):
            rows.append(row)
            return len(rows)

    monkeypatch.setattr(store_package, "AuditTrail", Recorder)
    return rows


def _texts(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def test_marked_file_name_once():
    assert marked_file_name("gpmb_bao-cao_2024.xlsx") == f"gpmb_bao-cao_2024{PERSONAL_DATA_FILE_SUFFIX}.xlsx"
    assert marked_file_name(marked_file_name("a.html")) == marked_file_name("a.html")
    assert marked_file_name("khong_duoi") == f"khong_duoi{PERSONAL_DATA_FILE_SUFFIX}"


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officer_and_admin_get_marked_audited_file(snap, fake_store, audit_rows, role):
    owner = next(n for n in snap.parcels["owner_name"] if isinstance(n, str) and n)
    result = export_as(_account(role), "xlsx", snap, fake_store, ExportOptions(include_personal_data=True),
                       client_address="cli:test")
    assert result.file_name.endswith(f"{PERSONAL_DATA_FILE_SUFFIX}.xlsx")
    assert owner in _texts(result.data) and "CÓ DỮ LIỆU CÁ NHÂN" in _texts(result.data)
    [row] = audit_rows
    assert row["action"] == PERSONAL_EXPORT_ACTION and row["actor"].role == role
    assert row["target"] == f"file:{result.file_name}" and row["after"]["rows"] == len(snap.parcels)
    assert row["client_address"] == "cli:test"


@pytest.mark.parametrize("role", ["viewer", "commune_officer"])
def test_viewer_and_commune_officer_are_refused(snap, fake_store, audit_rows, role):
    with pytest.raises(PermissionDeniedError):
        export_as(_account(role), "xlsx", snap, fake_store, ExportOptions(include_personal_data=True))
    assert audit_rows == []


def test_nobody_logged_in_is_refused(snap, fake_store, audit_rows):
    with pytest.raises(GpmbError, match="--as"):
        export_as(None, "html", snap, fake_store, ExportOptions(include_personal_data=True))


def test_without_personal_data_it_is_the_plain_export(snap, fake_store, audit_rows):
    result = export_as(_account("viewer"), "xlsx", snap, fake_store, ExportOptions())
    plain = export("xlsx", snap, fake_store, ExportOptions())
    assert result.file_name == plain.file_name and PERSONAL_DATA_FILE_SUFFIX not in result.file_name
    owners = [n for n in snap.parcels["owner_name"] if isinstance(n, str) and n]
    assert not any(n in _texts(result.data) for n in owners)
    assert audit_rows == []


@pytest.mark.parametrize(("role", "sees"), [("viewer", False), ("commune_officer", False), ("officer", True),
                                            ("admin", True), (None, False)])
def test_for_account_keeps_owner_names_only_for_officer_and_admin(snap, role, sees):
    from exports.personal import for_account

    shown = for_account(snap.parcels, _account(role) if role else None)
    assert ("owner_name" in shown.columns) is sees
    assert len(shown) == len(snap.parcels)
