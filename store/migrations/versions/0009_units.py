"""Units sharing one store (issue 10, "a shared province server").

Adds ``units`` (``unit_code`` PK, ``name``, ``province``: a district before 1/7/2025, the commune-level
unit after), the column ``accounts.units`` (JSON array of unit codes; ``[]`` = every unit, a
province-level account) and the column ``unit`` of the projects layer.

An existing store gets ONE unit: the code in ``store_meta`` ``default_unit`` when present (with
``default_unit_name`` / ``default_unit_province`` when present), else huyện Cao Lộc (GSO code 183,
Lạng Sơn: the unit of the bundled data). Every project without a unit — in the current ``projects``
table and in every table holding an archived or proposed version of it (``projects_*`` such as
``projects__v2`` or a history table, ``*__projects``) — is assigned to it, so a restored old version keeps its unit. ``store_meta``
``default_unit`` is then set: layer writes give it to a project that names no unit.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_DEFAULT = ("183", "Huyện Cao Lộc", "Lạng Sơn")


def upgrade() -> None:
    conn = op.get_bind()
    op.create_table(
        "units",
        sa.Column("unit_code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("province", sa.Text, nullable=False),
    )
    op.add_column("accounts", sa.Column("units", sa.Text, nullable=False, server_default="[]"))
    code, name, province = _default_unit(conn)
    conn.execute(sa.text("INSERT INTO units (unit_code, name, province) VALUES (:c, :n, :p)"),
                 {"c": code, "n": name, "p": province})
    _set_meta(conn, "default_unit", code)
    for table in _project_tables(conn):
        columns = {c["name"] for c in sa.inspect(conn).get_columns(table)}
        if "unit" not in columns:
            conn.execute(sa.text(f'ALTER TABLE "{table}" ADD COLUMN unit TEXT'))
        conn.execute(sa.text(f'UPDATE "{table}" SET unit = :c WHERE unit IS NULL OR unit = \'\''), {"c": code})


def _default_unit(conn) -> tuple[str, str, str]:
    meta = dict(conn.execute(sa.text("SELECT key, value FROM store_meta")).all())
    if not meta.get("default_unit"):
        return _DEFAULT
    code = str(meta["default_unit"]).strip()
    same = code == _DEFAULT[0]
    return (code, meta.get("default_unit_name") or (_DEFAULT[1] if same else code),
            meta.get("default_unit_province") or _DEFAULT[2])


def _set_meta(conn, key: str, value: str) -> None:
    conn.execute(sa.text("DELETE FROM store_meta WHERE key = :k"), {"k": key})
    conn.execute(sa.text("INSERT INTO store_meta (key, value) VALUES (:k, :v)"), {"k": key, "v": value})


def _project_tables(conn) -> list[str]:
    """The current projects table and every archived or proposed copy of it."""
    names = sa.inspect(conn).get_table_names()
    return sorted(n for n in names if n == "projects" or n.startswith("projects_") or n.endswith("__projects"))


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
