"""The offline GPMB progress map (folium/Leaflet), shared by the dashboard and the HTML export.

``build_map(snapshot, store, filters) -> folium.Map`` draws the layers; ``standalone_html(map) -> str``
renders it as one self-contained HTML page with Leaflet inlined from ``mapview/static`` (no CDN) and a
Content-Security-Policy; ``sandboxed_document(page) -> str`` wraps such a page in a sandboxed frame for
the dashboard (no same-origin access to the app).
"""
from mapview.build import build_map
from mapview.offline import remote_references, standalone_html
from mapview.sandbox import sandboxed_document

__all__ = ["build_map", "remote_references", "sandboxed_document", "standalone_html"]
