"""The report in a real browser: headless Chromium, offline, loads every image without an error.

Needs ``selenium`` (the ``test`` extras) and Debian's ``chromium`` and ``chromium-driver``
(``apt-get install chromium chromium-driver``); skipped, saying which is missing, without them.
The driver is given explicitly, so Selenium Manager never downloads anything.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
import report_builders as rb

from genlab.report.page import write_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium with no network chatter, its console log kept."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    for exe in (CHROMIUM, CHROMEDRIVER):
        if not exe.exists() and shutil.which(exe.name) is None:
            pytest.skip(f"{exe} is missing (apt-get install chromium chromium-driver)")
    options = Options()
    options.binary_location = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1366,900",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = CHROMEDRIVER if CHROMEDRIVER.exists() else shutil.which("chromedriver")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(driver_path)))
    yield driver
    driver.quit()


def full_page_screenshot(driver, path: Path) -> Path:
    """The whole page, not just the window (Chrome DevTools' captureBeyondViewport)."""
    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 0.5},
    })  # fmt: skip
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def test_the_report_loads_offline_with_every_image(browser, tmp_path):
    root = rb.reproduction(tmp_path / "reproduce", extras=True, failed="problem2", quick=True)
    page = write_report([root], tmp_path / "report.html")
    browser.get_log("browser")  # start from an empty console
    browser.get(page.resolve().as_uri())
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.alt])"
    )
    assert len(images) > 10
    assert [alt for ok, alt in images if not ok] == []
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    # fits a laptop screen: nothing wider than the window but the tables that scroll
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert "Problem 2" in browser.find_element("id", "problem2").text
    assert "BOOM" not in browser.find_element("id", "problem2").text  # traceback collapsed
    shot = full_page_screenshot(browser, tmp_path / "report.png")
    assert shot.stat().st_size > 10_000
