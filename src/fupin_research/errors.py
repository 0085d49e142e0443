"""Errors the package raises for bad input."""

from __future__ import annotations


class InputError(ValueError):
    """A file or string that the package cannot read or process.

    The message always names the file (or the argument) and says what is wrong, so a
    command-line user sees one clear line instead of a traceback.

    Example:
        >>> from fupin_research import InputError
        >>> issubclass(InputError, ValueError)
        True
    """
