"""Field-count uploads (CSV/XLSX) → validated event rows, and the template.

Data flow: :func:`ingest.read.read_table` (file → raw table keyed by Excel row) →
:func:`ingest.validate.validate` (pure: raw table + parcels + projects + ledger + today →
:class:`ValidationReport`) → :func:`ingest.importer.import_counts` (commits the valid rows or none
through ``store.commit_upload``). ``ingest.template`` writes the downloadable template.

Modules: ``headers`` (column names people type), ``values`` (numbers, dates, stages, chainages),
``read`` (files), ``lookups`` (communes, parcels, projects), ``history`` (stage order per key),
``report`` (ValidationReport, events schema), ``validate``, ``importer``, ``preview`` (upload page
table), ``template``.
"""
from ingest.importer import ImportResult, import_counts, validate_file
from ingest.read import IngestError, RawTable, read_table
from ingest.validate import RowProblem, ValidationReport, validate

__all__ = [
    "ImportResult", "IngestError", "RawTable", "RowProblem", "ValidationReport",
    "import_counts", "read_table", "validate", "validate_file",
]
