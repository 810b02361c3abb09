"""Effects, explain-mode matches and the deciding layer of verdicts."""

import dataclasses
import unittest

from support import CASE_CWD

import agentguard
from agentguard import Decision, EffectKind, Match

POLICY_TEXT = """\
default: ask
allow: [Read, "Edit(./out/**)", "Bash(cat *)", "Bash(curl *)"]
ask: ["Bash(run_in_background:true)"]
deny: ["Read(./.env)", "Edit(./out/secret)", "WebFetch(domain:evil.example)"]
"""


def effect_of_kind(verdict, kind):
    found = [effect for effect in verdict.effects if effect.kind is kind]
    if len(found) != 1:
        raise AssertionError(f"expected one {kind} effect, got {verdict.effects}")
    return found[0]


class ExplainTestCase(unittest.TestCase):
    explain = True

    def setUp(self):
        self.policy = agentguard.Policy.from_string(POLICY_TEXT, name="explain.yaml")
        self.checker = agentguard.Checker(self.policy, explain=self.explain)
        self.addCleanup(self.policy.close)
        self.addCleanup(self.checker.close)


class EffectTest(ExplainTestCase):
    explain = False

    def test_read_and_write_effects(self):
        verdict = self.checker.check_command("cat .env > out/log", cwd=CASE_CWD)
        self.assertIs(verdict.decision, Decision.DENY)
        self.assertEqual(verdict.rule, "Read(./.env)")

        read = effect_of_kind(verdict, EffectKind.READ)
        self.assertEqual(read.target, "/repo/.env")
        self.assertIs(read.decision, Decision.DENY)
        self.assertEqual(read.rule, "Read(./.env)")
        self.assertEqual(read.source, "explain.yaml:4:8")
        self.assertEqual(read.span, (4, 8))
        self.assertEqual(read.command, 0)

        write = effect_of_kind(verdict, EffectKind.WRITE)
        self.assertEqual(write.target, "/repo/out/log")
        self.assertIs(write.decision, Decision.ALLOW)
        self.assertEqual(write.rule, "Edit(./out/**)")
        self.assertEqual(write.span, (11, 18))

    def test_effect_command_index(self):
        verdict = self.checker.check_command("cat a.txt; cat b.txt", cwd=CASE_CWD)
        targets = {effect.target: effect.command for effect in verdict.effects}
        self.assertEqual(targets, {"/repo/a.txt": 0, "/repo/b.txt": 1})
        for effect in verdict.effects:
            self.assertEqual(verdict.commands[effect.command].argv[1],
                             effect.target.rsplit("/", 1)[1])

    def test_network_and_chdir_effects(self):
        verdict = self.checker.check_command(
            "cd out && curl https://evil.example/x", cwd=CASE_CWD)
        self.assertIs(verdict.decision, Decision.DENY)
        chdir = effect_of_kind(verdict, EffectKind.CHDIR)
        self.assertEqual(chdir.target, "/repo/out")
        network = effect_of_kind(verdict, EffectKind.NETWORK)
        self.assertEqual(network.target, "evil.example")
        self.assertEqual(network.rule, "WebFetch(domain:evil.example)")

    def test_effect_str_is_c_name(self):
        self.assertEqual([str(kind) for kind in EffectKind],
                         ["read", "write", "chdir", "network"])

    def test_tool_call_has_no_effects(self):
        verdict = self.checker.check("Read", {"file_path": "/repo/a.txt"}, cwd=CASE_CWD)
        self.assertEqual(verdict.effects, ())

    def test_matches_empty_without_explain(self):
        verdict = self.checker.check_command("cat .env > out/log", cwd=CASE_CWD)
        self.assertEqual(verdict.matches, ())
        self.assertEqual(verdict.commands[0].matches, ())
        for effect in verdict.effects:
            self.assertEqual(effect.matches, ())

    def test_effect_is_immutable(self):
        effect = self.checker.check_command("cat .env", cwd=CASE_CWD).effects[0]
        with self.assertRaises(dataclasses.FrozenInstanceError):
            effect.decision = Decision.ALLOW


class MatchTest(ExplainTestCase):
    def test_tool_call_lists_every_rule(self):
        verdict = self.checker.check("Read", {"file_path": "/repo/.env"}, cwd=CASE_CWD)
        self.assertIs(verdict.decision, Decision.DENY)
        self.assertEqual(verdict.matches, (
            Match("Read", "explain.yaml:2:9", Decision.ALLOW, True),
            Match("Read(./.env)", "explain.yaml:4:8", Decision.DENY, True),
        ))

    def test_param_rule_matches_request(self):
        verdict = self.checker.check(
            "Bash", {"command": "cat a", "run_in_background": True}, cwd=CASE_CWD)
        self.assertIs(verdict.decision, Decision.ASK)
        self.assertEqual(verdict.matches, (
            Match("Bash(run_in_background:true)", "explain.yaml:3:7", Decision.ASK, True),))
        self.assertEqual(verdict.commands[0].matches, (
            Match("Bash(cat *)", "explain.yaml:2:33", Decision.ALLOW, True),))

    def test_command_lists_every_rule(self):
        with agentguard.Policy.from_string(
                'deny: ["Bash(rm *)", "Bash(rm -rf *)"]\nallow: [Bash]\n',
                name="forms.yaml") as policy, \
                agentguard.Checker(policy, explain=True) as checker:
            verdict = checker.check_command("rm -rf x", cwd=CASE_CWD)
        self.assertEqual(verdict.rule, "Bash(rm *)")
        matches = verdict.commands[0].matches
        self.assertEqual(len(matches), 3)
        self.assertEqual(matches[1], Match("Bash(rm -rf *)", "forms.yaml:1:22", Decision.DENY, True))

    def test_effect_lists_every_rule(self):
        verdict = self.checker.check_command("cat a > out/secret", cwd=CASE_CWD)
        write = effect_of_kind(verdict, EffectKind.WRITE)
        self.assertIs(write.decision, Decision.DENY)
        self.assertEqual(write.matches, (
            Match("Edit(./out/**)", "explain.yaml:2:15", Decision.ALLOW, True),
            Match("Edit(./out/secret)", "explain.yaml:4:24", Decision.DENY, True),
        ))

    def test_dynamic_word_matches_uncertain(self):
        verdict = self.checker.check_command("cat a > out/$NAME", cwd=CASE_CWD)
        write = effect_of_kind(verdict, EffectKind.WRITE)
        self.assertIsNot(write.decision, Decision.ALLOW)
        self.assertIn(
            Match("Edit(./out/secret)", "explain.yaml:4:24", Decision.DENY, False), write.matches)

    def test_explain_keeps_decisions(self):
        commands = ["cat .env > out/log", "cat a; curl https://evil.example", "rm -rf /", "ls"]
        with agentguard.Checker(self.policy) as plain:
            for command in commands:
                with self.subTest(command=command):
                    explained = self.checker.check_command(command, cwd=CASE_CWD)
                    unexplained = plain.check_command(command, cwd=CASE_CWD)
                    self.assertIs(explained.decision, unexplained.decision)
                    self.assertEqual(explained.rule, unexplained.rule)


if __name__ == "__main__":
    unittest.main()
