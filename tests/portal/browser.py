"""browser: the portal in a real browser for the tests: Debian's chromium, headless, driven by
chromium-driver through python3-selenium; each Browser is a fresh profile (empty cache, empty
storage) with its own interface language. Accessibility is checked by axe-core (npm), injected
through the driver, and page weights are read from the browser's Resource Timing entries
(transferSize: the bytes that crossed the network, compressed)."""
import json
import os
import shutil
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

SOURCE = os.environ.get("UNIC_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
AXE = os.path.join(SOURCE, "build-tools", "node_modules", "axe-core", "axe.min.js")
CHROMIUM = os.environ.get("UNIC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("UNIC_CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT_SECONDS = 30


class Browser:
    def __init__(self, base_url, lang, shots_dir):
        self.base = base_url.rstrip("/")
        self.lang = lang
        self.shots = shots_dir
        self.profile = tempfile.mkdtemp(prefix="unic-chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=" + lang,
                    "--user-data-dir=" + self.profile):
            opts.add_argument(arg)
        self.downloads = os.path.join(self.profile, "downloads")
        opts.add_experimental_option("prefs", {"intl.accept_languages": lang,
                                               "download.default_directory": self.downloads,
                                               "download.prompt_for_download": False})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.driver.set_script_timeout(60)

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    # ---- navigation and waiting ----

    def open(self, route=""):
        url = self.base + "/" + ("#/" + route if route else "")
        if self.driver.current_url == url:
            self.driver.refresh()  # the same address does not navigate: read the screen afresh
        else:
            self.driver.get(url)

    def wait(self, predicate, what):
        try:
            return WebDriverWait(self.driver, WAIT_SECONDS).until(lambda d: predicate())
        except TimeoutException:
            page = self.text()
            alerts = self.js("return [...document.querySelectorAll('[role=alert]')].map((e) => e.innerText).join(' | ')")
            raise AssertionError("waited %d s for %s; alerts: %s; page: %s" % (WAIT_SECONDS, what, alerts, page[:2000]))

    def find(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def one(self, css):
        def present():
            found = self.find(css)
            return found[0] if found and found[0].is_displayed() else None
        return self.wait(present, css)

    def click(self, css):
        for _ in range(5):
            try:
                el = self.one(css)
                # as a user would: scrolled to the middle, clear of the sticky save bar
                self.js("arguments[0].scrollIntoView({block: 'center'})", el)
                el.click()
                return
            except StaleElementReferenceException:
                time.sleep(0.2)  # the screen re-rendered under us; look again
        raise AssertionError("%s kept going stale" % css)

    def type(self, css, text):
        """Replaces the field's text by typing, as a user does (so input events fire)."""
        el = self.one(css)
        el.send_keys(Keys.CONTROL, "a")
        el.send_keys(Keys.DELETE)
        if text:
            el.send_keys(text)

    def text(self, css="body"):
        """The rendered text of the first match (read in the page, so a re-render never makes it stale)."""
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", css)

    def screen(self, name):
        """Waits for the screen `name` (the router's data-screen) to finish loading."""
        self.wait(lambda: self.js("return document.getElementById('main').dataset.screen") == name
                  and not self.find("#main .loading"), "screen " + name)

    def downloaded(self, suffix):
        """The bytes of the first finished download whose name ends with `suffix`. Chromium makes
        an empty file of the final name as soon as a download starts and writes to a .crdownload
        beside it, renamed over it at the end: finished is that name, non-empty, with no
        .crdownload left."""
        def done():
            names = os.listdir(self.downloads) if os.path.isdir(self.downloads) else []
            if any(n.endswith(".crdownload") for n in names):
                return None
            return next((n for n in names if n.endswith(suffix)
                         and os.path.getsize(os.path.join(self.downloads, n)) > 0), None)
        name = self.wait(done, "a download ending in " + suffix)
        with open(os.path.join(self.downloads, name), "rb") as f:
            return name, f.read()

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def shot(self, name):
        path = os.path.join(self.shots, name + ".png")
        # The whole page, not just the window: resize to the document's height for the picture.
        self.js("window.scrollTo(0, 0)")
        height = self.js("return Math.min(document.documentElement.scrollHeight, 6000)")
        self.driver.set_window_size(1280, max(1000, height))
        self.driver.save_screenshot(path)
        self.driver.set_window_size(1280, 1000)
        return path

    # ---- measurements ----

    def fresh_load_bytes(self, route, screen):
        """Bytes transferred (compressed, headers included) by loading `route` afresh, with the
        HTTP cache disabled, once its screen has rendered: the files and the API calls."""
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        self.open(route)
        self.driver.refresh()
        self.screen(screen)
        self.driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        return self.js("""
            const nav = performance.getEntriesByType('navigation').map((e) => e.transferSize);
            const res = performance.getEntriesByType('resource').map((e) => e.transferSize);
            return [...nav, ...res].reduce((a, b) => a + b, 0);""")

    def after_load_bytes(self):
        return self.js("""
            const nav = performance.getEntriesByType('navigation').map((e) => e.transferSize);
            const res = performance.getEntriesByType('resource').map((e) => e.transferSize);
            return {total: [...nav, ...res].reduce((a, b) => a + b, 0),
                    files: performance.getEntriesByType('resource').map((e) => [e.name, e.transferSize])};""")

    def axe(self):
        """axe-core's violations on the current screen, as [{id, impact, nodes}]."""
        with open(AXE) as f:
            self.js(f.read())
        result = self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']})
              .then((r) => done(JSON.stringify(r.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)})))))
              .catch((e) => done(JSON.stringify({error: String(e)})));""")
        out = json.loads(result)
        if isinstance(out, dict):
            raise AssertionError("axe-core failed: %s" % out["error"])
        return out
