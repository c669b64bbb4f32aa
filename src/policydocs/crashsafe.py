"""What keeps a writing command safe to kill: folder syncs, the debris of interrupted
writes, the write lock, and the test hook that kills a command between two writes.

The guarantees these give, and the order the store is written in, are in
docs/store.md ("Crash safety").
"""

from __future__ import annotations

import errno
import fcntl
import itertools
import os
import re
import signal
from pathlib import Path
from typing import Callable, Iterable

# fsutil.atomic_write_bytes names its temporary file ".<target name>.<8 random characters>.tmp"
# (tempfile.mkstemp): a dot-file, so no reader of the store ever takes it for a version.
TEMP_NAME_RE = re.compile(r"^\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp$")

# Test hook (tests/test_crash_safety.py): with POLICYDOCS_TEST_KILL_AT_STEP=N the process
# SIGKILLs itself right after its Nth file-system step (a folder made, a temporary file
# written, a file renamed or linked into place, a temporary file removed). Unset, as it
# always is outside the tests, a step costs one comparison.
KILL_AT_STEP_ENV = "POLICYDOCS_TEST_KILL_AT_STEP"
_KILL_AT_STEP = int(os.environ.get(KILL_AT_STEP_ENV) or 0)
_steps = itertools.count(1)


def step_done() -> None:
    """Mark one file-system step; the test hook's kill point (see above)."""
    if _KILL_AT_STEP and next(_steps) == _KILL_AT_STEP:
        os.kill(os.getpid(), signal.SIGKILL)


def fsync_dir(folder: Path) -> None:
    """Make the names in ``folder`` durable: a rename survives a power cut only once the
    folder holding it is synced (a file system that cannot sync folders is let be)."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def make_dirs(folder: Path) -> bool:
    """Create ``folder`` and its missing parents, syncing each parent that got a new
    entry; whether ``folder`` was created."""
    folder = Path(folder)
    if folder.is_dir():
        return False
    make_dirs(folder.parent)
    try:
        folder.mkdir()
    except FileExistsError:
        if folder.is_dir():
            return False  # made meanwhile by another command
        raise
    step_done()
    fsync_dir(folder.parent)
    return True


def is_temp_name(name: str, target: str | None = None) -> bool:
    """Whether ``name`` is one of our temporary files (of ``target`` only, when given)."""
    m = TEMP_NAME_RE.match(name)
    return m is not None and (target is None or m["target"] == target)


def remove_temp_files(folders: Iterable[Path], target: str | None = None) -> None:
    """Delete the temporary files a killed write left in ``folders`` (only with the
    folder's `WriteLock` held: then no running command owns one)."""
    for folder in folders:
        for entry in os.scandir(folder):
            if is_temp_name(entry.name, target) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)


class WriteLock:
    """An exclusive lock on a folder, so one writing command at a time works in it.

    It is ``flock`` on the folder itself: no lock file to leave behind, and the kernel
    releases it when the holder dies, even by SIGKILL. A second command waits. Once
    the lock is held, ``clean(folder)`` removes what killed commands left (their
    temporary files: no live command can own one then).
    Entered without ``create``, the lock of a folder that does not exist yet is not
    taken, so a refused command creates nothing; its first write calls
    ``acquire(create=True)``.
    """

    def __init__(self, folder: Path, clean: Callable[[Path], object] | None = None, *,
                 create: bool = False):
        self.folder = Path(folder)
        self._clean = clean
        self._create = create
        self._fd: int | None = None

    def acquire(self, *, create: bool) -> bool:
        """Take the lock (creating the folder when ``create``); whether it is held."""
        if self._fd is None and (create or self.folder.is_dir()):
            make_dirs(self.folder)
            fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:  # a file system without flock: write unlocked, as before
                os.close(fd)
                return False
            self._fd = fd
            if self._clean is not None:
                self._clean(self.folder)
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor releases the flock
            self._fd = None

    def __enter__(self) -> "WriteLock":
        self.acquire(create=self._create)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
