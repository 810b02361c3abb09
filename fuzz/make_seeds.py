#!/usr/bin/env python3
"""Regenerate the seed corpora in fuzz/corpus/NAME/ from the repository's tests.

Seeds come from tests/cases/check.json, the policies under tests/, the
hand-written inputs below, and, when a shell command corpus folder is given
with --shared-corpus (the layout of shared/corpus: nl2bash.txt,
agent-commands.txt, agent-commands-multiline.txt, shell-syntax.txt and
tree-sitter-bash-corpus/), a fixed, evenly spaced selection from it. The
committed seeds never need that folder again.

Files named seed-* are replaced; any other file (crash-*, regression-*) is
kept, because those are regression inputs added by hand.

Usage: fuzz/make_seeds.py [--shared-corpus DIR]
"""
import argparse
import hashlib
import json
import os
import random
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(TOP, "fuzz", "corpus")
MAX_SEEDS = 300
MAX_SEED_BYTES = 4096

HANDWRITTEN_COMMANDS = [
    "", " ", "\n", "#", "ls", "true && rm -rf /", "echo $(rm -rf /)", "echo `id`",
    "cat <(curl x) >(tee y)", "sudo -u root rm -rf /", "env X=1 rm -rf /", "xargs rm -rf",
    "timeout 5 rm -rf /", "bash -c 'rm -rf /'", "sh -c \"$CMD\"", "nohup rm -rf / &",
    "find . -exec rm {} \\;", "eval \"$X\"", "$X", "${X:-rm} -rf /", "'r'm -rf /",
    "r\\m -rf /", "command rm -rf /", "builtin cd /", "exec rm -rf /", "time rm -rf /",
    "! rm -rf /", "(rm -rf /)", "{ rm -rf /; }", "f() { rm -rf /; }; f", "if rm -rf /; then :; fi",
    "while :; do rm -rf /; done", "for x in a; do rm $x; done", "case x in x) rm -rf /;; esac",
    "cat <<EOF\n$(rm -rf /)\nEOF", "cat <<'EOF'\n$(rm -rf /)\nEOF", "cat <<< \"$(id)\"",
    "ls > /etc/passwd", "ls 2>&1 >> log", "X=1", "> file", "[[ -f x ]] && rm x", "(( x++ ))",
    "declare -a x=(1 2)", "echo {a,b}", "echo ~/x", "echo *.c", "a | b |& c", "a;b&c&&d||e",
    "echo 'unterminated", "echo \"unterminated", "echo $(", "((", "[[", "}", "fi", "esac",
    "echo \x01", "ls\x00-la", "echo $'\\x41'", "echo $\"hi\"", "git push --force origin main",
]

HANDWRITTEN_POLICIES = [
    "",
    "default: deny\n",
    "default: allow\nallow:\ndeny:\nask:\n",
    "default: ask\nallow: []\n",
    "allow:\n  - Bash\n",
    "deny:\n  - \"Bash(*)\"\n",
    "deny:\n  - \"*\"\n",
    "allow: [\"Bash(ls *)\", Read]\ndeny: [WebFetch]\n",
    "limits:\n  max_input_bytes: 100\n  max_depth: 3\n  max_commands: 2\n  timeout_ms: 10\n",
    "limits: {max_input_bytes: 0}\n",
    "default: maybe\n",
    "default: ask\ndefault: allow\n",
    "unknown: 1\n",
    "allow: 5\n",
    "allow:\n  - [nested]\n",
    "allow:\n  - {a: b}\n",
    "allow:\n  - &a \"Bash(ls *)\"\n  - *a\n",
    "allow: !!str x\n",
    "--- \ndefault: ask\n---\ndefault: allow\n",
    "[1, 2]\n",
    "\"just a string\"\n",
    "allow:\n  - \"Bash(ls *\"\n",
    "allow:\n  - \"Bash()\"\n",
    "allow:\n  - \"Bash(npm publish:*)\"\n  - \"Read(~/.ssh/**)\"\n  - \"WebFetch(domain:example.com)\"\n",
    "deny:\n  - mcp__evil\n  - mcp__evil__tool\n  - \"mcp__*\"\n",
    "allow:\n  - \"Bash(\\x01)\"\n",
    "\t- tab\n",
    "default: ask\nallow:\n  - \"Bash(git status)\"\n# comment\n",
]

HANDWRITTEN_RULES = [
    "Bash", "Bash(*)", "Bash(ls *)", "Bash(ls*)", "Bash(npm publish:*)", "Bash(git push --force *)",
    "Bash(rm -rf *)", "Bash(*rm*)", "Bash(* *)", "Bash(a**b)", "Bash(:*)", "Bash(*:*)",
    "Bash(echo \\*)", "Bash(echo (x))", "Bash()", "Bash(", "Bash)", "()", "", "*", "mcp__x",
    "mcp__x__y", "mcp__*", "Read(~/.ssh/**)", "Edit(src/**/*.c)", "WebFetch(domain:example.com)",
    "WebFetch(domain:*.example.com)", "Bash(git status)x", " Bash(ls)", "Bash (ls)", "Bash(ls)\t",
    "Bash(\\)", "Bash([a-z]+)", "Bash(.*)", "Bash(a|b)", "Bash(\\Q*\\E)", "Bash(x\x01)",
    "Bash(\xc3\xa9 *)", "Bash(\xff)",
]

SUBJECTS = [
    "ls", "ls -la", "ls \x01", "git status", "git push --force origin main",
    "rm -rf /", "rm -rf \x01", "\x01 -rf /", "npm publish", "npm publish --tag next",
    "echo a b c", "",
]


def write_seeds(name, seeds):
    folder = os.path.join(CORPUS, name)
    os.makedirs(folder, exist_ok=True)
    for entry in os.listdir(folder):
        if entry.startswith("seed-"):
            os.remove(os.path.join(folder, entry))
    unique = []
    seen = set()
    for seed in seeds:
        if isinstance(seed, str):
            seed = seed.encode("utf-8", "surrogateescape")
        if len(seed) > MAX_SEED_BYTES or seed in seen:
            continue
        seen.add(seed)
        unique.append(seed)
    for seed in unique[:MAX_SEEDS]:
        digest = hashlib.sha1(seed).hexdigest()[:16]
        with open(os.path.join(folder, "seed-" + digest), "wb") as out:
            out.write(seed)
    print(f"{name}: {min(len(unique), MAX_SEEDS)} seeds")


def evenly_spaced(items, count):
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def read_shared(folder):
    """Returns a bounded, diverse selection of commands from the shared corpus."""
    if folder is None or not os.path.isdir(folder):
        return []

    def lines(file):
        path = os.path.join(folder, file)
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return [line.rstrip("\n") for line in f if line.strip()]

    def entries(file):
        path = os.path.join(folder, file)
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return [e.strip("\n") for e in re.split(r"^%%\n", f.read(), flags=re.M) if e.strip()]

    tree_sitter_tests = []
    tree_sitter = os.path.join(folder, "tree-sitter-bash-corpus")
    if os.path.isdir(tree_sitter):
        for file in sorted(os.listdir(tree_sitter)):
            if not file.endswith(".txt"):
                continue
            with open(os.path.join(tree_sitter, file), encoding="utf-8",
                      errors="surrogateescape") as f:
                text = f.read()
            # Each test is a ==== header, its name, ====, the input, then --- and the tree.
            for match in re.finditer(r"^=+\n[^\n]*\n=+\n\n?(.*?)\n-{3,}\n", text, re.M | re.S):
                tree_sitter_tests.append(match.group(1))
    # About 125 commands in all, so the shell seeds keep every test command as well.
    multiline = [e for e in entries("agent-commands-multiline.txt") if len(e) < 1500]
    return (evenly_spaced(entries("shell-syntax.txt"), 40)
            + evenly_spaced(tree_sitter_tests, 40)
            + evenly_spaced(lines("nl2bash.txt"), 20)
            + evenly_spaced(lines("agent-commands.txt"), 15)
            + evenly_spaced(multiline, 10))


# Table sizes of tests/property_gen.c and fuzz/fuzz_property.c, for the byte layout of property seeds.
PROPERTY_DENIED = 13
PROPERTY_CORPUS = 30
PROPERTY_FORMS = 19 + 5  # prop_forms[] and the forms that add a second command X
PROPERTY_VERBS = 20
PROPERTY_WORDS = 37
PROPERTY_REDIRECTIONS = 9


def property_built_command(rng):
    """Return the bytes that make fuzz_property.c build a command: verb, words, redirection."""
    data = [rng.randrange(PROPERTY_VERBS), rng.randrange(4)]
    for _ in range(data[1]):
        if rng.random() < 0.8:
            data.append(rng.randrange(PROPERTY_WORDS))
        else:
            length = rng.randrange(1, 9)
            data += [0xc0 + rng.randrange(2), length - 1]
            data += [rng.randrange(256) for _ in range(length)]
    data.append(rng.randrange(PROPERTY_REDIRECTIONS))
    return data


def property_part(rng, table_size):
    """Return the bytes that pick a command of a table (below 0x80) or build one."""
    if rng.random() < 0.75:
        return [rng.randrange(table_size)]
    return [0x80 + rng.randrange(0x80)] + property_built_command(rng)


def property_seeds():
    """Return inputs of fuzz_property.c: every form once around each denied command, then mixes."""
    rng = random.Random(1)
    seeds = []
    # Every form, one deep, around denied commands taken in turn.
    for form in range(PROPERTY_FORMS):
        data = [form % PROPERTY_DENIED, 0, form]
        if form >= PROPERTY_FORMS - 5:
            data += [0] + property_part(rng, PROPERTY_CORPUS)
        seeds.append(bytes(data))
    # Random depths, forms and second commands, with built commands now and then.
    while len(seeds) < 100:
        data = property_part(rng, PROPERTY_DENIED)
        depth = rng.randrange(4)
        data.append(depth)
        for _ in range(depth + 1):
            form = rng.randrange(PROPERTY_FORMS)
            data.append(form)
            if form >= PROPERTY_FORMS - 5:
                if rng.random() < 0.7:
                    data += [0] + property_part(rng, PROPERTY_CORPUS)
                else:
                    data += [0x80] + property_part(rng, PROPERTY_DENIED)
        seeds.append(bytes(data))
    return seeds


def hook_seeds(cases):
    """Return inputs of `agentguard hook claude`: the recorded inputs, the tests' requests, malformed ones."""
    folder = os.path.join(TOP, "tests", "cli", "hook-inputs")
    seeds = []
    for file in sorted(os.listdir(folder)):
        with open(os.path.join(folder, file), "rb") as f:
            seeds.append(f.read())
    base = {"session_id": "s", "cwd": "/repo", "permission_mode": "default",
            "hook_event_name": "PreToolUse"}
    for case in cases[::4]:
        if "command" in case:
            tool, tool_input = "Bash", {"command": case["command"]}
        elif "input" in case:
            tool, tool_input = case["tool"], case["input"]
        else:
            continue
        seeds.append(json.dumps(dict(base, tool_name=tool, tool_input=tool_input)))
    bash = json.dumps(dict(base, tool_name="Bash", tool_input={"command": "rm -rf /"}))
    seeds += [
        "", "{", "[]", "null", "{}", bash + " trailing", bash[:-1],
        bash.replace('"cwd": "/repo"', '"cwd": 1'),
        bash.replace('"default"', '"bypassPermissions"'),
        bash.replace('"default"', '"plan"'),
        bash.replace('"default"', '"unknownMode"'),
        bash.replace('"PreToolUse"', '"PostToolUse"'),
        bash.replace('"tool_name"', '"tool_name": "Read", "tool_name"'),
        bash.replace('{"command": "rm -rf /"}', '[]'),
        bash.replace('"Bash"', '1'),
        bash.replace('rm -rf /', 'ls\\u0000; rm -rf /'),
        bash.replace('rm -rf /', '\\ud800'),
        json.dumps({"tool_name": "Bash", "tool_input": {"command": "ls"}}),
        json.dumps({"tool_name": "Bash", "tool_input": {}}),
        json.dumps({"tool_name": "mcp__x__y", "tool_input": {"a": [1, {"b": None}]}}),
    ]
    return seeds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared-corpus", help="folder of the shell command corpus")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="write only the seeds of harness NAME (repeat for several); "
                             "without --shared-corpus this keeps the shared selection of shell and check")
    args = parser.parse_args()


    def write(name, seeds):
        if not args.only or name in args.only:
            write_seeds(name, seeds)

    with open(os.path.join(TOP, "tests", "cases", "check.json")) as f:
        cases = json.load(f)["cases"]
    policies = {}
    for folder in ("tests/cases/policies", "tests/policies"):
        path = os.path.join(TOP, folder)
        if os.path.isdir(path):
            for file in sorted(os.listdir(path)):
                if file.endswith(".yaml"):
                    with open(os.path.join(path, file)) as f:
                        policies[file[:-5]] = f.read()

    test_commands = [c["command"] for c in cases if "command" in c]
    shared = read_shared(args.shared_corpus)
    commands = test_commands + HANDWRITTEN_COMMANDS

    # shell: the tests' commands first, then the shared selection, up to MAX_SEEDS.
    write("shell", commands + shared)

    # check: each test case's policy and command; then shared commands under the test policies.
    check = []
    for case in cases:
        if "command" not in case:
            continue
        if case["policy"] == "default":
            check.append(case["command"])
        else:
            check.append(policies[case["policy"]] + "\n%%\n" + case["command"])
    names = sorted(policies)
    for i, command in enumerate(HANDWRITTEN_COMMANDS + evenly_spaced(shared, 80)):
        check.append(policies[names[i % len(names)]] + "\n%%\n" + command)
    for i, policy in enumerate(HANDWRITTEN_POLICIES):
        check.append(policy + "\n%%\n" + HANDWRITTEN_COMMANDS[i % len(HANDWRITTEN_COMMANDS)])
    write("check", check)

    # policy: the tests' policies and the hand-written ones.
    write("policy", list(policies.values()) + HANDWRITTEN_POLICIES)

    # rule: every rule of the tests' policies and cases, each with a few subjects.
    rules = []
    for text in policies.values():
        rules += re.findall(r"^\s*-\s*\"?([^\"\n]+)\"?\s*$", text, re.M)
    rules += [c["rule"] for c in cases if c.get("rule")]
    rules += HANDWRITTEN_RULES
    rule_seeds = []
    for i, rule in enumerate(dict.fromkeys(rules)):
        subjects = [SUBJECTS[(i + k) % len(SUBJECTS)] for k in range(3)]
        rule_seeds.append("\n".join([rule] + subjects))
    write("rule", rule_seeds)

    # request: tool inputs of the tests, Bash inputs of their commands, and malformed JSON.
    request = []
    for case in cases:
        if "input_text" in case:
            request.append(case["tool"] + "\n" + case["input_text"])
        elif "input" in case:
            request.append(case["tool"] + "\n" + json.dumps(case["input"]))
    request += [json.dumps({"command": c}) for c in commands]
    request += ["", "{", "}", "[]", "null", "\"command\"", "{\"command\":1}",
                "{\"command\":null}", "{\"command\":\"ls\",\"command\":\"rm -rf /\"}",
                "{\"command\":\"ls\\u0000; rm -rf /\"}", "{\"command\":\"\\ud800\"}",
                "{\"command\":\"ls\"} trailing", "Read\n{\"file_path\":\"~/.ssh/id_rsa\"}",
                "\n{\"command\":\"ls\"}", "mcp__evil__x\n{}", "WebFetch\n{\"url\":1}"]
    write("request", request)

    # eval: JSON lines as `agentguard eval` reads them, several requests per file.
    lines = []
    for case in cases:
        if "command" in case:
            tool, tool_input = "Bash", {"command": case["command"]}
        elif "input" in case:
            tool, tool_input = case["tool"], case["input"]
        else:
            continue
        lines.append(json.dumps({"tool_name": tool, "tool_input": tool_input, "cwd": "/repo"}))
    lines += ["", "   ", "{", "[]", "1", "{\"tool_name\":1,\"tool_input\":{}}",
              "{\"tool_name\":\"Bash\"}", "{\"tool_name\":\"Bash\",\"tool_input\":[]}",
              "{\"tool_name\":\"Bash\",\"tool_input\":{},\"cwd\":5}",
              "{\"tool_name\":\"Bash\",\"tool_name\":\"Read\",\"tool_input\":{}}",
              "{\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"}}\r"]
    write("eval", ["\n".join(lines[i:i + 4]) + "\n" for i in range(0, len(lines), 4)]
                + [line + "\n" for line in lines])

    write("hook", hook_seeds(cases))
    write("property", property_seeds())


if __name__ == "__main__":
    sys.exit(main())
