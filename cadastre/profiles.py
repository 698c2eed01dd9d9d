"""Source profiles for parcel imports: named attribute mappings the user saves and picks (issue 10).

A profile says how one office's files name their fields (``SHBD`` → ``map_sheet``). It is kept in
the store (:class:`store.profiles.SourceProfiles`: shared by every client, each save a new version
with author and time) and applied only to an import that names it (``import-parcels --profile NAME``,
the select box of the import page); the import report names the profile and version it used.
"""
from __future__ import annotations

from cadastre.attributes import profile_mapping
from cadastre.errors import CadastreImportError


def _profiles(store):
    from store import SourceProfiles

    return SourceProfiles(store)


def load_profile(store, name: str | None) -> tuple[dict[str, str], dict | None]:
    """(mapping, what the report shows) of profile ``name``; ``({}, None)`` when no profile is picked.

    Returns
    -------
    (dict, dict or None)
        Normalised source column → canonical field; and ``name``, ``version``, ``created_by``,
        ``created_at`` (ISO text, UTC) for the import report.

    Raises
    ------
    CadastreImportError
        No profile of that name in the store.
    """
    if not name:
        return {}, None
    from store import StoreError

    try:
        profile = _profiles(store).get(name)
    except StoreError as exc:
        raise CadastreImportError(exc.message_vi) from exc
    shown = {"name": profile["name"], "version": profile["version"], "created_by": profile["created_by"],
             "created_at": profile["created_at"].isoformat() if profile["created_at"] is not None else None}
    return dict(profile["mapping"]), shown


def save_profile(store, name: str, corrections: dict[str, str], *, actor, base: str | None = None,
                 note: str = "", client_address: str | None = None) -> int:
    """Save ``corrections`` (source column → canonical field, ``""`` = ignore) as profile ``name``.

    Parameters
    ----------
    base : str, optional
        A profile whose mapping the corrections extend (the one picked for this import).
    actor : Account
        Who saves (role ``import_cadastre``), recorded with the version and audited.

    Returns
    -------
    int
        The new version of the profile (1 for a new name).

    Raises
    ------
    CadastreImportError
        A target that is not a canonical field, an empty mapping or name, an unknown ``base``.
    """
    from store import StoreError

    try:
        mapping = {**load_profile(store, base)[0], **profile_mapping(corrections)}
        return _profiles(store).save(name, mapping, actor=actor, note=note, client_address=client_address)
    except StoreError as exc:
        raise CadastreImportError(exc.message_vi) from exc
    except ValueError as exc:
        if isinstance(exc, CadastreImportError):
            raise
        raise CadastreImportError(str(exc)) from exc


def profile_names(store) -> list[str]:
    """Names of the store's profiles, sorted (for the import page's select box)."""
    return _profiles(store).list()["name"].tolist()
