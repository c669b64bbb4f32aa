"""Reading and writing files safely.

Reads are bounded while they happen: at most ``limit + 1`` bytes are read, so a
device (``/dev/zero``), an endless pipe or a file that grows is refused at the
limit instead of filling memory (``stat`` says 0 bytes for devices and pipes).
Writes are atomic: an interrupted write leaves the old file (or none), and the
new file gets the permissions the user's umask gives, like any file they write.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
import tempfile
from pathlib import Path

from policydocs.crashsafe import fsync_dir, step_done
from policydocs.errors import UserError

_CHUNK = 1024 * 1024


def read_bounded(path: Path | str, *, limit: int, where: str, too_large: str,
                 store_file: bool = False) -> bytes:
    """The bytes of ``path``, refused with ``too_large`` (the advice after
    "where: larger than ...") once more than ``limit`` bytes have been read.

    A ``store_file`` must be a regular file reached without a symbolic link
    (``O_NOFOLLOW``): the store holds its own files, never links to others.
    Other inputs may be pipes (``import <(curl ...)``); devices never are files."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)  # no hang opening a FIFO
    if store_file:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UserError(f"{where}: {_open_problem(exc, store_file)}") from None
    try:
        mode = os.fstat(fd).st_mode
        what = _not_a_file(mode, store_file)
        if what:
            raise UserError(f"{where}: is {what}, not a file; give the path of a file")
        os.set_blocking(fd, True)
        return _read_at_most(fd, limit, where, too_large)
    finally:
        os.close(fd)


def _open_problem(exc: OSError, store_file: bool) -> str:
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.ELOOP and store_file:
        return ("is a symbolic link; the store holds only its own files: "
                "replace the link with the file it points to")
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    return f"cannot read ({exc.strerror})"


def _not_a_file(mode: int, store_file: bool) -> str | None:
    """What the opened path is when it is no file to read ('a folder', 'a device')."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)" if store_file else None
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def _read_at_most(fd: int, limit: int, where: str, too_large: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise UserError(f"{where}: larger than {too_large}")


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



def atomic_write_bytes(path: Path, data: bytes, *, overwrite: bool = True,
                       sync_dir: bool = True, durable: bool = True) -> None:
    """Write to a temporary file in the same folder, then rename it into place.

    The temporary file is made 0600 by ``mkstemp``; it is given ``0666 & ~umask``
    before the rename, the mode ``open()`` would have given. With
    ``overwrite=False`` an existing file is never replaced (``FileExistsError``),
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
            os.fchmod(handle.fileno(), 0o666 & ~umask())
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
