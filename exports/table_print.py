"""Table pages of the print PDF: the communes league and the blocking parcels of every milestone not reached.

The same text tables as the Word report and the Excel sheets (:mod:`exports.figure_tables`), drawn with
matplotlib under the print map's title block and footer. A table longer than a page continues on the next
page with its header repeated and "(tiếp)" in its heading, so nothing is cut off. The blocking list is the
brief one of the Word report (:data:`BRIEF_ROWS` per milestone, with how many more there are); the full
list is in the Excel export and on the "Điểm nghẽn" page.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pandas as pd

from exports.figure_tables import blocking_table, league_table, shortfall_text
from vocab.format import fmt_ha, fmt_number
from vocab.labels import status_label

#: Blocking parcels printed per milestone (as in the Word report).
BRIEF_ROWS = 15
#: Narrowest a column is made when a table is wider than the page (characters).
MIN_COLUMN_CHARS = 5
#: Row height in units of the font size (one text line plus cell padding).
ROW_EM = 2.1
PT_MM = 25.4 / 72


@dataclass(frozen=True)
class TableBlock:
    """One table on a page: its heading (``None`` for a bare continuation) and its rows (text cells)."""

    heading: str
    table: pd.DataFrame
    widths: tuple[float, ...] = ()   # column widths, fractions of the table's width (set by :func:`paginate`)


@dataclass(frozen=True)
class TablePage:
    """One table page: the page's subtitle and the blocks drawn on it, top to bottom."""

    subtitle: str
    blocks: tuple[TableBlock, ...]


def league_blocks(league: pd.DataFrame, project_names: dict[str, str]) -> list[TableBlock]:
    """The communes league (rows of :func:`milestones.league.communes_league`), one block per project."""
    table = league_table(league, project_names).drop(columns=["Số liệu gửi lần cuối"])
    blocks = []
    for name, rows in table.groupby("Dự án", sort=False):
        blocks.append(TableBlock(f"{name}: xếp theo diện tích còn thiếu so với mốc", rows.drop(columns=["Dự án"])))
    return blocks


def blocking_blocks(snapshot, project_names: dict[str, str], brief_rows: int = BRIEF_ROWS) -> list[TableBlock]:
    """Per milestone not reached (``snapshot.blocking_summary``): its shortfall and the first ``brief_rows``
    parcels of its blocking set in rank order (``snapshot.blockers``)."""
    summary = getattr(snapshot, "blocking_summary", pd.DataFrame())
    if summary is None or summary.empty:
        return []
    labels = dict(zip(snapshot.milestones["milestone_id"], snapshot.milestones["label"]))
    blocks = []
    for s in summary.to_dict("records"):
        rows = snapshot.blockers[snapshot.blockers["milestone_id"] == s["milestone_id"]]
        more = len(rows) - brief_rows
        heading = (f"{project_names.get(s['project_id'], s['project_id'])} – {labels.get(s['milestone_id'], s['milestone_id'])}"
                   f" ({status_label(s['status'])}): còn thiếu {shortfall_text(s)}; {fmt_number(s['blocking_units'])} "
                   f"đơn vị cần hoàn thành trước ({fmt_ha(s['blocking_area_m2'])})"
                   + (f"; in {fmt_number(brief_rows)} thửa đầu, còn {fmt_number(more)} thửa trong tệp Excel" if more > 0 else ""))
        table = blocking_table(rows.head(brief_rows)).drop(columns=["Diện tích cộng dồn (m²)"])
        blocks.append(TableBlock(heading, table))
    return blocks


def row_costs(table: pd.DataFrame) -> list[float]:
    """Height of each (wrapped) table row in text rows: 1 for a one-line row, 0,75 more per extra line."""
    return [1.0 + 0.75 * max((str(v).count("\n") for v in r), default=0) for r in table.itertuples(index=False)]


def column_chars(table: pd.DataFrame, line_chars: int) -> list[int]:
    """Characters per column so that the columns share ``line_chars``: each column asks for its longest
    text (header words included); when they ask for more than the line holds, the widest are capped at one
    common width (water-filling), never below :data:`MIN_COLUMN_CHARS`."""
    wanted = [max([*(len(w) for w in str(c).split()), *(len(str(v)) for v in table[c]), MIN_COLUMN_CHARS])
              for c in table.columns]
    line_chars -= 2 * len(wanted)                          # cell padding, each side
    if sum(wanted) <= line_chars:
        return wanted
    cap = max(wanted)
    while cap > MIN_COLUMN_CHARS and sum(min(w, cap) for w in wanted) > line_chars:
        cap -= 1
    return [min(w, cap) for w in wanted]


def fit_block(block: TableBlock, line_chars: int) -> TableBlock:
    """``block`` with every cell and header wrapped to its column's width and the widths recorded."""
    chars = column_chars(block.table, line_chars)
    wrapped = pd.DataFrame({_wrap(str(c), n): [_wrap(str(v), n) for v in block.table[c]]
                            for c, n in zip(block.table.columns, chars)})
    return TableBlock(block.heading, wrapped, tuple(n / sum(chars) for n in chars))


def paginate(blocks: list[TableBlock], subtitle: str, rows_per_page: int, heading_chars: int = 200,
             line_chars: int = 250) -> list[TablePage]:
    """Pack ``blocks`` onto pages of ``rows_per_page`` text rows (a heading line and the table header take one
    row each, a wrapped row more: :func:`row_costs`); cells wrap to their column (:func:`fit_block`, a line of
    ``line_chars``), headings at ``heading_chars``; a block that does not fit continues on the next page under
    "(tiếp)" with its column header repeated. At least one page."""
    pages: list[list[TableBlock]] = [[]]
    room = float(rows_per_page)
    for block in blocks:
        fitted = fit_block(block, line_chars)
        table, heading = fitted.table, _wrap(block.heading, heading_chars)
        header_rows = 1.0 + 0.75 * max((str(c).count("\n") for c in table.columns), default=0)
        while True:
            costs = row_costs(table)
            fit, used = 0, 1.0 + heading.count("\n") + header_rows
            while fit < len(costs) and used + costs[fit] <= room:
                used += costs[fit]
                fit += 1
            if fit == 0 and pages[-1]:                    # not even one row here: next page
                pages.append([])
                room = float(rows_per_page)
                continue
            fit = max(fit, 1)                             # an empty page takes at least one row
            pages[-1].append(TableBlock(heading, table.iloc[:fit], fitted.widths))
            room -= used + 0.5
            table = table.iloc[fit:]
            if table.empty:
                break
            heading = _wrap(f"{block.heading} (tiếp)", heading_chars)
            pages.append([])
            room = float(rows_per_page)
    return [TablePage(subtitle, tuple(p)) for p in pages]


def rows_per_page(height_mm: float, font_pt: float) -> int:
    """How many text rows of ``font_pt`` fit in ``height_mm``."""
    return max(4, int(height_mm / (font_pt * PT_MM * ROW_EM)))


def heading_chars(width_mm: float, font_pt: float) -> int:
    """Characters of a bold heading of ``font_pt`` (×1,05) that fit in ``width_mm`` (DejaVu Sans ≈ 0,62 em)."""
    return max(20, int(width_mm / (font_pt * 1.05 * PT_MM * 0.62)))


def line_chars(width_mm: float, font_pt: float) -> int:
    """Characters of table text of ``font_pt`` (×0,78, as drawn; DejaVu Sans ≈ 0,66 em a character) in ``width_mm``."""
    return max(30, int(width_mm / (font_pt * 0.78 * PT_MM * 0.66)))


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, max(1, width))) or text


def draw_table_page(fig, rect: tuple[float, float, float, float], page: TablePage, font_pt: float) -> None:
    """Draw ``page``'s blocks into ``rect`` (figure fractions: left, bottom, width, height), top to bottom."""
    left, bottom, width, height = rect
    fig_h_mm = fig.get_figheight() * 25.4
    row_h = font_pt * PT_MM * ROW_EM / fig_h_mm           # one row in figure fractions
    top = bottom + height
    for block in page.blocks:
        fig.text(left, top - 0.4 * row_h, block.heading, fontsize=font_pt * 1.05, fontweight="bold",
                 va="top", ha="left", color="#1a237e")
        top -= row_h * (1 + block.heading.count("\n"))
        cells = [[str(v) for v in r] for r in block.table.itertuples(index=False)]
        header_rows = 1.0 + 0.75 * max((str(c).count("\n") for c in block.table.columns), default=0)
        rows_h = row_h * (header_rows + sum(row_costs(block.table)))
        ax = fig.add_axes((left, max(bottom, top - rows_h), width, rows_h))
        ax.axis("off")
        if cells:
            widths = list(block.widths) or [1 / len(block.table.columns)] * len(block.table.columns)
            tab = ax.table(cellText=cells, colLabels=list(block.table.columns), colWidths=widths,
                           loc="upper left", cellLoc="left", colLoc="left", bbox=(0, 0, 1, 1))
            tab.auto_set_font_size(False)
            tab.set_fontsize(font_pt * 0.78)
            for (r, _c), cell in tab.get_celld().items():
                cell.set_linewidth(0.3)
                if r == 0:
                    cell.set_facecolor("#e8eaf6")
                    cell.get_text().set_fontweight("bold")
        top -= rows_h + 0.5 * row_h

