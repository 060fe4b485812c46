"""analysis.apply and ``gomodx downgrade|upgrade|undo``: writing plans safely.

Applying writes exactly the planned go.mod and go.sum (atomically, keeping permissions, with
a backup); undo restores both byte for byte; an edit between preview and apply, or between
apply and undo, is detected. The command-line tests drive ``tui.cli.main`` against a
``file://`` proxy; ``--use-go`` tests run the real go command (``-m go``).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from test_plan import make_plan, pinned_universe, spec_universe
from universe import Layout

from analysis import apply as apply_mod
from analysis.apply import apply_plan, apply_with_go, undo
from analysis.errors import FileWriteError, GomodxError, PlanError, StaleFiles
from analysis.hashes import GoSum

GOSUM_EXTRA = (
    b"example.com/unrelated v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
)


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    return spec_universe().write(tmp_path / "u")


@pytest.fixture
def backups(tmp_path: Path) -> Path:
    return tmp_path / "state" / "undo"


def files(d: Path) -> tuple[bytes, bytes | None]:
    gosum = d / "go.sum"
    return (d / "go.mod").read_bytes(), gosum.read_bytes() if gosum.exists() else None


# -- apply and undo ------------------------------------------------------------------------


@pytest.mark.parametrize("with_gosum", [False, True])
def test_apply_then_undo_restores_bytes(layout: Layout, backups: Path, with_gosum: bool) -> None:
    d = layout.main_dir
    if with_gosum:
        (d / "go.sum").write_bytes(GOSUM_EXTRA)
    before = files(d)
    plan = make_plan(layout, "example.com/d@v1.2.0")
    result = apply_plan(plan, backup_root=backups)
    assert result.gomod_written and result.gosum_written and result.backup
    gomod, gosum = files(d)
    assert gomod == plan.gomod_after
    assert gosum == plan.gosum_after()
    assert gosum is not None
    lines = set(gosum.decode().splitlines())
    assert set(plan.gosum_added) <= lines and set(plan.zip_sums_added) <= lines
    if with_gosum:
        assert GOSUM_EXTRA.decode().strip() in lines
    assert GoSum.parse(gosum).format() == gosum  # go's order

    res = undo(d, backup_root=backups)
    assert files(d) == before
    assert res.gomod_restored and res.target == "example.com/d@v1.2.0"
    assert res.gosum_removed is (not with_gosum)
    assert res.gosum_restored is with_gosum
    with pytest.raises(GomodxError, match="nothing to undo"):
        undo(d, backup_root=backups)


def test_undo_walks_back_through_applies(layout: Layout, backups: Path) -> None:
    d = layout.main_dir
    original = files(d)
    apply_plan(make_plan(layout, "example.com/d@v1.2.0"), backup_root=backups)
    middle = files(d)
    apply_plan(make_plan(layout, "example.com/e@v1.1.0"), backup_root=backups)
    undo(d, backup_root=backups)
    assert files(d) == middle
    undo(d, backup_root=backups)
    assert files(d) == original


def test_edit_between_preview_and_apply_is_detected(layout: Layout, backups: Path) -> None:
    d = layout.main_dir
    plan = make_plan(layout, "example.com/d@v1.2.0")
    edited = (d / "go.mod").read_bytes() + b"// a comment someone added\n"
    (d / "go.mod").write_bytes(edited)
    with pytest.raises(StaleFiles, match=r"go\.mod has changed on disk") as info:
        apply_plan(plan, backup_root=backups)
    assert info.value.files == ("go.mod",)
    assert (d / "go.mod").read_bytes() == edited
    assert not (d / "go.sum").exists()
    assert not backups.exists() or not any(backups.rglob("manifest.json"))


def test_new_go_sum_between_preview_and_apply_is_detected(layout: Layout, backups: Path) -> None:
    d = layout.main_dir
    plan = make_plan(layout, "example.com/d@v1.2.0")
    (d / "go.sum").write_bytes(GOSUM_EXTRA)
    with pytest.raises(StaleFiles, match=r"go\.sum has changed"):
        apply_plan(plan, backup_root=backups)
    assert (d / "go.sum").read_bytes() == GOSUM_EXTRA


def test_edit_after_apply_blocks_undo_unless_forced(layout: Layout, backups: Path) -> None:
    d = layout.main_dir
    original = files(d)
    apply_plan(make_plan(layout, "example.com/d@v1.2.0"), backup_root=backups)
    (d / "go.mod").write_bytes((d / "go.mod").read_bytes() + b"\n// later edit\n")
    with pytest.raises(StaleFiles, match="changed since gomodx applied"):
        undo(d, backup_root=backups)
    undo(d, backup_root=backups, force=True)
    assert files(d) == original


def test_refused_plan_cannot_be_applied(tmp_path: Path, backups: Path) -> None:
    layout = pinned_universe().write(tmp_path)
    plan = make_plan(layout, "example.com/a@v1.2.0")
    with pytest.raises(PlanError, match="refused plan"):
        apply_plan(plan, backup_root=backups)


def test_nothing_to_write(layout: Layout, backups: Path) -> None:
    plan = make_plan(layout, "example.com/d")
    assert not plan.gomod_changed
    # go get still adds go.sum lines for what it read; once they are there, nothing is left.
    first = apply_plan(plan, backup_root=backups)
    assert not first.gomod_written and first.gosum_written
    second = apply_plan(make_plan(layout, "example.com/d"), backup_root=backups)
    assert not second.changed and second.backup == ""


def test_permissions_are_kept(layout: Layout, backups: Path) -> None:
    gomod = layout.main_dir / "go.mod"
    gomod.chmod(0o600)
    apply_plan(make_plan(layout, "example.com/d@v1.2.0"), backup_root=backups)
    assert stat.S_IMODE(gomod.stat().st_mode) == 0o600
    undo(layout.main_dir, backup_root=backups)
    assert stat.S_IMODE(gomod.stat().st_mode) == 0o600


def test_failed_write_leaves_the_old_file(
    layout: Layout, backups: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = layout.main_dir
    original = files(d)
    plan = make_plan(layout, "example.com/d@v1.2.0")
    real_replace = os.replace

    def failing_replace(src: str, dst: str) -> None:
        if str(dst).endswith("go.mod") and Path(dst).parent == d:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(FileWriteError) as info:
        apply_plan(plan, backup_root=backups)
    assert str(info.value) == f"go: updating go.mod: rename {d / 'go.mod'}: no space left on device"
    monkeypatch.setattr(os, "replace", real_replace)
    assert (d / "go.mod").read_bytes() == original[0]
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]
    # go.mod is written first, so nothing changed, and no backup is left to undo.
    assert files(d) == original
    assert backup_entries(backups) == []
    with pytest.raises(GomodxError, match="nothing to undo"):
        undo(d, backup_root=backups)


def backup_entries(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/*"))


@pytest.mark.parametrize("interrupt", [False, True])
def test_failed_gosum_write_puts_gomod_back(
    layout: Layout, backups: Path, monkeypatch: pytest.MonkeyPatch, interrupt: bool
) -> None:
    """All or nothing: go.mod was already replaced when go.sum fails (or the user presses
    Ctrl-C): go.mod gets its old bytes back and the backup goes."""
    d = layout.main_dir
    (d / "go.sum").write_bytes(GOSUM_EXTRA)
    original = files(d)
    plan = make_plan(layout, "example.com/d@v1.2.0")
    assert plan.gomod_after != original[0] and plan.gosum_after() != original[1]
    real_replace = os.replace

    def failing_replace(src: str, dst: str) -> None:
        if Path(dst) == d / "go.sum":
            if interrupt:
                raise KeyboardInterrupt
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt if interrupt else FileWriteError) as info:
        apply_plan(plan, backup_root=backups)
    monkeypatch.setattr(os, "replace", real_replace)
    if not interrupt:
        assert (
            str(info.value)
            == f"go: updating go.sum: rename {d / 'go.sum'}: no space left on device"
        )
    assert files(d) == original
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]
    assert backup_entries(backups) == []


def test_unwritable_backup_dir_writes_nothing(layout: Layout, tmp_path: Path) -> None:
    """The state directory under a regular file: ENOTDIR, which stops root too."""
    d = layout.main_dir
    original = files(d)
    (tmp_path / "file").write_text("")
    root = tmp_path / "file" / "undo"
    with pytest.raises(FileWriteError) as info:
        apply_plan(make_plan(layout, "example.com/d@v1.2.0"), backup_root=root)
    err = info.value
    assert str(err) == f"creating undo backup in {root / apply_mod.dir_key(d)}: not a directory"
    assert err.errno == errno.ENOTDIR
    assert files(d) == original


@pytest.mark.parametrize("failing", ["go.mod", "manifest.json"])
def test_backup_that_fails_midway_leaves_no_entry(
    layout: Layout, backups: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    d = layout.main_dir
    original = files(d)
    real_replace = os.replace

    def failing_replace(src: str, dst: str) -> None:
        if Path(dst).name == failing and Path(dst).parent != d:
            raise OSError(errno.EROFS, "Read-only file system")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(FileWriteError) as info:
        apply_plan(make_plan(layout, "example.com/d@v1.2.0"), backup_root=backups)
    monkeypatch.setattr(os, "replace", real_replace)
    base = backups / apply_mod.dir_key(d)
    assert str(info.value) == f"creating undo backup in {base}: read-only file system"
    assert files(d) == original
    assert list(base.iterdir()) == []


def test_unfinished_backup_puts_the_files_back(
    layout: Layout, backups: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = layout.main_dir
    original = files(d)
    plan = make_plan(layout, "example.com/d@v1.2.0")
    real_replace = os.replace
    manifests = 0

    def failing_replace(src: str, dst: str) -> None:
        nonlocal manifests
        if Path(dst).name == "manifest.json":
            manifests += 1
            if manifests == 2:  # the second write marks the backup complete
                raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(FileWriteError, match=r"^finishing undo backup in .*: no space left"):
        apply_plan(plan, backup_root=backups)
    monkeypatch.setattr(os, "replace", real_replace)
    assert files(d) == original
    assert backup_entries(backups) == []


def test_edit_during_the_backup_leaves_no_backup(
    layout: Layout, backups: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit caught by the second freshness check: nothing written, and no backup that a
    later undo could restore over the edit."""
    d = layout.main_dir
    plan = make_plan(layout, "example.com/d@v1.2.0")
    real_save = apply_mod._save_backup

    def save_then_edit(*args: Any) -> Path:
        entry = real_save(*args)
        (d / "go.mod").write_bytes(plan.gomod_before + b"// edited\n")
        return entry

    monkeypatch.setattr(apply_mod, "_save_backup", save_then_edit)
    with pytest.raises(StaleFiles):
        apply_plan(plan, backup_root=backups)
    assert (d / "go.mod").read_bytes().endswith(b"// edited\n")
    assert backup_entries(backups) == []


def test_failed_undo_keeps_its_backup(
    layout: Layout, backups: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = layout.main_dir
    original = files(d)
    apply_plan(make_plan(layout, "example.com/d@v1.2.0"), backup_root=backups)
    real_replace = os.replace

    def erofs(src: str, dst: str) -> None:
        if Path(dst).parent == d:
            raise OSError(errno.EROFS, "Read-only file system")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", erofs)
    with pytest.raises(FileWriteError) as info:
        undo(d, backup_root=backups)
    monkeypatch.setattr(os, "replace", real_replace)
    assert str(info.value) == f"go: updating go.mod: rename {d / 'go.mod'}: read-only file system"
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]
    undo(d, backup_root=backups)  # the backup is still there: try again
    assert files(d) == original


def test_unreadable_backups_are_one_line(
    layout: Layout, backups: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = layout.main_dir
    apply_plan(make_plan(layout, "example.com/d@v1.2.0"), backup_root=backups)
    base = backups / apply_mod.dir_key(d)
    real_listdir = os.listdir

    def denied(path: str | os.PathLike[str] = ".") -> list[str]:
        if Path(path) == base:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", denied)
    with pytest.raises(GomodxError) as info:
        undo(d, backup_root=backups)
    assert str(info.value) == f"reading undo backups in {base}: permission denied"


def test_default_backup_root_honours_gomodx_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOMODX_STATE", str(tmp_path / "s"))
    assert apply_mod.default_backup_root() == tmp_path / "s" / "undo"


@pytest.mark.go
def test_apply_with_go_agrees_with_preview(tmp_path: Path, backups: Path) -> None:
    from gotool import go_env, require_go

    layout = spec_universe().write(tmp_path / "u")
    d = layout.main_dir
    original = files(d)
    plan = make_plan(layout, "example.com/d@v1.2.0")
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    result = apply_with_go(plan, require_go(), env=env, backup_root=backups)
    assert result.via_go and result.differences == ()
    assert files(d) == (plan.gomod_after, plan.gosum_after())
    undo(d, backup_root=backups)
    assert files(d) == original


@pytest.mark.go
def test_apply_with_go_reports_differences(tmp_path: Path, backups: Path) -> None:
    from gotool import go_env, require_go

    layout = spec_universe().write(tmp_path / "u")
    plan = make_plan(layout, "example.com/d@v1.2.0")
    # A plan that claims something else than go will do.
    from dataclasses import replace

    wrong = replace(plan, gomod_after=plan.gomod_after + b"// not what go writes\n")
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    result = apply_with_go(wrong, require_go(), env=env, backup_root=backups)
    assert result.differences == ("go.mod differs from the preview",)


# -- the command line --------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hermetic environment for ``gomodx``: file:// proxy, private caches and state."""
    monkeypatch.setenv("GOMODX_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("GOMODX_CACHE", str(tmp_path / "gomodx-cache"))
    monkeypatch.setenv("GOMODCACHE", str(tmp_path / "modcache"))
    monkeypatch.setenv("GOPATH", str(tmp_path / "gopath"))
    monkeypatch.setenv("GOFLAGS", "-mod=mod")
    monkeypatch.setenv("GOSUMDB", "off")
    monkeypatch.setenv("GONOSUMDB", "")
    monkeypatch.setenv("GOPRIVATE", "")
    monkeypatch.setenv("GOTOOLCHAIN", "local")
    monkeypatch.setenv("GOENV", "off")
    monkeypatch.setenv("GOWORK", "off")
    monkeypatch.setenv("GOTELEMETRY", "off")
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from tui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_downgrade_dry_run_json(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = spec_universe().write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    before = files(layout.main_dir)
    code, out, _ = _run(
        capsys, "downgrade", "example.com/d@v1.2.0", str(layout.main_dir), "--dry-run", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["Target"] == "example.com/d@v1.2.0" and data["OK"] is True and data["Error"] is None
    assert [(c["Path"], c["From"], c["To"]) for c in data["Changes"]] == [
        ("example.com/b", "v1.2.0", "v1.1.0"),
        ("example.com/c", "v1.2.0", "v1.1.0"),
        ("example.com/d", "v1.4.0", "v1.2.0"),
    ]
    assert data["GoMod"].startswith("module example.com/a\n\ngo 1.17\n")
    assert data["Applied"] is False and data["DryRun"] is True
    assert files(layout.main_dir) == before


def test_cli_downgrade_applies_and_undo_restores(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = spec_universe().write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    d = str(layout.main_dir)
    before = files(layout.main_dir)
    code, out, _ = _run(capsys, "downgrade", "example.com/d@none", d)
    assert code == 0
    assert "go: removed example.com/b v1.2.0\n" in out
    assert "go: downgraded example.com/c v1.2.0 => v1.1.0\n" in out
    assert "-\texample.com/b v1.2.0\n" in out  # the go.mod diff
    assert "gomodx undo" in out
    assert files(layout.main_dir) != before
    code, out, _ = _run(capsys, "undo", d)
    assert code == 0 and "undid go get example.com/d@none" in out
    assert files(layout.main_dir) == before
    code, _, err = _run(capsys, "undo", d)
    assert code == 1 and "nothing to undo" in err


def test_cli_refusal_exit_1_with_go_message(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_plan import cycle_universe

    layout = cycle_universe("1.16").write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    before = files(layout.main_dir)
    code, _, err = _run(capsys, "downgrade", "example.com/m@v1.3.0", str(layout.main_dir))
    assert code == 1
    assert (
        "go: example.com/m@v1.3.0 indirectly requires example.com/m@v1.3.1,"
        " not example.com/m@v1.3.0\n"
    ) in err
    # v1.3.1 is nearer but selected already: the suggestion is a real change.
    assert "nearest version go accepts: gomodx downgrade example.com/m@v1.2.0" in err
    assert files(layout.main_dir) == before
    code, out, _ = _run(capsys, "downgrade", "example.com/m@v1.3.0", str(layout.main_dir), "--json")
    data = json.loads(out)
    assert code == 1 and data["OK"] is False and data["Error"].startswith("go: example.com/m@")
    assert data["Suggestion"] == "example.com/m@v1.2.0"


def test_cli_upgrade_bare_module(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = spec_universe().write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    code, out, _ = _run(
        capsys, "upgrade", "example.com/c", str(layout.main_dir), "--dry-run", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["Query"] == "upgrade" and data["Version"] == "v1.3.0"


def test_cli_errors_exit_2(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = spec_universe().write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    code, _, err = _run(capsys, "downgrade", "example.com/d", str(layout.main_dir))
    assert code == 2 and "downgrade needs a version" in err
    code, _, err = _run(capsys, "upgrade", "example.com/d", str(cli_env / "missing"))
    assert code == 2 and "no such file or directory" in err
    (layout.main_dir / "go.mod").write_text("module example.com/a\nrequire (\n")
    code, _, err = _run(capsys, "upgrade", "example.com/d", str(layout.main_dir))
    assert code == 2 and "go.mod:" in err


@pytest.mark.parametrize("how", ["ENOTDIR", "EACCES", "EROFS"])
def test_cli_unwritable_state_dir_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """No traceback when the undo backup cannot be made: exit 2, one ``gomodx:`` line, and
    go.mod and go.sum untouched. Root ignores permission bits, so EACCES and EROFS are
    simulated; a state directory under a regular file fails for everyone."""
    layout = spec_universe().write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    d = layout.main_dir
    (d / "go.sum").write_bytes(GOSUM_EXTRA)
    before = files(d)
    state = cli_env / "state"
    if how == "ENOTDIR":
        (cli_env / "file").write_text("")
        state = cli_env / "file" / "state"
        monkeypatch.setenv("GOMODX_STATE", str(state))
    else:
        number = getattr(errno, how)
        real_mkdir = os.mkdir

        def refuse(path: str | os.PathLike[str], mode: int = 0o777, **kw: Any) -> None:
            if os.fspath(path).startswith(str(state)):
                raise OSError(number, os.strerror(number), os.fspath(path))
            real_mkdir(path, mode, **kw)

        monkeypatch.setattr(os, "mkdir", refuse)
    code, out, err = _run(capsys, "downgrade", "example.com/d@v1.2.0", str(d))
    reason = {
        "ENOTDIR": "not a directory",
        "EACCES": "permission denied",
        "EROFS": "read-only file system",
    }[how]
    base = state / "undo" / apply_mod.dir_key(d)
    assert code == 2 and out == ""
    assert err == f"gomodx: creating undo backup in {base}: {reason}\n"
    assert files(d) == before
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]
    code, _, err = _run(capsys, "undo", str(d))
    assert (code, err) == (1, f"gomodx: {d}: nothing to undo\n")


@pytest.mark.go
def test_cli_use_go(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = spec_universe().write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    before = files(layout.main_dir)
    code, out, err = _run(
        capsys, "downgrade", "example.com/d@v1.2.0", str(layout.main_dir), "--use-go", "--json"
    )
    data = json.loads(out)
    assert code == 0, err
    assert data["ViaGo"] is True and data["Differences"] == [] and data["Applied"] is True
    code, _, _ = _run(capsys, "undo", str(layout.main_dir))
    assert code == 0 and files(layout.main_dir) == before
