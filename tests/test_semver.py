"""analysis.semver against Go's own test tables (go-modules-spec.md §1, §2, gover) and go."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from gotool import go_env, run_go
from hypothesis import given
from hypothesis import strategies as st

from analysis import semver
from analysis.errors import InvalidVersionError, ModuleError
from analysis.semver import (
    build,
    canonical,
    canonical_version,
    compare,
    gover_compare,
    gover_from_toolchain,
    gover_is_lang,
    gover_is_prerelease,
    gover_is_valid,
    gover_lang,
    gover_max,
    is_prerelease,
    is_pseudo_version,
    is_toolchain_path,
    is_valid,
    is_zero_pseudo_version,
    major,
    major_minor,
    max_version,
    mod_compare,
    mod_is_prerelease,
    mod_is_valid,
    mod_sort_key,
    prerelease,
    pseudo_version,
    pseudo_version_base,
    pseudo_version_rev,
    pseudo_version_time,
    sort_key,
    sort_versions,
    zero_pseudo_version,
)

# ---------------------------------------------------------------------------------------
# semver_test.go `tests`, with the derived columns (spec §1.5). Rows are in ascending order.
# input, valid, canonical, major, major_minor, prerelease, build
# ---------------------------------------------------------------------------------------
SEMVER_TABLE: list[tuple[str, bool, str, str, str, str, str]] = [
    ("bad", False, "", "", "", "", ""),
    ("v1-alpha.beta.gamma", False, "", "", "", "", ""),
    ("v1-pre", False, "", "", "", "", ""),
    ("v1+meta", False, "", "", "", "", ""),
    ("v1-pre+meta", False, "", "", "", "", ""),
    ("v1.2-pre", False, "", "", "", "", ""),
    ("v1.2+meta", False, "", "", "", "", ""),
    ("v1.2-pre+meta", False, "", "", "", "", ""),
    ("v1.0.0-alpha", True, "v1.0.0-alpha", "v1", "v1.0", "-alpha", ""),
    ("v1.0.0-alpha.1", True, "v1.0.0-alpha.1", "v1", "v1.0", "-alpha.1", ""),
    ("v1.0.0-alpha.beta", True, "v1.0.0-alpha.beta", "v1", "v1.0", "-alpha.beta", ""),
    ("v1.0.0-beta", True, "v1.0.0-beta", "v1", "v1.0", "-beta", ""),
    ("v1.0.0-beta.2", True, "v1.0.0-beta.2", "v1", "v1.0", "-beta.2", ""),
    ("v1.0.0-beta.11", True, "v1.0.0-beta.11", "v1", "v1.0", "-beta.11", ""),
    ("v1.0.0-rc.1", True, "v1.0.0-rc.1", "v1", "v1.0", "-rc.1", ""),
    ("v1", True, "v1.0.0", "v1", "v1.0", "", ""),
    ("v1.0", True, "v1.0.0", "v1", "v1.0", "", ""),
    ("v1.0.0", True, "v1.0.0", "v1", "v1.0", "", ""),
    ("v1.2", True, "v1.2.0", "v1", "v1.2", "", ""),
    ("v1.2.0", True, "v1.2.0", "v1", "v1.2", "", ""),
    ("v1.2.3-456", True, "v1.2.3-456", "v1", "v1.2", "-456", ""),
    ("v1.2.3-456.789", True, "v1.2.3-456.789", "v1", "v1.2", "-456.789", ""),
    ("v1.2.3-456-789", True, "v1.2.3-456-789", "v1", "v1.2", "-456-789", ""),
    ("v1.2.3-456a", True, "v1.2.3-456a", "v1", "v1.2", "-456a", ""),
    ("v1.2.3-pre", True, "v1.2.3-pre", "v1", "v1.2", "-pre", ""),
    ("v1.2.3-pre+meta", True, "v1.2.3-pre", "v1", "v1.2", "-pre", "+meta"),
    ("v1.2.3-pre.1", True, "v1.2.3-pre.1", "v1", "v1.2", "-pre.1", ""),
    ("v1.2.3-zzz", True, "v1.2.3-zzz", "v1", "v1.2", "-zzz", ""),
    ("v1.2.3", True, "v1.2.3", "v1", "v1.2", "", ""),
    ("v1.2.3+meta", True, "v1.2.3", "v1", "v1.2", "", "+meta"),
    ("v1.2.3+meta-pre", True, "v1.2.3", "v1", "v1.2", "", "+meta-pre"),
    ("v1.2.3+meta-pre.sha.256a", True, "v1.2.3", "v1", "v1.2", "", "+meta-pre.sha.256a"),
]
INPUTS = [row[0] for row in SEMVER_TABLE]

SORT_GOLDEN = [
    "bad",
    "v1+meta",
    "v1-alpha.beta.gamma",
    "v1-pre",
    "v1-pre+meta",
    "v1.2+meta",
    "v1.2-pre",
    "v1.2-pre+meta",
    "v1.0.0-alpha",
    "v1.0.0-alpha.1",
    "v1.0.0-alpha.beta",
    "v1.0.0-beta",
    "v1.0.0-beta.2",
    "v1.0.0-beta.11",
    "v1.0.0-rc.1",
    "v1",
    "v1.0",
    "v1.0.0",
    "v1.2",
    "v1.2.0",
    "v1.2.3-456",
    "v1.2.3-456.789",
    "v1.2.3-456-789",
    "v1.2.3-456a",
    "v1.2.3-pre",
    "v1.2.3-pre+meta",
    "v1.2.3-pre.1",
    "v1.2.3-zzz",
    "v1.2.3",
    "v1.2.3+meta",
    "v1.2.3+meta-pre",
    "v1.2.3+meta-pre.sha.256a",
]

EXTRA_COMPARE = [
    ("v1.2.3", "v1.2.3+build", 0),
    ("v1", "v1.0.0", 0),
    ("v2.0.0+incompatible", "v2.0.0", 0),
    ("v1.0.0-alpha", "v1.0.0", -1),
    ("v1.0.0-1", "v1.0.0-a", -1),
    ("v1.0.0-2", "v1.0.0-10", -1),
    ("v1.0.0-a", "v1.0.0-a.0", -1),
    ("v10.0.0", "v9.0.0", 1),
    ("v1.10.0", "v1.9.0", 1),
    ("v1.0.0-rc.1", "v1.0.0-RC.1", 1),
    ("bad", "v0.0.0", -1),
    ("bad", "also-bad", 0),
    # numbers of any length, compared without overflow
    ("v1.99999999999999999999.0", "v1.100000000000000000000.0", -1),
    ("v0.0.0-99999999999999999999", "v0.0.0-100000000000000000000", -1),
    ("v18446744073709551616.0.0", "v18446744073709551615.0.0", 1),
    # a release is above its prereleases; "-" and mixed identifiers are alphanumeric
    ("v0.0.0--", "v0.0.0", -1),
    ("v1.0.0-0", "v1.0.0--", -1),
    ("v1.0.0-a-b", "v1.0.0-a.b", 1),  # identifier "a-b" > "a"
]

MORE_VALIDITY = [
    ("v1.2.3-0", True),
    ("v1.2.3--", True),
    ("v0.0.0--", True),
    ("v1.2.3+0001", True),
    ("v01.2.3", False),
    ("v1.02.3", False),
    ("v1.2.03", False),
    ("v1.2.3-01", False),
    ("v1.2.3-", False),
    ("v1.2.3+", False),
    ("v1.2.3-a..b", False),
    ("v1.2.3+a..b", False),
    ("v1.2.3-a_b", False),
    ("v1.2.3+a+b", False),
    ("1.2.3", False),
    ("V1.2.3", False),
    ("v1.2.3.4", False),
    ("v", False),
    ("", False),
    ("v1.", False),
    ("v1.2.", False),
    ("v1.2.3 ", False),
    ("v1.2.3\n", False),
    ("v١.2.3", False),  # non-ASCII digit
    ("v1.2.3-é", False),
]

# §2.4: pseudo-versions sort after their base and before later prereleases
PSEUDO_ORDER = [
    "v0.0.0-20191109021931-daa7c04131f5",
    "v1.2.3",
    "v1.2.4-0",
    "v1.2.4-0.20191109021931-daa7c04131f5",
    "v1.2.4-0.20200101000000-aaaaaaaaaaaa",
    "v1.2.4-1",
    "v1.2.4-pre",
    "v1.2.4",
]


@pytest.mark.parametrize("row", SEMVER_TABLE, ids=INPUTS)
def test_table_columns(row: tuple[str, bool, str, str, str, str, str]) -> None:
    v, valid, canon, maj, majmin, pre, meta = row
    assert is_valid(v) is valid
    assert canonical(v) == canon
    assert major(v) == maj
    assert major_minor(v) == majmin
    assert prerelease(v) == pre
    assert build(v) == meta
    assert is_prerelease(v) is (pre != "")


@pytest.mark.parametrize("i", range(len(INPUTS)), ids=INPUTS)
def test_compare_table_pairs(i: int) -> None:
    vi = INPUTS[i]
    for j, vj in enumerate(INPUTS):
        want = 0 if canonical(vi) == canonical(vj) else -1 if i < j else 1
        assert compare(vi, vj) == want, (vi, vj)


@pytest.mark.parametrize("i", range(len(INPUTS)), ids=INPUTS)
def test_max_table_pairs(i: int) -> None:
    vi = INPUTS[i]
    for j, vj in enumerate(INPUTS):
        want = canonical(vj) if i < j else canonical(vi)
        assert max_version(vi, vj) == want, (vi, vj)


def test_equality_groups() -> None:
    groups: list[list[str]] = []
    for v in INPUTS:
        if groups and compare(groups[-1][0], v) == 0:
            groups[-1].append(v)
        else:
            groups.append([v])
    sizes = [len(g) for g in groups]
    assert sizes == [8, 1, 1, 1, 1, 1, 1, 1, 3, 2, 1, 1, 1, 1, 2, 1, 1, 4]


@pytest.mark.parametrize("seed", range(5))
def test_sort_golden(seed: int) -> None:
    shuffled = SORT_GOLDEN[:]
    random.Random(seed).shuffle(shuffled)
    assert sort_versions(shuffled) == SORT_GOLDEN
    assert sorted(shuffled, key=sort_key) == SORT_GOLDEN


@pytest.mark.parametrize(("v", "w", "want"), EXTRA_COMPARE)
def test_extra_compare(v: str, w: str, want: int) -> None:
    assert compare(v, w) == want
    assert compare(w, v) == -want


@pytest.mark.parametrize(("v", "valid"), MORE_VALIDITY)
def test_more_validity(v: str, valid: bool) -> None:
    assert is_valid(v) is valid
    assert (canonical(v) != "") is valid


def test_major_minor_and_max_details() -> None:
    assert major_minor("v1") == "v1.0"
    assert major_minor("v2.1.0-pre+meta") == "v2.1"
    assert major("v123456789012345678901.0.0") == "v123456789012345678901"
    assert max_version("v1.0.0", "v1.0.0+meta") == "v1.0.0"
    assert max_version("bad", "worse") == ""


def test_canonical_version_keeps_incompatible() -> None:
    assert canonical_version("v2.0.0+incompatible") == "v2.0.0+incompatible"
    assert canonical_version("v2.0.0+meta") == "v2.0.0"
    assert canonical_version("v2.0.0-pre+incompatible") == "v2.0.0-pre+incompatible"
    assert canonical_version("v2") == "v2.0.0"
    assert canonical_version("v2+incompatible") == ""
    assert canonical("v2.0.0+incompatible") == "v2.0.0"
    assert compare("v2.0.0+incompatible", "v2.0.0") == 0


def test_pseudo_versions_sort_between_tags() -> None:
    shuffled = PSEUDO_ORDER[::-1]
    assert sort_versions(shuffled) == PSEUDO_ORDER


# ---------------------------------------------------------------------------------------
# pseudo_test.go
# ---------------------------------------------------------------------------------------
PSEUDO_TIME = datetime(2006, 1, 2, 15, 4, 5, tzinfo=UTC)
PSEUDO_TESTS = [
    ("", "", "v0.0.0-20060102150405-hash"),
    ("v0", "", "v0.0.0-20060102150405-hash"),
    ("v1", "", "v1.0.0-20060102150405-hash"),
    ("v2", "", "v2.0.0-20060102150405-hash"),
    ("unused", "v0.0.0", "v0.0.1-0.20060102150405-hash"),
    ("unused", "v1.2.3", "v1.2.4-0.20060102150405-hash"),
    ("unused", "v1.2.99999999999999999", "v1.2.100000000000000000-0.20060102150405-hash"),
    ("unused", "v1.2.3-pre", "v1.2.3-pre.0.20060102150405-hash"),
    ("unused", "v1.3.0-pre", "v1.3.0-pre.0.20060102150405-hash"),
    ("unused", "v0.0.0--", "v0.0.0--.0.20060102150405-hash"),
    ("unused", "v1.0.0+metadata", "v1.0.1-0.20060102150405-hash+metadata"),
    ("unused", "v2.0.0+incompatible", "v2.0.1-0.20060102150405-hash+incompatible"),
    ("unused", "v2.3.0-pre+incompatible", "v2.3.0-pre.0.20060102150405-hash+incompatible"),
]
PSEUDO_IDS = [row[2] for row in PSEUDO_TESTS]


@pytest.mark.parametrize(("maj", "older", "version"), PSEUDO_TESTS, ids=PSEUDO_IDS)
def test_pseudo_version_rows(maj: str, older: str, version: str) -> None:
    assert pseudo_version(maj, older, PSEUDO_TIME, "hash") == version
    assert is_pseudo_version(version)
    assert not is_pseudo_version(older)
    assert pseudo_version_time(version) == PSEUDO_TIME
    assert pseudo_version_rev(version) == "hash"
    assert pseudo_version_base(version) == older
    with pytest.raises(InvalidVersionError):
        pseudo_version_time(older)
    with pytest.raises(InvalidVersionError):
        pseudo_version_rev(older)


def test_pseudo_version_converts_to_utc() -> None:
    est = timezone(timedelta(hours=-5))
    t = datetime(2006, 1, 2, 10, 4, 5, tzinfo=est)
    assert pseudo_version("v1", "", t, "abc") == "v1.0.0-20060102150405-abc"
    naive = datetime(2006, 1, 2, 15, 4, 5)  # taken as UTC
    assert pseudo_version("v1", "", naive, "abc") == "v1.0.0-20060102150405-abc"


@pytest.mark.parametrize(
    "v",
    [
        "v0.0.0",
        "v0.0.0-",
        "v0.0.0-0.20060102150405-hash",
        "v0.1.0-0.20060102150405-hash",
        "v1.0.0-0.20060102150405-hash",
        "v0.0.0-20060102150405-hash+incompatible",
        "v0.0.0-20060102150405-hash+metadata",
    ],
)
def test_pseudo_version_base_fails(v: str) -> None:
    with pytest.raises(InvalidVersionError) as info:
        pseudo_version_base(v)
    assert info.value.pseudo and info.value.version == v


def test_pseudo_error_messages() -> None:
    cases = {
        "v0.0.0": 'pseudo-version "v0.0.0" invalid: syntax error',
        "v0.1.0-0.20060102150405-hash": (
            'pseudo-version "v0.1.0-0.20060102150405-hash" invalid: '
            "version before v0.1.0 would have negative patch number"
        ),
        "v0.0.0-20060102150405-hash+incompatible": (
            'pseudo-version "v0.0.0-20060102150405-hash+incompatible" invalid: '
            'lacks base version, but has build metadata "+incompatible"'
        ),
    }
    for v, want in cases.items():
        with pytest.raises(InvalidVersionError) as info:
            pseudo_version_base(v)
        assert str(info.value) == want
        assert isinstance(info.value, ModuleError)


def test_pseudo_version_time_errors() -> None:
    with pytest.raises(InvalidVersionError, match="syntax error"):
        pseudo_version_time("---")
    bad = "v0.0.0-20061302150405-abcdef123456"  # month 13
    assert is_pseudo_version(bad)
    with pytest.raises(InvalidVersionError) as info:
        pseudo_version_time(bad)
    assert str(info.value) == f'pseudo-version "{bad}" invalid: malformed time "20061302150405"'
    with pytest.raises(InvalidVersionError):
        pseudo_version_time("v0.0.0-20060230150405-abcdef123456")  # 30 February
    with pytest.raises(InvalidVersionError):
        pseudo_version_time("v0.0.0-20060102150460-abcdef123456")  # second 60


def test_zero_pseudo_version() -> None:
    assert zero_pseudo_version("v0") == "v0.0.0-00010101000000-000000000000"
    assert zero_pseudo_version("") == "v0.0.0-00010101000000-000000000000"
    assert zero_pseudo_version("v2") == "v2.0.0-00010101000000-000000000000"
    assert is_zero_pseudo_version("v2.0.0-00010101000000-000000000000")
    assert not is_zero_pseudo_version("v2.0.0-00010101000000-000000000001")
    assert pseudo_version_time(zero_pseudo_version("v0")) == datetime(1, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("n", "want"), [("0", "1"), ("1", "2"), ("99", "100"), ("100", "101"), ("101", "102")]
)
def test_inc_decimal(n: str, want: str) -> None:
    assert semver._inc_decimal(n) == want


@pytest.mark.parametrize(
    ("n", "want"),
    [
        ("", ""),
        ("0", ""),
        ("00", ""),
        ("1", "0"),
        ("2", "1"),
        ("99", "98"),
        ("100", "99"),
        ("101", "100"),
    ],
)
def test_dec_decimal(n: str, want: str) -> None:
    assert semver._dec_decimal(n) == want


@pytest.mark.parametrize(
    ("v", "want"),
    [
        ("v0.0.0-20191109021931-daa7c04131f5", True),
        ("v1.2.4-0.20191109021931-daa7c04131f5", True),
        ("v1.2.3-pre.0.20191109021931-daa7c04131f5", True),
        ("v0.0.0-00010101000000-000000000000", True),
        ("v1.2.3", False),
        ("v1.2.3-pre", False),
        ("v0.0.0-2019110902193-daa7c04131f5", False),
        ("v1.2.4-1.20191109021931-daa7c04131f5", False),
        ("v2.0.1-20200722182040-012345abcdef+incompatible", False),
        ("v0.0.0-20191109021931-daa7c04131f5\n", False),
        ("v0.0.0-٢0191109021931-daa7c04131f5", False),
    ],
)
def test_is_pseudo_version_extra(v: str, want: bool) -> None:
    assert is_pseudo_version(v) is want


# ---------------------------------------------------------------------------------------
# gover: src/internal/gover/gover_test.go and src/cmd/go/internal/gover/*_test.go
# ---------------------------------------------------------------------------------------
GOVER_COMPARE = [
    ("", "", 0),
    ("x", "x", 0),
    ("", "x", 0),
    ("1", "1.1", -1),
    ("1.5", "1.6", -1),
    ("1.5", "1.10", -1),
    ("1.6", "1.6.1", -1),
    ("1.19", "1.19.0", 0),
    ("1.19rc1", "1.19", -1),
    ("1.20", "1.20.0", 0),
    ("1.20rc1", "1.20", -1),
    ("1.21", "1.21.0", -1),
    ("1.21", "1.21rc1", -1),
    ("1.21rc1", "1.21.0", -1),
    ("1.6", "1.19", -1),
    ("1.19", "1.19.1", -1),
    ("1.19rc1", "1.19", -1),
    ("1.19rc1", "1.19.1", -1),
    ("1.19rc1", "1.19rc2", -1),
    ("1.19.0", "1.19.1", -1),
    ("1.19rc1", "1.19.0", -1),
    ("1.19alpha3", "1.19beta2", -1),
    ("1.19beta2", "1.19rc1", -1),
    ("1.1", "1.99999999999999998", -1),
    ("1.99999999999999998", "1.99999999999999999", -1),
    # the order the spec (§6.1) spells out, and invalid below valid
    ("1.21rc1", "1.21rc2", -1),
    ("1.21.0", "1.21.1", -1),
    ("1.9", "1.21", -1),
    ("", "1.9", -1),
    ("go1.21", "1.0", -1),
]

# Parse vectors: major, minor, patch, kind, pre
GOVER_PARSE = [
    ("1", ("1", "0", "0", "", "")),
    ("1.2", ("1", "2", "0", "", "")),
    ("1.2.3", ("1", "2", "3", "", "")),
    ("1.2rc3", ("1", "2", "", "rc", "3")),
    ("1.20", ("1", "20", "0", "", "")),
    ("1.21", ("1", "21", "", "", "")),
    ("1.21rc3", ("1", "21", "", "rc", "3")),
    ("1.21.0", ("1", "21", "0", "", "")),
    ("1.24", ("1", "24", "", "", "")),
    ("1.24rc3", ("1", "24", "", "rc", "3")),
    ("1.24.0", ("1", "24", "0", "", "")),
    ("1.999testmod", ("1", "999", "", "testmod", "")),
    ("1.99999999999999999", ("1", "99999999999999999", "", "", "")),
]

GOVER_LANG = [
    ("1.2rc3", "1.2"),
    ("1.2.3", "1.2"),
    ("1.2", "1.2"),
    ("1", "1"),
    ("1.999testmod", "1.999"),
    ("1.21.3", "1.21"),
    ("1.0.1", "1"),
]

GOVER_IS_LANG = [
    ("1.2rc3", False),
    ("1.2.3", False),
    ("1.999testmod", False),
    ("1.22", True),
    ("1.21", True),
    ("1.20", False),
    ("1.19", False),
    ("1.3", False),
    ("1.2", False),
    ("1", False),
    ("", False),
]

GOVER_IS_VALID = [
    ("1.2rc3", True),
    ("1.2.3", True),
    ("1.999testmod", True),
    ("1.600+auto", False),
    ("1.22", True),
    ("1.21.0", True),
    ("1.21rc2", True),
    ("1.21", True),
    ("1.20.0", True),
    ("1.20", True),
    ("1.19", True),
    ("1.3", True),
    ("1.2", True),
    ("1", True),
    # more of Parse's rules
    ("", False),
    ("go1.21", False),
    ("01.21", False),
    ("1.021", False),
    ("1.21.0rc1", False),
    ("1.21rc01", False),
    ("1.21RC1", False),
    ("1.21rc1x", False),
    ("1.", False),
]

FROM_TOOLCHAIN = [
    ("go1.2.3", "1.2.3"),
    ("1.2.3", ""),
    ("go1.2.3+bigcorp", ""),
    ("go1.2.3-bigcorp", "1.2.3"),
    ("go1.2.3-bigcorp more text", "1.2.3"),
    ("gccgo-go1.23rc4", ""),
    ("gccgo-go1.23rc4-bigdwarf", ""),
    ("go1.21rc1 x", "1.21rc1"),
    ("go1.21/x", ""),
]

MOD_COMPARE = [
    ("go", "1.2", "1.3", -1),
    ("go", "v1.2", "v1.3", 0),
    ("go", "1.2", "1.2", 0),
    ("toolchain", "go1.2", "go1.3", -1),
    ("toolchain", "go1.2", "go1.2", 0),
    ("toolchain", "1.2", "1.3", -1),
    ("toolchain", "v1.2", "v1.3", 0),
    ("rsc.io/quote", "v1.2", "v1.3", -1),
    ("rsc.io/quote", "1.2", "1.3", 0),
    # beyond Go's table
    ("go", "1.21", "1.21rc1", -1),
    ("toolchain", "go1.21rc1", "go1.21.0", -1),
    ("toolchain", "go1.21.0-bigcorp", "go1.21.0", 0),
    ("golang.org/toolchain", "v0.0.1-go1.21.0.linux-amd64", "v0.0.1-go1.9.0.linux-amd64", 1),
]

MOD_IS_VALID = [
    ("go", "1.2", True),
    ("go", "v1.2", False),
    ("toolchain", "go1.2", True),
    ("toolchain", "v1.2", False),
    ("rsc.io/quote", "v1.2", True),
    ("rsc.io/quote", "1.2", False),
    ("toolchain", "1.2", False),
]


@pytest.mark.parametrize(("x", "y", "want"), GOVER_COMPARE)
def test_gover_compare(x: str, y: str, want: int) -> None:
    assert gover_compare(x, y) == want
    assert gover_compare(y, x) == -want


def test_gover_spec_order() -> None:
    order = ["1.9", "1.20", "1.21", "1.21rc1", "1.21rc2", "1.21.0", "1.21.1", "1.22"]
    shuffled = order[::-1]
    assert sorted(shuffled, key=lambda v: semver._gover_key(v)) == order
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            assert gover_compare(a, b) == (i > j) - (i < j), (a, b)


@pytest.mark.parametrize(("x", "want"), GOVER_PARSE)
def test_gover_parse(x: str, want: tuple[str, str, str, str, str]) -> None:
    g = semver._gover_parse(x)
    assert (g.major, g.minor, g.patch, g.kind, g.pre) == want


@pytest.mark.parametrize(("x", "want"), GOVER_LANG)
def test_gover_lang(x: str, want: str) -> None:
    assert gover_lang(x) == want


@pytest.mark.parametrize(("x", "want"), GOVER_IS_LANG)
def test_gover_is_lang(x: str, want: bool) -> None:
    assert gover_is_lang(x) is want


@pytest.mark.parametrize(("x", "want"), GOVER_IS_VALID)
def test_gover_is_valid(x: str, want: bool) -> None:
    assert gover_is_valid(x) is want


@pytest.mark.parametrize(("name", "want"), FROM_TOOLCHAIN)
def test_gover_from_toolchain(name: str, want: str) -> None:
    assert gover_from_toolchain(name) == want


def test_gover_max_and_prerelease() -> None:
    assert gover_max("1.21", "1.21.0") == "1.21.0"
    assert gover_max("1.19", "1.19.0") == "1.19"  # equal: the first wins
    assert gover_is_prerelease("1.21rc1") and not gover_is_prerelease("1.21.0")
    assert mod_is_prerelease("go", "1.22beta1")
    assert mod_is_prerelease("toolchain", "go1.22rc2")
    assert not mod_is_prerelease("toolchain", "go1.22.0")
    assert mod_is_prerelease("example.com/m", "v1.0.0-rc.1")
    assert not mod_is_prerelease("example.com/m", "v1.0.0")


@pytest.mark.parametrize(
    ("path", "want"),
    [("go", True), ("toolchain", True), ("anything", False), ("golang.org/toolchain", False)],
)
def test_is_toolchain_path(path: str, want: bool) -> None:
    assert is_toolchain_path(path) is want


@pytest.mark.parametrize(("path", "v", "w", "want"), MOD_COMPARE)
def test_mod_compare(path: str, v: str, w: str, want: int) -> None:
    assert mod_compare(path, v, w) == want
    assert mod_compare(path, w, v) == -want


@pytest.mark.parametrize(("path", "v", "want"), MOD_IS_VALID)
def test_mod_is_valid(path: str, v: str, want: bool) -> None:
    assert mod_is_valid(path, v) is want


def _mvl(text: str) -> list[tuple[str, str]]:
    return [(p, v) for p, _, v in (f.strip().partition(" ") for f in text.split(";"))]


def test_mod_sort() -> None:
    given_ = _mvl("z v1.1; a v1.2; a v1.1; go 1.3; toolchain 1.3; toolchain 1.2; go 1.2")
    want = _mvl("a v1.1; a v1.2; go 1.2; go 1.3; toolchain 1.2; toolchain 1.3; z v1.1")
    assert sorted(given_, key=lambda m: mod_sort_key(*m)) == want


def test_mod_sort_go_versions_and_go_sum_suffix() -> None:
    pairs = [
        ("go", "1.21.0"),
        ("go", "1.21rc1"),
        ("go", "1.21"),
        ("m.io/x", "v1.10.0/go.mod"),
        ("m.io/x", "v1.10.0"),
        ("m.io/x", "v1.9.0/go.mod"),
        ("toolchain", "go1.21.0"),
        ("toolchain", "go1.9"),
    ]
    assert sorted(pairs, key=lambda m: mod_sort_key(*m)) == [
        ("go", "1.21"),
        ("go", "1.21rc1"),
        ("go", "1.21.0"),
        ("m.io/x", "v1.9.0/go.mod"),
        ("m.io/x", "v1.10.0"),
        ("m.io/x", "v1.10.0/go.mod"),
        ("toolchain", "go1.9"),
        ("toolchain", "go1.21.0"),
    ]


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------
_numbers = st.one_of(
    st.sampled_from(["0", "1", "2", "9", "10", "11", "99", "100"]),
    st.from_regex(r"[1-9][0-9]{0,24}", fullmatch=True),
)
_ident = st.one_of(
    _numbers,
    st.sampled_from(["alpha", "beta", "rc", "RC", "a", "b", "-", "0a", "a-b", "x9"]),
    st.from_regex(r"[0-9A-Za-z-]{1,6}", fullmatch=True).filter(
        lambda s: not (s.isdigit() and len(s) > 1 and s[0] == "0")
    ),
)
_pre = st.lists(_ident, min_size=1, max_size=4).map(lambda xs: "-" + ".".join(xs))
_build = st.lists(st.from_regex(r"[0-9A-Za-z-]{1,5}", fullmatch=True), min_size=1, max_size=3).map(
    lambda xs: "+" + ".".join(xs)
)


@st.composite
def valid_versions(draw: st.DrawFn) -> str:
    parts = draw(st.lists(_numbers, min_size=1, max_size=3))
    v = "v" + ".".join(parts)
    if len(parts) == 3:
        v += draw(st.one_of(st.just(""), _pre))
        v += draw(st.one_of(st.just(""), _build))
    return v


@given(valid_versions(), valid_versions())
def test_compare_antisymmetric(v: str, w: str) -> None:
    assert is_valid(v) and is_valid(w)
    assert compare(v, w) == -compare(w, v)
    assert (compare(v, w) == 0) == (canonical(v) == canonical(w))


@given(valid_versions(), valid_versions(), valid_versions())
def test_compare_transitive(a: str, b: str, c: str) -> None:
    x, y, z = sorted([a, b, c], key=sort_key)
    assert compare(x, y) <= 0 and compare(y, z) <= 0 and compare(x, z) <= 0
    if compare(x, y) < 0 or compare(y, z) < 0:
        assert compare(x, z) < 0


@given(st.one_of(valid_versions(), st.text(max_size=12)))
def test_canonical_idempotent(v: str) -> None:
    c = canonical(v)
    assert canonical(c) == c
    if c:
        assert compare(v, c) == 0
        assert canonical_version(canonical_version(v)) == canonical_version(v)
    else:
        assert not is_valid(v)


@given(st.lists(st.one_of(valid_versions(), st.text(max_size=8)), max_size=12))
def test_sort_key_agrees_with_compare(vs: list[str]) -> None:
    out = sort_versions(vs)
    for a, b in itertools.pairwise(out):
        c = compare(a, b)
        assert c < 0 or (c == 0 and a <= b)
    assert sorted(vs, key=sort_key) == out


@given(
    st.sampled_from(["", "v0", "v1", "v2"]),
    st.one_of(st.just(""), valid_versions()),
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),
    st.from_regex(r"[0-9a-f]{12}", fullmatch=True),
)
def test_pseudo_version_round_trip(maj: str, older: str, t: datetime, rev: str) -> None:
    v = pseudo_version(maj, older, t, rev)
    assert is_pseudo_version(v)
    assert pseudo_version_rev(v) == rev
    assert pseudo_version_time(v) == t.replace(microsecond=0, tzinfo=UTC)
    # the base comes back canonical, with the build suffix kept
    assert pseudo_version_base(v) == (canonical(older) + build(older) if older else "")
    if older:
        assert compare(older, v) < 0
    else:
        assert major(v) == (maj or "v0")


# ---------------------------------------------------------------------------------------
# Differential: the go command's `go list -m -versions` order
# ---------------------------------------------------------------------------------------
TRICKY = [
    "v0.0.0",
    "v0.0.0-z",
    "v0.0.1",
    "v0.0.1-0",
    "v0.0.1-1",
    "v0.0.1-9.9",
    "v0.0.1-10",
    "v0.0.1-99999999999999999999",
    "v0.0.1-100000000000000000000",
    "v0.0.1--",
    "v0.0.1-0a",
    "v0.0.1-a-b",
    "v0.0.1-a.b",
    "v0.0.1-Alpha",
    "v0.0.1-RC.1",
    "v0.0.1-alpha",
    "v0.0.1-alpha.1",
    "v0.0.1-alpha.2",
    "v0.0.1-alpha.10",
    "v0.0.1-alpha.beta",
    "v0.0.1-rc.1",
    "v0.1.0",
    "v0.9.0",
    "v0.10.0",
    "v0.99999999999999999999.0",
    "v0.100000000000000000000.0",
    "v1.0.0-beta.2",
    "v1.0.0-beta.11",
    "v1.0.0-rc.1",
    "v1.0.0",
    "v1.2.3",
    "v1.2.9",
    "v1.2.10",
    "v1.10.0",
    "v1.99999999999999999999.1",
    "v1.100000000000000000000.0",
]


@pytest.mark.go
def test_go_list_versions_order(tmp_path: Path) -> None:
    proxy = tmp_path / "proxy"
    vdir = proxy / "example.com" / "m" / "@v"
    vdir.mkdir(parents=True)
    shuffled = TRICKY[:]
    random.Random(1).shuffle(shuffled)
    (vdir / "list").write_text("".join(v + "\n" for v in shuffled))
    for v in TRICKY:
        (vdir / f"{v}.mod").write_text("module example.com/m\n")
        info = {"Version": v, "Time": "2020-01-01T00:00:00Z"}
        (vdir / f"{v}.info").write_text(json.dumps(info))
    work = tmp_path / "work"
    work.mkdir()
    (work / "go.mod").write_text("module example.com/main\n\ngo 1.21\n")
    env = go_env(tmp_path / "go", proxy=proxy.as_uri())
    out = run_go(["list", "-m", "-versions", "-json", "example.com/m"], work, env)
    got = json.loads(out.stdout)["Versions"]
    assert sorted(got) == sorted(TRICKY)  # the go command listed every one of them
    assert sort_versions(shuffled) == got
