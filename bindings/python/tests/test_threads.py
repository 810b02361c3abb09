"""One Policy shared by eight threads, one Checker each: every verdict must
equal the verdict of a single-threaded run."""

import json
import os
import threading
import unittest

from support import CASES_DIR, load_policy

import agentguard

THREAD_COUNT = 8
CHECKS_PER_THREAD = 2000


def table_commands(policy_name):
    with open(os.path.join(CASES_DIR, "check.json"), encoding="utf-8") as table:
        cases = json.load(table)["cases"]
    return [case["command"] for case in cases
            if case["policy"] == policy_name and "command" in case]


class ThreadTest(unittest.TestCase):
    def test_shared_policy_one_checker_per_thread(self):
        commands = table_commands("basic")
        self.assertGreater(len(commands), 10)

        with load_policy("basic") as policy:
            with agentguard.Checker(policy) as checker:
                expected = [checker.check_command(command, cwd="/repo") for command in commands]

            mismatches = []
            failures = []
            start = threading.Barrier(THREAD_COUNT)

            def work(thread_index):
                try:
                    with agentguard.Checker(policy) as own_checker:
                        start.wait()
                        for step in range(CHECKS_PER_THREAD):
                            index = (thread_index * 7 + step) % len(commands)
                            verdict = own_checker.check_command(commands[index], cwd="/repo")
                            if verdict != expected[index]:
                                mismatches.append((thread_index, commands[index], verdict))
                except Exception as error:  # noqa: BLE001 - reported by the main thread
                    failures.append((thread_index, error))

            threads = [threading.Thread(target=work, args=(i,)) for i in range(THREAD_COUNT)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        self.assertEqual(failures, [])
        self.assertEqual(mismatches[:3], [])


if __name__ == "__main__":
    unittest.main()
