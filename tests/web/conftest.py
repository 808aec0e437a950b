"""What the browser tests share: headless Chromium, a wait, axe-core, and the real ASGI server.

Use them from a test module with::

    from tests.web.conftest import ARTIFACTS, axe_check, color_scheme, wait_for

and the ``browser`` and ``asgi_live_server`` fixtures. Screenshots and axe's
results land in test-artifacts/ at the top of the checkout.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.asgi_server import AsgiLiveServer
from tests.support.waiting import ROOT

ARTIFACTS = ROOT / "test-artifacts"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")  # "minor" and "moderate" are saved, not failed


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """WhiteNoise's file responses warn under ASGI each time (waybrief/asgi.py
    silences it in production); pytest resets that filter for each test."""
    quiet = pytest.mark.filterwarnings(
        "ignore:StreamingHttpResponse must consume synchronous iterators"
    )
    for item in items:
        if "asgi_live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(quiet)


@pytest.fixture
def browser(tmp_path) -> Iterator[webdriver.Chrome]:
    """Debian's headless Chromium, a fresh profile per test."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1100,900",
                 f"--user-data-dir={tmp_path / 'chromium'}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def wait_for(driver, predicate: Callable[[Any], object], timeout: float = 120):
    """Poll the page until ``predicate(driver)`` is truthy; its value is returned."""
    return WebDriverWait(driver, timeout, poll_frequency=0.25).until(lambda d: predicate(d))


@pytest.fixture
def asgi_live_server(_asgi_server: AsgiLiveServer, transactional_db) -> AsgiLiveServer:
    """The production web server (uvicorn, configured as `manage.py serve`
    configures it) serving the test database: a live summary is streamed as
    in production, not polled as under Django's WSGI live server.

    It runs in this process, so a test's ``settings`` changes reach it, and
    each test's rows are committed (transactional), so its threads see them.
    """
    return _asgi_server


@pytest.fixture(scope="session")
def _asgi_server(django_db_setup, django_db_blocker) -> Iterator[AsgiLiveServer]:
    with django_db_blocker.unblock():
        server = AsgiLiveServer().start()
    try:
        yield server
    finally:
        with django_db_blocker.unblock():
            server.stop()


def color_scheme(driver, scheme: str) -> None:
    """Emulate ``prefers-color-scheme: light|dark`` for the pages that follow
    (Chromium's DevTools protocol; it lasts until changed or the browser quits)."""
    feature = {"name": "prefers-color-scheme", "value": scheme}
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [feature]})


def axe_check(driver, page_name: str) -> dict:
    """Run axe-core on the page the browser shows; fail on a serious or critical
    violation, naming each (rule, impact, elements, what to fix).

    The whole result is saved to test-artifacts/axe-<page_name>.json first, so
    a failure can be read in full (and a pass shows what was checked).
    """
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci` at the top of the checkout"
                    " (`make test` does) for the axe-core that package.json pins")  # fmt: skip
    driver.set_script_timeout(60)
    # WebDriver's script runs as DevTools evaluates it: the page's CSP does not apply.
    driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(JSON.stringify(r)),"
        " e => done(JSON.stringify({error: String(e)})));"
    )
    results = json.loads(results)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{page_name}.json").write_text(json.dumps(results, indent=1), "utf-8")
    if "error" in results:
        pytest.fail(f"axe-core failed on {page_name}: {results['error']}")
    failing = [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]
    if failing:
        lines = [f"{page_name} ({results.get('url')}): {len(failing)} serious or critical"
                 " accessibility violation(s):"]  # fmt: skip
        for violation in failing:
            lines.append(f"- {violation['id']} [{violation['impact']}]: {violation['help']}"
                         f" ({violation['helpUrl']})")  # fmt: skip
            for node in violation["nodes"][:10]:
                summary = " ".join(node.get("failureSummary", "").split())
                lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
            if len(violation["nodes"]) > 10:
                lines.append(f"    … and {len(violation['nodes']) - 10} more")
        pytest.fail("\n".join(lines), pytrace=False)
    return results
