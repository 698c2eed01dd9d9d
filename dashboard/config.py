"""Dashboard settings that are not data: the server-path box of the import page.

Read from, in this order (a later source wins):

1. the ``[gpmb]`` section of a TOML file: ``$GPMB_CONFIG`` if set, else ``gpmb.toml`` in the working
   directory (absent file = defaults)::

       [gpmb]
       server_paths = true                  # show "đường dẫn tệp trên máy này" to admins (default false)
       import_folder = "/srv/gpmb/nhap"     # the one folder those paths may point into

2. the environment: ``GPMB_SERVER_PATHS`` (``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``)
   and ``GPMB_IMPORT_FOLDER``.

The box is shown only when ``server_paths`` is on, an ``import_folder`` is set, and the account is an
admin (issue 9: it used to read any file the server could reach). :func:`resolve_import_path` confines
every typed path to that folder, symlinks resolved, with one message for "absent" and "not allowed".
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from domain.errors import GpmbError

DEFAULT_CONFIG_FILE = "gpmb.toml"

#: The one refusal for a typed path, whether the file is absent, outside the folder or not a file: it
#: names neither the value nor any server path, so it tells nothing about what exists on the server.
SERVER_PATH_REFUSED_VI = ("Không dùng được đường dẫn đã nhập: chỉ nhận tệp có trong thư mục nhập dữ liệu "
                          "đã cấu hình trên máy chủ (đường dẫn tương đối trong thư mục đó).")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class DashboardConfig:
    """``server_paths``: the admin-only box is switched on; ``import_folder``: where it may read."""

    server_paths: bool = False
    import_folder: Path | None = None

    @property
    def server_paths_usable(self) -> bool:
        return self.server_paths and self.import_folder is not None


def _flag(value, source: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise GpmbError(f"Cấu hình {source}: cần true hoặc false, nhận «{value}».")


def load_config(environ: Mapping[str, str] | None = None) -> DashboardConfig:
    """The settings from the TOML file and the environment (module docstring).

    Raises :class:`GpmbError` (Vietnamese) for a TOML file that does not parse or a flag that is
    not a boolean.
    """
    env = os.environ if environ is None else environ
    settings: dict = {}
    path = Path(env.get("GPMB_CONFIG") or DEFAULT_CONFIG_FILE)
    if path.is_file():
        try:
            settings = dict(tomllib.loads(path.read_text(encoding="utf-8")).get("gpmb", {}))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise GpmbError(f"Tệp cấu hình {path.name} không đọc được: {exc}") from None
    if "GPMB_SERVER_PATHS" in env:
        settings["server_paths"] = env["GPMB_SERVER_PATHS"]
    if env.get("GPMB_IMPORT_FOLDER"):
        settings["import_folder"] = env["GPMB_IMPORT_FOLDER"]
    folder = settings.get("import_folder")
    return DashboardConfig(server_paths=_flag(settings.get("server_paths", False), "server_paths"),
                           import_folder=Path(folder) if folder else None)


def resolve_import_path(typed: str, import_folder: Path) -> Path:
    """The real path of a typed file name inside ``import_folder`` (relative, or absolute within it).

    Symlinks are resolved before the check, so a link inside the folder pointing out of it is refused.
    Raises :class:`GpmbError` with :data:`SERVER_PATH_REFUSED_VI` for every refusal (absent, outside,
    a folder, an unconfigured or missing import folder).
    """
    try:
        root = Path(import_folder).resolve(strict=True)
        real = (root / typed.strip()).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # absent, a symlink loop, a NUL in the name
        raise GpmbError(SERVER_PATH_REFUSED_VI) from None
    if not real.is_relative_to(root) or not real.is_file():
        raise GpmbError(SERVER_PATH_REFUSED_VI)
    return real
