"""gomodx against go with a real checksum database (Go's own server code, on 127.0.0.1):
random module universes, a database that is honest or lies about one module, go.sum
absent, complete or partial, random ``GONOSUMDB`` / ``GOPRIVATE`` patterns (both set:
GONOSUMDB wins), and a ``GOINSECURE`` and a ``GONOSUMCHECK`` (no Go setting) that must
change nothing; and the database served through a real module
proxy (``<proxy>/sumdb/<name>/supported``, then every request through it).

For every module version ``go mod download -json all`` reports, gomodx's download must say
the same: downloaded, or go's SECURITY ERROR word for word; and both must have asked the
database about the same module versions (the lookups each keeps in its sumdb cache, in
go's layout). Run with ``-s`` for the counts; ``GOMODX_SUMDB_SWEEP=N`` runs N times as
many seeds.
"""

from __future__ import annotations

import os
import random
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from gotool import environ, go_env, json_objects, require_go, run_go
from proxyserver import ProxyServer
from sumdbserver import SumDBServer
from universe import Layout, random_universe

from analysis.download import DownloadSummary
from analysis.goproxy import FetchEvent
from analysis.modpath import escape_path
from analysis.session import Session, SessionOptions, run_sync

pytestmark = pytest.mark.go

SWEEP = int(os.environ.get("GOMODX_SUMDB_SWEEP", "1"))
SEEDS = range(3000, 3000 + 10 * SWEEP)


@dataclass
class Case:
    """One drawn setting."""

    lie: str
    gosum: str  # absent | complete | partial
    variable: str  # GONOSUMDB | GOPRIVATE | both | ""
    pattern: str
    insecure: str
    other: str = ""  # both: GOPRIVATE's pattern, which GONOSUMDB overrides
    nosumcheck: str = ""  # GONOSUMCHECK: not a Go setting (some guides name it)

    def env(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.variable == "GONOSUMDB":
            out["GONOSUMDB"] = self.pattern
        elif self.variable == "GOPRIVATE":
            # GOPRIVATE alone would also send those modules around the proxy (GONOPROXY)
            out.update(GOPRIVATE=self.pattern, GONOPROXY="none.invalid")
        elif self.variable == "both":
            out.update(GONOSUMDB=self.pattern, GOPRIVATE=self.other, GONOPROXY="none.invalid")
        if self.insecure:
            out["GOINSECURE"] = self.insecure
        if self.nosumcheck:
            out["GONOSUMCHECK"] = self.nosumcheck
        return out


def _pattern(rng: random.Random, paths: list[str]) -> str:
    """A GONOSUMDB-style list: whole paths, prefixes, globs (some matching nothing)."""
    parts = []
    for _ in range(rng.randint(1, 2)):
        p = rng.choice(paths)
        kind = rng.choice(["path", "prefix", "glob", "host-glob", "none"])
        if kind == "path":
            parts.append(p)
        elif kind == "prefix":
            parts.append("/".join(p.split("/")[:-1]) or p)
        elif kind == "glob":
            parts.append(p[: rng.randint(len(p.split("/")[0]) + 2, len(p))] + "*")
        elif kind == "host-glob":
            parts.append("*." + p.split("/")[0].split(".")[-1])
        else:
            parts.append("nothing.invalid/x")
    return ",".join(parts)


def _build_paths(layout: Layout, root: Path) -> list[str]:
    """The build list's modules that are not replaced (go downloads their zips)."""
    probe = root / "probe"
    shutil.copytree(layout.main_dir, probe)
    fmt = "{{if not .Main}}{{if not .Replace}}{{.Path}}{{end}}{{end}}"
    env = go_env(root / "probe-go", proxy=layout.proxy_url)
    return run_go(["list", "-m", "-f", fmt, "all"], probe, env).stdout.split()


def _draw(rng: random.Random, paths: list[str], built: list[str]) -> Case:
    return Case(
        lie=rng.choice(built if built and rng.random() < 0.8 else paths),
        gosum=rng.choice(["absent", "absent", "complete", "partial"]),
        variable=rng.choice(["", "GONOSUMDB", "GOPRIVATE", "both"]),
        pattern=_pattern(rng, paths),
        insecure=rng.choice(["", "*", paths[0]]),
        other=_pattern(rng, paths),
        nosumcheck=rng.choice(["", "*"]),
    )


def _lookups(gomodcache: Path) -> set[str]:
    root = gomodcache / "cache" / "download" / "sumdb" / "sumdb.test" / "lookup"
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _go_sum(layout: Layout, case: Case, rng: random.Random, root: Path) -> None:
    """go.sum as the case wants it: written by go with the database off (the proxy's
    honest hashes), then thinned."""
    if case.gosum == "absent":
        return
    env = go_env(root / "prep", proxy=layout.proxy_url)
    run_go(["mod", "download", "all"], layout.main_dir, env)
    gosum = layout.main_dir / "go.sum"
    if case.gosum == "partial":
        lines = gosum.read_text().splitlines()
        kept = [ln for ln in lines if rng.random() < 0.5]
        gosum.write_text("".join(ln + "\n" for ln in kept))


def _ours(main: Path, env: dict[str, str], events: list[FetchEvent]) -> DownloadSummary:
    with environ(env):
        session = Session.open(main, SessionOptions(source="proxy", use_go=False), environ=env)
        session.subscribe(events.append)
        return run_sync(session, session.download)


def _verdicts(objects: list[dict[str, object]]) -> dict[str, str]:
    out = {}
    for o in objects:
        err = str(o.get("Error") or "")
        out[f"{o['Path']}@{o['Version']}"] = err
    return out


def _compare(case: Case, layout: Layout, root: Path, db: SumDBServer, tally: Counter[str]) -> None:
    main = layout.main_dir
    extra = case.env()
    genv = go_env(root / "go", proxy=layout.proxy_url, GOSUMDB=db.gosumdb, **extra)
    go_main = root / "go-main"
    shutil.copytree(main, go_main)
    proc = run_go(["mod", "download", "-json", "all"], go_main, genv, check=False)
    theirs = _verdicts(json_objects(proc.stdout))
    xenv = go_env(root / "x", proxy=layout.proxy_url, GOSUMDB=db.gosumdb, **extra)
    xenv["GOMODX_CACHE"] = str(root / "gx")
    events: list[FetchEvent] = []
    summary = _ours(main, xenv, events)
    ours = {f"{r.path}@{r.version}": r for r in summary.modules}
    where = f"{case} {proc.stderr[-2000:]}"
    assert set(ours) == set(theirs), where
    for key, err in theirs.items():
        r = ours[key]
        if "SECURITY ERROR" in err:
            tally["security errors"] += 1
            if case.insecure:  # GOINSECURE does not turn the database off
                tally["security errors under GOINSECURE"] += 1
            if case.nosumcheck:  # nor does GONOSUMCHECK, which is no Go setting
                tally["security errors under GONOSUMCHECK"] += 1
            assert r.error_class == "checksum", (key, r, where)
            assert r.error in err or err.endswith(r.error), (key, r.error, err)
        elif err:
            tally["other errors"] += 1
            assert not r.ok, (key, r, where)
        else:
            tally["ok"] += 1
            assert r.ok, (key, r, where)
    # the same questions asked of the database
    assert _lookups(Path(xenv["GOMODCACHE"])) == _lookups(Path(genv["GOMODCACHE"])), where
    tally["lookups"] += len(_lookups(Path(genv["GOMODCACHE"])))


def test_downloads_agree_with_go_under_random_settings(tmp_path: Path) -> None:
    go = require_go()
    tally: Counter[str] = Counter()
    for seed in SEEDS:
        rng = random.Random(seed)
        root = tmp_path / str(seed)
        u = random_universe(seed, modules=6, versions=3)
        layout = u.write(root / "u")
        paths = sorted({p for p, _ in u.mods})
        case = _draw(rng, paths, _build_paths(layout, root))
        _go_sum(layout, case, rng, root)
        with SumDBServer(go, layout.proxy_dir, lie=case.lie) as db:
            _compare(case, layout, root, db, tally)
        tally["cases"] += 1
        tally[f"go.sum {case.gosum}"] += 1
        tally[case.variable or "no pattern"] += 1
    print(f"\nsumdb download vs go: {dict(sorted(tally.items()))}")
    assert tally["security errors"] and tally["ok"]


@pytest.mark.parametrize("lie", [False, True])
def test_the_database_through_a_real_module_proxy(tmp_path: Path, lie: bool) -> None:
    """GOSUMDB names the key alone: go and gomodx find the database at
    ``<proxy>/sumdb/sumdb.test/supported`` on the real proxy server and ask it there."""
    go = require_go()
    u = random_universe(3100, modules=6, versions=3)
    layout = u.write(tmp_path / "u")
    liar = _build_paths(layout, tmp_path)[0] if lie else ""
    with SumDBServer(go, layout.proxy_dir, lie=liar) as db:  # noqa: SIM117 (the proxy needs its URL)
        with ProxyServer(layout.proxy_dir, sumdb=(db.name, db.url)) as proxy:
            case = Case(liar, "absent", "", "", "")
            genv = go_env(tmp_path / "go", proxy=proxy.url, GOSUMDB=db.vkey)
            go_main = tmp_path / "go-main"
            shutil.copytree(layout.main_dir, go_main)
            proc = run_go(["mod", "download", "-json", "all"], go_main, genv, check=False)
            theirs = _verdicts(json_objects(proc.stdout))
            go_asked = [r.path for r in proxy.requests if r.path.startswith("/sumdb/")]
            before = len(proxy.requests)
            xenv = go_env(tmp_path / "x", proxy=proxy.url, GOSUMDB=db.vkey)
            xenv["GOMODX_CACHE"] = str(tmp_path / "gx")
            events: list[FetchEvent] = []
            summary = _ours(layout.main_dir, xenv, events)
            ours_asked = [r.path for r in proxy.requests[before:] if r.path.startswith("/sumdb/")]
            proxy_url = proxy.url
    assert go_asked[0] == ours_asked[0] == "/sumdb/sumdb.test/supported"
    sumdb_urls = [e.url for e in events if e.kind == "sumdb"]
    assert sumdb_urls and all(u.startswith(f"{proxy_url}/sumdb/sumdb.test/") for u in sumdb_urls)
    assert {p for p in ours_asked if "/lookup/" in p} == {p for p in go_asked if "/lookup/" in p}
    ours = {f"{r.path}@{r.version}": r for r in summary.modules}
    assert set(ours) == set(theirs)
    for key, err in theirs.items():
        assert ("SECURITY ERROR" in err) == (ours[key].error_class == "checksum"), (key, case)
        if "SECURITY ERROR" in err:
            assert ours[key].error in err
    assert any("SECURITY ERROR" in e for e in theirs.values()) == lie
    assert _lookups(Path(xenv["GOMODCACHE"])) == _lookups(Path(genv["GOMODCACHE"]))


def test_who_vouches_for_a_module_like_go(tmp_path: Path) -> None:
    """:meth:`Session.trust` (the app's versions pane and prefetch view): go.sum when it
    lists the version, else the database (whose lie about a go.mod is go's SECURITY
    ERROR, word for word), else nobody and why."""
    from test_sumdb import MODULES, _hashes, _universe

    go = require_go()
    layout = _universe(tmp_path)
    za, ma = _hashes(layout, "example.com/a", "v1.0.0")
    (layout.main_dir / "go.sum").write_text(
        f"example.com/a v1.0.0 {za}\nexample.com/a v1.0.0/go.mod {ma}\n"
    )
    with SumDBServer(go, layout.proxy_dir, lie_mod="example.com/c") as db:
        own = tmp_path / "gx"
        env = go_env(
            tmp_path / "x",
            proxy=layout.proxy_url,
            GOSUMDB=db.gosumdb,
            GONOSUMDB="example.com/Upper",
            GOMODX_CACHE=str(own),
        )

        def trust(environ_: dict[str, str], **options: bool) -> dict[str, tuple[str, str]]:
            with environ(environ_):
                s = Session.open(
                    layout.main_dir, SessionOptions(use_go=False, **options), environ=environ_
                )

                async def all_() -> dict[str, tuple[str, str]]:
                    out = {}
                    for path, version in MODULES:
                        c = await s.trust(path, version)
                        out[path] = (c.words, c.error)
                    return out

                return run_sync(s, all_)

        got = trust(env)
        assert {p: w for p, (w, _) in got.items()} == {
            "example.com/a": "verified by go.sum",
            "example.com/b": "verified by sumdb.test",
            "example.com/c": "checksum mismatch (sumdb.test): SECURITY ERROR",
            "example.com/Upper": "not verified (GONOSUMDB)",
        }
        # go says the same of c's go.mod, word for word, and keeps none of it
        genv = go_env(tmp_path / "go", proxy=layout.proxy_url, GOSUMDB=db.gosumdb)
        proc = run_go(
            ["mod", "download", "example.com/c@v0.3.0"], layout.main_dir, genv, check=False
        )
        assert proc.returncode == 1
        assert f"go: {got['example.com/c'][1]}" == proc.stderr
        assert not [
            p
            for p in own.rglob("*")
            if "example.com/c" in str(p) and p.is_file() and p.suffix == ".mod"
        ]
        # the database off, or offline: nobody vouches, and it is said why
        off = trust(dict(env, GOSUMDB="off"))
        assert off["example.com/b"][0] == "not verified (GOSUMDB=off)"
        assert off["example.com/a"][0] == "verified by go.sum"
        offline = trust(env, offline=True)
        assert offline["example.com/b"][0] == (
            "not verified: offline: the checksum database was not consulted"
        )


@pytest.mark.parametrize("lie", [False, True])
def test_gomodx_get_verifies_before_writing_go_sum(
    tmp_path: Path, lie: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """``gomodx get`` writes go.sum only after the database vouched for every new line, as
    go get does: the same go.sum as go's; a lie is go's refusal and nothing written."""
    from test_sumdb import _universe

    from tui.cli import main

    go = require_go()
    layout = _universe(tmp_path)
    with SumDBServer(go, layout.proxy_dir, lie="example.com/c" if lie else "") as db:
        genv = go_env(tmp_path / "go", proxy=layout.proxy_url, GOSUMDB=db.gosumdb)
        go_main = tmp_path / "go-main"
        shutil.copytree(layout.main_dir, go_main)
        proc = run_go(["get", "example.com/c@v0.3.0"], go_main, genv, check=False)
        xenv = go_env(tmp_path / "x", proxy=layout.proxy_url, GOSUMDB=db.gosumdb)
        xenv["GOMODX_CACHE"] = str(tmp_path / "gx")
        before = {f: (layout.main_dir / f).read_bytes() for f in ("go.mod",)}
        with environ(xenv):
            code = main(["get", "-C", str(layout.main_dir), "example.com/c@v0.3.0"])
        err = capsys.readouterr().err
    assert code == proc.returncode
    if lie:
        assert "SECURITY ERROR" in err and "SECURITY ERROR" in proc.stderr
        assert err.splitlines()[0] in proc.stderr
        assert (layout.main_dir / "go.mod").read_bytes() == before["go.mod"]
        assert not (layout.main_dir / "go.sum").exists()
    else:
        assert "not checked against the checksum database" not in err
        assert (layout.main_dir / "go.sum").read_text() == (go_main / "go.sum").read_text()
        assert (layout.main_dir / "go.mod").read_text() == (go_main / "go.mod").read_text()


def test_an_unreachable_or_unsupported_database_is_said_as_go_says_it(tmp_path: Path) -> None:
    import socket

    import anyio
    from test_sumdb import KNOWN, _universe

    from analysis.goenv import GoEnv
    from analysis.sumdb import SumDBClient, SumDBError

    layout = _universe(tmp_path)
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    for url in (f"http://127.0.0.1:{closed}", "ftp://127.0.0.1/db"):
        genv = go_env(tmp_path / "go", proxy=layout.proxy_url, GOSUMDB=f"{KNOWN} {url}")
        proc = run_go(
            ["mod", "download", "example.com/a@v1.0.0"], layout.main_dir, genv, check=False
        )
        env = GoEnv(goproxy=layout.proxy_url, gosumdb=f"{KNOWN} {url}", gomodcache="", gopath="")
        client = SumDBClient(env)

        async def check(client: SumDBClient = client) -> None:
            try:
                await client.check("example.com/a", "v1.0.0/go.mod", "h1:x")
            finally:
                await client.aclose()

        with pytest.raises(SumDBError) as info:
            anyio.run(check)
        ours = str(info.value).removesuffix(" (after 1 attempt)")
        assert proc.stderr == f"go: {ours}\n", (proc.stderr, ours)


def test_the_first_proxy_that_serves_the_database_is_used(tmp_path: Path) -> None:
    """GOPROXY lists a proxy without the database (404 on ``supported``) before one with
    it: go and gomodx ask both in that order, then only the second."""
    go = require_go()
    u = random_universe(3200, modules=5, versions=2)
    layout = u.write(tmp_path / "u")
    with SumDBServer(go, layout.proxy_dir) as db:  # noqa: SIM117 (the proxy needs its URL)
        with (
            ProxyServer(layout.proxy_dir) as plain,
            ProxyServer(layout.proxy_dir, sumdb=(db.name, db.url)) as serving,
        ):
            goproxy = f"{plain.url},{serving.url}"
            asked: dict[str, tuple[list[str], list[str]]] = {}
            for who in ("go", "gomodx"):
                n1, n2 = len(plain.requests), len(serving.requests)
                env = go_env(tmp_path / who, proxy=goproxy, GOSUMDB=db.vkey)
                env["GOMODX_CACHE"] = str(tmp_path / f"{who}-gx")
                main = tmp_path / f"{who}-main"
                shutil.copytree(layout.main_dir, main)
                if who == "go":
                    run_go(["mod", "download", "all"], main, env)
                else:
                    summary = _ours(main, env, [])
                    assert summary.ok
                asked[who] = (
                    [r.path for r in plain.requests[n1:] if r.path.startswith("/sumdb/")],
                    sorted(r.path for r in serving.requests[n2:] if r.path.startswith("/sumdb/")),
                )
    assert asked["go"][0] == asked["gomodx"][0] == ["/sumdb/sumdb.test/supported"]
    go_lookups = [p for p in asked["go"][1] if "/lookup/" in p]
    assert go_lookups and go_lookups == [p for p in asked["gomodx"][1] if "/lookup/" in p]
    assert "/sumdb/sumdb.test/supported" in asked["gomodx"][1]


PLAN_SEEDS = range(3300, 3300 + 12 * SWEEP)


def test_previews_are_checked_like_go_get_under_a_lying_database(tmp_path: Path) -> None:
    """``go get`` previews (:meth:`Session.plan`) in random universes, against go get with
    the same database lying about one module of the build: the same refusal, byte for
    byte (go's SECURITY ERROR in the context go met it in: the argument being resolved,
    once per argument, or the package being loaded), or the same go.mod and go.sum; and
    a refused preview leaves the contradicted zip in no cache. ``GOMODX_SUMDB_SWEEP=N``
    runs N times as many universes."""
    from test_plan_differential import Pair, _go_get, draw_arguments

    go = require_go()
    tally: Counter[str] = Counter()
    bad: list[str] = []
    for seed in PLAN_SEEDS:
        rng = random.Random(seed)
        root = tmp_path / str(seed)
        u = random_universe(seed, modules=8, versions=3)
        layout = u.write(root / "u")
        built = _build_paths(layout, root)
        liar = rng.choice(built)
        args = draw_arguments(u, rng, 4)
        with SumDBServer(go, layout.proxy_dir, lie=liar) as db:
            for i, arg in enumerate(args):
                env = go_env(root / f"env{i}", proxy=layout.proxy_url, GOSUMDB=db.gosumdb)
                env["GOMODX_CACHE"] = str(root / f"gx{i}")
                ours = root / f"ours{i}"
                theirs = root / f"theirs{i}"
                shutil.copytree(layout.main_dir, ours)
                shutil.copytree(layout.main_dir, theirs)
                with environ(env):
                    session = Session.open(
                        ours, SessionOptions(source="proxy", use_go=False), environ=env
                    )
                    plan = run_sync(
                        session, lambda s=session, a=arg: s.plan(a.split(), suggest=False)
                    )
                warned = sum(len(w.splitlines()) for w in plan.warnings)
                r = _go_get(theirs, env, arg, warned)
                pair = Pair(
                    str(seed), arg, r.rc, r.changes, r.errors, r.gomod, r.sum_added, r.stderr, plan
                )
                secure = "SECURITY ERROR" in "\n".join(r.errors)
                tally["pairs"] += 1
                tally[
                    "go refused: SECURITY ERROR" if secure else "go refused" if r.rc else "go ok"
                ] += 1
                if pair.refusal_equal and pair.gomod_equal and pair.gosum_equal:
                    tally["agree"] += 1
                    # go: [CONTEXT: ]M@V: verifying module: ...
                    said = r.errors[0].split(": verifying ")[0].split(": ") if secure else []
                    if len(said) > 2:
                        what = "an argument's" if "@" in said[1] else "a package's"
                        tally[f"agree: SECURITY ERROR in {what} context"] += 1
                    if secure and sum(e.startswith("go: ") for e in r.errors) > 1:
                        tally["agree: SECURITY ERROR said more than once"] += 1
                else:
                    bad.append(f"lie {liar}: " + pair.report())
                    continue
                if secure:
                    for cache in (Path(env["GOMODCACHE"]), root / f"gx{i}"):
                        where = f"/{escape_path(liar)}/@v/"
                        kept = [p for p in cache.rglob("*.zip") if where in p.as_posix()]
                        assert not kept, (arg, liar, kept)
    print(f"\npreviews vs go get under a lying database: {dict(sorted(tally.items()))}")
    assert not bad, "\n".join(bad)
    assert tally["go refused: SECURITY ERROR"]


def _invalid_gosumdb(rng: random.Random) -> str:
    """A GOSUMDB go refuses: too many fields, a key that is no verifier id, or one whose
    hash does not match its key."""
    name = rng.choice(["sumdb.test", "sum.example.com", "db.invalid/sub"])
    kind = rng.choice(["fields", "malformed", "hash"])
    if kind == "fields":
        return f"{name} https://127.0.0.1:1 {rng.choice(['extra', 'x y'])}"
    if kind == "malformed":
        return rng.choice([name, f"{name}+", f"{name}+zz+key", f"+{rng.randrange(10**8):08d}+AQ=="])
    return f"{name}+{rng.randrange(16**8):08x}+AQ" + "A" * rng.randint(40, 43)


def test_an_invalid_gosumdb_is_said_per_module_as_go_says_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``gomodx download`` with a GOSUMDB go refuses: go reports it for each module whose
    hash go.sum lacks (``m@v: verifying module: invalid GOSUMDB: …``) and exits 1, and so
    must gomodx (the same modules, the same words, the same exit status); modules go.sum
    vouches for still download. go.sum keeps every go.mod line (without them go cannot
    load the graph and stops at the first) and a random part of the zip lines."""
    import json

    from tui.cli import main as gomodx

    require_go()
    tally: Counter[str] = Counter()
    for seed in range(3400, 3400 + 4 * SWEEP):
        rng = random.Random(seed)
        root = tmp_path / str(seed)
        layout = random_universe(seed, modules=6, versions=3).write(root / "u")
        run_go(
            ["mod", "download", "all"],
            layout.main_dir,
            go_env(root / "prep", proxy=layout.proxy_url),
        )
        gosum = layout.main_dir / "go.sum"
        lines = gosum.read_text().splitlines()
        keep = [ln for ln in lines if "/go.mod " in ln or rng.random() < 0.5]
        gosum.write_text("".join(ln + "\n" for ln in keep))
        bad = _invalid_gosumdb(rng)
        genv = go_env(root / "go", proxy=layout.proxy_url, GOSUMDB=bad)
        go_main = root / "go-main"
        shutil.copytree(layout.main_dir, go_main)
        proc = run_go(["mod", "download", "-json", "all"], go_main, genv, check=False)
        theirs = _verdicts(json_objects(proc.stdout))
        xenv = go_env(root / "x", proxy=layout.proxy_url, GOSUMDB=bad)
        xenv["GOMODX_CACHE"] = str(root / "gx")
        capsys.readouterr()
        with environ(xenv):
            code = gomodx(["download", "--json", str(layout.main_dir)])
        out = json.loads(capsys.readouterr().out)
        ours = {f"{m['Path']}@{m['Version']}": str(m.get("Error") or "") for m in out["Modules"]}
        where = f"GOSUMDB={bad!r}\n{proc.stderr}"
        assert ours == theirs, where
        assert code == proc.returncode, where
        assert not out["Summary"]["Errors"], where
        said = [e for e in theirs.values() if e]
        assert all(": verifying module: invalid GOSUMDB: " in e for e in said), where
        tally["cases"] += 1
        tally["modules"] += len(theirs)
        tally["refused per module"] += len(said)
        tally[f"go exit {proc.returncode}"] += 1
    print(f"\ninvalid GOSUMDB, download vs go: {dict(sorted(tally.items()))}")
    assert tally["refused per module"] and tally["go exit 1"]
