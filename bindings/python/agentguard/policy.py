"""Compiled policies (ag_policy) and the policy builder (ag_policy_builder)."""

import ctypes
import os
import threading

from . import _native
from .errors import ClosedError, PolicyError


class Policy:
    """A compiled policy: immutable, and safe to share between threads.

    Create one with from_file(), from_string(), from_files() or default().
    close() (or leaving a `with` block) frees the C policy as soon as no open
    Checker uses it any more. Each Checker keeps a reference to its Policy, so
    dropping the Policy object while checkers are alive is safe too.
    """

    def __init__(self, handle, library, _token=None):
        if _token is not _CONSTRUCTOR_TOKEN:
            raise TypeError(
                "create a Policy with Policy.from_file(), from_string(), "
                "from_files() or default()")
        self._library = library
        self._handle = handle
        self._lock = threading.Lock()
        self._closed = False
        self._checker_count = 0

    @classmethod
    def from_file(cls, path):
        """Load the YAML policy file at `path` (str, bytes or path-like).

        Raises PolicyError with code Status.IO when the file cannot be read,
        and with the file, line and column of the fault when it is invalid.
        """
        library = _native.load()
        encoded = _native.encode_argument(path, "policy path")
        error = ctypes.c_void_p()
        handle = library.ag_policy_load_file(encoded, ctypes.byref(error))
        if not handle:
            raise _native.take_error(
                library, error, PolicyError, f"{path}: the policy could not be loaded")
        return cls(handle, library, _CONSTRUCTOR_TOKEN)

    @classmethod
    def from_string(cls, text, name="<string>"):
        """Load a policy from YAML `text` (str or bytes).

        `name` is used in place of a file name in error locations and in the
        `source` of verdicts.
        """
        library = _native.load()
        data = _encode_text(text)
        encoded_name = _native.encode_argument(name, "policy name")
        error = ctypes.c_void_p()
        handle = library.ag_policy_load_string(
            encoded_name, data, len(data), ctypes.byref(error))
        if not handle:
            raise _native.take_error(
                library, error, PolicyError, f"{name}: the policy could not be loaded")
        return cls(handle, library, _CONSTRUCTOR_TOKEN)

    @classmethod
    def from_files(cls, paths):
        """Build one policy from several policy files.

        The rules of all files are checked, and the default decision is the
        strictest `default:` any file sets (ask when none sets one). An empty
        list gives the built-in default policy.
        """
        if isinstance(paths, (str, bytes, os.PathLike)):
            raise TypeError("from_files() takes a list of paths, not one path")
        with PolicyBuilder() as builder:
            for path in paths:
                builder.add_file(path)
            return builder.build()

    @classmethod
    def default(cls):
        """Load the built-in default policy (its YAML is default_policy_text())."""
        library = _native.load()
        error = ctypes.c_void_p()
        handle = library.ag_policy_load_default(ctypes.byref(error))
        if not handle:
            raise _native.take_error(
                library, error, PolicyError, "the default policy could not be loaded")
        return cls(handle, library, _CONSTRUCTOR_TOKEN)

    @property
    def rule_count(self):
        """The number of rules in the policy."""
        with self._lock:
            self._raise_if_closed()
            return self._library.ag_policy_rule_count(self._handle)

    @property
    def closed(self):
        """Whether close() was called."""
        return self._closed

    def close(self):
        """Release the policy. Idempotent.

        No new Checker can use the policy afterwards. The C policy is freed
        now, or when the last open Checker made from it is closed.
        """
        with self._lock:
            self._closed = True
            self._free_if_unused()

    def __enter__(self):
        self._raise_if_closed()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown may have torn down modules
            pass

    def __repr__(self):
        state = "closed" if self._closed else f"{self.rule_count} rules"
        return f"<agentguard.Policy {state}>"

    # Called by Checker, which must call _release_checker() once for each
    # successful _acquire_for_checker().
    def _acquire_for_checker(self):
        with self._lock:
            self._raise_if_closed()
            self._checker_count += 1
            return self._handle

    def _release_checker(self):
        with self._lock:
            self._checker_count -= 1
            self._free_if_unused()

    def _free_if_unused(self):
        if self._closed and self._checker_count == 0 and self._handle:
            handle, self._handle = self._handle, None
            self._library.ag_policy_free(handle)

    def _raise_if_closed(self):
        if self._closed:
            raise ClosedError("the policy is closed")


class PolicyBuilder:
    """Combines several policy sources into one Policy.

    Use it from one thread. If add_file() or add_string() raises, the builder
    is left as it was before the call.
    """

    def __init__(self):
        self._library = _native.load()
        self._handle = self._library.ag_policy_builder_new()
        if not self._handle:
            raise MemoryError("ag_policy_builder_new() failed: out of memory")

    def add_file(self, path):
        """Parse the YAML policy file at `path` and add its rules."""
        encoded = _native.encode_argument(path, "policy path")
        error = ctypes.c_void_p()
        status = self._library.ag_policy_builder_add_file(
            self._live_handle(), encoded, ctypes.byref(error))
        if status != 0:
            raise _native.take_error(
                self._library, error, PolicyError, f"{path}: the policy could not be added")
        return self

    def add_string(self, text, name="<string>"):
        """Parse YAML policy `text` (str or bytes) and add its rules."""
        data = _encode_text(text)
        encoded_name = _native.encode_argument(name, "policy name")
        error = ctypes.c_void_p()
        status = self._library.ag_policy_builder_add_string(
            self._live_handle(), encoded_name, data, len(data), ctypes.byref(error))
        if status != 0:
            raise _native.take_error(
                self._library, error, PolicyError, f"{name}: the policy could not be added")
        return self

    def build(self):
        """Compile everything added so far into a new Policy.

        With nothing added, the result is the built-in default policy.
        """
        error = ctypes.c_void_p()
        handle = self._library.ag_policy_builder_build(
            self._live_handle(), ctypes.byref(error))
        if not handle:
            raise _native.take_error(
                self._library, error, PolicyError, "the policy could not be built")
        return Policy(handle, self._library, _CONSTRUCTOR_TOKEN)

    def close(self):
        """Free the builder. Idempotent. Policies it built stay valid."""
        handle, self._handle = self._handle, None
        if handle:
            self._library.ag_policy_builder_free(handle)

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

    def _live_handle(self):
        if not self._handle:
            raise ClosedError("the policy builder is closed")
        return self._handle


def default_policy_text():
    """Return the YAML text of the built-in default policy."""
    library = _native.load()
    return _native.text(library.ag_default_policy_text())


def _encode_text(text):
    if isinstance(text, str):
        return text.encode("utf-8", "surrogateescape")
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text)
    raise TypeError(f"policy text must be str or bytes, not {type(text).__name__}")


_CONSTRUCTOR_TOKEN = object()
