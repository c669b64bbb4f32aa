"""Atomic file writes: an interrupted write leaves the old file (or none)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from policydocs.crashsafe import fsync_dir, step_done


def atomic_write_bytes(path: Path, data: bytes, *, overwrite: bool = True,
                       sync_dir: bool = True, durable: bool = True) -> None:
    """Write to a temporary file in the same folder, then rename it into place.

    With ``overwrite=False`` an existing file is never replaced (``FileExistsError``),
    which is how version files stay immutable even under concurrent imports.
    ``sync_dir`` syncs the folder so the rename survives a power cut; a caller writing
    many files there passes False and calls `fsync_dir` once after the last.
    ``durable=False`` skips the file's own fsync too (and the folder's): after a power
    cut the file may be empty or missing, never half of one write and half of another
    (for caches, where a lost entry is a miss; each fsync costs milliseconds).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        step_done()
        if overwrite:
            os.replace(tmp, path)
        else:
            # link() fails if the target exists: no window where it could be clobbered.
            os.link(tmp, path)
            step_done()
            os.unlink(tmp)
        step_done()
        if sync_dir and durable:
            fsync_dir(path.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: Path, text: str, *, overwrite: bool = True,
                      sync_dir: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), overwrite=overwrite, sync_dir=sync_dir)
