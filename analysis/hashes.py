"""``h1:`` hashes and go.sum, as ``golang.org/x/mod/sumdb/dirhash`` and ``modfetch`` do them.

``h1:`` is SHA-256 over a summary: one line ``"<hex sha256 of file>  <name>\\n"`` per file,
files in byte order of their names, then standard base64 of the summary's SHA-256.

>>> gomod_hash(b'module "rsc.io/quote"\\n\\nrequire "rsc.io/sampler" v1.3.0\\n')
'h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0='

go.sum keeps, per ``(path, version)`` key (``version`` may end in ``/go.mod``), any number of
hashes; :class:`GoSum` reads it as go does and formats it in go's order. Writing the
file is its owner's business (:mod:`analysis.apply`); this module never writes one.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.errors import GomodxError, SumMismatch
from analysis.fsio import write_atomic
from analysis.semver import compare

if TYPE_CHECKING:
    from zipfile import ZipFile, ZipInfo

__all__ = [
    "EMPTY_GOMOD_HASH",
    "GoSum",
    "gomod_hash",
    "hash1",
    "hash_dir",
    "is_valid_sum",
    "zip_hash",
]

EMPTY_GOMOD_HASH = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY="
"""The hash of a zero-length go.mod, written by an old go bug; go ignores it in go.sum."""


def hash1(files: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> str:
    """``dirhash.Hash1`` over ``name -> content`` pairs.

    Names are sorted by their UTF-8 bytes (Go's string order); a repeated name is hashed once
    per occurrence. A name containing a newline is an error, as in Go.

    >>> hash1({"abc": b"data for abc", "xyz": b"data for xyz"})
    'h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8='
    """
    items = list(files.items()) if isinstance(files, Mapping) else list(files)
    return _hash1_lines((name, hashlib.sha256(data).hexdigest()) for name, data in items)


def _hash1_lines(named_digests: Iterable[tuple[str, str]]) -> str:
    ordered = sorted(named_digests, key=lambda item: item[0].encode("utf-8", "surrogateescape"))
    summary = hashlib.sha256()
    for name, digest in ordered:
        if "\n" in name:
            raise GomodxError("dirhash: filenames with newlines are not supported")
        summary.update(f"{digest}  {name}\n".encode("utf-8", "surrogateescape"))
    return "h1:" + base64.b64encode(summary.digest()).decode("ascii")


def hash_dir(directory: str | os.PathLike[str], prefix: str) -> str:
    """``dirhash.HashDir``: every file under ``directory``, named ``prefix/rel/path`` (what
    ``go mod verify`` compares an extracted module with, ``prefix`` being ``path@version``)."""
    files: list[tuple[str, str]] = []
    top = Path(directory)
    for root, dirs, names in os.walk(top):
        dirs.sort()
        for name in names:
            full = Path(root) / name
            digest = hashlib.sha256()
            with full.open("rb") as fh:
                for chunk in iter(functools.partial(fh.read, 1 << 16), b""):
                    digest.update(chunk)
            files.append((f"{prefix}/{full.relative_to(top).as_posix()}", digest.hexdigest()))
    return _hash1_lines(files)


def gomod_hash(data: bytes) -> str:
    """The ``/go.mod`` go.sum hash of go.mod bytes (the file is named just ``go.mod``)."""
    return hash1([("go.mod", data)])


def zip_hash(source: str | os.PathLike[str] | bytes) -> str:
    """``dirhash.HashZip``: the go.sum hash of a module zip (a path or the zip's bytes).

    Every entry counts under its own name with its uncompressed content; when a name repeats,
    each occurrence hashes the content of the last entry of that name, as Go's map does.
    """
    import zipfile  # (only zips need it: a metadata command never loads it)

    handle: io.BytesIO | str | os.PathLike[str]
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            last = {info.filename: info for info in infos}
            digests = {name: _sha256_member(archive, info) for name, info in last.items()}
            return _hash1_lines((info.filename, digests[info.filename]) for info in infos)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise GomodxError(f"zip: not a valid zip file: {exc}") from exc


def _sha256_member(archive: ZipFile, info: ZipInfo) -> str:
    digest = hashlib.sha256()
    with archive.open(info) as member:
        for chunk in iter(functools.partial(member.read, 1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_valid_sum(data: bytes) -> bool:
    """Whether ``data`` is a well-formed ``.ziphash`` (``h1:`` + 44 base64 characters)."""
    return len(data) == 3 + 44 and data.startswith(b"h1:") and b"\x00" not in data


def _key_order(a: tuple[str, str], b: tuple[str, str]) -> int:
    """``module.Sort``: path, then the version before ``/`` by semver, then the rest."""
    if a[0] != b[0]:
        return -1 if a[0] < b[0] else 1
    va, _, fa = a[1].partition("/")
    vb, _, fb = b[1].partition("/")
    if va != vb:
        c = compare(va, vb)
        if c:
            return c
        return -1 if va < vb else 1  # equal under semver: keep the output deterministic
    return (fa > fb) - (fa < fb)


@dataclass
class GoSum:
    """The lines of a go.sum file: ``(path, version) -> [hash, ...]`` in file order.

    >>> s = GoSum.parse(b"a.com v1.0.0/go.mod h1:x=\\na.com v1.0.0 h1:y=\\n")
    >>> s.format().decode()
    'a.com v1.0.0 h1:y=\\na.com v1.0.0/go.mod h1:x=\\n'
    """

    entries: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: bytes, filename: str = "go.sum", *, lax: bool = False) -> GoSum:
        """Read go.sum bytes as ``modfetch.readGoSum`` does.

        A line that is not three fields raises :class:`GomodxError` (``malformed go.sum``)
        unless ``lax`` (go mod tidy's tolerance); the empty-go.mod hash is dropped.
        """
        sums = cls()
        for lineno, raw in enumerate(data.decode("utf-8", "surrogateescape").split("\n"), 1):
            fields = raw.split()
            if not fields:
                continue
            if len(fields) != 3:
                if lax:
                    continue
                shown = "[" + " ".join(fields) + "]"
                raise GomodxError(
                    f"malformed go.sum:\n{filename}:{lineno}: wrong number of fields {shown}"
                )
            if fields[2] == EMPTY_GOMOD_HASH:
                continue
            sums.entries.setdefault((fields[0], fields[1]), []).append(fields[2])
        return sums

    @classmethod
    def read(cls, path: str | os.PathLike[str], *, missing_ok: bool = True) -> GoSum:
        """Read a go.sum file; a missing file is empty when ``missing_ok``."""
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            if missing_ok:
                return cls()
            raise
        return cls.parse(data, os.fspath(path))

    def hashes(self, path: str, version: str) -> tuple[str, ...]:
        """The hashes recorded for ``path version`` (``version`` may end in ``/go.mod``)."""
        return tuple(self.entries.get((path, version), ()))

    def gomod_hashes(self, path: str, version: str) -> tuple[str, ...]:
        """The ``/go.mod`` hashes recorded for ``path@version``."""
        return self.hashes(path, version + "/go.mod")

    def add(self, path: str, version: str, h: str) -> None:
        """Record a hash (no-op when already present)."""
        hashes = self.entries.setdefault((path, version), [])
        if h not in hashes:
            hashes.append(h)

    def verify(
        self, path: str, version: str, h: str, *, source: str = "", gomod: bool = False
    ) -> bool:
        """Check a computed hash against go.sum.

        Returns ``False`` when go.sum has no line for the key (nothing to check), ``True``
        when one of its hashes matches, and raises :class:`SumMismatch` otherwise, naming
        the downloaded hash, go.sum's hash and ``source``.
        """
        key_version = version + "/go.mod" if gomod else version
        recorded = self.hashes(path, key_version)
        if not recorded:
            return False
        if h in recorded:
            return True
        raise SumMismatch(path, key_version, h, recorded[0], source)

    def verify_gomod(self, path: str, version: str, data: bytes, *, source: str = "") -> bool:
        """:meth:`verify` for go.mod bytes of ``path@version``."""
        return self.verify(path, version, gomod_hash(data), source=source, gomod=True)

    def format(self) -> bytes:
        """go.sum bytes in go's order: keys by ``module.Sort``, hashes sorted, no duplicates."""
        out = []
        for key in sorted(self.entries, key=functools.cmp_to_key(_key_order)):
            for h in sorted(set(self.entries[key])):
                out.append(f"{key[0]} {key[1]} {h}\n")
        return "".join(out).encode("utf-8", "surrogateescape")

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`format` atomically (temp file in the same directory, then rename);
        raises :class:`~analysis.errors.FileWriteError`."""
        write_atomic(path, self.format())
