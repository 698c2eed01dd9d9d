"""Payment refusals, the investor's fund transfers and the procedure plan (issue 12): three more registers.

``payment_refusals``: a household that does not come for its money, one row per step (mời nhận tiền lần
1/2/3, then the deposit to the custody account at the State Treasury, Land Law 2024 art. 94(5)) with its
date and document number. ``fund_transfers``: what the investor transferred to the centre for the
approved plans (date, amount in VND, document number). ``procedure_steps``: the project's procedure plan read
from the steps sheet of the household × step matrix (step code, name, legal basis, lead and supporting body,
minimum days, planned and actual dates, the stage it maps to). ``households`` gains ``stage`` and
``stage_date`` (from the matrix: the progress of a project known only by its register). All three follow the registers of 0013: every row
belongs to one ``uploads`` row (a revert takes it out of every reading, nothing deleted). Column lists are
frozen here (contract: ``domain.people.REGISTER_COLUMNS``; a test checks they agree).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: table → [(column, type)], frozen.
_TABLES = {
    "payment_refusals": [("household_id", sa.Text), ("project_id", sa.Text), ("step", sa.Text),
                         ("step_date", sa.Date), ("document_number", sa.Text)],
    "fund_transfers": [("project_id", sa.Text), ("transfer_date", sa.Date), ("amount_vnd", sa.Double),
                       ("document_number", sa.Text)],
    "procedure_steps": [("project_id", sa.Text), ("step_code", sa.Text), ("name", sa.Text), ("legal_basis", sa.Text),
                        ("lead_body", sa.Text), ("support_body", sa.Text), ("min_days", sa.Double),
                        ("planned_date", sa.Date), ("actual_date", sa.Date), ("stage", sa.Text)],
}

_TITLES = {
    "payment_refusals": "Hộ không nhận tiền: mời nhận tiền lần 1, 2, 3 và gửi tiền vào tài khoản tạm giữ",
    "fund_transfers": "Kinh phí bồi thường, hỗ trợ, tái định cư chủ đầu tư đã chuyển",
    "procedure_steps": "Kế hoạch trình tự thủ tục GPMB của dự án (trang danh sách bước của bảng hộ × bước)",
}


def upgrade() -> None:
    # the household's stage as the household × step matrix gives it (least advanced of its rows), with its
    # date: the progress of a project known only by its register
    op.add_column("households", sa.Column("stage", sa.Text, nullable=True))
    op.add_column("households", sa.Column("stage_date", sa.Date, nullable=True))
    for table, columns in _TABLES.items():
        op.create_table(
            table,
            sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.upload_id"), nullable=False, index=True),
            *[sa.Column(name, kind(), nullable=True) for name, kind in columns],
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
