"""Interactive HTML map export: the dashboard's map as one self-contained file for a USB stick.

The map itself is :func:`mapview.build_map` + :func:`mapview.standalone_html` (the same layers,
colours, legend, risk flags and tooltips as the dashboard; Leaflet inlined, nothing fetched). This
module only adds the document title, a header with the as-of date and data version, the caveats and
the personal-data statement, and switches the optional online tile basemap off so the file names no
network address at all. Land users' names appear in the tooltips only with ``include_personal_data``.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from exports.options import ExportOptions
from exports.personal import (
    NO_PERSONAL_DATA_NOTE_VI,
    PERSONAL_DATA_NOTICE_VI,
    strip_personal_data,
)
from exports.provenance import (
    APP_NAME,
    ATTRIBUTIONS_VI,
    as_of_text_vi,
    caveat_notes_vi,
    data_version_of,
    report_title_vi,
)
from milestones.filters import Filters
from vocab.escape import html_text

if TYPE_CHECKING:
    from milestones.snapshot import Snapshot
    from store.protocol import LayerReader


_HEADER_CSS = """
<style>
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; }
  #gpmb-export-header { flex: 0 0 auto; padding: 6px 12px; background: #1a237e; color: #fff; }
  #gpmb-export-header h1 { font-size: 17px; margin: 0 0 2px 0; }
  #gpmb-export-header .meta { font-size: 12px; opacity: .92; }
  #gpmb-export-header .notes { font-size: 11px; opacity: .85; margin-top: 2px; }
  #gpmb-export-footer { flex: 0 0 auto; padding: 3px 12px; font-size: 10px; color: #424242; background: #f5f5f5; }
  .folium-map { flex: 1 1 auto; position: relative !important; height: auto !important; }
</style>
"""


#: ``src``/``href`` attributes that point at the network (also inside JavaScript strings).
REMOTE_LINK = re.compile(r"""(?:src|href)\s*=\s*\\?["']?\s*(?:https?:)?//""", re.IGNORECASE)


def export_html(snapshot: Snapshot, store: LayerReader, options: ExportOptions | None = None) -> str:
    """The interactive offline map of ``snapshot`` as one HTML document.

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        ``parcels`` (GeoDataFrame EPSG:9215 with stage, flags), ``as_of``, ``data_version``.
    store : store object
        Context layers for :func:`mapview.build_map` (projects, centrelines, communes, roads).
    options : ExportOptions, optional
        ``project_id`` limits the map to one project (the dashboard's project filter).
        ``include_personal_data`` adds the land user's name to the parcel tooltips (internal use);
        the header and footer then say the file holds personal data. By default the file holds
        none and its footer says so.

    Returns
    -------
    str
        A complete HTML document (UTF-8): ``<title>``, a header with title, as-of date
        (dd/mm/yyyy) and data version, the map, a footer with caveats and sources. No ``http://`` or
        ``https://`` ``src``/``href``; opens from a file with no network.

    Raises
    ------
    ValueError
        If ``options.project_id`` is not a project of the snapshot.
    RuntimeError
        From :func:`mapview.standalone_html` if the page would still reference the network.
    """
    from mapview import (  # the dashboard's map, not a second one
        build_map,
        standalone_html,
    )

    options = options or ExportOptions()
    projects = snapshot.projects
    name = None
    if options.project_id is not None:
        match = projects[projects["project_id"] == options.project_id]
        if match.empty:
            raise ValueError(f"Không có dự án {options.project_id!r}; các mã dự án: "
                             f"{', '.join(map(str, projects['project_id']))}")
        name = str(match.iloc[0].get("name", options.project_id))
    shown = snapshot
    if not options.include_personal_data and hasattr(snapshot, "__dataclass_fields__"):
        import dataclasses

        shown = dataclasses.replace(snapshot, parcels=strip_personal_data(snapshot.parcels))
    filters = Filters(project_ids=(options.project_id,)) if options.project_id else Filters()
    fmap = build_map(shown, store, filters, tile_basemap=False,
                     include_personal_data=options.include_personal_data)
    page = standalone_html(fmap)  # raises if anything would still point at the network

    dv = data_version_of(snapshot)
    title = report_title_vi(name)
    layers = store.projects()
    parcels = snapshot.parcels
    if options.project_id is not None:
        layers = layers[layers["project_id"] == options.project_id]
        parcels = parcels[parcels["project_id"] == options.project_id]
    notes = caveat_notes_vi(layers, parcels)
    e = html_text
    header = (
        f'<div id="gpmb-export-header"><h1>{e(title)}</h1>'
        f'<div class="meta"><b>{e(as_of_text_vi(snapshot.as_of))}</b> · {e(dv.text_vi())}</div>'
        + (f'<div class="notes">{e(" ".join(notes))}</div>' if notes else "")
        + (f'<div class="notes"><b>{e(PERSONAL_DATA_NOTICE_VI)}</b></div>' if options.include_personal_data else "")
        + "</div>"
    )
    personal_note = PERSONAL_DATA_NOTICE_VI if options.include_personal_data else NO_PERSONAL_DATA_NOTE_VI
    footer = (f'<div id="gpmb-export-footer">{e(personal_note)} Nguồn: {e(" ".join(ATTRIBUTIONS_VI))} '
              f'Lập bằng {e(APP_NAME)}; mở được không cần Internet.</div>')
    head_extra = f"<title>{e(title)} – {e(as_of_text_vi(snapshot.as_of))}</title>{_HEADER_CSS}"
    page = page.replace("<head>", "<head>" + head_extra, 1) if "<head>" in page else head_extra + page
    body = re.search(r"<body[^>]*>", page)
    if body:
        page = page[:body.end()] + header + page[body.end():]
    else:
        page = header + page
    page = page.replace("</body>", footer + "</body>", 1) if "</body>" in page else page + footer
    return page
