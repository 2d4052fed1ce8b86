"""Helpers for browser tests (fixtures live in tests/browser_fixtures.py)."""

from __future__ import annotations

import threading


def run_in_thread(fn, *args, **kwargs):
    """Runs ``fn`` in a plain thread and returns its result (re-raising its error).

    A service called straight from a Playwright test would broadcast from the thread
    that runs Playwright's event loop, where ``async_to_sync`` refuses to work.
    """
    from django.db import connection

    outcome: dict = {}

    def _target():
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # re-raised in the caller
            outcome["error"] = exc
        finally:
            connection.close()  # the thread's own connection; left open it would outlive the test

    thread = threading.Thread(target=_target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def contrast_violations(page) -> list[dict]:
    """axe-core's WCAG AA colour-contrast check of the page as it is now: the failing
    elements, each with its selector and axe's summary (foreground, background, ratio)."""
    import importlib.resources

    script = importlib.resources.files("axe_playwright_python").joinpath("axe.min.js").read_text()
    page.evaluate(script)
    result = page.evaluate("async () => await axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']}})")
    return [
        {"target": node["target"], "summary": node.get("failureSummary", "")}
        for violation in result["violations"]
        for node in violation["nodes"]
    ]
