"""Builder of the bundled demo data (``data/sources/``): approximate project geometry, illustrative
parcels and their field-count history. Entry point: ``python data/build_demo_data.py``.

Every rule used here is described in ``data/SOURCES.md``; everything is deterministic (fixed seed).
"""
