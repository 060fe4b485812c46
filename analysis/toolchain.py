"""Which go gomodx answers for, and Go's toolchain rules (go.dev/doc/toolchain).

:class:`Toolchain` is the one place that says which Go version gomodx imitates: the
installed go's (``go env GOVERSION``), or :data:`DEFAULT_GO_VERSION` when go is absent.
When ``GOTOOLCHAIN`` would make go run another toolchain (``go1.30.0``; ``auto`` and a
newer go.mod), gomodx says so rather than answer for a go it is not. What it refuses, it
refuses in go's words::

    go.mod at go 1.999, GOTOOLCHAIN=local
        go: go.mod requires go >= 1.999 (running go 1.27.3; GOTOOLCHAIN=local)
    a dependency's go.mod at go 1.999 (go >= 1.21 lines only)
        module example.com/b@v1.0.0 requires go >= 1.999 (running go 1.27.3; GOTOOLCHAIN=local)

With ``GOTOOLCHAIN=auto`` go would not refuse a main go.mod that is too new: it would
switch to the toolchain the go (or toolchain) line names before doing anything.
gomodx does not pretend to be that toolchain; :meth:`Toolchain.check_main` says which
one go would switch to (:class:`~analysis.errors.ToolchainSwitch`). A dependency that
is too new makes ``go mod graph`` and ``go list -m`` fail under ``auto`` too (only
``go get`` and ``go mod tidy`` switch then), with the same words minus ``; GOTOOLCHAIN=``.

>>> Toolchain("1.27.3", "local").too_new("go.mod", "1.999")
'go.mod requires go >= 1.999 (running go 1.27.3; GOTOOLCHAIN=local)'
>>> Toolchain("1.27.3", "auto").switch_target("1.999", "")
'go1.999.0'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis import semver
from analysis.errors import ToolchainSwitch, TooNewError

if TYPE_CHECKING:
    from analysis.goenv import GoEnv
    from analysis.modfile import ModFile

__all__ = ["DEFAULT_GO_VERSION", "STRICT_VERSION", "Toolchain"]

DEFAULT_GO_VERSION = "1.27.3"
"""The go gomodx imitates (``gover.Local()``) when the go command is not installed."""

STRICT_VERSION = "1.21"
"""``gover.GoStrictVersion``: a dependency's go line is a requirement from this version on."""


@dataclass(frozen=True)
class Toolchain:
    """The go command gomodx answers for: its version and the ``GOTOOLCHAIN`` setting.

    ``version`` is what go calls ``gover.Local()`` (``1.27.3``); ``gotoolchain`` is the
    setting as the user gave it (``""`` when unknown: then nothing is added to messages).
    """

    version: str = DEFAULT_GO_VERSION
    gotoolchain: str = ""

    @classmethod
    def from_env(cls, env: GoEnv) -> Toolchain:
        """The toolchain for Go settings ``env`` (its ``goversion`` and ``gotoolchain``)."""
        installed = env.goversion.removeprefix("go").split(" ")[0]
        if not semver.gover_is_valid(installed):
            installed = DEFAULT_GO_VERSION
        return cls(installed, env.gotoolchain)

    @property
    def mode(self) -> str:
        """``auto`` or ``path`` when go may switch toolchains for a go.mod, else ``""``."""
        if self.gotoolchain in ("auto", "path"):
            return self.gotoolchain
        _, plus, suffix = self.gotoolchain.partition("+")
        return suffix if plus and suffix in ("auto", "path") else ""

    @property
    def minimum(self) -> str:
        """The toolchain GOTOOLCHAIN names (``go1.30.0`` in ``go1.30.0+auto``), if any."""
        name = self.gotoolchain.partition("+")[0]
        return name if semver.gover_from_toolchain(name) else ""

    def too_new(self, what: str, version: str) -> str:
        """``gover.TooNewError``'s text (without ``go: ``)."""
        explain = ""
        if self.gotoolchain not in ("", "auto"):
            explain = f"; GOTOOLCHAIN={self.gotoolchain}"
        return f"{what} requires go >= {version} (running go {self.version}{explain})"

    def dependency_too_new(self, go_version: str) -> bool:
        """Whether a dependency's go.mod at ``go_version`` is too new for this go
        (``modload``: lines at 1.21 or later only; older ones were advisory)."""
        return (
            semver.gover_compare(go_version or "0", STRICT_VERSION) >= 0
            and semver.gover_compare(go_version, self.version) > 0
        )

    def switch_target(self, go_version: str, toolchain: str) -> str:
        """The toolchain go would run instead of this one for a main go.mod with these
        lines (``toolchain.Select``), or ``""`` when it runs this one."""
        target = self.minimum
        minimum = semver.gover_from_toolchain(target) if target else self.version
        if self.mode and toolchain != "default":
            v = semver.gover_from_toolchain(toolchain) if toolchain else ""
            if v and semver.gover_compare(v, minimum) > 0:
                target, minimum = toolchain, v
            if go_version and semver.gover_compare(go_version, minimum) > 0:
                target = "go" + go_version
                # From Go 1.21 the first release of a language version is X.Y.0.
                if (
                    semver.gover_is_lang(go_version)
                    and semver.gover_compare(go_version, "1.21") >= 0
                ):
                    target += ".0"
        return "" if target in ("", "go" + self.version) else target

    def check_main(self, f: ModFile, name: str = "go.mod") -> None:
        """Refuse a main go.mod this go would not load, as go does.

        Raises :class:`~analysis.errors.ToolchainSwitch` when ``GOTOOLCHAIN`` lets go
        switch to a newer toolchain (go would run that one instead), else
        :class:`~analysis.errors.TooNewError` when the go line is newer than this go.
        """
        go = f.go.version if f.go is not None else ""
        toolchain = f.toolchain.name if f.toolchain is not None else ""
        target = self.switch_target(go, toolchain)
        if target:
            if target == self.minimum:
                why = f"GOTOOLCHAIN={self.gotoolchain} (running go {self.version})"
            else:
                line = f"toolchain {toolchain}" if target == toolchain else f"go {go}"
                why = f"{name} sets {line} (running go {self.version}; GOTOOLCHAIN={self.gotoolchain})"
            raise ToolchainSwitch(
                f"go: {why}: go would switch to {target} before doing anything",
                target,
                semver.gover_from_toolchain(target),
                hint=(
                    f"gomodx answers as go {self.version} does, not as {target}: install"
                    f" {target} and put it first on PATH, or set GOTOOLCHAIN=local to see"
                    f" what go {self.version} says"
                ),
            )
        if go and semver.gover_compare(go, self.version) > 0:
            raise TooNewError("go: " + self.too_new(name, go), go)
