"""The store: layers, milestones, rules and the append-only ledger of field-count uploads.

Milestones, rules and project attributes (reads as of a day, recorded changes) are
:class:`store.config_store.ConfigStore`, which :class:`Store` inherits.

One implementation over SQLAlchemy Core serves both backends (GeoPackage/SQLite file and
PostgreSQL/PostGIS); every write is one transaction (see :mod:`store.engine`). The store returns
data and never formats it for display. Ledger rows are checked in :mod:`store.ledger`; filling from
``data/sources/`` is :mod:`store.seed`.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from domain.roles import Account
from store import (
    audit,
    identity,
    layer_versions,
    output_cache,
    parcel_status,
    proposals,
    registers,
    removals,
    settings,
    units,
    uploads,
    writes,
)
from store.actors import check_actor
from store.config_store import ConfigStore
from store.duplicates import find_duplicates
from store.engine import checkpoint, read_connection, write_transaction
from store.errors import Duplicates, StoreError, UploadResult
from store.fingerprint import fingerprints
from store.layer_versions import LAYER_COLUMNS, LAYER_DATE_COLUMNS, LAYER_TITLES_VI
from store.layers import empty_layer, read_layer_table, table_exists
from store.ledger import prepare_events
from store.people import PeopleStore
from store.proposals import Outcome
from store.uploads import UPLOAD_SOURCES

__all__ = ["LAYER_COLUMNS", "LAYER_DATE_COLUMNS", "LAYER_TITLES_VI", "SOURCES_DIR_ENV", "UPLOAD_SOURCES", "Store",
           "StoreError", "UploadResult"]

log = logging.getLogger(__name__)

#: Environment variable naming another sources folder (tests, other districts).
SOURCES_DIR_ENV = "GPMB_SOURCES_DIR"


class Store(ConfigStore, PeopleStore):
    """Access to one store (see :func:`open_store`). Thread-safe; every write is one transaction.

    Attributes
    ----------
    url : str
        SQLAlchemy URL of the store.
    backend : str
        ``"sqlite"`` (GeoPackage file) or ``"postgresql"`` (PostGIS).
    """

    def __init__(self, url: str, engine):
        self.url = url
        self.engine = engine
        self.backend = engine.dialect.name
        self._identity: identity.StoreIdentity | None = None

    def identity(self) -> identity.StoreIdentity:
        """Which store this is: ``store_id`` (UUID4), ``created_at`` (UTC), ``backend``, ``location``
        (file path, or URL without password). Read once per :class:`Store` (it never changes).

        Raises
        ------
        store.errors.StoreUnavailableError
            The store cannot be read.
        """
        if self._identity is None:
            with read_connection(self.engine) as conn:
                self._identity = identity.identity_from_meta(identity.read_meta(conn), self.engine.url)
        return self._identity

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Release the connections (the store can be reopened with :func:`open_store`)."""
        self.engine.dispose()

    # ------------------------------------------------------------------ layers
    def _read(self, table_name: str, where=None):
        with read_connection(self.engine) as conn:
            if not table_exists(conn, table_name):  # a store made empty by ``init``: no layer yet
                return empty_layer(table_name)
            return read_layer_table(conn, table_name, where)

    def projects(self) -> gpd.GeoDataFrame:
        """Projects, EPSG:9215, geometry = clearance boundary (MultiPolygon); columns as DATA_MODEL.md."""
        return self._read("projects")

    def centrelines(self) -> gpd.GeoDataFrame:
        """Centrelines, EPSG:9215 LineStrings in increasing chainage (``project_id``, ``chainage_start_m`` …)."""
        return self._read("centrelines")

    def parcels(self, project_id: str | None = None) -> gpd.GeoDataFrame:
        """Parcels, EPSG:9215, columns as DATA_MODEL.md; only ``project_id``'s when given."""
        if project_id is None:
            return self._read("parcels")
        return self._read("parcels", lambda t: t.c.project_id == project_id)

    def parcel_attributes(self) -> pd.DataFrame:
        """Every parcel's attribute columns (those of :meth:`parcels` without ``geometry``), as a plain DataFrame.

        For readers that need no shape (the validation of a field-count upload): the geometry is neither
        read nor decoded (about 0,3 s of CPU for 20 000 parcels).
        """
        with read_connection(self.engine) as conn:
            if not table_exists(conn, "parcels"):
                return pd.DataFrame(empty_layer("parcels").drop(columns="geometry", errors="ignore"))
            return read_layer_table(conn, "parcels", geometry=False)

    def communes(self) -> gpd.GeoDataFrame:
        """2025 communes/wards, EPSG:9215 (``name``, ``full_name``, ``code``, ``former_units`` …)."""
        return self._read("communes")

    def roads(self) -> gpd.GeoDataFrame:
        """Roads and railway context layer, EPSG:9215."""
        return self._read("roads")

    def parcel_status(self) -> gpd.GeoDataFrame:
        """The ``parcel_status`` layer (EPSG:9215, columns :data:`domain.tables.PARCEL_STATUS_COLUMNS`).

        Kept current by every write when a refresher is registered (:mod:`store.parcel_status`);
        :meth:`parcel_status_state` says whether it is.
        """
        return self._read(parcel_status.STATUS_TABLE)

    def parcel_status_state(self) -> dict:
        """``rows``, ``as_of`` (date the layer was computed for) and ``current`` (bool: computed from the
        store's present data version; False after a write in a process without a refresher)."""
        with read_connection(self.engine) as conn:
            return parcel_status.status_state(conn)

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Current version of the versioned layer ``name`` (one of :data:`LAYER_COLUMNS`)."""
        layer_versions.check_layer_name(name)
        return self._read(name)

    def replace_layer(self, name: str, gdf: gpd.GeoDataFrame, *, actor: Account, report: dict,
                      source: str = "import", expected_version: int | None = None,
                      client_address: str | None = None) -> int:
        """Make ``gdf`` the current version of layer ``name``, keeping the previous version restorable.

        Same as ``replace_layers({name: gdf}, …)`` (see there for the role check, the audit row and
        the refusal of a parcel-removing replacement while maker–checker is on).

        Returns
        -------
        int
            The new version number (versions start at 1 and increase by one).
        """
        expected = None if expected_version is None else {name: expected_version}
        return self.replace_layers({name: gdf}, actor=actor, report=report, source=source,
                                   expected_versions=expected, client_address=client_address)[name]

    def replace_layers(self, layers: Mapping[str, gpd.GeoDataFrame], *, actor: Account, report: dict,
                       reports: Mapping[str, dict] | None = None, source: str = "import",
                       expected_versions: Mapping[str, int] | None = None,
                       client_address: str | None = None,
                       confirmed_removals: Mapping[str, int] | None = None) -> dict[str, int]:
        """Replace several layers in ONE transaction: all of them become new versions, or none does.

        Used where one user action changes more than one layer (a new clearance boundary changes
        ``projects`` and the parcels' ``area_to_recover_m2``; a new project adds to ``projects`` and
        ``centrelines``), so that a failure half-way (bad data, database error, killed process)
        leaves every layer exactly as it was (issue 5: "nothing partial is committed").

        Every layer is checked before anything is written (name, GeoDataFrame, CRS, contract
        columns, column names, date columns); then, in one write transaction: ``actor``'s stored
        role is checked (``import_cadastre``), the rows of each current table are copied to
        ``<name>__history`` and replaced by the new ones (the table keeps its name and identity,
        :mod:`store.layer_history`), a ``layer_versions`` row added per layer and ONE audit row
        (``layer_replaced``: versions and feature counts before, added/removed after).

        Parameters
        ----------
        layers : mapping of str to GeoDataFrame
            Layer name (``projects``, ``centrelines``, ``parcels``, ``communes``, ``roads``) → the new
            layer with a CRS (reprojected to EPSG:9215 if needed) and at least the contract columns of
            :data:`LAYER_COLUMNS`. Written in the mapping's order.
        actor : Account
            Who replaces the layers (an account of this store).
        report : dict
            Report kept with every new version (JSON-serialisable; other values stored as text).
        reports : mapping of str to dict, optional
            Per-layer report replacing ``report`` for the layers it names.
        source : str
            What made the versions (``import``, ``restore`` …).
        expected_versions : mapping of str to int, optional
            Optimistic concurrency check: for each layer named, the current version the caller read
            its data from (``data_version()["layers"]``, 0 for a layer never written). If another
            writer changed the layer since, nothing is written and :class:`StoreError` is raised, so
            a read-modify-write never silently drops someone else's change. Checked inside the
            write transaction (which is serialised across processes).
        client_address : str, optional
            Browser address or ``cli:user@host``, for the audit.
        confirmed_removals : mapping of str to int, optional
            Layer → the number of features (by key) the user confirmed to remove; a replacement
            removing any other number is refused inside the transaction
            (:class:`store.removals.RemovalNotConfirmedError`, nothing written). None: not checked.

        Returns
        -------
        dict of str to int
            Layer name → its new version number.

        Raises
        ------
        StoreError
            Empty ``layers``; unknown layer, not a GeoDataFrame, no CRS, missing contract columns,
            unusable column name or date (nothing written); a version conflict (nothing written);
            :class:`store.proposals.ApprovalRequiredError` when the replacement removes parcels and
            maker–checker is on (use :meth:`submit_layers` to propose it).
        domain.roles.PermissionDeniedError, AccountDisabledError
            ``actor`` may not import layers.
        sqlalchemy.exc.SQLAlchemyError
            A database failure while writing; the transaction is rolled back, every layer unchanged.
        """
        return self._layers(layers, actor=actor, report=report, reports=reports, source=source,
                            expected_versions=expected_versions, client_address=client_address,
                            propose=False, confirmed_removals=confirmed_removals).result

    def submit_layers(self, layers: Mapping[str, gpd.GeoDataFrame], *, actor: Account, report: dict,
                      reports: Mapping[str, dict] | None = None, source: str = "import",
                      expected_versions: Mapping[str, int] | None = None,
                      client_address: str | None = None,
                      confirmed_removals: Mapping[str, int] | None = None) -> Outcome:
        """As :meth:`replace_layers`, but a replacement that removes parcels while maker–checker is on
        is PROPOSED (the prepared layers wait in ``proposal_<id>__<layer>``) instead of refused.

        Returns
        -------
        Outcome
            ``executed=True, result={layer: version}``, or ``executed=False, proposal_id=…``.
        """
        return self._layers(layers, actor=actor, report=report, reports=reports, source=source,
                            expected_versions=expected_versions, client_address=client_address, propose=True,
                            confirmed_removals=confirmed_removals)

    def _layers(self, layers, *, actor, report, reports, source, expected_versions, client_address,
                propose: bool, confirmed_removals=None) -> Outcome:
        prepared, texts = writes.prepared_layers(layers, report, reports, expected_versions)
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, "import_cadastre")
            if "projects" in prepared:
                prepared["projects"] = units.with_units(conn, prepared["projects"])
            units.check_layer_units(conn, stored, prepared)
            layer_versions.check_expected_versions(conn, expected_versions)
            changes = layer_versions.change_summary(conn, prepared)
            removals.check_confirmed_removals(changes, confirmed_removals)
            destructive = layer_versions.removes_parcels(changes)
            if destructive and settings.maker_checker_on(conn):
                if not propose:
                    raise proposals.ApprovalRequiredError(
                        "Thay lớp này xoá thửa đất: cần đề xuất và được một tài khoản khác duyệt "
                        "(maker–checker đang bật); chưa ghi gì.")
                outcome = writes.propose_layers(conn, stored, prepared, texts, source, changes, client_address)
            else:
                review = proposals.no_review() if destructive else None
                outcome = Outcome(True, None, writes.write_layers(conn, stored, prepared, texts, source, changes,
                                                                  review, client_address))
        checkpoint(self.engine)
        return outcome

    def layer_versions(self, name: str) -> pd.DataFrame:
        """Versions of layer ``name``: ``version``, ``created_at`` (UTC), ``source``, ``feature_count``,
        ``report`` (dict), ``is_current`` (bool); oldest first."""
        layer_versions.check_layer_name(name)
        with read_connection(self.engine) as conn:
            return layer_versions.read_layer_versions(conn, name)

    def restore_layer(self, name: str, version: int, *, actor: Account, client_address: str | None = None) -> Outcome:
        """Make an earlier version of ``name`` current again, as a new version (history is kept).

        Checks ``actor``'s stored role (``restore``). With maker–checker on the restore is proposed
        (:meth:`confirm_proposal` carries it out); off, it runs at once with one audit row
        (``layer_restored``, saying it skipped the review).

        Returns
        -------
        Outcome
            ``result`` = the new version number whose content equals ``version`` (``version`` itself,
            and nothing written, if it is already current); or a waiting proposal.

        Raises
        ------
        StoreError
            If the layer or the version does not exist, or a restore of the layer already waits.
        domain.roles.PermissionDeniedError, AccountDisabledError
        """
        layer_versions.check_layer_name(name)
        version = int(version)
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, "restore")
            units.refuse_whole_layer(stored, "restore", f"Khôi phục một phiên bản của lớp {name!r}")
            current = layer_versions.check_restorable(conn, name, version)
            if version == current:
                return Outcome(True, None, current)
            if settings.maker_checker_on(conn):
                return Outcome(False, proposals.create(
                    conn, actor=stored, action="restore", target=f"layer:{name}",
                    payload={"layer": name, "version": version, "expected_version": current},
                    client_address=client_address))
            new_version = writes.restore(conn, stored, name, version, proposals.no_review(), client_address)
        checkpoint(self.engine)
        return Outcome(True, None, new_version)

    # ------------------------------------------------------------------ ledger
    def commit_upload(self, events_df: pd.DataFrame, *, actor: Account, file_name: str, file_sha256: str,
                      rows_read: int, source: str = "upload", client_address: str | None = None) -> UploadResult:
        """Record one upload and its events in one transaction, with its audit row.

        Parameters
        ----------
        events_df : DataFrame
            Validated ledger rows (see :func:`prepare_events` for columns; ``event_id`` and
            ``upload_id`` are assigned here, increasing).
        actor : Account
            Who uploads: ``uploaded_by`` is its username. Its stored role must grant
            ``upload_counts``; a ``commune_officer`` only for rows of his communes
            (:func:`store.ledger.event_communes` decides a row's communes).
        file_name : str
        file_sha256 : str
            Hex SHA-256 of the uploaded file's bytes.
        rows_read : int
            Rows read from the file (valid or not).
        source : str
            ``upload`` (dashboard) or ``cli`` (``seed`` is written by :mod:`store.seed` only).
        client_address : str, optional
            Browser address or ``cli:user@host``, for the audit.

        Returns
        -------
        UploadResult
            ``created=False`` and nothing written when a non-reverted upload with the same
            ``file_sha256`` exists (a reverted one does not count, so a file can be uploaded again).
            Rows whose content fingerprint (:mod:`store.fingerprint`) is already counted in the
            ledger, or repeats an earlier row of ``events_df``, are not written: ``duplicates``
            names them by position in ``events_df``; ``created=False`` when no row is left.

        Raises
        ------
        StoreError
            Bad source, hash or rows (nothing is written).
        domain.roles.PermissionDeniedError, AccountDisabledError
            The account may not upload, or a row is outside his communes or his units (nothing is written).

        Notes
        -----
        The write transaction locks only the units of the rows' projects (:mod:`store.engine`), so on
        PostGIS uploads of different units commit concurrently.
        """
        sha = uploads.check_commit(source, file_sha256)
        columns = prepare_events(events_df)
        with read_connection(self.engine) as conn:
            row_units = units.row_units(columns["project_id"], units.project_units(conn))
        with write_transaction(self.engine, units=units.lock_units(row_units)) as conn:
            _same_units(row_units, units.row_units(columns["project_id"], units.project_units(conn)))
            stored = check_actor(conn, actor, "upload_counts", row_communes=writes.row_communes(conn, actor, columns))
            units.check_row_units(stored, "upload_counts", set(row_units))
            counted = uploads.counted_events(conn)
            was_current = parcel_status.layer_current(conn)
            result = uploads.commit_in(conn, columns, file_name=file_name, file_sha256=sha,
                                       uploaded_by=stored.username, rows_read=int(rows_read), source=source)
            if result.created:
                parcel_status.refresh_in(conn, projects=parcel_status.touched_projects(conn, result.upload_id),
                                         was_current=was_current)
                audit.append(conn, actor=stored, action="upload_committed", target=f"upload:{result.upload_id}",
                             before={"events_counted": counted},
                             after={"events_counted": counted + result.rows_committed,
                                    "rows_committed": result.rows_committed, "rows_read": int(rows_read),
                                    "duplicates_in_ledger": len(result.duplicates.in_ledger),
                                    "duplicates_in_file": len(result.duplicates.in_file),
                                    "file_name": file_name, "file_sha256": sha, "source": source},
                             client_address=client_address)
        if result.created:
            checkpoint(self.engine)
        return result

    def duplicates(self, events_df: pd.DataFrame) -> Duplicates:
        """The rows of ``events_df`` that :meth:`commit_upload` would not write, as of now (reads only).

        For a dry run or the preview of an upload; the commit checks again inside its transaction.

        Raises
        ------
        StoreError
            Rows the ledger would refuse (:func:`prepare_events`).
        """
        columns = prepare_events(events_df)
        with read_connection(self.engine) as conn:
            return find_duplicates(conn, fingerprints(columns))

    def revert_upload(self, upload_id: int, *, actor: Account, reason: str = "",
                      client_address: str | None = None) -> Outcome:
        """Revert an upload: its events stop counting; the revert is recorded and nothing is deleted.

        Checks ``actor``'s stored role (``revert``). With maker–checker on the revert is proposed and
        nothing else changes until another account confirms it (:meth:`confirm_proposal`); off, it
        runs at once: an ``uploads`` row with ``source='revert'``, a ``reverts`` row with the reason,
        and one audit row (``upload_reverted``) saying it skipped the review.

        Returns
        -------
        Outcome
            ``result`` = the revert's ``uploads`` id when executed; else the waiting proposal's id.

        Raises
        ------
        StoreError
            If ``upload_id`` does not exist, is itself a revert, is already reverted, or a revert of
            it already waits.
        domain.roles.PermissionDeniedError, AccountDisabledError
        """
        try:
            upload_id = int(upload_id)
        except (TypeError, ValueError):
            raise StoreError(f"Mã lần tải lên không hợp lệ: {upload_id!r}.") from None
        with read_connection(self.engine) as conn:
            touched = units.upload_units(conn, upload_id)
        with write_transaction(self.engine, units=units.lock_units(touched)) as conn:
            _same_units(touched, units.upload_units(conn, upload_id))
            stored = check_actor(conn, actor, "revert")
            units.check_row_units(stored, "revert", touched)
            upload = uploads.revertable(conn, upload_id)
            if settings.maker_checker_on(conn):
                return Outcome(False, proposals.create(
                    conn, actor=stored, action="revert", target=f"upload:{upload_id}",
                    payload={"upload_id": upload_id, "reason": reason or "", "upload": upload},
                    client_address=client_address))
            revert_id = writes.revert(conn, stored, upload_id, reason, proposals.no_review(), client_address)
        checkpoint(self.engine)
        return Outcome(True, None, revert_id)

    # ------------------------------------------------------------------ units
    def units(self) -> pd.DataFrame:
        """The units sharing this store: ``unit_code``, ``name``, ``province`` (by code)."""
        with read_connection(self.engine) as conn:
            return units.read_units(conn)

    def add_unit(self, code: str, name: str, province: str, *, actor: Account,
                 client_address: str | None = None) -> dict:
        """Add a unit (province-level accounts with ``manage_users`` only); audited as ``unit_added``.

        Raises
        ------
        StoreError
            Malformed or existing code, empty name or province.
        domain.roles.PermissionDeniedError, UnitScopeError, AccountDisabledError
        """
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, "manage_users")
            units.refuse_whole_layer(stored, "manage_users", "Thêm một đơn vị vào kho")
            row = units.add_unit(conn, code, name, province)
            audit.append(conn, actor=stored, action="unit_added", target=f"unit:{row['unit_code']}", after=row,
                         client_address=client_address)
        checkpoint(self.engine)
        return row

    def scoped(self, account: Account | None):
        """A read-only view of this store limited to ``account``'s units (:class:`store.scoped.ScopedStore`).

        Returns the store itself for a province-level account (or None): it sees every unit.
        """
        from store.scoped import scoped_reader

        return scoped_reader(self, account)

    # ------------------------------------------------------------------ maker–checker
    def proposals(self, status: str | None = None, *, account: Account | None = None) -> pd.DataFrame:
        """Proposals, oldest first (columns :data:`store.proposals.PROPOSAL_COLUMNS`), only ``status`` when given.

        With ``account``: those it may see (:func:`store.visibility.visible_proposals`: a unit-scoped account its
        own and those it could decide by unit, the rule of :func:`store.writes.check_proposal_units`).
        """
        from store import visibility

        with read_connection(self.engine) as conn:
            return visibility.visible_proposals(conn, proposals.read_proposals(conn, status), account)

    def confirm_proposal(self, proposal_id: int, *, actor: Account, client_address: str | None = None) -> Outcome:
        """Carry out a pending proposal, confirmed by ``actor`` (not its proposer), in one transaction.

        The action runs with the same checks as when proposed (a revert of an upload reverted since
        is refused; a layer or restore refused when the layer changed since ``expected_version``),
        its one audit row names proposer and confirmer, and the proposal becomes ``confirmed``.

        Raises
        ------
        StoreError
            No such pending proposal, ``actor`` proposed it, or the action's own refusals.
        domain.roles.PermissionDeniedError, AccountDisabledError
            ``actor``'s role does not grant the action (:data:`store.proposals.PERMISSION_OF`).
        """
        with write_transaction(self.engine) as conn:
            proposal = proposals.pending(conn, proposal_id)
            stored = check_actor(conn, actor, proposals.PERMISSION_OF[proposal["action"]])
            proposals.check_checker(proposal, stored)
            result = writes.run_proposal(conn, proposal, stored, proposals.review_of(proposal, stored), client_address,
                                         now=self.clock())
            proposals.decide(conn, proposal, actor=stored, status="confirmed")
        checkpoint(self.engine)
        return Outcome(True, int(proposal_id), result)

    def reject_proposal(self, proposal_id: int, *, actor: Account, reason: str,
                        client_address: str | None = None) -> None:
        """Refuse a pending proposal (``actor`` other than its proposer, with the action's role; a reason).

        Raises
        ------
        StoreError
            No such pending proposal, no reason, or ``actor`` proposed it (he cancels instead).
        domain.roles.PermissionDeniedError, AccountDisabledError
            Also a unit-scoped ``actor`` and a proposal beyond his units (as for confirming it).
        """
        if not str(reason or "").strip():
            raise StoreError("Cần ghi lý do từ chối đề xuất.")
        self._close_proposal(proposal_id, actor, "rejected", reason, client_address)

    def cancel_proposal(self, proposal_id: int, *, actor: Account, client_address: str | None = None) -> None:
        """Withdraw a pending proposal; only its proposer may.

        Raises
        ------
        StoreError
            No such pending proposal, or ``actor`` did not propose it.
        """
        self._close_proposal(proposal_id, actor, "cancelled", "", client_address)

    def _close_proposal(self, proposal_id, actor, status: str, reason: str, client_address) -> None:
        with write_transaction(self.engine) as conn:
            proposal = proposals.pending(conn, proposal_id)
            stored = check_actor(conn, actor, proposals.PERMISSION_OF[proposal["action"]])
            if status == "rejected":
                proposals.check_checker(proposal, stored)
                writes.check_proposal_units(conn, proposal, stored)
            elif proposal["proposed_by"] != stored.username:
                raise StoreError(f"Chỉ người đề xuất («{proposal['proposed_by']}») huỷ được đề xuất số {proposal_id}.")
            proposals.decide(conn, proposal, actor=stored, status=status, reason=reason)
            audit.append(conn, actor=stored, action=f"proposal_{status}", target=f"proposal:{int(proposal_id)}",
                         before={"status": "pending", "action": proposal["action"], "target": proposal["target"]},
                         after={"status": status, "reason": reason or None}, client_address=client_address)
        checkpoint(self.engine)

    def events(self, include_reverted: bool = False) -> pd.DataFrame:
        """The ledger of field-count events in ``event_id`` order.

        Parameters
        ----------
        include_reverted : bool
            Also return events of reverted uploads (default: excluded, as computations need).

        Returns
        -------
        DataFrame
            Columns of DATA_MODEL.md "events": ``event_id``/``upload_id`` int64, ``event_date``
            ``datetime.date``, ``area_m2``/``amount_vnd``/chainages float64 (m², VND, m; NaN when
            missing), ``households`` Int64 (nullable), ``is_correction`` bool, text columns.
        """
        with read_connection(self.engine) as conn:
            return uploads.read_events(conn, include_reverted)

    def uploads(self) -> pd.DataFrame:
        """Every upload, oldest first, with its revert if any (for a list shown to an account: :meth:`uploads_for`).

        Returns
        -------
        DataFrame
            ``upload_id``, ``uploaded_at`` (UTC), ``uploaded_by``, ``file_name``, ``file_sha256``,
            ``rows_read``, ``rows_committed``, ``source`` (seed | upload | cli | revert),
            ``reverted_by_upload_id`` (Int64), ``reverted_at`` (UTC), ``reverted_by``,
            ``revert_reason``, ``reverts_upload_id`` (Int64: for a revert row, the upload it reverted).
        """
        with read_connection(self.engine) as conn:
            return uploads.read_uploads(conn)

    def uploads_for(self, account: Account | None) -> pd.DataFrame:
        """The uploads ``account`` may see, as :meth:`uploads` (:func:`store.visibility.visible_uploads`: its own,
        those concerning only its units and, for a commune officer, only his communes, and their reverts); every
        upload for None or a province-level account that is not a commune officer."""
        from store import visibility

        with read_connection(self.engine) as conn:
            return visibility.visible_uploads(conn, uploads.read_uploads(conn), account)

    def cached_output(self, request: dict) -> str | None:
        """What a read-only command printed for ``request`` on this data version and program
        (:mod:`store.output_cache`), or None."""
        with read_connection(self.engine) as conn:
            key = output_cache.key_on(conn, request)
            row = conn.exec_driver_sql(
                f"SELECT output FROM {output_cache.TABLE} WHERE cache_key = "
                + ("?" if conn.dialect.name == "sqlite" else "%s"), (key,)).fetchone()
        return row[0] if row else None

    def save_output(self, request: dict, output: str, computed_on: list | None = None) -> bool:
        """Keep ``output`` as the answer to ``request`` on the present data version (derived data: no audit).

        ``computed_on``: the :meth:`output_data_version` read before the answer was computed. The version
        is read again under the write lock and the answer is kept only when it is the same, so an answer
        computed before a concurrent write is never filed under the newer version. Returns whether it was kept.
        """
        with write_transaction(self.engine) as conn:
            now = output_cache.data_version(lambda sql: conn.exec_driver_sql(sql).fetchall())
            if computed_on is not None and now != computed_on:
                return False
            output_cache.save_in(conn, output_cache.cache_key(request, now, output_cache.code_version()), output)
        return True

    def output_data_version(self) -> list:
        """The data version of the output cache (:func:`store.output_cache.data_version`: rows of its queries)."""
        with read_connection(self.engine) as conn:
            return output_cache.data_version(lambda sql: conn.exec_driver_sql(sql).fetchall())

    def data_version(self) -> dict:
        """What changed last, for cache keys.

        Returns
        -------
        dict
            ``last_upload_id`` (int, 0 if none; reverts count as uploads), ``last_config_change_id``
            (int: the last change of a milestone, the rules or a project's attributes), ``last_change_at``
            (UTC datetime of the last upload, revert, layer version or config change; None if none), ``layers``
            (dict layer name → current version), ``store_id`` and ``store_created_at`` (UTC datetime) of
            :meth:`identity`, so every export made from it names its store, and ``last_draw_id`` (int, 0 if none: the latest
            lottery draw, which is no upload).
        """
        ident = self.identity()
        with read_connection(self.engine) as conn:
            version = uploads.read_data_version(conn)
            last_draw = registers.last_draw_id(conn)
        return {**version, "last_draw_id": last_draw, "store_id": ident.store_id, "store_created_at": ident.created_at}


def _same_units(before: list, now: list) -> None:
    """Refuse a write whose rows' units changed between the unit lock's choice and the lock (a project
    moved to another unit meanwhile: rare; the user retries)."""
    if before != now:
        raise StoreError("Đơn vị của dự án vừa được thay đổi trong lúc ghi; chưa ghi gì, hãy làm lại thao tác.")


