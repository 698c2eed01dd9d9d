"""People-side registers (issue 12): households, plans, payments, letters, resettlement areas and lots, draws.

Every register row belongs to one ``uploads`` row (a register import is recorded like an upload, so a
revert of that upload takes its rows out of every reading, nothing deleted); ``register_imports`` says
which register an upload filled and the SHA-256 of its content (same content → nothing new). The
lottery draws are append-only: a redraw is a new row with its reason. Column lists are frozen here (the
contract is ``domain.people.REGISTER_COLUMNS``; a test checks they agree).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from store.types import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_T, _D, _F, _I, _B = sa.Text, sa.Date, sa.Double, sa.Integer, sa.Boolean

#: table → (register, [(column, type)]), frozen.
_REGISTERS = {
    "households": ("households", [
        ("household_id", _T), ("project_id", _T), ("name", _T), ("id_number", _T), ("phone", _T),
        ("address", _T), ("commune", _T), ("parcel_keys", _T), ("land_use", _T), ("area_m2", _F)]),
    "compensation_plans": ("plans", [
        ("household_id", _T), ("project_id", _T), ("compensation_vnd", _F), ("support_vnd", _F),
        ("resettlement_vnd", _F), ("decision_number", _T), ("decision_date", _D), ("effective_date", _D),
        ("resettlement_entitlement", _T)]),
    "payments": ("payments", [
        ("household_id", _T), ("project_id", _T), ("payment_date", _D), ("amount_vnd", _F), ("part", _T),
        ("receipt_number", _T)]),
    "complaint_letters": ("complaints", [
        ("letter_id", _T), ("project_id", _T), ("commune", _T), ("received_date", _D), ("channel", _T),
        ("household_id", _T), ("parcels", _T), ("kind", _T), ("subject", _T), ("body", _T),
        ("accepted_date", _D), ("status", _T), ("outcome", _T), ("published_date", _D), ("closed_date", _D),
        ("round", _I), ("complicated", _B), ("remote_area", _B)]),
    "resettlement_lots": ("lots", [
        ("area_id", _T), ("lot_number", _T), ("lot_class", _T), ("area_m2", _F), ("price_vnd", _F),
        ("status", _T)]),
    "resettlement_areas": ("areas", [
        ("area_id", _T), ("project_id", _T), ("name", _T), ("planned_completion_date", _D),
        ("actual_completion_date", _D), ("construction_percent", _F), ("geometry_wkt", _T)]),
}

_TITLES = {
    "register_imports": "Các lần nhập sổ hộ dân, phương án, chi trả, đơn thư, lô tái định cư",
    "households": "Sổ hộ dân (dữ liệu cá nhân)",
    "compensation_plans": "Phương án bồi thường, hỗ trợ và tái định cư",
    "payments": "Chi trả tiền bồi thường, hỗ trợ, tái định cư",
    "complaint_letters": "Sổ đơn thư",
    "resettlement_lots": "Lô đất tái định cư",
    "resettlement_areas": "Khu tái định cư (ranh giới WKT, EPSG:9215)",
    "lottery_draws": "Các lần bốc thăm giao đất tái định cư (chỉ ghi thêm)",
}


def upgrade() -> None:
    op.create_table(
        "register_imports",
        sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.upload_id"), primary_key=True,
                  autoincrement=False),
        sa.Column("register", sa.Text, nullable=False),
        sa.Column("project_id", sa.Text, nullable=True),
        sa.Column("content_sha256", sa.Text, nullable=False, index=True),
        sa.Column("rows_added", sa.Integer, nullable=False),
        sa.Column("rows_changed", sa.Integer, nullable=False),
        sa.Column("rows_unchanged", sa.Integer, nullable=False),
        sa.Column("events_added", sa.Integer, nullable=False),
    )
    for table, (_register, columns) in _REGISTERS.items():
        op.create_table(
            table,
            sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.upload_id"), nullable=False, index=True),
            *[sa.Column(name, kind(), nullable=True) for name, kind in columns],
            sqlite_autoincrement=True,
        )
    op.create_table(
        "lottery_draws",
        sa.Column("draw_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("area_id", sa.Text, nullable=False, index=True),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("seed", sa.Text, nullable=False),
        sa.Column("eligible_sha256", sa.Text, nullable=False),
        sa.Column("lots_sha256", sa.Text, nullable=False),
        sa.Column("inputs_sha256", sa.Text, nullable=False),
        sa.Column("draw_sha256", sa.Text, nullable=False),
        sa.Column("result_json", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("supersedes_draw_id", sa.Integer, sa.ForeignKey("lottery_draws.draw_id"), nullable=True),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == "sqlite":
        # GeoPackage attribute tables: QGIS/GDAL list the registers beside the layers.
        contents = sa.table("gpkg_contents", sa.column("table_name"), sa.column("data_type"),
                            sa.column("identifier"), sa.column("description"))
        op.bulk_insert(contents, [dict(table_name=name, data_type="attributes", identifier=name, description=title)
                                  for name, title in _TITLES.items()])


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
