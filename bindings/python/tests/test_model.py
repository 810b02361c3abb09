"""Checker settings and the policy model through the bindings: modes,
layers, the home directory, CDPATH, limits and explain mode."""

import ctypes
import unittest

from support import CASE_CWD, POLICIES_DIR, load_policy, policy_path

import agentguard
from agentguard import Decision, Layer, Mode
from agentguard import _native

EDIT_INSIDE = {"file_path": "/repo/src/a.c", "old_string": "a", "new_string": "b"}


def settings_path(name):
    return f"{POLICIES_DIR}/{name}"


class EnumNameTest(unittest.TestCase):
    """The Python spellings must be the C library's, in both directions."""

    def check_names(self, enum_class, name_function, from_name_function):
        library = _native.load()
        for member in enum_class:
            with self.subTest(member=member):
                c_name = _native.text(getattr(library, name_function)(member.value))
                self.assertEqual(str(member), c_name)
                self.assertIs(enum_class.from_name(c_name), member)
                if from_name_function is not None:
                    value = ctypes.c_int(-1)
                    found = getattr(library, from_name_function)(
                        c_name.encode(), ctypes.byref(value))
                    self.assertTrue(found)
                    self.assertEqual(value.value, member.value)

    def test_mode_names(self):
        self.check_names(Mode, "ag_mode_name", "ag_mode_from_name")

    def test_layer_names(self):
        self.check_names(Layer, "ag_layer_name", "ag_layer_from_name")

    def test_effect_kind_names(self):
        self.check_names(agentguard.EffectKind, "ag_effect_kind_name", None)

    def test_unknown_name_raises(self):
        with self.assertRaises(ValueError) as raised:
            Mode.from_name("dont_ask")
        self.assertIn("dontAsk", str(raised.exception))
        with self.assertRaises(ValueError):
            Layer.from_name("Managed")

    def test_unknown_value_stays_int(self):
        self.assertEqual(Mode.from_value(99), 99)
        self.assertIs(Layer.from_value(3), Layer.PROJECT)


class ModeTest(unittest.TestCase):
    def setUp(self):
        self.policy = load_policy("modes")
        self.addCleanup(self.policy.close)

    def check_edit(self, **settings):
        with agentguard.Checker(self.policy, **settings) as checker:
            return checker.check("Edit", EDIT_INSIDE, cwd=CASE_CWD)

    def test_policy_without_mode_is_default(self):
        self.assertIs(self.policy.mode, Mode.DEFAULT)
        self.assertFalse(self.policy.mode_locked)

    def test_new_checker_has_policy_mode(self):
        with agentguard.Checker(self.policy) as checker:
            self.assertIs(checker.mode, Mode.DEFAULT)

    def test_mode_changes_decision(self):
        self.assertIs(self.check_edit().decision, Decision.ASK)
        self.assertIs(self.check_edit(mode=Mode.ACCEPT_EDITS).decision, Decision.ALLOW)
        self.assertIs(self.check_edit(mode="plan").decision, Decision.DENY)
        self.assertIs(self.check_edit(mode="dontAsk").decision, Decision.DENY)

    def test_set_mode_returns_mode_in_force(self):
        with agentguard.Checker(self.policy) as checker:
            self.assertIs(checker.set_mode("acceptEdits"), Mode.ACCEPT_EDITS)
            self.assertIs(checker.mode, Mode.ACCEPT_EDITS)
            self.assertIs(checker.check("Edit", EDIT_INSIDE, cwd=CASE_CWD).decision,
                          Decision.ALLOW)
            self.assertIs(checker.set_mode(Mode.DEFAULT), Mode.DEFAULT)
            self.assertIs(checker.check("Edit", EDIT_INSIDE, cwd=CASE_CWD).decision,
                          Decision.ASK)

    def test_bad_mode_raises(self):
        with agentguard.Checker(self.policy) as checker:
            with self.assertRaises(ValueError):
                checker.set_mode("auto")
            with self.assertRaises(TypeError):
                checker.set_mode(3)
        with self.assertRaises(ValueError):
            agentguard.Checker(self.policy, mode="auto")

    def test_locked_mode_is_kept(self):
        with agentguard.PolicyBuilder() as builder:
            builder.add_file(policy_path("modes"), layer=Layer.PROJECT)
            builder.add_file(policy_path("modes-locked"), layer="managed")
            policy = builder.build()
        with policy, agentguard.Checker(policy) as checker:
            self.assertIs(policy.mode, Mode.PLAN)
            self.assertTrue(policy.mode_locked)
            self.assertIs(checker.mode, Mode.PLAN)
            self.assertIs(checker.set_mode("bypassPermissions"), Mode.PLAN)
            verdict = checker.check("Edit", EDIT_INSIDE, cwd=CASE_CWD)
        self.assertIs(verdict.decision, Decision.DENY)


class LayerTest(unittest.TestCase):
    def test_authoritative_layer_sets_mode(self):
        with agentguard.PolicyBuilder() as builder:
            builder.add_file(policy_path("modes-user"), layer=Layer.USER)
            builder.add_string("mode: acceptEdits\n", name="project.yaml", layer="project")
            policy = builder.build()
        with policy:
            self.assertIs(policy.mode, Mode.ACCEPT_EDITS)

    def test_verdict_names_rule_layer(self):
        with agentguard.PolicyBuilder() as builder:
            builder.add_file(policy_path("modes-user"), layer=Layer.USER)
            builder.add_string('deny: ["Bash(rm *)"]\n', name="team.yaml", layer=Layer.PROJECT)
            policy = builder.build()
        with policy, agentguard.Checker(policy) as checker:
            make = checker.check_command("make all", cwd=CASE_CWD)
            removal = checker.check_command("rm -r build", cwd=CASE_CWD)
            unknown = checker.check_command("cargo build", cwd=CASE_CWD)
        self.assertIs(make.layer, Layer.USER)
        self.assertIs(removal.layer, Layer.PROJECT)
        self.assertEqual(removal.source, "team.yaml:1:8")
        self.assertIsNone(unknown.rule)
        self.assertIsNone(unknown.layer)

    def test_file_without_layer_is_command_line(self):
        with agentguard.PolicyBuilder() as builder:
            policy = builder.add_file(policy_path("basic")).build()
        with policy, agentguard.Checker(policy) as checker:
            verdict = checker.check_command("git status")
        self.assertIs(verdict.layer, Layer.COMMAND_LINE)

    def test_settings_file_in_layer(self):
        with agentguard.PolicyBuilder() as builder:
            builder.add_file(settings_path("settings-project.json"), layer="project")
            policy = builder.build()
        with policy, agentguard.Checker(policy) as checker:
            self.assertIs(policy.mode, Mode.ACCEPT_EDITS)
            verdict = checker.check_command("make test", cwd=CASE_CWD)
        self.assertIs(verdict.decision, Decision.ALLOW)
        self.assertEqual(verdict.rule, "Bash(make *)")
        self.assertIs(verdict.layer, Layer.PROJECT)

    def test_managed_only_drops_other_allow_rules(self):
        with agentguard.PolicyBuilder() as builder:
            builder.add_file(settings_path("settings-managed.json"), layer=Layer.MANAGED)
            builder.add_file(settings_path("settings-project.json"), layer=Layer.PROJECT)
            policy = builder.build()
        with policy, agentguard.Checker(policy) as checker:
            make = checker.check_command("make all", cwd=CASE_CWD)
            npm = checker.check_command("npm test", cwd=CASE_CWD)
        self.assertIsNot(make.decision, Decision.ALLOW)
        self.assertIs(npm.decision, Decision.ALLOW)
        self.assertIs(npm.layer, Layer.MANAGED)

    def test_bad_layer_raises(self):
        with agentguard.PolicyBuilder() as builder:
            with self.assertRaises(ValueError):
                builder.add_file(policy_path("basic"), layer="global")
            with self.assertRaises(TypeError):
                builder.add_string("allow: []\n", layer=0)


class HomeTest(unittest.TestCase):
    def setUp(self):
        self.policy = agentguard.Policy.from_string(
            'default: allow\ndeny: ["Read(~/.ssh/**)"]\n', name="home.yaml")
        self.addCleanup(self.policy.close)

    def test_home_expands_tilde_in_effects(self):
        with agentguard.Checker(self.policy, home="/home/dev") as checker:
            verdict = checker.check_command("cat /home/dev/.ssh/id_rsa", cwd=CASE_CWD)
        self.assertIs(verdict.decision, Decision.DENY)
        self.assertEqual(verdict.rule, "Read(~/.ssh/**)")

    def test_without_home_fails_closed(self):
        with agentguard.Checker(self.policy) as checker:
            verdict = checker.check_command("cat /home/dev/.ssh/id_rsa", cwd=CASE_CWD)
        self.assertIsNot(verdict.decision, Decision.ALLOW)

    def test_set_home_none_unsets(self):
        with agentguard.Checker(self.policy, home="/home/dev") as checker:
            checker.set_home(None)
            verdict = checker.check_command("cat ~/notes.txt", cwd=CASE_CWD)
        self.assertTrue(verdict.effects[0].target.startswith("~"), verdict.effects)

    def test_relative_home_raises(self):
        with agentguard.Checker(self.policy) as checker:
            with self.assertRaises(ValueError) as raised:
                checker.set_home("home/dev")
            self.assertIn("absolute", str(raised.exception))
            with self.assertRaises(ValueError):
                checker.set_home("/home/dev\0x")
        with self.assertRaises(ValueError):
            agentguard.Checker(self.policy, home="relative")


class CdpathTest(unittest.TestCase):
    COMMAND = "cd .ssh && cat id_rsa"

    def setUp(self):
        self.policy = agentguard.Policy.from_string(
            'default: allow\ndeny: ["Read(~/.ssh/**)"]\n', name="cdpath.yaml")
        self.addCleanup(self.policy.close)

    def test_cdpath_keyword_leads_cd_home(self):
        with agentguard.Checker(self.policy, home="/home/dev", cdpath="/home/dev") as checker:
            verdict = checker.check_command(self.COMMAND, cwd="/home/dev/proj")
        self.assertIs(verdict.decision, Decision.DENY)
        self.assertEqual(verdict.rule, "Read(~/.ssh/**)")

    def test_set_cdpath_none_and_empty_unset(self):
        with agentguard.Checker(self.policy, home="/home/dev", cdpath="/home/dev") as checker:
            for unset in (None, ""):
                with self.subTest(cdpath=unset):
                    checker.set_cdpath(unset)
                    verdict = checker.check_command(self.COMMAND, cwd="/home/dev/proj")
                    self.assertIs(verdict.decision, Decision.ALLOW)

    def test_cdpath_with_nul_raises(self):
        with agentguard.Checker(self.policy) as checker:
            with self.assertRaises(ValueError):
                checker.set_cdpath("/home/dev\0x")


class LimitsTest(unittest.TestCase):
    def test_limits_only_tighten(self):
        with load_policy("basic") as policy:
            with agentguard.Checker(policy, limits=agentguard.Limits(max_commands=100000)) \
                    as checker:
                loose = checker.check_command("true; true; true")
                checker.set_limits(agentguard.Limits(max_commands=2))
                tight = checker.check_command("true; true; true")
        self.assertIs(loose.decision, Decision.ALLOW)
        self.assertIs(tight.decision, Decision.ASK)
        self.assertEqual(tight.error, "AG_ERR_LIMIT")

    def test_input_bytes_limit(self):
        # A policy whose default is allow, so that only the limit can make
        # the request ask.
        with agentguard.Policy.from_string("default: allow\n") as policy, \
                agentguard.Checker(policy, limits=agentguard.Limits(max_input_bytes=8)) \
                as checker:
            short = checker.check_command("ls")
            long = checker.check_command("git status")
        self.assertIs(short.decision, Decision.ALLOW)
        self.assertIs(long.decision, Decision.ASK)
        self.assertEqual(long.error, "AG_ERR_LIMIT")

    def test_invalid_limits_raise(self):
        with self.assertRaises(ValueError):
            agentguard.Limits(max_commands=-1)
        with self.assertRaises(ValueError):
            agentguard.Limits(timeout_ms=2 ** 32)
        with self.assertRaises(TypeError):
            agentguard.Limits(max_depth=1.5)
        with self.assertRaises(TypeError):
            agentguard.Limits(max_depth=True)
        with load_policy("basic") as policy, agentguard.Checker(policy) as checker:
            with self.assertRaises(TypeError):
                checker.set_limits({"max_commands": 2})


class ExplainSettingTest(unittest.TestCase):
    def test_explain_toggles(self):
        with load_policy("basic") as policy, agentguard.Checker(policy) as checker:
            self.assertFalse(checker.explain)
            self.assertEqual(checker.check_command("rm -rf /").commands[0].matches, ())
            checker.set_explain(True)
            self.assertTrue(checker.explain)
            self.assertNotEqual(checker.check_command("rm -rf /").commands[0].matches, ())
            checker.set_explain(False)
            self.assertEqual(checker.check_command("rm -rf /").commands[0].matches, ())

    def test_closed_checker_settings_raise(self):
        with load_policy("basic") as policy:
            checker = agentguard.Checker(policy)
            checker.close()
            for call in (lambda: checker.set_home("/h"), lambda: checker.set_cdpath("/h"),
                         lambda: checker.set_mode("plan"),
                         lambda: checker.set_explain(True), lambda: checker.mode,
                         lambda: checker.set_limits(agentguard.Limits()),
                         lambda: checker.on_decision(print)):
                with self.subTest(call=call):
                    with self.assertRaises(agentguard.ClosedError):
                        call()


if __name__ == "__main__":
    unittest.main()
