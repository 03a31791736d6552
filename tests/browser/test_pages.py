"""Every main page: loads without errors under the CSP, has no serious or critical axe-core violation, and is
photographed at 1366×768 and 390×844 (tests/browser/artifacts/, not committed)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE

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
    ("urges", "/supervision/urges"),
    ("clues", "/supervision/clues"),
    ("notices", "/supervision/notices"),
    ("inbox", "/inbox"),
    ("profile", "/profile"),
]
ADMIN_PAGES = [
    ("orgs", "/admin/orgs"),
    ("people", "/admin/people"),
    ("calendar", "/admin/calendar"),
    ("rules", "/admin/rules"),
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
    assert s.page.locator("[data-test=portal-closed]").first.inner_text() == "暂未开放"
    found += _check(s, "portal")

    s.sign_in("province_office")
    for name, path in OFFICE_PAGES:
        s.goto(path)
        s.page.locator("main#main").wait_for()
        found += _check(s, name)
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
