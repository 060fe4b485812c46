"""Random go.mod files for differential tests against the go command.

``valid_gomod(rng)`` writes files that ``modfile.Parse`` accepts (every directive, block and
single-line forms, comments everywhere, quoting, odd spacing, CRLF, duplicates, versions
Go canonicalises); ``malformed_gomod(rng)`` corrupts one of them in one of many ways Go
reports (lexical, structural and per-directive errors). Everything is drawn from the
``random.Random`` passed in, so a seed reproduces a file.

>>> import random
>>> data = valid_gomod(random.Random(1))
>>> data.startswith(b"") and isinstance(data, bytes)
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

HOSTS = ["example.com", "golang.org/x", "github.com/acme", "gopkg.in", "rsc.io", "k8s.io"]
NAMES = ["a", "b", "c", "tools", "net", "yaml", "Quote", "ünï", "x-y", "z_z", "m.v"]
COMMENT_WORDS = [
    "indirect",
    "indirect;",
    "TODO",
    "see",
    "#123",
    "pinned",
    "für",
    "日本",
    "<b>&",
    "Deprecated:",
    "//",
    "a\tb",
]


@dataclass
class Gen:
    """One file being written: its lines plus facts the edit tests can reuse."""

    rng: random.Random
    lines: list[str] = field(default_factory=list)
    module: str = ""
    paths: list[str] = field(default_factory=list)
    excludes: list[tuple[str, str]] = field(default_factory=list)
    replaces: list[tuple[str, str]] = field(default_factory=list)
    go_version: str = ""

    # -- pieces -----------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def path(self) -> tuple[str, str]:
        """A module path and its major-version suffix kind: "", "/vN" or ".vN"."""
        r = self.rng
        host = r.choice(HOSTS)
        name = r.choice(NAMES)
        if host == "gopkg.in":
            n = r.choice([0, 1, 2, 3])
            return f"gopkg.in/{name}.v{n}", f".v{n}"
        p = f"{host}/{name}"
        if self.chance(0.2):
            p += "/" + r.choice(NAMES)
        if self.chance(0.2):
            n = r.choice([2, 3, 10])
            return f"{p}/v{n}", f"/v{n}"
        return p, ""

    def version(self, suffix: str) -> str:
        r = self.rng
        major = int(suffix[2:]) if suffix.startswith(("/v", ".v")) else r.choice([0, 1, 1, 1, 2, 5])
        minor, patch = r.randint(0, 20), r.randint(0, 12)
        kind = r.random()
        if suffix.startswith(".v") and major == 1 and kind < 0.1:
            return "v0.0.0-20180101000000-abcdefabcdef"  # Go tolerates this old gopkg.in form
        if kind < 0.15:
            v = f"v{major}.{minor}.{patch}-0.20{r.randint(10, 29)}0102150405-{r.randbytes(6).hex()}"
        elif kind < 0.25:
            v = f"v{major}.{minor}.{patch}-{r.choice(['rc.1', 'beta', 'alpha.0.1', 'pre'])}"
        elif kind < 0.3:
            v = f"v{major}.{minor}"  # not canonical: Go rewrites it to vX.Y.0
        elif kind < 0.33:
            v = f"v{major}"
        elif kind < 0.36:
            v = f"v{major}.{minor}.{patch}+meta"
        else:
            v = f"v{major}.{minor}.{patch}"
        if suffix == "" and major >= 2:
            v = v.split("+")[0] + "+incompatible"
            if v.count(".") < 2 and "-" not in v:
                v = f"v{major}.{minor}.{patch}+incompatible"
        return v

    def quoted(self, s: str) -> str:
        """``s`` as a token: usually bare, sometimes needlessly quoted."""
        if self.chance(0.12):
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return s

    def comment(self) -> str:
        r = self.rng
        words = r.sample(COMMENT_WORDS, r.randint(0, 3))
        sep = r.choice(["// ", "//", "//  ", "//\t"])
        return (sep + " ".join(words)).rstrip() if words else "//"

    def eol(self) -> str:
        """An optional end-of-line comment, sometimes an ``// indirect`` marking."""
        r = self.rng.random()
        if r < 0.55:
            return ""
        if r < 0.75:
            return " " + self.rng.choice(
                ["// indirect", "//indirect", "// indirect; x", "// indirect;"]
            )
        return self.rng.choice([" ", "\t", "  "]) + self.comment()

    def indent(self) -> str:
        return self.rng.choice(["\t", "\t", "\t", "    ", "  ", "", "\t "])

    def add(self, line: str) -> None:
        self.lines.append(line)

    def blanks(self) -> None:
        for _ in range(self.rng.choice([0, 1, 1, 1, 2])):
            self.add(self.rng.choice(["", "", " ", "\t"]))

    def comments(self, p: float = 0.25) -> None:
        while self.chance(p):
            self.add(self.rng.choice(["", " ", "\t"]) + self.comment())

    def stmt(self, verb: str, items: list[str]) -> None:
        """Write ``items`` as single lines, one block, or a mix."""
        r = self.rng
        if not items:
            if self.chance(0.1):
                self.add(f"{verb} ()")
            return
        form = r.random()
        if form < 0.35:
            for it in items:
                self.comments(0.15)
                self.add(f"{verb}{r.choice([' ', '  ', chr(9)])}{it}{self.eol()}")
        else:
            self.comments(0.2)
            head = f"{verb} ("
            if self.chance(0.1):
                head += " " + self.comment()
            self.add(head)
            for it in items:
                if self.chance(0.15):
                    self.add("")
                self.comments(0.12)
                self.add(f"{self.indent()}{it}{self.eol()}")
            self.comments(0.1)
            if self.chance(0.1):
                self.add("")
            self.add(")" + (" " + self.comment() if self.chance(0.1) else ""))
        self.blanks()

    # -- directives -------------------------------------------------------------------------

    def module_stmt(self) -> None:
        r = self.rng
        self.module, _ = self.path()
        if self.chance(0.25):
            msg = r.choice(["use example.com/new instead", "", "gone\n// for good", "<old> & done"])
            self.add("// Deprecated: " + msg.replace("\n", "\n"))
            if self.chance(0.3):
                self.add("//")
                self.add("// more text")
        else:
            self.comments(0.3)
        if self.chance(0.08):
            self.add("module (")
            self.add(f"\t{self.quoted(self.module)}")
            self.add(")")
        else:
            self.add(f"module {self.quoted(self.module)}{self.eol() if self.chance(0.3) else ''}")
        self.blanks()

    def go_stmt(self) -> None:
        self.go_version = self.rng.choice(
            ["1.16", "1.17", "1.20", "1.21", "1.21rc2", "1.21.0", "1.22.3", "1.27", "1.9"]
        )
        self.add(f"go {self.go_version}")
        self.blanks()

    def toolchain_stmt(self) -> None:
        self.add(
            f"toolchain {self.rng.choice(['go1.21.0', 'go1.22rc1', 'default', 'go1.27.3-custom'])}"
        )
        self.blanks()

    def godebug_stmt(self) -> None:
        items = [
            f"{self.rng.choice(['default', 'panicnil', 'http2client', 'x'])}={self.rng.choice(['go1.21', '1', '0', ''])}"
            for _ in range(self.rng.randint(1, 3))
        ]
        self.stmt("godebug", items)

    def require_stmt(self) -> None:
        items = []
        first: tuple[str, str] | None = None
        for _ in range(self.rng.randint(0, 8)):
            p, suffix = self.path()
            first = first or (p, suffix)
            self.paths.append(p)
            items.append(f"{self.quoted(p)} {self.quoted(self.version(suffix))}")
        if first is not None and self.chance(0.2):
            items.append(f"{self.quoted(first[0])} {self.version(first[1])}")  # a duplicate path
        self.stmt("require", items)

    def exclude_stmt(self) -> None:
        items = []
        for _ in range(self.rng.randint(1, 4)):
            p, suffix = self.path()
            v = self.version(suffix)
            self.excludes.append((p, v))
            items.append(f"{self.quoted(p)} {v}")
        if self.chance(0.3):
            items.append(items[-1])
        self.stmt("exclude", items)

    def replace_target(self) -> str:
        r = self.rng
        if self.chance(0.5):
            return r.choice(
                ["./local", "../fork", "..", ".", "/abs/dir", "C:/src/x", "./a,b", "./with space"]
            )
        p, suffix = self.path()
        return f"{p} {self.version(suffix)}"

    def replace_stmt(self) -> None:
        items = []
        for _ in range(self.rng.randint(1, 4)):
            p, suffix = self.path()
            old_v = self.version(suffix) if self.chance(0.4) else ""
            self.replaces.append((p, old_v))
            target = self.replace_target()
            if " " in target and not target.startswith("./with"):
                tp, tv = target.split(" ")
                target = f"{self.quoted(tp)} {tv}"
            else:
                target = '"' + target + '"' if ("," in target or " " in target) else target
            arrow = "=>"
            items.append(" ".join(x for x in (self.quoted(p), old_v, arrow, target) if x))
        if self.chance(0.3):
            items.append(items[0])
        self.stmt("replace", items)

    def retract_stmt(self) -> None:
        r = self.rng
        items = []
        for _ in range(r.randint(1, 4)):
            v = self.version("")
            if self.chance(0.4):
                w = self.version("")
                items.append(r.choice([f"[{v}, {w}]", f"[ {v} , {w} ]", f"[{v},{w}]"]))
            elif self.chance(0.05):
                items.append(r.choice(["foo", '"v1.0.0"']))  # unchecked without a fixer
            else:
                items.append(v)
        if r.random() < 0.5:
            for it in items:
                if self.chance(0.5):
                    self.add(
                        "// "
                        + r.choice(["bad release", "oops", "security: CVE-1", "multi\n// line"])
                    )
                self.add(f"retract{r.choice([' ', chr(9)])}{it}{self.eol()}")
            self.blanks()
        else:
            self.stmt("retract", items)

    def tool_stmt(self) -> None:
        items = [self.path()[0] + r for r in self.rng.sample(["", "/cmd/x", "/cmd/y"], 2)]
        if self.chance(0.3):
            items.append(items[0])
        self.stmt("tool", items)

    def ignore_stmt(self) -> None:
        items = self.rng.sample(
            ["./node_modules", "node_modules", "./third_party/x", "vendor", '"./a b"'], 2
        )
        if self.chance(0.3):
            items.append(items[0])
        self.stmt("ignore", items)


def _assemble(g: Gen) -> bytes:
    eol = "\r\n" if g.chance(0.1) else "\n"
    text = eol.join(g.lines)
    if g.chance(0.85):
        text += eol
    if g.chance(0.05):
        text = text.replace("\n", " \n")  # trailing spaces
    return text.encode("utf-8")


def _valid(rng: random.Random) -> Gen:
    g = Gen(rng)
    if g.chance(0.2):
        g.comments(0.6)
        g.add("")
    g.module_stmt()
    directives = [
        g.go_stmt,
        g.toolchain_stmt,
        g.godebug_stmt,
        g.require_stmt,
        g.require_stmt,
        g.exclude_stmt,
        g.replace_stmt,
        g.retract_stmt,
        g.tool_stmt,
        g.ignore_stmt,
    ]
    chosen = [d for d in directives if g.chance(0.55)]
    if g.go_stmt not in chosen and g.chance(0.7):
        chosen.insert(0, g.go_stmt)
    if g.chance(0.8):
        # The go command writes go first; keep that usually, but not always.
        chosen.sort(key=lambda d: 0 if d == g.go_stmt else 1)
    else:
        rng.shuffle(chosen)
    for d in chosen:
        d()
    g.comments(0.2)
    return g


def valid_gomod(rng: random.Random) -> bytes:
    """A go.mod that ``modfile.Parse`` (and so ``go mod edit``) accepts."""
    return _assemble(_valid(rng))


def valid_gomod_with_facts(rng: random.Random) -> tuple[bytes, Gen]:
    """Like :func:`valid_gomod`, also returning the paths it used (for edit tests)."""
    g = _valid(rng)
    return _assemble(g), g


CORRUPTIONS: list[tuple[str, str]] = [
    ("unknown directive", "foo bar"),
    ("unknown block", "foo (\n\tx\n)"),
    ("two-token block", "require x (\n\ta v1.0.0\n)"),
    ("go block", "go (\n\t1.21\n)"),
    ("bad require version", "require example.com/x v2.0.0"),
    ("major mismatch", "require example.com/x/v2 v1.0.0"),
    ("not semver", "require example.com/x master"),
    ("require arity", "require example.com/x v1.0.0 extra"),
    ("require arity 1", "require example.com/x"),
    ("bad path", "require example.com/x/v1 v1.0.0"),
    ("gopkg bad", "require gopkg.in/yaml v1.0.0"),
    ("exclude version", "exclude example.com/x/v3 v2.0.0"),
    ("repeated module", "module other.example/m"),
    ("repeated go", "go 1.21\ngo 1.22"),
    ("bad go", "go 1.21.0.1"),
    ("bad go v", "go v1.21"),
    ("go arity", "go 1.21 1.22"),
    ("repeated toolchain", "toolchain go1.21.0\ntoolchain go1.22.0"),
    ("bad toolchain", "toolchain 1.21"),
    ("toolchain arity", "toolchain"),
    ("godebug no eq", "godebug panicnil"),
    ("godebug quote", "godebug a='b'"),
    ("godebug comma", "godebug a=b,c"),
    ("bad escape", 'require "example.com/\\q" v1.0.0'),
    ("unquoted quote", "require example.com/x'y v1.0.0"),
    ("backquoted", "module `example.com/m`"),
    ("quoted version bad", 'require example.com/x "v1\\z"'),
    ("replace usage", "replace example.com/x v1.0.0"),
    ("replace arrow", "replace example.com/x => "),
    ("replace no arrow", "replace example.com/x v1.0.0 example.com/y v1.0.0"),
    ("replace dir version", "replace example.com/x => ./dir v1.0.0"),
    ("replace module no version", "replace example.com/x => example.com/y"),
    ("replace at", "replace example.com/x => example.com/y@v1.0.0"),
    ("replace windows", "replace example.com/x => .\\dir\\sub"),
    ("replace old version", "replace example.com/x v2.0.0 => ./x"),
    ("replace bad old path", "replace example.com/x/v1 => ./x"),
    ("replace 6 args", "replace example.com/x v1.0.0 => example.com/y v1.0.0 extra"),
    ("retract open", "retract [v1.0.0, v1.1.0"),
    ("retract paren", "retract (v1.0.0, v1.1.0]"),
    ("retract extra", "retract v1.0.0 v1.1.0"),
    ("retract no comma", "retract [v1.0.0 v1.1.0]"),
    ("retract empty bracket", "retract ["),
    ("retract comma end", "retract [v1.0.0,"),
    ("retract bad quote", 'retract "v1\\q"'),
    ("retract block extra", "retract (\n\tv1.0.0 // ok\n\tv1.2.0 v1.3.0\n)"),
    ("tool arity", "tool a b"),
    ("ignore arity", "ignore"),
    ("module arity", "module a b"),
    ("slash star", "require example.com/x v1.0.0 /* c */"),
    ("slash star ident", "require example.com/x/*y v1.0.0"),
    ("slash star line", "/* comment */"),
    ("unterminated string", 'require "example.com/x v1.0.0'),
    ("eof string", 'require "example.com/x'),
    ("backquote newline", "module `a\nb`"),
    ("control char", "require example.com/x\x01 v1.0.0"),
    ("nul", "require \x00"),
    ("nbsp", "require\u00a0example.com/x v1.0.0"),
    ("bom mid", "\ufeffrequire example.com/x v1.0.0"),
    ("line separator", "require example.com/x v1.0.0\u2028"),
    ("vertical tab", "require\vexample.com/x v1.0.0"),
    ("close paren extra", "require (\n\texample.com/x v1.0.0\n) x"),
    ("unterminated block", "require (\n\texample.com/x v1.0.0"),
    ("stray close", ")"),
    ("open brace", "require { example.com/x v1.0.0 }"),
    ("exclude arity", "exclude example.com/x"),
    ("escape newline", 'module "a\\\nb"'),
    ("require quoted path bad", 'require "a\\u12" v1.0.0'),
    ("require empty string", 'require "" v1'),
    ("deep retract", "retract v1.0.0 ("),
]


def malformed_gomod(rng: random.Random) -> tuple[bytes, str]:
    """A go.mod with one injected problem, and the name of that problem."""
    g = _valid(rng)
    kind = rng.random()
    if kind < 0.08:
        # Bytes that are not UTF-8, somewhere in the file; often still valid (in comments).
        data = bytearray(_assemble(g))
        pos = rng.randrange(len(data) + 1)
        data[pos:pos] = rng.choice([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\x80abc"])
        return bytes(data), "bad utf-8"
    if kind < 0.12:
        return b"\xef\xbb\xbf" + _assemble(g), "bom"
    name, text = rng.choice(CORRUPTIONS)
    if name == "repeated module" and g.chance(0.5):
        text = "module " + g.module
    # Put the problem somewhere: between statements, or inside a block.
    slots = [i for i, line in enumerate(g.lines) if not line.startswith(("\t", " ")) or line == ""]
    at = rng.choice([*slots, len(g.lines)])
    if g.chance(0.2):
        inner = [i for i, line in enumerate(g.lines) if line.endswith("(")]
        if inner and "\n" not in text and not text.startswith(("require", "module", "go ")):
            at = rng.choice(inner) + 1
            text = "\t" + text
    g.lines[at:at] = text.split("\n")
    return _assemble(g), name
