"""OSV affected-version rules, the vulnerability database client, ``gomodx vuln`` and
``versions --vulns``."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import anyio
import pytest
from gotool import environ, go_env
from proxyserver import Fault, ProxyServer
from vulngen import Vuln, write_vulndb

from analysis import semver
from analysis.osv import (
    Affected,
    Entry,
    Event,
    InvalidOSV,
    Range,
    affects,
    affects_ranges,
    fixed_version,
    go_semver,
    parse_entry,
)
from analysis.vulndb import VulnDB, VulnDBError, govulndb_url
from analysis.vulnscan import ScanTarget, scan, targets, version_vulns
from tui.cli import main


def _entry(module: str, *ranges: list[tuple[str, str]], rtype: str = "SEMVER") -> Entry:
    return Entry(
        "GO-T",
        affected=(
            Affected(
                module,
                tuple(Range(rtype, tuple(Event(**{k: v}) for k, v in events)) for events in ranges),
            ),
        ),
    )


# -- affected versions ---------------------------------------------------------------------

# (ranges, version, affected)
AFFECTS = [
    ([[("introduced", "0"), ("fixed", "1.2.0")]], "v1.1.9", True),
    ([[("introduced", "0"), ("fixed", "1.2.0")]], "v1.2.0", False),
    ([[("introduced", "0"), ("fixed", "1.2.0")]], "v1.2.1", False),
    ([[("introduced", "0"), ("fixed", "1.2.0")]], "v1.2.0-rc.1", True),  # prerelease first
    ([[("introduced", "1.1.0"), ("fixed", "1.2.0")]], "v1.0.9", False),
    ([[("introduced", "1.1.0"), ("fixed", "1.2.0")]], "v1.1.0", True),
    ([[("introduced", "1.1.0")]], "v9.9.9", True),  # never fixed
    # two windows in one range, events out of order in the file
    (
        [
            [
                ("fixed", "1.3.0"),
                ("introduced", "1.0.0"),
                ("introduced", "1.5.0"),
                ("fixed", "1.6.0"),
            ]
        ],
        "v1.4.0",
        False,
    ),
    (
        [
            [
                ("fixed", "1.3.0"),
                ("introduced", "1.0.0"),
                ("introduced", "1.5.0"),
                ("fixed", "1.6.0"),
            ]
        ],
        "v1.5.3",
        True,
    ),
    # several ranges are alternatives
    ([[("introduced", "0"), ("fixed", "1.0.0")], [("introduced", "2.0.0")]], "v1.5.0", False),
    ([[("introduced", "0"), ("fixed", "1.0.0")], [("introduced", "2.0.0")]], "v2.1.0", True),
    # no ranges, or an empty range: every version
    ([], "v0.0.1", True),
    ([[]], "v3.0.0", True),
    # +incompatible is build metadata: it does not take part in the order
    ([[("introduced", "2.0.0"), ("fixed", "2.1.0")]], "v2.0.5+incompatible", True),
    ([[("introduced", "2.0.0"), ("fixed", "2.1.0")]], "v2.1.0+incompatible", False),
    # pseudo-versions order by their base
    (
        [[("introduced", "0"), ("fixed", "0.0.0-20200601000000-abcdefabcdef")]],
        "v0.0.0-20200101000000-abcdefabcdef",
        True,
    ),
    (
        [[("introduced", "0"), ("fixed", "0.0.0-20200601000000-abcdefabcdef")]],
        "v0.0.0-20210101000000-abcdefabcdef",
        False,
    ),
]


@pytest.mark.parametrize(("ranges", "version", "want"), AFFECTS)
def test_affects_vectors(ranges: list[list[tuple[str, str]]], version: str, want: bool) -> None:
    e = _entry("example.com/m", *ranges)
    assert affects(e, "example.com/m", version) is want
    assert not affects(e, "example.com/other", version)


def test_ranges_of_another_type_mean_every_version() -> None:
    e = _entry("m", [("introduced", "1.0.0")], rtype="GIT")
    assert affects(e, "m", "v0.1.0")
    assert not affects_ranges([Range("SEMVER", (Event("1.0.0"),))], "v0.1.0")


@pytest.mark.parametrize(
    ("go", "want"),
    [
        ("go1.21.3", "v1.21.3"),
        ("1.21.3", "v1.21.3"),
        ("go1.21", "v1.21.0"),
        ("go1.22rc1", "v1.22.0-rc.1"),
        ("go1.9beta2", "v1.9.0-beta.2"),
        ("go1", "v1.0.0"),
        ("gox", ""),
        ("go1.21.3.4", ""),
    ],
)
def test_go_semver(go: str, want: str) -> None:
    assert go_semver(go) == want


def test_stdlib_and_toolchain_use_go_versions() -> None:
    for module in ("stdlib", "toolchain"):
        e = _entry(module, [("introduced", "1.21.0-0"), ("fixed", "1.21.5")])
        assert affects(e, module, "go1.21.3")
        assert affects(e, module, "go1.21rc2")
        assert not affects(e, module, "go1.21.5")
        assert not affects(e, module, "go1.20.14")
        assert fixed_version(e, module, "go1.21.3") == "go1.21.5"


def test_fixed_version_is_the_nearest_that_is_not_affected() -> None:
    e = _entry(
        "m",
        [("introduced", "0"), ("fixed", "1.2.0"), ("introduced", "1.3.0"), ("fixed", "1.4.1")],
        [("introduced", "1.2.0"), ("fixed", "1.2.5")],
    )
    assert fixed_version(e, "m", "v1.0.0") == "v1.2.5"  # 1.2.0 is still in the second range
    assert fixed_version(e, "m", "v1.3.2") == "v1.4.1"
    assert fixed_version(_entry("m", [("introduced", "1.0.0")]), "m", "v1.0.0") == ""


def _independent(ranges: list[list[tuple[str, str]]], v: str) -> bool:
    """OSV's words, taken literally: inside a range a version is affected when some
    introduced is at or below it and no fixed lies above that introduced and at or below
    the version; any range will do; no ranges means every version."""
    if not ranges:
        return True

    def le(a: str, b: str) -> bool:
        return semver.compare(semver.canonical(a), semver.canonical(b)) <= 0

    for events in ranges:
        if not events:
            return True
        intros = ["v0.0.0-0" if x == "0" else "v" + x for k, x in events if k == "introduced"]
        fixes = ["v" + x for k, x in events if k == "fixed"]
        for i in intros:
            if (i == "v0.0.0-0" or le(i, v)) and not any(le(f, v) and not le(f, i) for f in fixes):
                return True
    return False


def test_ranges_agree_with_an_independent_computation() -> None:
    rng = random.Random(17)
    pool = [
        f"{a}.{b}.{c}{pre}{inc}"
        for a in (0, 1, 2)
        for b in (0, 1, 3)
        for c in (0, 2)
        for pre in ("", "-rc.1")
        for inc in ("", "+incompatible" if a == 2 else "")
    ]
    checked = affected = 0
    for _ in range(400):
        ranges = []
        for _r in range(rng.randint(0, 2)):
            # well-formed ranges: increasing, alternating introduced/fixed
            # (one point per version: "2.0.0" and "2.0.0+incompatible" are one version)
            distinct = {semver.canonical("v" + x): x for x in rng.sample(pool, rng.randint(1, 4))}
            points = sorted(
                distinct.values(), key=lambda x: semver.sort_key(semver.canonical("v" + x))
            )
            events: list[tuple[str, str]] = []
            for i, p in enumerate(points):
                kind = "introduced" if i % 2 == 0 else "fixed"
                if kind == "introduced" and rng.random() < 0.2 and not events:
                    p = "0"
                events.append((kind, p.split("+")[0] if kind == "fixed" else p))
            rng.shuffle(events)
            ranges.append(events)
        e = _entry("m", *ranges)
        for v in pool:
            want = _independent(ranges, "v" + v)
            assert affects(e, "m", "v" + v) is want, (ranges, v)
            checked += 1
            affected += want
    assert checked == 400 * len(pool)
    assert 0 < affected < checked


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not JSON"),
        (b"[]", "not a JSON object"),
        (b'{"id": ""}', "no id"),
        (
            b'{"id":"GO-1","affected":[{"package":{"name":"m"},"ranges":[{"type":"SEMVER",'
            b'"events":[{"introduced":"0","fixed":"1.0.0"}]}]}]}',
            "exactly one",
        ),
        (
            b'{"id":"GO-1","affected":[{"package":{"name":"m"},"ranges":[{"type":"SEMVER",'
            b'"events":[{"fixed":"v1.0.0"}]}]}]}',
            "invalid semver",
        ),
    ],
)
def test_bad_entries_are_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(InvalidOSV, match=message):
        parse_entry(data)


# -- the database ---------------------------------------------------------------------------

VULNS = [
    Vuln(
        "GO-2026-0001",
        {"example.com/a": [[("introduced", "0"), ("fixed", "1.2.0")]]},
        aliases=["CVE-2026-0001"],
        summary="a is bad before 1.2.0",
    ),
    Vuln(
        "GO-2026-0002",
        {
            "example.com/a": [[("introduced", "1.1.0"), ("fixed", "1.1.5")]],
            "example.com/b": [[("introduced", "2.0.0")]],
        },
        summary="two modules",
    ),
    Vuln("GO-2026-0003", {"stdlib": [[("introduced", "1.20.0"), ("fixed", "1.20.9")]]}),
    Vuln("GO-2026-0004", {"example.com/c": [[("introduced", "0"), ("fixed", "0.5.0")]]}),
]

SCAN = [
    ScanTarget("example.com/a", "v1.1.2"),
    ScanTarget("example.com/b", "v1.9.0"),
    ScanTarget("example.com/c", "v0.5.0"),
    ScanTarget("stdlib", "go1.20.3"),
]

WANT = [
    ("example.com/a", "GO-2026-0001", "v1.2.0"),
    ("example.com/a", "GO-2026-0002", "v1.1.5"),
    ("stdlib", "GO-2026-0003", "go1.20.9"),
]


def _scan(db: VulnDB, what: list[ScanTarget] = SCAN) -> list[tuple[str, str, str]]:
    async def go() -> list[tuple[str, str, str]]:
        try:
            return [(f.module, f.osv, f.fixed_version) for f in await scan(db, what)]
        finally:
            await db.aclose()

    return anyio.run(go)


def test_file_database_scan_and_cache(tmp_path: Path) -> None:
    root = write_vulndb(tmp_path / "db", VULNS, forms=("json",))
    cache = tmp_path / "cache"
    assert _scan(VulnDB(root.as_uri(), cache_dir=cache)) == WANT
    cached = sorted(p.relative_to(cache).as_posix().split("/", 1)[1] for p in cache.rglob("*.*"))
    assert cached == [
        "ID/GO-2026-0001.json",
        "ID/GO-2026-0002.json",
        "ID/GO-2026-0003.json",
        "ID/GO-2026-0004.json",
        "index/db.json",
        "index/modules.json",
    ]
    # offline, from the cache alone (the database is gone)
    import shutil

    shutil.rmtree(root)
    assert _scan(VulnDB(root.as_uri(), cache_dir=cache, offline=True)) == WANT
    (next(cache.iterdir()) / "ID" / "GO-2026-0004.json").unlink()
    with pytest.raises(VulnDBError, match=r"ID/GO-2026-0004.json is not in the cache \(offline\)"):
        _scan(VulnDB(root.as_uri(), cache_dir=cache, offline=True), [SCAN[2]])
    with pytest.raises(VulnDBError, match=r"index/db.json: not found"):
        _scan(VulnDB(root.as_uri(), cache_dir=cache))


def test_gzip_only_directory(tmp_path: Path) -> None:
    root = write_vulndb(tmp_path / "db", VULNS, forms=("gz",))
    assert _scan(VulnDB(root.as_uri())) == WANT


def test_http_database_asks_for_gzip_and_refreshes_on_change(tmp_path: Path) -> None:
    root = write_vulndb(tmp_path / "db", VULNS)
    cache = tmp_path / "cache"
    with ProxyServer(root) as server:
        assert _scan(VulnDB(server.url, cache_dir=cache)) == WANT
        paths = sorted(r.path for r in server.requests)
        assert "/index/modules.json.gz" in paths
        assert not any(p.endswith(".json") for p in paths)
        # unchanged database: only index/db is asked for again
        before = len(server.requests)
        assert _scan(VulnDB(server.url, cache_dir=cache)) == WANT
        assert [r.path for r in server.requests[before:]] == ["/index/db.json.gz"]
        # a new entry and a new stamp: the index and the new entry are fetched
        fixed = Vuln("GO-2026-0005", {"example.com/b": [[("introduced", "1.0.0")]]})
        write_vulndb(root, [*VULNS, fixed], modified="2026-02-01T00:00:00Z")
        got = _scan(VulnDB(server.url, cache_dir=cache))
        assert ("example.com/b", "GO-2026-0005", "") in got


def test_http_retries_transient_failures(tmp_path: Path) -> None:
    from analysis.goproxy import RetryPolicy

    root = write_vulndb(tmp_path / "db", VULNS)
    with ProxyServer(root) as server:
        server.add_fault(r"/index/modules", Fault.status_code(503), times=2)
        db = VulnDB(server.url, retry=RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0))
        assert _scan(db) == WANT
        assert server.count(r"/index/modules") == 3


def test_truncated_index_is_an_error_and_not_cached(tmp_path: Path) -> None:
    root = write_vulndb(tmp_path / "db", VULNS, forms=("json",))
    index = root / "index" / "modules.json"
    index.write_bytes(index.read_bytes()[:40])
    cache = tmp_path / "cache"
    with pytest.raises(VulnDBError, match=r"index/modules.json: not JSON"):
        _scan(VulnDB(root.as_uri(), cache_dir=cache))
    assert not [p for p in cache.rglob("*") if p.is_file()]


def test_entry_that_is_not_json_is_an_error_and_not_cached(tmp_path: Path) -> None:
    root = write_vulndb(tmp_path / "db", VULNS)
    (root / "ID" / "GO-2026-0001.json.gz").write_bytes(gzip.compress(b"<html>oops</html>"))
    cache = tmp_path / "cache"
    with ProxyServer(root) as server, pytest.raises(VulnDBError, match=r"GO-2026-0001.*not JSON"):
        _scan(VulnDB(server.url, cache_dir=cache))
    assert not list(cache.rglob("GO-2026-0001*"))


def test_entry_under_the_wrong_id_is_refused(tmp_path: Path) -> None:
    root = write_vulndb(tmp_path / "db", VULNS, forms=("json",))
    (root / "ID" / "GO-2026-0001.json").write_bytes(
        (root / "ID" / "GO-2026-0002.json").read_bytes()
    )
    with pytest.raises(VulnDBError, match=r"GO-2026-0001.json holds GO-2026-0002"):
        _scan(VulnDB(root.as_uri()))


def test_govulndb_setting() -> None:
    assert govulndb_url({}) == "https://vuln.go.dev"
    assert govulndb_url({"GOVULNDB": "file:///srv/db/"}) == "file:///srv/db"
    with pytest.raises(VulnDBError, match="file URL must be absolute"):
        govulndb_url({"GOVULNDB": "file://srv/db"})
    with pytest.raises(VulnDBError, match="want http, https or file URL"):
        govulndb_url({"GOVULNDB": "ftp://x"})


def test_targets_add_stdlib_and_toolchain() -> None:
    got = targets([("a.com/x", "v1.0.0"), ("b.com/y", "")], go="1.21.3", toolchain="go1.22.1")
    assert got == [
        ScanTarget("a.com/x", "v1.0.0"),
        ScanTarget("stdlib", "go1.21.3"),
        ScanTarget("toolchain", "go1.22.1"),
    ]


def test_version_vulns(tmp_path: Path) -> None:
    db = VulnDB(write_vulndb(tmp_path / "db", VULNS).as_uri())

    async def go() -> dict[str, list[str]]:
        try:
            return await version_vulns(db, "example.com/a", ["v1.0.0", "v1.1.2", "v1.2.0"])
        finally:
            await db.aclose()

    assert anyio.run(go) == {
        "v1.0.0": ["GO-2026-0001"],
        "v1.1.2": ["GO-2026-0001", "GO-2026-0002"],
        "v1.2.0": [],
    }


# -- the command line -----------------------------------------------------------------------


def _module(tmp_path: Path) -> tuple[Path, Path]:
    d = tmp_path / "m"
    d.mkdir()
    (d / "go.mod").write_text(
        "module example.com/main\n\ngo 1.20.3\n\nrequire (\n\texample.com/a v1.1.2\n"
        "\texample.com/c v0.5.0\n)\n"
    )
    graph = tmp_path / "graph.txt"
    graph.write_text(
        "example.com/main example.com/a@v1.1.2\nexample.com/main example.com/c@v0.5.0\n"
        "example.com/main go@1.20.3\n"
    )
    return d, graph


def test_cli_vuln_json_and_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d, graph = _module(tmp_path)
    db = write_vulndb(tmp_path / "db", VULNS)
    env = go_env(tmp_path / "go", GOVULNDB=db.as_uri(), GOMODX_CACHE=str(tmp_path / "gx"))
    with environ(env):
        code = main(["vuln", str(d), "--graph", str(graph), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["Module"], f["OSV"], f["FixedVersion"]) for f in out["Findings"]] == WANT
    first = out["Findings"][0]
    assert first == {
        "OSV": "GO-2026-0001",
        "Module": "example.com/a",
        "Version": "v1.1.2",
        "FixedVersion": "v1.2.0",
        "Aliases": ["CVE-2026-0001"],
        "Summary": "a is bad before 1.2.0",
    }
    # a clean database: exit 0
    clean = write_vulndb(tmp_path / "clean", VULNS[3:])
    env["GOVULNDB"] = clean.as_uri()
    with environ(env):
        code = main(["vuln", str(d), "--graph", str(graph)])
    assert code == 0
    assert capsys.readouterr().out == "No vulnerabilities found.\n"
    # a database that is not one: a go-shaped error, exit 2
    (clean / "index" / "db.json").write_text("nope")
    env["GOMODX_CACHE"] = str(tmp_path / "gx2")
    with environ(env):
        code = main(["vuln", str(d), "--graph", str(graph)])
    err = capsys.readouterr().err
    assert code == 2
    assert "index/db.json: not JSON" in err
    assert "Traceback" not in err


def _proxy(root: Path) -> Path:
    """A GOPROXY directory with example.com/a v1.0.0, v1.1.2, v1.2.0."""
    at = root / "example.com" / "a" / "@v"
    at.mkdir(parents=True)
    versions = ["v1.0.0", "v1.1.2", "v1.2.0"]
    (at / "list").write_text("".join(f"{v}\n" for v in versions))
    for v in versions:
        (at / f"{v}.mod").write_text("module example.com/a\n\ngo 1.20\n")
        (at / f"{v}.info").write_text(json.dumps({"Version": v, "Time": "2026-01-01T00:00:00Z"}))
    return root


def test_cli_versions_vulns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proxy = _proxy(tmp_path / "proxy")
    db = write_vulndb(tmp_path / "db", VULNS)
    env = go_env(
        tmp_path / "go",
        proxy=proxy.as_uri(),
        GOVULNDB=db.as_uri(),
        GOMODX_CACHE=str(tmp_path / "gx"),
    )
    with environ(env):
        code = main(["versions", "example.com/a", "--json", "--vulns", "--no-majors"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["Vulns"] == {"v1.0.0": ["GO-2026-0001"], "v1.1.2": ["GO-2026-0001", "GO-2026-0002"]}
    assert [a["Vulns"] for a in out["Annotations"]] == [
        ["GO-2026-0001"],
        ["GO-2026-0001", "GO-2026-0002"],
        [],
    ]
    with environ(env):
        code = main(["versions", "example.com/a", "--vulns", "--no-majors"])
    text = capsys.readouterr().out
    assert "vulnerable (GO-2026-0001, GO-2026-0002)" in text
    assert "v1.2.0" in text and "v1.2.0  vulnerable" not in text


@pytest.mark.go
def test_cli_vuln_fix_previews_the_nearest_fixed_version_like_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from gotool import run_go
    from universe import Universe

    u = Universe()
    u.add("example.com/a", "v1.0.0")
    u.add("example.com/a", "v1.1.0", requires=[("example.com/b", "v1.2.0")])  # still affected
    u.add("example.com/a", "v1.1.1", requires=[("example.com/b", "v1.2.0")])
    u.add("example.com/a", "v1.3.0")
    u.add("example.com/b", "v1.0.0")
    u.add("example.com/b", "v1.2.0")
    u.require("example.com/a", "v1.0.0")
    u.require("example.com/b", "v1.0.0")
    layout = u.write(tmp_path / "u")
    db = write_vulndb(
        tmp_path / "db",
        [
            Vuln("GO-2026-0010", {"example.com/a": [[("introduced", "0"), ("fixed", "1.1.0")]]}),
            Vuln(
                "GO-2026-0011",
                {"example.com/a": [[("introduced", "1.0.0"), ("fixed", "1.1.1")]]},
            ),
        ],
    )
    env = go_env(
        tmp_path / "go",
        proxy=layout.proxy_url,
        GOVULNDB=db.as_uri(),
        GOMODX_CACHE=str(tmp_path / "gx"),
    )
    run_go(["mod", "download", "all"], layout.main_dir, env)  # go.sum, as a user has it
    with environ(env):
        code = main(["vuln", str(layout.main_dir), "--json", "--fix", "--source", "proxy"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [f["OSV"] for f in out["Findings"]] == ["GO-2026-0010", "GO-2026-0011"]
    (fix,) = out["Fixes"]
    assert fix["Fixed"] == "v1.1.1" and fix["GoGet"] == "go get example.com/a@v1.1.1"
    assert fix["OK"] is True
    assert fix["Moves"] == [{"Path": "example.com/b", "From": "v1.0.0", "To": "v1.2.0"}]
    # go agrees: the same build list after the real go get, in a copy
    work = tmp_path / "copy"
    shutil.copytree(layout.main_dir, work)
    run_go(["get", "example.com/a@v1.1.1"], work, env)
    listed = run_go(["list", "-m", "all"], work, env).stdout.split("\n")
    assert "example.com/b v1.2.0" in listed and "example.com/a v1.1.1" in listed
    with environ(env):
        main(["vuln", str(layout.main_dir), "--fix", "--source", "proxy"])
    text = capsys.readouterr().out
    assert "fix example.com/a@v1.0.0: `go get example.com/a@v1.1.1`" in text
    assert "also moves example.com/b v1.0.0 -> v1.2.0" in text


def _independent_fixed(ranges: list[list[tuple[str, str]]], v: str) -> str:
    """The smallest fixed event above ``v`` that the independent reading says is safe."""
    fixes = sorted(
        {"v" + x for events in ranges for k, x in events if k == "fixed"},
        key=lambda x: semver.sort_key(semver.canonical(x)),
    )
    for f in fixes:
        if semver.compare(semver.canonical(f), semver.canonical(v)) > 0 and not _independent(
            ranges, f
        ):
            return f
    return ""


def _random_vulns(rng: random.Random, versions: dict[str, list[str]], main_go: str) -> list[Vuln]:
    vulns: list[Vuln] = []
    for i, (path, vs) in enumerate(sorted(versions.items())):
        if rng.random() < 0.35:
            continue
        ordered = sorted(vs, key=lambda x: semver.sort_key(semver.canonical(x)))
        points = sorted(
            {semver.canonical(x): x for x in rng.sample(ordered, min(len(ordered), 3))}.values(),
            key=lambda x: semver.sort_key(semver.canonical(x)),
        )
        events: list[tuple[str, str]] = []
        for j, p in enumerate(points):
            bare = semver.canonical(p)[1:]
            if j % 2 == 0:
                events.append(("introduced", "0" if j == 0 and rng.random() < 0.4 else bare))
            else:
                events.append(("fixed", bare))
        vulns.append(Vuln(f"GO-2026-{i:04d}", {path: [events]}, summary=f"bug in {path}"))
    minor = int(main_go.split(".")[1])
    vulns.append(
        Vuln(
            "GO-2026-9999",
            {"stdlib": [[("introduced", "0"), ("fixed", f"1.{minor + rng.choice([0, 1])}.0")]]},
        )
    )
    return vulns


@pytest.mark.go
@pytest.mark.parametrize("seed", range(12))
def test_vuln_scan_agrees_with_go_list_and_an_independent_reading(
    tmp_path: Path, seed: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from gotool import run_go
    from universe import random_universe

    u = random_universe(seed)
    layout = u.write(tmp_path / "u")
    versions: dict[str, list[str]] = {}
    for path, version in u.mods:
        versions.setdefault(path, []).append(version)
    main_go = u.main_go or "1.17"
    vulns = _random_vulns(random.Random(seed), versions, main_go)
    db = write_vulndb(tmp_path / "db", vulns)
    env = go_env(
        tmp_path / "go",
        proxy=layout.proxy_url,
        GOVULNDB=db.as_uri(),
        GOMODX_CACHE=str(tmp_path / "gx"),
    )
    # the go line as the scan reads it (go list may raise it in go.mod afterwards)
    gomod = (layout.main_dir / "go.mod").read_text()
    go_line = next((ln.split()[1] for ln in gomod.splitlines() if ln.startswith("go ")), "")
    with environ(env):
        code = main(["vuln", str(layout.main_dir), "--json", "--source", "go"])
    got = [
        (f["Module"], f["OSV"], f["Version"], f["FixedVersion"])
        for f in json.loads(capsys.readouterr().out)["Findings"]
    ]
    # the build list from go itself, then the entries read the plain way
    listed = run_go(["list", "-m", "-json", "all"], layout.main_dir, env).stdout
    decoder, at, mods = json.JSONDecoder(), 0, []
    while at < len(listed.strip()):
        obj, end = decoder.raw_decode(listed, at)
        mods.append(obj)
        at = end + 1 if end < len(listed) and listed[end] == "\n" else end
        while at < len(listed) and listed[at].isspace():
            at += 1
    targets_: list[tuple[str, str]] = []
    for m in mods:
        if m.get("Main"):
            continue
        rep = m.get("Replace")
        if rep is None:
            targets_.append((m["Path"], m["Version"]))
        elif rep.get("Version"):
            targets_.append((rep["Path"], rep["Version"]))
    if go_line:  # no go line: no stdlib version to judge
        parts = [*go_line.split("."), "0", "0"]
        targets_.append(("stdlib", f"v{parts[0]}.{parts[1]}.{parts[2]}"))
    want = []
    for v in vulns:
        for module, ranges in v.ranges.items():
            for path, version in targets_:
                if path == module and _independent(ranges, version):
                    fixed = _independent_fixed(ranges, version)
                    if path == "stdlib":
                        shown = "go" + go_line
                        # Go's release names: go1.20, go1.20.1, ...; go1.21.0 from 1.21 on
                        if fixed and int(fixed.split(".")[1]) < 21:
                            fixed = fixed.removesuffix(".0")
                        fixed = "go" + fixed[1:] if fixed else ""
                    else:
                        shown = version
                    want.append((path, v.id, shown, fixed))
    assert code == (1 if want else 0)
    assert sorted(got) == sorted(want)


def test_session_marks_vulnerable_versions_for_the_app(tmp_path: Path) -> None:
    from analysis.session import Session, SessionOptions, run_sync
    from tui.widgets.details import version_notes

    proxy = _proxy(tmp_path / "proxy")
    db = write_vulndb(tmp_path / "db", VULNS)
    env = go_env(
        tmp_path / "go",
        proxy=proxy.as_uri(),
        GOVULNDB=db.as_uri(),
        GOMODX_CACHE=str(tmp_path / "gx"),
    )
    with environ(env):
        session = Session.open(
            tmp_path, SessionOptions(use_go=False, vulns=True), require_module=False
        )
        mv = run_sync(session, lambda: session.versions("example.com/a", majors=False))
        plain = Session.open(tmp_path, SessionOptions(use_go=False), require_module=False)
        unmarked = run_sync(plain, lambda: plain.versions("example.com/a", majors=False))
    assert [(e.version, e.vulns) for e in mv.entries] == [
        ("v1.0.0", ("GO-2026-0001",)),
        ("v1.1.2", ("GO-2026-0001", "GO-2026-0002")),
        ("v1.2.0", ()),
    ]
    assert all(e.vulns == () for e in unmarked.entries)
    # the app's words: colour always with a glyph and a word
    shown = version_notes(mv.entries[0]).plain
    assert "☠" in shown and "vulnerable" in shown
    assert "vulnerable" not in version_notes(mv.entries[2]).plain
    # a database that cannot be read: a warning, the versions still there
    env["GOVULNDB"] = (tmp_path / "nowhere").as_uri()
    with environ(env):
        session = Session.open(
            tmp_path, SessionOptions(use_go=False, vulns=True), require_module=False
        )
        mv = run_sync(session, lambda: session.versions("example.com/a", majors=False))
    assert len(mv.entries) == 3 and any("index/db.json: not found" in w for w in mv.warnings)


def test_cli_vuln_offline_answers_from_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d, graph = _module(tmp_path)
    db = write_vulndb(tmp_path / "db", VULNS)
    env = go_env(tmp_path / "go", GOMODX_CACHE=str(tmp_path / "gx"))
    with ProxyServer(db) as server:
        url = env["GOVULNDB"] = server.url
        with environ(env):
            assert main(["vuln", str(d), "--graph", str(graph), "--json"]) == 1
        online = json.loads(capsys.readouterr().out)
    # the server is gone: --offline reads gomodx's cache, and says the same
    with environ(env):
        assert main(["vuln", str(d), "--graph", str(graph), "--json", "--offline"]) == 1
    assert json.loads(capsys.readouterr().out) == online
    # without --offline the database is asked, and cannot be reached: a clear error
    with environ(env):
        assert main(["vuln", str(d), "--graph", str(graph)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gomodx: vulnerability database {url}:") and "Traceback" not in err
