"""Behaviour of the Python API: policies, checkers, verdicts and errors."""

import ctypes
import dataclasses
import os
import tempfile
import unittest

from support import CASE_CWD, load_policy, policy_path

import agentguard
from agentguard import Decision, Status


def write_temporary(test, name, text):
    """Write `text` to a file `name` in a directory removed after `test`."""
    directory = tempfile.TemporaryDirectory()
    test.addCleanup(directory.cleanup)
    path = os.path.join(directory.name, name)
    with open(path, "w", encoding="utf-8") as output:
        output.write(text)
    return path


class EnumTest(unittest.TestCase):
    def test_decision_values_match_c(self):
        self.assertEqual(Decision.ALLOW.value, 0)
        self.assertEqual(Decision.ASK.value, 1)
        self.assertEqual(Decision.DENY.value, 2)

    def test_decision_str_is_c_name(self):
        self.assertEqual([str(d) for d in Decision], ["allow", "ask", "deny"])

    def test_status_values_match_c(self):
        self.assertEqual(Status.OK, 0)
        self.assertEqual(Status.IO, 3)
        self.assertEqual(Status.YAML, 4)
        self.assertEqual(Status.POLICY_KEY, 5)
        self.assertEqual(Status.REQUEST, 9)
        self.assertEqual(Status.INTERNAL, 11)


class PolicyTest(unittest.TestCase):
    def test_from_file_counts_rules(self):
        with load_policy("basic") as policy:
            self.assertGreater(policy.rule_count, 0)

    def test_from_string_names_source(self):
        text = 'default: ask\nallow:\n  - "Bash(make *)"\n'
        with agentguard.Policy.from_string(text, name="inline.yaml") as policy, \
                agentguard.Checker(policy) as checker:
            verdict = checker.check_command("make all")
        self.assertEqual(verdict.decision, Decision.ALLOW)
        self.assertEqual(verdict.rule, "Bash(make *)")
        self.assertEqual(verdict.source, "inline.yaml:3:5")

    def test_from_string_accepts_bytes(self):
        with agentguard.Policy.from_string(b'allow: ["Bash(make)"]\n') as policy:
            self.assertEqual(policy.rule_count, 1)

    def test_from_files_combines_rules(self):
        paths = [policy_path("allow-default"), policy_path("basic")]
        with agentguard.Policy.from_files(paths) as policy, \
                agentguard.Checker(policy) as checker:
            removal = checker.check_command("rm notes.txt")
            unknown = checker.check_command("make")
        self.assertEqual(removal.decision, Decision.DENY)
        self.assertEqual(removal.rule, "Bash(rm *)")
        self.assertTrue(removal.source.endswith("allow-default.yaml:4:5"), removal.source)
        # The strictest default wins: ask from basic.yaml over allow from allow-default.yaml.
        self.assertEqual(unknown.decision, Decision.ASK)
        self.assertIsNone(unknown.rule)

    def test_from_files_empty_is_default(self):
        with agentguard.Policy.from_files([]) as built, agentguard.Policy.default() as default:
            self.assertEqual(built.rule_count, default.rule_count)

    def test_from_files_rejects_single_path(self):
        with self.assertRaises(TypeError):
            agentguard.Policy.from_files(policy_path("basic"))

    def test_builder_mixes_files_and_strings(self):
        with agentguard.PolicyBuilder() as builder:
            builder.add_file(policy_path("basic"))
            builder.add_string('allow: ["Bash(make *)"]\n', name="extra.yaml")
            policy = builder.build()
        with policy, agentguard.Checker(policy) as checker:
            verdict = checker.check_command("make test")
        self.assertEqual(verdict.decision, Decision.ALLOW)
        self.assertEqual(verdict.source, "extra.yaml:1:9")

    def test_builder_keeps_state_after_error(self):
        with agentguard.PolicyBuilder() as builder:
            builder.add_string('allow: ["Bash(make *)"]\n', name="good.yaml")
            with self.assertRaises(agentguard.PolicyError):
                builder.add_string("allow: [\n", name="broken.yaml")
            policy = builder.build()
        with policy:
            self.assertEqual(policy.rule_count, 1)

    def test_default_policy_text_is_yaml(self):
        text = agentguard.default_policy_text()
        self.assertIsInstance(text, str)
        self.assertIn("default:", text)

    def test_constructor_is_private(self):
        with self.assertRaises(TypeError):
            agentguard.Policy(None, None)


class PolicyErrorTest(unittest.TestCase):
    def test_missing_file_is_io(self):
        path = os.path.join(tempfile.gettempdir(), "agentguard-no-such-policy.yaml")
        with self.assertRaises(agentguard.PolicyError) as raised:
            agentguard.Policy.from_file(path)
        self.assertEqual(raised.exception.code, Status.IO)
        self.assertIn(path, raised.exception.message)
        self.assertIsInstance(raised.exception, agentguard.Error)

    def test_bad_yaml_has_location(self):
        path = write_temporary(self, "broken.yaml", 'default: ask\nallow: ["Bash(ls)"\n')
        with self.assertRaises(agentguard.PolicyError) as raised:
            agentguard.Policy.from_file(path)
        error = raised.exception
        self.assertEqual(error.code, Status.YAML)
        self.assertEqual(error.file, path)
        self.assertGreaterEqual(error.line, 2)
        self.assertGreaterEqual(error.column, 1)
        self.assertTrue(error.message.startswith(f"{path}:{error.line}:{error.column}: "),
                        error.message)
        self.assertEqual(str(error), error.message)

    def test_unknown_key_has_location(self):
        path = write_temporary(self, "typo.yaml", 'default: ask\nalow:\n  - "Bash(ls)"\n')
        with self.assertRaises(agentguard.PolicyError) as raised:
            agentguard.Policy.from_file(path)
        error = raised.exception
        self.assertEqual(error.code, Status.POLICY_KEY)
        self.assertEqual(error.file, path)
        self.assertEqual((error.line, error.column), (2, 1))

    def test_bad_rule_is_rule_error(self):
        with self.assertRaises(agentguard.PolicyError) as raised:
            agentguard.Policy.from_string('deny:\n  - "Bash(rm"\n', name="rules.yaml")
        self.assertIn(raised.exception.code, (Status.RULE, Status.PATTERN))
        self.assertEqual(raised.exception.file, "rules.yaml")
        self.assertEqual(raised.exception.line, 2)

    def test_nul_in_path_raises(self):
        with self.assertRaises(ValueError):
            agentguard.Policy.from_file("policy\0.yaml")


class ClosedObjectTest(unittest.TestCase):
    def test_closed_checker_raises(self):
        with load_policy("basic") as policy:
            checker = agentguard.Checker(policy)
            checker.close()
            self.assertTrue(checker.closed)
            with self.assertRaises(agentguard.ClosedError):
                checker.check_command("ls")
            with self.assertRaises(agentguard.ClosedError):
                checker.check("Read", {"file_path": "/etc/hosts"})
            checker.close()

    def test_closed_error_is_value_error(self):
        self.assertTrue(issubclass(agentguard.ClosedError, ValueError))
        self.assertTrue(issubclass(agentguard.ClosedError, agentguard.Error))

    def test_closed_policy_rejects_new_checker(self):
        policy = load_policy("basic")
        policy.close()
        self.assertTrue(policy.closed)
        with self.assertRaises(agentguard.ClosedError):
            agentguard.Checker(policy)
        with self.assertRaises(agentguard.ClosedError):
            policy.rule_count
        policy.close()

    def test_policy_outlives_open_checker(self):
        policy = load_policy("basic")
        checker = agentguard.Checker(policy)
        policy.close()
        # The C policy stays alive until its last checker is closed.
        self.assertEqual(checker.check_command("rm -rf /").decision, Decision.DENY)
        checker.close()
        self.assertIsNone(policy._handle)

    def test_checker_keeps_policy_reference(self):
        checker = agentguard.Checker(load_policy("basic"))
        self.assertEqual(checker.check_command("git status").decision, Decision.ALLOW)
        checker.close()

    def test_closed_builder_raises(self):
        builder = agentguard.PolicyBuilder()
        builder.close()
        with self.assertRaises(agentguard.ClosedError):
            builder.add_file(policy_path("basic"))
        with self.assertRaises(agentguard.ClosedError):
            builder.build()


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.policy = load_policy("basic")
        self.checker = agentguard.Checker(self.policy)
        self.addCleanup(self.policy.close)
        self.addCleanup(self.checker.close)

    def test_span_points_at_deciding_command(self):
        verdict = self.checker.check_command("git status && rm -rf /tmp/x; ls")
        self.assertEqual(verdict.decision, Decision.DENY)
        self.assertEqual(verdict.span, (14, 27))

    def test_command_list_has_every_command(self):
        verdict = self.checker.check_command('git status && echo "a  b" $X')
        self.assertEqual(len(verdict.commands), 2)
        first, second = verdict.commands
        self.assertEqual(first.argv, ("git", "status"))
        self.assertEqual(first.decision, Decision.ALLOW)
        self.assertEqual(first.rule, "Bash(git status)")
        self.assertTrue(first.source.endswith("basic.yaml:5:5"), first.source)
        self.assertEqual(first.span, (0, 10))
        self.assertEqual(second.argv, ("echo", "a  b", "\x01"))
        self.assertEqual(second.dynamic, (False, False, True))

    def test_non_utf8_word_round_trips(self):
        verdict = self.checker.check_command(b"echo \xff\xfe")
        word = verdict.commands[0].argv[1]
        self.assertEqual(word, "\udcff\udcfe")
        self.assertEqual(word.encode("utf-8", "surrogateescape"), b"\xff\xfe")

    def test_span_counts_utf8_bytes(self):
        verdict = self.checker.check_command("echo é; rm -rf /")
        self.assertEqual(verdict.decision, Decision.DENY)
        self.assertEqual(verdict.span, (9, 17))

    def test_nul_byte_cannot_hide_command(self):
        for command in ("git status\0; rm -rf /", b"git status\0; rm -rf /"):
            with self.subTest(command=command):
                verdict = self.checker.check_command(command)
                self.assertNotEqual(verdict.decision, Decision.ALLOW)

    def test_nul_byte_in_json_command(self):
        verdict = self.checker.check("Bash", {"command": "git status\0; rm -rf /"})
        self.assertNotEqual(verdict.decision, Decision.ALLOW)

    def test_nul_byte_in_arguments_raises(self):
        with self.assertRaises(ValueError):
            self.checker.check("Bash\0", {"command": "ls"})
        with self.assertRaises(ValueError):
            self.checker.check("Bash", '{"command": "ls"}\0')
        with self.assertRaises(ValueError):
            self.checker.check_command("ls", cwd="/repo\0")

    def test_relative_cwd_raises(self):
        for cwd in ("repo", "./repo", "../repo", ""):
            with self.subTest(cwd=cwd):
                with self.assertRaises(ValueError):
                    self.checker.check_command("cat .env", cwd=cwd)
                with self.assertRaises(ValueError):
                    self.checker.check("Read", {"file_path": ".env"}, cwd=cwd)

    def test_check_accepts_json_text(self):
        verdict = self.checker.check("Bash", '{"command": "rm -rf /"}', cwd=CASE_CWD)
        self.assertEqual(verdict.decision, Decision.DENY)
        self.assertEqual(verdict.rule, "Bash(rm -rf *)")

    def test_malformed_input_is_deny(self):
        verdict = self.checker.check("Bash", '{"command": ')
        self.assertEqual(verdict.decision, Decision.DENY)
        self.assertEqual(verdict.error, "AG_ERR_REQUEST")
        self.assertIsNone(verdict.rule)

    def test_error_message_names_problem(self):
        verdict = self.checker.check("Bash", {"command": 5})
        self.assertEqual(verdict.error, "AG_ERR_REQUEST")
        self.assertEqual(verdict.error_message,
                         'the Bash tool input\'s "command" is not a string')

    def test_wrong_input_type_raises(self):
        with self.assertRaises(TypeError):
            self.checker.check("Bash", ["ls"])
        with self.assertRaises(TypeError):
            self.checker.check_command(42)
        with self.assertRaises(ValueError):
            self.checker.check("Bash", {"command": float("nan")})

    def test_wrong_tool_name_type_named(self):
        with self.assertRaisesRegex(TypeError, "^tool name must be str, bytes or a path-like "
                                               "object, not NoneType$"):
            self.checker.check(None, {"command": "ls"})
        with self.assertRaisesRegex(TypeError, "^cwd must be str, bytes or a path-like object, "
                                               "not int$"):
            self.checker.check_command("ls", cwd=3)

    def test_verdict_is_immutable(self):
        verdict = self.checker.check_command("rm -rf /")
        with self.assertRaises(dataclasses.FrozenInstanceError):
            verdict.decision = Decision.ALLOW

    def test_verdict_survives_next_check(self):
        denied = self.checker.check_command("rm -rf /")
        allowed = self.checker.check_command("git status")
        self.assertEqual(denied.decision, Decision.DENY)
        self.assertEqual(denied.rule, "Bash(rm -rf *)")
        self.assertEqual(denied.commands[0].argv, ("rm", "-rf", "/"))
        self.assertEqual(allowed.decision, Decision.ALLOW)

    def test_verdict_without_error(self):
        verdict = self.checker.check_command("git status")
        self.assertIsNone(verdict.error)
        self.assertIsNone(verdict.error_message)
        self.assertIsInstance(verdict.reason, str)
        self.assertNotEqual(verdict.reason, "")

    def test_null_verdict_raises(self):
        # ag_check returns NULL only when memory runs out, which a test cannot
        # cause, so this feeds the NULL result to the copying step directly.
        with self.assertRaises(agentguard.Error):
            self.checker._copy(None, ctypes.c_void_p())

    def test_read_tool(self):
        verdict = self.checker.check("Read", {"file_path": "/repo/README.md"}, cwd=CASE_CWD)
        self.assertEqual(verdict.decision, Decision.ALLOW)
        self.assertEqual(verdict.rule, "Read")
        self.assertEqual(verdict.commands, ())


class ShortcutTest(unittest.TestCase):
    def test_default_policy_denies_home_removal(self):
        verdict = agentguard.check_command("git status && rm -rf ~/")
        self.assertEqual(verdict.decision, Decision.DENY)

    def test_explicit_policy(self):
        with load_policy("basic") as policy:
            verdict = agentguard.check_command("git status", policy)
        self.assertEqual(verdict.decision, Decision.ALLOW)


if __name__ == "__main__":
    unittest.main()
