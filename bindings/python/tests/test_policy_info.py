"""What a Policy reports about itself: warnings, `tests:`, the digest, and
agentguard.sha256_hex()."""

import glob
import hashlib
import json
import os
import unittest

from support import REPOSITORY, policy_path

import agentguard
from agentguard import Decision, Mode

EXAMPLE_POLICIES = sorted(glob.glob(os.path.join(REPOSITORY, "examples", "policies", "*.yaml")))

# The home directory that `agentguard test` (tools/cmd_test.c) gives a test without one.
CLI_TEST_HOME = "/home/user"

TESTS_TEXT = """\
allow: ["Bash(git status)"]
tests:
  - {name: status, command: git status, expect: allow,
     rule: Bash(git status)}
  - name: read
    request: {tool_name: Read, tool_input: {file_path: a, limit: 5},
              cwd: /w}
    home: /home/u
    expect: ask
"""


def netstring(data):
    return str(len(data)).encode() + b":" + data + b","


class WarningTest(unittest.TestCase):
    def test_unknown_tool_warns(self):
        text = "deny:\n  - Bassh(rm *)\n  - mcp__x\n  - Agent(Plan)\n"
        with agentguard.Policy.from_string(text, name="forms.yaml") as policy:
            warnings = policy.warnings
        self.assertEqual(len(warnings), 1, warnings)
        self.assertTrue(warnings[0].startswith("forms.yaml:2:5: warning:"), warnings[0])
        self.assertIn("'Bassh'", warnings[0])

    def test_clean_policy_has_none(self):
        with agentguard.Policy.from_file(policy_path("basic")) as policy:
            self.assertEqual(policy.warnings, ())


class PolicyTestsTest(unittest.TestCase):
    def test_fields(self):
        with agentguard.Policy.from_string(TESTS_TEXT, name="forms.yaml") as policy:
            status, read = policy.tests
        self.assertEqual(status, agentguard.PolicyTest(
            name="status", tool_name="Bash", tool_input_json='{"command":"git status"}',
            cwd=None, home=None, expect=Decision.ALLOW, rule="Bash(git status)",
            source="forms.yaml:3:5"))
        self.assertEqual(read.tool_name, "Read")
        self.assertEqual(read.tool_input, {"file_path": "a", "limit": 5})
        self.assertEqual(read.cwd, "/w")
        self.assertEqual(read.home, "/home/u")
        self.assertIs(read.expect, Decision.ASK)
        self.assertIsNone(read.rule)

    def test_policy_without_tests(self):
        with agentguard.Policy.default() as policy:
            self.assertEqual(policy.tests, ())

    def test_example_policies_pass_their_tests(self):
        """Run each example policy's tests as `agentguard test` does: in the
        policy file's directory, with the home /home/user unless given."""
        self.assertGreaterEqual(len(EXAMPLE_POLICIES), 3)
        for path in EXAMPLE_POLICIES:
            with agentguard.Policy.from_file(path) as policy, \
                    agentguard.Checker(policy) as checker:
                tests = policy.tests
                self.assertGreater(len(tests), 0, path)
                for test in tests:
                    with self.subTest(test=f"{test.source}: {test.name}"):
                        checker.set_home(test.home or CLI_TEST_HOME)
                        verdict = checker.check(
                            test.tool_name, test.tool_input_json,
                            cwd=test.cwd or os.path.dirname(os.path.realpath(path)))
                        self.assertIs(verdict.decision, test.expect, verdict.reason)
                        if test.rule is not None:
                            self.assertEqual(verdict.rule, test.rule, verdict.reason)

    def test_ci_example_is_headless(self):
        path = os.path.join(REPOSITORY, "examples", "policies", "ci.yaml")
        with agentguard.Policy.from_file(path) as policy:
            self.assertIs(policy.mode, Mode.DONT_ASK)
            self.assertTrue(policy.mode_locked)
            self.assertGreaterEqual(len(policy.tests), 15)
            self.assertEqual(policy.warnings, ())
            self.assertNotIn(Decision.ASK, {test.expect for test in policy.tests})


class DigestTest(unittest.TestCase):
    def test_digest_hashes_netstrings(self):
        allow = b'allow: ["Bash(ls)"]\n'
        deny = b'deny: ["Bash(rm *)"]\n'
        with agentguard.PolicyBuilder() as builder:
            builder.add_string(allow, name="a.yaml")
            builder.add_string(deny, name="b.yaml")
            policy = builder.build()
        expected = hashlib.sha256(
            netstring(b"a.yaml") + netstring(allow) + netstring(b"b.yaml") + netstring(deny))
        with policy:
            self.assertEqual(policy.digest, expected.hexdigest())

    def test_digest_depends_on_name_and_order(self):
        with agentguard.Policy.from_string("allow: []\n", name="a.yaml") as first, \
                agentguard.Policy.from_string("allow: []\n", name="a.yaml") as same, \
                agentguard.Policy.from_string("allow: []\n", name="b.yaml") as renamed:
            self.assertEqual(first.digest, same.digest)
            self.assertNotEqual(first.digest, renamed.digest)

    def test_default_policy_digest(self):
        text = agentguard.default_policy_text().encode()
        expected = hashlib.sha256(netstring(b"<default>") + netstring(text)).hexdigest()
        with agentguard.Policy.default() as policy:
            self.assertEqual(policy.digest, expected)

    def test_file_digest_uses_path_as_given(self):
        path = policy_path("basic")
        with open(path, "rb") as policy_file:
            text = policy_file.read()
        expected = hashlib.sha256(netstring(path.encode()) + netstring(text)).hexdigest()
        with agentguard.Policy.from_file(path) as policy:
            self.assertEqual(policy.digest, expected)

    def test_closed_policy_raises(self):
        policy = agentguard.Policy.default()
        policy.close()
        for name in ("digest", "warnings", "tests", "mode", "mode_locked"):
            with self.subTest(name=name):
                with self.assertRaises(agentguard.ClosedError):
                    getattr(policy, name)


class Sha256Test(unittest.TestCase):
    def test_matches_hashlib(self):
        for data in (b"", b"abc", bytes(range(256)) * 40, "é\0x"):
            with self.subTest(length=len(data)):
                raw = data.encode() if isinstance(data, str) else data
                self.assertEqual(agentguard.sha256_hex(data), hashlib.sha256(raw).hexdigest())

    def test_accepts_buffers(self):
        expected = hashlib.sha256(b"abc").hexdigest()
        self.assertEqual(agentguard.sha256_hex(bytearray(b"abc")), expected)
        self.assertEqual(agentguard.sha256_hex(memoryview(b"xabc")[1:]), expected)

    def test_rejects_other_types(self):
        with self.assertRaises(TypeError):
            agentguard.sha256_hex(42)
        with self.assertRaises(TypeError):
            agentguard.sha256_hex(json)


if __name__ == "__main__":
    unittest.main()
