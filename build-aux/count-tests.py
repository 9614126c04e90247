#!/usr/bin/env python3
"""Count passed and failed tests in meson's testlog.json.

A TAP test counts each of its "ok"/"not ok" lines; a test that printed no
TAP line counts once by its result.  Exits 1 when anything failed.
"""
import json
import re
import sys

OK = re.compile(r'^\s*ok\b')
NOT_OK = re.compile(r'^\s*not ok\b')
SKIP = re.compile(r'#\s*skip', re.IGNORECASE)
TODO = re.compile(r'#\s*todo', re.IGNORECASE)


def main(path):
    passed = failed = skipped = 0
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            result = entry.get('result', '')
            out = entry.get('stdout') or ''
            p = fl = s = 0
            for l in out.splitlines():
                if NOT_OK.match(l):
                    if TODO.search(l):
                        s += 1
                    else:
                        fl += 1
                elif OK.match(l):
                    if SKIP.search(l):
                        s += 1
                    else:
                        p += 1
            if p + fl + s == 0:
                if result in ('OK', 'EXPECTEDFAIL'):
                    p = 1
                elif result == 'SKIP':
                    s = 1
                else:
                    fl = 1
            elif result not in ('OK', 'EXPECTEDFAIL', 'SKIP') and fl == 0:
                # The program crashed or timed out after its last TAP line.
                fl = 1
            passed += p
            failed += fl
            skipped += s
    # CI reads the last line, which must be exactly "N passed, N failed".
    print(f'{skipped} skipped')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
