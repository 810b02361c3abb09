"""Checkers (ag_checker): check requests against one policy."""

import ctypes
import json
import threading

from . import _native
from .errors import ClosedError, Error
from .policy import Policy
from .verdict import copy_verdict


class Checker:
    """Checks tool calls against one Policy.

    A checker owns a tree-sitter parser and scratch memory. Use one Checker
    per thread for throughput. Calls on one Checker from several threads are
    serialized by a lock, so sharing one is safe but slow.

    The Checker keeps a reference to its Policy, so the policy outlives it.
    close() (or leaving a `with` block) frees the C checker at once.
    """

    def __init__(self, policy):
        if not isinstance(policy, Policy):
            raise TypeError(f"Checker needs a Policy, not {type(policy).__name__}")
        self._policy = policy
        self._library = policy._library
        self._lock = threading.Lock()
        self._handle = None

        policy_handle = policy._acquire_for_checker()
        error = ctypes.c_void_p()
        handle = self._library.ag_checker_new(policy_handle, ctypes.byref(error))
        if not handle:
            policy._release_checker()
            raise _native.take_error(
                self._library, error, Error, "ag_checker_new() failed")
        self._handle = handle

    @property
    def policy(self):
        """The Policy this checker uses."""
        return self._policy

    @property
    def closed(self):
        """Whether close() was called."""
        return self._handle is None

    def check(self, tool_name, tool_input, cwd=None):
        """Check one tool call and return its Verdict.

        `tool_input` is a dict (serialized to JSON here) or a JSON text (str
        or bytes), with Claude Code's field names: "command" for Bash,
        "file_path" for Read and Edit, "url" for WebFetch. `cwd` is the
        working directory, or None when unknown.

        A malformed request is not an exception: its verdict is deny and
        Verdict.error names the fault. Raises Error when the library cannot
        check at all (out of memory), and ValueError for a NUL byte in
        `tool_name`, in a JSON text or in `cwd`. The host must treat any
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

        with self._lock:
            handle = self._live_handle()
            error = ctypes.c_void_p()
            verdict = self._library.ag_check(
                handle, name, data, directory, ctypes.byref(error))
            return self._copy(verdict, error)

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

        with self._lock:
            handle = self._live_handle()
            error = ctypes.c_void_p()
            verdict = self._library.ag_check_command(
                handle, data, len(data), directory, ctypes.byref(error))
            return self._copy(verdict, error)

    def close(self):
        """Free the C checker. Idempotent."""
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


def _encode_cwd(cwd):
    if cwd is None:
        return None
    return _native.encode_argument(cwd, "cwd")


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
