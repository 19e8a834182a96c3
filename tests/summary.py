"""Test result plumbing for tests/run.sh and tests/all.sh.

  summary.py RESULTS.xml...      print the closing 'N passed, M failed' line over JUnit
                                 files; a missing or unreadable file counts as a failure
  summary.py --stage NAME RC     write a JUnit file with one test case for a stage that
                                 produced no results of its own (failed unless RC is 0)
  summary.py --fuzz DIR          write a JUnit file with one test case per harness result
                                 that tests/fuzz/run.sh left in DIR
"""
import os
import sys
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr


def junit(suite, cases):
    """cases: (name, failure message or None)"""
    failed = sum(1 for _, msg in cases if msg is not None)
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<testsuites><testsuite name=%s tests="%d" failures="%d" errors="0" skipped="0">'
           % (quoteattr(suite), len(cases), failed)]
    for name, msg in cases:
        if msg is None:
            out.append('<testcase classname=%s name=%s/>' % (quoteattr(suite), quoteattr(name)))
        else:
            out.append('<testcase classname=%s name=%s><failure message=%s>%s</failure></testcase>'
                       % (quoteattr(suite), quoteattr(name), quoteattr(msg.splitlines()[0]),
                          escape(msg)))
    out.append('</testsuite></testsuites>')
    return "\n".join(out) + "\n"


def stage(name, rc):
    rc = int(rc)
    msg = None if rc == 0 else "stage %s exited with status %d before reporting tests" % (name, rc)
    sys.stdout.write(junit("stage", [("stage " + name, msg)]))


def fuzz(d):
    cases = []
    names = sorted(os.listdir(d)) if os.path.isdir(d) else []
    for n in names:
        with open(os.path.join(d, n), errors="replace") as f:
            text = f.read()
        first = text.splitlines()[0] if text else ""
        ok = first.rstrip().endswith(" ok")
        cases.append((n, None if ok else (text or "no result")))
        print(first, file=sys.stderr)
    if not cases:
        cases.append(("fuzz", "no harness reported a result in %s" % d))
    sys.stdout.write(junit("fuzz", cases))


def total(paths):
    passed = failed = skipped = 0
    for p in paths:
        try:
            root = ET.parse(p).getroot()
        except (OSError, ET.ParseError) as e:
            print("no test results in %s: %s" % (p, e))
            failed += 1
            continue
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        t = sum(int(s.get("tests", 0)) for s in suites)
        f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
        k = sum(int(s.get("skipped", 0)) for s in suites)
        if t == 0:
            print("no test cases in %s" % p)
            f += 1
        passed += t - f - k if t else 0
        failed += f
        skipped += k
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["--stage"] and len(a) == 3:
        stage(a[1], a[2])
    elif a[:1] == ["--fuzz"] and len(a) == 2:
        fuzz(a[1])
    elif a and not a[0].startswith("--"):
        sys.exit(total(a))
    else:
        sys.exit(__doc__)
