"""The golden verdict tables of tests/cases/, checked the same way as
tests/test_check.c checks them, so that the C API and the bindings agree.

meson passes the table names in AGENTGUARD_CHECK_TABLES (check_tables and
check_mode_tables of tests/meson.build). Run without meson, the test reads
the same two lists from tests/meson.build.
"""

import ast
import json
import os
import re
import unittest

from support import CASE_CWD, CASES_DIR, POLICIES_DIR, REPOSITORY, load_policy

import agentguard

TABLES_VARIABLE = "AGENTGUARD_CHECK_TABLES"
TESTS_MESON_BUILD = os.path.join(REPOSITORY, "tests", "meson.build")


def tables_in_meson_build(path=TESTS_MESON_BUILD):
    """Return check_tables + check_mode_tables as tests/meson.build sets them."""
    with open(path, encoding="utf-8") as build_file:
        text = build_file.read()
    tables = []
    for variable in ("check_tables", "check_mode_tables"):
        # Each list is one line of quoted names, which Python reads as a list literal.
        found = re.search(rf"^{variable} = (\[.*\])$", text, re.MULTILINE)
        if found is None:
            raise AssertionError(f"{path}: no one-line '{variable} = [...]' found")
        tables.extend(ast.literal_eval(found.group(1)))
    return tables


def table_names():
    names = os.environ.get(TABLES_VARIABLE)
    if names:
        return names.split(":")
    return tables_in_meson_build()


def load_cases(names):
    """Return (table name, case) for every case of the tables `names`, in order."""
    cases = []
    for name in names:
        with open(os.path.join(CASES_DIR, name), encoding="utf-8") as table:
            table_cases = json.load(table)["cases"]
        if not table_cases:
            raise AssertionError(f"{name}: the table has no cases")
        cases.extend((name, case) for case in table_cases)
    return cases


def describe(index, table, case):
    text = case.get("command", case.get("tool", ""))
    shown = text.replace("\n", " ").replace("\t", " ")[:59]
    return f"case {index} {table} [{case.get('policy')}] {shown}"


def c_string(value):
    """Return `value` as test_check.c passes it: as a C string, which a NUL
    byte (a \\u0000 escape in the table) ends."""
    if value is None:
        return None
    return value.split("\0", 1)[0]


def case_cwd(case):
    """Return the case's "cwd": /repo when absent, None when null."""
    if "cwd" not in case:
        return CASE_CWD
    return c_string(case["cwd"])


def load_case_policy(case):
    """Build the case's policy: its "layers" (each file under policies/ in its
    layer) when present, else the policy it names."""
    layers = case.get("layers")
    if layers is None:
        return load_policy(case["policy"])
    with agentguard.PolicyBuilder() as builder:
        for entry in layers:
            builder.add_file(os.path.join(POLICIES_DIR, entry["file"]),
                             layer=agentguard.Layer.from_name(entry["layer"]))
        return builder.build()


def run_case(checker, case):
    """Check one case as test_check.c does: a command with its length, or a
    tool with its input object or its raw input text."""
    cwd = case_cwd(case)
    if "command" in case:
        return checker.check_command(case["command"], cwd=cwd)
    tool = c_string(case["tool"])
    if "input_text" in case:
        return checker.check(tool, c_string(case["input_text"]), cwd=cwd)
    return checker.check(tool, case["input"], cwd=cwd)


class VerdictTableTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tables = table_names()
        cls.cases = load_cases(cls.tables)
        cls.policies = {}

    @classmethod
    def tearDownClass(cls):
        for policy in cls.policies.values():
            policy.close()

    def policy(self, case):
        if "layers" in case:
            policy = load_case_policy(case)
            self.addCleanup(policy.close)
            return policy
        name = case["policy"]
        if name not in self.policies:
            self.policies[name] = load_case_policy(case)
        return self.policies[name]

    def test_tables_match_meson_build(self):
        self.assertEqual(self.tables, tables_in_meson_build())
        self.assertIn("check.json", self.tables)
        self.assertIn("check-modes.json", self.tables)

    def test_every_case(self):
        for index, (table, case) in enumerate(self.cases):
            label = describe(index, table, case)
            with self.subTest(label):
                policy = self.policy(case)
                mode = case.get("mode")
                with agentguard.Checker(
                        policy, home=c_string(case.get("home")),
                        cdpath=c_string(case.get("cdpath")),
                        mode=None if mode is None else agentguard.Mode.from_name(mode)
                        ) as checker:
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

        if "reason_has" in case:
            self.assertIn(case["reason_has"], verdict.reason, label)

        if "reason_lacks" in case:
            self.assertNotIn(case["reason_lacks"], verdict.reason, label)


if __name__ == "__main__":
    unittest.main()
