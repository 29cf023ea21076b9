"""The error every layer raises for bad input, kept at the bottom so the basic modules can raise it too."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a person or a script: one clear sentence, nothing written."""
