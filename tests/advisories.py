#!/usr/bin/env python3
"""Which crates in Cargo.lock a RustSec advisory names as affected, read from a local copy of
the advisory database (https://github.com/rustsec/advisory-db), for machines where
`cargo audit` cannot fetch it.

Usage: python3 tests/advisories.py PATH/TO/advisory-db [Cargo.lock]
Exit 0 when no advisory applies (withdrawn ones and informational `unmaintained` notes are
listed but do not fail), 1 otherwise.
"""

import pathlib
import re
import sys
import tomllib


def parse_version(text: str) -> tuple[int, int, int, tuple]:
    core, _, pre = text.strip().partition("-")
    core = core.split("+")[0]
    parts = [int(p) for p in core.split(".")] + [0, 0, 0]
    # A pre-release sorts before its release.
    return parts[0], parts[1], parts[2], (0, pre) if pre else (1, "")


def satisfies(version: str, requirement: str) -> bool:
    """Cargo's requirement syntax as advisories use it: comparators joined by commas."""
    v = parse_version(version)
    for comparator in requirement.split(","):
        comparator = comparator.strip()
        match = re.match(r"(>=|<=|>|<|=|\^|~)?\s*(.+)", comparator)
        op, bound_text = match.group(1) or "^", match.group(2)
        bound = parse_version(bound_text)
        if op == ">=" and not v >= bound:
            return False
        if op == ">" and not v > bound:
            return False
        if op == "<=" and not v <= bound:
            return False
        if op == "<" and not v < bound:
            return False
        if op == "=" and not v[:3] == bound[:3]:
            return False
        if op == "~" and not (v >= bound and v[:2] == bound[:2]):
            return False
        if op == "^":
            if v < bound:
                return False
            # The left-most non-zero part must stay the same.
            if bound[0] != 0:
                if v[0] != bound[0]:
                    return False
            elif bound[1] != 0:
                if v[:2] != bound[:2]:
                    return False
            elif v[:3] != bound[:3]:
                return False
    return True


def advisory(path: pathlib.Path) -> dict:
    text = path.read_text(encoding="utf-8")
    front = re.search(r"```toml\n(.*?)\n```", text, re.S)
    data = tomllib.loads(front.group(1)) if front else {}
    title = re.search(r"^# (.+)$", text, re.M)
    data.setdefault("advisory", {})["title"] = title.group(1) if title else ""
    return data


def main() -> int:
    db = pathlib.Path(sys.argv[1])
    lock = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "Cargo.lock")
    packages = tomllib.loads(lock.read_text())["package"]
    affected, notes, checked = [], [], 0
    for package in packages:
        name, version = package["name"], package["version"]
        for path in sorted((db / "crates" / name).glob("RUSTSEC-*.md")):
            checked += 1
            data = advisory(path)
            meta, versions = data.get("advisory", {}), data.get("versions", {})
            safe = versions.get("patched", []) + versions.get("unaffected", [])
            if any(satisfies(version, r) for r in safe):
                continue
            line = f"{name} {version}: {meta.get('id')} {meta['title']}"
            if meta.get("withdrawn"):
                continue
            if meta.get("informational"):
                notes.append(f"{line} ({meta['informational']})")
            else:
                affected.append(line)
    print(f"{len(packages)} crates in {lock}, {checked} advisories about them read")
    for line in notes:
        print(f"note: {line}")
    for line in affected:
        print(f"AFFECTED: {line}")
    return 1 if affected else 0


if __name__ == "__main__":
    sys.exit(main())
