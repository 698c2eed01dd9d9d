"""Streamlit views of GPMB Tracker.

``dashboard.format`` and ``dashboard.filters`` are plain Python (no Streamlit import) so exports and
the map can reuse them; ``dashboard.state`` and ``dashboard.pages`` are the Streamlit side.
"""
