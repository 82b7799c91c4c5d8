"""Headless Chromium for the browser tests (the dashboard, the Dagster UI), and a free local port."""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = os.environ.get("TIMO_CHROMIUM", "/usr/bin/chromium")
    driver = os.environ.get("TIMO_CHROMEDRIVER", "/usr/bin/chromedriver")
    if not (Path(chromium).exists() and Path(driver).exists()):
        pytest.fail(f"Chromium and ChromeDriver are required ({chromium}, {driver}): "
                    "run scripts/ensure_chromium.sh or install Debian's chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--window-size=1600,1200"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def wait_for(browser, predicate, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"the page never showed {what}; it shows: {browser.find_element('tag name', 'body').text[:2000]}")


def wait_until_serving(url: str, server, log: Path, timeout: float) -> None:
    """Until `url` answers 200; fails with the server's log if it exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline and server.poll() is None, log.read_text()[-3000:]
        time.sleep(0.5)
