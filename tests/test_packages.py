"""analysis.packages: build constraints, import blocks, module zips, the std list."""

from __future__ import annotations

import io
import subprocess
import zipfile

import pytest
from gotool import require_go

from analysis.module import ModuleVersion
from analysis.packages import (
    ANY_TAGS,
    HOST_TAGS,
    BadModuleZip,
    ModuleFiles,
    is_std,
    is_std_like,
    match_file,
    read_imports,
    read_module_zip,
    should_build,
    std_packages,
)

M = ModuleVersion("example.com/m", "v1.0.0")


def make_zip(names: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in names.items():
            z.writestr(name, text)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("header", "any_tags", "host"),
    [
        ("//go:build ignore", False, False),
        ("//go:build !ignore", True, True),
        ("//go:build windows", True, False),
        ("//go:build !windows", True, True),
        ("//go:build !linux", True, False),
        ("//go:build linux && amd64", True, True),
        ("//go:build linux && !cgo", True, False),
        ("//go:build (darwin || linux) && go1.18", True, True),
        ("//go:build ignore || linux", True, True),
        ("// +build windows", True, False),
        ("// +build linux,amd64 windows", True, True),
        ("// +build ignore", False, False),
        ("// just a comment", True, True),
    ],
)
def test_build_constraints(header: str, any_tags: bool, host: bool) -> None:
    data = f"// Copyright\n\n{header}\n\npackage p\n".encode()
    assert should_build(data, ANY_TAGS) is any_tags
    assert should_build(data, HOST_TAGS) is host


def test_build_line_after_package_clause_is_ignored() -> None:
    assert should_build(b"package p\n\n//go:build ignore\n", ANY_TAGS)


@pytest.mark.parametrize(
    ("name", "host"),
    [
        ("a.go", True),
        ("a_windows.go", False),
        ("a_linux.go", True),
        ("a_linux_arm64.go", False),
        ("a_amd64.go", True),
        ("a_windows_test.go", False),
        ("windows.go", True),  # no underscore: no constraint
        ("a_other.go", True),
    ],
)
def test_file_name_constraints(name: str, host: bool) -> None:
    assert match_file(name, ANY_TAGS)
    assert match_file(name, HOST_TAGS) is host


def test_read_imports() -> None:
    src = b"""// Package p.
package p // trailing

import "fmt"
import (
\t_ "a.com/b"
\tx "c.com/d" // why
\t/* block */ "e.com/f"
\t. "g.com/h"
)
import `raw.com/i`

func f() {}

import "late.com/j"
"""
    assert read_imports(src) == (
        "p",
        ("fmt", "a.com/b", "c.com/d", "e.com/f", "g.com/h", "raw.com/i"),
    )
    assert read_imports(b"// no package clause\n") == ("", ())


def test_package_imports_skip_tests_ignored_and_underscore_files() -> None:
    files = ModuleFiles(
        {
            "": (
                ("p.go", b'package p\nimport "a.com/x"\n'),
                ("p_test.go", b'package p\nimport "t.com/y"\n'),
                ("ign.go", b'//go:build ignore\n\npackage main\nimport "i.com/z"\n'),
                ("p_windows.go", b'package p\nimport "w.com/w"\n'),
                ("_skip.go", b'package p\nimport "s.com/s"\n'),
                ("cgo.go", b'package p\nimport "C"\n'),
            ),
            "only_test": (("x_test.go", b"package x\n"),),
            "docs": (("README", b""),),
        }
    )
    assert files.imports("", ANY_TAGS) == ("a.com/x", "w.com/w")
    assert files.imports("", HOST_TAGS) == ("a.com/x",)
    # A test file makes the directory a package with no imports (not ErrNoGo).
    assert files.imports("only_test", ANY_TAGS) == ()
    assert files.imports("docs", ANY_TAGS) is None
    assert files.has_package("") and not files.has_package("docs")


def test_nested_go_mod_hides_a_directory() -> None:
    files = ModuleFiles(
        {"n": (("go.mod", b"module x/n\n"),), "n/deep": (("d.go", b"package deep\n"),)}
    )
    assert not files.has_package("n/deep")


def test_module_zip_reads_directories() -> None:
    data = make_zip(
        {
            "example.com/m@v1.0.0/go.mod": "module example.com/m\n",
            "example.com/m@v1.0.0/m.go": "package m\n",
            "example.com/m@v1.0.0/sub/sub.go": "package sub\n",
        }
    )
    files = read_module_zip(M, data)
    assert files.has_package("") and files.has_package("sub")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("m.go", "zip for example.com/m@v1.0.0 has unexpected file m.go"),
        (
            "example.com/m@v1.0.1/m.go",
            "zip for example.com/m@v1.0.0 has unexpected file example.com/m@v1.0.1/m.go",
        ),
        (
            "example.com/m@v1.0.0/\u263a.go",
            'example.com/m@v1.0.0/\u263a.go: malformed file path "\u263a.go": invalid char'
            " '\u263a'",
        ),
        (
            "example.com/m@v1.0.0/x?y.go",
            "example.com/m@v1.0.0/x?y.go: malformed file path \"x?y.go\": invalid char '?'",
        ),
        (
            "example.com/m@v1.0.0/a/../b.go",
            "example.com/m@v1.0.0/a/../b.go: file path is not clean",
        ),
        (
            "example.com/m@v1.0.0/sub/go.mod",
            "example.com/m@v1.0.0/sub/go.mod: go.mod file not in module root directory",
        ),
        (
            "example.com/m@v1.0.0/GO.MOD",
            # the collision is found first, as go finds it
            'example.com/m@v1.0.0/GO.MOD: case-insensitive file name collision: "go.mod"'
            ' and "GO.MOD"',
        ),
    ],
)
def test_bad_module_zips(name: str, message: str) -> None:
    """go's words (a stray entry is found as the zip downloads; the rest as it is
    extracted, with ``extracting`` set)."""
    data = make_zip({"example.com/m@v1.0.0/go.mod": "module example.com/m\n", name: "package m\n"})
    with pytest.raises(BadModuleZip) as info:
        read_module_zip(M, data)
    assert str(info.value) == message
    assert info.value.extracting == (not message.startswith("zip for"))


def test_case_collisions() -> None:
    data = make_zip(
        {
            "example.com/m@v1.0.0/A.go": "package m\n",
            "example.com/m@v1.0.0/a.go": "package m\n",
            "example.com/m@v1.0.0/x/b.go": "package x\n",
            "example.com/m@v1.0.0/X/c.go": "package x\n",
        }
    )
    with pytest.raises(BadModuleZip) as info:
        read_module_zip(M, data)
    # Every bad entry, one per line, in zip order.
    assert str(info.value) == (
        'example.com/m@v1.0.0/a.go: case-insensitive file name collision: "A.go" and "a.go"\n'
        "example.com/m@v1.0.0/X/c.go: case-insensitive file name collision:"
        ' "x" and "X"'
    )


def test_std_list_matches_go_list_std() -> None:
    go = require_go()
    listed = subprocess.run(
        [go, "list", "std"], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    expected = {p for p in listed if not p.startswith("vendor/")}
    assert std_packages() == expected
    assert all(is_std(p) for p in expected)
    assert not is_std("example.com/fmt") and not is_std("notstd/pkg")
    assert is_std_like("fmt") and is_std_like("notstd/pkg") and not is_std_like("a.b/c")
