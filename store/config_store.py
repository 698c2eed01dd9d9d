"""The store's milestones, rules and project attributes: reads as of a day, and recorded changes.

:class:`ConfigStore` is the part of :class:`store.store.Store` behind ``milestones()``, ``rules()``,
``set_milestone()`` … (the façade inherits it). Since issue 10 the store is the truth for them:
``data/sources/`` fills an empty store once (:mod:`store.seed`), a client's local files never
overwrite it, and every change is a ``config_changes`` row (who, when, before, after, reason) plus
one audit row. With the setting ``maker_checker`` on a change is proposed and runs when another
account with ``edit_milestones`` confirms it (``Store.confirm_proposal``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import yaml

from domain.roles import Account
from store import config, config_writes, proposals, settings
from store.actors import check_actor
from store.engine import checkpoint, read_connection, write_transaction
from store.errors import StoreError
from store.proposals import Outcome

#: The permission of every change made here (:data:`domain.roles.ACTIONS`).
PERMISSION = "edit_milestones"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ConfigStore:
    """Milestones, rules and project attributes of one store (mixed into :class:`store.store.Store`).

    Attributes
    ----------
    clock : callable
        Returns the current UTC time; ``recorded_at`` of every change (tests set it to record a
        change "in August").
    """

    engine: Any
    clock: Callable[[], datetime] = staticmethod(_utcnow)

    # ------------------------------------------------------------------ reads
    def milestones(self, as_of: date | None = None) -> pd.DataFrame:
        """Milestones in force at ``as_of`` (None: now), rule :mod:`domain.config_history`.

        Returns
        -------
        DataFrame
            ``milestone_id``, ``project_id``, ``due_date`` (text ``dd/mm/yyyy``; a seeded row as the
            clerk wrote it), ``metric``, ``target_percent`` (float, 0–100), ``scope``, ``label``; in the
            order the milestones were first written.
        """
        with read_connection(self.engine) as conn:
            return config.milestones_in_force(conn, as_of)

    def rules_text(self, as_of: date | None = None) -> str | None:
        """The rules YAML text in force at ``as_of`` (None: now); None when the store holds none."""
        with read_connection(self.engine) as conn:
            return config.rules_text(conn, as_of)

    def rules(self, as_of: date | None = None) -> dict:
        """The rules in force at ``as_of`` as written (a mapping; ``{}`` for none), before defaults
        (``milestones.rules.resolve_rules`` merges them over the defaults)."""
        with read_connection(self.engine) as conn:
            return config.rules_in_force(conn, as_of)

    def config_history(self, kind: str | None = None) -> pd.DataFrame:
        """Every recorded change, oldest first (only ``kind`` — ``milestone``, ``rules``, ``project`` — when given).

        Returns
        -------
        DataFrame
            ``change_id``, ``recorded_at`` (UTC), ``kind``, ``item`` (milestone id, ``rules``, project id),
            ``before``/``after`` (dict; None for a record added / removed), ``account``, ``reason``,
            ``source`` (``seed`` | ``migration`` | ``edit`` | ``import``), ``proposal_id`` (Int64).
        """
        with read_connection(self.engine) as conn:
            return config.read_changes(conn, kind)

    def milestone_change_set(self, table: pd.DataFrame) -> config.MilestoneChangeSet:
        """What :meth:`import_milestones` would do with ``table`` (nothing written; ``--dry-run``).

        Raises
        ------
        StoreError
            A row it cannot store (naming line, milestone and column), or a repeated id.
        """
        with read_connection(self.engine) as conn:
            return self._change_set(conn, table)

    def _change_set(self, conn, table: pd.DataFrame) -> config.MilestoneChangeSet:
        known = config.project_ids(conn)
        missing = [c for c in ("milestone_id", "project_id", "due_date", "metric", "target_percent")
                   if c not in table.columns]
        if missing:
            raise StoreError("Bảng mốc tiến độ thiếu cột: " + ", ".join(missing) + ".")
        records = [config.milestone_record(row, known, where=f"Mốc tiến độ dòng {line}")
                   for line, row in enumerate(table.to_dict("records"), start=2)]
        return config.milestone_change_set(config.current_milestones(conn), records)

    # ------------------------------------------------------------------ writes
    def set_milestone(self, milestone_id: str, changes: Mapping[str, Any], *, actor: Account, reason: str,
                      client_address: str | None = None) -> Outcome:
        """Change fields of one milestone (``target_percent``, ``due_date``, ``label``, ``metric``, ``scope``).

        Parameters
        ----------
        milestone_id : str
            An id in force now.
        changes : mapping
            Field → new value (``due_date`` a date or ``dd/mm/yyyy``; ``target_percent`` 0–100).
        actor : Account
            Checked for ``edit_milestones`` (stored role).
        reason : str
            Why (required; kept with the change).

        Returns
        -------
        Outcome
            ``result`` = the ``change_id``; ``None`` and nothing written when nothing differs; or a
            waiting proposal (maker–checker on).

        Raises
        ------
        StoreError
            Unknown milestone or field, a value it cannot take, a blank reason, a pending proposal
            for the same milestone.
        domain.roles.PermissionDeniedError, AccountDisabledError
        """
        reason = config.check_reason(reason)
        unknown = [k for k in changes if k not in config.MILESTONE_EDITABLE]
        if unknown or not changes:
            raise StoreError(f"Trường sửa được của mốc: {', '.join(config.MILESTONE_EDITABLE)}.")
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, PERMISSION)
            current = config.current_milestones(conn).get(str(milestone_id))
            if current is None:
                raise StoreError(f"Không có mốc tiến độ «{milestone_id}» (mốc mới: dùng «milestones import»).")
            after = config.milestone_record({**current, **dict(changes)}, config.project_ids(conn))
            if config.comparable(current) == after:
                return Outcome(True, None, None)
            payload = {"milestone_id": str(milestone_id), "before": current, "after": after, "reason": reason}
            outcome = self._write(conn, stored, "milestone_set", payload, client_address)
        checkpoint(self.engine)
        return outcome

    def import_milestones(self, table: pd.DataFrame, *, actor: Account, reason: str, allow_remove: int | None = None,
                          file_name: str | None = None, client_address: str | None = None) -> Outcome:
        """Make ``table`` (a whole milestones file) the milestones in force: a change set, then its changes.

        Milestones absent from ``table`` are removed only when ``allow_remove`` equals their count
        (like the layer imports); each added, changed or removed milestone is one ``config_changes``
        row, the import one audit row (``milestones_imported``).

        Returns
        -------
        Outcome
            ``result`` = ``{"added", "changed", "removed": counts, "change_ids"}`` (nothing written and
            zero counts when the file changes nothing); or a waiting proposal.

        Raises
        ------
        StoreError
            See :meth:`milestone_change_set`; removals without the exact ``allow_remove``; a blank reason.
        domain.roles.PermissionDeniedError, AccountDisabledError
        """
        reason = config.check_reason(reason)
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, PERMISSION)
            change_set = self._change_set(conn, table)
            config.check_removals(change_set, allow_remove)
            if change_set.empty:
                return Outcome(True, None, {"added": 0, "changed": 0, "removed": 0, "change_ids": []})
            payload = {"change_set": change_set.as_dict(), "expected": config.current_milestones(conn),
                       "reason": reason, "file_name": file_name}
            outcome = self._write(conn, stored, "milestones_import", payload, client_address)
        checkpoint(self.engine)
        return outcome

    def set_rules(self, rules: str | Mapping, *, actor: Account, reason: str,
                  validate: Callable[[str], Any] | None = None, client_address: str | None = None) -> Outcome:
        """Replace the rules by ``rules`` (YAML text, kept as written; or a mapping, dumped to YAML).

        Parameters
        ----------
        validate : callable, optional
            Called with the text before anything is written; raises to refuse it (the command and the
            page pass ``milestones.rules_check.validate_rules_text``: the store only checks it is a YAML mapping).

        Returns
        -------
        Outcome
            ``result`` = the ``change_id`` (None when the text is the one in force); or a proposal.

        Raises
        ------
        StoreError
            Not a YAML mapping, a blank reason; whatever ``validate`` raises.
        domain.roles.PermissionDeniedError, AccountDisabledError
        """
        reason = config.check_reason(reason)
        text = rules if isinstance(rules, str) else yaml.safe_dump(dict(rules), allow_unicode=True, sort_keys=False)
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise StoreError(f"Quy tắc không đọc được (YAML): {exc}") from None
        if not isinstance(parsed, dict):
            raise StoreError("Quy tắc phải là một bảng khoá: giá trị (YAML mapping).")
        if validate is not None:
            validate(text)
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, PERMISSION)
            current = config.rules_text(conn)
            if current == text:
                return Outcome(True, None, None)
            payload = {"yaml": text, "before": current, "reason": reason}
            outcome = self._write(conn, stored, "rules_set", payload, client_address)
        checkpoint(self.engine)
        return outcome

    def set_project_attributes(self, project_id: str, changes: Mapping[str, Any], *, actor: Account, reason: str,
                               client_address: str | None = None) -> Outcome:
        """Change non-geometry attributes of a project (:data:`store.config.PROJECT_ATTRIBUTES`).

        The ``projects`` layer gets a new version (source ``attributes``; the old one stays restorable)
        and the change is a ``config_changes`` row of kind ``project`` (before/after of the fields).

        Returns
        -------
        Outcome
            ``result`` = ``{"change_id", "projects_version"}``; None when nothing differs; or a proposal.

        Raises
        ------
        StoreError
            Unknown project or attribute, a value it cannot take, a blank reason.
        domain.roles.PermissionDeniedError, AccountDisabledError
        """
        reason = config.check_reason(reason)
        after = config.project_values(changes)
        with write_transaction(self.engine) as conn:
            stored = check_actor(conn, actor, PERMISSION)
            current = config_writes.project_attributes(conn, project_id)
            before = {k: current[k] for k in after}
            if before == after:
                return Outcome(True, None, None)
            payload = {"project_id": str(project_id), "before": before, "after": after, "reason": reason}
            outcome = self._write(conn, stored, "project_set", payload, client_address)
        checkpoint(self.engine)
        return outcome

    def _write(self, conn, stored: Account, action: str, payload: dict, client_address) -> Outcome:
        """Propose (maker–checker on) or run the change now, inside the caller's transaction."""
        config_writes.check_units(conn, action, payload, stored)
        if settings.maker_checker_on(conn):
            return Outcome(False, proposals.create(conn, actor=stored, action=action,
                                                   target=config_writes.target_of(action, payload),
                                                   payload=payload, client_address=client_address))
        result = config_writes.run(conn, action, payload, stored, review=proposals.no_review(),
                                   client_address=client_address, now=self.clock())
        return Outcome(True, None, result)
