"""`agentguard test` and `agentguard explain`, run as subprocesses."""
import json
import os
import re
import subprocess
import tempfile
import unittest

AGENTGUARD = os.environ["AGENTGUARD"]


def run(*args, cwd=None, input_text=None):
    return subprocess.run([AGENTGUARD, *args], capture_output=True, text=True, check=False,
                          cwd=cwd, input=input_text)


class PolicyFile:
    """A temporary policy file with the given YAML text."""

    def __init__(self, text):
        self.directory = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.directory.name, "policy.yaml")
        with open(self.path, "w", encoding="utf-8") as file:
            file.write(text)

    def __enter__(self):
        return self.path

    def __exit__(self, *exception):
        self.directory.cleanup()


class TestCommand(unittest.TestCase):
    def test_passing_tests_exit_zero(self):
        text = ('allow: ["Bash(git status)"]\n'
                "tests:\n"
                "  - {name: status, command: git status, expect: allow, rule: Bash(git status)}\n"
                "  - {name: push, command: git push, expect: ask}\n")
        with PolicyFile(text) as path:
            result = run("test", path)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stdout.strip().splitlines()[-1], "2 passed, 0 failed")

    def test_failure_names_test_and_actual_verdict(self):
        text = ('deny: ["Bash(rm *)"]\n'
                "tests:\n"
                "  - {name: rm is allowed, command: rm x, expect: allow}\n")
        with PolicyFile(text) as path:
            result = run("test", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"FAIL {path}:3:5: rm is allowed", result.stdout)
        self.assertIn("got deny by the rule Bash(rm *)", result.stdout)
        self.assertIn("reason:", result.stdout)
        self.assertEqual(result.stdout.strip().splitlines()[-1], "0 passed, 1 failed")

    def test_relative_test_cwd_is_load_error(self):
        text = ('deny: ["Read(./.env)"]\n'
                "tests:\n"
                "  - {name: env, command: cat .env, cwd: sub, expect: deny}\n")
        with PolicyFile(text) as path:
            result = run("test", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}:3:41", result.stderr)
        self.assertIn("'cwd' must be an absolute path, not \"sub\"", result.stderr)

    def test_failing_example_is_load_error(self):
        text = ("deny:\n"
                "  - rule: Bash(git push *)\n"
                "    examples: {match: [git pull]}\n")
        with PolicyFile(text) as path:
            result = run("test", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}:3:24", result.stderr)
        self.assertIn('"git pull" does not match the rule "Bash(git push *)"', result.stderr)
        self.assertEqual(result.stdout.strip().splitlines()[-1],
                         "0 passed, 0 failed, 1 policy file with errors (see standard error)")

    def test_incomplete_test_names_missing_key(self):
        cases = [
            ("{name: x, expect: ask}", "missing 'command' or 'request'"),
            ("{command: ls, expect: ask}", "missing 'name'"),
            ("{name: x, command: ls}", "missing 'expect'"),
            ("{name: x, command: ls, request: {tool_name: Read}, expect: ask}",
             "'command' and 'request' are both given"),
        ]
        for entry, problem in cases:
            with self.subTest(entry=entry), PolicyFile(f"tests:\n  - {entry}\n") as path:
                result = run("test", path)
                self.assertEqual(result.returncode, 1)
                self.assertIn(f"{path}:2:5", result.stderr)
                self.assertIn(problem, result.stderr)

    def test_warning_goes_to_stderr(self):
        with PolicyFile('deny: ["Bsh(rm *)"]\n') as path:
            result = run("check", "--policy", path, "--", "ls")
        self.assertIn(f"{path}:1:8: warning:", result.stderr)
        self.assertIn("'Bsh'", result.stderr)

    def test_file_without_tests_fails(self):
        # A CI job pointed at the wrong file must not pass with "0 passed, 0 failed".
        with PolicyFile('deny: ["Bash(rm *)"]\n') as path:
            result = run("test", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"agentguard test: no tests in {path};", result.stderr)
        self.assertEqual(result.stdout.strip().splitlines()[-1],
                         "0 passed, 0 failed, 1 policy file with no tests")

    def test_settings_file_has_no_tests(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "settings.json")
            with open(path, "w", encoding="utf-8") as file:
                file.write('{"permissions": {"deny": ["Bash(rm *)"]}}\n')
            result = run("test", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"no tests in {path}", result.stderr)

    def test_allow_no_tests_option(self):
        tested = ('allow: ["Bash(ls)"]\n'
                  "tests:\n"
                  "  - {name: ls, command: ls, expect: allow}\n")
        with PolicyFile(tested) as with_tests, PolicyFile("default: ask\n") as without:
            mixed = run("test", with_tests, without)
            allowed = run("test", "--allow-no-tests", with_tests, without)
        self.assertEqual(mixed.returncode, 1)
        self.assertEqual(mixed.stdout.strip().splitlines()[-1],
                         "1 passed, 0 failed, 1 policy file with no tests")
        self.assertEqual(allowed.returncode, 0, allowed.stdout + allowed.stderr)
        self.assertIn(f"no tests in {without}", allowed.stderr)
        self.assertEqual(allowed.stdout.strip().splitlines()[-1],
                         "1 passed, 0 failed, 1 policy file with no tests")

    def test_allow_no_tests_keeps_failures(self):
        failing = ('deny: ["Bash(rm *)"]\n'
                   "tests:\n"
                   "  - {name: rm, command: rm x, expect: allow}\n")
        with PolicyFile(failing) as path:
            result = run("test", "--allow-no-tests", path)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout.strip().splitlines()[-1], "0 passed, 1 failed")

    def test_unknown_option_is_usage_error(self):
        with PolicyFile("default: ask\n") as path:
            result = run("test", "--allow-empty", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn("unknown option '--allow-empty'", result.stderr)

    def test_unreadable_file_named_once(self):
        with tempfile.TemporaryDirectory() as directory:
            missing = os.path.join(directory, "missing.yaml")
            result = run("test", missing, directory)
        self.assertEqual(result.returncode, 1)
        lines = result.stderr.splitlines()
        self.assertEqual(lines[0], f"{missing}: error[AG_ERR_IO]: cannot open the policy file: "
                                   "No such file or directory; check the path and its permissions")
        self.assertTrue(lines[1].startswith(f"{directory}: error[AG_ERR_IO]: cannot read"),
                        lines[1])
        self.assertIn("2 policy files with errors", result.stdout)

    def test_missing_policy_is_usage_error(self):
        result = run("test")
        self.assertEqual(result.returncode, 1)
        self.assertIn("missing POLICY", result.stderr)


class ExplainCommand(unittest.TestCase):
    POLICY = ('deny: ["Bash(rm -rf *)"]\n'
              'ask: ["Bash(rm *)"]\n'
              'allow: ["Bash(ls *)", "mcp__github__get_*"]\n')

    def test_text_lists_every_matching_rule(self):
        with PolicyFile(self.POLICY) as path:
            result = run("explain", "--policy", path, "--", "ls && rm -rf x")
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = result.stdout.splitlines()
        self.assertIn("command 1: ls -> allow", lines)
        self.assertIn("command 2: rm -rf x -> deny", lines)
        self.assertTrue(any("yes" in line and "Bash(rm -rf *)" in line for line in lines))
        self.assertTrue(any("yes" in line and "ask" in line and "Bash(rm *)" in line
                            for line in lines))
        self.assertIn(f"    decided by Bash(rm -rf *) ({path}:1:8)", lines)
        self.assertIn("decision: deny", lines)

    def test_default_cwd_matches_check(self):
        with PolicyFile('deny: ["Read(./secret/**)"]\n') as path:
            directory = os.path.dirname(path)
            os.makedirs(os.path.join(directory, "secret"), exist_ok=True)
            explained = run("explain", "--policy", path, "--", "cat secret/key", cwd=directory)
            checked = run("check", "--policy", path, "--", "cat secret/key", cwd=directory)
        self.assertIn("decision: deny", explained.stdout.splitlines())
        self.assertEqual(explained.returncode, checked.returncode)

    def test_text_shows_wordless_command(self):
        with PolicyFile(self.POLICY) as path:
            result = run("explain", "--policy", path, "--", "X=1; ls")
        lines = result.stdout.splitlines()
        self.assertIn("command 1: (X=1) -> allow", lines)
        self.assertIn("command 2: ls -> allow", lines)

    def test_json_has_matches_per_command(self):
        with PolicyFile(self.POLICY) as path:
            result = run("explain", "--json", "--policy", path, "--", "rm -rf x")
        verdict = json.loads(result.stdout)
        rules = [match["rule"] for match in verdict["commands"][0]["matches"]]
        self.assertEqual(rules, ["Bash(rm -rf *)", "Bash(rm *)"])
        self.assertEqual(verdict["commands"][0]["matches"][0]["match"], "yes")
        self.assertEqual(verdict["decision"], "deny")

    def test_json_matches_of_line_effects(self):
        # The parse error drops the cat from the tree; its line parsed alone
        # adds the shadow read after the request's own passwd read.
        command = "cat /etc/passwd\necho `cat /etc/shadow`\necho '`\r'"
        with PolicyFile('deny: ["Read(//etc/shadow)"]\n') as path:
            result = run("explain", "--json", "--policy", path, "--", command)
        verdict = json.loads(result.stdout)
        self.assertEqual(verdict["decision"], "deny")
        for effect in verdict["effects"]:
            rules = [match["rule"] for match in effect.get("matches", [])]
            if effect["target"] == "/etc/shadow":
                self.assertEqual(rules, ["Read(//etc/shadow)"])
            else:
                self.assertEqual(rules, [])

    def test_tool_call(self):
        with PolicyFile(self.POLICY) as path:
            result = run("explain", "--json", "--policy", path, "--tool",
                         "mcp__github__get_issue", "--input", "{}")
        verdict = json.loads(result.stdout)
        self.assertEqual(result.returncode, 0)
        self.assertEqual(verdict["matches"][0]["rule"], "mcp__github__get_*")

    def test_monitor_rules_explained(self):
        text = 'ask: ["Monitor(run_in_background:true)"]\ndeny: ["Bash(rm *)"]\n'
        with PolicyFile(text) as path:
            result = run("explain", "--json", "--policy", path, "--tool", "Monitor", "--input",
                         '{"command": "tail -f log", "run_in_background": true}')
        verdict = json.loads(result.stdout)
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertEqual(verdict["decision"], "ask")
        self.assertEqual(verdict["rule"], "Monitor(run_in_background:true)")
        self.assertEqual(verdict["matches"][0]["rule"], "Monitor(run_in_background:true)")

    def test_mode_and_settings_layers(self):
        with PolicyFile(self.POLICY) as path:
            asked = run("explain", "--policy", path, "--", "make")
            denied = run("explain", "--policy", path, "--mode", "dontAsk", "--", "make")
            settings = os.path.join(os.path.dirname(path), "managed.json")
            with open(settings, "w", encoding="utf-8") as file:
                file.write('{"permissions": {"deny": ["Bash(ls *)"]}}')
            layered = run("explain", "--policy", path, "--managed-settings", settings, "--",
                          "ls")
        self.assertEqual(asked.returncode, 3, asked.stderr)
        self.assertEqual(denied.returncode, 2, denied.stderr)
        self.assertIn("dontAsk mode", denied.stdout)
        self.assertEqual(layered.returncode, 2, layered.stderr)
        self.assertIn(f"decided by Bash(ls *) ({settings}:1:", layered.stdout)

    def test_unknown_mode_is_usage_error(self):
        result = run("explain", "--mode", "bogus", "--", "ls")
        self.assertEqual(result.returncode, 1)
        self.assertIn("unknown mode 'bogus'", result.stderr)

    def test_tool_without_input_is_usage_error(self):
        result = run("explain", "--tool", "Read")
        self.assertEqual(result.returncode, 1)
        self.assertIn("--tool needs --input", result.stderr)


class DocumentedPoliciesTest(unittest.TestCase):
    """Runs `agentguard test` on every YAML block of the user documentation that has tests."""

    ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)

    def documents(self):
        docs = os.path.join(self.ROOT, "docs")
        names = [os.path.join(docs, name) for name in sorted(os.listdir(docs))
                 if name.endswith(".md")]
        return [os.path.join(self.ROOT, "README.md"), *names]

    def test_documented_tests_pass(self):
        checked = 0
        for document in self.documents():
            with open(document, encoding="utf-8") as handle:
                blocks = [block for block in self.BLOCK.findall(handle.read())
                          if re.search(r"^tests:", block, re.M)]
            for block in blocks:
                with self.subTest(document=os.path.basename(document), block=block[:60]):
                    with PolicyFile(block) as path:
                        result = run("test", path)
                    self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                    self.assertRegex(result.stdout, r"[1-9][0-9]* passed, 0 failed")
                checked += 1
        self.assertGreaterEqual(checked, 2)


class LoadErrors(unittest.TestCase):
    """Load errors and a byte order mark, as `agentguard check` prints them."""

    def check(self, name, data):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, name)
            with open(path, "wb") as file:
                file.write(data)
            return path, run("check", "--project-settings" if name.endswith(".json")
                             else "--policy", path, "--", "rm -rf x")

    def test_trailing_comma_in_settings(self):
        path, result = self.check("settings.json",
                                  b'{"permissions": {"deny": ["Read(~/.ssh/**)",]}}\n')
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}:1:44: error[AG_ERR_YAML]: invalid JSON: a trailing comma "
                      "before ']'; remove the comma", result.stderr)

    def test_address_pattern_names_fix(self):
        path, result = self.check("policy.yaml", b'deny: ["WebFetch(domain:172.16.*)"]\n')
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}:1:8: error[AG_ERR_RULE]:", result.stderr)
        self.assertIn("write domain:172.16.*.*", result.stderr)

    def test_one_slash_root_path_warns(self):
        path, result = self.check("settings.json",
                                  b'{"permissions": {"deny": ["Read(/etc/passwd)"], '
                                  b'"allow": ["Read(/etc/hosts)"]}}')
        self.assertIn(f"{path}:1:27: warning: the deny rule \"Read(/etc/passwd)\" is "
                      "anchored at ", result.stderr)
        self.assertIn("the directory that '/' means in this file", result.stderr)
        self.assertIn("write Read(//etc/passwd)", result.stderr)
        self.assertNotIn("Read(/etc/hosts)", result.stderr)
        path, result = self.check("policy.yaml", b'deny: ["Read(//etc/passwd)"]\n')
        self.assertNotIn("warning", result.stderr)

    def test_dot_dot_fix_fits_anchor(self):
        path, result = self.check("policy.yaml", b'deny: ["Edit(//w/proj/.claude/../**)"]\n')
        self.assertEqual(result.returncode, 1)
        self.assertIn('component; write the path without it\n', result.stderr)
        path, result = self.check("policy.yaml", b'deny: ["Edit(../x)"]\n')
        self.assertEqual(result.returncode, 1)
        self.assertIn("or use an absolute //path", result.stderr)

    def test_byte_order_mark_loads(self):
        for name, data in (("policy.yaml", b"deny:\n  - Bash(rm *)\nallow:\n  - Bash(ls)\n"),
                           ("settings.json", b'{"permissions": {"deny": ["Bash(rm *)"]}}')):
            with self.subTest(name=name):
                path, result = self.check(name, b"\xef\xbb\xbf" + data)
                self.assertEqual(result.stderr, "")
                self.assertIn("deny: ", result.stdout)


class ProjectSettings(unittest.TestCase):
    """A project's .claude settings files, as `agentguard check` and `eval` load them."""

    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.root = os.path.realpath(directory.name)
        os.makedirs(os.path.join(self.root, ".claude"))

    def write_settings(self, name, text):
        path = os.path.join(self.root, ".claude", name)
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        return path

    def eval_request(self, option, path, request):
        request["cwd"] = self.root
        result = run("eval", option, path, "--home", self.root, cwd=self.root,
                     input_text=json.dumps(request) + "\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def test_slash_path_starts_at_project_root(self):
        settings = ('{"permissions": {"allow": ["Bash(cat *)", "Edit(/src/**/*.ts)"], '
                    '"deny": ["Read(/secrets/**)"]}}')
        for option, name in (("--project-settings", "settings.json"),
                             ("--local-settings", "settings.local.json")):
            with self.subTest(option=option):
                path = self.write_settings(name, settings)
                result = run("check", option, path, "--cwd", self.root, "--home", self.root,
                             "--", "cat secrets/k")
                self.assertEqual(result.returncode, 2, result.stdout)
                self.assertIn("matches the deny rule Read(/secrets/**)", result.stdout)
                verdict = self.eval_request(option, path, {
                    "tool_name": "Edit",
                    "tool_input": {"file_path": os.path.join(self.root, "src/ui/app.ts"),
                                   "old_string": "a", "new_string": "b"}})
                self.assertEqual(verdict["decision"], "allow", verdict["reason"])

    def test_settings_file_needs_exact_rule(self):
        path = self.write_settings(
            "settings.json", '{"permissions": {"allow": ["Edit(.claude/**)"]}}')
        write = {"tool_name": "Write",
                 "tool_input": {"file_path": path,
                                "content": '{"permissions": {"allow": ["Bash"]}}'}}
        verdict = self.eval_request("--project-settings", path, write)
        self.assertEqual(verdict["decision"], "ask")
        self.assertIn("a file that sets the permission rules", verdict["reason"])

    def test_claude_code_keys_load(self):
        for text in ('{"permissions": {"disableAutoMode": "disable"}}',
                     '{"permissions": {"defaultMode": "manual"}}',
                     '{"permissions": {"defaultMode": "auto"}}',
                     '{"allowManagedPermissionRulesOnly": true}'):
            with self.subTest(text=text):
                path = self.write_settings("settings.json", text)
                result = run("check", "--project-settings", path, "--cwd", self.root, "--",
                             "git status")
                self.assertEqual(result.returncode, 3, result.stderr)
                self.assertNotIn("error", result.stderr)


if __name__ == "__main__":
    unittest.main()
