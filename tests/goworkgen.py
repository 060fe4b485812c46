"""Random go.work files for differential tests against the go command.

``valid_gowork(rng)`` writes files that ``modfile.ParseWork`` accepts (``go``, ``toolchain``,
``godebug``, ``use`` and ``replace``, as single lines and blocks, with comments, quoting,
odd spacing, CRLF and duplicates); ``malformed_gowork(rng)`` corrupts one of them in one of
many ways Go reports. Everything comes from the ``random.Random`` passed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from gomodgen import CORRUPTIONS, Gen, _assemble

USE_DIRS = [
    "./a",
    "./b/c",
    "../sibling",
    "..",
    ".",
    "/abs/mod",
    "./with space",
    "./ünï",
    "a/b",
    "./x,y",
    "./d/",
    "../../up",
]


@dataclass
class WorkGen(Gen):
    """A go.work being written, with the ``use`` paths it holds (for edit tests)."""

    uses: list[str] = field(default_factory=list)
    godebug_keys: list[str] = field(default_factory=list)

    def use_stmt(self) -> None:
        items = []
        for d in self.rng.sample(USE_DIRS, self.rng.randint(1, 5)):
            self.uses.append(d)
            if " " in d or "," in d or self.chance(0.15):
                items.append('"' + d + '"')
            else:
                items.append(d)
        if self.chance(0.2):
            items.append(items[0])  # a duplicate use: ParseWork keeps both
        self.stmt("use", items)

    def godebug_stmt(self) -> None:
        items = []
        for _ in range(self.rng.randint(1, 3)):
            key = self.rng.choice(["default", "panicnil", "http2client", "x"])
            self.godebug_keys.append(key)
            items.append(f"{key}={self.rng.choice(['go1.21', '1', '0', ''])}")
        self.stmt("godebug", items)


def _valid(rng: random.Random) -> WorkGen:
    g = WorkGen(rng)
    if g.chance(0.2):
        g.comments(0.6)
        g.add("")
    directives = [g.toolchain_stmt, g.godebug_stmt, g.use_stmt, g.use_stmt, g.replace_stmt]
    chosen = [d for d in directives if g.chance(0.5)]
    if g.chance(0.8):
        chosen.insert(0, g.go_stmt)
    if g.chance(0.15):
        rng.shuffle(chosen)
    for d in chosen:
        d()
    g.comments(0.2)
    return g


def valid_gowork(rng: random.Random) -> bytes:
    """A go.work that ``modfile.ParseWork`` (and so ``go work edit``) accepts."""
    return _assemble(_valid(rng))


def valid_gowork_with_facts(rng: random.Random) -> tuple[bytes, WorkGen]:
    """Like :func:`valid_gowork`, also returning what it used (for edit tests)."""
    g = _valid(rng)
    return _assemble(g), g


WORK_CORRUPTIONS: list[tuple[str, str]] = [
    ("use without path", "use"),
    ("use two paths", "use ./a ./b"),
    ("use block two paths", "use (\n\t./a ./b\n)"),
    ("use bad quote", 'use "./a\\q"'),
    ("use unterminated", 'use "./a'),
    ("use two-token block", "use ./a (\n\t./b\n)"),
    ("module in go.work", "module example.com/m"),
    ("require in go.work", "require example.com/x v1.0.0"),
    ("require block", "require (\n\texample.com/x v1.0.0\n)"),
    ("toolchain block", "toolchain (\n\tgo1.21.0\n)"),
    ("go twice", "go 1.22"),
    ("go patch-less rc", "go 1.21rc"),
    ("go three", "go 1.2.3.4"),
    ("go empty", "go"),
    ("godebug empty", "godebug"),
    ("godebug block bad", "godebug (\n\ta\n)"),
    ("replace block bad", "replace (\n\texample.com/x v1\n)"),
    ("use arrow", "use ./a => ./b"),
    ("use backquoted", "use `./a`"),
]


def malformed_gowork(rng: random.Random) -> tuple[bytes, str]:
    """A go.work with one injected problem, and the name of that problem."""
    g = _valid(rng)
    kind = rng.random()
    if kind < 0.06:
        data = bytearray(_assemble(g))
        pos = rng.randrange(len(data) + 1)
        data[pos:pos] = rng.choice([b"\xff", b"\xc3", b"\xe2\x82", b"\x80abc"])
        return bytes(data), "bad utf-8"
    if kind < 0.5:
        name, text = rng.choice(WORK_CORRUPTIONS)
    else:
        name, text = rng.choice(CORRUPTIONS)
    slots = [i for i, line in enumerate(g.lines) if not line.startswith(("\t", " ")) or line == ""]
    at = rng.choice([*slots, len(g.lines)])
    if g.chance(0.2):
        inner = [i for i, line in enumerate(g.lines) if line.endswith("(")]
        if inner and "\n" not in text and not text.startswith(("use", "go ", "module")):
            at = rng.choice(inner) + 1
            text = "\t" + text.split(" ", 1)[-1]
    g.lines[at:at] = text.split("\n")
    return _assemble(g), name
