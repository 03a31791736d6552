"""Every main page: loads without errors under the CSP, has no serious or critical axe-core violation, and is
photographed at 1366×768 and 390×844 (tests/browser/artifacts/, not committed)."""

from __future__ import annotations

import json
import time

import pytest

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE

pytestmark = pytest.mark.e2e

OFFICE_PAGES = [
    ("dashboard", "/dashboard"),
    ("tasks", "/tasks"),
    ("task-new", "/tasks/new"),
    ("task-import", "/tasks/import"),
    ("gantt", "/plan/gantt"),
    ("letters", "/plan/letters"),
    ("meetings", "/plan/meetings"),
    ("documents", "/plan/documents"),
    ("ledger", "/plan/ledger"),
    ("inspections", "/supervision/inspections"),
    ("urges", "/supervision/urges"),
    ("rectifications", "/supervision/rectifications"),
    ("clues", "/supervision/clues"),
    ("notices", "/supervision/notices"),
    ("standings", "/scoring/standings"),
    ("rankings", "/scoring/rankings"),
    ("negative", "/scoring/negative"),
    ("decisions", "/scoring/decisions"),
    ("inbox", "/inbox"),
    ("profile", "/profile"),
]
PORTAL_PAGES = [
    ("portal-rankings", "/portal/rankings"),
    ("portal-notices", "/portal/notices"),
    ("portal-clues", "/portal/clues"),
]
ADMIN_PAGES = [
    ("orgs", "/admin/orgs"),
    ("people", "/admin/people"),
    ("calendar", "/admin/calendar"),
    ("rules", "/admin/rules"),
    ("scoring-rules", "/admin/scoring-rules"),
    ("clients", "/admin/clients"),
    ("webhooks", "/admin/webhooks"),
    ("audit", "/admin/audit"),
]


def _check(s, name: str) -> list[str]:
    problems = [
        f"{name}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in s.axe()
    ]
    s.shot(name)
    return problems


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_main_pages_are_accessible_and_photographed(open_session, cluster, viewport) -> None:
    found: list[str] = []
    s = open_session(viewport)
    s.goto("/login")
    found += _check(s, "login")
    s.goto("/portal")
    s.page.locator("[data-test=portal-notices]").wait_for()
    found += _check(s, "portal")
    for name, path in PORTAL_PAGES:
        s.goto(path)
        s.page.locator("main h1").first.wait_for()
        found += _check(s, name)

    s.sign_in("province_office")
    for name, path in OFFICE_PAGES:
        s.goto(path)
        s.page.locator("main#main").wait_for()
        found += _check(s, name)
    s.goto("/profile")
    s.page.get_by_role("tab", name="消息接收设置").click()
    s.page.locator("[data-test=preferences-save]").wait_for()
    s.settle()
    found += _check(s, "profile-notifications")
    s.goto("/supervision/inspections")
    s.page.click("[data-test=inspection-new]")
    s.page.locator("[data-test=inspection-form]").wait_for()
    s.settle()
    found += _check(s, "inspection-new")
    s.goto("/no/such/page")
    s.page.locator("[data-test=not-found]").wait_for()
    found += _check(s, "not-found-page")

    admin = open_session(viewport)
    admin.sign_in("admin")
    for name, path in ADMIN_PAGES:
        admin.goto(path)
        found += _check(admin, name)
    assert not found, "\n".join(found)
    assert not s.errors and not admin.errors, s.errors + admin.errors


FIRST_LOAD_FIGURES = """() => {
  const nav = performance.getEntriesByType('navigation')[0]
  const js = performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js'))
  return {
    domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    jsEncoded: js.reduce((n, e) => n + (e.encodedBodySize || 0), 0),
    jsDecoded: js.reduce((n, e) => n + (e.decodedBodySize || 0), 0),
    jsFiles: js.length,
  }
}"""


def _first_loads(open_session, cluster, stored: str, encoding: str | None) -> tuple[list[float], dict]:
    """Two cold loads (fresh contexts: empty HTTP cache) of the dashboard, navigation to figures on screen."""
    timings, figures = [], {}
    for _ in range(2):
        cold = open_session()
        if encoding:
            cold.context.set_extra_http_headers({"Accept-Encoding": encoding})
        cold.context.add_init_script(f"localStorage.setItem('luoshi.session', {json.dumps(stored)})")
        start = time.monotonic()
        cold.page.goto(cluster.url + "/dashboard")
        cold.page.locator("[data-test=fig-total]").wait_for()
        timings.append(time.monotonic() - start)
        cold.settle()
        figures = cold.page.evaluate(FIRST_LOAD_FIGURES)
    return timings, figures


def test_the_dashboard_first_loads_fast_with_a_cold_cache(open_session, cluster, browser) -> None:
    """Issue 14 §9: the dashboard's first load on this machine with a cold cache (a fresh browser context,
    signed in through its stored session), from navigation to the figures on screen, as a browser gets it
    (gzip) and, for comparison under the same load, without compression. Target 1.5 s; the assertion on time
    leaves room for a shared, loaded CI machine; the figures go to the artefacts (bench/RESULTS.md)."""
    s = open_session()
    s.sign_in("province_office")
    stored = s.page.evaluate("localStorage.getItem('luoshi.session')")
    plain, plain_figures = _first_loads(open_session, cluster, stored, "identity")
    timings, figures = _first_loads(open_session, cluster, stored, None)
    (ARTIFACTS / "dashboard-first-load.txt").write_text(
        f"gzip: first load (s): {', '.join(f'{t:.2f}' for t in timings)}; {json.dumps(figures)}\n"
        f"identity: first load (s): {', '.join(f'{t:.2f}' for t in plain)}; {json.dumps(plain_figures)}\n"
    )
    # The JS a browser fetches for the dashboard goes compressed, within the initial budget (800 KB gzip).
    assert figures["jsEncoded"] < plain_figures["jsEncoded"] / 2, (figures, plain_figures)
    assert figures["jsEncoded"] < 800_000, figures
    assert min(timings) < 4.0, timings
