"""QGIS layer styles: a categorised polygon renderer as QML (QGIS) and SLD 1.1 (OGC SE) text.

The store keeps such a style in the ``layer_styles`` table (the table QGIS itself reads and writes,
on GeoPackage and PostGIS), so a layer opened in QGIS shows the dashboard's colours at once. Text is
built with :mod:`xml.etree.ElementTree`, which escapes labels (any text a user could type) for XML.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: QGIS version the QML declares (any QGIS 3 reads it).
QML_VERSION = "3.28.0"

_SLD_NS = {"": "http://www.opengis.net/sld", "se": "http://www.opengis.net/se",
           "ogc": "http://www.opengis.net/ogc"}


@dataclass(frozen=True)
class Category:
    """One class of a categorised renderer: the field ``value``, its legend ``label``, ``#rrggbb`` fill."""

    value: str
    label: str
    colour: str


def _rgba(colour: str) -> str:
    """``#43a047`` → ``67,160,71,255`` (QGIS colour option).

    Raises
    ------
    ValueError
        If ``colour`` is not ``#rrggbb``.
    """
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"Màu phải có dạng #rrggbb, nhận {colour!r}.")
    return ",".join(str(int(text[i:i + 2], 16)) for i in (0, 2, 4)) + ",255"


def _fill_symbol(parent: ET.Element, name: str, fill: str, outline: str) -> None:
    symbol = ET.SubElement(parent, "symbol", type="fill", name=name, alpha="1", clip_to_extent="1",
                           force_rhr="0")
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
    options = ET.SubElement(layer, "Option", type="Map")
    for key, value in (("color", _rgba(fill)), ("outline_color", _rgba(outline)), ("outline_style", "solid"),
                       ("outline_width", "0.26"), ("outline_width_unit", "MM"), ("style", "solid")):
        ET.SubElement(options, "Option", name=key, type="QString", value=value)


def categorized_qml(field: str, categories: Sequence[Category], *, outline: str = "#37474f",
                    aliases: Mapping[str, str] | None = None) -> str:
    """A QGIS QML style: polygons coloured by ``field`` (one class per category), with field aliases.

    Parameters
    ----------
    field : str
        Attribute the renderer classifies on (``stage``).
    categories : sequence of Category
        In legend order; values are compared as text.
    outline : str
        ``#rrggbb`` outline of every class.
    aliases : mapping of str to str, optional
        Column → alias shown by QGIS in forms and the attribute table.

    Returns
    -------
    str
        The QML document (``<!DOCTYPE qgis …>``), UTF-8 text.

    Raises
    ------
    ValueError
        No category, or a colour not ``#rrggbb``.
    """
    if not categories:
        raise ValueError("Kiểu hiển thị cần ít nhất một nhóm.")
    root = ET.Element("qgis", version=QML_VERSION, styleCategories="Symbology|Fields")
    renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=field, symbollevels="0",
                             enableorderby="0", forceraster="0", referencescale="-1")
    cats = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, cat in enumerate(categories):
        ET.SubElement(cats, "category", value=str(cat.value), label=cat.label, symbol=str(i), render="true",
                      type="string")
        _fill_symbol(symbols, str(i), cat.colour, outline)
    if aliases:
        names = ET.SubElement(root, "aliases")
        for i, (column, alias) in enumerate(aliases.items()):
            ET.SubElement(names, "alias", field=column, index=str(i), name=alias)
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def categorized_sld(layer_name: str, field: str, categories: Sequence[Category], *, outline: str = "#37474f") -> str:
    """The same classes as :func:`categorized_qml` as an SLD 1.1 document (for GeoServer, MapLibre tools).

    Returns
    -------
    str
        ``<StyledLayerDescriptor version="1.1.0">`` with one ``se:Rule`` per category
        (``ogc:PropertyIsEqualTo`` on ``field``).
    """
    for prefix, uri in _SLD_NS.items():
        ET.register_namespace(prefix, uri)
    sld, se, ogc = (f"{{{_SLD_NS[k]}}}" for k in ("", "se", "ogc"))
    root = ET.Element(sld + "StyledLayerDescriptor", version="1.1.0")
    layer = ET.SubElement(root, sld + "NamedLayer")
    ET.SubElement(layer, se + "Name").text = layer_name
    style = ET.SubElement(ET.SubElement(layer, sld + "UserStyle"), se + "FeatureTypeStyle")
    for cat in categories:
        rule = ET.SubElement(style, se + "Rule")
        ET.SubElement(rule, se + "Name").text = cat.label
        equal = ET.SubElement(ET.SubElement(rule, ogc + "Filter"), ogc + "PropertyIsEqualTo")
        ET.SubElement(equal, ogc + "PropertyName").text = field
        ET.SubElement(equal, ogc + "Literal").text = str(cat.value)
        symbolizer = ET.SubElement(rule, se + "PolygonSymbolizer")
        fill = ET.SubElement(symbolizer, se + "Fill")
        ET.SubElement(fill, se + "SvgParameter", name="fill").text = cat.colour
        stroke = ET.SubElement(symbolizer, se + "Stroke")
        ET.SubElement(stroke, se + "SvgParameter", name="stroke").text = outline
        ET.SubElement(stroke, se + "SvgParameter", name="stroke-width").text = "1"
    return ET.tostring(root, encoding="unicode", xml_declaration=False) + "\n"
