"""Run a program with CALLS on stdin and compare its output with EXPECTED.

usage: compare.py CALLS EXPECTED PROGRAM [ARGUMENT...]

Exits 0 when the program exits 0 and its standard output equals EXPECTED
byte for byte. Otherwise it prints a unified diff and exits 1.
"""

import difflib
import subprocess
import sys


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    calls, expected_file, *command = sys.argv[1:]
    with open(calls, "rb") as stdin:
        result = subprocess.run(command, stdin=stdin, capture_output=True, timeout=60)
    with open(expected_file, "rb") as f:
        expected = f.read()

    ok = True
    if result.returncode != 0:
        print(f"exit status {result.returncode}, expected 0", file=sys.stderr)
        ok = False
    if result.stderr:
        print("unexpected output on standard error:", file=sys.stderr)
        sys.stderr.write(result.stderr.decode("utf-8", "backslashreplace"))
        ok = False
    if result.stdout != expected:
        diff = difflib.unified_diff(
            expected.decode("utf-8", "backslashreplace").splitlines(keepends=True),
            result.stdout.decode("utf-8", "backslashreplace").splitlines(keepends=True),
            fromfile=expected_file, tofile="output")
        sys.stdout.writelines(diff)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
