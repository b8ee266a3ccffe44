"""A real browser (Debian's headless chromium through its chromidriver) logs in to the dashboard
served by waitress, opens a shift and finds its charts drawn with the shift's data."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.config import Config, CounterConfig, DashboardConfig
from kiosk.dashboard import create_app
from kiosk.dashboard.auth import hash_password
from kiosk.dashboard.server import DashboardServer
from kiosk.storage.sample import fill_sample
from kiosk.storage.store import Store

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PASSWORD = "browser test password"
WAIT_S = 10.0

# For each chart canvas: its kind, the length of every dataset, and whether its pixels were
# painted (some alpha in the drawing area: a blank canvas is all transparent).
CHARTS_JS = """
return Array.from(document.querySelectorAll('canvas[data-chart]')).map((canvas) => {
  const chart = window.Chart && window.Chart.getChart(canvas);
  const ctx = canvas.getContext('2d');
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
  return {
    kind: canvas.dataset.chart,
    lengths: chart ? chart.data.datasets.map((d) => d.data.length) : null,
    nonNull: chart ? chart.data.datasets.map((d) => d.data.filter((v) => v !== null).length) : null,
    painted: painted / (canvas.width * canvas.height),
  };
});
"""


@pytest.fixture(scope="module")
def driver():
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(
            "no Debian chromium/chromedriver: apt install chromium chromium-driver "
            "(.ci/system-deps does it in CI)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)  # never let Selenium Manager fetch a browser
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI containers run as root
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    fill_sample(folder / "kiosk.db", now=datetime.now(UTC))
    store = Store.open(folder / "kiosk.db")
    store.add_user("ana", hash_password(PASSWORD))
    config = dataclasses.replace(
        Config(),
        counter=CounterConfig(name="counter-1", site="site-1"),
        dashboard=DashboardConfig(secret_key_file=str(folder / "secret_key")),
    )
    server = DashboardServer(create_app(store, config), "127.0.0.1", 0)
    server.start()
    yield server, store
    server.stop()
    store.close()


def open_logged_in(driver, server, path: str) -> None:
    """Opens `path`, logging in through the form when the dashboard asks for it."""
    from selenium.webdriver.common.by import By

    driver.get(server.url + path)
    if driver.current_url.startswith(server.url + "login?next="):
        driver.find_element(By.NAME, "username").send_keys("ana")
        driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: driver.current_url == server.url + path, f"/{path} after logging in")


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting {WAIT_S} s for {what}")


def test_a_supervisor_logs_in_and_sees_a_shifts_charts_drawn_with_its_minutes(
    driver, served, tmp_path
):

    server, store = served
    shift = store.shifts("counter-1")[0]
    record = store.shift(shift["id"])
    minutes = len(record["minutes"])
    cues = len(record["summary"]["nudges_by_cue"])
    assert minutes > 10 and cues > 0

    driver.delete_all_cookies()
    driver.get(server.url + f"shifts/{shift['id']}")
    assert driver.current_url.startswith(server.url + "login?next=")
    open_logged_in(driver, server, f"shifts/{shift['id']}")
    wait_for(
        lambda: driver.execute_script(
            "const b = document.querySelector('.charts'); return b && b.dataset.drawn;"
        ),
        "the charts",
    )
    charts = {chart["kind"]: chart for chart in driver.execute_script(CHARTS_JS)}
    screenshot = tmp_path / "shift.png"
    driver.save_screenshot(str(screenshot))
    print(f"screenshot: {screenshot}")

    assert set(charts) == {
        "shift-ratios",
        "shift-expression",
        "shift-gesturing",
        "shift-counts",
        "shift-cues",
    }
    assert charts["shift-ratios"]["lengths"] == [minutes] * 3
    assert charts["shift-expression"]["lengths"] == [minutes] * 2
    assert charts["shift-gesturing"]["lengths"] == [minutes]
    assert charts["shift-counts"]["lengths"] == [minutes] * 2
    assert charts["shift-cues"]["lengths"] == [cues]
    # Eye contact, the face's expression and gesturing were measured in most minutes (those
    # that only hold a pause are gaps): the lines are not all gaps, and they are the API's.
    measured = sum(1 for m in record["minutes"] if m["frown_ratio"] is not None)
    assert measured >= minutes // 2
    assert charts["shift-ratios"]["nonNull"][0] >= minutes // 2
    assert charts["shift-expression"]["nonNull"] == [measured] * 2
    assert charts["shift-gesturing"]["nonNull"] == [measured]
    for kind, chart in charts.items():
        assert chart["painted"] > 0.02, f"{kind} looks blank ({chart['painted']:.3f} painted)"
    assert screenshot.stat().st_size > 20_000
    assert_no_browser_errors(driver)


def test_the_shifts_page_draws_the_trends_and_today_refreshes_itself(driver, served, tmp_path):
    from selenium.webdriver.common.by import By

    server, store = served
    days = len(store.trends("counter-1"))
    open_logged_in(driver, server, "shifts")
    wait_for(
        lambda: driver.execute_script("return document.querySelector('.charts').dataset.drawn"),
        "the trend charts",
    )
    charts = {chart["kind"]: chart for chart in driver.execute_script(CHARTS_JS)}
    assert charts["trend-ratios"]["lengths"] == [days] * 3 == [3] * 3
    assert charts["trend-expression"]["lengths"] == [days] * 3
    assert charts["trend-greeting"]["lengths"] == [days] * 2
    assert charts["trend-greeting"]["nonNull"] == [days] * 2
    assert all(chart["painted"] > 0.02 for chart in charts.values())
    driver.save_screenshot(str(tmp_path / "shifts.png"))

    driver.get(server.url)
    # The page script replaces the server-rendered note after its first fetch of /api/status.
    driver.execute_script("document.getElementById('status').textContent = 'stale';")
    wait_for(
        lambda: driver.find_element(By.ID, "status").text != "stale", "a refresh of the status"
    )
    assert driver.find_element(By.ID, "status").text in {"Tracking", "Offline"}
    driver.save_screenshot(str(tmp_path / "today.png"))
    print(f"screenshots: {tmp_path / 'shifts.png'} {tmp_path / 'today.png'}")
    assert_no_browser_errors(driver)


def assert_no_browser_errors(driver):
    """No script error and no Content-Security-Policy violation in the console."""
    errors = [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
    ]
    assert errors == []
