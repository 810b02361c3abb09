"""The golden verdict table tests/cases/check.json, checked the same way as
tests/test_check.c checks it, so that the C API and the bindings agree."""

import json
import os
import unittest

from support import CASE_CWD, CASES_DIR, load_policy

import agentguard


def load_cases():
    with open(os.path.join(CASES_DIR, "check.json"), encoding="utf-8") as table:
        return json.load(table)["cases"]


def describe(index, case):
    text = case.get("command", case.get("tool", ""))
    shown = text.replace("\n", " ").replace("\t", " ")[:59]
    return f"case {index} [{case['policy']}] {shown}"


def run_case(checker, case):
    """Check one case as test_check.c does: a command with its length, or a
    tool with its input object or its raw input text."""
    if "command" in case:
        return checker.check_command(case["command"], cwd=CASE_CWD)
    if "input_text" in case:
        return checker.check(case["tool"], case["input_text"], cwd=CASE_CWD)
    return checker.check(case["tool"], case["input"], cwd=CASE_CWD)


class VerdictTableTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cases = load_cases()
        cls.policies = {}

    @classmethod
    def tearDownClass(cls):
        for policy in cls.policies.values():
            policy.close()

    def policy(self, name):
        if name not in self.policies:
            self.policies[name] = load_policy(name)
        return self.policies[name]

    def test_table_is_not_empty(self):
        self.assertGreater(len(self.cases), 0)

    def test_every_case(self):
        for index, case in enumerate(self.cases):
            label = describe(index, case)
            with self.subTest(label):
                with agentguard.Checker(self.policy(case["policy"])) as checker:
                    verdict = run_case(checker, case)
                self.check_verdict(case, verdict, label)

    def check_verdict(self, case, verdict, label):
        self.assertEqual(
            str(verdict.decision), case["expect"],
            f"{label}: expected {case['expect']}, got {verdict.decision}: {verdict.reason}")

        if "rule" in case:
            self.assertEqual(
                verdict.rule, case["rule"],
                f"{label}: expected rule {case['rule']}, got {verdict.rule} ({verdict.reason})")

        if "rule_present" in case:
            self.assertEqual(
                verdict.rule is not None, case["rule_present"],
                f"{label}: expected {'a' if case['rule_present'] else 'no'} rule, "
                f"got {verdict.rule}")

        if "source" in case:
            self.assertIsNotNone(verdict.source, f"{label}: expected source {case['source']}")
            self.assertTrue(
                verdict.source.endswith(case["source"]),
                f"{label}: expected source {case['source']}, got {verdict.source}")

        if "error" in case:
            expected_error = None if case["error"] == "AG_OK" else case["error"]
            self.assertEqual(verdict.error, expected_error, label)


if __name__ == "__main__":
    unittest.main()
