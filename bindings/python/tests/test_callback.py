"""The decision callback: Checker.on_decision()."""

import gc
import json
import threading
import unittest
import weakref

from support import CASE_CWD, load_policy

import agentguard
from agentguard import Decision


class CallbackFailure(Exception):
    pass


class DecisionCallbackTest(unittest.TestCase):
    def setUp(self):
        self.policy = load_policy("basic")
        self.checker = agentguard.Checker(self.policy)
        self.addCleanup(self.policy.close)
        self.addCleanup(self.checker.close)
        self.events = []

    def test_check_reports_json_input(self):
        self.checker.on_decision(self.events.append)
        verdict = self.checker.check("Read", {"file_path": "/repo/a.txt"}, cwd=CASE_CWD)
        self.assertEqual(len(self.events), 1)
        event = self.events[0]
        self.assertIs(event.verdict, verdict)
        self.assertEqual(event.tool_name, "Read")
        self.assertEqual(json.loads(event.tool_input_json), {"file_path": "/repo/a.txt"})
        self.assertIsNone(event.command)
        self.assertEqual(event.cwd, CASE_CWD)

    def test_check_command_reports_bytes(self):
        self.checker.on_decision(self.events.append)
        verdict = self.checker.check_command(b"git status\0; rm -rf /")
        event = self.events[0]
        self.assertIs(event.verdict, verdict)
        self.assertEqual(event.tool_name, "Bash")
        self.assertIsNone(event.tool_input_json)
        self.assertEqual(event.command, b"git status\0; rm -rf /")
        self.assertIsNone(event.cwd)
        self.assertIsNot(event.verdict.decision, Decision.ALLOW)

    def test_one_call_per_check(self):
        self.checker.on_decision(self.events.append)
        for command in ("git status", "rm -rf /", "make"):
            self.checker.check_command(command)
        self.assertEqual([str(event.verdict.decision) for event in self.events],
                         ["allow", "deny", "ask"])

    def test_malformed_request_is_reported(self):
        self.checker.on_decision(self.events.append)
        verdict = self.checker.check("Bash", '{"command": ')
        self.assertIs(verdict.decision, Decision.DENY)
        self.assertEqual(self.events[0].verdict.error, "AG_ERR_REQUEST")

    def test_none_removes_callback(self):
        self.checker.on_decision(self.events.append)
        self.checker.check_command("ls")
        self.checker.on_decision(None)
        self.checker.check_command("ls")
        self.assertEqual(len(self.events), 1)

    def test_decorator_form(self):
        @self.checker.on_decision
        def record(event):
            self.events.append(event.verdict.rule)

        self.checker.check_command("git status")
        self.assertEqual(self.events, ["Bash(git status)"])
        self.assertTrue(callable(record))

    def test_rejects_non_callable(self):
        with self.assertRaises(TypeError):
            self.checker.on_decision("print")

    def test_exception_raised_from_check(self):
        def fail(event):
            raise CallbackFailure(f"audit log unavailable for {event.verdict.decision}")

        self.checker.on_decision(fail)
        with self.assertRaises(CallbackFailure) as raised:
            self.checker.check_command("git status")
        self.assertIn("allow", str(raised.exception))
        with self.assertRaises(CallbackFailure):
            self.checker.check("Read", {"file_path": "/repo/a.txt"})

    def test_checker_usable_after_exception(self):
        calls = []

        def fail_once(event):
            calls.append(event)
            if len(calls) == 1:
                raise CallbackFailure("first call fails")

        self.checker.on_decision(fail_once)
        with self.assertRaises(CallbackFailure):
            self.checker.check_command("rm -rf /")
        verdict = self.checker.check_command("git status")
        self.assertIs(verdict.decision, Decision.ALLOW)
        self.assertEqual(len(calls), 2)

    def test_base_exception_does_not_reach_c(self):
        def interrupt(event):
            raise KeyboardInterrupt

        self.checker.on_decision(interrupt)
        with self.assertRaises(KeyboardInterrupt):
            self.checker.check_command("ls")

    def test_reentry_raises_in_check(self):
        def check_again(event):
            self.checker.check_command("ls")

        self.checker.on_decision(check_again)
        with self.assertRaises(agentguard.Error) as raised:
            self.checker.check_command("git status")
        self.assertIn("decision callback", str(raised.exception))

    def test_close_from_callback_raises(self):
        def close_checker(event):
            self.checker.close()

        self.checker.on_decision(close_checker)
        with self.assertRaises(agentguard.Error):
            self.checker.check_command("git status")
        self.assertFalse(self.checker.closed)
        self.checker.on_decision(None)
        self.assertIs(self.checker.check_command("rm -rf /").decision, Decision.DENY)

    def test_settings_from_callback_raise(self):
        attempts = [lambda: self.checker.set_mode("plan"),
                    lambda: self.checker.set_home("/home/x"),
                    lambda: self.checker.set_explain(True),
                    lambda: self.checker.on_decision(None)]
        for attempt in attempts:
            with self.subTest(attempt=attempt):
                self.checker.on_decision(lambda event, attempt=attempt: attempt())
                with self.assertRaises(agentguard.Error):
                    self.checker.check_command("ls")

    def test_other_checker_works_in_callback(self):
        with agentguard.Checker(self.policy) as other:
            self.checker.on_decision(
                lambda event: self.events.append(other.check_command("rm -rf /").decision))
            self.checker.check_command("ls")
        self.assertEqual(self.events, [Decision.DENY])

    def test_callback_runs_on_checking_thread(self):
        threads = []
        self.checker.on_decision(lambda event: threads.append(threading.get_ident()))
        worker = threading.Thread(target=self.checker.check_command, args=("ls",))
        worker.start()
        worker.join()
        self.assertEqual(threads, [worker.ident])

    def test_checker_freed_without_close(self):
        # The C callback must not keep the Checker alive through a cycle.
        checker = agentguard.Checker(self.policy)
        checker.on_decision(self.events.append)
        reference = weakref.ref(checker)
        del checker
        gc.collect()
        self.assertIsNone(reference())


if __name__ == "__main__":
    unittest.main()
