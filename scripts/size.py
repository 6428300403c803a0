#!/usr/bin/env python3
"""The release bundle's size, and the ratchet that keeps its growth a recorded decision.

    size.py show     the raw, gzip and Brotli sizes of dist/'s wasm, JS and CSS, and the record
    size.py check    show, then fail if the gzip or the Brotli total is more than 3 % over the
                     record (docs/size.txt)
    size.py write    show, then write the record from dist/

dist/ must hold a release build (`trunk build --release`): the compressed sizes are those of
the .gz and .br files the post_build hook (scripts/precompress.mjs) writes beside each asset,
the very files a host serves. index.html is shown but left out of the totals.
Standard library only.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
RECORD = ROOT / "docs" / "size.txt"
KINDS = (".wasm", ".js", ".css")
TOLERANCE = 0.03
COLUMNS = ("raw", "gzip", "brotli")

HEADER = """\
# The release bundle's size in bytes (scripts/size.py write): `trunk build --release` into dist/,
# with the .gz (gzip by zopfli) and .br (Brotli 11) files its post_build hook writes beside each asset.
# scripts/size-check, run by scripts/test and so by CI, fails when the gzip or the Brotli total
# of the build is more than 3 % over this record. A commit that grows the bundle past that
# rewrites this file (scripts/size-check --write) and says in its message what the bytes buy.
"""


def measure():
    """{kind: {column: bytes}} for wasm, js, css and their total, plus per-file rows."""
    if not (DIST / "index.html").exists():
        sys.exit("size: no dist/index.html: run `trunk build --release` first")
    files, missing = [], []
    for path in sorted(DIST.iterdir()):
        if path.suffix not in KINDS + (".html",):
            continue
        row = {"raw": path.stat().st_size}
        for column, ext in (("gzip", ".gz"), ("brotli", ".br")):
            packed = path.with_name(path.name + ext)
            if packed.exists():
                row[column] = packed.stat().st_size
            else:
                missing.append(packed.name)
        files.append((path, row))
    if missing:
        sys.exit(
            f"size: {', '.join(missing)} missing: dist/ is not a release build"
            " (`trunk build --release` runs the post_build hook that writes them)"
        )
    totals = {kind[1:]: dict.fromkeys(COLUMNS, 0) for kind in KINDS}
    for path, row in files:
        if path.suffix in KINDS:
            for column in COLUMNS:
                totals[path.suffix[1:]][column] += row[column]
    totals["total"] = {c: sum(totals[k[1:]][c] for k in KINDS) for c in COLUMNS}
    return totals, files


def read_record():
    if not RECORD.exists():
        return None
    record = {}
    for line in RECORD.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, *values = line.split()
        if kind == "kind":
            continue
        record[kind] = dict(zip(COLUMNS, (int(v) for v in values)))
    return record


def table(totals):
    lines = [f"{'kind':<6} {'raw':>10} {'gzip':>10} {'brotli':>10}"]
    for kind, row in totals.items():
        lines.append(f"{kind:<6} {row['raw']:>10} {row['gzip']:>10} {row['brotli']:>10}")
    return "\n".join(lines) + "\n"


def show(totals, files):
    print(f"{'file (dist/)':<40} {'bytes':>10} {'gzip':>10} {'brotli':>10}")
    for path, row in files:
        print(f"{path.name:<40} {row['raw']:>10,} {row['gzip']:>10,} {row['brotli']:>10,}")
    t = totals["total"]
    print(f"{'wasm + JS + CSS':<40} {t['raw']:>10,} {t['gzip']:>10,} {t['brotli']:>10,}")


def compare(totals, record):
    """Lines comparing the totals with the record, and whether they are within the ratchet."""
    ok, lines = True, []
    for column in ("gzip", "brotli"):
        now, then = totals["total"][column], record["total"][column]
        change = (now - then) / then
        limit = int(then * (1 + TOLERANCE))
        verdict = "ok" if now <= limit else "OVER"
        ok = ok and now <= limit
        lines.append(
            f"{column} total {now:,} bytes against {then:,} recorded ({change:+.1%};"
            f" limit {limit:,}): {verdict}"
        )
    return lines, ok


def main(args):
    match args:
        case ["show"] | ["check"] | ["write"]:
            command = args[0]
        case _:
            sys.exit(__doc__)
    totals, files = measure()
    show(totals, files)
    if command == "write":
        RECORD.parent.mkdir(exist_ok=True)
        RECORD.write_text(HEADER + table(totals))
        print(f"size: wrote {RECORD.relative_to(ROOT)}")
        return
    record = read_record()
    if record is None or "total" not in record:
        print(f"size: no record in {RECORD.relative_to(ROOT)}")
        if command == "check":
            sys.exit("size: write the record with scripts/size-check --write and commit it")
        return
    lines, ok = compare(totals, record)
    for line in lines:
        print(f"size: {line}")
    if command == "check" and not ok:
        sys.exit(
            "size: the bundle grew more than 3 % over docs/size.txt. If the growth is meant,"
            " run scripts/size-check --write and commit docs/size.txt with the change, saying"
            " in the message what the bytes buy."
        )
    if ok and totals["total"]["gzip"] < record["total"]["gzip"] * (1 - TOLERANCE):
        print("size: more than 3 % under the record: scripts/size-check --write tightens it")


if __name__ == "__main__":
    main(sys.argv[1:])
