#!/usr/bin/env python3
"""Fails when files of api/src import each other in a loop.

Reads every `use` (and every inline `crate::…` path) of api/src, resolves each path to the
file that defines the name, following `pub use` re-exports through a folder's mod.rs, and
looks for strongly connected components in the file graph. A folder's mod.rs re-exporting
its own files is the folder's face, not a dependency, so those edges are not counted.
"""
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "api" / "src"


def module_of(path: Path) -> tuple:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


FILES = {module_of(p): p for p in SRC.rglob("*.rs") if p.name != "main.rs"}


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def expand(tree: str, prefix=()):
    """`a::{b, c::{d, e as f}}` → [(path, alias)]."""
    tree = tree.strip()
    out = []
    depth, start, parts = 0, 0, []
    for i, ch in enumerate(tree):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(tree[start:i])
            start = i + 1
    parts.append(tree[start:])
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if "{" in part:
            head, inner = part.split("{", 1)
            head = tuple(s for s in head.strip().rstrip(":").split("::") if s)
            out += expand(inner.rsplit("}", 1)[0], prefix + head)
            continue
        alias = None
        if " as " in part:
            part, alias = (s.strip() for s in part.split(" as "))
        segs = prefix + tuple(s for s in part.split("::") if s)
        out.append((segs, alias or segs[-1]))
    return out


def absolute(module: tuple, segs: tuple):
    """A path as seen from `module`, from the crate root; None for other crates."""
    if not segs:
        return None
    if segs[0] == "crate":
        return segs[1:]
    if segs[0] in ("super", "self"):
        base = list(module)
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base.pop()
            segs = segs[1:]
        return tuple(base) + segs
    if module + segs[:1] in FILES:  # a child module named without `self::`
        return module + segs
    return None


USES = {}
REEXPORTS = {}
for module, path in FILES.items():
    text = strip_comments(path.read_text())
    uses = []
    for m in re.finditer(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", text):
        for segs, alias in expand(m.group(2)):
            full = absolute(module, segs)
            if full is None:
                continue
            uses.append(full)
            if m.group(1) and alias != "self":
                REEXPORTS.setdefault(module, {})[alias] = full
    for m in re.finditer(r"\bcrate((?:::\w+)+)", text):
        uses.append(tuple(m.group(1).split("::")[1:]))
    USES[module] = uses


def resolve(path: tuple, seen=0):
    """The file that defines what `path` names."""
    for cut in range(len(path), -1, -1):
        module = path[:cut]
        if module in FILES:
            rest = path[cut:]
            target = REEXPORTS.get(module, {}).get(rest[0]) if rest else None
            if target and seen < 8 and target != path:
                return resolve(target + rest[1:], seen + 1)
            return module
    return None


edges = {m: set() for m in FILES}
for module, uses in USES.items():
    for use in uses:
        target = resolve(use)
        if target is None or target == module or target == ():
            continue
        # A folder's face handing on its own files.
        is_face = FILES[module].name in ("mod.rs", "lib.rs") or (SRC.joinpath(*module)).is_dir()
        if is_face and target[: len(module)] == module:
            continue
        edges[module].add(target)

# Tarjan's strongly connected components.
index, low, on_stack, stack, cycles, counter = {}, {}, set(), [], [], [0]
sys.setrecursionlimit(10_000)


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on_stack.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on_stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        component = []
        while True:
            w = stack.pop()
            on_stack.discard(w)
            component.append(w)
            if w == v:
                break
        if len(component) > 1:
            cycles.append(component)


for v in FILES:
    if v not in index:
        visit(v)

name = lambda m: str(FILES[m].relative_to(SRC.parent.parent))
if cycles:
    for c in cycles:
        members = set(c)
        print(f"import cycle of {len(c)} files:", file=sys.stderr)
        for m in sorted(c):
            for t in sorted(edges[m] & members):
                print(f"  {name(m)} -> {name(t)}", file=sys.stderr)
    sys.exit(1)
print(f"no import cycle among {len(FILES)} files of api/src "
      f"({sum(len(e) for e in edges.values())} imports between files)")
