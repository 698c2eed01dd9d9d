"""CLI ``uploads`` and ``revert`` against a store on each backend (DATABASE_URL set by the fixture)."""
from __future__ import annotations

import hashlib
import json

import pandas as pd

import cli
from tests.support.actors import office_admin


def commit_one(store, tag="cli"):
    actor = office_admin(store)
    frame = pd.DataFrame({"kind": ["parcel"], "parcel_id": ["QL4B/Xã Gia Cát/12/103"], "event": ["inventory"],
                          "event_date": ["2024-05-01"]})
    return store.commit_upload(frame, file_name=f"{tag}.csv", file_sha256=hashlib.sha256(tag.encode()).hexdigest(),
                               actor=actor, rows_read=1)


def test_uploads_json_lists_every_upload(store, capsys):
    result = commit_one(store)
    assert cli.main(["uploads", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["upload_id"] for r in rows] == [1, result.upload_id]
    assert rows[1]["file_name"] == "cli.csv" and rows[1]["uploaded_by"] == "quan_tri"
    assert rows[1]["reverted_by_upload_id"] is None
    assert rows[0]["source"] == "seed" and rows[0]["uploaded_at"].endswith("+00:00")


def test_uploads_text(store, capsys):
    commit_one(store)
    assert cli.main(["uploads"]) == 0
    out = capsys.readouterr().out
    assert "cli.csv" in out and "đang tính" in out and "khởi tạo" in out


def test_revert_then_refuse_again(store, capsys):
    result = commit_one(store)
    assert cli.main(["revert", str(result.upload_id), "--as", "quan_tri", "--reason", "sai xã"]) == 0
    assert f"Đã hoàn tác lần tải lên số {result.upload_id}" in capsys.readouterr().out
    row = store.uploads().set_index("upload_id").loc[result.upload_id]
    assert (row.reverted_by, row.revert_reason) == ("quan_tri", "sai xã")
    assert len(store.events()) == len(store.events(include_reverted=True)) - 1

    assert cli.main(["revert", str(result.upload_id)]) == 2  # no --as: usage error
    assert "--as" in capsys.readouterr().err
    assert cli.main(["revert", str(result.upload_id), "--as", "quan_tri"]) == 1
    assert "đã được hoàn tác" in capsys.readouterr().err
    assert cli.main(["revert", "4242", "--as", "quan_tri"]) == 1
    assert "Không có lần tải lên số 4242" in capsys.readouterr().err
    assert cli.main(["revert", "abc"]) == 2  # usage error
