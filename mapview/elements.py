"""folium/branca elements of the map that render data as data (never as a Jinja template).

* :class:`DataLayer` – a GeoJSON layer fed with GeoJSON **text**, spliced verbatim into the page.
* :class:`HtmlControl` – a Leaflet control holding fixed HTML (title box, legend).
* :class:`MetricScale` – a scale bar in metres and kilometres only.
* :class:`LookupTables` – ``window.GPMB``: the label tables parcel tooltips index into.
* :class:`FitWhenSized` – fit the view to bounds once the map has a size.
* :class:`ParcelLayer` – the canvas parcel layer; :class:`MarkerLayer` – one kind of people-side markers on it.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.map import ElementAddToElement
from folium.utilities import get_obj_in_upper_tree
from jinja2 import Template


class Raw(Element):
    """Already-rendered text, inserted as is (branca would compile it as a Jinja template again)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class DataLayer(folium.GeoJson):
    """``folium.GeoJson`` fed with GeoJSON **text**, whose rendered script is inserted verbatim.

    * The text (built in C by :func:`mapview.layers.feature_collection_json`) is spliced into folium's
      script in place of a placeholder, skipping a ``json.loads``/``json.dumps`` round trip of megabytes.
    * branca's ``MacroElement.render`` would wrap the script in ``Element(output)``, compiling the whole
      output – GeoJSON included – as a Jinja template: slow (≈0.2 s per MB) and fragile (a ``{{`` in a
      name would be read as template syntax).

    Only for layers without ``style_function``/``highlight_function`` (styles come from
    ``on_each_feature``).

    Raises
    ------
    ValueError
        At render time, if a ``style_function`` or ``highlight_function`` was given.
    RuntimeError
        At render time, if folium's template no longer holds the data placeholder exactly once.
    """

    def __init__(self, data_json: str, **kwargs: Any) -> None:
        self._token = f"gpmb-{uuid.uuid4().hex}"
        super().__init__({"gpmb": self._token}, **kwargs)
        # "<" only occurs inside JSON strings: escaping it keeps "</script>" out of the page.
        self._data_json = data_json.replace("<", "\\u003c")

    def geojson(self) -> dict:
        """The layer's data as a dict (for tests and inspection)."""
        return json.loads(self._data_json)

    def render(self, **kwargs) -> None:
        if self.style or self.highlight:
            raise ValueError("DataLayer does not support style_function/highlight_function")
        self.parent_map = get_obj_in_upper_tree(self, folium.Map)
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("A map layer can only be rendered inside a folium Figure")
        script = str(self._template.module.__dict__["script"](self, kwargs))
        placeholder = json.dumps({"gpmb": self._token})
        if script.count(placeholder) != 1:
            raise RuntimeError("folium's GeoJson template changed: data placeholder not found once")
        figure.script.add_child(Raw(script.replace(placeholder, self._data_json)), name=self.get_name())
        if self.show:  # what folium.map.Layer.render does
            self.add_child(ElementAddToElement(element_name=self.get_name(),
                                               element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")
        for element in self._children.values():
            element.render(**kwargs)


class HtmlControl(MacroElement):
    """A Leaflet control holding fixed HTML (legend, title), passed as data so no templating applies."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "GpmbControl"
        self.html = html_text
        self.position = position
        self.css_class = css_class


class MetricScale(MacroElement):
    """Leaflet scale bar in metres/kilometres only (folium's ``control_scale`` adds feet and miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class LookupTables(MacroElement):
    """``window.GPMB``: lookup tables (JSON-serialisable dict) and a tooltip builder (JavaScript function
    text), defined before the layers that use them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.GPMB = {{ this.tables|tojson }};
        window.GPMB.tip = {{ this.tip_js }};
        {% endmacro %}
        """
    )

    def __init__(self, tables: dict, tip_js: str) -> None:
        super().__init__()
        self._name = "GpmbLookup"
        self.tables = tables
        self.tip_js = tip_js


class FitWhenSized(MacroElement):
    """Fit the map to ``bounds`` (``[[south, west], [north, east]]``, EPSG:4326) without animation, as soon
    as its container has a size.

    A map whose frame starts with no height (a Streamlit iframe before its first layout, the sandboxed
    frame inside it) would otherwise be fitted into 0 pixels: Leaflet computes zoom ``Infinity`` and
    draws no path, even after the frame grows. Here the fit waits for the first ``resize`` that gives
    the map a width and a height: a window ``resize`` or a ``ResizeObserver`` report of the map's
    container, whichever comes first; the observer also tells Leaflet of every later change of the
    container's size (Leaflet itself listens to the window only). No zoom animation: Leaflet animates a fit of up to 4 zoom levels,
    and while it runs it silently ignores any other ``setView`` (a user's first zoom).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            function fit() {
                var size = map.getSize();
                if (!size.x || !size.y) { return false; }
                {{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }}, {{ this.options|tojson }});
                return true;
            }
            var fitted = fit();
            // Leaflet re-reads its size only on a window resize; the container can change size without one
            // reaching this window (a frame laid out late): then the map kept 0 × 0 and drew nothing.
            var sync = function() {
                var box = map.getContainer(), size = map.getSize();
                if (box.clientWidth !== size.x || box.clientHeight !== size.y) {
                    map.invalidateSize({pan: false, debounceMoveend: true});
                }
                if (!fitted) { fitted = fit(); }
            };
            window.addEventListener('resize', sync);
            if (window.ResizeObserver) { new ResizeObserver(sync).observe(map.getContainer()); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list, padding_px: int = 0) -> None:
        super().__init__()
        self._name = "GpmbFit"
        self.bounds = bounds
        self.options = {"padding": [padding_px, padding_px], "animate": False}


class ParcelLayer(folium.map.Layer):
    """The canvas parcel layer (``window.GPMBParcels.layer`` of ``mapview/static/gpmb/parcels.js``).

    Parameters
    ----------
    payload : dict
        ``geometry`` (:func:`mapview.encode.encode_geometries`), ``columns`` (static tooltip columns,
        :func:`mapview.encode.columnar`), ``tables`` (label tables) and ``state``
        (:func:`mapview.parcel_layer.parcel_state`); spliced verbatim as JSON into the page.
    options : dict
        Leaflet options of the layer: ``colours`` (per stage index), ``edge``, ``risk``, ``fillOpacity``.
    name : str
        Name in the layer control.
    """

    def __init__(self, payload: dict, options: dict, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "GpmbParcels"
        self.payload = payload
        self.options = options

    def geojson(self) -> dict:
        """The shown parcels as a GeoJSON FeatureCollection (EPSG:4326) with the properties the browser
        gives the tooltip (static columns, ``s``, ``r``, ``d``, ``f`` as a list of flag indices) — for
        tests and inspection."""
        from mapview.parcel_layer import payload_features

        return payload_features(self.payload)

    def render(self, **kwargs) -> None:
        from mapview.encode import script_json, split_blocks

        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("A map layer can only be rendered inside a folium Figure")
        # The payload as JSON data blocks (never executed, so outside the CSP's script hashes' concern),
        # read with JSON.parse by the layer script: the ASCII-only entries, then the others (split_blocks).
        data_id = f"{self.get_name()}_data"
        first, second = split_blocks(self.payload)
        figure.header.add_child(Raw(f'<script type="application/json" id="{data_id}">{first}</script>'), name=data_id)
        if second is not None:
            figure.header.add_child(Raw(f'<script type="application/json" id="{data_id}_text">{second}</script>'),
                                    name=f"{data_id}_text")
        script = f"var {self.get_name()} = window.GPMBParcels.layer({json.dumps(data_id)}, {script_json(self.options)});"
        figure.script.add_child(Raw(script), name=self.get_name())
        if self.show:
            self.add_child(ElementAddToElement(element_name=self.get_name(),
                                               element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")
        for element in self._children.values():
            element.render(**kwargs)


class MarkerLayer(folium.map.Layer):
    """One kind of people-side markers (``window.GPMBMarkers.layer`` of ``mapview/static/gpmb/markers.js``):
    small circles at the label points of the parcels that ``state.markers[kind]`` of ``parcels`` lists,
    redrawn after each ``setState``. Add it to the map after ``parcels`` (its script reads that layer).

    Parameters
    ----------
    parcels : ParcelLayer
        The parcel layer whose state and geometry the markers follow.
    options : dict
        ``kind`` (key of ``state.markers``), ``colour``, ``offset`` (pixels sideways from the label point),
        optionally ``radius`` (pixels).
    name : str
        Name in the layer control.
    """

    def __init__(self, parcels: ParcelLayer, options: dict, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "GpmbMarkers"
        self.parcels = parcels
        self.options = options

    def render(self, **kwargs) -> None:
        from mapview.encode import script_json

        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("A map layer can only be rendered inside a folium Figure")
        script = (f"var {self.get_name()} = window.GPMBMarkers.layer({self.parcels.get_name()}, "
                  f"{script_json(self.options)});")
        figure.script.add_child(Raw(script), name=self.get_name())
        if self.show:
            self.add_child(ElementAddToElement(element_name=self.get_name(),
                                               element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")
        for element in self._children.values():
            element.render(**kwargs)
