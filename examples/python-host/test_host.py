"""Run host.py on calls.jsonl with tests/cases/policies/basic.yaml and check
each output line's decision, rule and source, and the effect lines."""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))
POLICY = os.path.join(REPOSITORY, "tests", "cases", "policies", "basic.yaml")

# (line number, start of the output line, text the line must contain)
EXPECTED = [
    (1, "line 1: allow Bash ", 'rule "Bash(git status)" at '),
    (2, "line 2: ask Bash ", 'rule "Bash(git push *)" at '),
    (3, "line 3: deny Bash ", 'rule "Bash(rm -rf *)" at '),
    (4, "line 4: ask Bash ", "(no rule matched, so the policy default decided)"),
    (6, "line 6: allow Read ", 'rule "Read" at '),
    (7, "line 7: deny WebFetch ", 'rule "WebFetch" at '),
    (8, "line 8: deny Bash ", "(invalid request"),
    (9, "line 9: deny Bash ", '"tool_input" is missing'),
    (10, "line 10: deny ? ", "is not valid JSON"),
    (11, "line 11: allow Bash ", 'rule "Bash(echo *)" at '),
]

# The indented effect lines printed after a call's line, by line number.
EFFECTS = {
    3: ["  read /repo: allow (no rule)", "  write /tmp/build: ask (no rule)"],
    11: ["  write /repo/out.txt: allow (no rule)", "  read /repo/out.txt: allow (no rule)"],
}

SOURCES = {1: "basic.yaml:5:5", 2: "basic.yaml:20:5", 3: "basic.yaml:23:5"}


class HostExampleTest(unittest.TestCase):
    def run_host(self, *arguments):
        with open(os.path.join(HERE, "calls.jsonl"), encoding="utf-8") as calls:
            return subprocess.run(
                [sys.executable, os.path.join(HERE, "host.py"), *arguments],
                stdin=calls, capture_output=True, text=True, timeout=60)

    def test_one_line_per_call(self):
        result = self.run_host("--policy", POLICY)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = [line for line in result.stdout.splitlines() if not line.startswith("  ")]
        self.assertEqual(len(lines), len(EXPECTED), result.stdout)

        for line, (number, start, fragment) in zip(lines, EXPECTED):
            with self.subTest(line=number):
                self.assertTrue(line.startswith(start), line)
                self.assertIn(fragment, line)
                if number in SOURCES:
                    self.assertIn(f"/{SOURCES[number]}): ", line)

    def test_effect_lines_follow_their_call(self):
        result = self.run_host("--policy", POLICY)
        self.assertEqual(result.returncode, 0, result.stderr)
        effects = {}
        number = None
        for line in result.stdout.splitlines():
            if line.startswith("  "):
                effects.setdefault(number, []).append(line)
            else:
                number = int(line.split(":", 1)[0].split()[1])
        self.assertEqual(effects, EFFECTS)

    def test_mode_option(self):
        # dontAsk turns the ask of `git push` (line 2) and of `make` (line 4) into deny.
        result = self.run_host("--policy", POLICY, "--mode", "dontAsk")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertTrue(any(line.startswith("line 2: deny Bash ") for line in lines), lines)
        self.assertTrue(any(line.startswith("line 4: deny Bash ") for line in lines), lines)
        self.assertFalse(any(": ask " in line for line in lines), lines)

    def test_unknown_mode_fails(self):
        result = self.run_host("--mode", "dontask")
        self.assertEqual(result.returncode, 2)
        self.assertIn("dontAsk", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_missing_policy_fails(self):
        result = self.run_host("--policy", os.path.join(HERE, "no-such-policy.yaml"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("no-such-policy.yaml", result.stderr)
        self.assertEqual(result.stdout, "")


if __name__ == "__main__":
    unittest.main(verbosity=2)
