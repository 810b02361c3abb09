"""Checkers (ag_checker): check requests against one policy."""

import ctypes
import dataclasses
import json
import threading
from typing import Optional

from . import _native
from .errors import ClosedError, Error, Status, status_from_value
from .model import Mode
from .policy import Policy
from .verdict import Verdict, copy_verdict

_UINT_MAX = 2 ** (8 * ctypes.sizeof(ctypes.c_uint)) - 1
_SIZE_MAX = 2 ** (8 * ctypes.sizeof(ctypes.c_size_t)) - 1


@dataclasses.dataclass(frozen=True)
class Limits:
    """Limits on the analysis of one Bash request (struct ag_limits).

    A field of 0 keeps the limit the policy sets, and any other value only
    takes effect where it is stricter than the policy's. A request that
    reaches a limit gets at least ask, with Verdict.error "AG_ERR_LIMIT".
    """

    max_input_bytes: int = 0   # maximum command text analysed, in bytes
    max_depth: int = 0         # maximum nesting depth of the syntax tree walked
    max_commands: int = 0      # maximum commands per request, wrapped ones included
    timeout_ms: int = 0        # parse time budget, in milliseconds

    def __post_init__(self):
        for field, maximum in (("max_input_bytes", _SIZE_MAX), ("max_depth", _UINT_MAX),
                               ("max_commands", _SIZE_MAX), ("timeout_ms", _UINT_MAX)):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"Limits.{field} must be an int, not {type(value).__name__}")
            if not 0 <= value <= maximum:
                raise ValueError(f"Limits.{field} must be between 0 and {maximum}, not {value}")


@dataclasses.dataclass(frozen=True)
class DecisionEvent:
    """One check, as reported to the decision callback.

    `verdict` is the Verdict that the check returns. For check(),
    `tool_input_json` is the JSON text passed to the library and `command`
    is None. For check_command(), `tool_input_json` is None and `command`
    contains the command's bytes, and `tool_name` is "Bash". `cwd` is the
    check's working directory, or None.
    """

    verdict: Verdict
    tool_name: str
    tool_input_json: Optional[str]
    command: Optional[bytes]
    cwd: Optional[str]


class _CallState:
    """State that the decision callback shares with its checker during one check.

    The callback refers to this object rather than to the Checker, so the
    checker and its C callback form no reference cycle.
    """

    def __init__(self):
        self.function = None        # the Python callable, or None
        self.verdict = None         # the Verdict the callback copied
        self.exception = None       # the first exception the callable raised
        self.running_thread = None  # threading.get_ident() while the callable runs


class Checker:
    """Checks tool calls against one Policy.

    A checker owns a tree-sitter parser and scratch memory. Use one Checker
    per thread for throughput. Calls on one Checker from several threads are
    serialized by a lock, so sharing one is safe but slow.

    The keyword arguments apply the matching set_*() method: `home` is the
    absolute directory that "~" means, `cdpath` the CDPATH of the shell that
    runs the commands, `mode` a Mode or its name such as "dontAsk", `limits`
    a Limits, and `explain` turns explain mode on.

    The Checker keeps a reference to its Policy, so the policy outlives it.
    close() (or leaving a `with` block) frees the C checker at once.
    """

    def __init__(self, policy, home=None, mode=None, limits=None, explain=False, cdpath=None):
        if not isinstance(policy, Policy):
            raise TypeError(f"Checker needs a Policy, not {type(policy).__name__}")
        self._policy = policy
        self._library = policy._library
        self._lock = threading.Lock()
        self._handle = None
        self._explain = False
        self._calls = _CallState()
        # The C checker stores a pointer to this ctypes object's code, so it
        # is kept until the checker is freed, even after on_decision(None).
        self._callback_thunk = None

        policy_handle = policy._acquire_for_checker()
        error = ctypes.c_void_p()
        handle = self._library.ag_checker_new(policy_handle, ctypes.byref(error))
        if not handle:
            policy._release_checker()
            raise _native.take_error(
                self._library, error, Error, "ag_checker_new() failed")
        self._handle = handle

        try:
            if home is not None:
                self.set_home(home)
            if cdpath is not None:
                self.set_cdpath(cdpath)
            if mode is not None:
                self.set_mode(mode)
            if limits is not None:
                self.set_limits(limits)
            if explain:
                self.set_explain(True)
        except BaseException:
            self.close()
            raise

    @property
    def policy(self):
        """The Policy this checker uses."""
        return self._policy

    @property
    def closed(self):
        """Whether close() was called."""
        return self._handle is None

    @property
    def mode(self):
        """The Mode of the checker's next checks."""
        with self._lock:
            return Mode.from_value(self._library.ag_checker_mode(self._live_handle()))

    @property
    def explain(self):
        """Whether explain mode is on."""
        return self._explain

    def set_home(self, home):
        """Set the home directory that "~" means in rules and request paths.

        `home` must be an absolute path. None unsets it: "~/..." paths then
        match only rules written with "~/", and home-anchored deny and ask
        rules apply to any other path (at least ask) while allow rules do
        not. The library never reads $HOME itself. Raises ValueError for a
        relative path.
        """
        encoded = None if home is None else _native.encode_argument(home, "home")
        self._reject_reentry("set_home()")
        with self._lock:
            status = self._library.ag_checker_set_home(self._live_handle(), encoded)
        if status == Status.ARGUMENT:
            raise ValueError(f"home must be an absolute path, not {home!r}")
        _raise_for_status(status, "ag_checker_set_home()")

    def set_cdpath(self, cdpath):
        """Set the CDPATH of the shell that runs the checked commands.

        `cdpath` lists directories separated by ":", where Bash's `cd NAME`
        and `pushd NAME` look for NAME before ./NAME. None or "" unsets it,
        the default. The library never reads $CDPATH itself, so pass the
        agent shell's value: without it, `cd .ssh && cat id_rsa` is checked
        as reading ./.ssh/id_rsa wherever CDPATH leads the cd.
        """
        encoded = None if cdpath is None else _native.encode_argument(cdpath, "cdpath")
        self._reject_reentry("set_cdpath()")
        with self._lock:
            status = self._library.ag_checker_set_cdpath(self._live_handle(), encoded)
        _raise_for_status(status, "ag_checker_set_cdpath()")

    def set_mode(self, mode):
        """Set the Mode (or its name, such as "dontAsk") of the next checks.

        Returns the mode in force afterwards. That is the policy's mode when
        the policy locks it (Policy.mode_locked), because a locked mode
        cannot be changed and keeping it is not an error.
        """
        value = Mode.coerce(mode).value
        self._reject_reentry("set_mode()")
        with self._lock:
            handle = self._live_handle()
            _raise_for_status(self._library.ag_checker_set_mode(handle, value),
                              "ag_checker_set_mode()")
            return Mode.from_value(self._library.ag_checker_mode(handle))

    def set_limits(self, limits):
        """Set Limits for the checks of this checker.

        Each limit takes the stricter of `limits` and the policy's, so a
        checker can only tighten its policy.
        """
        if not isinstance(limits, Limits):
            raise TypeError(f"set_limits() needs a Limits, not {type(limits).__name__}")
        native = _native.Limits(limits.max_input_bytes, limits.max_depth,
                                limits.max_commands, limits.timeout_ms)
        self._reject_reentry("set_limits()")
        with self._lock:
            status = self._library.ag_checker_set_limits(
                self._live_handle(), ctypes.byref(native))
        _raise_for_status(status, "ag_checker_set_limits()")

    def set_explain(self, explain):
        """Turn explain mode on or off.

        In explain mode each verdict lists in `matches` every rule that
        matches or could match the request, each command and each effect,
        not only the deciding one. Decisions are the same either way, but
        checks are slower.
        """
        self._reject_reentry("set_explain()")
        with self._lock:
            status = self._library.ag_checker_set_explain(self._live_handle(), bool(explain))
            _raise_for_status(status, "ag_checker_set_explain()")
            self._explain = bool(explain)

    def on_decision(self, function):
        """Call `function(event)` with a DecisionEvent after every check that
        returns a verdict, on the thread that made the check. None removes
        the callback. Returns `function`, so it also works as a decorator.

        An exception that `function` raises does not reach the C library:
        it is stored and raised from the check() or check_command() that
        triggered it, after the verdict is final. The host must then treat
        the request as denied. The callback must not call check(),
        check_command(), close() or a set_*() method of its own checker,
        which raise Error there.
        """
        if function is not None and not callable(function):
            raise TypeError(f"on_decision() needs a callable or None, not "
                            f"{type(function).__name__}")
        self._reject_reentry("on_decision()")
        with self._lock:
            handle = self._live_handle()
            if function is None:
                status = self._library.ag_checker_set_callback(
                    handle, _native.DecisionCallback(), None)
            else:
                if self._callback_thunk is None:
                    self._callback_thunk = _make_callback(self._library, self._calls)
                status = self._library.ag_checker_set_callback(
                    handle, self._callback_thunk, None)
            _raise_for_status(status, "ag_checker_set_callback()")
            self._calls.function = function
        return function

    def check(self, tool_name, tool_input, cwd=None):
        """Check one tool call and return its Verdict.

        `tool_input` is a dict (serialized to JSON here) or a JSON text (str
        or bytes), with Claude Code's field names: "command" for Bash,
        "file_path" for Read and Edit, "url" for WebFetch. `cwd` is the
        working directory as an absolute path, or None when unknown.

        A malformed request is not an exception: its verdict is deny and
        Verdict.error names the fault. Raises Error when the library cannot
        check at all (out of memory), and ValueError for a NUL byte in
        `tool_name`, in a JSON text or in `cwd`, or for a relative `cwd`. The host must treat any
        exception as a deny.
        """
        name = _native.encode_argument(tool_name, "tool name")
        if isinstance(tool_input, dict):
            # ensure_ascii keeps the text valid UTF-8 even for lone
            # surrogates, which the library then rejects as malformed.
            data = json.dumps(tool_input, allow_nan=False).encode("ascii")
        elif isinstance(tool_input, (str, bytes)):
            data = _native.encode_argument(tool_input, "tool input")
        else:
            raise TypeError(
                f"tool_input must be a dict or a JSON text, not {type(tool_input).__name__}")
        directory = _encode_cwd(cwd)
        return self._run(
            "check()",
            lambda handle, error: self._library.ag_check(handle, name, data, directory, error))

    def check_command(self, command, cwd=None):
        """Check one Bash command (str or bytes) and return its Verdict.

        Same as check("Bash", {"command": command}). The command is passed
        with its length, so it may contain NUL bytes. A str is encoded as
        UTF-8 (surrogateescape), and the spans of the verdict are byte
        offsets into that encoding.
        """
        if isinstance(command, str):
            data = command.encode("utf-8", "surrogateescape")
        elif isinstance(command, (bytes, bytearray, memoryview)):
            data = bytes(command)
        else:
            raise TypeError(f"command must be str or bytes, not {type(command).__name__}")
        directory = _encode_cwd(cwd)
        return self._run(
            "check_command()",
            lambda handle, error: self._library.ag_check_command(
                handle, data, len(data), directory, error))

    def close(self):
        """Free the C checker. Idempotent."""
        self._reject_reentry("close()")
        with self._lock:
            handle, self._handle = self._handle, None
        if handle:
            self._library.ag_checker_free(handle)
            self._policy._release_checker()

    def __enter__(self):
        self._live_handle()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown may have torn down modules
            pass

    def __repr__(self):
        return f"<agentguard.Checker {'closed' if self.closed else 'open'}>"

    def _run(self, description, call):
        """Run call(handle, error pointer), which makes one C check, and
        return its Verdict, or raise what the decision callback raised."""
        self._reject_reentry(description)
        calls = self._calls
        with self._lock:
            handle = self._live_handle()
            calls.verdict = None
            calls.exception = None
            error = ctypes.c_void_p()
            try:
                verdict = call(handle, ctypes.byref(error))
                reported, failure = calls.verdict, calls.exception
            finally:
                calls.verdict = None
                calls.exception = None
            if failure is not None:
                # The C library calls back only with a verdict, so no error
                # object is left to free here.
                raise failure
            if reported is not None:
                return reported
            return self._copy(verdict, error)

    def _reject_reentry(self, description):
        # The decision callback runs inside check() with the checker's lock
        # held, so a call back into the checker from it would deadlock, or
        # free or change the checker during its own check.
        if self._calls.running_thread == threading.get_ident():
            raise Error(f"{description} was called from the decision callback of the "
                        "same checker; use another Checker there")

    def _copy(self, verdict, error):
        if not verdict:
            raise _native.take_error(
                self._library, error, Error,
                "the check failed without an error: treat the request as denied")
        return copy_verdict(self._library, verdict)

    def _live_handle(self):
        if self._handle is None:
            raise ClosedError("the checker is closed")
        return self._handle


def _make_callback(library, calls):
    """Return the ctypes function that the C checker calls after each check."""

    def report(verdict, tool_name, tool_input_json, command, command_length, cwd, user_data):
        del user_data
        function = calls.function
        if function is None or calls.exception is not None:
            return
        # Nothing may propagate into C: ctypes would print the exception and
        # go on, so the check would return as if the callback had succeeded.
        try:
            copied = copy_verdict(library, verdict)
            calls.verdict = copied
            event = DecisionEvent(
                verdict=copied,
                tool_name=_native.text(tool_name) or "",
                tool_input_json=_native.text(tool_input_json),
                command=ctypes.string_at(command, command_length) if command else None,
                cwd=_native.text(cwd),
            )
            calls.running_thread = threading.get_ident()
            try:
                function(event)
            finally:
                calls.running_thread = None
        except BaseException as exception:  # noqa: BLE001 - re-raised by Checker._run()
            calls.exception = exception

    return _native.DecisionCallback(report)


def _raise_for_status(status, function):
    if status == Status.OK:
        return
    if status == Status.NOMEM:
        raise MemoryError(f"{function} failed: out of memory")
    name = _native.text(_native.load().ag_status_name(status))
    raise Error(f"{function} failed with {name}", status_from_value(status))


def _encode_cwd(cwd):
    if cwd is None:
        return None
    encoded = _native.encode_argument(cwd, "cwd")
    # The library rejects a relative cwd too, but a ValueError names the value.
    if not encoded.startswith(b"/"):
        raise ValueError(f"cwd must be an absolute path or None, not {cwd!r}")
    return encoded


_default_policy = None
_default_policy_lock = threading.Lock()


def check_command(command, policy=None, cwd=None):
    """Check one Bash command against `policy` (the built-in default policy
    when None) and return its Verdict.

    Creates and frees a Checker on every call, which costs a parser
    allocation. Hosts that check many commands should keep a Checker.
    """
    if policy is None:
        policy = _shared_default_policy()
    with Checker(policy) as checker:
        return checker.check_command(command, cwd)


def _shared_default_policy():
    global _default_policy
    with _default_policy_lock:
        if _default_policy is None:
            _default_policy = Policy.default()
        return _default_policy
