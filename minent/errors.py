"""Exceptions that mean "the user gave us something we cannot use".

The CLI turns a :class:`MinentError` into a one-line message and a non-zero exit code;
anything else escaping a command is a bug in minent.
"""


class MinentError(Exception):
    """A user-facing error: bad input file, bad parameter, refused overwrite."""


class InputError(MinentError):
    """An input file is missing, empty, binary, or not in the expected encoding."""


class FormatError(MinentError):
    """A model / lexicon / templates file is malformed or from an unsupported format version."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so a run stops the way Ctrl-C stops it: workers ended,
    temporary files removed, no output written (the CLI exits 143)."""
