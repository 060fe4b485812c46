"""The session's go.sum follows the file: read again after every apply and undo (get,
tidy), and on :meth:`Session.forget` (the app's reload after an external edit), so
"verified by go.sum" and the next preview never use stale lines. Random universes
(file:// proxy, no go command)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from test_plan_differential import draw_arguments
from universe import random_universe

from analysis.hashes import GoSum
from analysis.session import Session, run_sync

SEEDS = range(5100, 5112)


def _vouched(session: Session, key: tuple[str, str]) -> str:
    path, version = key
    check = run_sync(session, lambda s=session: s.trust(path, version.removesuffix("/go.mod")))
    return check.by if check.verdict == "verified" else check.verdict


def _same_as_file(session: Session) -> bool:
    return session.gosum.entries == GoSum.read(session.directory / "go.sum").entries


@pytest.mark.parametrize("seed", SEEDS)
def test_gosum_is_read_again_after_apply_undo_and_forget(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    u = random_universe(seed, modules=8, versions=3)
    layout = u.write(tmp_path / "u")
    session = Session.with_file_proxy(layout.main_dir, layout.proxy_dir)
    try:
        before = {k: list(v) for k, v in session.gosum.entries.items()}
        applied = 0
        for arg in draw_arguments(u, rng, 3):
            plan = run_sync(session, lambda s=session, a=arg: s.plan(a.split(), suggest=False))
            if not plan.ok or not plan.gosum_added:
                continue
            session.apply(plan)
            applied += 1
            assert _same_as_file(session), arg
            added = {tuple(line.split()[:2]) for line in plan.gosum_added}
            gomods = sorted(k for k in added if k[1].endswith("/go.mod"))
            assert gomods, plan.gosum_added
            # who vouches: the go.sum just written (the session answers from its go.sum)
            assert _vouched(session, gomods[0]) == "go.sum", arg
            # the next preview starts from the new go.sum: nothing it adds is there already
            again = run_sync(session, lambda s=session, a=arg: s.plan(a.split(), suggest=False))
            present = {(p, v, h) for (p, v), hs in session.gosum.entries.items() for h in hs}
            assert not {tuple(line.split()) for line in again.gosum_added} & present, arg
            session.undo()
            assert _same_as_file(session), arg
            assert session.gosum.entries == before
            new = [k for k in gomods if k not in before]
            if new:
                assert _vouched(session, new[0]) != "go.sum", arg
            # an edit behind the session's back: seen after forget (the app's reload)
            edited = GoSum({k: list(v) for k, v in before.items()})
            p, v = gomods[0]
            edited.add(p, v, "h1:" + "A" * 43 + "=")
            (session.directory / "go.sum").write_bytes(edited.format())
            assert not _same_as_file(session)
            session.forget()
            assert _same_as_file(session)
            (session.directory / "go.sum").write_bytes(
                GoSum({k: list(v) for k, v in before.items()}).format()
            )
            session.forget()
        if not applied:
            pytest.skip("no argument of this universe adds go.sum lines")
    finally:
        run_sync(session, lambda s=session: s.aclose())
