"""Driving Debian's Chromium through chromedriver for the browser tests (no browser download).

Importing this module skips the importing test module when Chromium, chromedriver or selenium is
missing, except in CI, which installs them: there a silent skip would hide the browser tests.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apphelpers import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts"
WAIT_S = 10.0


def _missing() -> str | None:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        return "Debian's chromium and chromium-driver are not installed"
    if importlib.util.find_spec("selenium") is None:
        return "the selenium package is not installed"
    return None


if (missing := _missing()) is not None:
    if os.environ.get("CI"):  # CI installs both: a silent skip there would hide the browser tests
        pytest.fail(f"browser tests cannot run in CI: {missing}", pytrace=False)
    pytest.skip(missing, allow_module_level=True)
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


class Browser:
    """Selenium is blocking: every call runs in a thread, so the app under test keeps serving on this loop."""

    def __init__(self, driver: Any, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    async def run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    async def go(self, path: str) -> None:
        await self.run(self.driver.get, self.base_url + path)

    async def find(self, css: str, text: str | None = None) -> Any:
        """The element once it is there (and holds `text`, when given)."""
        condition = (expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, css), text) if text
                     else expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))
        # The page's live update may swap the element out while it is read ("Node with given id does not
        # belong to the document" is such a stale read): keep waiting, as for a stale element.
        stale = (StaleElementReferenceException, WebDriverException)
        wait = WebDriverWait(self.driver, WAIT_S, ignored_exceptions=stale)
        await self.run(wait.until, condition)
        return await self.run(self.driver.find_element, By.CSS_SELECTOR, css)

    async def click(self, css: str) -> None:
        await self.run((await self.find(css)).click)

    async def type(self, css: str, text: str) -> None:
        await self.run((await self.find(css)).send_keys, text)

    async def js(self, script: str, *args: Any) -> Any:
        return await self.run(self.driver.execute_script, script, *args)

    async def screenshot(self, name: str, width: int = 1280, height: int = 900) -> Path:
        """Saved to test-artifacts/ at that window size (a phone is 390 x 844); the size is restored after."""
        ARTIFACTS.mkdir(exist_ok=True)
        await self.run(self.driver.set_window_size, width, height)
        path = ARTIFACTS / name
        try:
            await self.run(self.driver.save_screenshot, str(path))
        finally:
            await self.run(self.driver.set_window_size, 1280, 900)
        return path

    async def errors(self) -> list[str]:
        return [e["message"] for e in await self.run(self.driver.get_log, "browser") if e["level"] == "SEVERE"]


def chromium() -> Iterator[Any]:
    """A headless Chromium for the length of a test module (its `driver` fixture)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()
