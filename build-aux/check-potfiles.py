#!/usr/bin/env python3
"""Fails when a file under src/ or ui/ has translatable strings but is not
listed in po/POTFILES.in, or when POTFILES.in lists a missing file."""

import os
import re
import sys

root = sys.argv[1]
pattern = re.compile(r'\b(N?_|C_|NC_)\(|translatable="yes"')

with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
    listed = {line.strip() for line in f
              if line.strip() and not line.startswith('#')}

missing = []
for top in ('src', 'ui'):
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
        for name in filenames:
            if not name.endswith(('.c', '.h', '.ui')):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding='utf-8', errors='replace') as f:
                if pattern.search(f.read()) and rel not in listed:
                    missing.append(rel)

absent = sorted(p for p in listed if not os.path.exists(os.path.join(root, p)))

for rel in sorted(missing):
    print(f'not in po/POTFILES.in: {rel}')
for rel in absent:
    print(f'listed in po/POTFILES.in but missing: {rel}')
sys.exit(1 if missing or absent else 0)
