"""What the user asked an export to contain: paper, orientation, project, personal data.

Plain Python (no Streamlit). :class:`ExportOptions` is frozen and hashable, so views use it as a cache
key together with the as-of date and the store's data version.
"""
from __future__ import annotations

from dataclasses import dataclass

#: ISO 216 paper sizes, portrait (width, height) in millimetres.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}

#: Export formats and their MIME types.
FORMATS: dict[str, str] = {
    "html": "text/html",
    "pdf": "application/pdf",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "gpkg": "application/geopackage+sqlite3",
}

ORIENTATIONS: tuple[str, ...] = ("landscape", "portrait")

#: Which pages a print map holds: the overview (all projects), one page per project, or both.
PAGE_SETS: tuple[str, ...] = ("overview+projects", "overview", "projects")

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class ExportOptions:
    """Options shared by every export format.

    Attributes
    ----------
    project_id : str or None
        Export one project only (``CT_HNCL``, ``QL4B`` …); ``None`` = every project.
    paper : {"A4", "A3"}
        Paper size of the print map and of the Excel print setup.
    orientation : {"landscape", "portrait"}
        Page orientation (print map and Excel page setup).
    include_personal_data : bool
        Include owner names, ID and phone numbers. Off by default; when on, every file says so
        (title, sheet note, HTML banner).
    pages : {"overview+projects", "overview", "projects"}
        Pages of the print map when no ``project_id`` is given. A PNG is one image: it is the
        overview, or the project page when ``project_id`` is set.
    dpi : int
        Raster resolution of the PNG (and of the raster parts of the PDF), dots per inch; 300 for print.

    Raises
    ------
    ValueError
        On an unknown paper, orientation or page set, or a dpi outside 50–600 (Vietnamese message).
    """

    project_id: str | None = None
    paper: str = "A3"
    orientation: str = "landscape"
    include_personal_data: bool = False
    pages: str = "overview+projects"
    dpi: int = 300

    def __post_init__(self) -> None:
        paper = str(self.paper).upper()
        if paper not in PAPER_SIZES_MM:
            raise ValueError(f"Khổ giấy không hợp lệ: {self.paper!r}; cho phép: {', '.join(PAPER_SIZES_MM)}")
        object.__setattr__(self, "paper", paper)
        orientation = str(self.orientation).lower()
        if orientation not in ORIENTATIONS:
            raise ValueError(
                f"Hướng giấy không hợp lệ: {self.orientation!r}; cho phép: landscape (ngang), portrait (dọc)")
        object.__setattr__(self, "orientation", orientation)
        if self.pages not in PAGE_SETS:
            raise ValueError(f"Bộ trang không hợp lệ: {self.pages!r}; cho phép: {', '.join(PAGE_SETS)}")
        if not 50 <= int(self.dpi) <= 600:
            raise ValueError(f"Độ phân giải không hợp lệ: {self.dpi}; cần từ 50 đến 600 dpi")
        object.__setattr__(self, "dpi", int(self.dpi))
        if self.project_id is not None:
            project_id = str(self.project_id).strip()
            object.__setattr__(self, "project_id", project_id or None)

    @property
    def page_size_mm(self) -> tuple[float, float]:
        """(width, height) of the page in millimetres, in the chosen orientation."""
        short, long = PAPER_SIZES_MM[self.paper]
        return (long, short) if self.orientation == "landscape" else (short, long)

    @property
    def page_size_in(self) -> tuple[float, float]:
        """(width, height) of the page in inches (matplotlib figure size)."""
        w, h = self.page_size_mm
        return (w / MM_PER_INCH, h / MM_PER_INCH)

    @property
    def page_size_pt(self) -> tuple[float, float]:
        """(width, height) of the page in PostScript points (PDF MediaBox units, 1/72 inch)."""
        w, h = self.page_size_in
        return (w * POINTS_PER_INCH, h * POINTS_PER_INCH)

    def cache_key(self) -> tuple:
        """A plain tuple identifying these options (for caches and file names)."""
        return (self.project_id, self.paper, self.orientation, self.include_personal_data, self.pages, self.dpi)
