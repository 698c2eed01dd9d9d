"""The import kind of every register import (``register_imports.kind``), so that lists label it right.

A household × step matrix is recorded in the ``households`` register (with its ledger events and, from the
steps sheet, rows of ``procedure_steps`` under the same upload), so ``register`` alone cannot tell a matrix
from a households list: the dashboard labelled both «Danh sách hộ». This revision adds ``kind`` (a code of
``domain.people.IMPORT_KINDS``, ``procedure`` or ``unknown``) and fills it for the imports already recorded from what the
store holds, nothing else changed:

- ``register`` other than ``households`` → the register itself (each of those kinds writes only its own
  register: plans, payments, refusals, transfers, complaints, lots, areas; and ``procedure``, a procedure plan
  committed on its own);
- ``households`` with ledger events, procedure-plan rows or households rows carrying a ``stage`` under the
  same upload → ``matrix`` (only the matrix writes any of them; a households list has no stage column);
- ``households`` with households rows, none of them staged → ``households``;
- anything else (e.g. a register this revision does not know) → ``unknown`` («không rõ»).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

#: Registers written by the import kind of the same name only (frozen at this revision).
SAME_NAME_KINDS_0017 = ("plans", "payments", "refusals", "transfers", "complaints", "lots", "areas", "procedure")

#: What ``kind`` holds when the store cannot tell.
UNKNOWN_0017 = "unknown"

_SAME = ", ".join(f"'{k}'" for k in SAME_NAME_KINDS_0017)
_OF_UPLOAD = "{table}.upload_id = register_imports.upload_id"
_MATRIX_SIGNS = " OR ".join((
    f"EXISTS (SELECT 1 FROM events WHERE {_OF_UPLOAD.format(table='events')})",
    f"EXISTS (SELECT 1 FROM procedure_steps WHERE {_OF_UPLOAD.format(table='procedure_steps')})",
    f"EXISTS (SELECT 1 FROM households WHERE {_OF_UPLOAD.format(table='households')} AND households.stage IS NOT NULL)",
))

#: The backfill, in order (each fills only rows still NULL).
BACKFILL = (
    f"UPDATE register_imports SET kind = register WHERE register IN ({_SAME})",
    f"UPDATE register_imports SET kind = 'matrix' WHERE kind IS NULL AND register = 'households' AND ({_MATRIX_SIGNS})",
    ("UPDATE register_imports SET kind = 'households' WHERE kind IS NULL AND register = 'households' AND "
     f"EXISTS (SELECT 1 FROM households WHERE {_OF_UPLOAD.format(table='households')})"),
    f"UPDATE register_imports SET kind = '{UNKNOWN_0017}' WHERE kind IS NULL",
)


def upgrade() -> None:
    op.add_column("register_imports", sa.Column("kind", sa.Text, nullable=True))
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
