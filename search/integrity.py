"""Whether the files of an index are the ones its last writer committed.

Each commit records the SHA-256 of every file, with the name of the table of contents they go
with (manifest.json). A writer checks the files against it before adding to them, and a reader
before opening them, so damage made on disk (zeroed bytes that Whoosh reads without complaint, a
deleted segment) is found rather than trusted, and never written into a new manifest as good.

Hashing every file on every commit would grow with the index, so each process remembers the
digest of each file it has hashed by (inode, size, modification time) and hashes only files that
are new or were touched since; the periodic full check hashes everything again. A reader also
re-stats the files it has open between searches, so damage to an open segment stops answers at
once instead of giving wrong ones.
"""

import hashlib
import json
import os
import re
import threading
from pathlib import Path

MANIFEST = "manifest.json"
# Whoosh's files, and the vector rows the writer derives from each segment (search/vectors.py).
SUFFIXES = (".toc", ".seg", ".npy")
_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")

Signature = tuple[int, int, int]


def signature(path: Path) -> Signature | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def generation(toc: str | None) -> int | None:
    """The commit number a table of contents' name carries."""
    match = _TOC.match(toc or "")
    return int(match.group(1)) if match else None


def latest_toc(directory: Path) -> str | None:
    """The name of the newest table of contents: the commit Whoosh opens."""
    best = None
    for path in directory.iterdir():
        match = _TOC.match(path.name)
        if match and (best is None or int(match.group(1)) > best[0]):
            best = (int(match.group(1)), path.name)
    return best[1] if best else None


class FileDigests:
    """SHA-256 of index files, remembered by their signature within this process."""

    def __init__(self):
        self._known: dict[str, tuple[Signature, str]] = {}
        self._lock = threading.Lock()

    def digest(self, path: Path, fresh: bool = False) -> str | None:
        before = signature(path)
        if before is None:
            return None
        with self._lock:
            known = self._known.get(str(path))
        if known and known[0] == before and not fresh:
            return known[1]
        hasher = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    hasher.update(chunk)
        except OSError:
            return None
        # A file that changed while being read is not remembered: the next look hashes it again.
        if signature(path) == before:
            with self._lock:
                self._known[str(path)] = (before, hasher.hexdigest())
        return hasher.hexdigest()

    def of(self, directory: Path, fresh: bool = False) -> dict[str, str]:
        digests = {}
        for path in sorted(directory.iterdir()):
            if path.suffix in SUFFIXES and (digest := self.digest(path, fresh)) is not None:
                digests[path.name] = digest
        return digests

    def forget(self, directory: Path) -> None:
        prefix = str(directory) + os.sep
        with self._lock:
            for name in [n for n in self._known if n.startswith(prefix)]:
                del self._known[name]


def read_manifest(directory: Path) -> dict | None:
    """{"toc": name, "files": {name: sha256}}, or None when missing or unreadable."""
    try:
        data = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and "files" not in data:  # written before the toc was recorded
        tocs = [name for name in data if _TOC.match(name)]
        data = {"toc": tocs[0] if len(tocs) == 1 else None, "files": data}
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return None
    return data


def write_manifest(directory: Path, files: dict[str, str]) -> None:
    temporary = directory / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps({"toc": latest_toc(directory), "files": files}))
    os.replace(temporary, directory / MANIFEST)


class Pending:
    """A writer is between Whoosh's commit and its manifest, or committed while we looked."""

    def __repr__(self) -> str:
        return "PENDING"


PENDING = Pending()


def _describe(expected: dict[str, str], found: dict[str, str], extras: bool) -> str | None:
    missing = sorted(set(expected) - set(found))
    changed = sorted(n for n in set(expected) & set(found) if expected[n] != found[n])
    extra = sorted(set(found) - set(expected)) if extras else []
    parts = [
        f"{label}: {', '.join(names[:3])}"
        for label, names in (("missing", missing), ("changed", changed), ("unexpected", extra))
        if names
    ]
    return "index files differ from the last commit (" + "; ".join(parts) + ")" if parts else None


def problem(directory: Path, digests: FileDigests, fresh: bool = False) -> str | None:
    """For a writer holding the lock, before adding to the files: what differs from the last
    commit, in a few words, or None. Files no commit names count too: a killed writer's."""
    manifest = read_manifest(directory)
    if manifest is None:
        return "no readable manifest"
    if manifest.get("toc") != latest_toc(directory):
        return "the last commit did not record its files"
    return _describe(manifest["files"], digests.of(directory, fresh), extras=True)


def reader_problem(
    directory: Path, digests: FileDigests, fresh: bool = False, manifest: dict | None = None
):
    """For a reader, who holds no lock: None when the last commit's files are as `manifest`
    (read here when not given) records them, a description when they are damaged, or PENDING
    when a writer is committing (new files appear and old ones go while it does, so only the
    manifest's files count, and a difference counts only if no commit happened meanwhile)."""
    manifest = manifest or read_manifest(directory)
    toc = latest_toc(directory)
    if manifest is None or manifest.get("toc") != toc:
        return PENDING
    expected = manifest["files"]
    found = {
        name: digest
        for name in expected
        if (digest := digests.digest(directory / name, fresh)) is not None
    }
    described = _describe(expected, found, extras=False)
    if described and (latest_toc(directory) != toc or read_manifest(directory) != manifest):
        return PENDING
    return described


def signatures(directory: Path, names) -> dict[str, Signature | None]:
    return {name: signature(directory / name) for name in names}
