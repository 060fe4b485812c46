"""``gomodx doctor`` against real failures on 127.0.0.1.

Each scenario builds a random module universe (seeded), serves it with the real loopback
proxy server (:mod:`tests.proxyserver`: dead ports, latency, 429 with Retry-After, Basic
auth over TLS, hidden paths) and the checksum database server (:mod:`tests.sumdbserver`),
runs ``gomodx doctor --json`` as a user would, and asserts the IDs and statuses of the
checks and their key evidence. Where the go command can confirm the diagnosis (``go mod
verify`` on a corrupted cache, ``go mod download`` through a dead-first chain, with and
without credentials), the test runs go too and asserts that both agree.

Two seeds run in the suite; ``GOMODX_DOCTOR_SWEEP=N`` runs N.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gotool import GO, go_env, require_go, run_go
from proxyserver import Fault, ProxyServer, dead_url, self_signed, stalled_url
from sumdbserver import SumDBServer
from test_download import write_gosum
from universe import Layout, Universe, escape

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.go

SEEDS = list(range(int(os.environ.get("GOMODX_DOCTOR_SWEEP") or 2)))


def small_universe(seed: int, private: str = "") -> Universe:
    """3 to 6 modules of 1 to 3 versions, each requiring older modules; the main module
    requires the newest version of every module, so go.mod is already tidy (MVS selects
    exactly what it lists). ``private`` adds one more module at that path."""
    rng = random.Random(seed)
    u = Universe(main_go="1.21")
    hosts = ["example.com", "example.org/team", "example.net"]
    paths = [f"{rng.choice(hosts)}/m{i}" for i in range(rng.randint(3, 6))]
    if private:
        paths.append(private)
    newest: dict[str, str] = {}
    for i, path in enumerate(paths):
        count = rng.randint(1, 3)
        for minor in range(count):
            version = f"v1.{minor}.0"
            deps = []
            for dep in paths[:i]:
                if rng.random() < 0.4:
                    deps.append((dep, newest[dep]))
            u.add(path, version, deps, go="1.21")
            newest[path] = version
    for path in paths:
        u.require(path, newest[path])
    return u


@dataclass
class Scene:
    root: Path
    layout: Layout
    universe: Universe
    env: dict[str, str]

    @property
    def main(self) -> Path:
        return self.layout.main_dir

    def doctor(self, *args: str, **extra: str) -> tuple[int, dict[str, list[dict[str, Any]]], str]:
        """Run ``gomodx doctor --json`` in a child process; its exit status, the checks by
        ID, and its stderr."""
        env = {**self.env, **extra}
        proc = subprocess.run(
            [sys.executable, "-m", "tui", "doctor", "--json", *args, str(self.main)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert proc.returncode in (0, 1), proc.stderr
        data = json.loads(proc.stdout)
        by_id: dict[str, list[dict[str, Any]]] = {}
        for check in data["Checks"]:
            assert set(check) == {"ID", "Status", "Summary", "Detail", "Fix"}
            assert check["Status"] in ("ok", "warn", "fail")
            by_id.setdefault(check["ID"], []).append(check)
        return proc.returncode, by_id, proc.stderr

    def go(self, *args: str, check: bool = False, **extra: str) -> subprocess.CompletedProcess[str]:
        return run_go(list(args), self.main, {**self.env, **extra}, check=check)

    def cache_file(self, path: str, version: str, suffix: str) -> Path:
        return (
            Path(self.env["GOMODCACHE"])
            / "cache/download"
            / escape(path)
            / "@v"
            / (escape(version) + suffix)
        )


def make_scene(tmp_path: Path, seed: int, proxy: str = "off", private: str = "") -> Scene:
    go = require_go()
    u = small_universe(seed, private)
    layout = u.write(tmp_path / "u")
    write_gosum(u, layout)
    env = go_env(tmp_path / "go", proxy)
    env["PATH"] = os.path.dirname(go) + os.pathsep + env.get("PATH", "")
    env["GOFLAGS"] = ""
    return Scene(tmp_path, layout, u, env)


def statuses(by_id: dict[str, list[dict[str, Any]]], ident: str) -> list[str]:
    return [c["Status"] for c in by_id.get(ident, [])]


def text(check: dict[str, Any]) -> str:
    return "\n".join([check["Summary"], *check["Detail"], check["Fix"]])


# -- a healthy setup -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_healthy_setup_is_all_ok(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    with (
        ProxyServer(s.layout.proxy_dir) as server,
        SumDBServer(GO or "go", s.layout.proxy_dir) as db,
    ):
        s.env.update(GOPROXY=server.url, GOSUMDB=db.gosumdb)
        s.go("mod", "download", check=True)
        verify = s.go("mod", "verify", check=True)
        assert "all modules verified" in verify.stdout
        rc, by_id, err = s.doctor()
    assert rc == 0
    assert set(by_id) == {
        "goproxy",
        "private-on-public-proxy",
        "netrc",
        "gosumdb",
        "module-cache",
        "checksum-mismatch",
        "goflags",
        "toolchain",
    }
    assert {c["Status"] for checks in by_id.values() for c in checks} == {"ok"}, by_id
    # Evidence: the sample was asked, the tree verified, the cache hashed like go mod verify.
    assert "latency: p50" in text(by_id["goproxy"][0])
    assert "signed tree" in text(by_id["gosumdb"][0])
    cached = len(s.universe.main_requires)  # go mod download fetched the build list
    assert f"{cached} cached module(s) verified" in by_id["module-cache"][0]["Summary"]
    assert "checksum database" in by_id["checksum-mismatch"][0]["Summary"]
    assert "gomodx doctor:" in err  # progress on stderr


# -- GOPROXY chains ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_dead_first_proxy_with_comma_fails_every_request(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    dead = dead_url()
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = f"{dead},{server.url}"
        good = server.url
        rc, by_id, _ = s.doctor()
        go = s.go("mod", "download")
    assert rc == 1
    assert statuses(by_id, "goproxy") == ["fail", "ok"]
    first = by_id["goproxy"][0]
    assert "connection refused" in first["Summary"]
    assert "falls through only on 404/410" in text(first)
    assert first["Fix"] == f"go env -w GOPROXY={good}"
    # go agrees: the dead entry stops every download.
    assert go.returncode != 0
    assert "connection refused" in go.stderr


@pytest.mark.parametrize("seed", SEEDS)
def test_dead_first_proxy_with_pipe_falls_back(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = f"{dead_url()}|{server.url}"
        rc, by_id, _ = s.doctor()
        go = s.go("mod", "download")
    assert rc == 0
    assert statuses(by_id, "goproxy") == ["warn", "ok"]
    assert "falls back to the next entry" in text(by_id["goproxy"][0])
    assert go.returncode == 0, go.stderr  # go agrees: '|' falls through


@pytest.mark.parametrize("seed", SEEDS)
def test_slow_proxy_warns_with_latency(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    with ProxyServer(s.layout.proxy_dir, latency=1.2) as server:
        s.env["GOPROXY"] = server.url
        rc, by_id, _ = s.doctor()
    assert rc == 0
    assert statuses(by_id, "goproxy") == ["warn"]
    check = by_id["goproxy"][0]
    assert "slow (p95" in check["Summary"]
    p95 = float(check["Summary"].split("p95 ")[1].split("ms")[0])
    assert p95 >= 1200


@pytest.mark.parametrize("seed", SEEDS)
def test_throttling_proxy(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    with ProxyServer(s.layout.proxy_dir) as throttled, ProxyServer(s.layout.proxy_dir) as good:
        throttled.add_fault(r".", Fault.status_code(429, b"slow down\n", retry_after="30"), None)
        s.env["GOPROXY"] = f"{throttled.url},{good.url}"
        piped = f"{throttled.url}|{good.url}"
        rc, by_id, _ = s.doctor()
        go = s.go("mod", "download")
        # The fix works for go: with '|' it falls through.
        assert s.go("mod", "download", GOPROXY=piped).returncode == 0
    assert rc == 1
    assert statuses(by_id, "goproxy") == ["fail", "ok"]
    check = by_id["goproxy"][0]
    assert "429 Too Many Requests (Retry-After: 30)" in text(check)
    assert check["Fix"] == f"go env -w GOPROXY={piped}"
    assert go.returncode != 0 and "429" in go.stderr  # ',' stops at the 429


# -- private modules and credentials --------------------------------------------------------

PRIVATE = "corp.test/team/secret"


@pytest.mark.parametrize("seed", SEEDS)
def test_private_proxy_demands_basic_auth(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed, private=PRIVATE)
    cert, key = self_signed(tmp_path / "tls")
    s.env.update(SSL_CERT_FILE=str(cert), GOPRIVATE="", GONOSUMDB=PRIVATE, GOFLAGS="")
    with (
        ProxyServer(s.layout.proxy_dir, hide=PRIVATE) as public,
        ProxyServer(s.layout.proxy_dir, auth=("alice", "s3cr3t-t0ken"), tls=(cert, key)) as corp,
    ):
        host = corp.url.removeprefix("https://")
        s.env["GOPROXY"] = f"{corp.url},{public.url}"
        rc, by_id, _ = s.doctor()
        go_without = s.go("mod", "download", f"{PRIVATE}@v1.0.0")
        assert rc == 1
        assert statuses(by_id, "netrc") == ["fail"]
        netrc = by_id["netrc"][0]
        assert "answered 401" in netrc["Summary"] and host in netrc["Summary"]
        assert netrc["Fix"].startswith(f"echo 'machine {host} login USER password TOKEN' >> ")
        assert statuses(by_id, "goproxy")[0] == "fail"
        assert go_without.returncode != 0 and "401" in go_without.stderr

        netrc_file = tmp_path / "netrc"
        netrc_file.write_text(f"machine {host} login alice password s3cr3t-t0ken\n")
        netrc_file.chmod(0o600)
        s.env["NETRC"] = str(netrc_file)
        rc, by_id, err = s.doctor()
        go_with = s.go("mod", "download", f"{PRIVATE}@v1.0.0")
    assert statuses(by_id, "netrc") == ["ok"], by_id["netrc"]
    assert statuses(by_id, "goproxy") == ["ok", "ok"]
    assert "TLS: certificate verified" in text(by_id["goproxy"][0])
    assert "login alice" in text(by_id["netrc"][0])
    everything = json.dumps(by_id) + err
    assert "s3cr3t-t0ken" not in everything  # never a secret
    assert go_with.returncode == 0, go_with.stderr


@pytest.mark.parametrize("seed", SEEDS)
def test_untrusted_certificate(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    cert, key = self_signed(tmp_path / "tls")
    with ProxyServer(s.layout.proxy_dir, tls=(cert, key)) as server:
        s.env["GOPROXY"] = server.url
        rc, by_id, _ = s.doctor()
        go = s.go("mod", "download")
    assert rc == 1
    assert statuses(by_id, "goproxy") == ["fail"]
    assert "TLS failed" in by_id["goproxy"][0]["Summary"]
    assert go.returncode != 0 and "certificate" in go.stderr


@pytest.mark.parametrize("seed", SEEDS)
def test_module_only_the_private_proxy_serves(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed, private=PRIVATE)
    with (
        ProxyServer(s.layout.proxy_dir, hide=PRIVATE) as public,
        ProxyServer(s.layout.proxy_dir) as corp,
    ):
        s.env.update(GOPROXY=f"{public.url},{corp.url}", GOPRIVATE="")
        urls = public.url, corp.url
        rc, by_id, _ = s.doctor()
        go = s.go("mod", "download")
        leaked = public.count(PRIVATE)
    assert statuses(by_id, "private-on-public-proxy") == ["warn"]
    check = by_id["private-on-public-proxy"][0]
    assert f"{PRIVATE}: only {urls[1]} has it, after {urls[0]} answered 404/410" in text(check)
    assert check["Fix"] == f"go env -w GOPROXY={urls[1]},{urls[0]} GONOSUMDB=corp.test"
    # go agrees it works, and that the path went to the public proxy first.
    assert go.returncode == 0, go.stderr
    assert leaked > 0

    # With the chain ending in direct and no private proxy at all, nothing serves it.
    with ProxyServer(s.layout.proxy_dir, hide=PRIVATE) as public:
        s.env.update(GOPROXY=f"{public.url},off")
        rc, by_id, _ = s.doctor()
    assert rc == 1
    assert statuses(by_id, "private-on-public-proxy") == ["fail"]
    assert by_id["private-on-public-proxy"][0]["Fix"] == "go env -w GOPRIVATE=corp.test"


def test_private_modules_fetched_directly_need_credentials(tmp_path: Path) -> None:
    s = make_scene(tmp_path, 0, private=PRIVATE)
    s.env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    with ProxyServer(s.layout.proxy_dir, hide=PRIVATE) as public:
        s.env.update(GOPROXY=f"{public.url},direct", GOPRIVATE="corp.test")
        rc, by_id, _ = s.doctor()
        netrc = tmp_path / "home" / ".netrc"
        netrc.parent.mkdir(parents=True, exist_ok=True)
        netrc.write_text("machine corp.test login bob password hunter2\n")
        netrc.chmod(0o600)
        _, with_netrc, _ = s.doctor(NETRC=str(netrc))
        leaked = public.count(PRIVATE)
    assert rc == 0
    assert statuses(by_id, "netrc") == ["warn"]
    assert by_id["netrc"][0]["Summary"] == "no credentials for private host(s) corp.test"
    assert statuses(by_id, "private-on-public-proxy") == ["ok"]
    assert statuses(with_netrc, "netrc") == ["ok"]
    assert "corp.test (login bob)" in text(with_netrc["netrc"][0])
    assert "hunter2" not in json.dumps(with_netrc)
    assert leaked == 0  # the doctor never sends a GOPRIVATE path to a proxy either


def test_private_module_not_in_gonosumdb(tmp_path: Path) -> None:
    """A module only the private proxy (first in GOPROXY) has, and GONOSUMDB does not
    name it: the checksum database knows nothing of it, so go refuses to add it to
    go.sum."""
    s = make_scene(tmp_path, 0, private=PRIVATE)
    public_dir = tmp_path / "public"
    shutil.copytree(s.layout.proxy_dir, public_dir)
    shutil.rmtree(public_dir / "corp.test")
    with (
        ProxyServer(public_dir) as public,
        ProxyServer(s.layout.proxy_dir) as corp,
        SumDBServer(GO or "go", public_dir) as db,
    ):
        chain = f"{corp.url},{public.url}"
        s.env.update(GOPROXY=chain, GOSUMDB=db.gosumdb, GOPRIVATE="", GONOSUMDB="")
        rc, by_id, _ = s.doctor()
        bare = tmp_path / "bare"
        bare.mkdir()
        (bare / "go.mod").write_text("module bare\n\ngo 1.21\n")
        refused = run_go(["mod", "download", f"{PRIVATE}@v1.0.0"], bare, s.env, check=False)
        fixed = run_go(
            ["mod", "download", f"{PRIVATE}@v1.0.0"], bare, {**s.env, "GONOSUMDB": "corp.test"}
        )
    assert rc == 1
    assert statuses(by_id, "gosumdb") == ["fail"]  # the database does not know it
    check = by_id["gosumdb"][0]
    assert check["Summary"] == "1 private module(s) would be looked up in sumdb.test"
    assert f"{PRIVATE}: private, but GONOSUMDB does not cover it" in check["Detail"]
    assert check["Fix"] == "go env -w GONOSUMDB=corp.test"
    # The private proxy comes first: its path never reaches the public one.
    assert statuses(by_id, "private-on-public-proxy") == ["ok"]
    assert refused.returncode != 0 and "verifying" in refused.stderr
    assert fixed.returncode == 0, fixed.stderr  # the fix works for go


# -- checksum database ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_insecure_settings_are_flagged(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = server.url
        _, off, _ = s.doctor(GOSUMDB="off")
        with SumDBServer(GO or "go", s.layout.proxy_dir) as db:
            _, insecure, _ = s.doctor(GOSUMDB=db.gosumdb, GOINSECURE="example.com")
            _, flag, _ = s.doctor(GOSUMDB=db.gosumdb, GOFLAGS="-insecure")
    assert statuses(off, "gosumdb") == ["warn"]
    assert off["gosumdb"][0]["Fix"] == "go env -w GOSUMDB=sum.golang.org"
    assert statuses(insecure, "gosumdb") == ["warn"]
    assert "GOINSECURE=example.com" in insecure["gosumdb"][0]["Summary"]
    assert insecure["gosumdb"][0]["Fix"] == "go env -u GOINSECURE"
    assert statuses(flag, "gosumdb") == ["warn"]
    assert "GOFLAGS=-insecure" in flag["gosumdb"][0]["Summary"]


@pytest.mark.parametrize("seed", SEEDS)
def test_dead_checksum_database(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    with SumDBServer(GO or "go", s.layout.proxy_dir) as db:
        vkey = db.vkey
    with ProxyServer(s.layout.proxy_dir) as srv:
        s.env.update(GOPROXY=srv.url, GOSUMDB=f"{vkey} {dead_url()}")
        rc, by_id, _ = s.doctor()
    assert rc == 1
    assert statuses(by_id, "gosumdb") == ["fail"]
    assert "cannot be read" in by_id["gosumdb"][0]["Summary"]
    assert "connection refused" in text(by_id["gosumdb"][0])


@pytest.mark.parametrize("seed", SEEDS)
def test_lying_checksum_database(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    liar_path = s.universe.main_requires[0][0]
    version = s.universe.main_requires[0][1]
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = server.url
        s.go("mod", "download", check=True, GOSUMDB="off")  # the cache agrees with go.sum
        with SumDBServer(GO or "go", s.layout.proxy_dir, lie=liar_path) as db:
            s.env["GOSUMDB"] = db.gosumdb
            rc, by_id, _ = s.doctor()
            # go consults the database only for lines go.sum does not have yet.
            bare = tmp_path / "bare"
            bare.mkdir()
            (bare / "go.mod").write_text("module bare\n\ngo 1.21\n")
            fresh = run_go(
                ["mod", "download", f"{liar_path}@{version}"],
                bare,
                {**s.env, "GOMODCACHE": str(tmp_path / "fresh")},
                check=False,
            )
    assert rc == 1
    assert statuses(by_id, "checksum-mismatch") == ["fail"]
    check = by_id["checksum-mismatch"][0]
    assert "checksum database differs" in check["Summary"]
    assert f"{liar_path} {version}: checksum database has" in text(check)
    assert "go.sum and module cache have" in text(check)
    # go agrees: a fresh download is refused.
    assert fresh.returncode != 0 and "SECURITY ERROR" in fresh.stderr


# -- go.sum and the module cache -----------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_gosum_disagrees_with_proxy(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    path, version, _ = random.Random(seed).choice(s.universe.main_requires)
    gosum = s.main / "go.sum"
    lines = gosum.read_text().splitlines()
    bad = "h1:" + "A" * 43 + "="
    edited = [
        f"{path} {version}/go.mod {bad}" if ln.startswith(f"{path} {version}/go.mod ") else ln
        for ln in lines
    ]
    gosum.write_text("\n".join(edited) + "\n")
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = server.url
        rc, by_id, _ = s.doctor()
        go = s.go("mod", "download", f"{path}@{version}")
    assert rc == 1
    assert statuses(by_id, "checksum-mismatch") == ["fail"]
    check = by_id["checksum-mismatch"][0]
    assert "go.sum differs" in check["Summary"]
    assert f"{path} {version}/go.mod: go.sum has {bad}" in text(check)
    assert "hand-edited" in text(check)
    assert check["Fix"].endswith(f"go mod download {path}@{version}")
    assert go.returncode != 0 and "checksum mismatch" in go.stderr


def _extract(zip_file: Path, target: Path, prefix: str) -> None:
    """Extract a module zip as go does (files under ``path@version/``), read-only."""
    with zipfile.ZipFile(zip_file) as z:
        for info in z.infolist():
            rel = info.filename.removeprefix(prefix + "/")
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(z.read(info))
            out.chmod(0o444)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("what", ["zip", "tree"])
def test_corrupted_cache_entry(tmp_path: Path, seed: int, what: str) -> None:
    s = make_scene(tmp_path, seed)
    path, version, _ = random.Random(seed).choice(s.universe.main_requires)
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = server.url
        s.go("mod", "download", check=True)
        zip_file = s.cache_file(path, version, ".zip")
        tree = Path(s.env["GOMODCACHE"]) / f"{escape(path)}@{escape(version)}"
        _extract(zip_file, tree, f"{path}@{version}")
        assert "all modules verified" in s.go("mod", "verify", check=True).stdout
        if what == "zip":
            zip_file.chmod(0o644)
            with zipfile.ZipFile(zip_file, "a") as z:
                z.writestr(f"{path}@{version}/extra.go", "package x\n")
        else:
            victim = next(p for p in sorted(tree.rglob("*")) if p.is_file())
            victim.chmod(0o644)
            victim.write_text(victim.read_text() + "// edited\n")
        rc, by_id, _ = s.doctor()
        verify = s.go("mod", "verify")
    assert rc == 1
    assert statuses(by_id, "module-cache") == ["fail"]
    check = by_id["module-cache"][0]
    word = "zip" if what == "zip" else "dir"
    shown = zip_file if what == "zip" else tree
    ours = f"{path} {version}: {word} has been modified ({shown})"
    assert ours in check["Detail"]
    # go mod verify says the same, in the same words.
    assert verify.returncode != 0
    assert ours in verify.stdout + verify.stderr
    assert str(shown) in check["Fix"]


@pytest.mark.parametrize("seed", SEEDS)
def test_partial_download_left_behind(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    path, version, _ = random.Random(seed).choice(s.universe.main_requires)
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = server.url
        s.go("mod", "download", check=True)
        partial = s.cache_file(path, version, ".partial")
        partial.write_bytes(b"")
        leftover = s.cache_file(path, version, ".zip123456.tmp")
        leftover.write_bytes(b"PK")
        rc, by_id, _ = s.doctor()
    assert rc == 0
    assert statuses(by_id, "module-cache") == ["warn"]
    check = by_id["module-cache"][0]
    assert "2 interrupted download(s)" in check["Summary"]
    assert check["Fix"] == f"rm -f {partial} {leftover}"


@pytest.mark.parametrize("seed", SEEDS)
def test_proxy_serving_a_different_zip_deep(tmp_path: Path, seed: int) -> None:
    """A mirror that serves another (valid) zip than the one go.sum and the cache agree
    on: found with --deep, and go refuses the download."""
    s = make_scene(tmp_path, seed)
    path, version, _ = random.Random(seed).choice(s.universe.main_requires)
    mirror = tmp_path / "mirror"
    shutil.copytree(s.layout.proxy_dir, mirror)
    zip_file = mirror / escape(path) / "@v" / f"{escape(version)}.zip"
    with zipfile.ZipFile(zip_file, "a") as z:
        z.writestr(f"{path}@{version}/injected.go", "package injected\n")
    with ProxyServer(s.layout.proxy_dir) as honest, ProxyServer(mirror) as changed:
        s.go("mod", "download", check=True, GOPROXY=honest.url)
        s.env["GOPROXY"] = changed.url
        _, shallow, _ = s.doctor()
        rc, deep, _ = s.doctor("--deep")
        fresh = s.go("mod", "download", f"{path}@{version}", GOMODCACHE=str(tmp_path / "fresh"))
    assert statuses(shallow, "checksum-mismatch") == ["ok"]  # the .mod files agree
    assert rc == 1
    assert statuses(deep, "checksum-mismatch") == ["fail"]
    check = deep["checksum-mismatch"][0]
    assert "proxy differs" in check["Summary"]
    assert f"{path} {version}: proxy has" in text(check)
    assert "go.sum and module cache have" in text(check)
    assert check["Fix"] == f"GOPROXY=direct go mod download {path}@{version}"
    assert fresh.returncode != 0 and "checksum mismatch" in fresh.stderr


def test_a_held_download_lock(tmp_path: Path) -> None:
    """Another go command downloading (its lock held): said, not mistaken for damage."""
    import fcntl

    s = make_scene(tmp_path, 0)
    path, version, _ = s.universe.main_requires[0]
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = server.url
        s.go("mod", "download", check=True)
        lock = s.cache_file(path, version, ".lock")
        with lock.open("a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            _, by_id, _ = s.doctor()
        _, after, _ = s.doctor()
    assert statuses(by_id, "module-cache") == ["warn"]
    assert f"locked: {lock}" in by_id["module-cache"][0]["Detail"]
    assert statuses(after, "module-cache") == ["ok"]


# -- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_stale_vendor_with_mod_vendor(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    reqs = s.universe.main_requires
    stale_path, stale_version, _ = random.Random(seed).choice(reqs)
    lines = []
    for path, version, _ in reqs:
        shown = "v0.9.0" if path == stale_path else version
        lines += [f"# {path} {shown}", "## explicit; go 1.21", path]
    (s.main / "vendor").mkdir()
    (s.main / "vendor" / "modules.txt").write_text("\n".join(lines) + "\n")
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = server.url
        rc, by_id, _ = s.doctor(GOFLAGS="-mod=vendor")
        go = s.go("list", "-m", "all", GOFLAGS="-mod=vendor")
    assert rc == 1
    assert statuses(by_id, "goflags") == ["fail"]
    check = by_id["goflags"][0]
    assert "inconsistent vendoring" in check["Summary"]
    assert check["Fix"] == "go mod vendor"
    ours = [
        f"{stale_path}@{stale_version}: is explicitly required in go.mod, but not marked as"
        " explicit in vendor/modules.txt",
        f"{stale_path}@v0.9.0: is marked as explicit in vendor/modules.txt, but not explicitly"
        " required in go.mod",
    ]
    for line in ours:
        assert line in check["Detail"]
        assert line in go.stderr  # go's words
    assert "inconsistent vendoring" in go.stderr


def test_modcacherw_warns(tmp_path: Path) -> None:
    s = make_scene(tmp_path, 0)
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = server.url
        rc, by_id, _ = s.doctor(GOFLAGS="-modcacherw")
    assert rc == 0
    assert statuses(by_id, "goflags") == ["warn"]
    assert by_id["goflags"][0]["Fix"] == "go env -w GOFLAGS=''"


@pytest.mark.parametrize("seed", SEEDS)
def test_go_line_newer_than_installed_go(tmp_path: Path, seed: int) -> None:
    s = make_scene(tmp_path, seed)
    gomod = s.main / "go.mod"
    newer = f"1.{90 + seed}"
    gomod.write_text(gomod.read_text().replace("go 1.21", f"go {newer}"))
    with ProxyServer(s.layout.proxy_dir) as server:
        s.env["GOPROXY"] = server.url
        rc, by_id, _ = s.doctor()
        go = s.go("list", "-m")
        _, auto, _ = s.doctor(GOTOOLCHAIN="auto")
    assert rc == 1
    assert statuses(by_id, "toolchain") == ["fail"]
    summary = by_id["toolchain"][0]["Summary"]
    assert summary == f"go: go.mod requires go >= {newer} (running go 1.27.3; GOTOOLCHAIN=local)"
    assert summary in go.stderr
    assert statuses(auto, "toolchain") == ["warn"]
    assert f"go{newer}.0" in auto["toolchain"][0]["Summary"]


# -- a dead network ------------------------------------------------------------------------


def test_stalled_network_gives_a_report_within_the_timeouts(tmp_path: Path) -> None:
    """Servers that accept and never answer (go itself would wait for ever): each request
    gives up at --timeout, and the report says so."""
    s = make_scene(tmp_path, 0)
    with SumDBServer(GO or "go", s.layout.proxy_dir) as db:
        vkey = db.vkey
    s.env.update(GOPROXY=stalled_url(), GOSUMDB=f"{vkey} {stalled_url()}")
    rc, by_id, _ = s.doctor("--timeout", "1")
    assert rc == 1
    assert statuses(by_id, "goproxy") == ["fail"]
    assert "no answer within 1." in by_id["goproxy"][0]["Summary"]
    assert statuses(by_id, "gosumdb") == ["fail"]


def test_dead_network_gives_a_report_not_a_hang(tmp_path: Path) -> None:
    """Every server gone: the report comes within the per-request timeout."""
    s = make_scene(tmp_path, 0)
    with SumDBServer(GO or "go", s.layout.proxy_dir) as db:
        vkey = db.vkey
    s.env.update(GOPROXY=f"{dead_url()},{dead_url()}|direct", GOSUMDB=f"{vkey} {dead_url()}")
    rc, by_id, _ = s.doctor("--timeout", "1")
    assert rc == 1
    assert statuses(by_id, "goproxy")[:2] == ["fail", "warn"]
    assert statuses(by_id, "gosumdb") == ["fail"]


# -- random chains: doctor's verdict against go's ------------------------------------------

CHAIN_KINDS = ("good", "dead", "throttled", "empty", "unauthorized")


def draw_chain(rng: random.Random) -> list[tuple[str, str]]:
    """1 to 3 entries of random kinds, each with the separator after it."""
    n = rng.randint(1, 3)
    return [(rng.choice(CHAIN_KINDS), rng.choice(",|")) for _ in range(n)]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_chains_doctor_predicts_go(tmp_path: Path, seed: int) -> None:
    """For random GOPROXY chains of healthy, dead, throttling (429), empty (404) and
    credential-demanding (401) proxies joined by ',' or '|': the doctor fails a goproxy
    entry (or finds modules no entry serves) exactly when ``go mod download`` fails, and
    go's error names the entry the doctor blamed."""
    rng = random.Random(seed)
    s = make_scene(tmp_path, seed)
    proxy = s.layout.proxy_dir
    with (
        ProxyServer(proxy) as good,
        ProxyServer(proxy) as throttled,
        ProxyServer(proxy, hide=".") as empty,
        ProxyServer(proxy, auth=("u", "p")) as unauthorized,
    ):
        throttled.add_fault(".", Fault.status_code(429, retry_after="60"), None)
        urls = {
            "good": good.url,
            "dead": dead_url(),
            "throttled": throttled.url,
            "empty": empty.url,
            "unauthorized": unauthorized.url,
        }
        for case in range(5):
            chain = draw_chain(rng)
            goproxy = "".join(urls[k] + sep for k, sep in chain).rstrip(",|")
            cache = tmp_path / f"cache{case}"
            rc, by_id, _ = s.doctor(GOPROXY=goproxy, GOMODCACHE=str(cache))
            go = s.go("mod", "download", GOPROXY=goproxy, GOMODCACHE=str(cache))
            blamed = [c for c in by_id["goproxy"] if c["Status"] == "fail"]
            nowhere = statuses(by_id, "private-on-public-proxy") == ["fail"]
            predicted = bool(blamed) or nowhere
            assert rc == 1 or not predicted
            assert predicted == (go.returncode != 0), (goproxy, by_id["goproxy"], go.stderr)
            if blamed:
                host = blamed[0]["Summary"].split(": ")[0].removeprefix("http://")
                assert host in go.stderr, (goproxy, blamed[0], go.stderr)
