"""``quote``/``quote_rune`` against Go's own ``strconv.Quote``/``QuoteRune``, exhaustively.

A small Go program, built once per module, prints for every code point U+0000..U+10FFFF
``strconv.Quote(string(r))``, ``strconv.QuoteRune(r)`` and ``fmt.Sprintf("%#q", r)``, one
line each; for a surrogate (which no Go string holds) the first column quotes its
three-byte encoding instead, the bytes a lone surrogate in our text stands for. Then it
quotes every byte string it reads, hex-encoded, from stdin: every single byte that is
not UTF-8 and some longer invalid sequences. Python computes the same lines and the two
are compared in bulk; a failure lists the code points that differ.
"""

from __future__ import annotations

import ast
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from gotool import go_env, run_go

from analysis import errors, modfile_strconv, modpath
from analysis.modfile_strconv import decode, quote, quote_rune

pytestmark = pytest.mark.go

ORACLE_GO = r"""package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
)

func main() {
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	var buf []byte
	for r := rune(0); r <= 0x10FFFF; r++ {
		s := string(r)
		if 0xD800 <= r && r <= 0xDFFF {
			s = string([]byte{byte(0xE0 | r>>12), byte(0x80 | (r>>6)&0x3F), byte(0x80 | r&0x3F)})
		}
		buf = strconv.AppendQuote(buf[:0], s)
		buf = append(buf, '\t')
		buf = strconv.AppendQuoteRune(buf, r)
		buf = append(buf, '\t')
		buf = fmt.Appendf(buf, "%#q", r)
		buf = append(buf, '\n')
		w.Write(buf)
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		b, err := hex.DecodeString(in.Text())
		if err != nil {
			panic(err)
		}
		buf = strconv.AppendQuote(buf[:0], string(b))
		buf = append(buf, '\n')
		w.Write(buf)
	}
}
"""

# Byte strings that are not UTF-8 as a whole: every lone byte 0x80..0xFF, then truncated,
# overlong, surrogate and out-of-range sequences, alone and between valid text.
BAD_BYTES = [bytes([b]) for b in range(0x80, 0x100)] + [
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xc0\x80",
    b"\xc1\xbf",
    b"\xe0\x80\xaf",
    b"\xe0\x9f\xbf",
    b"\xf0\x8f\xbf\xbf",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xed\xa0\xbd\xed\xb8\x80",
    b"\xf4\x90\x80\x80",
    b"\xf5\x80\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xfc\x84\x80\x80\x80\x80",
    b"\xef\xbf\xbd\xff",
    b'a\xffb\xc3\xa9\xe2\x82\xac\xe2\x82"\\\n\x00',
    b"example.com/\xc3(\xe2\x82)@v1.0.0\x80",
]


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The oracle program, built once for the module (skips when go is missing)."""
    root = tmp_path_factory.mktemp("quote_oracle")
    src = root / "src"
    src.mkdir()
    (src / "go.mod").write_text("module quoteoracle\n\ngo 1.21\n")
    (src / "main.go").write_text(ORACLE_GO)
    binary = root / "oracle"
    run_go(["build", "-o", str(binary), "."], src, go_env(root / "env"), timeout=600)
    return binary


@dataclass(frozen=True)
class GoQuotes:
    """The oracle's answers: column ``i`` of ``quote`` etc. is for code point ``i``."""

    quote: list[str]
    quote_rune: list[str]
    sharp_q: list[str]
    bad_bytes: list[str]


@pytest.fixture(scope="module")
def go_quotes(oracle: Path) -> GoQuotes:
    stdin = "".join(b.hex() + "\n" for b in BAD_BYTES).encode()
    out = subprocess.run([oracle], input=stdin, capture_output=True, check=True, timeout=120)
    lines = decode(out.stdout).split("\n")
    assert lines.pop() == ""
    assert len(lines) == 0x110000 + len(BAD_BYTES)
    quoted, runes, sharp = zip(*(line.split("\t") for line in lines[:0x110000]), strict=True)
    return GoQuotes(list(quoted), list(runes), list(sharp), lines[0x110000:])


def _differences(ours: list[str], go: list[str], labels: list[str]) -> list[str]:
    return [
        f"{label}: ours {a} go {b}" for label, a, b in zip(labels, ours, go, strict=True) if a != b
    ]


def _assert_same(ours: list[str], go: list[str], labels: list[str]) -> None:
    if ours != go:
        diff = _differences(ours, go, labels)
        pytest.fail(f"{len(diff)} differ from Go:\n" + "\n".join(diff[:50]))


@pytest.mark.slow
def test_quote_every_code_point(go_quotes: GoQuotes) -> None:
    # A surrogate stands for its three-byte encoding except U+DC80..U+DCFF, which stand
    # for one byte each (surrogateescape) and are checked by test_quote_bad_bytes.
    cps = [cp for cp in range(0x110000) if not 0xDC80 <= cp <= 0xDCFF]
    ours = [quote(chr(cp)) for cp in cps]
    go = [go_quotes.quote[cp] for cp in cps]
    _assert_same(ours, go, [f"U+{cp:04X}" for cp in cps])


@pytest.mark.slow
def test_quote_rune_every_code_point(go_quotes: GoQuotes) -> None:
    # Also surrogates: Go's QuoteRune (and %#q) take any int32, and quote U+FFFD for one.
    ours = [quote_rune(chr(cp)) for cp in range(0x110000)]
    labels = [f"U+{cp:04X}" for cp in range(0x110000)]
    _assert_same(ours, go_quotes.quote_rune, labels)
    _assert_same(ours, go_quotes.sharp_q, [f"%#q {label}" for label in labels])


def test_quote_bad_bytes(go_quotes: GoQuotes) -> None:
    ours = [quote(decode(b)) for b in BAD_BYTES]
    _assert_same(ours, go_quotes.bad_bytes, [repr(b) for b in BAD_BYTES])


def test_quote_whole_strings(go_quotes: GoQuotes) -> None:
    # Quoting is per rune, so a string of many code points quotes as its parts do.
    sample = "".join(chr(cp) for cp in range(0, 0x110000, 97) if not 0xD800 <= cp <= 0xDFFF)
    expected = "".join(go_quotes.quote[ord(c)][1:-1] for c in sample)
    assert quote(sample) == '"' + expected + '"'


def test_error_messages_quote_like_go() -> None:
    # The engine's error texts use the same function (no Go needed for these).
    bad = decode(b"a\xff") + "\u0ccb"
    assert str(errors.InvalidVersionError(bad, "x")) == 'version "a\\xff\u0ccb" invalid: x'
    with pytest.raises(errors.InvalidPathError, match=r"invalid char '\\u00a0'$"):
        modpath.check_path("example.com/a\u00a0")
    assert quote("\ud800") == '"\\xed\\xa0\\x80"' and quote_rune("\ud800") == "'\ufffd'"


def test_quoting_module_imports_nothing_from_analysis() -> None:
    # analysis.errors, the bottom of the engine, imports quote from it: no import cycle.
    tree = ast.parse(Path(modfile_strconv.__file__).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(a.name.split(".")[0] != "analysis" for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and (node.module or "").split(".")[0] != "analysis"
