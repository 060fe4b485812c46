"""go get previews read Go's extracted module trees (GOMODCACHE/path@version) as go does.

Once go has extracted a module (``go get``, ``go mod download``, a build), go reads the
tree and takes the zip hash from ``cache/download/…/@v/V.ziphash`` instead of rehashing
the zip. gomodx's preview does the same, so a warm preview reads no zip at all; the
recorded hash still has to agree with go.sum, and a tree go did not finish extracting
(``.partial``) is not used.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
from pathlib import Path

import pytest
from gotool import environ, go_env, run_go
from test_plan_packages_differential import package_arguments
from universe import random_universe

from analysis.errors import ChecksumMismatch
from analysis.modpath import escape_path, escape_version
from analysis.plan import Plan
from analysis.session import Session, SessionOptions

pytestmark = pytest.mark.go


def plan(main: Path, env: dict[str, str], arg: str) -> Plan:
    async def run() -> Plan:
        with environ(env):
            session = Session.open(main, SessionOptions(source="proxy", use_go=False))
        try:
            return await session.plan(arg, suggest=False)
        finally:
            await session.aclose()

    return asyncio.run(run())


def drop_zips(modcache: Path) -> int:
    """Delete every cached zip (keeping go's .ziphash files and extracted trees)."""
    n = 0
    for z in (modcache / "cache" / "download").rglob("*.zip"):
        z.chmod(0o644)
        z.unlink()
        n += 1
    return n


def sum_lines(main: Path) -> set[str]:
    f = main / "go.sum"
    return set(f.read_text().splitlines()) if f.exists() else set()


@pytest.mark.parametrize("seed", [5100, 5101, 5102, 5103])
def test_warm_previews_read_trees_not_zips_and_agree_with_go(seed: int, tmp_path: Path) -> None:
    u = random_universe(seed, 14, 3, era="modern", packages=True)
    layout = u.write(tmp_path / "u")
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    modcache = Path(env["GOMODCACHE"])
    args = [a for a in package_arguments(u, random.Random(seed), 24) if " " not in a]
    checked = 0
    for i, arg in enumerate(args):
        if checked >= 4:
            break
        go_dir = tmp_path / f"go{i}"
        shutil.copytree(layout.main_dir, go_dir)
        proc = run_go(["get", arg], go_dir, env, check=False)
        if proc.returncode != 0:
            continue
        drop_zips(modcache)
        # Without zips and without a proxy, only the extracted trees can answer.
        offline = dict(env, GOPROXY="off", GOFLAGS="-mod=mod")
        ours = tmp_path / f"ours{i}"
        shutil.copytree(layout.main_dir, ours)
        p = plan(ours, offline, arg)
        assert p.ok, f"{arg}: {p.error}"
        assert p.gomod == (go_dir / "go.mod").read_text(), arg
        assert set(p.gosum_added) | set(p.zip_sums_added) == sum_lines(go_dir), arg
        checked += 1
    assert checked >= 2, "too few successful go get runs to compare"


def _one_extracted(modcache: Path) -> tuple[str, str]:
    for d in sorted(modcache.glob("example.*/**/*@v*")):
        if d.is_dir():
            rel = d.relative_to(modcache).as_posix()
            path, _, version = rel.rpartition("@")
            return path, version
    raise AssertionError("go extracted nothing")


def test_ziphash_contradicting_go_sum_is_a_checksum_error(tmp_path: Path) -> None:
    u = random_universe(5200, 10, 2, era="modern", packages=True)
    layout = u.write(tmp_path / "u")
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    main = layout.main_dir
    run_go(["mod", "download", "all"], main, env)
    run_go(["mod", "tidy", "-e"], main, env, check=False)
    modcache = Path(env["GOMODCACHE"])
    path, version = _one_extracted(modcache)
    ziphash = (
        modcache
        / "cache"
        / "download"
        / escape_path(path)
        / "@v"
        / f"{escape_version(version)}.ziphash"
    )
    real = ziphash.read_text().strip()
    (main / "go.sum").write_text(f"{path} {version} {real}\n")
    forged = "h1:" + "A" * 43 + "="
    ziphash.chmod(0o644)
    ziphash.write_text(forged)  # go writes no newline
    with environ(dict(env, GOPROXY="off")):
        session = Session.open(main, SessionOptions(source="proxy", use_go=False))
    try:
        with pytest.raises(ChecksumMismatch) as info:
            session.client.extracted(path, version)
        assert real in str(info.value) and forged in str(info.value)
    finally:
        asyncio.run(session.aclose())


def test_partial_extraction_is_not_used(tmp_path: Path) -> None:
    u = random_universe(5300, 10, 2, era="modern", packages=True)
    layout = u.write(tmp_path / "u")
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    run_go(["mod", "download", "all"], layout.main_dir, env)
    modcache = Path(env["GOMODCACHE"])
    path, version = _one_extracted(modcache)
    vdir = modcache / "cache" / "download" / escape_path(path) / "@v"
    with environ(env):
        session = Session.open(layout.main_dir, SessionOptions(source="proxy", use_go=False))
    try:
        assert session.client.extracted(path, version) is not None
        os.chmod(vdir, 0o755)
        (vdir / f"{escape_version(version)}.partial").write_text("")
        assert session.client.extracted(path, version) is None
    finally:
        asyncio.run(session.aclose())


def test_a_cold_preview_keeps_its_zips_in_gomodcache_for_go(tmp_path: Path) -> None:
    """Zips a preview downloads land in Go's cache as go would store them: go get then
    asks the proxy for none of them, and finds the same hashes."""
    from proxyserver import ProxyServer

    u = random_universe(5400, 14, 3, era="modern", packages=True)
    layout = u.write(tmp_path / "u")
    with ProxyServer(layout.proxy_dir) as server:
        env = go_env(tmp_path / "go", proxy=server.url)
        modcache = Path(env["GOMODCACHE"])
        stored = 0
        for i, arg in enumerate(package_arguments(u, random.Random(5400), 8)):
            if " " in arg:
                continue
            ours = tmp_path / f"ours{i}"
            shutil.copytree(layout.main_dir, ours)
            p = plan(ours, env, arg)
            if not p.ok or not p.zip_sums_added:
                continue
            for line in p.zip_sums_added:
                path, version, h = line.split()
                vdir = modcache / "cache" / "download" / escape_path(path) / "@v"
                assert (vdir / f"{escape_version(version)}.ziphash").read_text() == h
                assert (vdir / f"{escape_version(version)}.zip").is_file()
                assert (vdir / f"{escape_version(version)}.mod").is_file()
                stored += 1
            before = len([r for r in server.requests if r.path.endswith(".zip")])
            go_dir = tmp_path / f"go{i}"
            shutil.copytree(layout.main_dir, go_dir)
            proc = run_go(["get", arg], go_dir, env, check=False)
            assert proc.returncode == 0, proc.stderr
            zips = [r.path for r in server.requests if r.path.endswith(".zip")][before:]
            kept = {
                f"/{escape_path(ln.split()[0])}/@v/{escape_version(ln.split()[1])}.zip"
                for ln in p.zip_sums_added
            }
            assert not kept & set(zips), f"go downloaded again: {sorted(kept & set(zips))}"
            assert set(p.zip_sums_added) <= sum_lines(go_dir)
        assert stored >= 3, "too few previews downloaded zips"
