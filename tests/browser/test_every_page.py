"""Every page each role may use, at a desk (1280 px) and on a phone (390 × 844), in Chinese and in English
(issue 18 points 4, 5 and 10), on the demo data loaded once for the module behind one live server.

Per page: no 4xx/5xx, the site's layout, no sideways scroll of the page on the phone, and no string of the
other script outside names and data; the site's own error page where the role may not go. Names and data
are what the database stores (any text value of any table: an institution's name, a finding's description,
a stored notification) and what a template marks ``translate="no"``; everything else a page shows comes
from the templates and the code, and must be in the page's language: a Chinese word on an English page,
or an English word on a Chinese one (``reported``, ``evidence``, plotly's ``Jan`` ticks, Django's help
texts), fails. Screenshots: test-output/pages-<role>-<lang>-<width>-<page>.png.

Speed (the module runs in a few minutes): one demo and one live server for the module, one browser
context per role signed in once, each kind of page once per language and checked by the first role
that reaches it (each role's home page by each), and the phone width on every public page and on one
page of each part of the site; the pages' texts are matched against the stored data only when they hold
a word of the other script at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from pytest_django.live_server_helper import LiveServer

from qiangji.demo.accounts import demo_accounts
from qiangji.demo.load import load_demo

# Plain django_db: each test in a transaction rolled back at its end; the module's demo stays loaded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
LANGUAGES = ("zh-hans", "en")
ROLES = ("public", "reporter", "reviewer", "leadership", "admin")
#: Pages beyond the header's links where each role works (the crawl adds the links found on them).
START = {
    "public": ["/", "/rankings/2025Q4/", "/rankings/2025Q4/JJ-MI/", "/rankings/2025Q4/methodology/",
               "/institutions/", "/institutions/JJ-MI/", "/accounts/login/"],
    "reporter": ["/assessment/2026Q2/report/JJ-MI/", "/institutions/JJ-MI/", "/programme/institutions/JJ-MI/",
                 "/accounts/password/", "/comparisons/institutions/JJ-MI/"],
    "reviewer": ["/assessment/2026Q1/review/", "/assessment/2026Q2/", "/institutions/proposals/"],
    "leadership": ["/programme/", "/rankings/2025Q4/"],
    "admin": ["/publish/2025Q4/", "/assessment/2026Q1/", "/programme/"],
}  # fmt: skip
FORBIDDEN = {
    "public": ("/rankings/2031Q1/", 404),
    "reporter": ("/programme/", 403),
    "reviewer": ("/admin/auth/user/", 403),
    "leadership": ("/assessment/2026Q1/review/", 403),
    "admin": ("/no-such-page/", 404),
}
MAX_PAGES = 22
#: Pages every role sees alike (the public leaderboard and scorecards, the password form): not even opened
#: by a later role to find links.
SHARED = re.compile(r"^/(?:$|rankings/|accounts/password/)")
#: Links not followed: downloads, sign-out, other languages, the API, the admin's own pages (Django's).
SKIP = re.compile(r"\.(xlsx|pdf|docx|csv|txt|json)$|/evidence/|/original|/logout/|/i18n/|^/api/|^/admin/.+")
#: Text nodes of the page as {text, where}: outside names and data, charts' titles and axis labels only.
TEXTS_JS = """() => {
  const out = [];
  const skip = "script,style,noscript,[translate='no'],.hash,code,.js-plotly-plot";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (text && !node.parentElement.closest(skip)) out.push(text);
  }
  document.querySelectorAll(".js-plotly-plot .gtitle, .js-plotly-plot .xtitle, .js-plotly-plot .ytitle, "
      + ".js-plotly-plot .xtick text").forEach((t) => out.push(t.textContent.trim()));
  document.querySelectorAll("[title], [aria-label], [placeholder]").forEach((e) => {
    if (e.closest("[translate='no'],.js-plotly-plot")) return;
    ["title", "aria-label", "placeholder"].forEach((a) => e.getAttribute(a) && out.push(e.getAttribute(a)));
  });
  return out;
}"""
HAN = re.compile(r"[\u3400-\u9fff]")
#: An English word on a Chinese page: a lowercase word of four letters or more, or plotly's month ticks.
ENGLISH = re.compile(r"\b[a-z]{4,}\b|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
#: Latin words a Chinese page writes as they are (file formats, standards' symbols, the API's header).
LATIN_TERMS = {"minmax", "log1p", "https", "http", "json", "xlsx", "docx", "utf-8", "true", "false",
               "qwer", "abcd", "aaaa"}  # fmt: skip  # the password rules' examples of what is refused


@dataclass
class Site:
    url: str
    data: re.Pattern[str]
    passwords: dict[str, tuple[str, str]]
    #: Kinds of page (`shape`) an earlier role checked, and sections (`section`) checked on a phone.
    checked: set[str] = field(default_factory=set)
    phoned: set[str] = field(default_factory=set)


def stored_texts() -> re.Pattern[str]:
    """Every text value the database stores (longest first), as one pattern that removes them."""
    values: set[str] = set()
    for model in apps.get_models():
        names = [
            f.name for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))
        ]
        for row in model.objects.values_list(*names) if names else []:
            values.update(v.strip() for v in row if isinstance(v, str) and len(v.strip()) > 1)
    ordered = sorted(values, key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in ordered))


@pytest.fixture(scope="module")
def site(django_db_setup: Any, django_db_blocker: Any, browser: Any) -> Iterator[Site]:
    """The demo (registry, programme, comparisons, two published quarters, 2026Q1 in review and 2026Q2
    open) behind a live server of its own; the database is emptied afterwards for the next module, and the
    rows the migrations seed are put back."""
    from qiangji.web.assessment.demo import demo_open_periods
    from qiangji.web.comparisons.demo import load_comparisons_demo
    from qiangji.web.programme.demo import load_programme_demo
    from qiangji.web.publication.demo import publish_demo

    with django_db_blocker.unblock():
        load_demo()
        load_programme_demo()
        load_comparisons_demo()
        publish_demo(["2025Q3", "2025Q4"], runs=50)
        demo_open_periods()
        accounts = {a.role if a.role != "reporter" else a.institution: a for a in demo_accounts()}
        passwords = {
            role: (accounts[key].username, accounts[key].password)
            for role, key in [("reporter", "JJ-MI"), ("reviewer", "reviewer"), ("leadership", "leadership"),
                              ("admin", "admin")]
        }  # fmt: skip
        server = LiveServer("localhost")
        try:
            yield Site(server.url, stored_texts(), passwords)
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            restore_seed_rows()


def restore_seed_rows() -> None:
    """The rows the migrations seed (the shipped framework version, the programme's default goals): the
    flush above empties them too, and the tests after this module expect them as a fresh database has them."""
    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.models import FrameworkVersion
    from qiangji.web.programme.defaults import ensure_default_goals
    from qiangji.web.programme.models import Goal

    ensure_default_framework(FrameworkVersion)
    ensure_default_goals(Goal)


def sign_in(page: Any, site: Site, role: str) -> None:
    if role == "public":
        return
    username, password = site.passwords[role]
    page.goto(f"{site.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/accounts/login/'] input[type=submit]")
    page.wait_for_url(f"{site.url}/home/")


def shape(path: str) -> str:
    """A page's kind: the same view for another institution, period, indicator or record counts once."""
    path = re.sub(r"[A-Z]{2}-MI", "INST", path)
    path = re.sub(r"/[A-Z]\d+(?:\.\d+)*/", "/INDICATOR/", path)
    path = re.sub(r"\d{4}(Q\d)?", "PERIOD", path)
    return re.sub(r"\d+", "N", path.split("?")[0].split("#")[0])


def section(path: str) -> str:
    """The part of the site a page belongs to (``/assessment/…`` → ``assessment``): its pages share one
    layout, so one of them on a phone stands for the rest."""
    return path.strip("/").split("/")[0]


def links(page: Any, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "as => as.map(a => a.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/") and not SKIP.search(h.split("?")[0])]


def wrong_script(texts: list[str], lang: str, data: re.Pattern[str]) -> list[str]:
    """Texts with words of the other script once names and data are taken out (asked only of the texts
    that have such words at all: the pattern of every stored text is slow to run on each of them)."""
    found = []
    for text in texts:
        if not (HAN.search(text) if lang == "en" else ENGLISH.search(text)):
            continue
        rest = data.sub(" ", text)
        english = [w for w in ENGLISH.findall(rest) if w.lower() not in LATIN_TERMS]
        if HAN.search(rest) if lang == "en" else english:
            found.append(text)
    return found


@dataclass
class Visit:
    """One role's visit in one language: where it is, what it found, and the screenshots' folder."""

    site: Site
    page: Any
    role: str
    lang: str
    shots: Any
    problems: list[str]

    def open(self, path: str, phone: bool) -> bool:
        """Open ``path`` at desk width and check it; with ``phone``, check it at phone width too. False
        when the page did not answer (nothing more to check on it)."""
        where, page = f"{self.role} {self.lang} {path}", self.page
        page.set_viewport_size(DESKTOP)
        response = page.goto(self.site.url + path)
        if response is None or response.status >= 400:
            self.problems.append(f"{where}: HTTP {response and response.status}")
            return False
        admin = path.startswith("/admin/")
        if not admin and page.locator("header nav").count() != 1:
            self.problems.append(f"{where}: not in the site's layout")
        slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        page.screenshot(path=str(self.shots / f"pages-{self.role}-{self.lang}-1280-{slug}.png"))
        if not admin:
            bad = wrong_script(page.evaluate(TEXTS_JS), self.lang, self.site.data)
            self.problems.extend(f"{where}: other script: {t[:80]!r}" for t in bad)
        if phone:
            page.set_viewport_size(PHONE)
            page.wait_for_timeout(150)  # plotly redraws on the window's resize event
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                self.problems.append(f"{where}: the phone page scrolls sideways ({width[0]} > {width[1]} px)")
            page.screenshot(path=str(self.shots / f"pages-{self.role}-{self.lang}-390-{slug}.png"))
        return True

    def forbidden(self) -> None:
        path, status = FORBIDDEN[self.role]
        response = self.page.goto(self.site.url + path)
        if response.status != status or self.page.locator("header nav").count() != 1:
            self.problems.append(
                f"{self.role} {self.lang} {path}: {response.status}, not the site's error page"
            )


def pages_of(visit: Visit) -> list[tuple[str, bool]]:
    """Visit the role's pages in the first language, finding them as it goes: the header's links and the
    role's start pages, then the links in their main content, one page per kind. A kind an earlier role
    checked (the same view and template with another role's data) is only opened for its links, and a
    `SHARED` one not at all; each role's home page and start pages are its own. Returns the pages with
    whether each is checked on a phone: every public page, and for a signed-in role the first page of
    each part of the site not yet seen on a phone."""
    site, role, page = visit.site, visit.role, visit.page
    page.goto(site.url + ("/home/" if role != "public" else "/"))
    queue = list(dict.fromkeys([*links(page, "header nav a"), *START[role]]))
    kinds: set[str] = set()
    done: list[tuple[str, bool]] = []
    while queue and len(done) < MAX_PAGES:
        path = queue.pop(0)
        kind = shape(path)
        if kind in kinds:
            continue
        kinds.add(kind)
        if kind in site.checked and (SHARED.match(path) or path not in ("/home/", *START[role])):
            if not SHARED.match(path) and not path.startswith("/admin/"):
                page.goto(site.url + path, wait_until="domcontentloaded")
                queue.extend(h for h in links(page, "main a") if shape(h) not in kinds)
            continue
        phone = role == "public" or section(path) not in site.phoned
        if visit.open(path, phone):
            done.append((path, phone))
            if phone and role != "public":
                site.phoned.add(section(path))
            if not path.startswith("/admin/"):
                queue.extend(h for h in links(page, "main a") if shape(h) not in kinds)
    assert len(kinds) >= 5, kinds  # the role's pages were found
    site.checked.update(kinds)
    return done


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_every_page_on_desk_and_phone_in_both_languages(
    role: str, site: Site, browser: Any, output_dir: Any
) -> None:
    """One browser context per role, signed in once; each page once per language at desk width, and on a
    phone as `pages_of` chooses."""
    problems: list[str] = []
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    try:
        page = context.new_page()
        first, *others = LANGUAGES
        context.add_cookies([{"name": "django_language", "value": first, "url": site.url}])
        sign_in(page, site, role)
        visit = Visit(site, page, role, first, output_dir, problems)
        paths = pages_of(visit)
        visit.forbidden()
        for lang in others:
            context.add_cookies([{"name": "django_language", "value": lang, "url": site.url}])
            visit = Visit(site, page, role, lang, output_dir, problems)
            for path, phone in paths:
                visit.open(path, phone)
            visit.forbidden()
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


PUBLIC_PAGES = ["/", "/rankings/2025Q4/JJ-MI/", "/rankings/2025Q4/methodology/", "/institutions/",
                "/institutions/JJ-MI/", "/accounts/login/"]  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_public_pages_have_no_serious_accessibility_violation(
    lang: str, site: Site, browser: Any
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), []
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    try:
        context.add_cookies([{"name": "django_language", "value": lang, "url": site.url}])
        page = context.new_page()
        for path in PUBLIC_PAGES:
            page.goto(site.url + path)
            page.wait_for_load_state("load")
            for v in axe.run(page).response["violations"]:
                if v["impact"] in ("serious", "critical"):
                    targets = [n["target"] for n in v["nodes"]][:3]
                    found.append(f"{lang} {path}: {v['id']} ({v['impact']}) {targets}")
    finally:
        context.close()
    assert found == [], "\n".join(found)


def test_the_leaderboards_first_load_is_under_1_5_mb_on_the_wire(site: Site, browser: Any) -> None:
    """A first visit (empty cache) on a phone: the page, plotly (brotli), the site's scripts, the icon."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    sizes: dict[str, int] = {}
    try:
        page = context.new_page()

        def record(request: Any) -> None:
            s = request.sizes()
            sizes[request.url] = s["responseBodySize"] + s["responseHeadersSize"]

        page.on("requestfinished", record)
        page.goto(site.url + "/")
        page.wait_for_selector("#chart-scores .main-svg")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert any("plotly.min.js" in url for url in sizes)
    assert sum(sizes.values()) < 1_500_000, sizes
