"""Library lookup order and the version check."""

import os
import re
import subprocess
import sys
import tempfile
import unittest

from support import BINDINGS_DIR

import agentguard
from agentguard import _native


class VersionTest(unittest.TestCase):
    def test_library_version_format(self):
        self.assertRegex(agentguard.library_version(), r"^\d+\.\d+\.\d+$")

    def test_loaded_version_is_accepted(self):
        major, minor, patch = map(int, agentguard.library_version().split("."))
        _native.check_version(major * 10000 + minor * 100 + patch, "the loaded library")

    def test_compatible_versions_pass(self):
        for number in (100, 105, 200, 9999):
            with self.subTest(number=number):
                _native.check_version(number, "test")

    def test_older_minor_rejected(self):
        with self.assertRaises(agentguard.LibraryError) as raised:
            _native.check_version(9, "/lib/libagentguard.so.0")
        self.assertIn("0.0.9", str(raised.exception))
        self.assertIn("/lib/libagentguard.so.0", str(raised.exception))

    def test_other_major_rejected(self):
        with self.assertRaises(agentguard.LibraryError) as raised:
            _native.check_version(10100, "test")
        self.assertIn("1.1.0", str(raised.exception))


class LookupOrderTest(unittest.TestCase):
    def test_environment_variable_is_only_candidate(self):
        environ = {_native.ENVIRONMENT_VARIABLE: "/opt/ag/libagentguard.so"}
        self.assertEqual(_native.candidate_paths(environ, "/nowhere"),
                         ["/opt/ag/libagentguard.so"])

    def test_package_directory_before_system(self):
        with tempfile.TemporaryDirectory() as directory:
            bundled = os.path.join(directory, "libagentguard.so.0")
            open(bundled, "wb").close()
            candidates = _native.candidate_paths({}, directory)
        self.assertEqual(candidates[0], bundled)
        self.assertEqual(candidates[-1], _native.SONAME)

    def test_system_loader_last(self):
        with tempfile.TemporaryDirectory() as directory:
            candidates = _native.candidate_paths({}, directory)
        self.assertEqual(candidates[-1], "libagentguard.so.0")

    def run_python(self, code, library):
        environ = dict(os.environ, PYTHONPATH=BINDINGS_DIR)
        environ[_native.ENVIRONMENT_VARIABLE] = library
        return subprocess.run([sys.executable, "-c", code], env=environ,
                              capture_output=True, text=True, timeout=60)

    def test_missing_library_is_clear_error(self):
        missing = os.path.join(tempfile.gettempdir(), "agentguard-missing", "libagentguard.so")
        code = (
            "import agentguard\n"
            "try:\n"
            "    agentguard.Policy.default()\n"
            "except agentguard.LibraryError as error:\n"
            "    print(error)\n"
        )
        result = self.run_python(code, missing)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(missing, result.stdout)
        self.assertIn("AGENTGUARD_LIBRARY", result.stdout)

    def test_import_does_not_load_library(self):
        missing = os.path.join(tempfile.gettempdir(), "agentguard-missing", "libagentguard.so")
        result = self.run_python("import agentguard; print(agentguard.Decision.DENY)", missing)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "deny")

    def test_library_without_symbols_rejected(self):
        # libc loads fine but is no libagentguard: the version symbol is missing.
        code = (
            "import agentguard\n"
            "try:\n"
            "    agentguard.Policy.default()\n"
            "except agentguard.LibraryError as error:\n"
            "    print('LibraryError', error)\n"
            "except AttributeError as error:\n"
            "    print('AttributeError', error)\n"
        )
        result = self.run_python(code, "libc.so.6")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(re.match(r"LibraryError .*ag_version_number", result.stdout),
                        result.stdout)


if __name__ == "__main__":
    unittest.main()
