"""The store, and the test doubles that stand in for it, implement the Protocols computations depend on."""
from __future__ import annotations

import inspect

import pytest

from store.protocol import LayerReader, StoreReader
from store.scoped import ScopedStore
from store.store import Store
from tests.dashboard.synthetic import FakeStore
from tests.milestones.conftest import FrameStore, Ledger


def protocol_methods(protocol) -> list[str]:
    """Names of the methods a Protocol declares (its own and its bases'), without typing internals."""
    names = set()
    for cls in protocol.__mro__:
        if cls.__module__ == "store.protocol":
            names |= {n for n, v in vars(cls).items() if inspect.isfunction(v) and not n.startswith("_")}
    return sorted(names)


def same_signature(implementation, declared) -> bool:
    """Same parameter names, kinds, defaults and (textual) annotations, and the same return annotation."""
    a, b = inspect.signature(implementation), inspect.signature(declared)
    params = [(p.name, p.kind, p.default, str(p.annotation)) for p in a.parameters.values()]
    wanted = [(p.name, p.kind, p.default, str(p.annotation)) for p in b.parameters.values()]
    return params == wanted and str(a.return_annotation) == str(b.return_annotation)



def test_the_protocols_declare_what_computations_read():
    assert protocol_methods(LayerReader) == ["centrelines", "communes", "data_version", "parcels", "projects",
                                             "roads"]
    assert set(protocol_methods(StoreReader)) == {*protocol_methods(LayerReader), "events", "milestones",
                                                   "rules", "config_history", "uploads"}


@pytest.mark.parametrize("implementation, protocol", [(Store, StoreReader), (ScopedStore, StoreReader),
                                                      (FrameStore, StoreReader),
                                                      (FakeStore, LayerReader)])
def test_implementations_match_the_protocol_signatures(implementation, protocol):
    for name in protocol_methods(protocol):
        assert same_signature(getattr(implementation, name), getattr(protocol, name)), name


def test_isinstance_checks_the_real_store_and_the_doubles():
    store = Store.__new__(Store)                       # no database needed to check the interface
    assert isinstance(store, StoreReader)
    assert isinstance(ScopedStore(store, ["183"]), StoreReader)
    assert isinstance(FrameStore(projects=None, parcels=None, events=Ledger().frame()), StoreReader)
    assert isinstance(FakeStore(), LayerReader)
    assert not isinstance(FakeStore(), StoreReader)    # the map's double has no ledger: not for computations
    assert not isinstance(object(), LayerReader)


def test_a_double_missing_a_method_or_with_another_signature_is_caught():
    class NoEvents:
        def projects(self): ...
    assert not isinstance(NoEvents(), StoreReader)

    class WrongParcels(FrameStore):
        def parcels(self, project: str) -> None:  # another parameter name, no default
            return None
    assert not same_signature(WrongParcels.parcels, StoreReader.parcels)
