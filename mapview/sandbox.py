"""Keep file-supplied text inert in the map documents: a Content-Security-Policy and a sandboxed frame.

Every text of the map that comes from a file or the store is HTML-escaped where it is built
(:mod:`mapview.context`, :mod:`mapview.parcels`, :mod:`mapview.preview`). This module is the second
wall, for the day an escape is missed:

* :func:`map_policy` / :func:`with_policy` – a ``<meta http-equiv="Content-Security-Policy">`` in the
  map page: nothing is fetched (``default-src 'none'``, ``connect-src 'none'``), images only from
  ``data:``/``blob:`` and, when the page offers a tile basemap, from that tile server; no forms, no
  ``<base>``. folium writes the whole map as inline ``<script>`` blocks, so ``script-src`` must allow
  inline scripts: it lists the SHA-256 hash of each of the page's own blocks next to
  ``'unsafe-inline'``. A browser that knows hashes (CSP level 2, every current one) then ignores
  ``'unsafe-inline'``, so markup that slipped in from data cannot run an ``onerror=`` handler or a
  ``javascript:`` URL; ``'unsafe-inline'`` is kept only as the fallback of CSP-1 browsers.
* :func:`sandboxed_document` – a page whose only content is the map in an
  ``<iframe sandbox="allow-scripts" srcdoc="…">``: the map runs with an opaque origin, so a script in
  it cannot read or click the app around it (Streamlit's ``st.iframe``/``components.html`` frame is
  same-origin with the app), cannot navigate the top window, open pop-ups or submit forms.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

#: Start and end of inline ``<script>`` blocks (no ``src``: :func:`mapview.offline.standalone_html`
#: removed them all). Two searches instead of one lazy ``.*?`` pattern: 2 ms instead of 140 ms for 6 MB.
_SCRIPT_OPEN = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script", re.IGNORECASE)
#: ``type`` of a data block (the parcel layer's payload), which the browser never executes.
_DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']?application/json\b""", re.IGNORECASE)
_POLICY_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


def _script_texts(page: str) -> Iterator[str]:
    """The text of each executable ``<script>…</script>`` block of ``page``, in order (a browser ends a
    block at the first ``</script``, whatever its case); ``type="application/json"`` data blocks are
    left out."""
    position = 0
    while (start := _SCRIPT_OPEN.search(page, position)) is not None:
        end = _SCRIPT_CLOSE.search(page, start.end())
        if end is None:
            return
        if not _DATA_BLOCK.search(start.group(0)):  # a JSON data block never runs: nothing to allow
            yield page[start.end():end.start()]
        position = end.end()


def script_hashes(page: str) -> list[str]:
    """CSP source expressions ``'sha256-…'`` of every inline ``<script>`` block of ``page``, in order
    (each distinct text once). The hash is over the block's text as UTF-8, as browsers compute it."""
    seen: dict[str, None] = {}
    for text in _script_texts(page):
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        seen.setdefault(f"'sha256-{base64.b64encode(digest).decode('ascii')}'", None)
    return list(seen)


def tile_source(url_template: str) -> str:
    """The CSP source of a Leaflet tile URL template: ``https://tile.openstreetmap.org/{z}/{x}/{y}.png``
    → ``https://tile.openstreetmap.org``; a ``{s}`` subdomain becomes ``*``.

    Raises
    ------
    ValueError
        If the template is not an absolute ``http(s)`` URL.
    """
    parts = urlsplit(url_template.replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"Tile URL is not an absolute http(s) URL: {url_template!r}")
    return f"{parts.scheme}://{parts.netloc}"


def map_policy(page: str = "", tile_sources: Iterable[str] = ()) -> str:
    """The Content-Security-Policy of a map document.

    Parameters
    ----------
    page : str
        The HTML whose inline scripts may run (their hashes are listed); ``""`` lists none, so only
        ``'unsafe-inline'`` applies (CSP-1 behaviour).
    tile_sources : iterable of str
        CSP sources images may also come from (:func:`tile_source` of each tile layer the page offers).

    Returns
    -------
    str
        ``default-src 'none'; script-src 'self' 'unsafe-inline' 'sha256-…'; style-src 'unsafe-inline';
        img-src data: blob: [tiles]; connect-src 'none'; …``.
    """
    scripts = " ".join(["'self'", "'unsafe-inline'", *script_hashes(page)])
    images = " ".join(["data:", "blob:", *dict.fromkeys(tile_sources)])
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src {images}; "
            "connect-src 'none'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'")


def policy_meta(policy: str) -> str:
    """``<meta http-equiv="Content-Security-Policy" content="…">`` holding ``policy``."""
    return f'<meta http-equiv="Content-Security-Policy" content="{_attribute(policy)}">'


def page_policy(page: str) -> str | None:
    """The policy of the CSP ``<meta>`` written by :func:`with_policy` into ``page``, or None."""
    match = _POLICY_META.search(page)
    return html.unescape(match.group(1)) if match else None


def with_policy(page: str, tile_sources: Iterable[str] = ()) -> str:
    """``page`` with :func:`map_policy` as the first element of its ``<head>`` (before any script).

    Raises
    ------
    ValueError
        If ``page`` has no ``<head>`` or already holds a CSP ``<meta>``.
    """
    head = _HEAD.search(page)
    if head is None:
        raise ValueError("The map page has no <head>: cannot add its Content-Security-Policy")
    if page_policy(page) is not None:
        raise ValueError("The map page already holds a Content-Security-Policy")
    meta = policy_meta(map_policy(page, tile_sources))
    return page[:head.end()] + meta + page[head.end():]


def sandboxed_document(page: str, title: str = "Bản đồ") -> str:
    """A page showing ``page`` in an ``<iframe sandbox="allow-scripts" srcdoc="…">`` filling it.

    Pass it to ``st.iframe`` / ``components.html`` instead of the map itself.

    Parameters
    ----------
    page : str
        A map document, normally from :func:`mapview.offline.standalone_html` (which carries a CSP).
    title : str
        Accessible name of the inner frame (plain text; escaped).

    Returns
    -------
    str
        An HTML document without script of its own. Its CSP is the map's own (a ``srcdoc`` frame
        inherits its parent's policy, so the outer one must allow what the map needs), or
        :func:`map_policy` of ``page`` when ``page`` has none. The frame has no ``allow-same-origin``
        (opaque origin: ``parent.document`` throws), no ``allow-top-navigation``, ``allow-popups``,
        ``allow-forms`` or ``allow-modals``; its ``srcdoc`` is ``page`` escaped as an attribute value
        (about the size of ``page``; escaping takes ~10 ms for 6 MB).
    """
    policy = page_policy(page) or map_policy(page)
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + policy_meta(policy)
            + "<style>html,body{margin:0;height:100%;overflow:hidden}"
              "iframe{display:block;border:0;width:100%;height:100%}</style></head><body>"
            + f'<iframe sandbox="allow-scripts" referrerpolicy="no-referrer" title="{html.escape(title)}" '
              f'srcdoc="{_attribute(page)}"></iframe></body></html>')


def _attribute(text: str) -> str:
    """``text`` as a double-quoted attribute value: ``&``, ``<``, ``>`` and ``"`` escaped; ``'`` is left
    as is (frequent in JavaScript; escaping it would nearly double the size of the page)."""
    return html.escape(text, quote=False).replace('"', "&quot;")
