#!/usr/bin/env python3
"""The largest contributors to the app's wasm, by crate and by function.

    wasm-top.py [WASM] [--count N]

Reads the code section and the `name` custom section of the wasm cargo builds
(target/wasm32-unknown-unknown/release/svclab.wasm by default): that file still holds the
function names (the release profile strips debug info, not symbols), which wasm-bindgen and
wasm-opt later drop. Sizes are therefore before wasm-bindgen and `wasm-opt -Oz` (about 1.2 times
the shipped wasm): read them as shares, not as shipped bytes. A function counts for the crate
its demangled path starts with, so a generic from `alloc` or `core` instantiated for svclab's
types counts for `alloc` or `core`; the data section (string constants, tables) is its own row.
Standard library only.
"""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = (
    Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    / "wasm32-unknown-unknown/release/svclab.wasm"
)


class Reader:
    def __init__(self, data, pos=0, end=None):
        self.data, self.pos = data, pos
        self.end = len(data) if end is None else end

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def uleb(self):
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result

    def bytes(self):
        n = self.uleb()
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def name(self):
        return self.bytes().decode("utf-8", "replace")


def limits(r):
    flags = r.byte()
    r.uleb()
    if flags & 1:
        r.uleb()


def parse(data):
    """(function bodies as [(index, size)], {index: name}, data section size)."""
    if data[:4] != b"\0asm":
        sys.exit("wasm-top: not a wasm file")
    r = Reader(data, 8)
    imported = 0
    bodies, names, data_size = [], {}, 0
    while r.pos < len(data):
        section = r.byte()
        size = r.uleb()
        start, end = r.pos, r.pos + size
        s = Reader(data, start, end)
        if section == 2:  # imports: functions among them take the first indices
            for _ in range(s.uleb()):
                s.name()
                s.name()
                kind = s.byte()
                if kind == 0:
                    s.uleb()
                    imported += 1
                elif kind == 1:
                    s.byte()
                    limits(s)
                elif kind == 2:
                    limits(s)
                elif kind == 3:
                    s.byte()
                    s.byte()
                elif kind == 4:
                    s.byte()
                    s.uleb()
        elif section == 10:  # code
            count = s.uleb()
            for i in range(count):
                body = s.uleb()
                s.pos += body
                bodies.append((imported + i, body))
        elif section == 11:
            data_size = size
        elif section == 0 and s.name() == "name":
            while s.pos < end:
                sub = s.byte()
                sub_size = s.uleb()
                sub_end = s.pos + sub_size
                if sub == 1:
                    for _ in range(s.uleb()):
                        index = s.uleb()
                        names[index] = s.name()
                s.pos = sub_end
        r.pos = end
    return bodies, names, data_size


LEGACY = re.compile(r"_ZN((?:\d+[^\d]\S*?)+)E")
ESCAPES = {"LT": "<", "GT": ">", "RF": "&", "BP": "*", "SP": "@", "LP": "(", "RP": ")", "C": ","}


def unescape(name):
    """Rust's legacy symbol escapes (`_$LT$a..b$u20$as$u20$c$GT$`) to `<a::b as c>`."""

    def escape(m):
        code = m.group(1)
        if code.startswith("u"):
            try:
                return chr(int(code[1:], 16))
            except ValueError:
                return m.group(0)
        return ESCAPES.get(code, m.group(0))

    name = re.sub(r"\$([A-Za-z0-9]+)\$", escape, name).replace("..", "::")
    return name[1:] if name.startswith("_<") else name


def v0(name):
    """An approximation of a v0-mangled name (`_RNvNtCs..._4core3str5split`): its identifiers
    joined by `::` (`core::str::split`), skipping disambiguators, back-references and
    constants. Enough to name a function and its crate."""
    idents, i = [], 2
    while i < len(name):
        ch = name[i]
        skip = re.match(r"(?:[sB][0-9A-Za-z]*|K[a-z][0-9a-f]*)_", name[i:])
        if skip and (ch != "s" or i == 0 or not name[i - 1].isdigit()):
            i += skip.end()
        elif ch.isdigit():
            digits = re.match(r"\d+", name[i:]).group()
            i += len(digits)
            if i < len(name) and name[i] == "_":
                i += 1
            idents.append(name[i : i + int(digits)])
            i += int(digits)
        else:
            i += 1
    return "::".join(idents) if idents else name


def demangle(name):
    """A readable name: legacy (`_ZN3foo3barE`, or escaped) and v0 (`_R...`) Rust mangling
    undone well enough to name the function and its crate; other names unchanged."""
    if name.startswith("_R"):
        return v0(name)
    m = LEGACY.fullmatch(name) or LEGACY.fullmatch(name.split(".")[0])
    if not m:
        return unescape(name) if "$" in name or ".." in name else name
    rest, parts = m.group(1), []
    while rest:
        digits = re.match(r"\d+", rest)
        if not digits:
            break
        n = int(digits.group())
        rest = rest[digits.end() :]
        parts.append(rest[:n])
        rest = rest[n:]
    return unescape("::".join(parts))


def crate(name):
    """The crate a demangled path starts with, or a note for symbols without one."""
    generic = re.match(r"<&?(?:mut )?[A-Z][A-Za-z0-9_]* as ([A-Za-z_][A-Za-z0-9_]*)::", name)
    if generic:  # `<T as tachys::view::Render>::build`: the trait's crate
        return generic.group(1)
    path = re.sub(r"^(?:[<&(\[*]|dyn |mut |const )+", "", name)
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", path)
    return m.group(1) if m else "(no crate: runtime symbols)"


def main(args):
    path, count = DEFAULT, 10
    while args:
        match args:
            case ["--count", n, *args]:
                count = int(n)
            case [p, *args] if not p.startswith("-"):
                path = Path(p)
            case _:
                sys.exit(__doc__)
    if not path.exists():
        sys.exit(f"wasm-top: no {path}: run `trunk build --release` first")
    bodies, names, data_size = parse(path.read_bytes())
    by_crate = {"(data section)": data_size}
    functions = []
    # wasm-bindgen runs its descriptor functions at build time and drops them from the output.
    bodies = [
        (index, size)
        for index, size in bodies
        if not names.get(index, "").startswith("__wbindgen_describe")
    ]
    code = sum(size for _, size in bodies)
    total = code + data_size
    for index, size in bodies:
        name = demangle(names.get(index, f"function[{index}]"))
        by_crate[crate(name)] = by_crate.get(crate(name), 0) + size
        functions.append((size, re.sub(r"::h[0-9a-f]{16}$", "", name)))

    def share(n):
        return f"{100 * n / total:5.1f} %"

    print(
        f"largest contributors to the wasm ({path.name} before wasm-bindgen and wasm-opt:"
        f" {code:,} bytes of code in {len(bodies):,} functions, {data_size:,} of data):"
    )
    print(f"  {'by crate':<58} {'bytes':>10} {'share':>7}")
    for name, size in sorted(by_crate.items(), key=lambda kv: (-kv[1], kv[0]))[:count]:
        print(f"  {name:<58} {size:>10,} {share(size)}")
    print(f"  {'by function':<58} {'bytes':>10} {'share':>7}")
    for size, name in sorted(functions, key=lambda f: (-f[0], f[1]))[:count]:
        shown = name if len(name) <= 58 else name[:55] + "..."
        print(f"  {shown:<58} {size:>10,} {share(size)}")


if __name__ == "__main__":
    main(sys.argv[1:])
