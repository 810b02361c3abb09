"""Tests of `--audit FILE` on check, eval and hook claude, run against the built binary.

Each test writes its policy and audit log into its own temporary directory.
The binary's path comes from the AGENTGUARD environment variable, which
tests/meson.build sets.
"""

import hashlib
import json
import os
import re
import stat
import subprocess
import tempfile
import threading
import unittest

AGENTGUARD = os.environ.get("AGENTGUARD", "")

# Claude Code blocks the tool call when a hook exits with this status.
EXIT_BLOCK = 2
EXIT_USAGE = 1
EXIT_DENY = 2
EXIT_ASK = 3

POLICY = """\
default: ask
allow:
  - "Bash(git status)"
deny:
  - "Bash(rm -rf *)"
"""

FIELDS = {"time", "tool", "input_sha256", "input", "input_truncated", "cwd", "decision",
          "rule", "source", "reason", "policy_sha256"}

TIME_FORMAT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

# Shell commands, each with the secret that must not reach the log.
SECRET_COMMANDS = [
    ("mysql --password hunter2secret -u root", "hunter2secret"),
    ("mysql --password=hunter2secret -u root", "hunter2secret"),
    ("curl --api-key k3ysecret https://example.com", "k3ysecret"),
    ("gh --auth-token=gh0authsecret api /user", "gh0authsecret"),
    ("vault login --secret 'two w0rdsecret'", "w0rdsecret"),
    ("curl -H 'Authorization: Bearer tok3nsecret' https://example.com", "tok3nsecret"),
    ('curl -H "Proxy-Authorization: Basic cHJveHlzZWNyZXQ=" https://example.com',
     "cHJveHlzZWNyZXQ="),
    ("curl --header 'Cookie: session=c00kiesecret' https://example.com", "c00kiesecret"),
    ("curl -H 'X-Api-Key: xap1secret' https://example.com", "xap1secret"),
    ("echo Authorization: Bearer anywh3resecret", "anywh3resecret"),
    ("GITHUB_TOKEN=ghp_t0kensecret gh pr list", "ghp_t0kensecret"),
    ("export API_KEY=ap1keysecret", "ap1keysecret"),
    ("DB_PASSWORD='pa ss w0rdsecret' ./run", "w0rdsecret"),
    ("AWS_SECRET_ACCESS_KEY=awss3cretsecret aws s3 ls", "awss3cretsecret"),
    ("MY_CREDENTIALS=cr3dsecret ./deploy", "cr3dsecret"),
    ("git clone https://user:urlp4sssecret@example.com/repo.git", "urlp4sssecret"),
    ("git clone https://ur1tokensecret@github.com/x.git", "ur1tokensecret"),
]


def run(arguments, stdin_text=None):
    """Run the built binary and return the completed process (text, UTF-8)."""
    return subprocess.run(
        [AGENTGUARD] + arguments,
        input=stdin_text,
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",
        check=False,
    )


def compact(value):
    """The tool input as the CLI passes it to the library: jansson's compact JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def netstring(data):
    return str(len(data)).encode() + b":" + data + b","


def hook_input(tool_name, tool_input, cwd="/repo"):
    return json.dumps({"session_id": "s", "cwd": cwd, "hook_event_name": "PreToolUse",
                       "tool_name": tool_name, "tool_input": tool_input})


class AuditTestCase(unittest.TestCase):
    def setUp(self):
        if not AGENTGUARD or not os.access(AGENTGUARD, os.X_OK):
            self.fail("set AGENTGUARD to the built agentguard binary, "
                      "as tests/meson.build does; got %r" % AGENTGUARD)
        self.directory = tempfile.TemporaryDirectory(prefix="agentguard-audit-")
        self.addCleanup(self.directory.cleanup)
        self.policy = os.path.join(self.directory.name, "policy.yaml")
        with open(self.policy, "w", encoding="utf-8") as file:
            file.write(POLICY)
        self.log = os.path.join(self.directory.name, "audit.jsonl")

    def hook(self, stdin_text, log=None):
        return run(["hook", "claude", "--policy", self.policy, "--home", "/home/u",
                    "--audit", log or self.log], stdin_text)

    def check(self, command, log=None):
        return run(["check", "--policy", self.policy, "--home", "/home/u", "--cwd", "/repo",
                    "--audit", log or self.log, "--", command])

    def log_text(self):
        with open(self.log, encoding="utf-8") as file:
            return file.read()

    def log_lines(self):
        text = self.log_text()
        self.assertTrue(text.endswith("\n"), text[-200:])
        return [json.loads(line) for line in text.splitlines()]

    def policy_digest(self):
        with open(self.policy, "rb") as file:
            text = file.read()
        return hashlib.sha256(netstring(self.policy.encode()) + netstring(text)).hexdigest()


class LineTest(AuditTestCase):
    def test_hook_line_has_every_field(self):
        tool_input = {"command": "rm -rf build", "description": "Remove the build directory"}
        result = self.hook(hook_input("Bash", tool_input))
        self.assertEqual(result.returncode, 0, result.stderr)

        lines = self.log_lines()
        self.assertEqual(len(lines), 1)
        line = lines[0]
        self.assertEqual(set(line), FIELDS)
        self.assertRegex(line["time"], TIME_FORMAT)
        self.assertEqual(line["tool"], "Bash")
        self.assertEqual(line["input_sha256"], sha256(compact(tool_input)))
        self.assertEqual(line["input"], compact(tool_input))
        self.assertFalse(line["input_truncated"])
        self.assertEqual(line["cwd"], "/repo")
        self.assertEqual(line["decision"], "deny")
        self.assertEqual(line["rule"], "Bash(rm -rf *)")
        self.assertEqual(line["source"], "%s:5:5" % self.policy)
        self.assertIn("rm -rf build", line["reason"])
        self.assertEqual(line["policy_sha256"], self.policy_digest())

    def test_check_line_records_command_text(self):
        result = self.check("git status")
        self.assertEqual(result.returncode, 0, result.stderr)

        line = self.log_lines()[0]
        self.assertEqual(line["tool"], "Bash")
        self.assertEqual(line["input"], "git status")
        self.assertEqual(line["input_sha256"], sha256("git status"))
        self.assertEqual(line["decision"], "allow")
        self.assertEqual(line["rule"], "Bash(git status)")
        self.assertEqual(line["cwd"], "/repo")
        self.assertNotIn("error", line)

    def test_default_policy_digest(self):
        result = run(["check", "--audit", self.log, "--", "ls"])
        self.assertIn(result.returncode, (0, EXIT_ASK), result.stderr)
        line = self.log_lines()[0]
        self.assertRegex(line["policy_sha256"], r"^[0-9a-f]{64}$")
        self.assertNotEqual(line["policy_sha256"], self.policy_digest())
        self.assertIsNone(line["rule"] if line["decision"] == "ask" else None)

    def test_eval_writes_line_per_request(self):
        requests = [
            {"tool_name": "Bash", "tool_input": {"command": "git status"}, "cwd": "/repo"},
            {"tool_name": "Bash", "tool_input": {"command": 5}, "cwd": "/repo"},
            {"tool_name": "Bash", "tool_input": {"command": "make"}},
        ]
        stdin_text = "".join(json.dumps(request) + "\n" for request in requests)
        result = run(["eval", "--policy", self.policy, "--audit", self.log], stdin_text)
        self.assertEqual(result.returncode, 0, result.stderr)

        lines = self.log_lines()
        self.assertEqual([line["decision"] for line in lines], ["allow", "deny", "ask"])
        self.assertNotIn("error", lines[0])
        self.assertEqual(lines[1]["error"], "AG_ERR_REQUEST")
        self.assertEqual(lines[1]["input"], '{"command":5}')
        self.assertIsNone(lines[2]["cwd"])
        self.assertIsNone(lines[2]["rule"])
        self.assertIsNone(lines[2]["source"])

    def test_appends_to_existing_log(self):
        self.check("git status")
        self.check("make")
        self.assertEqual([line["input"] for line in self.log_lines()], ["git status", "make"])

    def test_log_is_private(self):
        self.check("git status")
        self.assertEqual(stat.S_IMODE(os.stat(self.log).st_mode) & 0o077, 0)


class MaskingTest(AuditTestCase):
    def assert_secret_masked(self, secret):
        text = self.log_text()
        self.assertNotIn(secret, text)
        self.assertIn("***", text)

    def test_command_secrets_masked_in_check(self):
        for command, secret in SECRET_COMMANDS:
            with self.subTest(command=command):
                os.unlink(self.log) if os.path.exists(self.log) else None
                result = self.check(command)
                self.assertIn(result.returncode, (0, EXIT_DENY, EXIT_ASK), result.stderr)
                self.assert_secret_masked(secret)

    def test_command_secrets_masked_in_hook(self):
        for command, secret in SECRET_COMMANDS:
            with self.subTest(command=command):
                os.unlink(self.log) if os.path.exists(self.log) else None
                result = self.hook(hook_input("Bash", {"command": command}))
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assert_secret_masked(secret)
                # The hook's own output is not masked: Claude Code needs the real reason.
                self.assertEqual(len(self.log_lines()), 1)

    def test_json_fields_masked(self):
        tool_input = {
            "query": "select 1",
            "password": "js0npwsecret",
            "config": {"api_key": "js0nkeysecret", "Authorization": "Bearer js0nauthsecret"},
            "args": ["--token", "arrt0kensecret", "--verbose"],
            "env": ["GITHUB_TOKEN=envt0kensecret"],
        }
        result = self.hook(hook_input("mcp__db__query", tool_input))
        self.assertEqual(result.returncode, 0, result.stderr)
        text = self.log_text()
        for secret in ["js0npwsecret", "js0nkeysecret", "js0nauthsecret", "arrt0kensecret",
                       "envt0kensecret"]:
            with self.subTest(secret=secret):
                self.assertNotIn(secret, text)

        line = self.log_lines()[0]
        masked = json.loads(line["input"])
        self.assertEqual(masked["query"], "select 1")
        self.assertEqual(masked["password"], "***")
        self.assertEqual(masked["config"]["api_key"], "***")
        self.assertEqual(masked["args"], ["--token", "***", "--verbose"])
        self.assertEqual(masked["env"], ["GITHUB_TOKEN=***"])
        # The digest is of the input as checked, before masking.
        self.assertEqual(line["input_sha256"], sha256(compact(tool_input)))

    def test_text_after_secret_kept(self):
        command = ("curl -H 'Authorization: Bearer x' --password=y "
                   "https://example.com/kept && GITHUB_TOKEN=z gh pr list")
        self.check(command)
        self.assertEqual(self.log_lines()[0]["input"],
                         "curl -H 'Authorization: ***' --password=*** "
                         "https://example.com/kept && GITHUB_TOKEN=*** gh pr list")

    def test_credential_forms_masked(self):
        cases = [
            ("curl -b 'session=c00kiesecret' https://example.com/", "c00kiesecret"),
            ("curl --cookie c00kiesecret2 https://example.com/", "c00kiesecret2"),
            ("curl -u admin:us3rsecret https://example.com/", "us3rsecret"),
            ("curl 'https://b.example/o?X-Amz-Credential=amzcred&X-Amz-Signature=amzsig'",
             "amzsig"),
            ("curl 'https://b.example/o?X-Amz-Credential=amzcred&X-Amz-Signature=amzsig'",
             "amzcred"),
            ("curl 'https://b.example/o?sig=s1gsecret&se=2030'", "s1gsecret"),
            ("curl 'https://b.example/o?X-Goog-Signature=googsecret'", "googsecret"),
            ("curl 'https://b.example/o?signature=plainsigsecret'", "plainsigsecret"),
            ("curl 'https://b.example/o?key=querykeysecret'", "querykeysecret"),
            ("echo STRIPE_SK=sk_live_str1pesecret", "str1pesecret"),
            ("echo ghp_gh1tokensecretabcdefghijklmnopqrstuv", "gh1tokensecret"),
            ("echo github_pat_11AAfinegrainedsecret", "finegrainedsecret"),
            ("echo xoxb-123-slacksecret", "slacksecret"),
            ("echo id=AKIAIOSFODNN7EXAMPLE", "IOSFODNN7EXAMPLE"),
        ]
        for command, secret in cases:
            with self.subTest(command=command, secret=secret):
                os.unlink(self.log) if os.path.exists(self.log) else None
                self.check(command)
                self.assert_secret_masked(secret)

    def test_url_credentials_keep_host(self):
        cases = [
            ("git clone https://oauth2:SEKRIT@gitlab.example/x.git",
             "git clone https://***@gitlab.example/x.git"),
            ("git push https://x-access-token:SEKRIT@github.com/o/r.git",
             "git push https://***@github.com/o/r.git"),
            ('curl -H "PRIVATE-TOKEN: SEKRIT" https://gitlab.example/api',
             'curl -H "PRIVATE-TOKEN: ***" https://gitlab.example/api'),
            ("curl 'https://b.example/o?sig=SEKRIT&se=2030'",
             "curl 'https://b.example/o?sig=***&se=2030'"),
            ("git checkout -b feature/token-refresh", "git checkout -b feature/token-refresh"),
        ]
        for command, logged in cases:
            with self.subTest(command=command):
                os.unlink(self.log) if os.path.exists(self.log) else None
                self.check(command)
                self.assertEqual(self.log_lines()[0]["input"], logged)

    def test_plain_command_unchanged(self):
        command = "git log --oneline -n 5 && ls -la /tmp"
        self.check(command)
        self.assertEqual(self.log_lines()[0]["input"], command)


class TruncationTest(AuditTestCase):
    def test_long_input_truncated(self):
        command = "echo " + "x" * 3000
        self.check(command)
        line = self.log_lines()[0]
        self.assertTrue(line["input_truncated"])
        self.assertEqual(line["input"], command[:1000])
        self.assertEqual(line["input_sha256"], sha256(command))

    def test_truncation_keeps_whole_characters(self):
        command = "\u20ac" * 500  # 1,500 bytes of three-byte characters
        self.check(command)
        line = self.log_lines()[0]
        self.assertTrue(line["input_truncated"])
        self.assertEqual(line["input"], "\u20ac" * 333)

    def test_masking_before_truncation(self):
        # The secret starts before byte 1,000 and ends after it.
        command = "echo " + "x" * 980 + " --password=s3cr3tvaluethatislong"
        self.check(command)
        text = self.log_text()
        self.assertNotIn("s3cr3t", text)
        line = self.log_lines()[0]
        self.assertTrue(line["input"].endswith("--password=***"), line["input"][-40:])
        self.assertFalse(line["input_truncated"])


class ConcurrencyTest(AuditTestCase):
    WORKERS = 8
    REQUESTS = 200

    def test_concurrent_hooks_never_interleave(self):
        failures = []

        def worker(number):
            for request in range(self.REQUESTS):
                # Long lines make a torn or interleaved write more likely to show.
                command = "echo worker-%d-request-%d %s" % (number, request, "y" * 1500)
                result = self.hook(hook_input("Bash", {"command": command}))
                if result.returncode != 0:
                    failures.append((number, request, result.returncode, result.stderr))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(self.WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(failures, [])

        with open(self.log, encoding="utf-8") as file:
            raw_lines = file.read().split("\n")
        self.assertEqual(raw_lines[-1], "")
        lines = [json.loads(line) for line in raw_lines[:-1]]
        self.assertEqual(len(lines), self.WORKERS * self.REQUESTS)
        seen = set()
        for line in lines:
            self.assertEqual(set(line), FIELDS)
            match = re.search(r"worker-(\d+)-request-(\d+)", line["input"])
            seen.add((int(match.group(1)), int(match.group(2))))
        self.assertEqual(len(seen), self.WORKERS * self.REQUESTS)


class OpenFailureTest(AuditTestCase):
    def unwritable_paths(self):
        read_only = os.path.join(self.directory.name, "read-only")
        os.mkdir(read_only, 0o500)
        self.addCleanup(os.chmod, read_only, 0o700)
        paths = [os.path.join(self.directory.name, "missing", "audit.jsonl"),
                 self.directory.name]
        if os.geteuid() != 0:  # root writes into a read-only directory
            paths.append(os.path.join(read_only, "audit.jsonl"))
        return paths

    def test_hook_blocks(self):
        for path in self.unwritable_paths():
            with self.subTest(path=path):
                result = self.hook(hook_input("Bash", {"command": "git status"}), log=path)
                self.assertEqual(result.returncode, EXIT_BLOCK)
                self.assertEqual(result.stdout, "")
                self.assertIn("cannot open the audit log '%s'" % path, result.stderr)
                self.assertIn("blocked", result.stderr)

    def test_check_fails(self):
        for path in self.unwritable_paths():
            with self.subTest(path=path):
                result = self.check("git status", log=path)
                self.assertEqual(result.returncode, EXIT_USAGE)
                self.assertEqual(result.stdout, "")
                self.assertIn("agentguard check: cannot open the audit log", result.stderr)

    def test_eval_fails(self):
        path = os.path.join(self.directory.name, "missing", "audit.jsonl")
        result = run(["eval", "--audit", path], '{"tool_name":"Bash","tool_input":{}}\n')
        self.assertEqual(result.returncode, EXIT_USAGE)
        self.assertEqual(result.stdout, "")
        self.assertIn("agentguard eval: cannot open the audit log", result.stderr)

    def test_missing_argument(self):
        result = run(["check", "--audit"])
        self.assertEqual(result.returncode, EXIT_USAGE)
        self.assertIn("option '--audit' requires an argument", result.stderr)


if __name__ == "__main__":
    unittest.main()
