"""Verdicts copied out of the C library into immutable Python objects."""

import ctypes
import dataclasses
import enum
from typing import Optional, Tuple

from . import _native
from .errors import Error
from .model import Layer, _NamedEnum


class Decision(enum.Enum):
    """A decision, with the values of enum ag_decision (ALLOW < ASK < DENY)."""

    ALLOW = 0
    ASK = 1
    DENY = 2

    def __str__(self):
        return self.name.lower()


class EffectKind(_NamedEnum):
    """The kind of an effect, with the values of enum ag_effect_kind."""

    READ = (0, "read")
    WRITE = (1, "write")
    CHDIR = (2, "chdir")
    NETWORK = (3, "network")

    def __new__(cls, value, c_name):
        member = object.__new__(cls)
        member._value_ = value
        member._c_name = c_name
        return member


@dataclasses.dataclass(frozen=True)
class Match:
    """A rule that matched a request, a command or an effect, recorded in
    explain mode.

    `certain` is True when the rule matches for certain, and False when it
    only could match for some value of the command's dynamic words.
    """

    rule: str
    source: str
    decision: Decision
    certain: bool


@dataclasses.dataclass(frozen=True)
class Command:
    """One command found in a Bash request, with the decision it got alone.

    `argv` contains the words after quote removal, decoded from UTF-8 with
    surrogateescape (word.encode("utf-8", "surrogateescape") gives the bytes
    back). In a dynamic word each part only known at run time is "\\x01".
    `dynamic[i]` is True when word i is dynamic. `span` is the command's
    (start, end) byte range in the UTF-8 command text. `matches` lists every
    rule that matched the command when the checker is in explain mode, and
    is empty otherwise.
    """

    argv: Tuple[str, ...]
    dynamic: Tuple[bool, ...]
    decision: Decision
    rule: Optional[str]
    source: Optional[str]
    span: Optional[Tuple[int, int]]
    matches: Tuple[Match, ...] = ()


@dataclasses.dataclass(frozen=True)
class Effect:
    """An effect of a command of a Bash request besides running: a file it
    reads or writes, a directory it changes into, or a host it contacts.

    `target` is an absolute normalized path, or a host name for
    EffectKind.NETWORK. Each unknown part shows as "\\x01", and a path that
    starts with "~" means the checker had no home directory. `decision`,
    `rule` and `source` are what the effect got on its own (Read rules apply
    to reads, Edit rules to writes, WebFetch rules to hosts). `span` is the
    (start, end) byte range of the word the effect came from, and `command`
    the index into Verdict.commands of the command that has the effect, or
    None. `matches` is filled in explain mode only.
    """

    kind: EffectKind
    target: str
    decision: Decision
    rule: Optional[str]
    source: Optional[str]
    span: Optional[Tuple[int, int]]
    command: Optional[int]
    matches: Tuple[Match, ...] = ()


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    `rule` is the deciding rule as written in the policy, and `source` is
    where it was written ("FILE:LINE:COLUMN"). Both are None when the
    policy's default decided or the request was malformed. `span` is the (start, end)
    byte range of the part of the input that decided, or None. `error` is the
    status name (such as "AG_ERR_REQUEST") when the request was malformed or
    could not be fully analysed, else None. "AG_ERR_REQUEST" marks both a
    malformed request, which is denied, and a command that cannot be fully
    analysed, which gets at least ask and whose `error_message` starts with
    "the command cannot be fully analysed: ". `error_message` is the sentence that
    names the problem, such as 'the Bash tool input's "command" is not a
    string', or None. `commands` lists every command of a
    Bash request in text order, and `effects` the effects of those commands;
    the decision is the strictest of theirs. `layer` is the Layer of the
    deciding rule, or None when no rule decided. `matches` lists, in explain
    mode only, the rules that matched the request as a whole: a tool call
    that is not Bash, or the Bash(param:value) rules of a Bash request.
    """

    decision: Decision
    reason: str
    rule: Optional[str]
    source: Optional[str]
    span: Optional[Tuple[int, int]]
    error: Optional[str]
    commands: Tuple[Command, ...]
    effects: Tuple[Effect, ...] = ()
    layer: Optional[Layer] = None
    matches: Tuple[Match, ...] = ()
    error_message: Optional[str] = None


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


def _matches(count, function, *arguments):
    """Copy the `count` rules that function(*arguments, index, ...) reports."""
    rule = ctypes.c_void_p()
    source = ctypes.c_void_p()
    decision = ctypes.c_int()
    certain = ctypes.c_bool()
    matches = []
    for index in range(count):
        if not function(*arguments, index, ctypes.byref(rule), ctypes.byref(source),
                        ctypes.byref(decision), ctypes.byref(certain)):
            raise Error(f"libagentguard returned no match {index} of {count}")
        matches.append(Match(
            rule=_native.text(rule.value) or "",
            source=_native.text(source.value) or "",
            decision=_decision(decision.value),
            certain=certain.value,
        ))
    return tuple(matches)


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
        matches=_matches(
            library.ag_verdict_command_match_count(verdict, index),
            library.ag_verdict_command_match, verdict, index),
    )


def _effect(library, verdict, index):
    target = library.ag_verdict_effect_target(verdict, index)
    if not target:
        raise Error(f"libagentguard returned no target for effect {index}")
    command = library.ag_verdict_effect_command(verdict, index)
    # SIZE_MAX means no command; any index past the commands is treated the same.
    if command >= library.ag_verdict_command_count(verdict):
        command = None

    return Effect(
        kind=EffectKind.from_value(library.ag_verdict_effect_kind(verdict, index)),
        target=_native.text(target),
        decision=_decision(library.ag_verdict_effect_decision(verdict, index)),
        rule=_native.text(library.ag_verdict_effect_rule(verdict, index)),
        source=_native.text(library.ag_verdict_effect_source(verdict, index)),
        span=_span(library.ag_verdict_effect_span, verdict, index),
        command=command,
        matches=_matches(
            library.ag_verdict_effect_match_count(verdict, index),
            library.ag_verdict_effect_match, verdict, index),
    )


def _layer(library, verdict):
    layer = ctypes.c_int()
    if not library.ag_verdict_layer(verdict, ctypes.byref(layer)):
        return None
    return Layer.from_value(layer.value)


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
    effects = tuple(
        _effect(library, verdict, index)
        for index in range(library.ag_verdict_effect_count(verdict)))

    return Verdict(
        decision=_decision(library.ag_verdict_decision(verdict)),
        reason=_native.text(library.ag_verdict_reason(verdict)) or "",
        rule=_native.text(library.ag_verdict_rule(verdict)),
        source=_native.text(library.ag_verdict_source(verdict)),
        span=_span(library.ag_verdict_span, verdict),
        error=error,
        commands=commands,
        effects=effects,
        layer=_layer(library, verdict),
        matches=_matches(library.ag_verdict_match_count(verdict),
                         library.ag_verdict_match, verdict),
        error_message=_native.text(library.ag_verdict_error_message(verdict)),
    )
