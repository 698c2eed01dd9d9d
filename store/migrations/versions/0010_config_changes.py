"""Milestones, rules and project attributes live in the store: the append-only ``config_changes`` ledger.

Creates ``config_changes`` (one row per change: ``recorded_at`` UTC, ``kind`` milestone | rules |
project, ``item``, ``before_json``/``after_json``, ``account``, ``reason``, ``source``, ``proposal_id``),
append-only like ``audit_log`` (UPDATE and DELETE refused by triggers). What an older store held is
MOVED into it, with ``source = 'migration'`` (in force from the beginning, ``domain.config_history``):
every row of the old ``milestones`` table (rewritten from the client's ``milestones.csv`` at every
open) becomes one change, then that table is dropped; the ``rules_yaml`` text of ``store_meta``
becomes one ``rules`` change, then the key is removed. Nothing else is touched.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
import json
import math
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_KINDS = ("milestone", "rules", "project")
_REFUSAL = "config_changes chỉ được ghi thêm (append-only)"
_MILESTONE_COLUMNS = ("milestone_id", "project_id", "due_date", "metric", "target_percent", "scope", "label")


def upgrade() -> None:
    changes = op.create_table(
        "config_changes",
        sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("before_json", sa.Text, nullable=True),
        sa.Column("after_json", sa.Text, nullable=True),
        sa.Column("account", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("proposal_id", sa.Integer, nullable=True),
        sa.CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in _KINDS) + ")", name="ck_config_changes_kind"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_config_changes_kind_item", "config_changes", ["kind", "item"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_append_only()
    else:
        _postgres_append_only()
    _move_old_config(bind, changes)


def _plain(value):
    """A JSON-safe cell (NaN → None, numpy scalars → Python)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _move_old_config(bind, changes) -> None:
    inspector = sa.inspect(bind)
    now = datetime.now(UTC)
    rows = []
    if inspector.has_table("milestones"):
        present = [c["name"] for c in inspector.get_columns("milestones")]
        names = [c for c in _MILESTONE_COLUMNS if c in present]
        order = "fid" if "fid" in present else names[0]
        for values in bind.execute(sa.text(f'SELECT {", ".join(names)} FROM milestones ORDER BY {order}')).all():
            record = {name: _plain(value) for name, value in zip(names, values, strict=True)}
            rows.append(dict(kind="milestone", item=str(record.get("milestone_id")),
                             after_json=json.dumps(record, ensure_ascii=False)))
    if inspector.has_table("store_meta"):
        text = bind.execute(sa.text("SELECT value FROM store_meta WHERE key = 'rules_yaml'")).scalar()
        if text is not None:
            rows.append(dict(kind="rules", item="rules", after_json=json.dumps({"yaml": text}, ensure_ascii=False)))
    if rows:
        op.bulk_insert(changes, [dict(r, recorded_at=now, before_json=None, account=None,
                                      reason="chuyển từ kho phiên bản cũ", source="migration", proposal_id=None)
                                 for r in rows])
    if inspector.has_table("milestones"):
        if bind.dialect.name == "sqlite":
            op.execute("DELETE FROM gpkg_contents WHERE table_name = 'milestones'")
        op.drop_table("milestones")
    if inspector.has_table("store_meta"):
        op.execute("DELETE FROM store_meta WHERE key = 'rules_yaml'")


def _sqlite_append_only() -> None:
    for operation in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER config_changes_no_{operation.lower()} BEFORE {operation} ON config_changes "
                   f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END")
    contents = sa.table("gpkg_contents", sa.column("table_name"), sa.column("data_type"),
                        sa.column("identifier"), sa.column("description"))
    op.bulk_insert(contents, [dict(table_name="config_changes", data_type="attributes", identifier="config_changes",
                                   description="Lịch sử thay đổi mốc tiến độ, quy tắc, thông tin dự án (chỉ ghi thêm)")])


def _postgres_append_only() -> None:
    op.execute(
        "CREATE FUNCTION gpmb_config_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{_REFUSAL}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; "
        "END $$"
    )
    op.execute("CREATE TRIGGER config_changes_no_change BEFORE UPDATE OR DELETE ON config_changes "
               "FOR EACH ROW EXECUTE FUNCTION gpmb_config_changes_append_only()")
    op.execute("CREATE TRIGGER config_changes_no_truncate BEFORE TRUNCATE ON config_changes "
               "FOR EACH STATEMENT EXECUTE FUNCTION gpmb_config_changes_append_only()")


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
