"""The store's own check that a parcel-removing replacement was confirmed with its exact count (issue 10).

A caller that replaces the ``parcels`` layer passes ``confirmed_removals={"parcels": N}``: the number of
parcels the user confirmed to remove (0 when he confirmed none). Inside the write transaction, after the
optimistic version check, the store counts the parcels the replacement really removes (by
``parcel_id``, :func:`store.layer_versions.change_summary`) and refuses any mismatch, so a view or a
script cannot remove parcels that nobody counted, and a layer changed between the preview and the
click cannot remove more than was shown. ``None`` (callers that remove nothing, restores) skips it.
"""
from __future__ import annotations

from collections.abc import Mapping

from store.errors import StoreError


class RemovalNotConfirmedError(StoreError):
    """A replacement removes features whose number the caller did not confirm exactly (nothing written).

    Attributes
    ----------
    layer : str
    removed : int
        Features the replacement would remove.
    confirmed : int
        The count the caller confirmed.
    """

    def __init__(self, layer: str, removed: int, confirmed: int) -> None:
        self.layer, self.removed, self.confirmed = layer, removed, confirmed
        if removed and not confirmed:
            text = (f"Lần ghi này xóa {removed} đối tượng của lớp {layer!r} mà chưa được xác nhận; chưa ghi gì. "
                    f"Hãy xem danh sách và xác nhận đúng số {removed}.")
        else:
            text = (f"Số đối tượng xác nhận xóa ({confirmed}) khác số lần ghi này thực sự xóa ({removed}) ở lớp "
                    f"{layer!r} (dữ liệu có thể vừa thay đổi); chưa ghi gì. Hãy kiểm tra lại rồi xác nhận đúng số.")
        super().__init__(text)


def check_confirmed_removals(changes: Mapping[str, dict], confirmed: Mapping[str, int] | None) -> None:
    """Refuse unless every layer named in ``confirmed`` removes exactly that many features.

    Parameters
    ----------
    changes : mapping
        :func:`store.layer_versions.change_summary` of the replacement (``removed`` per layer).
    confirmed : mapping of str to int, or None
        Layer → the removal count the user confirmed; None checks nothing.

    Raises
    ------
    RemovalNotConfirmedError
        A layer's real removal count differs from the confirmed one.
    """
    for layer, count in (confirmed or {}).items():
        removed = int(changes.get(layer, {}).get("removed", 0))
        if removed != int(count):
            raise RemovalNotConfirmedError(layer, removed, int(count))
