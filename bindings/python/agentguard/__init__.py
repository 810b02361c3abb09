"""Python bindings (ctypes) for libagentguard, the permission engine that
decides allow, ask or deny before an AI coding agent runs a tool call.

    import agentguard

    with agentguard.Policy.from_file("policy.yaml") as policy, \\
            agentguard.Checker(policy) as checker:
        verdict = checker.check_command("git status && rm -rf /")
        print(verdict.decision, verdict.rule, verdict.source)

A Policy may be shared by all threads. Use one Checker per thread. The host
must treat any exception raised while checking a request as a deny.
See docs/python.md in the libagentguard repository.
"""

from . import _native
from .checker import Checker, DecisionEvent, Limits, check_command
from .errors import ClosedError, Error, LibraryError, PolicyError, Status
from .model import Layer, Mode
from .policy import Policy, PolicyBuilder, PolicyTest, default_policy_text, sha256_hex
from .verdict import Command, Decision, Effect, EffectKind, Match, Verdict

__all__ = [
    "Checker",
    "ClosedError",
    "Command",
    "Decision",
    "DecisionEvent",
    "Effect",
    "EffectKind",
    "Error",
    "Layer",
    "LibraryError",
    "Limits",
    "Match",
    "Mode",
    "Policy",
    "PolicyBuilder",
    "PolicyError",
    "PolicyTest",
    "Status",
    "Verdict",
    "check_command",
    "default_policy_text",
    "library_version",
    "sha256_hex",
]

__version__ = "0.1.0"


def library_version():
    """Return the version string of the loaded libagentguard, such as "0.1.0"."""
    return _native.text(_native.load().ag_version())
