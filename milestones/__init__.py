"""Computations on the ledger at an as-of date: progress, milestone status, forecast, risk, S-curve.

Every function here is a pure function of DataFrames and an as-of date (no Streamlit, no store
import); only :mod:`milestones.snapshot` takes a store and assembles the one ``Snapshot`` that every
view (dashboard, CLI, exports) uses, so their figures cannot disagree. :mod:`milestones.prepared`
gives the same ``Snapshot`` faster when the as-of date changes often (the dashboard): it reads the
store and prepares what does not depend on the date once per data version, then slices it.
"""
