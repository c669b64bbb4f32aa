"""Where ``policydocs diff --out`` sends its output: a file, written atomically, or
standard output; a binary export never goes to a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

from policydocs.errors import UserError
from policydocs.exports import BINARY_FORMATS


def check_output(fmt: str, out: Path | None) -> None:
    """Refuse, before comparing, to send a binary export nowhere or to a terminal."""
    if fmt not in BINARY_FORMATS:
        return
    if out is None:
        raise UserError(f"--format {fmt} writes a file: add --out FILE.{fmt} ('--out -' for a pipe)")
    if str(out) == "-" and sys.stdout.isatty():
        raise UserError(f"--out -: refusing to write a binary .{fmt} to a terminal; "
                        f"give a file (--out FILE.{fmt}) or redirect standard output")


def write_output(output: str | bytes, out: Path) -> None:
    """Standard output for '-', else the file, written whole or not at all."""
    from policydocs.fsutil import atomic_write_bytes

    data = output.encode("utf-8") if isinstance(output, str) else output
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        atomic_write_bytes(out, data)
    except OSError as exc:
        raise UserError(f"{out}: cannot write it ({exc.strerror or exc}); choose another --out") from None
