"""The doctor's judgement without sockets or go: proxies are ``httpx.MockTransport``s,
settings a :class:`GoEnv` built by hand (the scenarios on 127.0.0.1 with go are in
``test_doctor.py``)."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import httpx
import pytest

from analysis import modfile
from analysis.doctor import DoctorInputs, DoctorOptions, DoctorReport, run_doctor, vendor_errors
from analysis.goenv import GoEnv
from analysis.hashes import GoSum
from tui.commands.doctor import format_report


def inputs(tmp_path: Path, env: GoEnv, requires: list[tuple[str, str]]) -> DoctorInputs:
    text = "module example.com/main\n\ngo 1.21\n\n" + "".join(
        f"require {p} {v}\n" for p, v in requires
    )
    (tmp_path / "go.mod").write_text(text)
    f = modfile.parse("go.mod", text.encode())
    return DoctorInputs(tmp_path, env, GoSum(), f, environ={"PATH": ""})


def doctor(inp: DoctorInputs, handler: httpx.MockTransport) -> DoctorReport:
    async def main() -> DoctorReport:
        async with httpx.AsyncClient(transport=handler) as http:
            return await run_doctor(inp, http=http, options=DoctorOptions(timeout=1))

    return asyncio.run(main())


def serve(answers: dict[str, int]) -> httpx.MockTransport:
    """Each host answers every request with its status (200: an empty version list)."""

    def handle(request: httpx.Request) -> httpx.Response:
        status = answers[request.url.host]
        headers = {"Retry-After": "7"} if status == 429 else {}
        return httpx.Response(status, headers=headers, text="" if status == 200 else "no")

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("seed", range(20))
def test_chain_verdicts_follow_the_separators(tmp_path: Path, seed: int) -> None:
    """Random two-entry chains of hosts answering one status each: the first entry fails
    exactly when go stops there (an error followed by ','), warns when '|' passes its
    error on, and a 429 shows its Retry-After."""
    rng = random.Random(seed)
    first, second = rng.choice((200, 404, 429, 500, 401)), rng.choice((200, 404))
    sep = rng.choice(",|")
    env = GoEnv(goproxy=f"https://a.example{sep}https://b.example", gosumdb="off", gomodcache="")
    inp = inputs(tmp_path, env, [("example.com/x", "v1.0.0"), ("example.org/y", "v1.1.0")])
    report = doctor(inp, serve({"a.example": first, "b.example": second}))
    a, b = report.by_id("goproxy")
    error = first not in (200, 404)
    if error and sep == ",":
        assert a.status == "fail"
        assert "falls through only on 404/410" in "\n".join(a.detail)
    elif error and second == 404:
        assert a.status == "fail"  # '|' passes it on, the next has nothing: go says a's error
    elif error:
        assert a.status == "warn"
    else:
        assert a.status == "ok"
    if first == 429:
        assert any("Retry-After: 7" in d for d in a.detail)
    nowhere = report.by_id("private-on-public-proxy")[0]
    all_404 = first == 404 and second == 404
    assert (nowhere.status == "fail") == all_404
    if all_404:
        assert nowhere.fix == "go env -w GOPRIVATE=example.com,example.org"
    assert b.status == "ok"


def test_report_text_is_compact_and_pasteable(tmp_path: Path) -> None:
    env = GoEnv(goproxy="https://a.example", gosumdb="off", gomodcache="")
    inp = inputs(tmp_path, env, [("example.com/x", "v1.0.0")])
    report = doctor(inp, serve({"a.example": 200}))
    text = format_report(report)
    lines = text.splitlines()
    assert lines[0].startswith("✓ ok    goproxy: https://a.example: reachable, p50 ")
    assert "! warn  gosumdb: GOSUMDB=off" in text
    assert "        fix: go env -w GOSUMDB=sum.golang.org" in lines
    assert lines[-1].startswith(f"{len(report.checks)} checks: ")
    assert [c.id for c in report.checks][-2:] == ["goflags", "toolchain"]


def test_vendor_errors_in_gos_words(tmp_path: Path) -> None:
    f = modfile.parse(
        "go.mod", b"module m\n\ngo 1.21\n\nrequire (\n\ta.com v1.1.0\n\tb.com v1.0.0\n)\n"
    )
    assert vendor_errors(tmp_path, f) is None
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "modules.txt").write_text(
        "# a.com v1.0.0\n## explicit; go 1.21\na.com\n# b.com v1.0.0\n## explicit\nb.com/pkg\n"
        "# c.com v1.0.0\n## explicit\n"  # no package: not in go's vendorList
    )
    assert vendor_errors(tmp_path, f) == [
        "a.com@v1.1.0: is explicitly required in go.mod, but not marked as explicit in"
        " vendor/modules.txt",
        "a.com@v1.0.0: is marked as explicit in vendor/modules.txt, but not explicitly"
        " required in go.mod",
    ]


def test_credentials_in_an_http_proxy_url_are_refused_and_never_shown(tmp_path: Path) -> None:
    env = GoEnv(goproxy="http://bob:pw-s3cret@a.example", gosumdb="off", gomodcache="")
    inp = inputs(tmp_path, env, [("example.com/x", "v1.0.0")])
    report = doctor(inp, serve({"a.example": 200}))
    (proxy,) = report.by_id("goproxy")
    assert proxy.status == "fail"
    assert proxy.summary == (
        "http://xxxxx@a.example: go sends no request to it"
        " (refusing to pass credentials to insecure URL)"
    )
    (netrc,) = report.by_id("netrc")
    assert netrc.status == "fail"
    assert netrc.fix == "go env -w GOPROXY=https://xxxxx@a.example"
    assert "pw-s3cret" not in repr(report.to_json()) + format_report(report)
