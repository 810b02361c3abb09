"""Compiled policies (ag_policy) and the policy builder (ag_policy_builder)."""

import ctypes
import dataclasses
import json
import os
import threading
from typing import Optional

from . import _native
from .errors import ClosedError, Error, PolicyError
from .model import Layer, Mode
from .verdict import Decision, _decision


@dataclasses.dataclass(frozen=True)
class PolicyTest:
    """A test written in a policy's `tests:` key.

    The request is `tool_name` with the JSON object text `tool_input_json`,
    run in `cwd` with the home directory `home` (each None when the test
    gives none). The test passes when the check returns `expect` and, when
    `rule` is not None, the deciding rule is `rule`. `source` is where the
    test was written, "FILE:LINE:COLUMN".
    """

    name: str
    tool_name: str
    tool_input_json: str
    cwd: Optional[str]
    home: Optional[str]
    expect: Decision
    rule: Optional[str]
    source: str

    @property
    def tool_input(self):
        """The tool input parsed from tool_input_json, a dict."""
        return json.loads(self.tool_input_json)


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
    def mode(self):
        """The Mode the policy sets: the `mode:` of its most authoritative
        layer that has one, or Mode.DEFAULT. The project layers cannot set
        BYPASS_PERMISSIONS or lock a mode, and a user-layer lock beats their
        mode (docs/policy-model.md). New checkers start in it."""
        with self._lock:
            self._raise_if_closed()
            return Mode.from_value(self._library.ag_policy_mode(self._handle))

    @property
    def mode_locked(self):
        """Whether the policy locks its mode (`mode_locked: true`), so that
        Checker.set_mode() keeps the policy's mode."""
        with self._lock:
            self._raise_if_closed()
            return bool(self._library.ag_policy_mode_locked(self._handle))

    @property
    def warnings(self):
        """The policy's warnings, a tuple of "FILE:LINE:COLUMN: warning: TEXT".

        A warning names a rule that loads but probably does not do what its
        author meant, such as a deny rule for an unknown tool. Hosts should
        show them to the user.
        """
        with self._lock:
            self._raise_if_closed()
            library, handle = self._library, self._handle
            return tuple(
                _native.text(library.ag_policy_warning(handle, index)) or ""
                for index in range(library.ag_policy_warning_count(handle)))

    @property
    def tests(self):
        """The tests of the policy's `tests:` keys, a tuple of PolicyTest in
        the order written, from every source."""
        with self._lock:
            self._raise_if_closed()
            return tuple(
                self._test(index)
                for index in range(self._library.ag_policy_test_count(self._handle)))

    @property
    def digest(self):
        """The SHA-256 of the policy's sources, as 64 lowercase hex digits.

        Each source is hashed in the order it was added, as the netstring of
        its name and then the netstring of its text. A file's name is its
        path as given, so the same file loaded by another path has another
        digest. The built-in policy is the one source named "<default>".
        """
        with self._lock:
            self._raise_if_closed()
            digest = _native.text(self._library.ag_policy_digest(self._handle))
        if digest is None:
            raise Error("libagentguard returned no policy digest")
        return digest

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

    def _test(self, index):
        library, handle = self._library, self._handle

        def field(function):
            return _native.text(function(handle, index))

        name = field(library.ag_policy_test_name)
        if name is None:
            raise Error(f"libagentguard returned no policy test {index}")
        return PolicyTest(
            name=name,
            tool_name=field(library.ag_policy_test_tool_name) or "",
            tool_input_json=field(library.ag_policy_test_tool_input_json) or "{}",
            cwd=field(library.ag_policy_test_cwd),
            home=field(library.ag_policy_test_home),
            expect=_decision(library.ag_policy_test_expect(handle, index)),
            rule=field(library.ag_policy_test_rule),
            source=field(library.ag_policy_test_source) or "",
        )


class PolicyBuilder:
    """Combines several policy sources into one Policy.

    Use it from one thread. If add_file() or add_string() raises, the builder
    is left as it was before the call, and build() then builds the policy
    without that source: to fail closed, do not build after such an error.
    """

    def __init__(self):
        self._library = _native.load()
        self._handle = self._library.ag_policy_builder_new()
        if not self._handle:
            raise MemoryError("ag_policy_builder_new() failed: out of memory")

    def add_file(self, path, layer=None):
        """Parse the policy file at `path` (str, bytes or path-like) and add its rules.

        `layer` is a Layer or its name, such as "project", and defaults to
        Layer.COMMAND_LINE. A file whose name ends in ".json" is read as a
        Claude Code settings file: its "permissions" object gives the rules
        and the mode, and its other keys are ignored.
        """
        encoded = _native.encode_argument(path, "policy path")
        error = ctypes.c_void_p()
        if layer is None:
            status = self._library.ag_policy_builder_add_file(
                self._live_handle(), encoded, ctypes.byref(error))
        else:
            status = self._library.ag_policy_builder_add_file_in_layer(
                self._live_handle(), encoded, Layer.coerce(layer).value, ctypes.byref(error))
        if status != 0:
            raise _native.take_error(
                self._library, error, PolicyError, f"{path}: the policy could not be added")
        return self

    def add_string(self, text, name="<string>", layer=None):
        """Parse policy `text` (str or bytes) and add its rules.

        `layer` works as in add_file(). A `name` ending in ".json" makes the
        text a Claude Code settings file.
        """
        data = _encode_text(text)
        encoded_name = _native.encode_argument(name, "policy name")
        error = ctypes.c_void_p()
        if layer is None:
            status = self._library.ag_policy_builder_add_string(
                self._live_handle(), encoded_name, data, len(data), ctypes.byref(error))
        else:
            status = self._library.ag_policy_builder_add_string_in_layer(
                self._live_handle(), encoded_name, data, len(data),
                Layer.coerce(layer).value, ctypes.byref(error))
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


def sha256_hex(data):
    """Return the SHA-256 of `data` (bytes-like, or str encoded as UTF-8) as
    64 lowercase hex digits, computed by libagentguard."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    elif isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
    else:
        raise TypeError(f"sha256_hex() takes bytes or str, not {type(data).__name__}")
    library = _native.load()
    output = ctypes.create_string_buffer(65)
    status = library.ag_sha256_hex(data, len(data), output)
    if status != 0:
        raise Error(f"ag_sha256_hex() failed with status {status}", status)
    return output.value.decode("ascii")


def _encode_text(text):
    if isinstance(text, str):
        return text.encode("utf-8", "surrogateescape")
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text)
    raise TypeError(f"policy text must be str or bytes, not {type(text).__name__}")


_CONSTRUCTOR_TOKEN = object()
