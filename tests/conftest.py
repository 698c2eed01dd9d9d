"""Suite-wide settings.

With ``GPMB_STRICT_SKIPS=1`` (set by ``run-tests``) a skipped test counts as failed: on a machine that
``run-tests`` prepared, Chromium, PostGIS and poppler are there, so a skip means something is broken.
"""
import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("GPMB_STRICT_SKIPS") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under GPMB_STRICT_SKIPS=1: {reason}"


@pytest.fixture(autouse=True)
def _status_refresher_per_test():
    """``cli.main`` registers the ``parcel_status`` refresher for the whole process; put back what was
    registered before each test, so a later test's writes do not pay for a layer it did not ask for."""
    from store import parcel_status

    before = parcel_status.registered_refresher()
    yield
    parcel_status.register_refresher(before)
