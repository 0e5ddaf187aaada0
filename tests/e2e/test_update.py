"""A new version of the site: offered with a button, never mixed with the running one."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import build_wheel
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import READY_TIMEOUT_MS as READY_MS
from .conftest import SiteServer, wait_settled

pytestmark = pytest.mark.e2e

PHOTO = "exif_orientation6_landscape.jpg"
PROMPT = "A new version is ready — reload"
# v2's page code marks the page, so the test can tell which version's app.js runs.
MARK = '\ndocument.body.dataset.build = "v2";\n'
INSTALL_MS = 120_000  # the new worker downloads and checks the whole site before it waits
# Seen here: Chromium's own second look at sw.js comes 5 to 8 s after the first visit starts.
BROWSER_CHECK_S = 30


def build_v2(site: Path, dest: Path) -> str:
    """The same site with a changed app.js, stamped as a new version the way the build does."""
    shutil.copytree(site, dest)
    with (dest / "app.js").open("a") as app:
        app.write(MARK)
    shutil.copy2(build_wheel.WEB / "sw.js", dest / "sw.js")
    pillow_build = json.loads((site / "manifest.json").read_text())["pillow_build"]
    return build_wheel.write_manifest(dest, pillow_build)["version"]


def version(page: Page) -> str:
    """The version whose files answer this page (its service worker's cache)."""
    return page.evaluate("fetch('manifest.json').then((r) => r.json()).then((m) => m.version)")


def compress_photo(page: Page, corpus: Path) -> None:
    page.locator("#file-input").set_input_files(corpus / PHOTO)
    wait_settled(page, 1)
    expect(page.locator("[data-file-row]")).to_have_attribute("data-state", "done")


@pytest.fixture
def v2(site: Path, tmp_path: Path) -> tuple[Path, str]:
    dest = tmp_path / "v2"
    return dest, build_v2(site, dest)


def open_v1(page: Page, server: SiteServer) -> str:
    """Visit v1 until its service worker controls the page; returns v1's version."""
    page.goto(server.url)
    expect(page.locator("body")).to_have_attribute("data-offline", "ready", timeout=READY_MS)
    return version(page)


def test_new_version_is_offered_and_reloads_into_it(
    page: Page, own_server: SiteServer, v2: tuple[Path, str], corpus: Path
) -> None:
    """With v2 on the server, a v1 page says a new version is ready and goes on running v1 (its
    files, its engine); the button reloads it into v2, which compresses."""
    v2_root, v2_version = v2
    v1_version = open_v1(page, own_server)
    assert v1_version != v2_version
    own_server.root = v2_root
    page.reload()  # a visit checks for a new service worker
    prompt = page.get_by_role("button", name=PROMPT)
    expect(prompt).to_be_visible(timeout=INSTALL_MS)

    assert version(page) == v1_version, "the waiting version already answers the page"
    assert page.locator("body").get_attribute("data-build") is None
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_MS)
    compress_photo(page, corpus)

    prompt.click()
    expect(page.locator("body")).to_have_attribute("data-build", "v2", timeout=READY_MS)
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_MS)
    assert version(page) == v2_version
    expect(page.get_by_role("button", name=PROMPT)).to_be_hidden()
    compress_photo(page, corpus)


def test_other_tabs_stop_their_engine_when_a_new_version_takes_over(
    page: Page, context: BrowserContext, own_server: SiteServer, v2: tuple[Path, str]
) -> None:
    """When one tab reloads into v2, another v1 tab stops its engine (v1's files are gone) and
    offers the reload; it loads nothing of v2 meanwhile."""
    v2_root, _ = v2
    open_v1(page, own_server)
    own_server.root = v2_root
    page.reload()
    expect(page.get_by_role("button", name=PROMPT)).to_be_visible(timeout=INSTALL_MS)
    other = context.new_page()
    other.goto(own_server.url)
    expect(other.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_MS)
    # Its whole pool, not only the first worker: the claim is about a tab that has loaded what
    # it runs (a worker still loading then would fetch its wheels, whose hashes its lock file
    # pins).
    other.wait_for_function(
        "() => { const w = window.imgcompress.workers(); return w.ready === w.size; }",
        timeout=READY_MS,
    )
    other_requests: list[str] = []
    other.on("request", lambda request: other_requests.append(request.url))

    page.get_by_role("button", name=PROMPT).click()
    expect(page.locator("body")).to_have_attribute("data-build", "v2", timeout=READY_MS)
    expect(other.locator("body")).to_have_attribute("data-engine", "stopped")
    expect(other.get_by_role("button", name=PROMPT)).to_be_visible()
    assert other.locator("body").get_attribute("data-build") is None
    assert other_requests == []


def sw_checks(server: SiteServer) -> int:
    """How many times the browser has asked the server for sw.js (each is an update check)."""
    return sum(1 for _, path in server.requests if path.split("?")[0] == "/sw.js")


def test_a_long_open_tab_hears_of_a_new_version_when_shown_again(
    page: Page, own_server: SiteServer, v2: tuple[Path, str]
) -> None:
    """A tab that stays open (no reload) looks for a new version when it is shown again, and
    offers it."""
    v2_root, _ = v2
    open_v1(page, own_server)
    # Chromium looks once more by itself a few seconds after the page has loaded: let that pass
    # first, so only the page's own look can find v2.
    deadline = time.monotonic() + BROWSER_CHECK_S
    while sw_checks(own_server) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    own_server.root = v2_root
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.get_by_role("button", name=PROMPT)).to_be_visible(timeout=INSTALL_MS)
    assert page.locator("body").get_attribute("data-build") is None
