"""``python cli.py chainage --project ID --as-of DATE [--segment-m 100] [--json]``: the chainage strip of a road.

Bands of ``--segment-m`` metres from the section start to its end with % handed over, blocking parcels and
the commune, the commune stretches, clean length and the longest clean stretch (:mod:`milestones.chainage_strip`).
``--json`` prints ``{"as_of", "project_id", "section_from_m", "section_to_m", "segment_m", "milestone_id",
"clean_m", "longest_clean_from_m", "longest_clean_to_m", "bands": [{band_from_m, band_to_m, parcels,
area_to_recover_m2, area_handed_over_m2, percent_handed_over, blocking_parcels, commune, clean}],
"communes": [{commune, from_m, to_m}]}`` (metres, m², null when none). Exit 0; 1 on an unknown project or a
project that is not a road; 2 on a usage error.
"""
from __future__ import annotations

import json
from datetime import date

from commands._common import add_as_of_argument, add_database_url_argument
from commands.status import emit, json_value
from domain import office_time
from domain.errors import GpmbError

NAME = "chainage"
HELP = "Dải lý trình của tuyến đường: % bàn giao từng đoạn, thửa quyết định mốc, ranh giới xã, km sạch"


def add_arguments(parser) -> None:
    parser.add_argument("--project", required=True, help="mã dự án đường, ví dụ CT_HNCL")
    parser.add_argument("--segment-m", type=float, default=100.0, help="độ dài mỗi đoạn, mét (mặc định 100)")
    add_as_of_argument(parser)
    add_database_url_argument(parser)
    parser.add_argument("--json", action="store_true", help="in dạng JSON (mét, m²)")


def strip_document(strip, as_of: date) -> dict:
    """A :class:`milestones.chainage_strip.ChainageStrip` as JSON-ready data."""
    head = {k: json_value(getattr(strip, k)) for k in ("project_id", "section_from_m", "section_to_m", "segment_m",
                                                       "milestone_id", "clean_m", "longest_clean_from_m",
                                                       "longest_clean_to_m")}
    return {"as_of": as_of.isoformat(), **head,
            "bands": [{k: json_value(v) for k, v in b.items()} for b in strip.bands.to_dict("records")],
            "communes": [{k: json_value(v) for k, v in c.items()} for c in strip.communes.to_dict("records")]}


def format_text(strip, as_of: date) -> str:
    """Vietnamese summary: clean km, longest clean stretch, commune stretches, bands not clean."""
    from gis.chainage import format_chainage as km
    from vocab.format import fmt_date, fmt_number, fmt_pct

    lines = [(f"Dải lý trình {strip.project_id} ({km(strip.section_from_m)} – {km(strip.section_to_m)}), "
              f"ngày {fmt_date(as_of)}, đoạn {fmt_number(strip.segment_m)} m"),
             f"Chiều dài đã sạch: {fmt_number(strip.clean_m / 1000, 2)} km; đoạn sạch dài nhất: "
             + (f"{km(strip.longest_clean_from_m)} – {km(strip.longest_clean_to_m)}" if strip.longest_clean_m else "không có"),
             "", "Địa phận:"]
    lines += [f"  {km(c['from_m'])} – {km(c['to_m'])}: {c['commune'] or 'không rõ'}" for c in strip.communes.to_dict("records")]
    lines += ["", "Đoạn chưa sạch (có thửa):"]
    for b in strip.bands[(~strip.bands["clean"]) & (strip.bands["parcels"] > 0)].to_dict("records"):
        lines.append(f"  {km(b['band_from_m'])} – {km(b['band_to_m'])}: {fmt_pct(b['percent_handed_over'])} bàn giao, "
                     f"{b['blocking_parcels']} thửa quyết định mốc ({b['commune']})")
    return "\n".join(lines).rstrip() + "\n"


def run(args) -> int:
    from milestones.chainage_strip import chainage_strip
    from milestones.snapshot import compute_snapshot
    from store import open_store

    as_of = args.as_of or office_time.today()
    snapshot = compute_snapshot(open_store(args.database_url), as_of)
    try:
        strip = chainage_strip(snapshot, args.project, segment_m=args.segment_m)
    except ValueError as exc:
        raise GpmbError(str(exc)) from None
    emit(json.dumps(strip_document(strip, as_of), ensure_ascii=False, indent=2) + "\n" if args.json
         else format_text(strip, as_of))
    return 0
