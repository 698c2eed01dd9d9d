"""Accounts and the append-only audit trail (issue 9).

Adds ``accounts`` (local logins: argon2 password hash, role, communes as a JSON array, lock-out
state) and ``audit_log`` (one row per write or failed login). The database itself refuses UPDATE
and DELETE on ``audit_log`` (and TRUNCATE on PostGIS): SQLite triggers ``RAISE(ABORT)``, a
PL/pgSQL trigger function on PostGIS. ``audit_log`` is a GeoPackage attribute table (QGIS lists it);
``accounts`` is not registered, so GIS clients do not offer the hashes as a layer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ROLES = ("viewer", "commune_officer", "officer", "admin")
_REFUSAL = "audit_log chỉ được ghi thêm (append-only)"


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("username", sa.Text, primary_key=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("communes", sa.Text, nullable=False, server_default="[]"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("password_changed_at", UtcDateTime, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", UtcDateTime, nullable=True),
        sa.CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in _ROLES) + ")", name="ck_accounts_role"),
    )
    op.create_table(
        "audit_log",
        sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("account", sa.Text, nullable=True),
        sa.Column("role", sa.Text, nullable=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=True),
        sa.Column("before_json", sa.Text, nullable=True),
        sa.Column("after_json", sa.Text, nullable=True),
        sa.Column("client_address", sa.Text, nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_log_recorded_at", "audit_log", ["recorded_at"])
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_append_only()
    else:
        _postgres_append_only()


def _sqlite_append_only() -> None:
    for operation in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER audit_log_no_{operation.lower()} BEFORE {operation} ON audit_log "
                   f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END")
    contents = sa.table("gpkg_contents", sa.column("table_name"), sa.column("data_type"),
                        sa.column("identifier"), sa.column("description"))
    op.bulk_insert(contents, [dict(table_name="audit_log", data_type="attributes", identifier="audit_log",
                                   description="Nhật ký kiểm tra (chỉ ghi thêm)")])


def _postgres_append_only() -> None:
    op.execute(
        "CREATE FUNCTION gpmb_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{_REFUSAL}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; "
        "END $$"
    )
    op.execute("CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION gpmb_audit_log_append_only()")
    op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
               "FOR EACH STATEMENT EXECUTE FUNCTION gpmb_audit_log_append_only()")


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
