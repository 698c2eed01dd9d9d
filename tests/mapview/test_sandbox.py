"""The map documents' Content-Security-Policy and the sandboxed frame around them."""
import base64
import hashlib
import html
import re
from datetime import date

import pytest

from mapview import build_map, remote_references, sandboxed_document, standalone_html
from mapview.sandbox import map_policy, page_policy, script_hashes, tile_source, with_policy
from tests.dashboard import synthetic


@pytest.fixture
def store():
    return synthetic.FakeStore()


@pytest.fixture
def snap(store):
    return synthetic.compute_snapshot(store, date(2024, 6, 30))


def directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def test_policy_fetches_nothing_and_runs_only_listed_scripts():
    page = "<head></head><script>var a = 1;</script><script>var a = 1;</script><script >var b;</script>"
    d = directives(map_policy(page))
    assert d["default-src"] == d["connect-src"] == d["object-src"] == d["base-uri"] == ["'none'"]
    assert d["form-action"] == d["font-src"] == ["'none'"]
    assert d["style-src"] == ["'unsafe-inline'"] and d["img-src"] == ["data:", "blob:"]
    expected = [f"'sha256-{base64.b64encode(hashlib.sha256(t.encode()).digest()).decode()}'"
                for t in ("var a = 1;", "var b;")]
    assert d["script-src"] == ["'self'", "'unsafe-inline'", *expected]       # each distinct block once
    assert script_hashes("<p>no script</p>") == []


def test_tile_source_of_templates():
    assert tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tile_source("https://{s}.tile.example.org:8443/{z}/{x}/{y}.png") == "https://*.tile.example.org:8443"
    with pytest.raises(ValueError, match="absolute"):
        tile_source("/tiles/{z}/{x}/{y}.png")


def test_tile_server_allowed_only_when_the_map_offers_the_basemap(snap, store):
    with_tiles = page_policy(standalone_html(build_map(snap, store)))
    without = page_policy(standalone_html(build_map(snap, store, tile_basemap=False)))
    assert directives(with_tiles)["img-src"] == ["data:", "blob:", "https://tile.openstreetmap.org"]
    assert directives(without)["img-src"] == ["data:", "blob:"]
    # the basemap stays offered but off, and the policy does not count as a network reference
    assert "tile.openstreetmap.org/{z}" in standalone_html(build_map(snap, store))
    assert remote_references(standalone_html(build_map(snap, store, tile_basemap=False))) == []


def test_policy_comes_before_every_script_and_lists_each_of_them(snap, store):
    page = standalone_html(build_map(snap, store))
    head = page.index("<head>") + len("<head>")
    assert page[head:].startswith('<meta http-equiv="Content-Security-Policy" content="default-src \'none\';')
    assert page.index("Content-Security-Policy") < page.index("<script")
    listed = directives(page_policy(page))["script-src"][2:]
    blocks = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(blocks) >= 3 and len(set(blocks)) == len(listed)
    with pytest.raises(ValueError, match="already"):
        with_policy(page)
    with pytest.raises(ValueError, match="<head>"):
        with_policy("<p>x</p>")


def test_sandboxed_document_keeps_the_map_opaque_and_intact(snap, store):
    page = standalone_html(build_map(snap, store))
    outer = sandboxed_document(page, title='Bản đồ "xem trước" <x>')
    frame = re.search(r'<iframe ([^>]*?)srcdoc="([^"]*)"></iframe>', outer)
    assert frame and html.unescape(frame.group(2)) == page                  # the map, unchanged
    attrs = frame.group(1)
    assert 'sandbox="allow-scripts"' in attrs and "same-origin" not in outer
    for power in ("allow-top-navigation", "allow-popups", "allow-forms", "allow-modals"):
        assert power not in outer
    assert 'title="Bản đồ &quot;xem trước&quot; &lt;x&gt;"' in attrs
    outside = outer.replace(frame.group(0), "")
    assert "<script" not in outside.lower() and "<" not in frame.group(2)
    assert page_policy(outer) == page_policy(page)                           # srcdoc inherits it


def test_sandboxed_document_of_a_page_without_policy_gets_one():
    outer = sandboxed_document("<html><head></head><body><script>var x;</script></body></html>")
    d = directives(page_policy(outer))
    assert d["default-src"] == ["'none'"] and len(d["script-src"]) == 3
