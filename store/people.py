"""The :class:`store.store.Store` methods of the people side: register imports, register reads, lottery draws.

Writes follow the store's rules (DATA_MODEL.md "writes"): one write transaction, the acting account's
stored role checked inside it (:func:`store.actors.check_actor`), exactly one audit row
(``register_imported``, ``lottery_drawn``). Personal data (names, ID numbers, phones, addresses of
households) is returned only to an account whose stored role grants ``read_personal``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from shapely import wkt
from sqlalchemy import select

from domain.crs import STORE_EPSG
from domain.people import PERSONAL_REGISTER_COLUMNS, REGISTER_COLUMNS
from domain.roles import Account
from store import audit, registers, schema, uploads, writes
from store.actors import check_actor
from store.engine import checkpoint, read_connection, write_transaction
from store.errors import StoreError
from store.layer_versions import utcnow
from store.ledger import insert_events, prepare_events

#: ``uploads.source`` a register import may be recorded under.
REGISTER_SOURCES = ("seed", "upload", "cli")


@dataclass(frozen=True)
class RegisterResult:
    """Outcome of :meth:`PeopleStore.commit_register`.

    ``created`` is False (nothing written) when the same content was imported before and not reverted
    (``upload_id`` = that import), or when every row equals the current one and no event is new
    (``upload_id`` None). ``rows_added`` new keys, ``rows_changed`` new versions of existing keys,
    ``rows_unchanged`` rows equal to the current ones (not recorded again), ``events_added`` ledger rows.
    """

    upload_id: int | None
    created: bool
    rows_added: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    events_added: int = 0


def _commune_scope(conn, register: str, rows: list[dict], project_id: str | None) -> list[frozenset[str]]:
    """The commune each row concerns, for a commune officer's check (empty set = undecided, refused)."""
    if register in ("households", "complaints"):
        return [frozenset({r["commune"]}) if r.get("commune") else frozenset() for r in rows]
    if register in ("plans", "payments", "refusals"):
        homes = registers.read_current(conn, "households")
        where = dict(zip(zip(homes["project_id"], homes["household_id"]), homes["commune"], strict=True))
        return [frozenset({c}) if (c := where.get((r["project_id"], r["household_id"]))) else frozenset()
                for r in rows]
    return [frozenset() for _ in rows]


def _new_events(conn, events: pd.DataFrame | None) -> dict | None:
    """Event columns ready for insertion, without the rows equal to a counted parcel event already there."""
    if events is None or events.empty:
        return None
    columns = prepare_events(events)
    ledger = uploads.read_events(conn)
    seen = set(zip(ledger["kind"], ledger["parcel_id"], ledger["event"], ledger["event_date"], strict=True))
    keep = [i for i, key in enumerate(zip(columns["kind"], columns["parcel_id"], columns["event"],
                                          columns["event_date"], strict=True)) if key not in seen]
    if not keep:
        return None
    return {name: [values[i] for i in keep] for name, values in columns.items()}


#: ``store_meta`` key prefix of the saved matrix profiles.
PROFILE_PREFIX = "matrix_profile:"


def read_profile(conn, name: str) -> dict | None:
    """The step → stage mapping saved as profile ``name`` (``store_meta``), or None."""
    sm = schema.store_meta
    raw = conn.execute(select(sm.c.value).where(sm.c.key == PROFILE_PREFIX + name)).scalar()
    return None if raw is None else json.loads(raw)


def write_profile(conn, name: str, mapping: dict, *, exists: bool) -> None:
    """Insert or replace profile ``name`` (the audit row keeps the mapping it replaced)."""
    sm = schema.store_meta
    text = json.dumps(mapping, ensure_ascii=False, sort_keys=True)
    if exists:
        conn.execute(sm.update().where(sm.c.key == PROFILE_PREFIX + name).values(value=text))
    else:
        conn.execute(sm.insert().values(key=PROFILE_PREFIX + name, value=text))


class PeopleStore:
    """Mixed into :class:`store.store.Store` (uses its ``engine``)."""

    engine = None

    def commit_register(self, register: str, rows: pd.DataFrame, *, actor: Account, file_name: str,
                        file_sha256: str, rows_read: int, project_id: str | None = None,
                        events: pd.DataFrame | None = None, source: str = "cli",
                        client_address: str | None = None,
                        extra: dict[str, pd.DataFrame] | None = None, kind: str | None = None) -> RegisterResult:
        """Record one register import (and, for the household × step matrix, its ledger events) in ONE transaction.

        Parameters
        ----------
        register : str
            ``households``, ``plans``, ``payments``, ``refusals``, ``transfers``, ``complaints``, ``lots`` or
            ``areas``.
        rows : DataFrame
            Validated rows with the columns of :data:`domain.people.REGISTER_COLUMNS` (missing ones are
            stored empty); the key columns (:data:`domain.people.REGISTER_KEYS`) filled and unique.
        actor : Account
            Needs ``upload_counts``; a commune officer only for rows of his communes (a household's or
            letter's ``commune``; a plan's, payment's or refusal's household's commune; lots, areas and the
            investor's fund transfers: never).
        file_name, file_sha256, rows_read
            As :meth:`store.store.Store.commit_upload` (the ``uploads`` row of the import).
        project_id : str, optional
            Recorded with the import.
        events : DataFrame, optional
            Ledger rows (:func:`store.ledger.prepare_events` columns) committed under the same upload;
            a row equal (kind, parcel, event, date) to a counted event is not added again.
        extra : dict, optional
            Rows of other registers recorded under the same upload (the matrix's steps sheet as the
            ``procedure`` register): new or changed rows only, part of the import's content hash, counted in
            the audit row (``extra``); a revert takes them out with the rest.
        kind : str, optional
            The import kind recorded (``register_imports.kind``, :data:`domain.people.IMPORT_KINDS`): ``matrix``
            for the household × step matrix (register ``households``); default the register itself.

        Returns
        -------
        RegisterResult

        Raises
        ------
        StoreError
            Bad source or hash, unknown register, a kind that does not write ``register``, missing or repeated keys,
            bad event rows (nothing written).
        domain.roles.PermissionDeniedError, AccountDisabledError
            Nothing written.
        """
        if source not in REGISTER_SOURCES:
            raise StoreError(f"Nguồn nhập sổ không hợp lệ: {source!r} ({', '.join(REGISTER_SOURCES)}).")
        sha = uploads.check_commit(source, file_sha256)
        registers.check_register(register)
        kind = registers.import_kind(register, kind)
        prepared = registers.prepare_rows(register, rows)
        extras = {name: registers.prepare_rows(name, frame) for name, frame in (extra or {}).items()}
        with write_transaction(self.engine) as conn:
            scope = _commune_scope(conn, register, prepared, project_id)
            if events is not None and not events.empty:
                scope += writes.row_communes(conn, actor, prepare_events(events)) or []
            stored = check_actor(conn, actor, "upload_counts", row_communes=scope)
            result = self._record_register(conn, stored, register, prepared, events, project_id, file_name, sha,
                                           int(rows_read), source, client_address, extras, kind=kind)
        if result.created:
            checkpoint(self.engine)
        return result

    @staticmethod
    def _record_register(conn, actor, register, prepared, events, project_id, file_name, sha, rows_read, source,
                         client_address, extras=None, *, kind: str) -> RegisterResult:
        extras = extras or {}
        event_columns = _new_events(conn, events)
        content = registers.content_sha256(register, project_id, prepared,
                                           None if events is None else events.astype(str).to_dict("list"),
                                           extras)
        earlier = registers.earlier_import(conn, register, content)
        if earlier is not None:
            return RegisterResult(int(earlier), False, rows_unchanged=len(prepared))
        new, changed, unchanged = registers.diff_rows(conn, register, prepared)
        extra_new = {name: registers.diff_rows(conn, name, rows)[0] for name, rows in extras.items()}
        n_events = len(event_columns["kind"]) if event_columns else 0
        n_extra = sum(len(rows) for rows in extra_new.values())
        if not new and not n_events and not n_extra:
            return RegisterResult(None, False, rows_unchanged=unchanged)
        counted = uploads.counted_events(conn)
        upload_id = int(conn.execute(schema.uploads.insert().values(
            uploaded_at=utcnow(), uploaded_by=actor.username, file_name=file_name, file_sha256=sha,
            rows_read=rows_read, rows_committed=len(new) + n_events + n_extra, source=source,
        ).returning(schema.uploads.c.upload_id)).scalar_one())
        registers.insert_rows(conn, register, upload_id, new)
        for name, rows in extra_new.items():
            registers.insert_rows(conn, name, upload_id, rows)
        if event_columns:
            insert_events(conn, upload_id, event_columns)
        counts = {"rows_added": len(new) - changed, "rows_changed": changed, "rows_unchanged": unchanged,
                  "events_added": n_events}
        registers.record_import(conn, upload_id, register, project_id, content, counts, kind=kind)
        audit.append(conn, actor=actor, action="register_imported", target=f"upload:{upload_id}",
                     before={"events_counted": counted},
                     after={"register": register, "kind": kind, "project_id": project_id, **counts, "file_name": file_name,
                            "file_sha256": sha, "content_sha256": content, "rows_read": rows_read,
                            "events_counted": counted + n_events, "source": source,
                            **({"extra": {name: len(rows) for name, rows in extra_new.items()}} if extras else {})},
                     client_address=client_address)
        return RegisterResult(upload_id, True, **counts)

    def register(self, register: str, *, project_id: str | None = None, include_personal: bool = False,
                 actor: Account | None = None) -> pd.DataFrame:
        """The current rows of ``register`` (see :func:`store.registers.read_current` for columns and dtypes).

        Personal columns (:data:`domain.people.PERSONAL_REGISTER_COLUMNS`) are left out unless
        ``include_personal`` and ``actor``'s STORED role grants ``read_personal``.

        Raises
        ------
        StoreError
            Unknown register; ``include_personal`` without ``actor``.
        domain.roles.PermissionDeniedError, AccountDisabledError
            ``include_personal`` for an account that may not read personal data.
        """
        registers.check_register(register)
        with read_connection(self.engine) as conn:
            if include_personal:
                if actor is None:
                    raise StoreError("Đọc dữ liệu cá nhân cần tài khoản thực hiện (actor).")
                check_actor(conn, actor, "read_personal")
            where = None
            if project_id is not None and "project_id" in REGISTER_COLUMNS[register]:
                def where(t):
                    return t.c.project_id == project_id
            frame = registers.read_current(conn, register, where)
        if not include_personal:
            frame = frame.drop(columns=list(PERSONAL_REGISTER_COLUMNS.get(register, ())))
        return frame

    def register_versions(self, register: str, *, project_id: str | None = None) -> pd.DataFrame:
        """Every version of the rows of ``register`` from non-reverted imports, oldest first, with ``uploaded_at``
        (UTC) of each (:func:`store.registers.read_versions`); never personal columns.

        Raises
        ------
        StoreError
            Unknown register.
        """
        registers.check_register(register)
        where = None
        if project_id is not None and "project_id" in REGISTER_COLUMNS[register]:
            def where(t):
                return t.c.project_id == project_id
        with read_connection(self.engine) as conn:
            frame = registers.read_versions(conn, register, where)
        return frame.drop(columns=list(PERSONAL_REGISTER_COLUMNS.get(register, ())))

    def register_imports(self, account: Account | None = None) -> pd.DataFrame:
        """Register imports, oldest first: ``upload_id``, ``register``, ``project_id``, ``content_sha256``, the
        counts, ``kind`` (the import kind, :data:`domain.people.IMPORT_KINDS` or ``unknown``), ``uploaded_at``
        (UTC), ``uploaded_by``, ``file_name``, ``source``, ``reverted_at``, ``reverted``.

        With ``account``: only the imports it may see (:func:`store.visibility.visible_uploads`: its own, and for a
        unit- or commune-scoped account those whose every unit and commune is its); None = every import.
        """
        from store import visibility

        with read_connection(self.engine) as conn:
            frame = registers.read_imports(conn)
            return frame if account is None else visibility.visible_uploads(conn, frame, account)

    def resettlement_areas(self, project_id: str | None = None) -> gpd.GeoDataFrame:
        """Resettlement areas (khu tái định cư), EPSG:9215 polygons from their stored WKT; register columns."""
        frame = self.register("areas", project_id=project_id)
        geometry = [wkt.loads(t) if isinstance(t, str) and t else None for t in frame.pop("geometry_wkt")]
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORE_EPSG)

    def record_lottery_draw(self, area_id: str, result: dict, *, actor: Account, reason: str | None = None,
                            client_address: str | None = None) -> int:
        """Record a committed draw for ``area_id`` (append-only), with one audit row ``lottery_drawn``.

        A second draw of the same area is refused unless ``reason`` is given; it is then a new draw
        that names the one it supersedes (nothing is changed or deleted).

        Parameters
        ----------
        result : dict
            :meth:`milestones.lottery.LotteryResult.to_dict` (seed, the input hashes, draw hash, assignments).

        Returns
        -------
        int
            The new ``draw_id``.

        Raises
        ------
        StoreError
            A redraw without a reason, or an incomplete ``result`` (nothing written).
        domain.roles.PermissionDeniedError, AccountDisabledError
            ``actor`` may not draw lots (``draw_lottery``).
        """
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, "draw_lottery")
            previous = registers.last_draw(conn, area_id)
            if previous is not None and not (reason or "").strip():
                raise StoreError(
                    f"Khu {area_id} đã bốc thăm (lần số {previous['draw_id']}, mã kết quả "
                    f"{previous['draw_sha256'][:12]}…): bốc thăm lại cần ghi lý do (--reason); chưa ghi gì.")
            draw_id = registers.insert_draw(conn, area_id, result, by=stored.username, reason=reason,
                                            supersedes=None if previous is None else previous["draw_id"],
                                            recorded_at=utcnow())
            audit.append(conn, actor=stored, action="lottery_drawn", target=f"lottery:{area_id}",
                         before=None if previous is None else previous,
                         after={"draw_id": draw_id, "seed": result["seed"], "inputs_sha256": result["inputs_sha256"],
                                "draw_sha256": result["draw_sha256"], "households": result.get("households"),
                                "reason": (reason or "").strip() or None},
                         client_address=client_address)
        checkpoint(self.engine)
        return draw_id

    def register_profile(self, name: str) -> dict | None:
        """The step → stage mapping (code → stage | ``flag:<flag>`` | None) saved as ``name``, or None."""
        with read_connection(self.engine) as conn:
            return read_profile(conn, str(name))

    def register_profile_names(self) -> list[str]:
        """The names of the saved step → stage mappings of the household × step matrix, sorted."""
        sm = schema.store_meta
        with read_connection(self.engine) as conn:
            keys = conn.execute(select(sm.c.key).where(sm.c.key.startswith(PROFILE_PREFIX, autoescape=True))).scalars()
            return sorted(k.removeprefix(PROFILE_PREFIX) for k in keys)

    def save_register_profile(self, name: str, mapping: dict, *, actor: Account,
                              client_address: str | None = None) -> bool:
        """Save ``mapping`` as the named profile of the household × step matrix (``upload_counts``), with one
        audit row ``register_profile_saved`` (before/after mapping). Returns False (nothing written) when the
        profile already holds exactly ``mapping``.

        Raises
        ------
        StoreError
            A blank name.
        """
        name = " ".join(str(name or "").split())
        if not name:
            raise StoreError("Tên hồ sơ ánh xạ không được trống.")
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, "upload_counts")
            before = read_profile(conn, name)
            if before == mapping:
                return False
            write_profile(conn, name, mapping, exists=before is not None)
            audit.append(conn, actor=stored, action="register_profile_saved", target=f"profile:{name}",
                         before=None if before is None else {"mapping": before}, after={"mapping": mapping},
                         client_address=client_address)
        checkpoint(self.engine)
        return True

    def lottery_draws(self, area_id: str | None = None) -> pd.DataFrame:
        """Recorded draws, oldest first (:data:`store.registers.DRAW_COLUMNS`)."""
        with read_connection(self.engine) as conn:
            return registers.read_draws(conn, area_id)
