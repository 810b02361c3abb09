"""Exceptions and the status codes of the C library (enum ag_status)."""

import enum


class Status(enum.IntEnum):
    """An ag_status code, with the values of include/agentguard.h."""

    OK = 0
    NOMEM = 1
    ARGUMENT = 2
    IO = 3
    YAML = 4
    POLICY_KEY = 5
    POLICY_VALUE = 6
    RULE = 7
    PATTERN = 8
    REQUEST = 9  # a malformed request, or a command that cannot be fully analysed
    LIMIT = 10
    INTERNAL = 11


def status_from_value(value):
    """Return the Status for `value`, or the int itself for a code this
    version of the bindings does not know (a newer library minor version)."""
    try:
        return Status(value)
    except ValueError:
        return value


class Error(Exception):
    """Base class of every error this package raises.

    `code` is a Status (or None when the error did not come from the C
    library) and `message` the full message. A host that gets an Error while
    checking a request must treat the request as denied.
    """

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        self.code = code


class PolicyError(Error):
    """A policy could not be loaded or built.

    `file`, `line` and `column` give the location when the error concerns a
    file (line and column are 1-based, the column counts bytes), and are
    None, 0 and 0 otherwise.
    """

    def __init__(self, message, code=None, file=None, line=0, column=0):
        super().__init__(message, code)
        self.file = file
        self.line = line
        self.column = column


class LibraryError(Error):
    """libagentguard could not be found or loaded, or its version does not match."""


class ClosedError(Error, ValueError):
    """A Policy, PolicyBuilder or Checker was used after close()."""
