#!/usr/bin/env python3
"""Print what libagentguard would decide for each tool call of an agent.

Reads tool calls as JSON lines on standard input, in the field names of
Claude Code's PreToolUse hook:

    {"tool_name": "Bash", "tool_input": {"command": "git status"}, "cwd": "/repo"}

and prints one line per call, in order, followed by one indented line for
each effect of a Bash command (a file it reads or writes, a directory it
changes into, a host it contacts):

    line 1: allow Bash (rule "Bash(git status)" at policy.yaml:5:5): REASON
    line 2: deny Bash (rule "Bash(rm -rf *)" at policy.yaml:23:5): REASON
      read /repo: allow (no rule)
      write /tmp/build: ask (no rule)
    line 3: ask Bash (no rule matched, so the policy default decided): REASON
    line 4: deny ? (invalid request): line 4 is not valid JSON: ...

A line that is not a valid request is denied, and reading goes on. Blank
lines are skipped. The exit status is 0 when every line was read and 1 when a
policy cannot be loaded.
"""

import argparse
import json
import sys

import agentguard


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--policy", "-p", action="append", default=[], metavar="FILE",
        help="YAML policy file; repeat to combine several (default: the built-in policy)")
    parser.add_argument(
        "--cwd", "-C", default=None, metavar="DIR",
        help="working directory for calls without a \"cwd\" field (default: unknown)")
    parser.add_argument(
        "--mode", "-m", default=None, metavar="MODE",
        help="permission mode: default, acceptEdits, plan, dontAsk or bypassPermissions "
             "(default: the policy's mode)")
    return parser.parse_args()


def describe(line_number, tool_name, verdict):
    if verdict.rule is not None:
        origin = f'rule "{verdict.rule}" at {verdict.source}'
    elif verdict.error is not None:
        origin = f"invalid request, {verdict.error}"
    else:
        origin = "no rule matched, so the policy default decided"
    lines = [f"line {line_number}: {verdict.decision} {tool_name} ({origin}): {verdict.reason}"]
    for effect in verdict.effects:
        rule = f'rule "{effect.rule}" at {effect.source}' if effect.rule is not None else "no rule"
        lines.append(f"  {effect.kind} {effect.target}: {effect.decision} ({rule})")
    return "\n".join(lines)


def denied(line_number, tool_name, problem):
    return f"line {line_number}: deny {tool_name} (invalid request): {problem}"


def check_line(checker, line_number, line, default_cwd):
    """Check one input line and return the output, one or more lines."""
    try:
        call = json.loads(line)
    except json.JSONDecodeError as error:
        return denied(line_number, "?", f"line {line_number} is not valid JSON: {error}")
    if not isinstance(call, dict):
        return denied(line_number, "?", "the call is not a JSON object")

    tool_name = call.get("tool_name")
    tool_input = call.get("tool_input")
    cwd = call.get("cwd", default_cwd)
    if not isinstance(tool_name, str):
        return denied(line_number, "?", '"tool_name" is missing or not a string')
    if not isinstance(tool_input, dict):
        return denied(line_number, tool_name, '"tool_input" is missing or not an object')
    if cwd is not None and not isinstance(cwd, str):
        return denied(line_number, tool_name, '"cwd" is not a string')

    try:
        verdict = checker.check(tool_name, tool_input, cwd=cwd)
    except (agentguard.Error, ValueError, TypeError) as error:
        # The engine fails closed, and so does its host.
        return denied(line_number, tool_name, f"the check failed: {error}")
    return describe(line_number, tool_name, verdict)


def main():
    arguments = parse_arguments()
    # Reasons and words may contain bytes that are not UTF-8 (kept as lone
    # surrogates), which must not stop the output.
    sys.stdout.reconfigure(errors="backslashreplace")

    try:
        policy = agentguard.Policy.from_files(arguments.policy)
    except agentguard.Error as error:
        print(f"host.py: {error}", file=sys.stderr)
        return 1
    for warning in policy.warnings:
        print(f"host.py: {warning}", file=sys.stderr)

    try:
        checker = agentguard.Checker(policy, mode=arguments.mode)
    except ValueError as error:
        policy.close()
        print(f"host.py: --mode: {error}", file=sys.stderr)
        return 2

    with policy, checker:
        for line_number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            print(check_line(checker, line_number, line, arguments.cwd), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
