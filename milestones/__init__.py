"""Computations on the ledger at an as-of date: progress, milestone status, forecast, risk, S-curve.

Every function here is a pure function of DataFrames and an as-of date (no Streamlit, no store
import) that returns codes, never display text (views take words from ``vocab``); only
:mod:`milestones.snapshot` and :mod:`milestones.prepared` take a store (any
:class:`store.protocol.StoreReader`) and assembles the one ``Snapshot`` that every
view (dashboard, CLI, exports) uses, so their figures cannot disagree. :mod:`milestones.prepared`
gives the same ``Snapshot`` faster when the as-of date changes often (the dashboard): it reads the
store and prepares what does not depend on the date once per data version, then slices it.

The progress rules are stated in :mod:`milestones.progress` (which re-exports the public names of
its parts: ``events``, ``parcel_state``, ``aggregates``, ``tables``, ``scope``, ``history``); the
stage-at-date rule itself is :mod:`domain.stage_history`.
"""
