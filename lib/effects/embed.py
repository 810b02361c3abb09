"""Write a YAML data file into a C source file as the string ag_effects_yaml.

Usage: embed.py INPUT.yaml OUTPUT.c
"""
import sys


def main():
    source, target = sys.argv[1], sys.argv[2]
    with open(source, "rb") as handle:
        data = handle.read()
    if b"\0" in data:
        sys.exit(f"{source}: contains a NUL byte, which the embedded C string cannot hold")
    lines = ["/* Generated from effects.yaml by embed.py; do not edit. */",
             "#include <stddef.h>", "", "const char ag_effects_yaml[] ="]
    for line in data.decode("utf-8").splitlines(keepends=True):
        escaped = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        lines.append(f'    "{escaped}"')
    lines.append('    "";')
    lines.append("const size_t ag_effects_yaml_length = sizeof(ag_effects_yaml) - 1;")
    with open(target, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
