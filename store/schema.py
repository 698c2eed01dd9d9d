"""Fixed tables of the store (ledger and metadata) and schema migrations.

The tables here (and ``accounts``/``audit_log`` in :mod:`store.accounts`/:mod:`store.audit`) mirror the
latest Alembic revision in ``store/migrations/versions``; the
migrations create them. :func:`ensure_schema` upgrades a store of any earlier revision to
:data:`HEAD_REVISION` inside the caller's write transaction, so a later release opens an older
store. When the store is already at head it costs one query and does not import Alembic.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Boolean, Column, Date, Double, ForeignKey, Integer, MetaData, Table, Text, inspect, text

from store.types import UtcDateTime

#: Latest migration (checked against the scripts by the tests).
HEAD_REVISION = "0017"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

metadata = MetaData()

store_meta = Table(
    "store_meta", metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text),
)

uploads = Table(
    "uploads", metadata,
    Column("upload_id", Integer, primary_key=True, autoincrement=True),
    Column("uploaded_at", UtcDateTime, nullable=False),
    Column("uploaded_by", Text),
    Column("file_name", Text),
    Column("file_sha256", Text),
    Column("rows_read", Integer, nullable=False),
    Column("rows_committed", Integer, nullable=False),
    Column("source", Text, nullable=False),
)

events = Table(
    "events", metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("upload_id", Integer, ForeignKey("uploads.upload_id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("project_id", Text),
    Column("parcel_id", Text),
    Column("commune", Text),
    Column("chainage_from_m", Double()),
    Column("chainage_to_m", Double()),
    Column("event", Text, nullable=False),
    Column("event_date", Date, nullable=False),
    Column("area_m2", Double()),
    Column("households", Integer),
    Column("amount_vnd", Double()),
    Column("is_correction", Boolean, nullable=False),
    Column("note", Text),
    Column("fingerprint", Text, index=True),  # store.fingerprint: content of the row, for duplicates
)

reverts = Table(
    "reverts", metadata,
    Column("revert_id", Integer, primary_key=True, autoincrement=True),
    Column("upload_id", Integer, ForeignKey("uploads.upload_id"), nullable=False, unique=True),
    Column("reverted_by_upload_id", Integer, ForeignKey("uploads.upload_id"), nullable=False),
    Column("reverted_at", UtcDateTime, nullable=False),
    Column("reverted_by", Text),
    Column("reason", Text),
)

layer_versions = Table(
    "layer_versions", metadata,
    Column("layer_name", Text, primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("source", Text, nullable=False),
    Column("feature_count", Integer, nullable=False),
    Column("report", Text),
)

#: Columns of each archived layer version in its history table (:mod:`store.layer_history`; migration 0006).
layer_history_columns = Table(
    "layer_history_columns", metadata,
    Column("layer_name", Text, primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("columns_json", Text, nullable=False),
    Column("geometry_type", Text),
    Column("archived_at", UtcDateTime, nullable=False),
)


def current_revision(conn) -> str | None:
    """Alembic revision recorded in the store, or ``None`` for an empty database."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(conn):
    """Alembic ``Config`` running ``store/migrations`` on ``conn`` (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


def upgrade(conn, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` on ``conn`` (inside the caller's transaction)."""
    from alembic import command

    command.upgrade(alembic_config(conn), revision)


def check_known_revision(revision: str | None, where: str | None = None) -> None:
    """Refuse a store written by a newer release (a revision these migrations do not know); ``where``
    names the store in the message (file or URL without password).

    Raises
    ------
    store.errors.StoreUnavailableError
        With the Vietnamese message (also a ``ValueError``, as callers of earlier releases caught it).
    """
    if revision is None or revision == HEAD_REVISION:
        return
    from alembic.script import ScriptDirectory

    from store.errors import StoreUnavailableError

    config = alembic_config(None)
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if revision not in known:
        named = f" {where!r}" if where else ""
        raise StoreUnavailableError(f"Kho dữ liệu{named} do một phiên bản GPMB Tracker mới hơn tạo ra (lược đồ {revision}, "
                                    f"phiên bản này chỉ biết đến {HEAD_REVISION}); hãy cập nhật phần mềm. "
                                    f"Chưa thay đổi gì trong kho.")


def ensure_schema(conn) -> bool:
    """Bring the store to :data:`HEAD_REVISION`; returns True when migrations ran.

    Raises
    ------
    store.errors.StoreUnavailableError
        The store was written by a newer release (:func:`check_known_revision`).
    """
    revision = current_revision(conn)
    if revision == HEAD_REVISION:
        return False
    check_known_revision(revision)
    upgrade(conn, "head")
    return True


#: Append-only ledger of changes to milestones, rules and project attributes (migration 0008;
#: the in-force rule is :mod:`domain.config_history`). UPDATE and DELETE are refused by triggers.
config_changes = Table(
    "config_changes", metadata,
    Column("change_id", Integer, primary_key=True, autoincrement=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("kind", Text, nullable=False),
    Column("item", Text, nullable=False),
    Column("before_json", Text),
    Column("after_json", Text),
    Column("account", Text),
    Column("reason", Text),
    Column("source", Text, nullable=False),
    Column("proposal_id", Integer),
)
