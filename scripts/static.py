#!/usr/bin/env python3
"""Serves dist/ as a static host that uses the release build's precompressed files would.

    static.py [--port PORT] [--address ADDRESS] [--encodings br,gzip]

For a request the client accepts in one of `--encodings` (by default br, then gzip), the file's
NAME.br or NAME.gz (written beside each asset by the Trunk hook, scripts/precompress.mjs) is
sent with Content-Encoding and `Vary: Accept-Encoding`; otherwise the file itself. Files whose
names carry Trunk's content hash (`svclab-0123456789abcdef_bg.wasm`) are sent with
`Cache-Control: public, max-age=31536000, immutable`, anything else (index.html) with
`no-cache` and an ETag, answered with 304 Not Modified when it has not changed: a repeat visit
downloads only a revalidation of index.html. scripts/load.py runs it in a thread.
Standard library only.
"""

import email.utils
import functools
import http.server
import re
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
# Trunk writes its 64-bit hash in hex without leading zeros (`lessons-ddfd1fae33ec3ed.css`), so
# a hashed name may carry fewer than sixteen digits.
HASHED = re.compile(r"-[0-9a-f]{8,16}(_bg)?\.[a-z0-9]+$")
SUFFIX = {"br": ".br", "gzip": ".gz"}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".wasm": "application/wasm",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real host
    directory = DIST
    encodings = ("br", "gzip")
    log = None  # a list: (path, encoding or None, status, bytes sent) per request

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.answer(body=False)

    def do_GET(self):
        self.answer(body=True)

    def answer(self, body):
        name = self.path.split("?", 1)[0].split("#", 1)[0].lstrip("/") or "index.html"
        path = (self.directory / name).resolve()
        if self.directory.resolve() not in path.parents or not path.is_file():
            self.send_error(404)
            return
        accepted = {
            part.split(";", 1)[0].strip()
            for part in self.headers.get("Accept-Encoding", "").split(",")
        }
        encoding, sent = None, path
        for candidate in self.encodings:
            packed = path.with_name(path.name + SUFFIX[candidate])
            if candidate in accepted and packed.is_file():
                encoding, sent = candidate, packed
                break
        stat = sent.stat()
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        hashed = HASHED.search(path.name) is not None
        if not hashed and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.note(name, encoding, 304, 0)
            return
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(path.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.send_header("Vary", "Accept-Encoding")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        if hashed:
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
            self.send_header("ETag", etag)
        self.end_headers()
        if body:
            self.wfile.write(sent.read_bytes())
        self.note(name, encoding, 200, stat.st_size if body else 0)

    def note(self, name, encoding, status, size):
        if self.log is not None:
            self.log.append((name, encoding, status, size))


def start(encodings=("br", "gzip"), address="127.0.0.1", port=0, log=None):
    """Serves dist/ from a thread; returns (server, base URL)."""
    if not (DIST / "index.html").exists():
        sys.exit("static.py: no dist/index.html: run scripts/release-build first")
    handler = type(
        "DistHandler", (Handler,), {"encodings": tuple(encodings), "log": log}
    )
    server = http.server.ThreadingHTTPServer((address, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{address}:{server.server_address[1]}/"


def main(args):
    port, address, encodings = 8080, "127.0.0.1", ("br", "gzip")
    while args:
        match args:
            case ["--port", value, *args]:
                port = int(value)
            case ["--address", value, *args]:
                address = value
            case ["--encodings", value, *args]:
                encodings = tuple(e for e in value.split(",") if e)
                if not set(encodings) <= set(SUFFIX):
                    sys.exit(f"static.py: encodings are {', '.join(SUFFIX)}")
            case _:
                sys.exit(__doc__)
    server, url = start(encodings, address, port)
    print(f"static.py: serving dist/ on {url} (precompressed: {', '.join(encodings) or 'none'})")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
