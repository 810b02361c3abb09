"""Tests of the agentguard command-line tool, run against the built binary.

The binary's path comes from the AGENTGUARD environment variable, which
tests/meson.build sets. Each test writes its policy files into its own
temporary directory.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

AGENTGUARD = os.environ.get("AGENTGUARD", "")

EXIT_ALLOW = 0
EXIT_USAGE = 1
EXIT_DENY = 2
EXIT_ASK = 3

VERDICT_FIELDS = {"decision", "reason", "rule", "source", "span", "commands", "effects"}
COMMAND_FIELDS = {"argv", "dynamic", "decision", "rule", "source", "span"}

# Plain block scalars, so each rule's line and column are known: the deny
# rule starts at line 5, column 5.
POLICY = """\
default: ask
allow:
  - Bash(git status)
deny:
  - Bash(rm -rf *)
"""


def environment_without_cdpath():
    """Return this process's environment without CDPATH, which the CLI reads by default."""
    return {name: value for name, value in os.environ.items() if name != "CDPATH"}


def run(arguments, stdin_text=None, env=None):
    """Run the built binary and return the completed process (text, UTF-8).

    The binary gets `env`, or this process's environment without CDPATH, so
    that a CDPATH of the shell that runs the tests changes no verdict.
    """
    return subprocess.run(
        [AGENTGUARD] + arguments,
        input=stdin_text,
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",
        check=False,
        env=environment_without_cdpath() if env is None else env,
    )


class CliTestCase(unittest.TestCase):
    def setUp(self):
        if not AGENTGUARD or not os.access(AGENTGUARD, os.X_OK):
            self.fail("set AGENTGUARD to the built agentguard binary, "
                      "as tests/meson.build does; got %r" % AGENTGUARD)
        self.directory = tempfile.TemporaryDirectory(prefix="agentguard-cli-")
        self.addCleanup(self.directory.cleanup)
        self.policy = self.write_file("policy.yaml", POLICY)

    def write_file(self, name, text):
        path = os.path.join(self.directory.name, name)
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        return path

    def check(self, command, *options):
        return run(["check", "--policy", self.policy, *options, "--", command])

    def check_json(self, command, *options):
        result = self.check(command, "--json", *options)
        self.assertEqual(result.stdout.count("\n"), 1, result.stdout)
        return result, json.loads(result.stdout)

    def assert_exit(self, result, status):
        self.assertEqual(result.returncode, status,
                         "stdout: %s\nstderr: %s" % (result.stdout, result.stderr))


class CheckExitStatusTest(CliTestCase):
    CASES = [
        ("git status", EXIT_ALLOW),
        ("rm -rf /tmp/x", EXIT_DENY),
        ("git status && rm -rf x", EXIT_DENY),
        ("make", EXIT_ASK),
        ("echo $(rm -rf x)", EXIT_DENY),
        ("git   status", EXIT_ALLOW),
        ("'git' \"status\"", EXIT_ALLOW),
        ("rm -rf x; git status", EXIT_DENY),
        ("git status | rm -rf x", EXIT_DENY),
        ("git status --short", EXIT_ASK),
    ]

    def test_exit_status_per_decision(self):
        for command, status in self.CASES:
            with self.subTest(command=command):
                self.assert_exit(self.check(command), status)

    def test_plain_output_names_decision_and_rule(self):
        result = self.check("rm -rf /tmp/x")
        self.assert_exit(result, EXIT_DENY)
        first_line = result.stdout.splitlines()[0]
        self.assertTrue(first_line.startswith("deny: "), first_line)
        self.assertIn("Bash(rm -rf *)", result.stdout)
        self.assertIn("policy.yaml:5:5", result.stdout)
        self.assertEqual(result.stderr, "")

    def test_plain_output_default_decision(self):
        result = self.check("make")
        self.assert_exit(result, EXIT_ASK)
        self.assertTrue(result.stdout.startswith("ask: "), result.stdout)
        self.assertIn("no rule decided", result.stdout)

    def test_code_reason_names_wildcard_rule(self):
        self.policy = self.write_file("code.yaml", 'default: ask\nallow: ["Bash(python3 *)"]\n')
        result, verdict = self.check_json("python3 -c 'print(1)'")
        self.assert_exit(result, EXIT_ASK)
        self.assertIn("counts as running code", verdict["reason"])
        self.assertIn("Bash(python3 *)", verdict["reason"])
        self.assertNotIn("no rule matches", verdict["reason"])

    def test_stdin_code_reason_says_stdin(self):
        self.policy = self.write_file("code.yaml", 'default: ask\nallow: ["Bash(python3 *)"]\n')
        result, verdict = self.check_json("python3")
        self.assert_exit(result, EXIT_ASK)
        self.assertIn("may read the program it runs from stdin", verdict["reason"])

    def test_version_option_decided_by_rule(self):
        self.policy = self.write_file("code.yaml", 'default: ask\nallow: ["Bash(python3 *)"]\n')
        result, verdict = self.check_json("python3 --version")
        self.assert_exit(result, EXIT_ALLOW)
        self.assertEqual(verdict["rule"], "Bash(python3 *)")

    def test_plain_output_marks_dynamic_words(self):
        result = self.check("echo $HOME")
        self.assertNotEqual(result.returncode, EXIT_ALLOW, result.stdout)
        self.assertIn("\u2039?\u203a", result.stdout)
        self.assertNotIn("\x01", result.stdout)

    def test_without_policy_uses_default_policy(self):
        result = run(["check", "--json", "rm -rf /"])
        self.assertIn(result.returncode, (EXIT_DENY, EXIT_ASK), result.stdout + result.stderr)
        verdict = json.loads(result.stdout)
        self.assertNotEqual(verdict["decision"], "allow")


class CheckJsonTest(CliTestCase):
    def test_deny_fields(self):
        command = "rm -rf /tmp/x"
        result, verdict = self.check_json(command)
        self.assert_exit(result, EXIT_DENY)
        self.assertEqual(set(verdict), VERDICT_FIELDS)
        self.assertEqual(verdict["decision"], "deny")
        self.assertIsInstance(verdict["reason"], str)
        self.assertNotEqual(verdict["reason"], "")
        self.assertEqual(verdict["rule"], "Bash(rm -rf *)")
        self.assertTrue(verdict["source"].endswith("policy.yaml:5:5"), verdict["source"])
        self.assertEqual(verdict["span"], [0, len(command)])

    def test_deny_command_list(self):
        result, verdict = self.check_json("rm -rf /tmp/x")
        self.assertEqual(len(verdict["commands"]), 1)
        command = verdict["commands"][0]
        self.assertEqual(set(command), COMMAND_FIELDS)
        self.assertEqual(command["argv"], ["rm", "-rf", "/tmp/x"])
        self.assertEqual(command["dynamic"], [False, False, False])
        self.assertEqual(command["decision"], "deny")
        self.assertEqual(command["rule"], "Bash(rm -rf *)")
        self.assertTrue(command["source"].endswith("policy.yaml:5:5"), command["source"])
        self.assertEqual(command["span"], [0, 13])

    def test_unparsed_command_has_error(self):
        result, verdict = self.check_json("if then")
        self.assert_exit(result, EXIT_ASK)
        self.assertTrue(verdict["error"].startswith("the command cannot be fully analysed: "),
                        verdict["error"])
        self.assertEqual(verdict["error_code"], "AG_ERR_REQUEST")

    def test_default_decision_has_null_rule(self):
        result, verdict = self.check_json("make")
        self.assert_exit(result, EXIT_ASK)
        self.assertEqual(verdict["decision"], "ask")
        self.assertIsNone(verdict["rule"])
        self.assertIsNone(verdict["source"])
        self.assertNotIn("error", verdict)
        self.assertNotIn("error_code", verdict)
        self.assertEqual(verdict["commands"][0]["argv"], ["make"])
        self.assertIsNone(verdict["commands"][0]["rule"])

    def test_list_decided_by_strictest_command(self):
        command = "git status && rm -rf x"
        result, verdict = self.check_json(command)
        self.assert_exit(result, EXIT_DENY)
        commands = verdict["commands"]
        self.assertEqual([c["argv"] for c in commands], [["git", "status"], ["rm", "-rf", "x"]])
        self.assertEqual([c["decision"] for c in commands], ["allow", "deny"])
        self.assertEqual(commands[0]["rule"], "Bash(git status)")
        self.assertEqual(verdict["span"], commands[1]["span"])
        start, end = verdict["span"]
        self.assertEqual(command[start:end], "rm -rf x")

    def test_quotes_removed_from_words(self):
        result, verdict = self.check_json("'git' \"status\"")
        self.assert_exit(result, EXIT_ALLOW)
        self.assertEqual(verdict["commands"][0]["argv"], ["git", "status"])

    def test_dynamic_word_as_u0001(self):
        result, verdict = self.check_json("echo $HOME")
        self.assertNotEqual(verdict["decision"], "allow")
        self.assertIn("\\u0001", result.stdout)
        command = verdict["commands"][0]
        self.assertEqual(command["argv"][0], "echo")
        self.assertIn("\x01", command["argv"][1])
        self.assertEqual(command["dynamic"], [False, True])

    def test_dynamic_target_as_marker(self):
        result, verdict = self.check_json("rm $X/y")
        self.assertNotEqual(verdict["decision"], "allow")
        self.assertEqual(verdict["effects"][0]["target"], "\u2039?\u203a/y")
        self.assertEqual(verdict["commands"][0]["argv"], ["rm", "\x01/y"])

    def test_substitution_command_listed(self):
        result, verdict = self.check_json("echo $(rm -rf x)")
        self.assert_exit(result, EXIT_DENY)
        argvs = [c["argv"] for c in verdict["commands"]]
        self.assertIn(["rm", "-rf", "x"], argvs)


class CheckArgumentsTest(CliTestCase):
    def test_double_dash_allows_leading_dash(self):
        result = run(["check", "--policy", self.policy, "--json", "--", "-rf"])
        self.assertNotEqual(result.returncode, EXIT_USAGE, result.stderr)
        self.assertEqual(json.loads(result.stdout)["commands"][0]["argv"], ["-rf"])

    def test_options_end_at_command(self):
        # Without '+' ordering, getopt would read -rf as options of check.
        result = run(["check", "--policy", self.policy, "rm -rf /tmp/x"])
        self.assert_exit(result, EXIT_DENY)

    def test_option_after_command_rejected(self):
        result = run(["check", "--policy", self.policy, "git status", "--json"])
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("expected one COMMAND", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_missing_command(self):
        result = run(["check", "--policy", self.policy])
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("missing COMMAND", result.stderr)
        self.assertIn("--help", result.stderr)

    def test_missing_command_after_double_dash(self):
        result = run(["check", "--"])
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("missing COMMAND", result.stderr)

    def test_unknown_option(self):
        result = run(["check", "--frobnicate", "ls"])
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("'--frobnicate'", result.stderr)
        self.assertIn("agentguard check --help", result.stderr)

    def test_unknown_short_option(self):
        result = run(["check", "-z", "ls"])
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("'-z'", result.stderr)

    def test_option_missing_argument(self):
        result = run(["check", "--policy"])
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("'--policy' requires an argument", result.stderr)

    def test_cwd_accepted(self):
        for options in (["--cwd", self.directory.name], ["-C", "/nonexistent/dir"]):
            with self.subTest(options=options):
                self.assert_exit(self.check("git status", *options), EXIT_ALLOW)
                self.assert_exit(self.check("rm -rf x", *options), EXIT_DENY)

    def test_relative_cwd_rejected(self):
        for subcommand in (["check", "git status"], ["explain", "git status"], ["eval"]):
            with self.subTest(subcommand=subcommand[0]):
                result = run([subcommand[0], "--cwd", "repo", *subcommand[1:]], "")
                self.assert_exit(result, EXIT_USAGE)
                self.assertIn("--cwd needs an absolute path, not 'repo'", result.stderr)

    def test_cwd_missing_argument(self):
        result = run(["check", "git status", "--cwd"])
        self.assert_exit(result, EXIT_USAGE)
        result = run(["check", "--cwd"])
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("'--cwd' requires an argument", result.stderr)


class SharedOptionsTest(CliTestCase):
    """check, eval, hook claude and explain read their options with one parser."""

    SUBCOMMANDS = (["check"], ["eval"], ["hook", "claude"], ["explain"])

    # Mistakes in the options every subcommand takes. --m is ambiguous
    # (--mode, --managed-settings).
    MISTAKES = (["--policy"], ["-C"], ["--home"], ["--cdpath"], ["--mode", "bogus"],
                ["--user-settings"], ["--m", "x"], ["--frobnicate"], ["-z"], ["--help=x"])

    def error_line(self, subcommand, options):
        result = run([*subcommand, *options], "")
        self.assertNotEqual(result.returncode, EXIT_ALLOW, result.stderr)
        name = " ".join(subcommand)
        return result.stderr.replace("agentguard " + name, "agentguard SUBCOMMAND")

    def test_same_errors_in_every_subcommand(self):
        for options in self.MISTAKES:
            expected = self.error_line(["check"], options)
            for subcommand in self.SUBCOMMANDS[1:]:
                with self.subTest(options=options, subcommand=subcommand):
                    self.assertEqual(self.error_line(subcommand, options), expected)

    def test_cluster_missing_argument(self):
        for subcommand in ("check", "explain"):
            with self.subTest(subcommand=subcommand):
                result = run([subcommand, "-jp"])
                self.assert_exit(result, EXIT_USAGE)
                self.assertIn("option '-p' requires an argument", result.stderr)

    def test_options_of_other_subcommands_unknown(self):
        cases = ((["check"], "--tool"), (["check"], "-i"), (["eval"], "--json"),
                 (["hook", "claude"], "-j"), (["explain"], "--audit"))
        for subcommand, option in cases:
            with self.subTest(subcommand=subcommand, option=option):
                result = run([*subcommand, option, "x", "--", "ls"], "")
                self.assertNotEqual(result.returncode, EXIT_ALLOW, result.stderr)
                self.assertIn("unknown option '%s'" % option, result.stderr)

    def test_explain_takes_place_options(self):
        result = run(["explain", "--policy", self.policy, "-C", self.directory.name,
                      "-H", "/home/u", "--cdpath", "/home/u", "--mode", "plan",
                      "--user-settings", self.policy, "--", "rm -rf x"])
        self.assert_exit(result, EXIT_DENY)
        self.assertIn("decision: deny", result.stdout.splitlines())


class PolicyFilesTest(CliTestCase):
    def test_several_policies_combine(self):
        allow_git = self.write_file("git.yaml", "allow:\n  - Bash(git status)\n")
        deny_rm = self.write_file("rm.yaml", "default: ask\ndeny:\n  - Bash(rm -rf *)\n")
        cases = [("git status", EXIT_ALLOW), ("rm -rf /", EXIT_DENY), ("make", EXIT_ASK)]
        for command, status in cases:
            with self.subTest(command=command):
                result = run(["check", "-p", allow_git, "--policy", deny_rm, command])
                self.assert_exit(result, status)

    def test_deny_in_second_policy_wins(self):
        allow_rm = self.write_file("allow.yaml", "default: allow\nallow:\n  - Bash(rm *)\n")
        deny_rm = self.write_file("deny.yaml", "deny:\n  - Bash(rm -rf *)\n")
        result = run(["check", "--json", "-p", allow_rm, "-p", deny_rm, "rm -rf /"])
        self.assert_exit(result, EXIT_DENY)
        verdict = json.loads(result.stdout)
        self.assertEqual(verdict["rule"], "Bash(rm -rf *)")
        self.assertTrue(verdict["source"].endswith("deny.yaml:2:5"), verdict["source"])

    def test_strictest_default_wins(self):
        lenient = self.write_file("lenient.yaml", "default: allow\n")
        strict = self.write_file("strict.yaml", "default: deny\n")
        result = run(["check", "-p", lenient, "-p", strict, "make"])
        self.assert_exit(result, EXIT_DENY)

    def test_unknown_key_reports_location(self):
        bad = self.write_file("bad.yaml", "default: ask\nallow:\n  - Bash(ls)\ncolour: red\n")
        result = run(["check", "--policy", self.policy, "--policy", bad, "ls"])
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("bad.yaml:4:1", result.stderr)
        self.assertIn("AG_ERR_POLICY_KEY", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_invalid_yaml_reports_location(self):
        bad = self.write_file("broken.yaml", "allow:\n  - [unclosed\n")
        result = run(["check", "--policy", bad, "ls"])
        self.assert_exit(result, EXIT_USAGE)
        self.assertRegex(result.stderr, r"broken\.yaml:\d+:\d+")
        self.assertEqual(result.stdout, "")

    def test_missing_file_names_path(self):
        path = os.path.join(self.directory.name, "absent.yaml")
        result = run(["check", "--policy", path, "ls"])
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("absent.yaml", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_bad_policy_stops_eval(self):
        bad = self.write_file("bad.yaml", "deny:\n  - Bash(\n")
        request = json.dumps({"tool_name": "Bash", "tool_input": {"command": "ls"}})
        result = run(["eval", "--policy", bad], request + "\n")
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("bad.yaml:2:", result.stderr)
        self.assertEqual(result.stdout, "")


def bash_request(command, **fields):
    request = {"tool_name": "Bash", "tool_input": {"command": command}}
    request.update(fields)
    return json.dumps(request)


class EvalTest(CliTestCase):
    def evaluate(self, lines, *options):
        result = run(["eval", "--policy", self.policy, *options], "".join(lines))
        self.assert_exit(result, 0)
        return [json.loads(line) for line in result.stdout.splitlines()]

    def test_one_verdict_per_request_in_order(self):
        verdicts = self.evaluate([
            bash_request("git status", cwd="/repo") + "\n",
            bash_request("rm -rf /tmp/x") + "\n",
            bash_request("make") + "\n",
        ])
        self.assertEqual([v["line"] for v in verdicts], [1, 2, 3])
        self.assertEqual([v["decision"] for v in verdicts], ["allow", "deny", "ask"])
        self.assertEqual(set(verdicts[1]), VERDICT_FIELDS | {"line"})
        self.assertEqual(verdicts[1]["rule"], "Bash(rm -rf *)")

    def test_mode_from_option_only(self):
        self.policy = self.write_file("touch.yaml", "default: ask\n"
                                      "allow: [\"Bash(touch *)\", \"Edit(./**)\"]\n")
        request = bash_request("touch x", cwd="/repo", permission_mode="plan") + "\n"
        # eval ignores the request's permission_mode; hook claude reads it.
        self.assertEqual(self.evaluate([request])[0]["decision"], "allow")
        self.assertEqual(self.evaluate([request], "--mode", "plan")[0]["decision"], "deny")

    def test_integer_beyond_64_bits_accepted(self):
        self.policy = self.write_file("mcp.yaml", "default: ask\n"
                                      "allow: [mcp__db]\n"
                                      "deny: [\"mcp__db__query(limit:0)\"]\n")
        big = '{"tool_name":"mcp__db__query","tool_input":{"id":18446744073709551615}}\n'
        big_limit = ('{"tool_name":"mcp__db__query",'
                     '"tool_input":{"limit":18446744073709551616}}\n')
        verdicts = self.evaluate([big, big_limit, '{"tool_name":"mcp__db__query",'
                                  '"tool_input":{"limit":0}}\n'])
        self.assertEqual(verdicts[0]["decision"], "allow")
        # The deny rule's field lost its exact text, so the rule could match.
        self.assertEqual(verdicts[1]["decision"], "ask")
        self.assertEqual(verdicts[2]["decision"], "deny")

        hook = run(["hook", "claude", "--policy", self.policy, "--home", "/home/u"],
                   '{"hook_event_name":"PreToolUse","tool_name":"mcp__db__query",'
                   '"tool_input":{"limit":99999999999999999999},"cwd":"/repo"}')
        self.assert_exit(hook, 0)
        self.assertEqual(json.loads(hook.stdout)["hookSpecificOutput"]["permissionDecision"],
                         "ask")

    def test_malformed_lines_denied_run_goes_on(self):
        lines = [
            bash_request("git status") + "\n",                        # 1
            "\n",                                                     # 2 blank
            "not json\n",                                             # 3
            "[1, 2]\n",                                               # 4
            '{"tool_input": {"command": "ls"}}\n',                    # 5
            '{"tool_name": 7, "tool_input": {}}\n',                   # 6
            '{"tool_name": "Bash", "tool_input": "ls"}\n',            # 7
            '{"tool_name": "Bash"}\n',                                # 8
            bash_request("ls", cwd=5) + "\n",                         # 9
            "   \t \n",                                               # 10 blank
            bash_request("rm -rf /tmp/x") + "\n",                     # 11
            '{"tool_name": "Bash", "tool_input": {"command": "git status"}, '
            '"tool_input": {"command": "rm -rf /"}}\n',               # 12
            bash_request("git status"),                               # 13, no newline
        ]
        verdicts = self.evaluate(lines)
        self.assertEqual([v["line"] for v in verdicts], [1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13])
        by_line = {v["line"]: v for v in verdicts}
        self.assertEqual(by_line[1]["decision"], "allow")
        self.assertEqual(by_line[11]["decision"], "deny")
        self.assertEqual(by_line[13]["decision"], "allow")
        problems = {
            3: "invalid JSON",
            4: "not a JSON object",
            5: "tool_name",
            6: "tool_name",
            7: "tool_input",
            8: "tool_input",
            9: "cwd",
            12: "duplicate",
        }
        for line, problem in problems.items():
            with self.subTest(line=line):
                verdict = by_line[line]
                self.assertEqual(verdict["decision"], "deny")
                self.assertTrue(verdict["error"].startswith("line %d: " % line), verdict["error"])
                self.assertIn(problem, verdict["error"])
                self.assertEqual(verdict["error_code"], "AG_ERR_REQUEST")
                self.assertEqual(set(verdict), VERDICT_FIELDS | {"line", "error", "error_code"})

    def test_nul_in_command_denied(self):
        # A host that cuts strings at NUL would see only "git status".
        verdicts = self.evaluate([bash_request("git status\u0000; rm -rf /") + "\n"])
        self.assertEqual(len(verdicts), 1)
        self.assertEqual(verdicts[0]["decision"], "deny")
        self.assertIn("line 1", verdicts[0]["error"])

    def test_malformed_request_error_from_library(self):
        # The library finds these problems; the error still names the line and the problem.
        verdicts = self.evaluate([
            '{"tool_name": "Bash", "tool_input": {}}\n',
            "\n",
            '{"tool_name": "Bash", "tool_input": {"command": 5}}\n',
            '{"tool_name": "WebFetch", "tool_input": {"url": "no-scheme"}}\n',
            '{"tool_name": "Read", "tool_input": {"file_path": 5}}\n',
        ])
        expected = {
            1: 'line 1: the Bash tool input has no "command" field',
            3: 'line 3: the Bash tool input\'s "command" is not a string',
            4: "line 4: the URL `no-scheme` cannot be parsed",
            5: 'line 5: the Read tool input\'s "file_path"',
        }
        self.assertEqual([v["line"] for v in verdicts], list(expected))
        for verdict in verdicts:
            with self.subTest(line=verdict["line"]):
                self.assertEqual(verdict["decision"], "deny")
                self.assertTrue(verdict["error"].startswith(expected[verdict["line"]]),
                                verdict["error"])
                self.assertEqual(verdict["error_code"], "AG_ERR_REQUEST")

    def test_unparsed_command_error(self):
        verdicts = self.evaluate([bash_request("git status") + "\n", bash_request("if then") + "\n"])
        self.assertNotIn("error", verdicts[0])
        self.assertNotIn("error_code", verdicts[0])
        self.assertEqual(verdicts[1]["decision"], "ask")
        self.assertTrue(verdicts[1]["error"].startswith(
            "line 2: the command cannot be fully analysed: Syntax error"), verdicts[1]["error"])
        self.assertEqual(verdicts[1]["error_code"], "AG_ERR_REQUEST")

    def test_crlf_line_endings(self):
        verdicts = self.evaluate([bash_request("git status") + "\r\n",
                                  bash_request("make") + "\r\n"])
        self.assertEqual([v["decision"] for v in verdicts], ["allow", "ask"])

    def test_long_line(self):
        command = "echo " + "a" * 1_000_000
        verdicts = self.evaluate([bash_request(command) + "\n", bash_request("git status") + "\n"])
        self.assertEqual(len(verdicts), 2)
        self.assertIn(verdicts[0]["decision"], ("ask", "deny"))
        self.assertEqual(verdicts[1]["decision"], "allow")

    def test_empty_input(self):
        self.assertEqual(self.evaluate([]), [])
        self.assertEqual(self.evaluate(["\n", "  \n"]), [])

    def test_monitor_and_lsp_in_bypass_mode(self):
        self.policy = self.write_file("monitor.yaml", "default: ask\n"
                                      'deny: ["Bash(rm -rf *)", "Read(~/.ssh/**)"]\n')
        requests = [
            {"tool_name": "Monitor", "tool_input": {"command": "rm -rf /repo/x"}},
            {"tool_name": "Monitor", "tool_input": {"script": "rm -rf /repo/x"}},
            {"tool_name": "LSP", "tool_input": {"filePath": "/home/u/.ssh/id_rsa"}},
            {"tool_name": "LSP", "tool_input": {"query": "main"}},
            {"tool_name": "LSP", "tool_input": {"filePath": "/repo/main.c"}},
        ]
        lines = [json.dumps(dict(request, cwd="/repo")) + "\n" for request in requests]
        verdicts = self.evaluate(lines, "--mode", "bypassPermissions", "--home", "/home/u")
        self.assertEqual([v["decision"] for v in verdicts],
                         ["deny", "ask", "deny", "ask", "allow"])

    def test_relative_cwd_field_denied(self):
        verdicts = self.evaluate([bash_request("git status", cwd="repo") + "\n"])
        problem = 'the cwd "repo" is not an absolute path; give an absolute path or omit cwd'
        self.assertEqual(verdicts[0]["decision"], "deny")
        self.assertEqual(verdicts[0]["error"], "line 1: " + problem)
        self.assertEqual(verdicts[0]["reason"], "invalid request: " + problem)
        self.assertEqual(verdicts[0]["error_code"], "AG_ERR_REQUEST")

    def test_nul_escape_in_json_denied(self):
        line = '{"tool_name": "Bash", "tool_input": {"command": "ls \\u0000"}}\n'
        verdict = self.evaluate([line])[0]
        problem = "a string contains a NUL character (\\u0000), which no tool input may hold"
        self.assertEqual(verdict["decision"], "deny")
        self.assertTrue(verdict["error"].startswith("line 1: " + problem), verdict["error"])
        self.assertNotIn("JSON_ALLOW_NUL", verdict["error"])
        self.assertEqual(verdict["error_code"], "AG_ERR_REQUEST")

    def test_malformed_reasons_read_alike(self):
        verdicts = self.evaluate(["not json\n", "[1]\n", '{"tool_name": "Bash"}\n',
                                  '{"tool_name": "Bash", "tool_input": {"command": 5}}\n'])
        expected = ["invalid request: invalid JSON at column 3: ",
                    "invalid request: the request is not a JSON object",
                    'invalid request: missing "tool_input"',
                    'invalid request: the Bash tool input\'s "command" is not a string']
        for verdict, reason in zip(verdicts, expected):
            with self.subTest(line=verdict["line"]):
                self.assertTrue(verdict["reason"].startswith(reason), verdict["reason"])
                self.assertEqual(verdict["decision"], "deny")

    def test_unknown_cwd_target_as_marker(self):
        verdict = self.evaluate([bash_request("cat notes.txt") + "\n"])[0]
        self.assertEqual([e["target"] for e in verdict["effects"]], ["\u2039?\u203a/notes.txt"])

    def test_cwd_option_and_field_accepted(self):
        verdicts = self.evaluate([bash_request("git status", cwd="/repo") + "\n",
                                  bash_request("rm -rf x") + "\n"],
                                 "--cwd", self.directory.name)
        self.assertEqual([v["decision"] for v in verdicts], ["allow", "deny"])

    def test_unexpected_argument(self):
        result = run(["eval", "--policy", self.policy, "requests.jsonl"], "")
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("'requests.jsonl'", result.stderr)

    def test_json_option_rejected(self):
        result = run(["eval", "--json"], "")
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("'--json'", result.stderr)


class TopLevelTest(unittest.TestCase):
    def setUp(self):
        if not AGENTGUARD or not os.access(AGENTGUARD, os.X_OK):
            self.fail("set AGENTGUARD to the built agentguard binary; got %r" % AGENTGUARD)

    def test_version(self):
        result = run(["--version"])
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"^agentguard \d+\.\d+\.\d+ \(library \d+\.\d+\.\d+, "
                                        r"header \d+\.\d+\.\d+\)\n$")

    def test_help_lists_options(self):
        expectations = [
            ([], ["check", "eval", "--version"]),
            (["check"], ["--policy", "--cwd", "--json", "\u2039?\u203a"]),
            (["eval"], ["--policy", "--cwd", "tool_name"]),
        ]
        for prefix, words in expectations:
            with self.subTest(prefix=prefix):
                result = run(prefix + ["--help"])
                self.assertEqual(result.returncode, 0, result.stderr)
                for word in words:
                    self.assertIn(word, result.stdout)

    def test_unknown_subcommand(self):
        result = run(["frobnicate"])
        self.assertEqual(result.returncode, EXIT_USAGE)
        self.assertIn("'frobnicate'", result.stderr)
        self.assertIn("agentguard --help", result.stderr)

    def test_unknown_top_level_option(self):
        result = run(["--frobnicate"])
        self.assertEqual(result.returncode, EXIT_USAGE)
        self.assertIn("'--frobnicate'", result.stderr)

    def test_missing_subcommand(self):
        result = run([])
        self.assertEqual(result.returncode, EXIT_USAGE)
        self.assertIn("missing subcommand", result.stderr)
        for name in ("check", "eval", "hook", "test", "explain"):
            self.assertIn(name, result.stderr)


EFFECTS_POLICY = """\
allow:
  - "Bash(cat *)"
  - "Bash(echo *)"
  - "Bash(curl *)"
deny:
  - "Read(~/.ssh/**)"
  - "WebFetch(domain:blocked.example)"
"""


class EffectsOutputTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.policy = self.write_file("effects.yaml", EFFECTS_POLICY)

    def test_read_effect_json(self):
        result, verdict = self.check_json("cat ~/.ssh/id_rsa", "--home", "/home/u", "--cwd", "/repo")
        self.assert_exit(result, EXIT_DENY)
        self.assertEqual(verdict["effects"], [{
            "kind": "read", "target": "/home/u/.ssh/id_rsa", "decision": "deny",
            "rule": "Read(~/.ssh/**)", "source": self.policy + ":6:5", "span": [4, 17],
            "command": 0}])
        self.assertEqual(verdict["rule"], "Read(~/.ssh/**)")
        self.assertEqual(verdict["span"], [4, 17])

    def test_home_from_environment(self):
        result = run(["check", "--json", "--policy", self.policy, "--cwd", "/repo", "--",
                      "cat ~/.ssh/id_rsa"])
        self.assert_exit(result, EXIT_DENY)

    def test_network_effect_json(self):
        result, verdict = self.check_json("curl https://blocked.example/x", "--cwd", "/repo")
        self.assert_exit(result, EXIT_DENY)
        self.assertEqual(verdict["effects"][0]["kind"], "network")
        self.assertEqual(verdict["effects"][0]["target"], "blocked.example")

    def test_allowed_effect_listed_in_json(self):
        result, verdict = self.check_json("echo x > out.txt", "--cwd", "/repo")
        self.assert_exit(result, EXIT_ALLOW)
        self.assertEqual(verdict["effects"][0]["kind"], "write")
        self.assertEqual(verdict["effects"][0]["target"], "/repo/out.txt")
        self.assertEqual(verdict["effects"][0]["decision"], "allow")
        self.assertIsNone(verdict["effects"][0]["rule"])

    def test_plain_output_lists_denied_effect(self):
        result = self.check("cat ~/.ssh/id_rsa README", "--home", "/home/u", "--cwd", "/repo")
        self.assert_exit(result, EXIT_DENY)
        self.assertIn("effects:\n  deny  read /home/u/.ssh/id_rsa\n", result.stdout)
        self.assertNotIn("/repo/README", result.stdout)

    def test_eval_has_effects(self):
        request = json.dumps({"tool_name": "Bash", "tool_input": {"command": "cat ~/.ssh/k"},
                              "cwd": "/repo"})
        result = run(["eval", "--policy", self.policy, "--home", "/home/u"], request + "\n")
        self.assert_exit(result, 0)
        verdict = json.loads(result.stdout)
        self.assertEqual(verdict["decision"], "deny")
        self.assertEqual(verdict["effects"][0]["target"], "/home/u/.ssh/k")

    def test_relative_home_rejected(self):
        result = self.check("cat x", "--home", "relative")
        self.assert_exit(result, EXIT_USAGE)
        self.assertIn("--home", result.stderr)


CDPATH_POLICY = """\
default: allow
deny:
  - Read(~/.ssh/**)
"""


class CdpathTest(CliTestCase):
    """`cd .ssh` in /home/u/proj reaches /home/u/.ssh through CDPATH=/home/u."""

    COMMAND = "cd .ssh && cat id_rsa"
    PLACE = ["--home", "/home/u", "--cwd", "/home/u/proj"]

    def setUp(self):
        super().setUp()
        self.policy = self.write_file("cdpath.yaml", CDPATH_POLICY)

    def run_with_cdpath(self, subcommand, cdpath, stdin_text=None, operands=()):
        environment = environment_without_cdpath()
        if cdpath is not None:
            environment["CDPATH"] = cdpath
        arguments = [*subcommand, "--policy", self.policy, *self.PLACE, *operands]
        return run(arguments, stdin_text, env=environment)

    def test_check_option(self):
        result = self.check(self.COMMAND, *self.PLACE, "--cdpath", "/home/u")
        self.assert_exit(result, EXIT_DENY)
        self.assertIn("/home/u/.ssh/id_rsa", result.stdout)

    def test_check_without_cdpath_allows(self):
        result = self.check(self.COMMAND, *self.PLACE)
        self.assert_exit(result, EXIT_ALLOW)

    def test_check_default_from_environment(self):
        result = self.run_with_cdpath(["check"], "/home/u", operands=["--", self.COMMAND])
        self.assert_exit(result, EXIT_DENY)

    def test_empty_option_overrides_environment(self):
        result = self.run_with_cdpath(["check"], "/home/u",
                                      operands=["--cdpath", "", "--", self.COMMAND])
        self.assert_exit(result, EXIT_ALLOW)

    def test_eval_option(self):
        request = json.dumps({"tool_name": "Bash", "tool_input": {"command": self.COMMAND},
                              "cwd": "/home/u/proj"})
        result = run(["eval", "--policy", self.policy, "--home", "/home/u",
                      "--cdpath", "/home/u"], request + "\n")
        self.assert_exit(result, 0)
        self.assertEqual(json.loads(result.stdout)["decision"], "deny")

    def test_hook_claude_default_from_environment(self):
        request = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash",
                              "tool_input": {"command": self.COMMAND},
                              "cwd": "/home/u/proj"})
        result = self.run_with_cdpath(["hook", "claude"], "/home/u", request)
        self.assert_exit(result, 0)
        output = json.loads(result.stdout)["hookSpecificOutput"]
        self.assertEqual(output["permissionDecision"], "deny")

    def test_explain_option(self):
        result = run(["explain", "--policy", self.policy, *self.PLACE, "--cdpath", "/home/u",
                      "--", self.COMMAND])
        self.assert_exit(result, EXIT_DENY)

    def test_help_lists_cdpath(self):
        for subcommand in (["check"], ["eval"], ["hook", "claude"], ["explain"]):
            with self.subTest(subcommand=subcommand):
                result = run([*subcommand, "--help"])
                self.assert_exit(result, 0)
                self.assertIn("--cdpath", result.stdout)


CWD_LINK_POLICY = """\
default: ask
allow:
  - Bash(cat *)
  - Read
deny:
  - Read(./secret)
"""


class CwdThroughLinkTest(CliTestCase):
    """A cwd given through a link (link -> data): ./secret is also data/proj/secret."""

    def setUp(self):
        super().setUp()
        self.policy = self.write_file("cwd-link.yaml", CWD_LINK_POLICY)
        root = self.directory.name
        self.real = os.path.join(root, "data", "proj")
        os.makedirs(self.real)
        os.symlink("data", os.path.join(root, "link"))
        self.linked = os.path.join(root, "link", "proj")

    def test_check_real_path_denied(self):
        for command in ("cat %s/secret" % self.real, "cat ../proj/secret", "cat secret"):
            with self.subTest(command=command):
                self.assert_exit(self.check(command, "--cwd", self.linked), EXIT_DENY)

    def test_check_other_file_allowed(self):
        for command in ("cat %s/other" % self.real, "cat other"):
            with self.subTest(command=command):
                self.assert_exit(self.check(command, "--cwd", self.linked), EXIT_ALLOW)

    def test_check_real_cwd_link_path_denied(self):
        result = self.check("cat %s/secret" % self.linked, "--cwd", self.real)
        self.assert_exit(result, EXIT_DENY)

    def test_eval_read_tool(self):
        requests = [{"tool_name": "Read", "tool_input": {"file_path": path}, "cwd": self.linked}
                    for path in (self.real + "/secret", self.real + "/other")]
        result = run(["eval", "--policy", self.policy],
                     "".join(json.dumps(request) + "\n" for request in requests))
        self.assert_exit(result, 0)
        decisions = [json.loads(line)["decision"] for line in result.stdout.splitlines()]
        self.assertEqual(decisions, ["deny", "allow"])


if __name__ == "__main__":
    program = unittest.main(verbosity=2, exit=False)
    sys.exit(0 if program.result.wasSuccessful() else 1)
