"""Store settings: a small key-value table (``settings``), changed only by an admin, each change audited.

Known keys and their defaults are :data:`domain.roles.SETTINGS_DEFAULTS` (``maker_checker``: ``on``);
a key without a row has its default. ``maker_checker = off`` lets a one-person office carry out
reverts, restores and parcel-removing layer replacements at once (the audit row says so).
"""
from __future__ import annotations

from sqlalchemy import Column, Table, Text, select

from domain.roles import SETTINGS_DEFAULTS, SETTINGS_VALUES, Account
from store import audit, schema
from store.actors import check_actor
from store.engine import read_connection, write_transaction
from store.errors import StoreError
from store.layer_versions import utcnow
from store.types import UtcDateTime

settings_table = Table(
    "settings", schema.metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("changed_by", Text),
)


def read(conn, key: str) -> str:
    """The value of setting ``key`` (its default when never set)."""
    _check_key(key)
    value = conn.execute(select(settings_table.c.value).where(settings_table.c.key == key)).scalar()
    return SETTINGS_DEFAULTS[key] if value is None else value


def maker_checker_on(conn) -> bool:
    """Whether destructive actions need a second account's confirmation (setting ``maker_checker``)."""
    return read(conn, "maker_checker") == "on"


def _check_key(key: str) -> None:
    if key not in SETTINGS_DEFAULTS:
        raise StoreError(f"Không có cài đặt «{key}». Các cài đặt: {', '.join(SETTINGS_DEFAULTS)}.")


class Settings:
    """Read and change the settings of one store (``Settings(open_store())``)."""

    def __init__(self, store) -> None:
        self.engine = store.engine

    def all(self) -> dict[str, str]:
        """Every known setting → its value (defaults included)."""
        with read_connection(self.engine) as conn:
            return {key: read(conn, key) for key in SETTINGS_DEFAULTS}

    def get(self, key: str) -> str:
        """The value of ``key``. Raises :class:`StoreError` for an unknown key."""
        with read_connection(self.engine) as conn:
            return read(conn, key)

    def set(self, key: str, value: str, *, actor: Account, client_address: str | None = None) -> None:
        """Change ``key`` to ``value`` and audit it (``setting_changed``, before/after), in one transaction.

        Raises
        ------
        StoreError
            Unknown key or a value it cannot take (:data:`domain.roles.SETTINGS_VALUES`).
        domain.roles.PermissionDeniedError
            ``actor`` is not an admin (action ``change_settings``).
        """
        _check_key(key)
        if value not in SETTINGS_VALUES[key]:
            raise StoreError(f"Cài đặt «{key}» chỉ nhận: {', '.join(SETTINGS_VALUES[key])} (nhận «{value}»).")
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, "change_settings")
            before = read(conn, key)
            row = dict(value=value, changed_at=utcnow(), changed_by=stored.username)
            if conn.execute(select(settings_table.c.key).where(settings_table.c.key == key)).first() is None:
                conn.execute(settings_table.insert().values(key=key, **row))
            else:
                conn.execute(settings_table.update().where(settings_table.c.key == key).values(**row))
            audit.append(conn, actor=stored, action="setting_changed", target=f"setting:{key}",
                         before={key: before}, after={key: value}, client_address=client_address)
