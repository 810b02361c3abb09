"""Verdicts copied out of the C library into immutable Python objects."""

import ctypes
import dataclasses
import enum
from typing import Optional, Tuple

from . import _native
from .errors import Error


class Decision(enum.Enum):
    """A decision, with the values of enum ag_decision (ALLOW < ASK < DENY)."""

    ALLOW = 0
    ASK = 1
    DENY = 2

    def __str__(self):
        return self.name.lower()


@dataclasses.dataclass(frozen=True)
class Command:
    """One command found in a Bash request, with the decision it got alone.

    `argv` contains the words after quote removal, decoded from UTF-8 with
    surrogateescape (word.encode("utf-8", "surrogateescape") gives the bytes
    back). In a dynamic word each part only known at run time is "\\x01".
    `dynamic[i]` is True when word i is dynamic. `span` is the command's
    (start, end) byte range in the UTF-8 command text.
    """

    argv: Tuple[str, ...]
    dynamic: Tuple[bool, ...]
    decision: Decision
    rule: Optional[str]
    source: Optional[str]
    span: Optional[Tuple[int, int]]


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    `rule` is the deciding rule as written in the policy, and `source` is
    where it was written ("FILE:LINE:COLUMN"). Both are None when the
    policy's default decided or the request was malformed. `span` is the (start, end)
    byte range of the part of the input that decided, or None. `error` is the
    status name (such as "AG_ERR_REQUEST") when the request was malformed or
    could not be analysed, else None. `commands` lists every command of a
    Bash request in text order.
    """

    decision: Decision
    reason: str
    rule: Optional[str]
    source: Optional[str]
    span: Optional[Tuple[int, int]]
    error: Optional[str]
    commands: Tuple[Command, ...]


def _decision(value):
    try:
        return Decision(value)
    except ValueError:
        raise Error(f"libagentguard returned the unknown decision {value}") from None


def _span(function, *arguments):
    start = ctypes.c_size_t()
    end = ctypes.c_size_t()
    if not function(*arguments, ctypes.byref(start), ctypes.byref(end)):
        return None
    return (start.value, end.value)


def _command(library, verdict, index):
    argv = []
    dynamic = []
    is_dynamic = ctypes.c_bool()
    for word in range(library.ag_verdict_command_argc(verdict, index)):
        pointer = library.ag_verdict_command_arg(
            verdict, index, word, ctypes.byref(is_dynamic))
        if not pointer:
            raise Error(f"libagentguard returned no word {word} for command {index}")
        argv.append(_native.text(pointer))
        dynamic.append(is_dynamic.value)

    return Command(
        argv=tuple(argv),
        dynamic=tuple(dynamic),
        decision=_decision(library.ag_verdict_command_decision(verdict, index)),
        rule=_native.text(library.ag_verdict_command_rule(verdict, index)),
        source=_native.text(library.ag_verdict_command_source(verdict, index)),
        span=_span(library.ag_verdict_command_span, verdict, index),
    )


def copy_verdict(library, verdict):
    """Copy the C verdict at `verdict` into a Verdict.

    The caller must hold the checker's lock, because the C verdict is freed
    by the next check on the same checker.
    """
    status = library.ag_verdict_error(verdict)
    error = None if status == 0 else _native.text(library.ag_status_name(status))
    commands = tuple(
        _command(library, verdict, index)
        for index in range(library.ag_verdict_command_count(verdict)))

    return Verdict(
        decision=_decision(library.ag_verdict_decision(verdict)),
        reason=_native.text(library.ag_verdict_reason(verdict)) or "",
        rule=_native.text(library.ag_verdict_rule(verdict)),
        source=_native.text(library.ag_verdict_source(verdict)),
        span=_span(library.ag_verdict_span, verdict),
        error=error,
        commands=commands,
    )
