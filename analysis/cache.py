"""Module download caches in the GOPROXY layout: Go's, read-only, and gomodx's own.

Both caches use the layout of ``$GOMODCACHE/cache/download`` (which is also the URL space of a
module proxy)::

    <escaped path>/@v/list
    <escaped path>/@v/<escaped version>.info | .mod | .zip | .ziphash

:class:`DownloadCache` is one such directory. Go's is only ever read (go owns it, with its
own locking); gomodx writes fetched files into its own directory
(``platformdirs.user_cache_dir("gomodx")/download`` unless overridden). There, ``.mod`` and
``.info`` files and version lists live in one SQLite database under their names in this
layout (:mod:`analysis.pack`: a cold graph fetches thousands of them, and one transaction
costs less than a file each); such files left by an older gomodx are still read. Zips
and ``.ziphash`` files are files, written atomically
(:func:`analysis.fsio.write_atomic`): a temporary file in the same directory, written, then
renamed over the target, so a reader sees either the old file, the new file or nothing —
never half a file. A write that fails raises :class:`~analysis.errors.FileWriteError`
(``writing PATH: permission denied``); the proxy client treats that as a cache it cannot
fill, never as a failed answer.

Durability is another matter: after a power loss, a renamed file whose bytes had not
reached the disk may read back empty or short. Go's own module cache takes that risk
(``modfetch.writeDiskCache`` writes a temporary file and renames it, without a sync),
because every cached file is re-fetchable and checked when read. gomodx does the same for
the files it checks on every read — ``.mod`` (go.sum, else it must parse with a module
line), ``.info`` (JSON naming the version), ``.zip`` (go.sum or its hash),
``.ziphash`` (a valid hash) — a damaged one is a cache miss, never an answer. A version
``list`` cannot be checked that way (an empty list is a valid answer): the database keeps
it (a crash may lose its latest transactions, never damage what it held before), and a
list written as a file is fsynced before the rename. Directories are not fsynced: a
rename lost in a crash costs a cache miss, never a wrong answer.

Every path and version is validated (``module.CheckPath``, canonical version, Go's escaping)
before it becomes a file name, so no input can name a file outside the cache.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analysis import fsio, semver
from analysis.errors import GomodxError, ModuleError
from analysis.hashes import is_valid_sum, zip_hash
from analysis.modpath import check_path, escape_path, escape_version, unescape_version
from analysis.pack import SmallFiles

__all__ = [
    "CacheStack",
    "DownloadCache",
    "default_cache_dir",
]


def default_cache_dir() -> Path:
    """gomodx's own download cache: ``$GOMODX_CACHE`` or the platform's user cache dir."""
    override = os.environ.get("GOMODX_CACHE")
    if override:
        return Path(override)
    from analysis.userdirs import user_dir

    return Path(user_dir("cache")) / "download"


@functools.lru_cache(maxsize=4096)
def _module_dir(path: str) -> str:
    """``path`` checked and escaped (both pure; every cache layer asks for each path).

    Belt and braces: a valid module path cannot leave the cache root, but never trust
    that blindly — the escaped path must be relative, made of plain elements (no empty,
    ``.`` or ``..`` one), so that every name built on it stays inside whatever root it
    is joined to."""
    check_path(path)
    escaped = escape_path(path)
    if escaped.startswith("/") or any(e in ("", ".", "..") for e in escaped.split("/")):
        raise ModuleError(f"cache path escapes the cache: {escaped}")
    return escaped


@functools.lru_cache(maxsize=8192)
def _version_dir(root: Path, path: str) -> Path:
    """``root/<escaped path>/@v``: inside ``root``, as :func:`_module_dir` checks. (File
    names below it are escaped canonical versions and fixed suffixes: no separators.)"""
    return root / _module_dir(path) / "@v"


@functools.lru_cache(maxsize=65536)
def _name(path: str, version: str, suffix: str) -> str:
    """The file's name relative to the cache root (checked as :meth:`DownloadCache.file`;
    a cold graph load asks for each name in every layer, then to store it)."""
    return _module_dir(path) + "/@v/" + _version_file(path, version, suffix)


def _version_file(path: str, version: str, suffix: str) -> str:
    if not semver.is_valid(version) or semver.canonical_version(version) != version:
        raise ModuleError(f"non-canonical module version {version!r} for {path}")
    return escape_version(version) + "." + suffix


class _Misses:
    """Module directories found absent from one cache, remembered while a graph load
    runs (:meth:`CacheStack.remembering_misses`): a cold load looks for thousands of
    go.mod files in caches that hold none of them; one look per module is enough."""

    __slots__ = ("checked", "depth", "dirs")

    def __init__(self) -> None:
        self.depth = 0
        self.dirs: set[str] = set()
        self.checked: set[str] = set()

    def end(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.dirs.clear()
            self.checked.clear()


_SUFFIXES = frozenset({"info", "mod", "zip", "ziphash"})
_SMALL = frozenset({"info", "mod"})


@dataclass(frozen=True)
class DownloadCache:
    """One download cache directory in GOPROXY layout.

    ``writable=False`` caches (Go's) refuse writes. ``small`` (gomodx's own cache) keeps
    ``.mod`` and ``.info`` files and version lists in one database instead of one file
    each (:mod:`analysis.pack`); files of that kind already on disk are still read.
    """

    root: Path
    writable: bool = False
    name: str = ""
    small: SmallFiles | None = field(default=None, compare=False, repr=False)
    _misses: _Misses = field(default_factory=_Misses, compare=False, repr=False)
    _legacy: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    """Whether a module has a directory here where an older gomodx may have left its small
    files (looked at once per module: no gomodx writes such files any more)."""

    @classmethod
    def own(cls, root: Path, name: str = "gomodx") -> DownloadCache:
        """gomodx's own cache at ``root``: writable, small files in one database."""
        return cls(root, True, name, SmallFiles(root))

    def file(self, path: str, version: str, suffix: str) -> Path:
        """The file for ``path@version`` with ``suffix`` (info, mod, zip, ziphash).

        Raises :class:`ModuleError` for an invalid path, a non-canonical version, or an
        unknown suffix.
        """
        if suffix not in _SUFFIXES:
            raise ModuleError(f"unknown cache file suffix {suffix!r}")
        return _version_dir(self.root, path) / _version_file(path, version, suffix)

    def list_file(self, path: str) -> Path:
        """The ``@v/list`` file of ``path``."""
        return _version_dir(self.root, path) / "list"

    # -- reading ------------------------------------------------------------------------

    def read(self, path: str, version: str, suffix: str) -> bytes | None:
        """The cached bytes, or ``None`` when absent or unreadable."""
        if suffix not in _SUFFIXES:
            return None
        try:
            name = _name(path, version, suffix)
            if self.small is not None and suffix in _SMALL:
                data = self.small.get(name)
                if data is not None or not self._may_have_legacy(path):
                    return data
            misses = self._misses
            if misses.depth and _module_dir(path) in misses.dirs:
                return None
            with open(self._prefix + name, "rb") as f:
                return f.read()
        except FileNotFoundError:
            self._missed(path)
            return None
        except (OSError, ModuleError):
            return None

    def _may_have_legacy(self, path: str) -> bool:
        where = _module_dir(path)
        known = self._legacy.get(where)
        if known is None:
            known = self._legacy[where] = os.path.isdir(self._prefix + where + "/@v")
        return known

    def _missed(self, path: str) -> None:
        """Remember, while misses are remembered, that ``path`` has no directory here."""
        misses = self._misses
        if misses.depth:
            where = _module_dir(path)
            if where not in misses.checked:
                misses.checked.add(where)
                if not os.path.isdir(self._prefix + where + "/@v"):
                    misses.dirs.add(where)

    @functools.cached_property
    def _prefix(self) -> str:
        return os.path.join(self.root, "")

    def read_list(self, path: str) -> bytes | None:
        try:
            if self.small is not None:
                data = self.small.get(_module_dir(path) + "/@v/list")
                if data is not None:
                    return data
            return self.list_file(path).read_bytes()
        except (OSError, ModuleError):
            return None

    def read_info(self, path: str, version: str) -> dict[str, object] | None:
        """The cached ``.info`` as a JSON object, or ``None`` if absent, corrupt, or for
        another version."""
        data = self.read(path, version, "info")
        if data is None:
            return None
        try:
            info = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(info, dict) or info.get("Version") != version:
            return None
        return info

    def cached_versions(self, path: str) -> list[str]:
        """Versions with a ``.mod`` or ``.info`` file here (what Go's own cache ``list`` is
        made from), in semver order."""
        try:
            names = os.listdir(_version_dir(self.root, path))
        except (OSError, ModuleError):
            names = []
        if self.small is not None:
            try:
                prefix = _module_dir(path) + "/@v/"
            except ModuleError:
                return []
            names += [n[len(prefix) :] for n in self.small.names(prefix)]
        found: set[str] = set()
        for name in names:
            stem, dot, suffix = name.rpartition(".")
            if not dot or suffix not in ("mod", "info"):
                continue
            try:
                version = unescape_version(stem)
            except ModuleError:
                continue
            if semver.is_valid(version) and semver.canonical_version(version) == version:
                found.add(version)
        return semver.sort_versions(found)

    # -- writing ------------------------------------------------------------------------

    def write(self, path: str, version: str, suffix: str, data: bytes) -> Path | None:
        """Atomically store ``data``; returns the file written (``None``: a row of the
        small-files database)."""
        if not self.writable:
            raise GomodxError(f"cache {self.root} is read-only")
        if suffix not in _SUFFIXES:
            raise ModuleError(f"unknown cache file suffix {suffix!r}")
        if self.small is not None and suffix in _SMALL:
            self.small.put(_name(path, version, suffix), data)
            return None
        target = self.file(path, version, suffix)
        self._misses.dirs.discard(_module_dir(path))
        fsio.write_atomic(target, data, durable=False)  # checked when read: see the docstring
        return target

    def write_list(self, path: str, data: bytes) -> Path | None:
        """Store ``path``'s version list; returns the file written (``None``: a row of the
        small-files database)."""
        if not self.writable:
            raise GomodxError(f"cache {self.root} is read-only")
        if self.small is not None:
            self.small.put(_module_dir(path) + "/@v/list", data)
            return None
        target = self.list_file(path)
        fsio.write_atomic(target, data)
        return target

    def forget(self, path: str, version: str, suffix: str) -> None:
        """Remove ``path@version``'s file with ``suffix`` (absent: nothing to do)."""
        if not self.writable:
            raise GomodxError(f"cache {self.root} is read-only")
        if self.small is not None and suffix in _SMALL:
            self.small.delete(_name(path, version, suffix))
        with contextlib.suppress(FileNotFoundError):
            self.file(path, version, suffix).unlink()

    def flush(self) -> None:
        """Put on disk what was written to the small-files database."""
        if self.small is not None:
            self.small.flush()

    def write_zip(self, path: str, version: str, data: bytes) -> Path:
        """Store a zip and its ``.ziphash`` (hash first would claim a zip that is not there,
        so the zip goes first; a reader that finds no ziphash recomputes it)."""
        target = self.file(path, version, "zip")
        self.write(path, version, "zip", data)
        self.write(path, version, "ziphash", zip_hash(data).encode("ascii"))
        return target

    def read_ziphash(self, path: str, version: str) -> str | None:
        data = self.read(path, version, "ziphash")
        if data is None or not is_valid_sum(data):
            return None
        return data.decode("ascii")


@dataclass(frozen=True)
class CacheHit:
    """Bytes found in a cache, and which cache held them."""

    data: bytes
    cache: DownloadCache


@dataclass(frozen=True)
class CacheStack:
    """The caches consulted before the network, in order: Go's first, then gomodx's own.

    ``own`` (if any) is where fetched files are written.
    """

    go: DownloadCache | None = None
    own: DownloadCache | None = None

    @classmethod
    def for_env(
        cls,
        gomodcache: str,
        own_dir: Path | None = None,
        *,
        use_own: bool = True,
    ) -> CacheStack:
        """Go's cache under ``gomodcache`` (if set and absolute) and gomodx's own cache."""
        go = None
        if gomodcache and os.path.isabs(gomodcache):
            go = DownloadCache(Path(gomodcache) / "cache" / "download", False, "GOMODCACHE")
        own = None
        if use_own:
            own = DownloadCache.own(own_dir or default_cache_dir())
        return cls(go, own)

    @functools.cached_property
    def layers(self) -> tuple[DownloadCache, ...]:
        return tuple(c for c in (self.go, self.own) if c is not None)

    @contextlib.contextmanager
    def remembering_misses(self) -> Iterator[None]:
        """While the block runs, a module found to have no directory in a cache is not
        looked for there again (a graph load: thousands of go.mod files, none cached on a
        cold start). Files another process writes meanwhile are read from the next block
        on; this process's own writes are seen at once."""
        for cache in self.layers:
            cache._misses.depth += 1
        try:
            yield
        finally:
            for cache in self.layers:
                cache._misses.end()

    def read(self, path: str, version: str, suffix: str) -> CacheHit | None:
        for cache in self.layers:
            data = cache.read(path, version, suffix)
            if data is not None:
                return CacheHit(data, cache)
        return None

    def read_list(self, path: str) -> CacheHit | None:
        # Only gomodx's own cache stores proxy lists verbatim; Go's list file holds just the
        # versions it downloaded, so it is a last resort (see cached_versions).
        for cache in (self.own, self.go):
            if cache is None:
                continue
            data = cache.read_list(path)
            if data is not None:
                return CacheHit(data, cache)
        return None

    def cached_versions(self, path: str) -> list[str]:
        found: set[str] = set()
        for cache in self.layers:
            found.update(cache.cached_versions(path))
        return semver.sort_versions(found)

    def store(self, path: str, version: str, suffix: str, data: bytes) -> Path | None:
        if self.own is None:
            return None
        if suffix == "zip":
            return self.own.write_zip(path, version, data)
        return self.own.write(path, version, suffix, data)

    def store_list(self, path: str, data: bytes) -> Path | None:
        if self.own is None:
            return None
        return self.own.write_list(path, data)

    def flush(self) -> None:
        """Put on disk what :meth:`store` and :meth:`store_list` buffered."""
        if self.own is not None:
            self.own.flush()
