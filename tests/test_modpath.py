"""analysis.modpath against golang.org/x/mod/module's and path's test tables (spec §3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.errors import (
    BadPatternError,
    InvalidPathError,
    InvalidVersionError,
    ModuleError,
    ModuleVersionError,
)
from analysis.modpath import (
    check,
    check_canonical_version,
    check_file_path,
    check_import_path,
    check_path,
    check_path_major,
    escape_path,
    escape_version,
    is_directory_path,
    match_path_major,
    match_prefix_patterns,
    path_major_prefix,
    path_match,
    split_path_version,
    unescape_path,
    unescape_version,
)

BAD_UTF8 = b"x.y/\xffz".decode("utf-8", "surrogateescape")

# module_test.go checkPathTests: path, CheckPath ok, CheckImportPath ok, CheckFilePath ok
CHECK_PATH_TESTS: list[tuple[str, bool, bool, bool]] = [
    ("x.y/z", True, True, True),
    ("x.y", True, True, True),
    ("", False, False, False),
    (BAD_UTF8, False, False, False),
    ("/x.y/z", False, False, False),
    ("x./z", False, False, False),
    (".x/z", False, True, True),
    ("-x/z", False, False, True),
    ("x..y/z", True, True, True),
    ("x.y/z/../../w", False, False, False),
    ("x.y//z", False, False, False),
    ("x.y/z//w", False, False, False),
    ("x.y/z/", False, False, False),
    ("x.y/z/v0", False, True, True),
    ("x.y/z/v1", False, True, True),
    ("x.y/z/v2", True, True, True),
    ("x.y/z/v2.0", False, True, True),
    ("X.y/z", False, True, True),
    ("!x.y/z", False, False, True),
    ("_x.y/z", False, True, True),
    ("x.y!/z", False, False, True),
    ('x.y"/z', False, False, False),
    ("x.y#/z", False, False, True),
    ("x.y$/z", False, False, True),
    ("x.y%/z", False, False, True),
    ("x.y&/z", False, False, True),
    ("x.y'/z", False, False, False),
    ("x.y(/z", False, False, True),
    ("x.y)/z", False, False, True),
    ("x.y*/z", False, False, False),
    ("x.y+/z", False, True, True),
    ("x.y,/z", False, False, True),
    ("x.y-/z", True, True, True),
    ("x.y./zt", False, False, False),
    ("x.y:/z", False, False, False),
    ("x.y;/z", False, False, False),
    ("x.y</z", False, False, False),
    ("x.y=/z", False, False, True),
    ("x.y>/z", False, False, False),
    ("x.y?/z", False, False, False),
    ("x.y@/z", False, False, True),
    ("x.y[/z", False, False, True),
    ("x.y\\/z", False, False, False),
    ("x.y]/z", False, False, True),
    ("x.y^/z", False, False, True),
    ("x.y_/z", False, True, True),
    ("x.y`/z", False, False, False),
    ("x.y{/z", False, False, True),
    ("x.y}/z", False, False, True),
    ("x.y~/z", False, True, True),
    ("x.y/z!", False, False, True),
    ('x.y/z"', False, False, False),
    ("x.y/z#", False, False, True),
    ("x.y/z$", False, False, True),
    ("x.y/z%", False, False, True),
    ("x.y/z&", False, False, True),
    ("x.y/z'", False, False, False),
    ("x.y/z(", False, False, True),
    ("x.y/z)", False, False, True),
    ("x.y/z*", False, False, False),
    ("x.y/z++", False, True, True),
    ("x.y/z,", False, False, True),
    ("x.y/z-", True, True, True),
    ("x.y/z.t", True, True, True),
    ("x.y/z/t", True, True, True),
    ("x.y/z:", False, False, False),
    ("x.y/z;", False, False, False),
    ("x.y/z<", False, False, False),
    ("x.y/z=", False, False, True),
    ("x.y/z>", False, False, False),
    ("x.y/z?", False, False, False),
    ("x.y/z@", False, False, True),
    ("x.y/z[", False, False, True),
    ("x.y/z\\", False, False, False),
    ("x.y/z]", False, False, True),
    ("x.y/z^", False, False, True),
    ("x.y/z_", True, True, True),
    ("x.y/z`", False, False, False),
    ("x.y/z{", False, False, True),
    ("x.y/z}", False, False, True),
    ("x.y/z~", True, True, True),
    ("x.y/x.foo", True, True, True),
    ("x.y/aux.foo", False, False, False),
    ("x.y/prn", False, False, False),
    ("x.y/prn2", True, True, True),
    ("x.y/com", True, True, True),
    ("x.y/com1", False, False, False),
    ("x.y/com1.txt", False, False, False),
    ("x.y/calm1", True, True, True),
    ("x.y/z~", True, True, True),
    ("x.y/z~0", False, False, True),
    ("x.y/z~09", False, False, True),
    ("x.y/z09", True, True, True),
    ("x.y/z09~", True, True, True),
    ("x.y/z09~09z", True, True, True),
    ("x.y/z09~09z~09", False, False, True),
    ("github.com/!123/logrus", False, False, True),
    ("github.com/user/unicode/испытание", False, False, True),
    ("../x", False, False, False),
    ("./y", False, False, False),
    ("x:y", False, False, False),
    ("\\temp\\foo", False, False, False),
    (".gitignore", False, True, True),
    (".github/ISSUE_TEMPLATE", False, True, True),
    ("x☺y", False, False, False),
]
PATH_IDS = [repr(row[0]) for row in CHECK_PATH_TESTS]


def _accepts(fn: object, path: str) -> bool:
    assert callable(fn)
    try:
        fn(path)
    except InvalidPathError:
        return False
    return True


@pytest.mark.parametrize("row", CHECK_PATH_TESTS, ids=PATH_IDS)
def test_check_path_table(row: tuple[str, bool, bool, bool]) -> None:
    path, ok, import_ok, file_ok = row
    assert _accepts(check_path, path) is ok
    assert _accepts(check_import_path, path) is import_ok
    assert _accepts(check_file_path, path) is file_ok


@pytest.mark.parametrize("row", CHECK_PATH_TESTS, ids=PATH_IDS)
def test_escape_unescape_fail_on_bad_paths_and_split_adds_up(
    row: tuple[str, bool, bool, bool],
) -> None:
    path, ok, _, _ = row
    if not ok:
        with pytest.raises(InvalidPathError):
            escape_path(path)
        with pytest.raises(ModuleError):
            unescape_path(path)
    prefix, path_major, _ = split_path_version(path)
    assert prefix + path_major == path


# Exact error texts, each confirmed against golang.org/x/mod/module (vendored in Go 1.27).
PATH_ERRORS = [
    (check_path, "x/y", 'malformed module path "x/y": missing dot in first path element'),
    (check_path, "", 'malformed module path "": empty string'),
    (check_path, BAD_UTF8, 'malformed module path "x.y/\\xffz": invalid UTF-8'),
    (check_path, "/x.y/z", 'malformed module path "/x.y/z": empty path element'),
    (check_path, "-x/z", 'malformed module path "-x/z": leading dash'),
    (check_path, "x./z", 'malformed module path "x./z": trailing dot in path element'),
    (check_path, ".x/z", 'malformed module path ".x/z": leading dot in path element'),
    (check_path, "x.y//z", 'malformed module path "x.y//z": double slash'),
    (check_path, "x.y/z/", 'malformed module path "x.y/z/": trailing slash'),
    (check_path, "x.y/..", 'malformed module path "x.y/..": invalid path element ".."'),
    (check_path, "x.y/z/v1", 'malformed module path "x.y/z/v1": invalid version'),
    (check_path, "X.y/z", "malformed module path \"X.y/z\": invalid char 'X' in first path element"),
    (check_path, "x_y.com/z", "malformed module path \"x_y.com/z\": invalid char '_' in first path element"),
    (check_path, 'x.y/z"', "malformed module path \"x.y/z\\\"\": invalid char '\"'"),
    (check_path, "x.y/z'", "malformed module path \"x.y/z'\": invalid char '\\''"),
    (check_path, "x.y/a\tb", "malformed module path \"x.y/a\\tb\": invalid char '\\t'"),
    (check_path, "x.y/☺", "malformed module path \"x.y/☺\": invalid char '☺'"),
    (check_path, "x.y/Aux.go", 'malformed module path "x.y/Aux.go": "Aux" disallowed as path element component on Windows'),
    (check_path, "x.y/z~09", 'malformed module path "x.y/z~09": trailing tilde and digits in path element'),
    (check_import_path, "x.y/z ", "malformed import path \"x.y/z \": invalid char ' '"),
    (check_import_path, "-x", 'malformed import path "-x": leading dash'),
    (check_file_path, "x.y/z*", "malformed file path \"x.y/z*\": invalid char '*'"),
    (check_file_path, "a/com1.txt", 'malformed file path "a/com1.txt": "com1" disallowed as path element component on Windows'),
    (check_file_path, "a/.", 'malformed file path "a/.": invalid path element "."'),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "path", "want"), PATH_ERRORS)
def test_path_error_texts(fn: object, path: str, want: str) -> None:
    assert callable(fn)
    with pytest.raises(InvalidPathError) as info:
        fn(path)
    assert str(info.value) == want
    assert info.value.path == path


def test_invalid_path_error_fields() -> None:
    with pytest.raises(InvalidPathError) as info:
        check_import_path("a//b")
    assert (info.value.kind, info.value.path, info.value.err) == ("import", "a//b", "double slash")
    assert isinstance(info.value, ModuleError)


# ---------------------------------------------------------------------------------------
# checkTests, TestMatchPathMajor, TestSplitPathVersion
# ---------------------------------------------------------------------------------------
CHECK_TESTS = [
    ("rsc.io/quote", "0.1.0", False),
    ("rsc io/quote", "v1.0.0", False),
    ("github.com/go-yaml/yaml", "v0.8.0", True),
    ("github.com/go-yaml/yaml", "v1.0.0", True),
    ("github.com/go-yaml/yaml", "v2.0.0", False),
    ("github.com/go-yaml/yaml", "v2.1.5", False),
    ("github.com/go-yaml/yaml", "v3.0.0", False),
    ("github.com/go-yaml/yaml/v2", "v1.0.0", False),
    ("github.com/go-yaml/yaml/v2", "v2.0.0", True),
    ("github.com/go-yaml/yaml/v2", "v2.1.5", True),
    ("github.com/go-yaml/yaml/v2", "v3.0.0", False),
    ("gopkg.in/yaml.v0", "v0.8.0", True),
    ("gopkg.in/yaml.v0", "v1.0.0", False),
    ("gopkg.in/yaml.v0", "v2.0.0", False),
    ("gopkg.in/yaml.v0", "v2.1.5", False),
    ("gopkg.in/yaml.v0", "v3.0.0", False),
    ("gopkg.in/yaml.v1", "v0.8.0", False),
    ("gopkg.in/yaml.v1", "v1.0.0", True),
    ("gopkg.in/yaml.v1", "v2.0.0", False),
    ("gopkg.in/yaml.v1", "v2.1.5", False),
    ("gopkg.in/yaml.v1", "v3.0.0", False),
    ("gopkg.in/check.v1", "v0.0.0", False),
    ("gopkg.in/check.v1", "v0.0.0-20160102150405-abcdef123456", True),
    ("gopkg.in/yaml.v2", "v1.0.0", False),
    ("gopkg.in/yaml.v2", "v2.0.0", True),
    ("gopkg.in/yaml.v2", "v2.1.5", True),
    ("gopkg.in/yaml.v2", "v3.0.0", False),
    ("rsc.io/quote", "v17.0.0", False),
    ("rsc.io/quote", "v17.0.0+incompatible", True),
]


@pytest.mark.parametrize(("path", "version", "ok"), CHECK_TESTS)
def test_check_table(path: str, version: str, ok: bool) -> None:
    if ok:
        check(path, version)
    else:
        with pytest.raises(ModuleError):
            check(path, version)


@pytest.mark.parametrize(
    ("path", "version", "exc", "want"),
    [
        ("rsc.io/quote", "0.1.0", ModuleVersionError, "rsc.io/quote@0.1.0: invalid version: not a semantic version"),
        ("rsc io/quote", "v1.0.0", InvalidPathError, "malformed module path \"rsc io/quote\": invalid char ' '"),
        ("github.com/go-yaml/yaml", "v2.0.0", ModuleVersionError, "github.com/go-yaml/yaml@v2.0.0: invalid version: should be v0 or v1, not v2"),
        ("github.com/go-yaml/yaml/v2", "v1.0.0", ModuleVersionError, "github.com/go-yaml/yaml/v2@v1.0.0: invalid version: should be v2, not v1"),
        ("gopkg.in/yaml.v1", "v0.8.0", ModuleVersionError, "gopkg.in/yaml.v1@v0.8.0: invalid version: should be v1, not v0"),
        ("gopkg.in/check.v1", "v0.0.0", ModuleVersionError, "gopkg.in/check.v1@v0.0.0: invalid version: should be v1, not v0"),
    ],
)  # fmt: skip
def test_check_error_texts(path: str, version: str, exc: type[Exception], want: str) -> None:
    with pytest.raises(exc) as info:
        check(path, version)
    assert str(info.value) == want


def test_module_version_error_forms() -> None:
    assert (
        str(ModuleVersionError("example.com/m", "v1.0.0", "boom")) == "example.com/m@v1.0.0: boom"
    )
    assert str(ModuleVersionError("example.com/m", "", "boom")) == "module example.com/m: boom"
    pseudo = InvalidVersionError("v0.0.0-x", "syntax error", pseudo=True)
    assert (
        str(ModuleVersionError("example.com/m", "v9", pseudo))
        == "example.com/m@v0.0.0-x: invalid pseudo-version: syntax error"
    )


@pytest.mark.parametrize(
    ("v", "path_major", "want"),
    [
        ("v0.0.0", "", True),
        ("v0.0.0", "/v2", False),
        ("v0.0.0", ".v0", True),
        ("v0.0.0-20190510104115-cbcb75029529", ".v1", True),
        ("v1.0.0", "/v2", False),
        ("v1.0.0", ".v1", True),
        ("v1.0.0", ".v1-unstable", True),
        ("v2.0.0+incompatible", "", True),
        ("v2.0.0", "", False),
        ("v2.0.0", "/v2", True),
        ("v2.0.0", ".v2", True),
    ],
)
def test_match_path_major(v: str, path_major: str, want: bool) -> None:
    assert match_path_major(v, path_major) is want


@pytest.mark.parametrize(
    ("v", "path_major", "want"),
    [
        ("v2.0.0", "", 'version "v2.0.0" invalid: should be v0 or v1, not v2'),
        ("v1.0.0", "/v2", 'version "v1.0.0" invalid: should be v2, not v1'),
        ("v2.0.0", ".v1-unstable", 'version "v2.0.0" invalid: should be v1, not v2'),
        ("bad", "/v3", 'version "bad" invalid: should be v3, not '),
    ],
)
def test_check_path_major_texts(v: str, path_major: str, want: str) -> None:
    with pytest.raises(InvalidVersionError) as info:
        check_path_major(v, path_major)
    assert str(info.value) == want
    assert not info.value.pseudo


@pytest.mark.parametrize(
    ("prefix", "path_major"),
    [
        ("x.y/z", ""),
        ("x.y/z", "/v2"),
        ("x.y/z", "/v3"),
        ("x.y/v", ""),
        ("gopkg.in/yaml", ".v0"),
        ("gopkg.in/yaml", ".v1"),
        ("gopkg.in/yaml", ".v2"),
        ("gopkg.in/yaml", ".v3"),
    ],
)
def test_split_path_version(prefix: str, path_major: str) -> None:
    assert split_path_version(prefix + path_major) == (prefix, path_major, True)


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("x.y/z/v0", ("x.y/z/v0", "", False)),
        ("x.y/z/v1", ("x.y/z/v1", "", False)),
        ("x.y/z/v2.0", ("x.y/z/v2.0", "", False)),
        ("x.y/z/v02", ("x.y/z/v02", "", False)),
        ("x.y/z/v10", ("x.y/z", "/v10", True)),
        ("v2", ("v2", "", True)),
        ("gopkg.in/yaml", ("gopkg.in/yaml", "", False)),
        ("gopkg.in/yaml.v02", ("gopkg.in/yaml.v02", "", False)),
        ("gopkg.in/yaml.v2-unstable", ("gopkg.in/yaml", ".v2-unstable", True)),
    ],
)
def test_split_path_version_more(path: str, want: tuple[str, str, bool]) -> None:
    assert split_path_version(path) == want


def test_path_major_prefix() -> None:
    assert path_major_prefix("") == ""
    assert path_major_prefix("/v2") == "v2"
    assert path_major_prefix(".v1") == "v1"
    assert path_major_prefix(".v1-unstable") == "v1"
    with pytest.raises(ValueError, match="lacks separator"):
        path_major_prefix("v2")
    with pytest.raises(ValueError, match="not a valid major version"):
        path_major_prefix("/v2.0")


# spec §4.4 table (modfile rule_test.go) plus the form that names the path's major
CANONICAL_VERSION_ERRORS = [
    ("example.com/m", "", 'version "" invalid: must be of the form v1.2.3'),
    ("example.com/m", "1.0.0", 'version "1.0.0" invalid: must be of the form v1.2.3'),
    ("example.com/m", "v1.2", 'version "v1.2" invalid: must be of the form v1.2.3'),
    ("example.com/m", "v1.3", 'version "v1.3" invalid: must be of the form v1.2.3'),
    ("example.com/m/v2", "v1.0.0", 'version "v1.0.0" invalid: should be v2, not v1'),
    ("example.com/m/v2", "v1.2.3", 'version "v1.2.3" invalid: should be v2, not v1'),
    ("example.com/m", "v2.0.0", 'version "v2.0.0" invalid: should be v2.0.0+incompatible (or module example.com/m/v2)'),
    ("example.com/m", "v2.3.4", 'version "v2.3.4" invalid: should be v2.3.4+incompatible (or module example.com/m/v2)'),
    ("example.com/m/v2", "v2.1", 'version "v2.1" invalid: must be of the form v2.2.3'),
    ("example.com/m", "v1.2.3+meta", 'version "v1.2.3+meta" invalid: must be of the form v1.2.3'),
]  # fmt: skip


@pytest.mark.parametrize(("path", "version", "want"), CANONICAL_VERSION_ERRORS)
def test_check_canonical_version_errors(path: str, version: str, want: str) -> None:
    with pytest.raises(InvalidVersionError) as info:
        check_canonical_version(path, version)
    assert str(info.value) == want


@pytest.mark.parametrize(
    ("path", "version"),
    [
        ("example.com/m", "v1.2.3"),
        ("example.com/m", "v2.0.0+incompatible"),
        ("example.com/m/v2", "v2.0.0"),
        ("gopkg.in/yaml.v2", "v2.4.0"),
        ("example.com/m/v1", "v7.0.0"),  # SplitPathVersion fails: no major check, as in Go
    ],
)
def test_check_canonical_version_ok(path: str, version: str) -> None:
    check_canonical_version(path, version)


# ---------------------------------------------------------------------------------------
# Escaping
# ---------------------------------------------------------------------------------------
ESCAPE_TESTS = [
    ("ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789", "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789"),
    ("github.com/GoogleCloudPlatform/omega", "github.com/!google!cloud!platform/omega"),
    ("github.com/BurntSushi/toml", "github.com/!burnt!sushi/toml"),
    ("example.com/M", "example.com/!m"),
    ("github.com/Azure/azure-sdk-for-go", "github.com/!azure/azure-sdk-for-go"),
    ("github.com/Sirupsen/logrus", "github.com/!sirupsen/logrus"),
]  # fmt: skip

BAD_UNESCAPE = [
    "github.com/GoogleCloudPlatform/omega",
    "github.com/!google!cloud!platform!/omega",
    "github.com/!0google!cloud!platform/omega",
    "github.com/!_google!cloud!platform/omega",
    "github.com/!!google!cloud!platform/omega",
    "",
]


@pytest.mark.parametrize(("path", "escaped"), ESCAPE_TESTS)
def test_escape_path(path: str, escaped: str) -> None:
    assert escape_path(path) == escaped
    assert unescape_path(escaped) == path


@given(st.text(alphabet=st.sampled_from("aZz09.-_~/!+\u00e9\u0130\u212aA"), max_size=12))
def test_escape_string_matches_the_character_loop(s: str) -> None:
    # The shortcut for strings with nothing to escape must answer as the loop does
    # (KELVIN SIGN and I WITH DOT lower to ASCII: the shortcut must not be fooled).
    from analysis.modpath import _escape_string

    def loop(text: str) -> str:
        if any(c == "!" or c >= "\x80" for c in text):
            raise ModuleError("internal error: inconsistency in EscapePath")
        return "".join("!" + c.lower() if "A" <= c <= "Z" else c for c in text)

    try:
        want: str | type[ModuleError] = loop(s)
    except ModuleError:
        want = ModuleError
    try:
        got: str | type[ModuleError] = _escape_string(s)
    except ModuleError:
        got = ModuleError
    assert got == want


@pytest.mark.parametrize("escaped", BAD_UNESCAPE)
def test_bad_unescape(escaped: str) -> None:
    with pytest.raises(ModuleError):
        unescape_path(escaped)


def test_escape_error_texts() -> None:
    with pytest.raises(ModuleError) as info:
        unescape_path("github.com/!Google")
    assert str(info.value) == 'invalid escaped module path "github.com/!Google"'
    with pytest.raises(ModuleError) as info:
        unescape_path("github.com/!google/x/v1")
    assert str(info.value) == (
        'invalid escaped module path "github.com/!google/x/v1": '
        'malformed module path "github.com/Google/x/v1": invalid version'
    )
    with pytest.raises(InvalidPathError) as pinfo:
        escape_path("x/y")
    assert str(pinfo.value) == 'malformed module path "x/y": missing dot in first path element'


@pytest.mark.parametrize(
    ("v", "escaped"),
    [
        ("v1.0.0-RC1", "v1.0.0-!r!c1"),
        ("v1.2.3", "v1.2.3"),
        ("master", "master"),
        ("Feature-Branch", "!feature-!branch"),
        ("v1.0.0+incompatible", "v1.0.0+incompatible"),
    ],
)
def test_escape_version(v: str, escaped: str) -> None:
    assert escape_version(v) == escaped
    assert unescape_version(escaped) == v


@pytest.mark.parametrize("v", ["", "a/b", "v1!", "..", "x*", "com1", "v1.0.0."])
def test_escape_version_rejects(v: str) -> None:
    with pytest.raises(InvalidVersionError) as info:
        escape_version(v)
    assert str(info.value).endswith("invalid: disallowed version string")


def test_unescape_version_errors() -> None:
    with pytest.raises(ModuleError) as info:
        unescape_version("v1.0.0-RC1")
    assert str(info.value) == 'invalid escaped version "v1.0.0-RC1"'
    with pytest.raises(ModuleError) as info:
        unescape_version("!con")
    assert str(info.value) == (
        'invalid escaped version "Con": "Con" disallowed as path element component on Windows'
    )


_path_elem = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9_~-]{0,8}", fullmatch=True)


@st.composite
def module_paths(draw: st.DrawFn) -> str:
    host = draw(st.from_regex(r"[a-z0-9]{1,6}\.[a-z]{2,4}", fullmatch=True))
    elems = draw(st.lists(_path_elem, max_size=4))
    return "/".join([host, *elems])


@given(module_paths())
def test_escape_round_trip(path: str) -> None:
    try:
        check_path(path)
    except InvalidPathError:
        return  # e.g. a Windows name or trailing ~digits the strategy happened to build
    escaped = escape_path(path)
    assert escaped.replace("!", "") == path.lower()
    assert escaped.count("!") == sum(c.isupper() for c in path)
    assert escaped == escaped.lower()
    assert unescape_path(escaped) == path


@given(st.from_regex(r"[A-Za-z0-9.+-]{1,20}", fullmatch=True))
def test_escape_version_round_trip(v: str) -> None:
    try:
        escaped = escape_version(v)
    except InvalidVersionError:
        return
    assert unescape_version(escaped) == v


# ---------------------------------------------------------------------------------------
# MatchPrefixPatterns and path.Match
# ---------------------------------------------------------------------------------------
PREFIX_PATTERN_TESTS = [
    ("", "rsc.io/quote", False),
    ("/", "rsc.io/quote", False),
    ("*/quote", "rsc.io/quote", True),
    ("*/quo", "rsc.io/quote", False),
    ("*/quo??", "rsc.io/quote", True),
    ("*/quo*", "rsc.io/quote", True),
    ("*quo*", "rsc.io/quote", False),
    ("rsc.io", "rsc.io/quote", True),
    ("*.io", "rsc.io/quote", True),
    ("rsc.io/", "rsc.io/quote", True),
    ("rsc", "rsc.io/quote", False),
    ("rsc*", "rsc.io/quote", True),
    ("rsc.io", "rsc.io/quote/v3", True),
    ("*/quote", "rsc.io/quote/v3", True),
    ("*/quote/", "rsc.io/quote/v3", True),
    ("*/quote/*", "rsc.io/quote/v3", True),
    ("*/quote/*/", "rsc.io/quote/v3", True),
    ("*/v3", "rsc.io/quote/v3", False),
    ("*/*/v3", "rsc.io/quote/v3", True),
    ("*/*/*", "rsc.io/quote/v3", True),
    ("*/*/*/", "rsc.io/quote/v3", True),
    ("*/*/*", "rsc.io/quote", False),
    ("*/*/*/", "rsc.io/quote", False),
    ("*/*/*,,", "rsc.io/quote", False),
    ("*/*/*,,*/quote", "rsc.io/quote", True),
    (",,*/quote", "rsc.io/quote", True),
    # extra vectors (spec §3.5)
    ("*.corp.example.com", "git.corp.example.com/xyzzy", True),
    ("rsc.io/private", "rsc.io/private/quux", True),
    ("rsc.io/private", "rsc.io/privatex", False),
    ("github.com/acme/*", "github.com/acme", False),
    ("github.com/acme/*", "github.com/acme/x/y", True),
    ("[a-", "rsc.io/quote", False),
    ("[a-,rsc.io", "rsc.io/quote", True),
    ("rsc.io//", "rsc.io/quote", False),  # only one trailing slash is trimmed
    ("none", "rsc.io/quote", False),  # go help private: GONOPROXY=none matches nothing
    ("RSC.io", "rsc.io/quote", False),  # case-sensitive
]


@pytest.mark.parametrize(("globs", "target", "want"), PREFIX_PATTERN_TESTS)
def test_match_prefix_patterns(globs: str, target: str, want: bool) -> None:
    assert match_prefix_patterns(globs, target) is want


# src/path/match_test.go: pattern, name, match, bad pattern
MATCH_TESTS = [
    ("abc", "abc", True, False),
    ("*", "abc", True, False),
    ("*c", "abc", True, False),
    ("a*", "a", True, False),
    ("a*", "abc", True, False),
    ("a*", "ab/c", False, False),
    ("a*/b", "abc/b", True, False),
    ("a*/b", "a/c/b", False, False),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", True, False),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True, False),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False, False),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", False, False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True, False),
    ("a*b?c*x", "abxbbxdbxebxczzy", False, False),
    ("ab[c]", "abc", True, False),
    ("ab[b-d]", "abc", True, False),
    ("ab[e-g]", "abc", False, False),
    ("ab[^c]", "abc", False, False),
    ("ab[^b-d]", "abc", False, False),
    ("ab[^e-g]", "abc", True, False),
    ("a\\*b", "a*b", True, False),
    ("a\\*b", "ab", False, False),
    ("a?b", "a☺b", True, False),
    ("a[^a]b", "a☺b", True, False),
    ("a???b", "a☺b", False, False),
    ("a[^a][^a][^a]b", "a☺b", False, False),
    ("[a-ζ]*", "α", True, False),
    ("*[a-ζ]", "A", False, False),
    ("a?b", "a/b", False, False),
    ("a*b", "a/b", False, False),
    ("[\\]a]", "]", True, False),
    ("[\\-]", "-", True, False),
    ("[x\\-]", "x", True, False),
    ("[x\\-]", "-", True, False),
    ("[x\\-]", "z", False, False),
    ("[\\-x]", "x", True, False),
    ("[\\-x]", "-", True, False),
    ("[\\-x]", "a", False, False),
    ("[]a]", "]", False, True),
    ("[-]", "-", False, True),
    ("[x-]", "x", False, True),
    ("[x-]", "-", False, True),
    ("[x-]", "z", False, True),
    ("[-x]", "x", False, True),
    ("[-x]", "-", False, True),
    ("[-x]", "a", False, True),
    ("\\", "a", False, True),
    ("[a-b-c]", "a", False, True),
    ("[", "a", False, True),
    ("[^", "a", False, True),
    ("[^bc", "a", False, True),
    ("a[", "a", False, True),
    ("a[", "ab", False, True),
    ("a[", "x", False, True),
    ("a/b[", "x", False, True),
    ("*x", "xxx", True, False),
    # Go matches bytes: after a star, "?" can match single bytes inside a rune
    ("*??", "☺", True, False),
    ("a*", "a☺", True, False),
]


@pytest.mark.parametrize(("pattern", "name", "match", "bad"), MATCH_TESTS)
def test_path_match(pattern: str, name: str, match: bool, bad: bool) -> None:
    if bad:
        with pytest.raises(BadPatternError):
            path_match(pattern, name)
        with pytest.raises(ValueError, match="syntax error in pattern"):
            path_match(pattern, name)
    else:
        assert path_match(pattern, name) is match


@pytest.mark.parametrize(
    ("ns", "want"),
    [
        (".", True),
        ("..", True),
        ("./x", True),
        (".\\x", True),
        ("../x", True),
        ("..\\x", True),
        ("/abs", True),
        ("\\abs", True),
        ("C:\\x", True),
        ("c:", True),
        ("example.com/x", False),
        (".x", False),
        ("...", False),
        ("x", False),
        ("", False),
        ("1:", False),
        ("é:", False),
    ],
)
def test_is_directory_path(ns: str, want: bool) -> None:
    assert is_directory_path(ns) is want
