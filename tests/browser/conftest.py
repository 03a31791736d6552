"""Browser tests: Debian's Chromium (``/usr/bin/chromium``) driven by Playwright against Luoshi in distributed
mode (``luoshi up`` over RabbitMQ and PostgreSQL, the e2e harness), with axe-core for accessibility."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.cluster import Cluster
from tests.e2e.conftest import distributed  # noqa: F401  (the cluster fixture)

CHROMIUM = os.environ.get("LUOSHI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def cluster(request: pytest.FixtureRequest) -> Cluster:
    """The distributed cluster; ``LUOSHI_BROWSER_RUNNING=<port>:<data-dir>`` points the tests at a Luoshi
    already running (``./dev up``) instead, for working on the UI."""
    running = os.environ.get("LUOSHI_BROWSER_RUNNING")
    if running:
        port, data_dir = running.split(":", 1)
        return Cluster(data_dir=Path(data_dir), env={}, port=int(port))
    cluster: Cluster = request.getfixturevalue("distributed")
    return cluster


@pytest.fixture(scope="session")
def browser(cluster: Cluster) -> Iterator[Browser]:
    # Depends on the cluster so that it starts first and stops last: Playwright's sync API runs an event
    # loop, and the cluster's teardown (asyncio.run) cannot run while it does.
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


class Session:
    """One person's browser tab, with the console errors and CSP violations it saw."""

    def __init__(self, browser: Browser, cluster: Cluster, viewport: dict[str, int]) -> None:
        self.cluster = cluster
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")  # type: ignore[arg-type]
        self.context.set_default_timeout(15_000)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text
                else None
            ),
        )

    def settle(self, quiet_ms: int = 500) -> None:
        """Wait until the app has had no request or navigation in flight for ``quiet_ms`` (the live inbox
        stream stays open, so Playwright's "networkidle" never comes; the app counts its own requests,
        src/utils/activity.ts)."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_function(
            "q => (window.__luoshiPending ?? 0) === 0"
            " && performance.now() - (window.__luoshiLastActivity ?? 0) > q",
            arg=quiet_ms,
            polling=100,
        )

    def goto(self, path: str) -> Page:
        self.page.goto(self.cluster.url + path)
        self.settle()
        return self.page

    def sign_in(self, username: str) -> Page:
        page = self.goto("/login")
        page.fill("#username", username)
        page.fill("#password", self.cluster.demo_password)
        page.click("[data-test=sign-in]")
        page.wait_for_url("**/dashboard")
        self.settle()
        return page

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations of the page as it is now."""
        # Evaluated over DevTools: the page's CSP (script-src 'self') rightly refuses a script tag.
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE + "\n;true")
        result = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        return [v for v in result if v.get("impact") in ("serious", "critical")]

    def shot(self, name: str) -> Path:
        size = self.page.viewport_size or DESKTOP
        path = ARTIFACTS / f"{name}-{size['width']}x{size['height']}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser: Browser, cluster: Cluster) -> Iterator[Any]:
    sessions: list[Session] = []

    def make(viewport: dict[str, int] = DESKTOP) -> Session:
        s = Session(browser, cluster, viewport)
        sessions.append(s)
        return s

    yield make
    for s in sessions:
        s.close()
