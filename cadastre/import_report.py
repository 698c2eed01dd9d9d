"""The typed report of a parcel import (:func:`cadastre.importer.prepare_parcels`).

Each step of the import fills its own part: the layers read (:class:`FileRead`, :class:`LayerCrs`,
:class:`EncodingConversion`, the attribute mapping), the rows refused (:class:`Rejection`), the geometry
checks (repairs, duplicate keys, :class:`Sliver`, parcels outside the boundary), the land-use summary
and the :class:`ImportCounts`. :meth:`ParcelImportReport.to_dict` gives the JSON form that ``cli.py
import-parcels --json`` prints, the dashboard shows and the store keeps with the layer version; its keys
are listed in DATA_MODEL.md ("imports").
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field

from cadastre.crs_check import CrsDecision

#: Order of the keys of :meth:`ParcelImportReport.to_dict` (the historical JSON shape).
REPORT_KEYS = (
    "project_id", "files", "crs", "encodings", "mapping", "warnings", "rejected", "repairs", "duplicates",
    "slivers", "outside_boundary", "land_use", "cad", "options", "file_sha256", "source_columns", "counts",
    "profile",
)


@dataclass
class FileRead:
    """One layer of one file as read: ``rows_read`` features (CAD: polygons built), its declared CRS text."""

    file: str
    layer: str
    format: str
    rows_read: int
    crs_declared: str
    notes: list[str] = field(default_factory=list)
    cad_elements: int | None = None
    epsg: int | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        if self.cad_elements is None:  # only CAD layers count their drawing elements
            del out["cad_elements"]
        return out


@dataclass
class LayerCrs:
    """The CRS decided for one layer (:mod:`cadastre.crs_check`)."""

    file: str
    layer: str
    decision: CrsDecision

    def to_dict(self) -> dict:
        return {"file": self.file, "layer": self.layer, **self.decision.to_dict()}


@dataclass
class EncodingConversion:
    """A text column converted from a legacy encoding: ``samples`` are ``{"before", "after"}`` pairs."""

    file: str
    column: str
    encoding: str
    encoding_label: str
    samples: list[dict]


@dataclass(frozen=True)
class Rejection:
    """A row refused, with the Vietnamese reason; ``row`` reads like ``"tờ12.shp dòng 5"``."""

    row: str
    reason: str


@dataclass(frozen=True)
class Sliver:
    """A parcel whose part inside the clearance boundary is below the sliver threshold (m², EPSG:9215)."""

    row: str
    area_inside_m2: float


@dataclass
class LandUseSummary:
    """Land-use codes read: compound (``ODT+BHK``), blank, and codes not in the national list."""

    compound: int = 0
    blank: int = 0
    unknown_codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OptionsUsed:
    """The options the import ran with (``default_epsg``: the TM-3 zone used for files without CRS)."""

    crs: int | None
    commune_former: str | None
    map_sheet: int | None
    sliver_m2: float
    default_epsg: int


@dataclass(frozen=True)
class ImportCounts:
    """How many features were read, imported and set aside, and the area to recover (m², EPSG:9215)."""

    read: int
    imported: int
    repaired: int
    duplicates: int
    rejected: int
    slivers: int
    outside_boundary: int
    area_to_recover_m2: float


@dataclass
class ParcelImportReport:
    """Everything the user must see before a parcel import is written (nothing here is written yet).

    Attributes
    ----------
    project_id, options, file_sha256
        What was imported, how, and the SHA-256 of the files (in the order given).
    files, crs, encodings
        One :class:`FileRead` and one :class:`LayerCrs` per layer; the legacy-encoded columns converted.
    mapping, source_columns
        Per ``"file:layer"``: source column → canonical field, and the source columns (mapping editor).
    warnings
        Vietnamese sentences, in the order the steps produced them.
    rejected
        Every refused row (:class:`Rejection`), in step order: keys, commune, geometry, duplicates.
    repairs, duplicates
        As returned by :func:`cadastre.geometry.repair_polygons` / :func:`cadastre.geometry.find_duplicate_keys`.
    slivers, outside_boundary
        Parcels ignored by the clip to the clearance boundary (row labels).
    land_use, cad
        :class:`LandUseSummary`; the report of :func:`cadastre.cad.polygons_from_cad` per CAD layer.
    counts
        :class:`ImportCounts`, set by the last step.
    profile
        The source profile picked by the user (``name``, ``version``, ``created_by``, ``created_at``),
        or None: no saved mapping was applied.
    """

    project_id: str
    options: OptionsUsed
    file_sha256: str
    files: list[FileRead] = field(default_factory=list)
    crs: list[LayerCrs] = field(default_factory=list)
    encodings: list[EncodingConversion] = field(default_factory=list)
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)
    source_columns: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    slivers: list[Sliver] = field(default_factory=list)
    outside_boundary: list[str] = field(default_factory=list)
    land_use: LandUseSummary = field(default_factory=LandUseSummary)
    cad: list[dict] = field(default_factory=list)
    counts: ImportCounts | None = None
    profile: dict | None = None

    def to_dict(self) -> dict:
        """The JSON-serialisable report (keys :data:`REPORT_KEYS`; ``counts`` is ``{}`` before the last step)."""
        parts = {
            "files": [f.to_dict() for f in self.files],
            "crs": [c.to_dict() for c in self.crs],
            "encodings": [asdict(e) for e in self.encodings],
            "rejected": [asdict(r) for r in self.rejected],
            "slivers": [asdict(s) for s in self.slivers],
            "land_use": asdict(self.land_use),
            "options": asdict(self.options),
            "counts": asdict(self.counts) if self.counts is not None else {},
        }
        return {key: parts[key] if key in parts else copy.deepcopy(getattr(self, key)) for key in REPORT_KEYS}
