"""Dense print pages (issue 13): parcels as one compound path per colour, rasterised inside the vector PDF."""
from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from shapely.geometry import MultiPolygon, Polygon, box

from exports import printmap
from exports.cartography import add_polygons, add_polygons_by_colour
from exports.options import ExportOptions
from exports.printmap import render_print_map


def _pixels(draw) -> np.ndarray:
    fig = Figure(figsize=(3, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 30)
    ax.set_ylim(0, 30)
    ax.axis("off")
    draw(ax)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return np.asarray(Image.open(buf).convert("RGB"), dtype=int)


def test_compound_paths_paint_what_one_path_per_parcel_paints():
    ring_cw = Polygon([(12, 12), (12, 18), (18, 18), (18, 12)])          # a hole given clockwise
    holed = Polygon(box(10, 10, 20, 20).exterior.coords[::-1], [ring_cw.exterior.coords])  # exterior clockwise too
    geoms = [box(1, 1, 8, 8), holed, MultiPolygon([box(22, 2, 28, 8), box(22, 22, 28, 28)]), None,
             Polygon(), box(2, 22, 8, 28)]
    colours = ["#e53935", "#1e88e5", "#43a047", "#000000", "#000000", "#e53935"]
    one_each = _pixels(lambda ax: add_polygons(ax, geoms, facecolors=colours, edgecolors=colours, linewidths=0))
    grouped = _pixels(lambda ax: add_polygons_by_colour(ax, geoms, colours, linewidths=0))
    assert (np.abs(one_each - grouped) > 60).mean() < 0.002            # same picture up to anti-aliasing
    centre = grouped[150, 150]                                          # the hole of the blue parcel stays empty
    assert tuple(centre) == (255, 255, 255)


def test_a_dense_page_is_an_image_inside_a_vector_pdf(snap, fake_store, monkeypatch):
    from pypdf import PdfReader

    monkeypatch.setattr(printmap, "RASTER_ABOVE_PARCELS", 1)            # the synthetic case is small
    pdf = render_print_map(snap, fake_store, ExportOptions(pages="overview"), "pdf")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    images = [name for name, obj in page["/Resources"]["/XObject"].items() if obj.get_object()["/Subtype"] == "/Image"]
    assert images                                                       # the parcels went into an image
    assert "CHÚ GIẢI" in page.extract_text()                            # and the text stayed text
    monkeypatch.setattr(printmap, "RASTER_ABOVE_PARCELS", 10**9)
    vector = PdfReader(io.BytesIO(render_print_map(snap, fake_store, ExportOptions(pages="overview"), "pdf"))).pages[0]
    xobjects = vector["/Resources"].get("/XObject", {})
    assert not [n for n, o in xobjects.items() if o.get_object()["/Subtype"] == "/Image"]
