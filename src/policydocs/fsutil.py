"""Atomic file writes: an interrupted write leaves the old file (or none), and the
new file gets the permissions the user's umask gives, like any file they write.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path


@functools.cache
def umask() -> int:
    """The process umask, read once: from /proc (no change to it), else by setting
    and restoring it (``os.umask`` can only be read by setting it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write to a temporary file in the same folder, then rename it into place.

    The temporary file is made 0600 by ``mkstemp``; it is given ``0666 & ~umask``
    before the rename, the mode ``open()`` would have given. With
    ``overwrite=False`` an existing file is never replaced (``FileExistsError``),
    which is how version files stay immutable even under concurrent imports.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~umask())
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            # link() fails if the target exists: no window where it could be clobbered.
            os.link(tmp, path)
            os.unlink(tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: Path, text: str, *, overwrite: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), overwrite=overwrite)
