"""Bundled data of GPMB Tracker: sources in ``data/sources/`` and their deterministic builder (``data/demo/``)."""
