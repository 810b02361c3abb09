"""Shared helpers of the binding tests: where the test cases are, and how a
case of tests/cases/check.json names its policy."""

import os
import sys

# Running the tests from a checkout without meson: import the package from
# bindings/python and use the cases of this repository.
BINDINGS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if BINDINGS_DIR not in sys.path:
    sys.path.insert(0, BINDINGS_DIR)

import agentguard  # noqa: E402 - needs the path above

REPOSITORY = os.path.dirname(os.path.dirname(BINDINGS_DIR))
CASES_DIR = os.environ.get("AGENTGUARD_CASES") or os.path.join(REPOSITORY, "tests", "cases")
POLICIES_DIR = os.path.join(CASES_DIR, "policies")

# The working directory that tests/test_check.c passes with every case.
CASE_CWD = "/repo"


def policy_path(name):
    """Return the path of the test policy `name` (a file name without .yaml)."""
    return os.path.join(POLICIES_DIR, name + ".yaml")


def load_policy(name):
    """Load a test policy by name, or the built-in policy for "default"."""
    if name == "default":
        return agentguard.Policy.default()
    return agentguard.Policy.from_file(policy_path(name))
