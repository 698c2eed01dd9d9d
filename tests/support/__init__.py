"""Shared test helpers of GPMB Tracker (one copy instead of one per test area).

- :mod:`tests.support.postgis`: a fresh PostGIS database per test, dropped afterwards.
- :mod:`tests.support.browser`: Debian Chromium with the standard flags and an offline request gate.
- :mod:`tests.support.streamlit_server`: ``streamlit run app.py`` on a free port for browser tests.

Import them as ``from tests.support.postgis import postgis_database`` (the repo root is on
``sys.path`` through ``pyproject.toml``).
"""
