"""Build cache: JSON values keyed by a content hash, each file signed with a per-machine key.

A cache entry is only ever a shortcut to the value the build would compute from the same input,
so outputs never depend on it; a missing, stale, corrupt or unsigned file is a miss, never an
error. Because sites are built from pull requests, nothing in a checkout may be trusted:

- the cache lives outside the site, in the user's cache folder (``PAPERBOY_CACHE_DIR``
  overrides it), one sub-folder per site, named by a hash of the site's absolute path;
- entries are JSON (loading one runs no code) and carry an HMAC keyed by a random secret made on
  first use and kept beside them, outside every repository: a planted file is a miss;
- a cache folder that git tracks (someone committed it) is never read, and the build warns.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from generator.diagnostics import Diagnostic, Level

ENV_CACHE_DIR = "PAPERBOY_CACHE_DIR"
# Where caches lived before they moved out of the site: never read, only warned about.
LEGACY_CACHE_DIR = ".paperboy-cache"
SECRET_FILE = "secret.key"
SUFFIX = ".json"
BLOBS = "blobs"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SPACE = re.compile(r"[a-z][a-z0-9-]{0,40}")
T = TypeVar("T")


def content_key(*parts: str | bytes) -> str:
    """SHA-256 over length-prefixed parts, so ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def code_version(*modules: object) -> str:
    """Hash of the source of the modules whose code produces a cached value."""
    sources = [Path(m.__file__).read_bytes() for m in modules]  # type: ignore[attr-defined]
    return content_key(*sources)[:16]


def cache_root() -> Path:
    """The folder holding every site's cache and the signing secret."""
    override = os.environ.get(ENV_CACHE_DIR)
    return Path(override).expanduser() if override else Path(platformdirs.user_cache_dir(
        "paperboy", appauthor=False))


def site_cache_folder(site_root: Path, root: Path | None = None) -> Path:
    """The cache folder of one site: keyed by its absolute path, so two sites never share."""
    name = content_key(str(site_root.resolve()))[:24]
    return (root or cache_root()) / "sites" / name


class DiskCache:
    """One folder of signed JSON files; ``None`` as the folder turns every lookup into a miss.

    Values must be JSON data (dicts with string keys, lists, strings, numbers); tuples come
    back as lists, so callers convert what they load.
    """

    def __init__(self, folder: Path | None, secret: bytes = b"") -> None:
        self.folder = folder if secret else None
        self._secret = secret

    def _path(self, kind: str, key: str) -> Path | None:
        return self.folder / f"{kind}-{key}{SUFFIX}" if self.folder else None

    def _signature(self, kind: str, key: str, body: bytes) -> bytes:
        mac = hmac.new(self._secret, digestmod=hashlib.sha256)
        for part in (kind.encode(), key.encode(), body):  # bound to its name: no swapping
            mac.update(len(part).to_bytes(8, "little"))
            mac.update(part)
        return mac.hexdigest().encode("ascii")

    def load(self, kind: str, key: str) -> Any | None:
        path = self._path(kind, key)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        signature, _, body = data.partition(b"\n")
        if not hmac.compare_digest(signature, self._signature(kind, key, body)):
            return None
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            return None

    def store(self, kind: str, key: str, value: Any, *, keep_only: bool = True) -> None:
        """Write atomically; with ``keep_only`` older entries of the same kind are removed."""
        path = self._path(kind, key)
        if path is None:
            return
        try:
            body = json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                              allow_nan=False).encode("utf-8")
        except (TypeError, ValueError):  # not plain data (or NaN): not worth a failed build
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temp.write_bytes(self._signature(kind, key, body) + b"\n" + body)
            os.replace(temp, path)
            if keep_only:
                for old in path.parent.glob(f"{kind}-*{SUFFIX}"):
                    if old != path:
                        old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written only costs time on the next build

    # -- blobs: bytes stored by their own SHA-256, for outputs too large for JSON records --

    def _blob_path(self, space: str, digest: str) -> Path | None:
        if self.folder is None or not _HEX64.fullmatch(digest) or not _SPACE.fullmatch(space):
            return None
        return self.folder / BLOBS / space / digest[:2] / digest[2:]

    def store_blob(self, space: str, data: bytes) -> str:
        """Keep ``data`` under its SHA-256 (returned) in ``space``. A blob is only ever used
        through a signed record that names its digest, and load_blob checks the bytes against
        it, so a planted or damaged blob is a miss."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._blob_path(space, digest)
        if path is None or path.exists():
            return digest
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temp.write_bytes(data)
            os.replace(temp, path)
        except OSError:
            pass
        return digest

    def load_blob(self, space: str, digest: str) -> bytes | None:
        """The bytes stored under ``digest``, or None when absent or not matching it."""
        path = self._blob_path(space, digest)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == digest else None

    def link_blob(self, space: str, digest: str, target: Path) -> bool:
        """Hard-link the blob ``digest`` to ``target`` (a new name; its folder must exist)
        and check what was linked: a regular file, not a symlink, whose bytes have that
        SHA-256. Anything else (absent, damaged, planted, another file system) is False with
        ``target`` left absent, and a blob found wrong is removed so the next build can put it
        right. The check reads the linked inode itself, so what passes is what is published."""
        path = self._blob_path(space, digest)
        if path is None:
            return False
        try:
            os.link(path, target, follow_symlinks=False)
        except OSError:
            return False
        if file_sha256(target) == digest:
            return True
        target.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        return False

    def adopt_blob(self, space: str, digest: str, source: Path) -> bool:
        """Keep the file ``source``, whose bytes the caller just wrote and hashed to
        ``digest``, as that blob by hard-linking it: no second copy on disk. The file must
        never be written into afterwards (write.write_files always makes a new file). False
        when it cannot be kept (no cache, another file system)."""
        path = self._blob_path(space, digest)
        if path is None:
            return False
        try:
            try:
                os.link(source, path)
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                os.link(source, path)
        except FileExistsError:
            # the same bytes from another output, unless a damaged blob sits there: replaced
            if file_sha256(path) == digest:
                return True
            temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                temp.unlink(missing_ok=True)
                os.link(source, temp)
                os.replace(temp, path)
            except OSError:
                return False
        except OSError:
            return False
        return True

    def prune_blobs(self, space: str, keep: Iterable[str]) -> None:
        """Remove the blobs of ``space`` not in ``keep`` (call after storing the record that
        names the ones still in use)."""
        if self.folder is None or not _SPACE.fullmatch(space):
            return
        wanted = set(keep)
        for path in (self.folder / BLOBS / space).glob("??/*"):
            if path.parent.name + path.name not in wanted:
                path.unlink(missing_ok=True)

    def get_or_compute(self, kind: str, key: str, compute: Callable[[], T]) -> T:
        cached = self.load(kind, key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        value = compute()
        self.store(kind, key, value)
        return value


def open_build_cache(site_root: Path, enabled: bool = True
                     ) -> tuple[DiskCache, list[Diagnostic]]:
    """The site's cache (disabled when ``enabled`` is False, when it is tracked by git, or
    when no secret can be kept), and warnings about cache folders that are ignored."""
    warnings = []
    legacy = site_root / LEGACY_CACHE_DIR
    if legacy.is_dir() and tracked_by_git(legacy):
        warnings.append(_ignored(LEGACY_CACHE_DIR, "the build cache now lives outside the "
                                 "site; remove the folder from the repository"))
    if not enabled:
        return DiskCache(None), warnings
    root = cache_root()
    if tracked_by_git(root):
        shown = _shown(root, site_root)
        warnings.append(_ignored(shown, f"a cache folder tracked by git is never read; point "
                                 f"{ENV_CACHE_DIR} outside the repository"))
        return DiskCache(None), warnings
    secret = machine_secret(root)
    return DiskCache(site_cache_folder(site_root, root) if secret else None, secret), warnings


def machine_secret(root: Path) -> bytes:
    """The signing key under ``root``, made on first use (readable by the owner only); empty
    when it cannot be read or written, which disables the cache."""
    path = root / SECRET_FILE
    try:
        secret = path.read_bytes()
        if len(secret) == 32:
            return secret
    except OSError:
        pass
    try:
        root.mkdir(parents=True, exist_ok=True)
        temp = root / f".{SECRET_FILE}.{os.getpid()}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        os.replace(temp, path)
        secret = path.read_bytes()  # another build may have won the race: use its key
    except OSError:
        return b""
    return secret if len(secret) == 32 else b""


def tracked_by_git(folder: Path) -> bool:
    """Whether git tracks any file in ``folder`` (False when git or a repository is absent)."""
    try:  # a folder we may not even look into (another user's) is tracked by nobody we know
        existing = folder
        while not existing.is_dir():
            if existing.parent == existing:
                return False
            existing = existing.parent
        found = subprocess.run(["git", "-C", str(existing), "ls-files", "-z", "--",
                                str(folder.resolve())], capture_output=True, timeout=30,
                               check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return found.returncode == 0 and bool(found.stdout)


def _ignored(path: str, why: str) -> Diagnostic:
    return Diagnostic(path, 0, 0, Level.WARNING, "", "cache folder is tracked by git and is "
                      "ignored", why)


def _shown(folder: Path, site_root: Path) -> str:
    try:
        return folder.resolve().relative_to(site_root.resolve()).as_posix()
    except ValueError:
        return str(folder)


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a regular file's bytes, read without following a symlink; None for
    anything else (a symlink, a folder, a device, a missing file)."""
    try:
        # non-blocking: a planted FIFO must not hang the build (regular files ignore it)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def papers_key(parts: Iterable[str]) -> str:
    return content_key(*parts)
