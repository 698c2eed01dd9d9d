"""Dashboard pages: each module defines ``TITLE`` (Vietnamese), ``ICON`` (emoji), ``ORDER`` (int) and
``render()``. ``app.py`` finds them with :func:`dashboard.pages.discover` and builds the navigation.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageInfo:
    """One dashboard page found in this package.

    Attributes
    ----------
    module_name : str
        File name without ``.py`` (e.g. ``"10_overview"``).
    url_path : str
        URL path of the page: the module name without its leading order digits (``"overview"``).
    title, icon : str
        Vietnamese title and emoji shown in the navigation.
    order : int
        Sort key in the navigation (lowest first; the first page is the default).
    render : callable
        Function drawing the page.
    """

    module_name: str
    url_path: str
    title: str
    icon: str
    order: int
    render: Callable[[], None]


def _url_path(module_name: str) -> str:
    head, _, tail = module_name.partition("_")
    return tail if head.isdigit() and tail else module_name


def discover() -> tuple[list[PageInfo], list[tuple[str, str]]]:
    """Import every ``dashboard/pages/*.py`` module and return its page description.

    Returns
    -------
    pages : list of PageInfo
        Sorted by ``ORDER`` then module name.
    failures : list of (module name, Vietnamese message)
        Modules that failed to import or lack ``TITLE``/``ICON``/``ORDER``/``render``; they are
        skipped (and logged with the traceback) so one broken page never takes the dashboard down.
    """
    pages: list[PageInfo] = []
    failures: list[tuple[str, str]] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        try:
            module: ModuleType = importlib.import_module(f"{__name__}.{info.name}")
            pages.append(
                PageInfo(
                    module_name=info.name,
                    url_path=_url_path(info.name),
                    title=str(module.TITLE),
                    icon=str(module.ICON),
                    order=int(module.ORDER),
                    render=module.render,
                )
            )
        except Exception as exc:
            log.exception("Cannot load dashboard page %s", info.name)
            failures.append((info.name, f"Không tải được trang «{info.name}»: {type(exc).__name__}"))
    pages.sort(key=lambda p: (p.order, p.module_name))
    return pages, failures
