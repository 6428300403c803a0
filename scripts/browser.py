#!/usr/bin/env python3
"""Loads the built app (dist/) in headless Chromium, driven through chromedriver.

    browser.py report            gzipped sizes of dist/ and time to the first rendered cluster
    browser.py screenshot PATH   PNG of the app with the seed applied and a request on the wire

dist/ is served by a static file server on 127.0.0.1; nothing else is contacted.
The app makes the Performance API mark START_MARK when its wasm starts running and
FIRST_CLUSTER_MARK once its first cluster picture has been painted (src/ui/cluster_view.rs);
their startTime is milliseconds since navigation start.
Standard library only.
"""

import base64
import functools
import gzip
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
FIRST_CLUSTER_MARK = "svclab-first-cluster"
START_MARK = "svclab-start"  # made by main(), once the wasm is compiled and instantiated
SIZE_BUDGET = 300_000  # bytes, gzipped wasm + JS + CSS
TIME_BUDGET_MS = 500.0  # navigation start to first cluster
LOADS = 5  # each in a new browser session with an empty profile: cold caches
WINDOW = (1440, 900)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
    }

    def log_message(self, *args):
        pass


def serve_dist():
    """Starts a static server for dist/ in a thread; returns its base URL."""
    if not (DIST / "index.html").exists():
        sys.exit("browser.py: no dist/index.html: run `trunk build --release` first")
    handler = functools.partial(StaticHandler, directory=str(DIST))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


class Chromium:
    """A chromedriver process; new_session() opens a fresh headless Chromium."""

    def __init__(self):
        driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
        if not driver:
            sys.exit("browser.py: chromedriver not found: run scripts/setup")
        self.port = free_port()
        self.process = subprocess.Popen(
            [driver, f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self.request("GET", "/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("browser.py: chromedriver did not start")
                time.sleep(0.05)

    def request(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return json.load(response)["value"]

    def new_session(self):
        options = json.loads((ROOT / "webdriver.json").read_text())["goog:chromeOptions"]
        options["args"] = options["args"] + [f"--window-size={WINDOW[0]},{WINDOW[1]}"]
        binary = shutil.which("chromium")
        if binary:
            options["binary"] = binary
        capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
        value = self.request("POST", "/session", {"capabilities": capabilities})
        session = Session(self, value["sessionId"])
        # --window-size includes the browser's frame: make the page itself WINDOW in size.
        session.call(
            "POST",
            "/goog/cdp/execute",
            {
                "cmd": "Emulation.setDeviceMetricsOverride",
                "params": {
                    "width": WINDOW[0],
                    "height": WINDOW[1],
                    "deviceScaleFactor": 1,
                    "mobile": False,
                },
            },
        )
        return session

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Session:
    def __init__(self, chromium, session_id):
        self.chromium = chromium
        self.path = f"/session/{session_id}"

    def call(self, method, path, body=None):
        return self.chromium.request(method, self.path + path, body)

    def goto(self, url):
        self.call("POST", "/url", {"url": url})

    def script(self, source):
        return self.call("POST", "/execute/sync", {"script": source, "args": []})

    def wait_for_first_cluster(self, timeout=15.0):
        """Milliseconds from navigation start to the app's first-cluster mark."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            times = self.script(
                f"return performance.getEntriesByName({json.dumps(FIRST_CLUSTER_MARK)})"
                ".map(e => e.startTime)"
            )
            if times:
                return times[0]
            time.sleep(0.02)
        log = self.script("return document.body.innerHTML.slice(0, 500)")
        sys.exit(
            f"browser.py: the app made no {FIRST_CLUSTER_MARK!r} mark within {timeout:.0f} s;"
            f" the page body starts: {log!r}"
        )

    def mark(self, name):
        """startTime of a Performance API entry by name (a mark, or a paint), or None."""
        times = self.script(
            f"return performance.getEntriesByName({json.dumps(name)}).map(e => e.startTime)"
        )
        return times[0] if times else None

    def wasm_loaded(self):
        """Milliseconds from navigation start until the wasm file was downloaded."""
        return self.script(
            "const e = performance.getEntriesByType('resource')"
            ".filter(e => e.name.endsWith('.wasm'))[0]; return e ? e.responseEnd : null"
        )

    def click_button(self, name):
        """Click the button whose visible text is `name`."""
        found = self.script(
            "const b = Array.from(document.querySelectorAll('button'))"
            f".find(b => b.textContent.trim() === {json.dumps(name)});"
            " if (b) { b.click(); return true; } return false;"
        )
        if not found:
            raise RuntimeError(f"no button {name!r} on the page")

    def wait_until(self, condition, what, timeout=20.0):
        """Poll a script returning a boolean until it is true."""
        deadline = time.monotonic() + timeout
        while not self.script(condition):
            if time.monotonic() > deadline:
                raise RuntimeError(f"gave up waiting for {what}")
            time.sleep(0.05)

    def screenshot(self):
        return base64.b64decode(self.call("GET", "/screenshot"))

    def close(self):
        self.call("DELETE", "")


def sizes():
    """Prints raw and gzipped sizes of dist/'s wasm, JS and CSS; returns the gzipped total."""
    files = sorted(
        p for p in DIST.iterdir() if p.suffix in (".wasm", ".js", ".css", ".html")
    )
    total = 0
    print(f"{'file':<44} {'bytes':>10} {'gzipped':>10}")
    for path in files:
        data = path.read_bytes()
        zipped = len(gzip.compress(data, compresslevel=9))
        if path.suffix != ".html":
            total += zipped
        print(f"{path.name:<44} {len(data):>10,} {zipped:>10,}")
    print(f"{'total gzipped wasm + JS + CSS':<44} {'':>10} {total:>10,}")
    return total


def report():
    over = []
    print("size (dist/):")
    total = sizes()
    verdict = "ok" if total <= SIZE_BUDGET else "OVER BUDGET"
    if total > SIZE_BUDGET:
        over.append("size")
    print(f"size: {total / 1000:.1f} kB gzipped, budget {SIZE_BUDGET / 1000:.0f} kB: {verdict}")

    url = serve_dist()
    chromium = Chromium()
    try:
        times, downloads, starts, contentful = [], [], [], []
        for _ in range(LOADS):
            session = chromium.new_session()
            try:
                session.goto(url)
                times.append(session.wait_for_first_cluster())
                downloads.append(session.wasm_loaded() or 0.0)
                start = session.mark(START_MARK)
                if start is not None:
                    starts.append(start)
                paint = session.mark("first-contentful-paint")
                if paint is not None:
                    contentful.append(paint)
            finally:
                session.close()
    finally:
        chromium.close()
    median = statistics.median(times)
    verdict = "ok" if median <= TIME_BUDGET_MS else "OVER BUDGET"
    if median > TIME_BUDGET_MS:
        over.append("first render")
    loads = ", ".join(f"{t:.0f}" for t in times)
    print(
        f"first cluster: median {median:.0f} ms from navigation over {LOADS} cold loads"
        f" ({loads} ms), budget {TIME_BUDGET_MS:.0f} ms: {verdict}"
    )
    started = (
        f"compiled and started by {statistics.median(starts):.0f} ms"
        if starts
        else f"no {START_MARK!r} mark seen"
    )
    print(
        f"  medians: the wasm downloaded by {statistics.median(downloads):.0f} ms, {started};"
        " the rest is booting the world and rendering"
    )
    if contentful:
        print(
            f"  the page's loading note was painted by {statistics.median(contentful):.0f} ms"
            " (first contentful paint, median)"
        )
    if over and os.environ.get("REPORT_STRICT"):
        sys.exit(f"report: over budget: {', '.join(over)}")


def screenshot(out):
    """The README's picture: the seed applied, its pods ready, and a request's packet on the
    wire, as a learner sees them after pressing Apply and then Send request."""
    url = serve_dist()
    chromium = Chromium()
    try:
        session = chromium.new_session()
        try:
            session.goto(url)
            session.wait_for_first_cluster()
            session.click_button("Apply")
            session.wait_until(
                "return document.querySelectorAll('.pod.ready[aria-label^=\"Pod backend-\"]').length === 3",
                "three ready backend pods",
            )
            session.click_button("Send request")
            session.wait_until(
                "return document.querySelector('.packet.request, .packet.reply') !== null",
                "a request or reply packet on the wire",
            )
            time.sleep(0.3)  # a few frames further along its hop
            png = session.screenshot()
        finally:
            session.close()
    finally:
        chromium.close()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png)
    print(f"screenshot: {out} ({len(png):,} bytes, {WINDOW[0]}x{WINDOW[1]})")


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["report"]:
            report()
        case ["screenshot", out]:
            screenshot(out)
        case _:
            sys.exit(__doc__)
