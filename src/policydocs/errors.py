"""The one error type every stage raises for bad input.

The CLI turns it into one line on stderr and exit code 2, so no user error
ever ends in a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input: which file, what is wrong, what to do (one line)."""

    exit_code = 2
