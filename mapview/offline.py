"""Offline HTML for folium maps: Leaflet 1.9.4 inlined from ``mapview/static/leaflet`` (BSD-2-Clause).

folium's ``Map`` links Leaflet, jQuery, Bootstrap, Font Awesome and Awesome-Markers from public CDNs
(``cdn.jsdelivr.net``, ``code.jquery.com``, ``cdnjs.cloudflare.com``, ``netdna.bootstrapcdn.com``). On a
network without internet that map draws nothing. :func:`standalone_html` removes every such link and
inlines the one library the GPMB map needs, Leaflet (its CSS images become ``data:`` URIs), and the
map's own parcel layer and people-side markers (``mapview/static/gpmb/parcels.js``, ``markers.js``), so the page works from a ``file://`` path, inside a Streamlit iframe, or sent by e-mail.

The vendored files come unmodified from the npm package ``leaflet@1.9.4`` (``dist/leaflet.js``,
``dist/leaflet.css``, ``dist/images/*.png``), with its ``LICENSE``. One change is made when inlining:
the ``href="https://leafletjs.com"`` of the attribution prefix is dropped (the map still shows
"Leaflet" with its title, and the licence comment stays), so the page holds no link to the network.

The page carries a Content-Security-Policy (:func:`mapview.sandbox.with_policy`): it fetches nothing,
runs only its own inline scripts, and loads images only from ``data:`` or, when it offers a tile
basemap, from that tile server.
"""
from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

import folium
from branca.element import Element, Figure
from folium.elements import JSCSSMixin

from mapview.sandbox import tile_source, with_policy

LEAFLET_DIR = Path(__file__).resolve().parent / "static" / "leaflet"
#: The GPMB parcel layer (canvas drawing, hit-testing, tooltips, restyle), written for this repository.
PARCELS_JS = Path(__file__).resolve().parent / "static" / "gpmb" / "parcels.js"
#: The people-side markers drawn from the parcel layer's state (needs ``parcels.js`` first).
MARKERS_JS = PARCELS_JS.with_name("markers.js")
LEAFLET_VERSION = "1.9.4"

#: Libraries folium links by default that the GPMB map does not use (no Bootstrap popups, no
#: awesome-markers, no jQuery): their links are dropped, not vendored.
DROPPED_LIBRARIES = frozenset({
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
})
#: Libraries replaced by the vendored copy.
INLINED_LIBRARIES = frozenset({"leaflet", "leaflet_css"})

#: Host names of public CDNs that must never appear in the generated HTML.
CDN_HOSTS = (
    "cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "netdna.bootstrapcdn.com",
    "maxcdn.bootstrapcdn.com", "unpkg.com", "stackpath.bootstrapcdn.com", "fonts.googleapis.com",
    "rawcdn.githack.com", "rawgit.com",
)

_PLACEHOLDER = "<!-- gpmb: vendored leaflet -->"
_REMOTE_ATTR = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""",
                          re.IGNORECASE)
#: ``<a href="http…">`` links, in the markup or inside JavaScript strings (``\u003ca href=\"https://``).
_REMOTE_LINK = re.compile(r"""(?:<|\\u003c)a\b[^>]*?\bhref\s*=\s*\\?["']?\s*(?:https?:)?//[^"'\\\s>]*""",
                          re.IGNORECASE)
#: Leaflet's default attribution prefix link (``L.Control.Attribution``), unlinked when inlining.
LEAFLET_PREFIX_LINK = '<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">'
LEAFLET_PREFIX_PLAIN = '<a title="A JavaScript library for interactive maps">'


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    """``leaflet.css`` with its ``url(images/…)`` references replaced by base64 ``data:`` URIs."""
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        image = LEAFLET_DIR / "images" / match.group(1)
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", inline, css)


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    """The vendored ``leaflet.js`` (minified, 1.9.4) with its attribution prefix unlinked.

    Raises
    ------
    RuntimeError
        If the file cannot be inlined (contains ``</script``) or no longer holds the prefix link
        exactly once (another Leaflet version: check :data:`LEAFLET_PREFIX_LINK`).
    """
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    if "</script" in js.lower():  # would close the inline <script> early
        raise RuntimeError("leaflet.js contains '</script'; cannot be inlined")
    if js.count(LEAFLET_PREFIX_LINK) != 1:
        raise RuntimeError("leaflet.js: attribution prefix link not found once; update LEAFLET_PREFIX_LINK")
    return js.replace(LEAFLET_PREFIX_LINK, LEAFLET_PREFIX_PLAIN)


def _own_script(path: Path) -> str:
    js = path.read_text(encoding="utf-8")
    if "<script" in js.lower() or "</script" in js.lower():  # would close the block or skew counts
        raise RuntimeError(f"{path.name} contains '<script' or '</script'; cannot be inlined")
    return js


@lru_cache(maxsize=1)
def parcels_js() -> str:
    """``mapview/static/gpmb/parcels.js``, the parcel layer's client code (needs Leaflet first).

    Raises
    ------
    RuntimeError
        If the file contains ``<script`` or ``</script`` (the latter would close the inline block early).
    """
    return _own_script(PARCELS_JS)


@lru_cache(maxsize=1)
def markers_js() -> str:
    """``mapview/static/gpmb/markers.js``, the people-side markers' client code (needs ``parcels.js`` first).

    Raises
    ------
    RuntimeError
        As :func:`parcels_js`.
    """
    return _own_script(MARKERS_JS)


def _walk(root: Element):
    """Every element under ``root`` (``root`` included)."""
    stack = [root]
    while stack:
        element = stack.pop()
        stack.extend(element._children.values())
        yield element


def _strip_cdn_links(root: Figure) -> None:
    """Empty ``default_js``/``default_css`` of every element under ``root`` (instance attributes only:
    folium's class defaults stay untouched for other maps in the same process).

    Raises
    ------
    ValueError
        If an element needs a library that is neither vendored nor known to be unused (e.g. a
        folium plugin): the map would silently break offline, so refuse instead.
    """
    stack = [root]
    while stack:
        element = stack.pop()
        stack.extend(element._children.values())
        if isinstance(element, JSCSSMixin):
            for attr in ("default_js", "default_css"):
                for name, url in getattr(element, attr):
                    if name not in DROPPED_LIBRARIES | INLINED_LIBRARIES:
                        raise ValueError(
                            f"Map element {type(element).__name__} needs {name} from {url}, which is not "
                            "vendored in mapview/static; the map would not work offline."
                        )
                setattr(element, attr, [])


def remote_references(html: str, *, links: bool = True) -> list[str]:
    """What in ``html`` points at the network. Empty list = the page is self-contained.

    Parameters
    ----------
    html : str
        A rendered page.
    links : bool, default True
        Also list ``<a href="http…">`` links, in the markup or inside JavaScript strings (a link
        fetches nothing on load, but a file meant for an offline network should not offer one).

    Returns
    -------
    list of str
        Tags that would fetch something when the page loads (``<script src=…>``, ``<link href=…>``,
        ``<img>``, ``<iframe>``), any mention of a public CDN host (:data:`CDN_HOSTS`) and, with
        ``links``, each ``<a href="http…">``. Tile URL templates inside JavaScript (the optional
        basemap, off by default) are not tags and are not listed.
    """
    found = [m.group(0) for m in _REMOTE_ATTR.finditer(html)]
    found += [host for host in CDN_HOSTS if host in html]
    if links:
        found += [m.group(0) for m in _REMOTE_LINK.finditer(html)]
    return found


def standalone_html(m: folium.Map) -> str:
    """Render ``m`` as one self-contained HTML document with Leaflet inlined and no CDN link.

    Parameters
    ----------
    m : folium.Map
        Built by :func:`mapview.build_map` (or any map using only core folium layers).

    Returns
    -------
    str
        The HTML document (UTF-8 text). Size is dominated by Leaflet (~160 kB) and the GeoJSON. Its
        ``<head>`` starts with the CSP ``<meta>`` of :func:`mapview.sandbox.map_policy` (img-src also
        allows the server of each tile layer, e.g. ``https://tile.openstreetmap.org``, only if the map
        has one).

    Raises
    ------
    ValueError
        If an element needs a JavaScript/CSS library that is not vendored (e.g. a folium plugin).
    RuntimeError
        If, after rendering, the HTML still references a remote script/stylesheet or a CDN host, or
        holds an ``<a href="http…">`` link while the map has no tile layer (an online basemap's
        attribution must link to its source, so links are allowed only then).
    """
    if not isinstance(m, folium.Map):
        raise TypeError(f"standalone_html expects a folium.Map, not {type(m).__name__}")
    root = m.get_root()
    _strip_cdn_links(root)
    if _PLACEHOLDER not in root.header._children:
        root.header.add_child(Element(_PLACEHOLDER), name=_PLACEHOLDER, index=0)
    html = root.render()
    vendored = (f"<style>/* Leaflet {LEAFLET_VERSION} (BSD-2-Clause) */\n{leaflet_css()}</style>\n"
                f"<script>/* Leaflet {LEAFLET_VERSION} (BSD-2-Clause, (c) Volodymyr Agafonkin, CloudMade) */\n"
                f"{leaflet_js()}</script>\n<script>{parcels_js()}</script>\n<script>{markers_js()}</script>")
    html = html.replace(_PLACEHOLDER, vendored, 1)
    tiles = [tile_source(e.tiles) for e in _walk(root) if isinstance(e, folium.TileLayer)]
    remaining = remote_references(html, links=not tiles)
    if remaining:
        raise RuntimeError(f"Offline map HTML still references the network: {remaining[:5]}")
    return with_policy(html, tiles)
