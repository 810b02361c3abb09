"""Find, load and describe the libagentguard shared library.

The library is loaded on first use, not at import, so that importing the
package never fails. Lookup order:

1. the path in the environment variable AGENTGUARD_LIBRARY (only that path is
   tried when the variable is set);
2. a file named libagentguard.so* in this package's directory;
3. the system loader: ctypes.util.find_library("agentguard"), then the plain
   soname libagentguard.so.0, so that LD_LIBRARY_PATH and ldconfig work.
"""

import ctypes
import ctypes.util
import glob
import os
import threading

from .errors import LibraryError, PolicyError, status_from_value

ENVIRONMENT_VARIABLE = "AGENTGUARD_LIBRARY"
SONAME = "libagentguard.so.0"

# The C API these bindings were written for: the major version must be equal
# and the minor version at least this one, because minor versions only add.
REQUIRED_MAJOR = 0
REQUIRED_MINOR = 1

_lock = threading.Lock()
_library = None

_c_error_p = ctypes.POINTER(ctypes.c_void_p)
_c_size_p = ctypes.POINTER(ctypes.c_size_t)
_c_bool_p = ctypes.POINTER(ctypes.c_bool)
_c_int_p = ctypes.POINTER(ctypes.c_int)
_c_void_p_p = ctypes.POINTER(ctypes.c_void_p)


class Limits(ctypes.Structure):
    """struct ag_limits of include/agentguard.h."""

    _fields_ = [
        ("max_input_bytes", ctypes.c_size_t),
        ("max_depth", ctypes.c_uint),
        ("max_commands", ctypes.c_size_t),
        ("timeout_ms", ctypes.c_uint),
    ]


# ag_decision_callback. Every pointer argument is c_void_p so that ctypes
# does not convert it, because the command is not NUL-terminated and may
# contain NUL bytes, so it is read with its length.
DecisionCallback = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
    ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p)


# name: (restype, argtypes). Opaque handles are c_void_p. Strings the library
# returns are c_void_p too, so that ctypes does not convert them and they can
# be read with ctypes.string_at() before the owner frees them.
_PROTOTYPES = {
    "ag_version": (ctypes.c_void_p, []),
    "ag_version_number": (ctypes.c_int, []),
    "ag_error_free": (None, [ctypes.c_void_p]),
    "ag_error_code": (ctypes.c_int, [ctypes.c_void_p]),
    "ag_error_message": (ctypes.c_void_p, [ctypes.c_void_p]),
    "ag_error_file": (ctypes.c_void_p, [ctypes.c_void_p]),
    "ag_error_line": (ctypes.c_uint, [ctypes.c_void_p]),
    "ag_error_column": (ctypes.c_uint, [ctypes.c_void_p]),
    "ag_status_name": (ctypes.c_void_p, [ctypes.c_int]),
    "ag_decision_name": (ctypes.c_void_p, [ctypes.c_int]),
    "ag_policy_builder_new": (ctypes.c_void_p, []),
    "ag_policy_builder_free": (None, [ctypes.c_void_p]),
    "ag_policy_builder_add_file": (
        ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, _c_error_p]),
    "ag_policy_builder_add_string": (
        ctypes.c_int,
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
         _c_error_p]),
    "ag_policy_builder_build": (ctypes.c_void_p, [ctypes.c_void_p, _c_error_p]),
    "ag_policy_load_file": (ctypes.c_void_p, [ctypes.c_char_p, _c_error_p]),
    "ag_policy_load_string": (
        ctypes.c_void_p,
        [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, _c_error_p]),
    "ag_policy_load_default": (ctypes.c_void_p, [_c_error_p]),
    "ag_default_policy_text": (ctypes.c_void_p, []),
    "ag_policy_free": (None, [ctypes.c_void_p]),
    "ag_policy_rule_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "ag_checker_new": (ctypes.c_void_p, [ctypes.c_void_p, _c_error_p]),
    "ag_checker_free": (None, [ctypes.c_void_p]),
    "ag_check": (
        ctypes.c_void_p,
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
         _c_error_p]),
    "ag_check_command": (
        ctypes.c_void_p,
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
         _c_error_p]),
    "ag_verdict_decision": (ctypes.c_int, [ctypes.c_void_p]),
    "ag_verdict_reason": (ctypes.c_void_p, [ctypes.c_void_p]),
    "ag_verdict_rule": (ctypes.c_void_p, [ctypes.c_void_p]),
    "ag_verdict_source": (ctypes.c_void_p, [ctypes.c_void_p]),
    "ag_verdict_span": (
        ctypes.c_bool, [ctypes.c_void_p, _c_size_p, _c_size_p]),
    "ag_verdict_error": (ctypes.c_int, [ctypes.c_void_p]),
    "ag_verdict_error_message": (ctypes.c_void_p, [ctypes.c_void_p]),
    "ag_verdict_command_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "ag_verdict_command_argc": (
        ctypes.c_size_t, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_command_arg": (
        ctypes.c_void_p,
        [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, _c_bool_p]),
    "ag_verdict_command_decision": (
        ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_command_rule": (
        ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_command_source": (
        ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_command_span": (
        ctypes.c_bool,
        [ctypes.c_void_p, ctypes.c_size_t, _c_size_p, _c_size_p]),
    # Policy warnings and tests.
    "ag_policy_warning_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "ag_policy_warning": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_policy_test_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "ag_policy_test_name": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_policy_test_tool_name": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_policy_test_tool_input_json": (
        ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_policy_test_cwd": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_policy_test_home": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_policy_test_expect": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_policy_test_rule": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_policy_test_source": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    # Checker settings.
    "ag_checker_set_home": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
    "ag_checker_set_cdpath": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
    "ag_checker_set_limits": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(Limits)]),
    "ag_checker_set_explain": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_bool]),
    "ag_checker_set_callback": (
        ctypes.c_int, [ctypes.c_void_p, DecisionCallback, ctypes.c_void_p]),
    # Effects.
    "ag_effect_kind_name": (ctypes.c_void_p, [ctypes.c_int]),
    "ag_verdict_effect_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "ag_verdict_effect_kind": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_effect_target": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_effect_decision": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_effect_rule": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_effect_source": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_effect_span": (
        ctypes.c_bool,
        [ctypes.c_void_p, ctypes.c_size_t, _c_size_p, _c_size_p]),
    "ag_verdict_effect_command": (ctypes.c_size_t, [ctypes.c_void_p, ctypes.c_size_t]),
    # Explain mode.
    "ag_verdict_match_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "ag_verdict_match": (
        ctypes.c_bool,
        [ctypes.c_void_p, ctypes.c_size_t, _c_void_p_p, _c_void_p_p, _c_int_p,
         _c_bool_p]),
    "ag_verdict_command_match_count": (
        ctypes.c_size_t, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_command_match": (
        ctypes.c_bool,
        [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, _c_void_p_p, _c_void_p_p,
         _c_int_p, _c_bool_p]),
    "ag_verdict_effect_match_count": (
        ctypes.c_size_t, [ctypes.c_void_p, ctypes.c_size_t]),
    "ag_verdict_effect_match": (
        ctypes.c_bool,
        [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, _c_void_p_p, _c_void_p_p,
         _c_int_p, _c_bool_p]),
    # Digests.
    "ag_policy_digest": (ctypes.c_void_p, [ctypes.c_void_p]),
    "ag_sha256_hex": (
        ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]),
    # Layers.
    "ag_layer_name": (ctypes.c_void_p, [ctypes.c_int]),
    "ag_layer_from_name": (ctypes.c_bool, [ctypes.c_char_p, _c_int_p]),
    "ag_policy_builder_add_file_in_layer": (
        ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, _c_error_p]),
    "ag_policy_builder_add_string_in_layer": (
        ctypes.c_int,
        [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
         ctypes.c_int, _c_error_p]),
    "ag_verdict_layer": (ctypes.c_bool, [ctypes.c_void_p, _c_int_p]),
    # Modes.
    "ag_mode_name": (ctypes.c_void_p, [ctypes.c_int]),
    "ag_mode_from_name": (ctypes.c_bool, [ctypes.c_char_p, _c_int_p]),
    "ag_policy_mode": (ctypes.c_int, [ctypes.c_void_p]),
    "ag_policy_mode_locked": (ctypes.c_bool, [ctypes.c_void_p]),
    "ag_checker_set_mode": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int]),
    "ag_checker_mode": (ctypes.c_int, [ctypes.c_void_p]),
}



def candidate_paths(environ=None, package_dir=None):
    """Return the library paths or names to try, in lookup order."""
    if environ is None:
        environ = os.environ
    if package_dir is None:
        package_dir = os.path.dirname(os.path.abspath(__file__))

    explicit = environ.get(ENVIRONMENT_VARIABLE)
    if explicit:
        return [explicit]

    candidates = sorted(glob.glob(os.path.join(package_dir, "libagentguard.so*")))
    found = ctypes.util.find_library("agentguard")
    if found and found != SONAME:
        candidates.append(found)
    candidates.append(SONAME)
    return candidates


def check_version(number, where):
    """Raise LibraryError unless ag_version_number() `number` is compatible."""
    major, minor = number // 10000, number // 100 % 100
    if major != REQUIRED_MAJOR or minor < REQUIRED_MINOR:
        raise LibraryError(
            f"{where} is libagentguard {major}.{minor}.{number % 100}, but these "
            f"bindings need {REQUIRED_MAJOR}.x with x >= {REQUIRED_MINOR}: install "
            f"a matching library or point {ENVIRONMENT_VARIABLE} at one")


def _declare(library, where, names):
    for name in names:
        restype, argtypes = _PROTOTYPES[name]
        try:
            function = getattr(library, name)
        except AttributeError:
            raise LibraryError(
                f"{where} does not export {name}: it is not a complete "
                f"libagentguard {REQUIRED_MAJOR}.{REQUIRED_MINOR} build") from None
        function.restype = restype
        function.argtypes = argtypes


def _open(candidates):
    failures = []
    for candidate in candidates:
        try:
            return ctypes.CDLL(candidate), candidate
        except OSError as error:
            failures.append(f"{candidate}: {error}")
    raise LibraryError(
        "libagentguard could not be loaded. Tried:\n  " + "\n  ".join(failures)
        + f"\nSet {ENVIRONMENT_VARIABLE} to the path of libagentguard.so, or add "
        "its directory to LD_LIBRARY_PATH.")


def load():
    """Return the loaded ctypes library, loading and checking it on first call."""
    global _library
    with _lock:
        if _library is None:
            library, where = _open(candidate_paths())
            # The version comes first, so that a library too old to have some
            # symbol gets a version message rather than a missing symbol.
            _declare(library, where, ["ag_version_number"])
            check_version(library.ag_version_number(), where)
            _declare(library, where, _PROTOTYPES)
            _library = library
        return _library


def text(pointer, errors="surrogateescape"):
    """Copy a NUL-terminated C string at `pointer` into str, or None for NULL."""
    if not pointer:
        return None
    return ctypes.string_at(pointer).decode("utf-8", errors)


def encode_argument(value, description):
    """Encode a str or path-like `value` for a NUL-terminated C parameter.

    Raises ValueError for an embedded NUL byte, because C would silently
    read only the text before it, and TypeError naming `description` for a
    value of another type.
    """
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogateescape")
    elif isinstance(value, bytes):
        data = value
    elif isinstance(value, os.PathLike):
        data = os.fsencode(value)
    else:
        raise TypeError(f"{description} must be str, bytes or a path-like object, "
                        f"not {type(value).__name__}")
    if b"\0" in data:
        raise ValueError(f"{description} contains a NUL byte: {value!r}")
    return data


def take_error(library, error_pointer, exception_class, fallback):
    """Build an `exception_class` from the ag_error in `error_pointer` and free it.

    `fallback` is the message when the library returned failure without an
    error object.
    """
    error = error_pointer.value
    if not error:
        return exception_class(fallback)
    try:
        code = status_from_value(library.ag_error_code(error))
        message = text(library.ag_error_message(error), "replace") or fallback
        if issubclass(exception_class, PolicyError):
            return exception_class(
                message, code,
                file=text(library.ag_error_file(error)),
                line=library.ag_error_line(error),
                column=library.ag_error_column(error))
        return exception_class(message, code)
    finally:
        library.ag_error_free(error)
        error_pointer.value = None
