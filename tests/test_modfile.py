"""analysis.modfile: the spec's vectors (go-modules-spec.md §4), x/mod's golden files and the
real-world corpus. Go's rule_test.go tables live in test_modfile_vectors.py and the
differential tests against the go command in test_modfile_go.py."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from gomodgen import malformed_gomod, valid_gomod
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import modfile
from analysis import modfile_strconv as gostr
from analysis.errors import GomodxError, ModfileError
from analysis.module import ModuleVersion


def _errors(text: str | bytes, filename: str = "go.mod", lax: bool = False) -> list[str]:
    with pytest.raises(ModfileError) as exc:
        (modfile.parse_lax if lax else modfile.parse)(filename, text)
    return str(exc.value).split("\n")


# ---------------------------------------------------------------------------------------------
# Lexing and statement structure (§4.1, §4.2)


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ("require ()", "require ( )"),
        ("require []{},", "require [ ] { } ,"),
        ("require a[b]c{d}e,", "require a [ b ] c { d } e ,"),
        ("require (\n\ta[b]\n)", "require ( a [ b ] )"),
        ("require [v1.0.0, v1.1.0)", "require [ v1.0.0 , v1.1.0 )"),
        ("replace a=>./b", "replace a=>./b"),  # "=>" is not punctuation
    ],
)
def test_parse_punctuation(src: str, want: str) -> None:
    syntax = modfile.parse_syntax("go.mod", src)
    tokens: list[str] = []
    for stmt in syntax.stmt:
        if isinstance(stmt, modfile.Line):
            tokens += stmt.token
        elif isinstance(stmt, modfile.LineBlock):
            tokens += [*stmt.token, "("]
            for line in stmt.line:
                tokens += line.token
            tokens.append(")")
    assert " ".join(tokens) == want


def _comment_report(f: modfile.FileSyntax) -> str:
    out: list[str] = []

    def show(prefix: str, c: modfile.Comments) -> None:
        out.extend(f"{prefix} before {x.token!r}" for x in c.before)
        out.extend(f"{prefix} suffix {x.token!r}" for x in c.suffix)
        out.extend(f"{prefix} after {x.token!r}" for x in c.after)

    show("file", f)
    for stmt in f.stmt:
        if isinstance(stmt, modfile.CommentBlock):
            show("comments", stmt)
        elif isinstance(stmt, modfile.Line):
            show("line", stmt)
        else:
            show("block", stmt)
            show("lparen", stmt.lparen)
            for line in stmt.line:
                show("blockline", line)
            show("rparen", stmt.rparen)
    return "\n".join(out)


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ("\n// a\n// b\n", "comments before '// a'\ncomments before '// b'"),
        (
            "\n// a\n\n// b\nmodule m // c\n// d\n\n// e\n",
            "comments before '// a'\nline before '// b'\nline suffix '// c'\n"
            "comments before '// d'\ncomments before '// e'",
        ),
        (
            "\n// a\n\n// b\nblock ( // c\n\t// d\n\n\t// e\n\tx // f\n\t// g\n\n\t// h\n) // i\n// j\n\n// k\n",
            "comments before '// a'\nblock before '// b'\nlparen suffix '// c'\n"
            "blockline before '// d'\nblockline before ''\nblockline before '// e'\n"
            "blockline suffix '// f'\nrparen before '// g'\nrparen before ''\n"
            "rparen before '// h'\nrparen suffix '// i'\ncomments before '// j'\n"
            "comments before '// k'",
        ),
        ("// a\r\r\n", "comments before '// a\\r'"),
    ],
    ids=["comment_only", "line", "block", "cr_removed"],
)
def test_comments(src: str, want: str) -> None:
    assert _comment_report(modfile.parse_lax("go.mod", src).syntax) == want


def test_issue70632_blank_lines_in_block() -> None:
    src = 'require (\n\n    "golang.org/x/time" v0.8.0\n\n\n\n\n)\n'
    assert modfile.format_syntax(modfile.parse_syntax("go.mod", src)) == (
        b'require (\n\t"golang.org/x/time" v0.8.0\n)\n'
    )
    assert modfile.parse("go.mod", src).format() == b"require (\n\tgolang.org/x/time v0.8.0\n)\n"


def test_parse_lax_ignores_what_dependencies_may_hold() -> None:
    bad = """module m
		surprise attack
		x y (
			z
		)
		exclude v1.2.3
		replace <-!!!
		retract v1.2.3 v1.2.4
		retract (v1.2.3, v1.2.4]
		retract v1.2.3 (
			key1 value1
			key2 value2
		)
		require good v1.0.0
	"""
    f = modfile.parse_lax("file", bad)
    assert f.module is not None and f.module.mod.path == "m"
    assert [r.mod.path for r in f.require] == ["good"]
    assert f.exclude == [] and f.replace == []
    # Extra tokens after a retracted version are ignored; a bad interval drops the line.
    assert [(r.low, r.high) for r in f.retract] == [("v1.2.3", "v1.2.3")]
    with pytest.raises(ModfileError):
        modfile.parse("file", bad)


@pytest.mark.parametrize(
    ("line", "ok", "lax_ok"),
    [
        ("go ", False, False),
        ("go 1", False, False),
        ("go 1.22", True, True),
        ("go 1.22.333", True, True),
        ("go v1.2", False, True),
        ("go 1.2rc1", True, True),
        ("go 1.2 3.4", False, False),
        ("go 1.2.3", True, True),
        ("go 1.2beta1", True, True),
        ("go 1.2.beta1", False, True),
        ("go v1.2.3", False, True),
        ("go v1.2rc1", False, True),
        ("go v1.2beta1", False, True),
        ("go v1.2.beta1", False, True),
        ("toolchain go1.2", True, True),
        ("toolchain go1.2.3", True, True),
        ("toolchain go1.2rc1", True, True),
        ("toolchain go1.2rc1-gccgo", True, True),
        ("toolchain default", True, True),
        ("toolchain inconceivable!", False, True),
    ],
)
def test_parse_versions(line: str, ok: bool, lax_ok: bool) -> None:
    # As in Go's TestParseVersions, lax_ok means lax parsing *may* accept the line
    # ("go v1.2" still fails: the lax pattern needs text after the minor version).
    text = f"module m\n{line}\n"
    for parse, want in ((modfile.parse, ok), (modfile.parse_lax, ok or lax_ok)):
        try:
            parse("go.mod", text)
        except ModfileError:
            assert not ok, f"{parse.__name__} rejected {line!r}"
        else:
            assert want, f"{parse.__name__} accepted {line!r}"


@pytest.mark.parametrize(
    ("line", "version"),
    [("go v1.2.3", "1.2"), ("go 1.2.beta1", "1.2"), ("go v1.2rc1", "1.2"), ("go v1.2", None)],
)
def test_lax_go_versions(line: str, version: str | None) -> None:
    try:
        f = modfile.parse_lax("go.mod", f"module m\n{line}\n")
    except ModfileError:
        assert version is None
    else:
        assert f.go is not None and f.go.version == version


def test_lax_go_version_is_fixed_in_place() -> None:
    f = modfile.parse_lax("go.mod", "module m\ngo v1.2.beta1\n")
    assert f.go is not None and f.go.version == "1.2"
    assert f.format() == b"module m\n\ngo 1.2\n"


# ---------------------------------------------------------------------------------------------
# Errors (§4.3, §4.4): Go's exact text and positions


@pytest.mark.parametrize(
    ("src", "first"),
    [
        (
            "module m\nrequire (\n\texample.com/x v2.0.0\n)\n",
            'go.mod:3:2: require example.com/x: version "v2.0.0" invalid: should be v0 or v1, not v2',
        ),
        (
            "module m\nexclude example.com/x/v2 v1.0.0\n",
            'go.mod:2: exclude example.com/x/v2: version "v1.0.0" invalid: should be v2, not v1',
        ),
        ("module m\nfoo\n", "go.mod:2: unknown directive: foo"),
        ("module m\n/* c */\n", "go.mod:2: mod files must use // comments (not /* */ comments)"),
        ('module m\nrequire "unterminated\n', "go.mod:2:22: unexpected newline in string"),
        ('module m\nrequire "x', "go.mod:2:9: unexpected EOF in string"),
        (
            "module m\nrequire (\n\tx v1.0.0\n",
            "go.mod:4: syntax error (unterminated block started at go.mod:2:1)",
        ),
        ("module m\nretract [v1.0.0, v1.1.0\n", "go.mod:2: expected ']' after version"),
        ("module m\nrequire a b c\n", "go.mod:2: usage: require module/path v1.2.3"),
        (
            "module m\nrequire (\n\tx v1.0.0\n) x\n",
            "go.mod:4:4: syntax error (expected newline after closing paren)",
        ),
        ("module m\nrequire \x01\n", "go.mod:2:9: unexpected input character '\\x01'"),
        ("\ufeffmodule m\n", "go.mod:1: unexpected input character '\\ufeff'"),
        ("go (\n\t1.21\n)\n", "go.mod:1: unknown block type: go"),
        (
            "module `example.com/m`\n",
            "go.mod:1: invalid quoted string: unquoted string cannot contain quote",
        ),
        ('module "\\q"\n', "go.mod:1: invalid quoted string: invalid syntax"),
        (
            "module m\nrequire x 1.0\n",
            'go.mod:2: require x: version "1.0" invalid: must be of the form v1.2.3',
        ),
        ("module m\nrequire x/v1 v1.0.0\n", "go.mod:2: invalid module path"),
        ("module m\nreplace x/v1 => ./y\n", "go.mod:2: replace x/v1: invalid module path"),
        (
            "module m\nreplace x => y\n",
            "go.mod:2: replacement module without version must be directory path (rooted or starting with . or ..)",
        ),
        (
            "module m\nreplace x => y@v1.0.0\n",
            "go.mod:2: replacement module must match format 'path version', not 'path@version'",
        ),
        (
            "module m\nreplace x => ./y v1.0.0\n",
            'go.mod:2: replacement module directory path "./y" cannot have version',
        ),
        (
            "module m\nreplace x => .\\y\n",
            "go.mod:2: replacement directory appears to be Windows path (on a non-windows system)",
        ),
        (
            "module m\nreplace x v1\n",
            "go.mod:2: usage: replace module/path [v1.2.3] => other/module v1.4",
        ),
        ("module m\nretract v1.0.0 v1.1.0\n", 'go.mod:2: unexpected token after version: "v1.1.0"'),
        ("module m\nretract (v1.0.0, v1.1.0]\n", "go.mod:2: expected '[' or version"),
        ("module m\nretract [\n", "go.mod:2: expected version after '['"),
        ("module m\nretract [v1\n", "go.mod:2: expected ',' after version"),
        ("module m\nretract [v1,\n", "go.mod:2: expected version after ','"),
        (
            'module m\nretract "v\\q"\n',
            'go.mod:2: retract: version "\\"v\\\\q\\"" invalid: invalid syntax',
        ),
        ("module m\ngodebug x\n", "go.mod:2: usage: godebug key=value"),
        ("module m\ngo 1.21\ngo 1.22\n", "go.mod:3: repeated go statement"),
        ("module m\nmodule n\n", "go.mod:2: repeated module statement"),
        (
            "module m\ntoolchain 1.21\n",
            "go.mod:2: invalid toolchain version '1.21': must match format go1.23.0 or default",
        ),
        (
            "module m\ngo 1.21.0.1\n",
            "go.mod:2: invalid go version '1.21.0.1': must match format 1.23.0",
        ),
        ("module m\ntool a b\n", "go.mod:2: tool directive expects exactly one argument"),
        ("module m\nignore\n", "go.mod:2: ignore directive expects exactly one argument"),
        ("  foo\n", "go.mod:1:3: unknown directive: foo"),
        (
            "module m\nrequire x/*y v1\n",
            "go.mod:2:10: mod files must use // comments (not /* */ comments)",
        ),
    ],
)
def test_error_text(src: str, first: str) -> None:
    assert _errors(src)[0] == first


def test_every_directive_error_is_reported_in_order() -> None:
    errs = _errors("module m\ngo 1.2\ngo 1.3\nrequire a v1\nrequire b v2.0.0\nfoo\n", "e.mod")
    assert errs == [
        "e.mod:3: repeated go statement",
        'e.mod:5: require b: version "v2.0.0" invalid: should be v0 or v1, not v2',
        "e.mod:6: unknown directive: foo",
    ]


def test_lexical_errors_stop_at_the_first() -> None:
    assert _errors("foo\nbar /* x */\nbaz /* y */\n") == [
        "go.mod:2:5: mod files must use // comments (not /* */ comments)"
    ]


def test_error_entries_carry_fields() -> None:
    with pytest.raises(ModfileError) as exc:
        modfile.parse("go.mod", "module m\nrequire (\n\texample.com/x v2.0.0\n)\n")
    (entry,) = exc.value.entries
    assert (entry.filename, entry.line, entry.col, entry.verb, entry.mod_path) == (
        "go.mod",
        3,
        2,
        "require",
        "example.com/x",
    )
    assert isinstance(exc.value, GomodxError)


def test_fix_retract_needs_module() -> None:
    with pytest.raises(ModfileError) as exc:
        modfile.parse("in", "retract 1.0.0", lambda p, v: "v" + v)
    assert str(exc.value) == "in:1: no module directive found, so retract cannot be used"


# ---------------------------------------------------------------------------------------------
# Typed facts (§4.3, §4.6)


def test_every_directive() -> None:
    src = """// Deprecated: use example.com/new
module "example.com/m" // eol

go 1.23.1

toolchain go1.24.0

godebug (
	default=go1.21
	panicnil=1
)

require (
	example.com/a v1.2 // indirect
	example.com/b/v2 v2.0.0-20200101000000-abcdefabcdef
	example.com/c v3.0.0+incompatible // indirect; keep
)

exclude example.com/a v1.1.0

replace (
	example.com/a => ../a
	example.com/b/v2 v2.1.0 => example.com/fork/v2 v2.1.1
)

retract [v1.0.0, v1.0.5] // broken
retract "v0.9.0"

tool example.com/a/cmd/x

ignore ./node_modules
"""
    f = modfile.parse("go.mod", src)
    assert f.module is not None
    assert f.module.mod == ModuleVersion("example.com/m")
    assert f.module.deprecated == "use example.com/new\neol"  # the suffix comment joins in
    assert f.go is not None and f.go.version == "1.23.1"
    assert f.toolchain is not None and f.toolchain.name == "go1.24.0"
    assert [(g.key, g.value) for g in f.godebug] == [("default", "go1.21"), ("panicnil", "1")]
    assert [(r.mod.path, r.mod.version, r.indirect) for r in f.require] == [
        ("example.com/a", "v1.2.0", True),
        ("example.com/b/v2", "v2.0.0-20200101000000-abcdefabcdef", False),
        ("example.com/c", "v3.0.0+incompatible", True),
    ]
    assert [x.mod for x in f.exclude] == [ModuleVersion("example.com/a", "v1.1.0")]
    assert [(r.old, r.new) for r in f.replace] == [
        (ModuleVersion("example.com/a"), ModuleVersion("../a")),
        (
            ModuleVersion("example.com/b/v2", "v2.1.0"),
            ModuleVersion("example.com/fork/v2", "v2.1.1"),
        ),
    ]
    assert [(r.low, r.high, r.rationale) for r in f.retract] == [
        ("v1.0.0", "v1.0.5", "broken"),
        ("v0.9.0", "v0.9.0", ""),
    ]
    assert f.retract[0].interval == modfile.VersionInterval("v1.0.0", "v1.0.5")
    assert [t.path for t in f.tool] == ["example.com/a/cmd/x"]
    assert [i.path for i in f.ignore] == ["./node_modules"]
    # Parse rewrites tokens: needless quotes go, versions become canonical.
    out = f.format().decode()
    assert "module example.com/m // eol" in out
    assert "example.com/a v1.2.0 // indirect" in out
    assert "retract v0.9.0" in out


@pytest.mark.parametrize(
    ("comment", "indirect"),
    [
        ("// indirect", True),
        ("//indirect", True),
        ("//\tindirect", True),
        ("// indirect; foo", True),
        ("// indirect;", False),
        ("// indirect foo", False),
        ("// Indirect", False),
        ("", False),
    ],
)
def test_indirect_marking(comment: str, indirect: bool) -> None:
    f = modfile.parse("go.mod", f"module m\nrequire x.y/z v1.0.0 {comment}\n")
    assert f.require[0].indirect is indirect


def test_only_the_first_suffix_comment_counts_for_indirect() -> None:
    # An empty block on one line gets the comment on the block, not on its lines.
    f = modfile.parse("go.mod", "module m\nrequire (\n\tx.y/z v1.0.0 // indirect\n)\n")
    assert f.require[0].indirect


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "// indirect"),
        ("//", "// indirect"),
        ("//c", "// indirect; c"),
        ("//   c", "// indirect; c"),
        ("// indirect", "// indirect"),
    ],
)
def test_set_indirect(before: str, after: str) -> None:
    f = modfile.parse("go.mod", f"module m\nrequire x.y/z v1.0.0 {before}\n")
    f.require[0].set_indirect(True)
    assert f.format().decode().splitlines()[-1] == f"require x.y/z v1.0.0 {after}"
    f.require[0].set_indirect(False)
    want = "" if after == "// indirect" else " //" + after.removeprefix("// indirect;")
    assert f.format().decode().splitlines()[-1] == f"require x.y/z v1.0.0{want}"


def test_commented_out_directive_is_not_parsed() -> None:
    f = modfile.parse("go.mod", "module m\n//godebug default=go1.23\n")
    assert f.godebug == []


# ---------------------------------------------------------------------------------------------
# Printing (§4.7) and the x/mod golden files


def test_format_spacing_and_quotes() -> None:
    src = 'module "abc"\nretract [ "v1.2.3" , "v1.2.4" ]\nreplace "w" v1.0.0 => "./a,"\n'
    assert modfile.parse("go.mod", src).format() == (
        b'module abc\n\nretract [v1.2.3, v1.2.4]\n\nreplace w v1.0.0 => "./a,"\n'
    )


def test_format_multiple_suffix_comments() -> None:
    syntax = modfile.parse_syntax("go.mod", "module m\n")
    line = syntax.stmt[0]
    assert isinstance(line, modfile.Line)
    line.suffix = [
        modfile.Comment(token="// one", suffix=True),
        modfile.Comment(token="  // two  ", suffix=True),
    ]
    assert modfile.format_syntax(syntax) == b"module m // one\n// two\n"


def _golden_pairs(corpus: Path) -> list[tuple[Path, Path]]:
    d = corpus / "modfile-testdata"
    return [
        (p, p.with_suffix(".golden"))
        for p in sorted(d.glob("*.in"))
        if p.with_suffix(".golden").exists()
    ]


def _format_like_x_mod_tests(data: bytes) -> bytes:
    """Parse (strictly when possible, as TestPrintParse does) and format."""
    try:
        return modfile.parse("in", data).format()
    except ModfileError:
        return modfile.format_syntax(modfile.parse_syntax("in", data))


def test_golden_files(corpus: Path) -> None:
    pairs = _golden_pairs(corpus)
    assert len(pairs) >= 9
    for src, golden in pairs:
        assert _format_like_x_mod_tests(src.read_bytes()) == golden.read_bytes(), src.name


def test_golden_files_are_fixed_points(corpus: Path) -> None:
    goldens = sorted((corpus / "modfile-testdata").glob("*.golden"))
    for golden in goldens:
        data = golden.read_bytes()
        assert modfile.format_syntax(modfile.parse_syntax("in", data)) == data, golden.name


def test_corpus_gomod_files(corpus: Path) -> None:
    files = sorted((corpus / "gomod").glob("*.mod"))
    assert len(files) >= 80
    for p in files:
        data = p.read_bytes()
        f = modfile.parse(p.name, data)
        lax = modfile.parse_lax(p.name, data)
        assert f.module is not None and lax.module is not None
        assert f.module.mod.path == modfile.module_path(data) == lax.module.mod.path, p.name
        assert [r.mod for r in f.require] == [r.mod for r in lax.require]
        once = f.format()
        assert modfile.parse(p.name, once).format() == once, p.name
        assert modfile.to_json(modfile.parse(p.name, once)) == modfile.to_json(f), p.name


def test_corpus_features(corpus: Path) -> None:
    def load(name: str) -> modfile.ModFile:
        return modfile.parse(name, (corpus / "gomod" / name).read_bytes())

    f = load("golang__protobuf__root.mod")
    assert f.module is not None
    assert f.module.deprecated == 'Use the "google.golang.org/protobuf" module instead.'
    f = load("blink-io__x__root.mod")
    assert f.godebug == []
    f = load("tprasadtp__pkg__root@2023-retract-tab.mod")
    assert f.go is not None and f.go.version == "1.21rc2"
    assert f.retract and f.retract[0].low == "v1.0.0"
    f = load("vivint__rothko__root@2018-vgo-quoted.mod")
    assert f.module is not None and f.module.mod.path == "github.com/vivint/rothko"
    assert b'"' not in f.format().split(b"\n")[0]


# ---------------------------------------------------------------------------------------------
# Editing: spec examples beyond Go's tables (§4.8, §4.9)


def test_go_mod_edit_droprequire_collapses_indirect_block() -> None:
    src = """module example.com/a

go 1.17

require (
	example.com/b v1.2.0
	example.com/c v1.2.0
)

require (
	example.com/d v1.2.0 // indirect
	example.com/e v1.2.0 // indirect
)
"""
    f = modfile.parse("go.mod", src)
    f.drop_require("example.com/d")
    f.sort_blocks()
    f.cleanup()
    assert f.format().decode().endswith(")\n\nrequire example.com/e v1.2.0 // indirect\n")
    assert [r.mod.path for r in f.require] == ["example.com/b", "example.com/c", "example.com/e"]


def test_add_require_lands_in_last_block_without_marking() -> None:
    src = "module m\n\nrequire (\n\ta.b/c v1.0.0\n)\n\nrequire (\n\ta.b/d v1.0.0 // indirect\n)\n"
    f = modfile.parse("go.mod", src)
    f.add_require("example.com/z", "v1.0.0")
    assert f.format().decode().endswith("\ta.b/d v1.0.0 // indirect\n\texample.com/z v1.0.0\n)\n")


def test_new_exclude_and_replace_go_to_the_end_like_go() -> None:
    src = "module m\n\nexclude (\n\ta v1.0.0\n\tb v1.0.0\n)\n\nreplace (\n\tc => ./c\n)\n\nrequire x v1.0.0\n"
    f = modfile.parse("go.mod", src)
    f.add_exclude("z", "v1.0.0")
    f.add_exclude("a", "v1.1.0")
    f.add_replace("q", "", "./q", "")
    f.add_replace("c", "v1.0.0", "./c1", "")
    f.sort_blocks()
    f.cleanup()
    assert f.format().decode() == (
        "module m\n\nexclude (\n\ta v1.0.0\n\ta v1.1.0\n\tb v1.0.0\n)\n\n"
        "replace (\n\tc => ./c\n\tc v1.0.0 => ./c1\n)\n\nrequire x v1.0.0\n\n"
        "exclude z v1.0.0\n\nreplace q => ./q\n"
    )


def test_edits_keep_comments_and_layout() -> None:
    src = """// header

module m // the module

// why we need these
require (
	a.b/c v1.0.0 // keep me

	// group two
	a.b/d v1.0.0
)
"""
    f = modfile.parse("go.mod", src)
    f.add_require("a.b/c", "v1.1.0")
    f.add_require("a.b/d", "v2.0.0+incompatible")
    f.cleanup()
    assert f.format().decode() == src.replace("c v1.0.0", "c v1.1.0").replace(
        "d v1.0.0", "d v2.0.0+incompatible"
    )


def test_set_require_separate_indirect_spec_example() -> None:
    f = modfile.parse(
        "go.mod", "module m\nrequire x.y/a v1.0.0\nrequire x.y/c v1.0.0 // indirect\n"
    )
    f.set_require_separate_indirect(
        [
            modfile.Require(ModuleVersion("x.y/a", "v1.2.3")),
            modfile.Require(ModuleVersion("x.y/b", "v1.2.3")),
            modfile.Require(ModuleVersion("x.y/c", "v1.2.3"), True),
            modfile.Require(ModuleVersion("x.y/d", "v1.2.3"), True),
        ]
    )
    f.cleanup()
    assert f.format().decode() == (
        "module m\n\nrequire (\n\tx.y/a v1.2.3\n\tx.y/b v1.2.3\n)\n\n"
        "require (\n\tx.y/c v1.2.3 // indirect\n\tx.y/d v1.2.3 // indirect\n)\n"
    )


def test_set_require_rejects_conflicting_versions() -> None:
    f = modfile.parse("go.mod", "module m\n")
    with pytest.raises(ValueError, match="conflicting versions"):
        f.set_require(
            [
                modfile.Require(ModuleVersion("a", "v1.0.0")),
                modfile.Require(ModuleVersion("a", "v1.1.0")),
            ]
        )


def test_add_go_and_toolchain_validate() -> None:
    f = modfile.parse("go.mod", "module m\n")
    with pytest.raises(ModfileError, match='invalid language version "1"'):
        f.add_go_stmt("1")
    with pytest.raises(ModfileError, match=r'invalid toolchain name "1\.21"'):
        f.add_toolchain_stmt("1.21")
    f.add_toolchain_stmt("go1.21.0")
    f.add_go_stmt("1.21")
    assert f.format() == b"module m\n\ngo 1.21\n\ntoolchain go1.21.0\n"
    f.drop_go_stmt()
    f.drop_toolchain_stmt()
    f.cleanup()
    assert f.format() == b"module m\n"


def test_cleanup_collapses_and_keeps_line_objects() -> None:
    f = modfile.parse("go.mod", "module m\n// c\nrequire ( // b\n\ta v1.0.0 // x\n\tb v1.0.0\n)\n")
    kept = f.require[0].syntax
    f.drop_require("b")
    f.cleanup()
    assert f.syntax.stmt[1] is kept
    # The comment after "(" has nowhere to go and is dropped, as in Go.
    assert f.format() == b"module m\n\n// c\nrequire a v1.0.0 // x\n"
    f.add_require("a", "v1.1.0")
    assert b"require a v1.1.0 // x" in f.format()


def test_cleanup_keeps_block_with_comment_before_rparen() -> None:
    f = modfile.parse("go.mod", "module m\nrequire (\n\ta v1.0.0\n\tb v1.0.0\n\t// end\n)\n")
    f.drop_require("b")
    f.cleanup()
    # Go prints comments before ")" at the outer margin.
    assert f.format() == b"module m\n\nrequire (\n\ta v1.0.0\n// end\n)\n"


def test_add_retract_does_not_touch_typed_list() -> None:
    # Like Go: the syntax gets the line, File.Retract does not (go mod edit -json shows it).
    f = modfile.parse("go.mod", "module m\n")
    f.add_retract(modfile.VersionInterval("v1.0.0", "v1.1.0"), "broken\nreally")
    assert f.retract == []
    assert f.format() == b"module m\n\n// broken\n// really\nretract [v1.0.0, v1.1.0]\n"


# ---------------------------------------------------------------------------------------------
# go mod edit -json


def test_json_of_empty_file() -> None:
    assert (
        modfile.modfile_json(modfile.parse("go.mod", b""))
        == '{\n\t"Module": {\n\t\t"Path": ""\n\t}\n}\n'
    )


def test_json_escaping() -> None:
    f = modfile.parse("go.mod", '// Deprecated: <a> & \u2028 "q" \\ é\nmodule m\n')
    assert modfile.modfile_json(f) == (
        '{\n\t"Module": {\n\t\t"Path": "m",\n\t\t"Deprecated": '
        '"\\u003ca\\u003e \\u0026 \\u2028 \\"q\\" \\\\ é"\n\t}\n}\n'
    )


def test_to_json_applies_go_mod_edit_cleanup_without_mutating() -> None:
    src = 'module m\nexclude a v1.0.0\nexclude a v1.0.0\nreplace b => ./x\nreplace b => ./y\nrequire "" v1.0.0\ngodebug =x\ntool t\ntool t\n'
    f = modfile.parse("go.mod", src)
    got = modfile.to_json(f)
    assert got["Exclude"] == [{"Path": "a", "Version": "v1.0.0"}]
    assert got["Replace"] == [{"Old": {"Path": "b"}, "New": {"Path": "./y"}}]
    assert "Require" not in got and "GoDebug" not in got
    assert got["Tool"] == [{"Path": "t"}]
    assert len(f.exclude) == 2 and len(f.replace) == 2
    f.sort_blocks()
    f.cleanup()
    assert modfile.to_json(f) == got


def test_json_field_order() -> None:
    src = "ignore x\ntool t\nretract v1.0.0\nreplace a => ./a\nexclude b v1.0.0\nrequire c v1.0.0\ngodebug k=v\ntoolchain default\ngo 1.21\nmodule m\n"
    assert list(modfile.to_json(modfile.parse("go.mod", src))) == [
        "Module",
        "Go",
        "Toolchain",
        "GoDebug",
        "Require",
        "Exclude",
        "Replace",
        "Retract",
        "Tool",
        "Ignore",
    ]


# ---------------------------------------------------------------------------------------------
# Go's text rules (modfile_strconv)


@pytest.mark.parametrize(
    ("s", "quoted"),
    [
        ("abc", '"abc"'),
        ("a b", '"a b"'),
        ('"\\', '"\\"\\\\"'),
        ("\x01\x7f\n\t\a", '"\\x01\\x7f\\n\\t\\a"'),
        ("é日本😀", '"é日本😀"'),
        ("\u00a0\u2028\ufeff\u0378", '"\\u00a0\\u2028\\ufeff\\u0378"'),
        ("\U000e0001", '"\\U000e0001"'),
        (gostr.decode(b"\xff\xc3"), '"\\xff\\xc3"'),
    ],
)
def test_quote(s: str, quoted: str) -> None:
    assert gostr.quote(s) == quoted


@pytest.mark.parametrize(
    ("lit", "value"),
    [
        ('"abc"', "abc"),
        ('"\\u00e9\\x41\\101\\n\\\\\\""', 'éAA\n\\"'),
        ('"\\xc3\\xa9"', "é"),
        ('"\\xff"', gostr.decode(b"\xff")),
        ("`a\\b`", "a\\b"),
        ('"' + gostr.decode(b"\xff") + '"', "\ufffd"),
    ],
)
def test_unquote(lit: str, value: str) -> None:
    assert gostr.unquote(lit) == value


@pytest.mark.parametrize(
    "lit",
    ['"\\q"', '"\\\'"', '"\\400"', '"\\ud800"', '"\\U00110000"', '"\\x4"', '"a', '"a\nb"', "'a'"],
)
def test_unquote_errors(lit: str) -> None:
    with pytest.raises(gostr.UnquoteError, match="invalid syntax"):
        gostr.unquote(lit)


def test_unicode_classes_follow_go() -> None:
    assert gostr.is_print(" ") and not gostr.is_print("\u00a0") and not gostr.is_print("\u00ad")
    assert gostr.is_print("\U0001f6dc")  # assigned in Unicode 15: Python 3.11 does not know it
    assert gostr.is_print(gostr.decode(b"\xff"))
    assert gostr.is_space("\u0085") and gostr.is_space("\u3000") and not gostr.is_space("\u200b")
    assert gostr.trim_space("\u00a0 x \u2028") == "x"
    assert gostr.fields(" a\u3000b\tc ") == ["a", "b", "c"]
    assert gostr.quote_rune("\x01") == "'\\x01'"
    assert modfile.must_quote("") and modfile.must_quote("a//b") and modfile.must_quote("(a")
    assert not modfile.must_quote("(") and not modfile.must_quote("v1.0.0")


# ---------------------------------------------------------------------------------------------
# Properties: nothing but ModfileError escapes, and formatting is a fixed point


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    for parse in (modfile.parse, modfile.parse_lax):
        try:
            f = parse("go.mod", data)
        except ModfileError:
            continue
        modfile.modfile_json(f)
        f.format()


_ALPHABET = st.sampled_from(
    [
        "module",
        "require",
        "replace",
        "exclude",
        "retract",
        "go",
        "(",
        ")",
        "[",
        "]",
        ",",
        "=>",
        "\n",
        "\t",
        " ",
        "//",
        "// indirect",
        '"',
        "`",
        "v1.0.0",
        "a.b/c",
        "v2",
        "/*",
        "\\",
        "é",
        "\r\n",
        "1.21",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40))
def test_token_soup_never_crashes_and_formats_stably(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        f = modfile.parse("go.mod", text)
    except ModfileError:
        return
    once = f.format()
    again = modfile.parse("go.mod", once)
    assert again.format() == once
    assert modfile.to_json(again) == modfile.to_json(f)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_generated_files_round_trip(seed: int) -> None:
    rng = random.Random(seed)
    data = valid_gomod(rng)
    f = modfile.parse("go.mod", data)
    once = f.format()
    assert modfile.format_syntax(modfile.parse_syntax("go.mod", once)) == once
    assert modfile.to_json(modfile.parse("go.mod", once)) == modfile.to_json(f)
    bad, _ = malformed_gomod(rng)
    try:
        modfile.parse("go.mod", bad)
    except ModfileError as exc:
        assert exc.entries and all(str(e) for e in exc.entries)


def test_version_fixer_errors() -> None:
    from analysis.errors import InvalidVersionError, ModuleVersionError

    def module_error(path: str, version: str) -> str:
        raise ModuleVersionError(path, version, InvalidVersionError(version, "unknown revision"))

    def plain_error(path: str, version: str) -> str:
        raise ValueError("no network")

    src = "module m\nrequire a.b/c master\n"
    with pytest.raises(ModfileError) as exc:
        modfile.parse("go.mod", src, module_error)
    assert str(exc.value) == 'go.mod:2: require a.b/c: version "master" invalid: unknown revision'
    with pytest.raises(ModfileError) as exc:
        modfile.parse("go.mod", src, plain_error)
    assert str(exc.value) == "go.mod:2: no network"
    f = modfile.parse("go.mod", src, lambda path, version: "v1.0.0")
    assert f.require[0].mod.version == "v1.0.0"
    assert f.format() == b"module m\n\nrequire a.b/c v1.0.0\n"
