#!/usr/bin/env python3
"""Layering check for bmcd's sources (firmware/ hal/ net/ proto/).

Fails (exit 1, one line per finding) on:
  1. an include circle: the graph of `#include "..."` lines among the project's own
     headers and sources (paths resolved relative to the including file);
  2. a forbidden include across layers: proto/ includes nothing from firmware/, hal/ or
     net/; hal/ nothing from net/; net/ nothing from firmware/;
  3. a call circle between modules: the graph "module A uses a symbol module B defines",
     read with nm from the object files of a build (build/obj/**/*.o by default; objects
     whose source is gone are ignored). A module is one .c file (by its path without .c),
     except that every file below a subdirectory of a layer (e.g. proto/redfish/*.c) is
     one module named after that subdirectory.

  tools/check-layers.py [--root DIR] [--obj DIR] [--no-symbols] [-v]
"""
import argparse
import os
import re
import subprocess
import sys

LAYERS = ("firmware", "hal", "net", "proto")
# layer -> layers it must not include from
FORBIDDEN = {
    "proto": ("firmware", "hal", "net"),
    "hal": ("net",),
    "net": ("firmware",),
}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def source_files(root):
    out = []
    for layer in LAYERS:
        top = os.path.join(root, layer)
        for d, _, files in os.walk(top):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def include_graph(root, files):
    """file -> list of (included file, line number); only includes that resolve to a file."""
    graph = {}
    for f in files:
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        edges = []
        for m in INCLUDE_RE.finditer(text):
            target = os.path.normpath(os.path.join(os.path.dirname(f), m.group(1)))
            if os.path.isfile(os.path.join(root, target)):
                edges.append((target, text.count("\n", 0, m.start()) + 1))
        graph[f] = edges
    return graph


def sccs(nodes, succ):
    """Tarjan's strongly connected components (iterative); returns lists of nodes."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(succ.get(start, ())))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(succ.get(w, ()))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def cycle_in(comp, succ):
    """One concrete circle through the component, as a node list a -> b -> ... -> a."""
    members = set(comp)
    start = comp[0]
    prev = {}
    frontier = [start]
    while frontier:  # breadth-first, inside the component, back to start
        nxt = []
        for v in frontier:
            for w in sorted(succ.get(v, ())):
                if w not in members:
                    continue
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return path[::-1] + [start]
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return comp + [comp[0]]


def check_includes(root, files):
    problems = []
    graph = include_graph(root, files)
    for f, edges in sorted(graph.items()):
        layer = f.split(os.sep)[0]
        for target, line in edges:
            tlayer = target.split(os.sep)[0]
            if tlayer in FORBIDDEN.get(layer, ()):
                problems.append(f"layer: {f}:{line} includes {target} ({layer}/ must not "
                                f"include {tlayer}/)")
    succ = {f: sorted({t for t, _ in e}) for f, e in graph.items()}
    for comp in sccs(sorted(succ), succ):
        if len(comp) > 1 or comp[0] in succ.get(comp[0], ()):
            problems.append("include circle: " + " -> ".join(cycle_in(comp, succ)))
    return problems, graph


def module_of(rel_c):
    """proto/ipmi.c -> proto/ipmi; proto/redfish/odata.c -> proto/redfish"""
    parts = rel_c[:-2].split(os.sep)
    if len(parts) > 2:
        return os.sep.join(parts[:2])
    return os.sep.join(parts)


def nm_symbols(obj):
    r = subprocess.run(["nm", "-P", "--no-sort", obj], capture_output=True, text=True,
                       check=True)
    defined, undefined = set(), set()
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) < 2:
            continue
        name, kind = f[0], f[1]
        if kind == "U":
            undefined.add(name)
        elif kind.isupper() or kind in "uvw":
            defined.add(name)
    return defined, undefined


def symbol_graph(root, objdir):
    """module -> {module: sorted symbols it uses from there}; None without objects."""
    defs, uses = {}, {}
    found = False
    for d, _, names in os.walk(objdir):
        for n in sorted(names):
            if not n.endswith(".o"):
                continue
            rel_c = os.path.relpath(os.path.join(d, n), objdir)[:-2] + ".c"
            if rel_c.split(os.sep)[0] not in LAYERS:
                continue
            if not os.path.isfile(os.path.join(root, rel_c)):
                continue  # stale object of a source that is gone
            found = True
            mod = module_of(rel_c)
            dset, uset = nm_symbols(os.path.join(d, n))
            for s in dset:
                defs.setdefault(s, set()).add(mod)
            uses.setdefault(mod, set()).update(uset)
    if not found:
        return None
    graph = {}
    for mod, us in uses.items():
        edges = graph.setdefault(mod, {})
        for s in us:
            for target in defs.get(s, ()):
                if target != mod:
                    edges.setdefault(target, set()).add(s)
    return graph


def check_symbols(root, objdir):
    graph = symbol_graph(root, objdir)
    if graph is None:
        return [f"no object files under {objdir}: build first (make all)"], None
    succ = {m: sorted(e) for m, e in graph.items()}
    problems = []
    for comp in sccs(sorted(succ), succ):
        if len(comp) < 2:
            continue
        path = cycle_in(comp, succ)
        hops = []
        for a, b in zip(path, path[1:]):
            syms = sorted(graph[a][b])
            hops.append(f"{a} -> {b} ({', '.join(syms[:3])}{', ...' if len(syms) > 3 else ''})")
        problems.append(f"call circle among {', '.join(comp)}: " + "; ".join(hops))
    return problems, graph


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--obj", help="object directory (default ROOT/build/obj)")
    ap.add_argument("--no-symbols", action="store_true", help="skip the call-circle check")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the module graph")
    a = ap.parse_args(argv)
    root = os.path.abspath(a.root)
    files = source_files(root)
    problems, incs = check_includes(root, files)
    nedges = sum(len(e) for e in incs.values())
    summary = [f"{len(files)} files, {nedges} includes"]
    if not a.no_symbols:
        p, graph = check_symbols(root, a.obj or os.path.join(root, "build", "obj"))
        problems += p
        if graph is not None:
            summary.append(f"{len(graph)} modules, {sum(len(e) for e in graph.values())} "
                           "module dependencies")
            if a.verbose:
                for mod in sorted(graph):
                    print(f"{mod} -> {' '.join(sorted(graph[mod])) or '-'}")
    for p in problems:
        print(p)
    print(("FAIL: " if problems else "ok: ") + ", ".join(summary)
          + (f", {len(problems)} problem(s)" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
