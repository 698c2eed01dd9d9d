"""Memo of the map layers that do not depend on the as-of date, per store object and data version.

Communes, roads, boundaries, centrelines and parcel geometries are converted to GeoJSON once per store
and data version (``store.data_version()``); the dashboard then only redoes the parcel properties when
the date or the filters change. A store without a data version, or that cannot be weakly referenced, is
never cached. Caching belongs to the view layer (STYLE.md), hence here and not in the store.
"""
from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from store.protocol import LayerReader

T = TypeVar("T")

#: Entries kept (least recently used dropped first): a few layers × a few stores and versions.
CACHE_SIZE = 24
_CACHE: OrderedDict = OrderedDict()


def _version_key(store: LayerReader) -> str | None:
    try:
        version = store.data_version()
    except Exception:  # noqa: BLE001 - a store without a usable version is simply not cached
        return None
    return repr(sorted(dict(version).items(), key=lambda kv: str(kv[0]))) if version else None


class StoreMemo:
    """Values computed from one store, kept while its data version stays the same.

    Parameters
    ----------
    store : store.Store or a test double
        Read once for ``data_version()`` (a mapping of layer → version; falsy or failing → no caching).
    """

    def __init__(self, store: LayerReader) -> None:
        self.store = store
        self.version = _version_key(store)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value cached under ``key`` for this store and version, else ``compute()`` (then cached)."""
        if self.version is None:
            return compute()
        try:
            ref = weakref.ref(self.store)
        except TypeError:
            return compute()
        cache_key = (id(self.store), self.version, key)
        hit = _CACHE.get(cache_key)
        if hit is not None and hit[0]() is self.store:
            _CACHE.move_to_end(cache_key)
            return hit[1]
        value = compute()
        _CACHE[cache_key] = (ref, value)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
        return value
