#!/usr/bin/env python3
"""Browser figures for the manifest editor (issue 18), printed, not asserted.

    bench-editor.py [--runs N]

Loads dist/ (a release build, served by scripts/static.py) in headless Chromium at 1440x900 and
times, from the event to the next painted frame (requestAnimationFrame, then a task):
  - Apply of the seed, and of a 1,000-object manifest (500 Deployments and their Services)
    typed into the editor first (the typing timed apart), into a fresh page N times (each
    first Apply creates the objects; a median of one run swung by 100 ms), then again unchanged;
  - pasting a 1 MB manifest into the editor, against the same paste into a plain <textarea>
    added to the same page, then the editor's paste again with localStorage writes stubbed
    out and with the gutter's line numbers counted, to show where the difference goes.
A paste is played as its end: the textarea's value set and an `input` event fired. The
browser's own route, `document.execCommand('insertText')`, is quadratic in headless Chromium
even in a plain textarea (10 kB took 7 s, 30 kB 77 s, 60 kB 239 s on a loaded 2-core
machine), so it would measure Chromium's editing code, not svclab's.
Then one check, which fails the script: a manifest whose name holds HTML is refused and its
error shows the name as text (no element made from it, no script run).
Standard library only.
"""

import json
import statistics
import sys

import browser
import static

# Resolves with the ms from now until the frame after `action` is painted.
TIMED = """
const [source, done] = [arguments[0], arguments[arguments.length - 1]];
const action = new Function(source);
const t0 = performance.now();
action();
const t1 = performance.now();
requestAnimationFrame(() => setTimeout(() => done([t1 - t0, performance.now() - t0]), 0));
"""


def manifest(objects):
    docs = []
    for i in range(objects // 2):
        docs.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\nspec:\n"
            f"  replicas: 1\n  selector:\n    matchLabels:\n      app: app{i}\n  template:\n"
            f"    metadata:\n      labels:\n        app: app{i}\n    spec:\n      containers:\n"
            f"        - name: web\n          image: nginx\n          ports:\n"
            f"            - containerPort: 80\n"
        )
        docs.append(
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: svc{i}\nspec:\n  selector:\n"
            f"    app: app{i}\n  ports:\n    - port: 80\n"
        )
    return "---\n".join(docs)


def megabyte():
    text, i = [], 0
    while sum(len(t) for t in text) < 1_000_000:
        text.append(manifest(2).replace("app0", f"app{i}").replace("svc0", f"svc{i}"))
        i += 1
    return "---\n".join(text)[:1_000_000]


SET_EDITOR = """
const ta = document.querySelector("textarea[aria-label='Manifest']");
ta.focus(); ta.value = window.__text;
ta.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'}));
"""
SET_PLAIN = """
let ta = document.getElementById('plain-textarea');
if (!ta) { ta = document.createElement('textarea'); ta.id = 'plain-textarea';
  ta.wrap = 'off'; ta.spellcheck = false;
  ta.style.cssText = 'position:fixed;left:0;top:0;width:300px;height:430px;z-index:9';
  document.body.appendChild(ta); }
ta.value = ''; ta.focus(); ta.value = window.__text;
ta.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'}));
"""
APPLY = """
Array.from(document.querySelectorAll('button')).find(b => b.textContent.trim() === 'Apply').click();
"""


class Page:
    def __init__(self, session):
        self.session = session

    def timed(self, source):
        """(ms in the handler, ms to the next painted frame)."""
        return self.session.chromium.request(
            "POST",
            self.session.path + "/execute/async",
            {"script": TIMED, "args": [source]},
            timeout=900,
        )

    def put(self, text):
        self.session.call(
            "POST",
            "/execute/sync",
            {"script": "window.__text = arguments[0];", "args": [text]},
        )

    def js(self, source):
        return self.session.script(source)


def runs_of(page, n, before, source):
    out = []
    for _ in range(n):
        page.js(before)
        out.append(page.timed(source))
    return out


RESET_EDITOR = """
const ta = document.querySelector("textarea[aria-label='Manifest']");
ta.value = window.__seed; ta.dispatchEvent(new Event('input', {bubbles: true}));
"""
RESET_PLAIN = """
const ta = document.getElementById('plain-textarea'); if (ta) ta.value = '';
"""


def first_and_again(name, samples):
    """Apply: the first run creates the objects, the others find them unchanged."""
    each = ", ".join(f"{s[1]:.0f}" for s in samples)
    again = statistics.median(s[1] for s in samples[1:]) if len(samples) > 1 else None
    tail = f"; again, all unchanged: {again:.0f} ms" if again is not None else ""
    print(
        f"  {name:<58} {samples[0][1]:7.0f} ms to the frame ({samples[0][0]:.0f} in the"
        f" handler){tail} ({each})"
    )


def show(name, samples):
    frame = statistics.median(s[1] for s in samples)
    handler = statistics.median(s[0] for s in samples)
    each = ", ".join(f"{s[1]:.0f}" for s in samples)
    print(f"  {name:<58} {frame:7.0f} ms to the frame ({handler:.0f} in the handler; {each})")
    return frame


def main(args):
    runs = 2
    match args:
        case []:
            pass
        case ["--runs", n]:
            runs = max(1, int(n))
        case _:
            sys.exit(__doc__)
    server, url = static.start(("gzip",))
    chromium = browser.Chromium()
    try:
        session = chromium.new_session()
        session.call("POST", "/timeouts", {"script": 900_000})
        page = Page(session)
        session.goto(url)
        session.wait_for_first_cluster()
        print(f"editor figures (median of {runs} runs; headless Chromium, 1440x900):")
        seed = page.js("return document.querySelector(\"textarea[aria-label='Manifest']\").value")
        page.js(f"window.__seed = {json.dumps(seed)};")
        first_and_again("Apply of the seed (3 replicas and a Service)", runs_of(page, runs + 1, "", APPLY))
        page.put(manifest(1000))
        typed = runs_of(page, 1, "", SET_EDITOR)
        show(f"pasting the 1,000-object manifest ({len(manifest(1000)) // 1000} kB) in", typed)
        applied = runs_of(page, runs + 1, "", APPLY)
        # The first Apply (the one that creates the objects) once more in each of `runs - 1`
        # fresh pages, so that its figure is a median too.
        for _ in range(runs - 1):
            fresh = chromium.new_session()
            try:
                fresh.call("POST", "/timeouts", {"script": 900_000})
                fresh.goto(url)
                fresh.wait_for_first_cluster()
                other = Page(fresh)
                other.timed(APPLY)
                other.put(manifest(1000))
                other.timed(SET_EDITOR)
                applied.insert(1, other.timed(APPLY))
            finally:
                fresh.close()
        show(f"Apply of 1,000 objects (into the seed, in {runs} fresh pages)", applied[:runs])
        show("Apply of the 1,000 objects again, all unchanged", applied[runs:])
        page.js(RESET_EDITOR)
        page.timed(APPLY)

        mb = megabyte()
        page.put(mb)
        editor = show("paste 1 MB into the editor", runs_of(page, runs, RESET_EDITOR, SET_EDITOR))
        lines = page.js("return document.querySelectorAll('.gutter .ln').length")
        plain = show(
            "paste 1 MB into a plain <textarea> (wrap off)",
            runs_of(page, runs, RESET_PLAIN, SET_PLAIN),
        )
        page.js("document.getElementById('plain-textarea').remove()")
        page.js(
            "window.__setItem = Storage.prototype.setItem;"
            " Storage.prototype.setItem = function () {};"
        )
        no_save = show(
            "paste 1 MB into the editor, localStorage writes stubbed",
            runs_of(page, runs, RESET_EDITOR, SET_EDITOR),
        )
        page.js("Storage.prototype.setItem = window.__setItem;")
        print(
            f"  the editor: {editor / plain:.1f}x the plain textarea ({editor - plain:+.0f} ms),"
            f" {no_save / plain:.1f}x without localStorage writes; after the paste its gutter"
            f" holds {lines:,} line-number elements (the lines around the visible ones)"
        )
        page.js(RESET_EDITOR)

        # HTML in a name: refused, and shown as text.
        html = seed.replace(
            "name: backend\n", 'name: "<img src=x onerror=window.__pwned=1>"\n', 1
        )
        page.put(html)
        page.timed(SET_EDITOR)
        page.timed(APPLY)
        state = page.js(
            "const e = document.querySelector('.apply-errors');"
            " return {text: e ? e.textContent : '', imgs: document.querySelectorAll('.apply-errors img').length,"
            " pwned: window.__pwned === 1}"
        )
        shown = "<img src=x onerror=window.__pwned=1>" in state["text"]
        ok = shown and state["imgs"] == 0 and not state["pwned"]
        print(
            f"HTML in a name: error shows it as text: {'ok' if shown else 'NO'};"
            f" elements made from it: {state['imgs']}; script run: {state['pwned']}"
        )
        session.close()
    finally:
        chromium.close()
        server.shutdown()
    if not ok:
        sys.exit("bench-editor: HTML in a manifest reached the page as markup")


if __name__ == "__main__":
    main(sys.argv[1:])
