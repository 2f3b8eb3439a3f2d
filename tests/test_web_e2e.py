"""End to end in a real browser: Playwright drives Debian's Chromium (headless) against the server.

Signs in, screens a shipment that holds, opens its case, releases it with a
reason and sees the audit entry; a screener sees no release button and is
refused. The server runs the real engine on the embedded lists (with
``EXPORTGUARD_ALLOW_STALE_LISTS=1``: their age would hold every shipment), so the matches,
list entries and decisions on the pages are real. Takes a screenshot of every
page (1280 px wide, and one at 390 px) into a temporary folder, or into
``docs/screenshots/`` with ``EXPORTGUARD_SCREENSHOTS=1``.

Needs ``/usr/bin/chromium`` (Debian package ``chromium``) and the
``playwright`` Python package; never downloads a browser.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from records_support import clear, dual_use
from screening_support import shipment
from web_support import PASSWORD, WebServer, web_server

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = (Path(__file__).resolve().parents[1] / "docs" / "screenshots"
         if os.environ.get("EXPORTGUARD_SCREENSHOTS") == "1"
         else Path(tempfile.gettempdir()) / "exportguard-screenshots")
# Parties on the embedded lists: a US/UK-listed company (HOLD: possible list match)
# and a UN-listed one (DENY: strong UN Security Council match).
LISTED = "Rosoboronexport"
UN_LISTED = "Korea Mining Development Trading Corporation"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = pytest.mark.slow

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None  # type: ignore[assignment]


def _skip_reason() -> str | None:
    if sync_playwright is None:
        return "the 'playwright' Python package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return "/usr/bin/chromium not found: apt-get install chromium (Debian's package)"
    return None


def listed(name: str, n: int, country: str = "RU") -> dict[str, Any]:
    parties = [{"role": "consignee", "name": name, "country": country},
               {"role": "end_user", "name": name, "country": country}]
    return shipment(id=f"PO-{n}", parties=parties)


def _seed(db_url: str) -> None:
    """About 40 screenings over the last 30 days, of every decision, for the dashboard."""
    from sqlalchemy import update

    from exportguard.service.auth import Actor
    from exportguard.service.licences import add_licence
    from exportguard.service.records import screen_and_record
    from exportguard.store.db import get_database
    from exportguard.store.models import Case, Screening
    from records_support import licence

    add_licence(licence("LIC-2026-0007", valid_until="2099-12-31"), db_url=db_url)
    add_licence(licence("LIC-2026-0011", quantity_limit=20, value_limit=9000,
                        valid_until=(datetime.now(UTC) + timedelta(days=12)).date().isoformat()),
                db_url=db_url)
    screener = None  # the real engine
    actor = Actor("screener1", "screener")
    kinds: list[Any] = [
        lambda n: clear(id=f"PO-{n}"),
        lambda n: clear(id=f"PO-{n}"),
        lambda n: clear(id=f"PO-{n}"),
        lambda n: listed(LISTED, n),
        lambda n: listed(UN_LISTED, n, "KP"),
        lambda n: dual_use(licence=None, id=f"PO-{n}"),
        lambda n: dual_use("LIC-2026-0007", quantity=1, id=f"PO-{n}"),
        lambda n: shipment(id=f"PO-{n}", item={
            "description": "Assault rifles", "hs_code": "930190", "control_code": "ML1",
            "quantity": 5, "value": 5000},
            route={"origin": "DE", "transit": [], "destination": "RU"}),
        lambda n: shipment(id=f"PO-{n}", item={
            "description": "Drone flight controllers", "hs_code": "852691", "quantity": 50,
            "value": 5000}, route={"origin": "DE", "transit": ["AM"], "destination": "KG"}),
    ]
    rnd = random.Random(7)
    now = datetime.now(UTC)
    db = get_database(db_url)
    for n in range(40):
        rec = screen_and_record(rnd.choice(kinds)(2026100 + n), actor=actor, db_url=db_url,
                                screener=screener, source="web")
        when = now - timedelta(days=rnd.randint(1, 29), hours=rnd.randint(0, 12))
        with db.session(write=True) as s:
            s.execute(update(Screening).where(Screening.id == rec.id).values(created_at=when))
            s.execute(update(Case).where(Case.screening_id == rec.id).values(opened_at=when))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from exportguard.settings import reset_settings

    # the embedded lists are older than the policy allows: accept them with a warning,
    # as a server started with EXPORTGUARD_ALLOW_STALE_LISTS=1 does
    mp = pytest.MonkeyPatch()
    mp.setenv("EXPORTGUARD_ALLOW_STALE_LISTS", "1")
    reset_settings()
    try:
        with web_server(tmp_path_factory.mktemp("e2e-home"), screener=None) as srv:
            _seed(srv.db_url)
            yield srv
    finally:
        mp.undo()
        reset_settings()


@pytest.fixture(scope="module")
def browser(server: WebServer) -> Iterator[Browser]:
    exe = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=ARGS)
        yield b
        b.close()


def _shot(page: Page, name: str, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name,
                                                            exact=True).click()


def _sign_in(page: Page, base: str, user: str) -> None:
    page.goto(f"{base}/dashboard")
    expect(page).to_have_url(f"{base}/login?next=%2Fdashboard")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")  # keyboard submits
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_reviewer_screens_a_hold_and_releases_it(server: WebServer, browser: Browser) -> None:
    base = server.base
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(20_000)

    page.goto(f"{base}/login")
    expect(page.get_by_label("User name")).to_be_focused()
    _shot(page, "01-login", full=False)
    page.keyboard.type("reviewer1")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong password")

    _sign_in(page, base, "reviewer1")
    expect(page.locator("svg.chart").first).to_be_visible()
    _shot(page, "02-dashboard")
    page.keyboard.press("Tab")  # keyboard users first meet the skip link
    assert page.evaluate("document.activeElement.className") == "skip"

    # screen a shipment whose consignee and end user are listed: it holds
    _nav(page, "Screen")
    page.get_by_label("Reference").fill("PO-E2E-1")
    page.get_by_label("Exporter").fill("Nordwind Maschinenbau GmbH")
    page.locator("#exporter_country").fill("DE")
    page.locator("#party-0-name").fill(LISTED)
    page.locator("#party-0-country").fill("RU")
    page.locator("#party-1-name").fill(LISTED)
    page.locator("#party-1-country").fill("RU")
    page.get_by_label("Origin").fill("DE")
    page.get_by_label("Destination", exact=True).fill("FR")
    page.get_by_label("Declared end use").fill("Staff uniforms for a hotel chain")
    page.locator("#item-0-description").fill("Cotton T-shirts")
    page.locator("#item-0-hs_code").fill("6109.10")
    page.locator("#item-0-quantity").fill("10")
    page.locator("#item-0-value").fill("100")
    page.get_by_role("button", name="+ Add item").click()
    expect(page.locator("#item-2-description")).to_be_focused()
    _shot(page, "03-screen-form")
    page.get_by_role("button", name="Screen shipment").click()

    hero = page.locator(".decision-hero")
    expect(hero).to_contain_text("Hold")
    expect(page.locator(".finding").first).to_contain_text("sanctions_match")
    expect(page.locator(".match mark").first).to_be_visible()  # matched words highlighted
    entry = page.get_by_role("link", name=re.compile(r"^List entry ")).first
    expect(entry).to_be_visible()
    _shot(page, "04-screening-hold")
    entry_url = entry.get_attribute("href")
    assert entry_url and page.request.get(f"{base}{entry_url}").status == 200  # a real entry

    page.get_by_role("link", name="Review case").click()
    expect(page.get_by_role("heading", name="Release")).to_be_visible()
    case_url = page.url
    page.get_by_label("Reason (required)").first.fill(
        "Checked: different company, Lyon address confirmed by the customer's registry.")
    page.get_by_label("Valid until (optional)").fill("2099-01-31")
    page.get_by_role("button", name="Release", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Case released.")
    audit = page.locator("table.audit")
    expect(audit).to_contain_text("case.release")
    expect(audit).to_contain_text("different company")
    assert page.url.startswith(case_url)
    _shot(page, "06-case-released")

    _nav(page, "Review queue")
    page.get_by_label("Rule").select_option("sanctions_match")  # auto-submits
    expect(page).to_have_url(f"{base}/review?rule=sanctions_match&list=&country=")
    page.locator("table.queue a").first.click()
    expect(page.get_by_role("heading", name="Release")).to_be_visible()
    expect(page.get_by_role("heading", name="Mark a false positive")).to_be_visible()
    _shot(page, "05-case-open")
    _nav(page, "Review queue")
    from exportguard.service.dashboard import review_queue

    waiting = review_queue(db_url=server.db_url)["total"]
    assert waiting > 0
    expect(page.locator("table.queue tbody tr")).to_have_count(waiting)
    _shot(page, "07-review-queue")

    _nav(page, "Licences")
    page.get_by_label("Number").fill("LIC-2026-0042")
    page.get_by_label("Holder").fill("Nordwind Maschinenbau GmbH")
    page.get_by_label("Control codes").fill("3A001, 5A002")
    page.get_by_label("Destinations").fill("FR, DE")
    page.get_by_label("Quantity limit").fill("500")
    page.get_by_label("Value limit").fill("250000")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Valid from").fill("2026-01-01")
    page.get_by_label("Valid until").fill("2027-06-30")
    page.get_by_role("button", name="Register licence").click()
    expect(page.get_by_role("status").first).to_contain_text("LIC-2026-0042 registered")
    expect(page.locator("table.licences")).to_contain_text("Expires in")
    _shot(page, "08-licences")

    _nav(page, "Lists")
    expect(page.locator("table.lists")).to_be_visible()
    _shot(page, "09-lists")

    # name check against the real embedded lists (builds the name index once)
    _nav(page, "Name check")
    page.get_by_role("searchbox").fill("Bank Meli Iran")
    page.get_by_role("searchbox").press("Enter")
    first = page.locator("article.match").first
    expect(first).to_be_visible(timeout=120_000)
    expect(first.locator("mark").first).to_be_visible()
    first.locator("summary").click()
    expect(first.locator(".features")).to_be_visible()
    _shot(page, "10-name-check")
    first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Names")).to_be_visible()
    _shot(page, "11-list-entry")

    # narrow screen: the screening result at 390 px, menu behind a button
    mobile = browser.new_context(viewport={"width": 390, "height": 844},
                                 storage_state=ctx.storage_state())
    m = mobile.new_page()
    m.goto(f"{base}/dashboard")
    m.get_by_role("button", name="Menu").click()
    m.get_by_role("link", name="Screen", exact=True).click()
    m.locator(".recent a").first.click()
    expect(m.locator(".decision-hero")).to_contain_text("Clear")  # in force after release
    _shot(m, "12-mobile-screening", full=False)
    # the lists page at 390 px: licence and source per list, the table scrolls sideways
    m.goto(f"{base}/lists")
    expect(m.locator("table.lists")).to_contain_text("Open Government Licence v3.0")
    _shot(m, "14-mobile-lists", full=False)
    mobile.close()
    ctx.close()


def test_screener_is_refused(server: WebServer, browser: Browser) -> None:
    from exportguard.service import review

    base = server.base
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, base, "screener1")
    _nav(page, "Review queue")
    page.locator("table.queue a").first.click()
    expect(page.get_by_role("note")).to_contain_text("only a reviewer can release")
    expect(page.get_by_role("button", name="Release")).to_have_count(0)
    expect(page.get_by_role("button", name="Confirm and deny")).to_have_count(0)
    case_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    r = page.request.post(f"{base}/review/{case_id}/release",
                          form={"csrf_token": token or "", "reason": "I say it is fine"})
    assert r.status == 403
    assert review.get_case(case_id, db_url=server.db_url).status == "open"
    _shot(page, "13-screener-case", full=False)
    ctx.close()
