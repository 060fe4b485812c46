"""h1 hashes (the spec's §9.2 vectors) and go.sum reading/writing in go's order."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from gotool import go_env, run_go
from universe import Universe

from analysis.errors import ChecksumMismatch, GomodxError, SumMismatch
from analysis.hashes import (
    EMPTY_GOMOD_HASH,
    GoSum,
    gomod_hash,
    hash1,
    is_valid_sum,
    zip_hash,
)

GOMOD_VECTORS = [
    (
        b'module "rsc.io/quote"\n\nrequire "rsc.io/sampler" v1.3.0\n',
        "h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=",
    ),
    (
        b'module "rsc.io/sampler"\n\nrequire "golang.org/x/text" '
        b"v0.0.0-20170915032832-14c0d48ead0c\n",
        "h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA=",
    ),
    (b"module golang.org/x/text\n", "h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ="),
    (b"", EMPTY_GOMOD_HASH),
]


@pytest.mark.parametrize(("data", "want"), GOMOD_VECTORS)
def test_gomod_hash_vectors(data: bytes, want: str) -> None:
    assert gomod_hash(data) == want


def test_hash1_test_vector() -> None:
    files = {"xyz": b"data for xyz", "abc": b"data for abc"}
    assert hash1(files) == "h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8="
    assert hash1(list(files.items())) == hash1(files)


def test_hash1_rejects_newline_names() -> None:
    with pytest.raises(GomodxError, match="newlines"):
        hash1({"a\nb": b""})


def test_hash1_sorts_by_bytes() -> None:
    # "Z" (0x5a) sorts before "a" (0x61), and "é" (0xc3 0xa9) after both, as in Go.
    a = hash1([("a", b"1"), ("Z", b"2"), ("é", b"3")])
    b = hash1([("é", b"3"), ("Z", b"2"), ("a", b"1")])
    assert a == b


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_hash_vector(tmp_path: Path) -> None:
    data = _zip(
        [
            ("example.com/e@v1.2.0/go.mod", b"module example.com/e\n\ngo 1.17\n"),
            ("example.com/e@v1.2.0/e.go", b"package e\n"),
        ]
    )
    want = "h1:6DplGlAxUAXGbTO+JnxtsfP1KqkEwmI1wKhWT/po3Bc="
    assert zip_hash(data) == want
    (tmp_path / "m.zip").write_bytes(data)
    assert zip_hash(tmp_path / "m.zip") == want


def test_zip_hash_garbage() -> None:
    with pytest.raises(GomodxError):
        zip_hash(b"not a zip")


def test_is_valid_sum() -> None:
    assert is_valid_sum(b"h1:6DplGlAxUAXGbTO+JnxtsfP1KqkEwmI1wKhWT/po3Bc=")
    assert not is_valid_sum(b"h1:6DplGlAxUAXGbTO+JnxtsfP1KqkEwmI1wKhWT/po3Bc=\n")
    assert not is_valid_sum(b"h1:short")


def test_gosum_parse_and_errors() -> None:
    data = (
        b"a.com v1.0.0 h1:x=\n"
        b"\n"
        b"a.com v1.0.0/go.mod " + EMPTY_GOMOD_HASH.encode() + b"\n"
        b"a.com v1.0.0/go.mod h1:y=\n"
        b"a.com v1.0.0 h1:z=\n"
    )
    sums = GoSum.parse(data)
    assert sums.hashes("a.com", "v1.0.0") == ("h1:x=", "h1:z=")
    assert sums.gomod_hashes("a.com", "v1.0.0") == ("h1:y=",)
    with pytest.raises(GomodxError) as info:
        GoSum.parse(b"a.com v1.0.0 h1:x=\nbad line\n", "dir/go.sum")
    assert str(info.value) == "malformed go.sum:\ndir/go.sum:2: wrong number of fields [bad line]"
    assert GoSum.parse(b"bad line\n", lax=True).entries == {}


def test_gosum_format_order() -> None:
    sums = GoSum()
    for path, version, h in [
        ("b.com", "v1.10.0/go.mod", "h1:4="),
        ("b.com", "v1.2.0", "h1:3="),
        ("a.com", "v1.0.0/go.mod", "h1:2="),
        ("a.com", "v1.0.0", "h1:1="),
        ("b.com", "v1.2.0/go.mod", "h1:5="),
        ("a.com", "v1.0.0-rc.1", "h1:0="),
        ("b.com", "v1.2.0", "h1:2="),
        ("b.com", "v1.2.0", "h1:2="),
    ]:
        sums.add(path, version, h)
    assert sums.format().decode().splitlines() == [
        "a.com v1.0.0-rc.1 h1:0=",
        "a.com v1.0.0 h1:1=",
        "a.com v1.0.0/go.mod h1:2=",
        "b.com v1.2.0 h1:2=",
        "b.com v1.2.0 h1:3=",
        "b.com v1.2.0/go.mod h1:5=",
        "b.com v1.10.0/go.mod h1:4=",
    ]


def test_verify_gomod() -> None:
    good = b"module example.com/a\n"
    sums = GoSum()
    assert sums.verify_gomod("example.com/a", "v1.0.0", good) is False  # nothing recorded
    sums.add("example.com/a", "v1.0.0/go.mod", gomod_hash(good))
    assert sums.verify_gomod("example.com/a", "v1.0.0", good) is True
    with pytest.raises(ChecksumMismatch) as info:
        sums.verify_gomod("example.com/a", "v1.0.0", b"module evil\n", source="https://p.example")
    err = info.value
    assert isinstance(err, SumMismatch)
    assert err.expected == gomod_hash(good)
    assert err.downloaded == gomod_hash(b"module evil\n")
    text = str(err)
    assert text.startswith("verifying example.com/a@v1.0.0/go.mod: checksum mismatch")
    assert gomod_hash(good) in text and gomod_hash(b"module evil\n") in text
    assert "https://p.example" in text and "SECURITY ERROR" in text


def test_format_reads_back(tmp_path: Path) -> None:
    sums = GoSum()
    sums.add("a.com", "v1.0.0", "h1:x=")
    target = tmp_path / "go.sum"
    target.write_bytes(sums.format())
    assert target.read_bytes() == b"a.com v1.0.0 h1:x=\n"
    assert GoSum.read(target).entries == sums.entries
    assert GoSum.read(tmp_path / "missing").entries == {}


@pytest.mark.go
def test_go_writes_what_we_compute(tmp_path: Path) -> None:
    """go's own go.sum lines for a small universe equal our hashes, in our order."""
    u = Universe(main_go="1.17")
    u.add("example.com/Upper", "v1.0.0", requires=[("example.com/b", "v1.2.0")])
    u.add("example.com/b", "v1.2.0")
    u.add("example.com/b", "v1.10.0")
    u.add("example.com/c", "v2.0.0+incompatible", has_go_mod=False)
    u.require("example.com/Upper", "v1.0.0")
    u.require("example.com/c", "v2.0.0+incompatible")
    layout = u.write(tmp_path / "u")
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    main = layout.main_dir
    (main / "main.go").write_text(
        'package main\n\nimport (\n\t_ "example.com/Upper"\n\t_ "example.com/c"\n)\n\n'
        "func main() {}\n"
    )
    run_go(["mod", "tidy"], main, env)
    written = (main / "go.sum").read_bytes()
    sums = GoSum.parse(written)
    assert sums.format() == written
    for (path, version), hashes in sums.entries.items():
        if version.endswith("/go.mod"):
            served = (layout.proxy_dir / _esc(path) / "@v" / (version[:-7] + ".mod")).read_bytes()
            assert hashes == [gomod_hash(served)]
        else:
            archive = layout.proxy_dir / _esc(path) / "@v" / (_esc(version) + ".zip")
            assert hashes == [zip_hash(archive)]


def _esc(text: str) -> str:
    return "".join("!" + c.lower() if c.isupper() else c for c in text)
