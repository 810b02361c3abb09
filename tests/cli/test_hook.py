"""Tests of `agentguard hook claude`, run against the built binary.

Each file in hook-inputs/ is a Claude Code PreToolUse input as Claude Code
sends it on standard input. The binary's path comes from the AGENTGUARD
environment variable, which tests/meson.build sets. Each test writes its
policy file into its own temporary directory.
"""

import json
import os
import subprocess
import tempfile
import unittest

AGENTGUARD = os.environ.get("AGENTGUARD", "")
INPUTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hook-inputs")

# Claude Code blocks the tool call when a hook exits with this status.
EXIT_BLOCK = 2

# One rule per line, so each rule's line and column are known: the rule on
# line N starts at column 5.
POLICY = """\
default: ask
allow:
  - "Bash(git status)"
  - "Read(./src/**)"
  - "WebFetch(domain:docs.example.com)"
ask:
  - "Edit(*.lock)"
deny:
  - "Bash(rm -rf *)"
  - "Edit(./.git/**)"
  - "mcp__evil"
"""

# Input file: (decision, deciding rule, its line in POLICY, or None when the default decides).
DECISIONS = {
    "bash-allow.json": ("allow", "Bash(git status)", 3),
    "bash-ask.json": ("ask", None, None),
    "bash-deny.json": ("deny", "Bash(rm -rf *)", 9),
    "read.json": ("allow", "Read(./src/**)", 4),
    "edit.json": ("ask", "Edit(*.lock)", 7),
    "write.json": ("deny", "Edit(./.git/**)", 10),
    "webfetch.json": ("allow", "WebFetch(domain:docs.example.com)", 5),
    "mcp.json": ("deny", "mcp__evil", 11),
}

# Input file: text the message on standard error must contain.
FAILURES = {
    "malformed.json": "not valid JSON",
    "missing-tool-name.json": 'missing "tool_name"',
}


def run(arguments, stdin_text):
    """Run the built binary and return the completed process (text, UTF-8)."""
    return subprocess.run(
        [AGENTGUARD] + arguments,
        input=stdin_text,
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",
        check=False,
    )


def read_input(name):
    with open(os.path.join(INPUTS, name), encoding="utf-8") as file:
        return file.read()


class HookTestCase(unittest.TestCase):
    def setUp(self):
        if not AGENTGUARD or not os.access(AGENTGUARD, os.X_OK):
            self.fail("set AGENTGUARD to the built agentguard binary, "
                      "as tests/meson.build does; got %r" % AGENTGUARD)
        self.directory = tempfile.TemporaryDirectory(prefix="agentguard-hook-")
        self.addCleanup(self.directory.cleanup)
        self.policy = self.write_file("policy.yaml", POLICY)

    def write_file(self, name, text):
        path = os.path.join(self.directory.name, name)
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        return path

    def hook(self, stdin_text, *options):
        return run(["hook", "claude", "--policy", self.policy, "--home", "/home/u", *options],
                   stdin_text)

    def assert_decision(self, result, decision):
        """Checks the exact output shape and returns the reason."""
        self.assertEqual(result.returncode, 0,
                         "stdout: %s\nstderr: %s" % (result.stdout, result.stderr))
        self.assertEqual(result.stderr, "")
        self.assertEqual(result.stdout.count("\n"), 1, result.stdout)
        self.assertTrue(result.stdout.endswith("\n"), result.stdout)
        output = json.loads(result.stdout)
        self.assertEqual(set(output), {"hookSpecificOutput"})
        specific = output["hookSpecificOutput"]
        self.assertEqual(set(specific),
                         {"hookEventName", "permissionDecision", "permissionDecisionReason"})
        self.assertEqual(specific["hookEventName"], "PreToolUse")
        self.assertEqual(specific["permissionDecision"], decision)
        self.assertIsInstance(specific["permissionDecisionReason"], str)
        return specific["permissionDecisionReason"]

    def assert_blocked(self, result, message):
        self.assertEqual(result.returncode, EXIT_BLOCK,
                         "stdout: %s\nstderr: %s" % (result.stdout, result.stderr))
        self.assertEqual(result.stdout, "")
        self.assertIn(message, result.stderr)


class RecordedInputTest(HookTestCase):
    def test_every_input_file_has_an_expectation(self):
        names = set(name for name in os.listdir(INPUTS) if name.endswith(".json"))
        self.assertEqual(names, set(DECISIONS) | set(FAILURES))

    def test_decisions(self):
        for name, (decision, rule, line) in DECISIONS.items():
            with self.subTest(input=name):
                reason = self.assert_decision(self.hook(read_input(name)), decision)
                self.assertTrue(reason.startswith("agentguard: "), reason)
                if rule is None:
                    self.assertIn("policy default (ask)", reason)
                    self.assertTrue(reason.endswith(" [no rule decided]"), reason)
                else:
                    self.assertTrue(reason.endswith(" [rule %s at %s:%d:5]"
                                                    % (rule, self.policy, line)), reason)

    def test_failures(self):
        for name, message in FAILURES.items():
            with self.subTest(input=name):
                self.assert_blocked(self.hook(read_input(name)), message)

    def test_permission_mode_is_ignored(self):
        request = json.loads(read_input("bash-deny.json"))
        for mode in ["default", "plan", "acceptEdits", "bypassPermissions"]:
            with self.subTest(mode=mode):
                request["permission_mode"] = mode
                self.assert_decision(self.hook(json.dumps(request)), "deny")

    def test_input_mode_cannot_lower_mode_option(self):
        request = json.loads(read_input("bash-ask.json"))
        for mode in ["default", "acceptEdits", "bypassPermissions", "plan", "nonsense"]:
            with self.subTest(mode=mode):
                request["permission_mode"] = mode
                result = self.hook(json.dumps(request), "--mode", "dontAsk")
                self.assert_decision(result, "deny")

    def test_stricter_input_mode_applies(self):
        request = json.loads(read_input("bash-ask.json"))
        request["permission_mode"] = "dontAsk"
        self.assert_decision(self.hook(json.dumps(request), "--mode", "acceptEdits"), "deny")
        request["permission_mode"] = "bypassPermissions"
        self.assert_decision(self.hook(json.dumps(request)), "allow")

    def test_project_lock_does_not_beat_input_mode(self):
        # A project file asks for a locked bypassPermissions; the user's lock
        # and the input's "default" keep the call at ask.
        user = self.write_file("user.yaml", "mode: default\nmode_locked: true\n")
        project = self.write_file("project.yaml",
                                  "mode: bypassPermissions\nmode_locked: true\n")
        request = json.loads(read_input("bash-ask.json"))
        request["permission_mode"] = "default"
        result = run(["hook", "claude", "--home", "/home/u", "--user-settings", user,
                      "--project-settings", project], json.dumps(request))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("'mode_locked' is ignored in the project layer", result.stderr)
        decision = json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"]
        self.assertEqual(decision, "ask")

        # Without the user's policy, the input's mode applies over the project's lock.
        request["permission_mode"] = "acceptEdits"
        request["tool_input"]["command"] = "touch a"
        result = run(["hook", "claude", "--home", "/home/u", "--project-settings", project],
                     json.dumps(request))
        decision = json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"]
        self.assertEqual(decision, "allow")


class MalformedInputTest(HookTestCase):
    CASES = [
        ("", "not valid JSON"),
        ("[]", "not a JSON object"),
        ('{"tool_name": 7, "tool_input": {}}', '"tool_name" is not a string'),
        ('{"tool_name": "Bash"}', 'missing "tool_input"'),
        ('{"tool_name": "Bash", "tool_input": "rm -rf /"}', '"tool_input" is not an object'),
        ('{"tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": 1}', '"cwd" is not a string'),
        ('{"tool_name": "Bash", "tool_name": "Read", "tool_input": {}}', "not valid JSON"),
        ('{"tool_name": "Bash", "tool_input": {"command": "ls"}} {}', "not valid JSON"),
        ('{"hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_input": {}}',
         '"hook_event_name" is not "PreToolUse"'),
        ('{"tool_name": "Bash", "tool_input": {"command": "ls \\u0000"}}',
         "the input is malformed (line 1, column 59: a string contains a NUL character "
         "(\\u0000), which no tool input may hold)"),
        ('{"tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": "repo"}',
         'the cwd "repo" is not an absolute path; give an absolute path or omit cwd'),
    ]

    def test_messages_name_no_internals(self):
        for text in ['{"tool_name": "Bash", "tool_input": {"command": "ls \\u0000"}}',
                     '{"tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": "repo"}']:
            with self.subTest(input=text):
                result = self.hook(text)
                self.assertNotIn("JSON_ALLOW_NUL", result.stderr)
                self.assertNotIn("ag_check", result.stderr)
                self.assertNotIn("error[", result.stderr)

    def test_malformed_inputs_are_blocked(self):
        for text, message in self.CASES:
            with self.subTest(input=text):
                self.assert_blocked(self.hook(text), message)

    def test_malformed_tool_input_fields_get_deny(self):
        # Well-formed hook input whose tool input the library rejects.
        text = '{"tool_name": "Bash", "tool_input": {"command": 5}, "cwd": "/repo"}'
        reason = self.assert_decision(self.hook(text), "deny")
        self.assertIn("[error AG_ERR_REQUEST]", reason)


class OptionAndPolicyTest(HookTestCase):
    def test_unreadable_policy_is_blocked(self):
        missing = os.path.join(self.directory.name, "missing.yaml")
        result = run(["hook", "claude", "--policy", missing], read_input("bash-allow.json"))
        self.assert_blocked(result, "the policy could not be loaded")
        self.assertIn(missing, result.stderr)

    def test_invalid_policy_is_blocked(self):
        bad = self.write_file("bad.yaml", "default: maybe\n")
        result = run(["hook", "claude", "--policy", bad], read_input("bash-allow.json"))
        self.assert_blocked(result, "the policy could not be loaded")

    def test_usage_errors_block(self):
        for arguments in [["hook"], ["hook", "codex"], ["hook", "claude", "--bogus"],
                          ["hook", "claude", "extra"], ["hook", "claude", "--home", "relative"]]:
            with self.subTest(arguments=arguments):
                result = run(arguments, read_input("bash-allow.json"))
                self.assertEqual(result.returncode, EXIT_BLOCK, result.stderr)
                self.assertEqual(result.stdout, "")
                self.assertNotEqual(result.stderr, "")

    def test_help(self):
        for arguments in [["hook", "--help"], ["hook", "claude", "--help"]]:
            with self.subTest(arguments=arguments):
                result = run(arguments, "")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertIn("agentguard hook claude", result.stdout)
        result = run(["--help"], "")
        self.assertIn("hook claude", result.stdout)

    def test_default_policy_without_policy_option(self):
        result = run(["hook", "claude", "--home", "/home/u"], read_input("bash-deny.json"))
        self.assertEqual(result.returncode, 0, result.stderr)
        decision = json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"]
        self.assertIn(decision, {"ask", "deny"})


if __name__ == "__main__":
    unittest.main()
