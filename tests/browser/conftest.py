"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium); no browser is downloaded."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("QIANGJI_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    # Playwright's sync API keeps an event loop running in this thread; Django refuses ORM calls from a
    # thread with a running loop unless told that this is deliberate. Test-only, and only while a browser
    # is open: the variable must not leak into other tests (e.g. `check --deploy` refuses it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"Chromium not found at {CHROMIUM}; CI requires it (scripts/system-deps.sh installs it)"
            )
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[[], Any]]:
    """Opens pages, each in a browser context of its own (own cookies: another signed-in user), and closes
    every one of them when the test ends.

    A context left open keeps its keep-alive connections to the live server, and so the server's request
    threads, until the browser closes at the end of the session, after pytest-django's `live_server` has
    stopped and taken back the thread sharing of the in-memory SQLite connection it lent them: each thread
    then fails in `connections.close_all()` ("DatabaseWrapper objects created in a thread can only be used in
    that same thread"), reported under whatever test runs last."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    return new_page()
