"""The parser-free fast path for plain go.mod files answers exactly as the parser does.

``source.simple_summary`` skips ``modfile.parse_lax`` for the plainest go.mod files (most
of a large graph). It must either decline (``None``) or return the very summary the full
parser gives; these tests hold it to that on real files, generated files, universes and
small mutations that sit right at its edges.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from gomodgen import malformed_gomod, valid_gomod
from universe import random_universe

from analysis.errors import GomodxError
from analysis.modfile import parse_lax
from analysis.summary import simple_summary, summarize


def _agrees(data: bytes) -> bool:
    """True when the fast path declines or matches the parser; False on any difference."""
    fast = simple_summary(data)
    if fast is None:
        return True
    try:
        full = summarize(parse_lax("go.mod", data))
    except GomodxError:
        return False  # the fast path accepted a file the parser rejects
    return fast == full


def _mutations(data: bytes, rng: random.Random, n: int) -> list[bytes]:
    """Small edits that probe the fast path's edges: comments, quotes, blocks, versions."""
    snippets = [
        b"// x",
        b"// indirect",
        b"//indirect",
        b'"',
        b"(",
        b")",
        b"\r",
        b"\t",
        b" ",
        b"+incompatible",
        b"v1.2",
        b"go 1.21rc1",
        b"\nexclude a.b/c v1.0.0",
        b"\nretract v1.0.0",
        b"\ntoolchain go1.22.0",
        b"\ngo 1.22",
        b"\nmodule x.y/z",
        b"\n// Deprecated: use v2",
        b"\nrequire (\n)",
        b"/v2",
        b"\nreplace (",
        b"\nreplace a.b/c => ../c",
        b"\nexclude (\n\ta.b/c v1.0.0\n)",
        b"\ngodebug x=1",
        b"\ntool a.b/c",
        b"=>",
        b"[",
        b"{",
        b",",
        b"`",
        b"/*",
        b"\nretract v1.0.0",
        b"\nretract [v1.0.0, v1.1.0] // why",
        b"\n// why\nretract v0.1.0",
        b"\n\n",
        b"//",
    ]
    out = []
    for _ in range(n):
        i = rng.randrange(len(data) + 1)
        if rng.random() < 0.3 and i < len(data):
            out.append(data[:i] + data[i + 1 :])
        else:
            out.append(data[:i] + rng.choice(snippets) + data[i:])
    return out


def test_plain_files_take_the_fast_path() -> None:
    data = b"module example.com/a\n\ngo 1.22\n\nrequire (\n\texample.com/b v1.2.0 // indirect\n)\n"
    fast = simple_summary(data)
    assert fast is not None
    assert fast == summarize(parse_lax("go.mod", data))
    assert [str(m) for m in fast.require] == ["example.com/b@v1.2.0", "go@1.22"]


@pytest.mark.parametrize(
    "data",
    [
        b'module "example.com/a"\n',
        b"module example.com/a // Deprecated: no\n",
        b"// Deprecated: gone\nmodule example.com/a\n",
        b"module example.com/a\nretract v1.2\n",
        b"module example.com/a\nretract (\n\tv1.0.0\n)\n",
        b"module example.com/a\nretract [v1.0.0 v1.1.0]\n",
        b"module example.com/a\nretract v1.0.0 v1.1.0\n",
        b'module example.com/a\nretract "v1.0.0"\n',
        b"module example.com/a\nignore ./vendor\n",
        b'module example.com/a\nreplace example.com/b => "../b"\n',
        b"module example.com/a\nreplace example.com/b [v1.0.0] => ../b\n",
        b"module example.com/a\nexclude example.com/b v1.0.0, v1.1.0\n",
        b"module example.com/a\nreplace example.com/b (\n",
        b"module example.com/a\nreplace (\n\texample.com/b => ../b\n",
        b"module example.com/a\nreplace (\n\trequire (\n)\n",
        b"module example.com/a\ntool example.com/b/*x*/\n",
        b"module example.com/a\r\ngo 1.17\r\n",
        b"module example.com/a\nrequire example.com/b v1.2\n",
        b"module example.com/a\nrequire (\n\texample.com/b v1.0.0\n",
    ],
)
def test_anything_else_goes_to_the_parser(data: bytes) -> None:
    assert simple_summary(data) is None


def test_retractions_and_their_rationales_take_the_fast_path() -> None:
    """A retraction on its own line, its rationale from the comment lines right above it
    (not those a blank line or another statement separates) and beside it."""
    data = (
        b"module example.com/a\n\ngo 1.21\n\n"
        b"// kept apart by a blank line\n\n"
        b"// first line\n//second line\n"
        b"retract v1.0.0 // and beside\n"
        b"require example.com/r v1.0.0 // indirect\n"
        b"retract[ v1.1.0 ,v1.2.0-rc.1 ]\n"
        b"// about the require\nrequire example.com/s v1.0.0\n"
        b"\t//\n\tretract [v0.1.0, v0.2.0]   //  \tspaced\n"
    )
    fast = simple_summary(data)
    assert fast is not None
    assert fast == summarize(parse_lax("go.mod", data))
    assert fast.retract == (
        ("v1.0.0", "v1.0.0", "first line\nsecond line\nand beside"),
        ("v1.1.0", "v1.2.0-rc.1", ""),
        ("v0.1.0", "v0.2.0", "\nspaced"),
    )


@pytest.mark.parametrize(
    "extra",
    [
        "toolchain go1.22.0",
        "toolchain default // pinned",
        "godebug default=go1.21",
        "godebug (\n\tpanicnil=1\n\thttp2client=0 // old servers\n)",
        "tool example.com/b/cmd/gen",
        "exclude example.com/b v1.0.0",
        "exclude (\n\texample.com/b v1.0.0\n\texample.com/b v1.1.0\n)",
        "replace example.com/b v1.0.0 => example.com/c v1.1.0",
        "replace example.com/b => ../b // local",
        "replace (\n\texample.com/b => ./b\n\n\t// a note\n\texample.com/c v1 => example.com/d v2\n)",
    ],
)
def test_directives_a_dependency_go_mod_ignores_take_the_fast_path(extra: str) -> None:
    """``ParseLax`` drops these unread, so they change nothing in the summary: the fast
    path skips them (before or after the requirements) and answers as the parser does."""
    for data in (
        f"module example.com/a\n\ngo 1.22\n\n{extra}\n\nrequire example.com/r v1.0.0\n",
        f"module example.com/a\nrequire (\n\texample.com/r v1.0.0 // indirect\n)\n{extra}\n",
    ):
        raw = data.encode()
        fast = simple_summary(raw)
        assert fast is not None, data
        assert fast == summarize(parse_lax("go.mod", raw)), data
        assert [m.path for m in fast.require][:1] == ["example.com/r"]


def _plain_gomod(rng: random.Random) -> bytes:
    """A go.mod of the shape most dependencies have (the fast path's home ground)."""
    paths = ["example.com/a", "example.com/b/v2", "golang.org/x/text", "gopkg.in/yaml.v3"]
    versions = ["v0.1.0", "v1.2.3", "v2.0.0", "v3.0.1", "v0.0.0-20200101000000-abcdefabcdef"]
    lines = [f"module {rng.choice(paths)}", ""]
    if rng.random() < 0.8:
        lines += [f"go 1.{rng.choice([11, 16, 17, 21, 22])}", ""]
    reqs = [
        f"{rng.choice(paths)} {rng.choice(versions)}"
        + (" // indirect" if rng.random() < 0.3 else "")
        for _ in range(rng.randrange(4))
    ]
    if len(reqs) == 1:
        lines.append("require " + reqs[0])
    elif reqs:
        lines += ["require (", *("\t" + r for r in reqs), ")"]
    return ("\n".join(lines) + "\n").encode()


def test_generated_files_and_mutations_agree_with_the_parser() -> None:
    rng = random.Random(20261121)
    checked = fast = 0
    disagreements = []
    for _ in range(600):
        kind = rng.random()
        if kind < 0.5:
            base = _plain_gomod(rng)
        elif kind < 0.9:
            base = valid_gomod(rng)
        else:
            base = malformed_gomod(rng)[0]
        for data in [base, *_mutations(base, rng, 5)]:
            checked += 1
            fast += simple_summary(data) is not None
            if not _agrees(data):
                disagreements.append(data)
    assert fast > 0
    assert not disagreements, f"{len(disagreements)}/{checked} disagree, e.g. {disagreements[0]!r}"
    print(f"simple_summary: {checked} generated files agree ({fast} took the fast path)")


def _fast_path_gomod(rng: random.Random) -> bytes:
    """A go.mod of the fast path's own shapes (and just outside them): retractions in
    every spelling, comment lines and blank lines around them, requirements, the
    directives ParseLax ignores, odd versions, deprecations."""
    V = [
        "v1.0.0",
        "v1.2.3-rc.1",
        "v0.0.0-20200101000000-abcdefabcdef",
        "v2.0.0+incompatible",
        "v1.2",
        "v1.0.0+meta",
        "v3.1.0",
    ]
    P = ["example.com/a", "example.com/b/v2", "golang.org/x/text", "gopkg.in/yaml.v3"]
    C = ["// why", "//x", "//", "//  spaced  ", "// Deprecated: no", "// indirect", "// a // b"]
    lines = []
    if rng.random() < 0.1:
        lines.append(rng.choice(C))
    lines.append(f"module {rng.choice(P)}" + (" " + rng.choice(C) if rng.random() < 0.05 else ""))
    for _ in range(rng.randrange(12)):
        k = rng.random()
        sp = rng.choice([" ", "  ", "\t", ""])
        sfx = (" " + rng.choice(C)) if rng.random() < 0.3 else ""
        ind = rng.choice(["", "", "\t", "  "])
        if k < 0.2:
            lines.append("")
        elif k < 0.35:
            lines.append(ind + rng.choice(C))
        elif k < 0.55:
            if rng.random() < 0.6:
                lines.append(f"{ind}retract{sp or ' '}{rng.choice(V)}{sfx}")
            else:
                a, b = rng.choice(V), rng.choice(V)
                lines.append(
                    f"{ind}retract{sp}[{rng.choice(['', ' '])}{a}{rng.choice([',', ' ,', ', '])}{b}{rng.choice(['', ' '])}]{sfx}"
                )
        elif k < 0.65:
            lines.append(f"require {rng.choice(P)} {rng.choice(V)}{sfx}")
        elif k < 0.75:
            lines += [
                "require (",
                *(
                    f"\t{rng.choice(P)} {rng.choice(V)}"
                    + ((" " + rng.choice(C)) if rng.random() < 0.3 else "")
                    for _ in range(rng.randrange(3))
                ),
                ")" + sfx,
            ]
        elif k < 0.85:
            verb = rng.choice(
                [
                    "toolchain go1.22.0",
                    "godebug x=1",
                    "tool example.com/a/cmd",
                    "exclude example.com/a v1.0.0",
                    "replace example.com/a => ../a",
                ]
            )
            lines.append(verb + sfx)
        elif k < 0.92:
            verb = rng.choice(["replace", "exclude", "godebug", "retract"])
            lines += [
                f"{verb} (",
                *(
                    f"\t{rng.choice(['example.com/a => ../a', 'x=1', 'example.com/a v1.0.0', 'v1.0.0'])}"
                    for _ in range(rng.randrange(3))
                ),
                ")",
            ]
        else:
            lines.append(f"go 1.{rng.choice([16, 17, 21, 22])}" + sfx)
    return ("\n".join(lines) + rng.choice(["\n", "", "\n\n"])).encode()


def test_files_shaped_like_the_fast_path_agree_with_the_parser() -> None:
    rng = random.Random(20261206)
    checked = fast = 0
    disagreements = []
    for _ in range(1500):
        base = _fast_path_gomod(rng)
        for data in [base, *_mutations(base, rng, 3)]:
            checked += 1
            fast += simple_summary(data) is not None
            if not _agrees(data):
                disagreements.append(data)
    assert fast > checked // 10  # the shapes it is meant for do take it
    assert not disagreements, f"{len(disagreements)}/{checked} disagree, e.g. {disagreements[0]!r}"
    print(f"simple_summary: {checked} fast-path-shaped files agree ({fast} took the fast path)")


def test_universe_and_corpus_files_agree_with_the_parser(tmp_path: Path, corpus: Path) -> None:
    rng = random.Random(7)
    files = [p.read_bytes() for p in (corpus / "gomod").iterdir() if p.is_file()]
    layout = random_universe(seed=3, modules=60, versions=4).write(tmp_path)
    files += [p.read_bytes() for p in Path(layout.proxy_dir).rglob("*.mod")]
    checked = fast = 0
    disagreements = []
    for base in files:
        for data in [base, *_mutations(base, rng, 3)]:
            checked += 1
            fast += simple_summary(data) is not None
            if not _agrees(data):
                disagreements.append(data)
    assert fast > 0
    assert not disagreements, f"{len(disagreements)}/{checked} disagree, e.g. {disagreements[0]!r}"
    print(f"simple_summary: {checked} corpus/universe files agree ({fast} took the fast path)")
