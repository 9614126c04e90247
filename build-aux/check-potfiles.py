#!/usr/bin/env python3
"""Fails when a file under src/ or ui/ has translatable strings but is not
listed in po/POTFILES.in, or when POTFILES.in lists a missing file."""

import os
import re
import subprocess
import sys
import tempfile

root = sys.argv[1]
pattern = re.compile(r'\b(N?_|C_|NC_)\(|translatable="yes"')

with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
    listed = {line.strip() for line in f
              if line.strip() and not line.startswith('#')}



def has_strings(path):
    """xgettext decides: a mention of N_() in a comment is no string."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'file.pot')
        subprocess.run(['xgettext', '--from-code=UTF-8', '--keyword=_', '--keyword=N_',
                        '--keyword=C_:1c,2', '--keyword=NC_:1c,2', '-o', pot, path],
                       check=True)
        if not os.path.exists(pot):
            return False
        with open(pot, encoding='utf-8') as f:
            return sum(1 for line in f if line.startswith('msgid ')) > 1


missing = []
for top in ('src', 'ui'):
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
        for name in filenames:
            if not name.endswith(('.c', '.h', '.ui')):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding='utf-8', errors='replace') as f:
                if pattern.search(f.read()) and rel not in listed and has_strings(path):
                    missing.append(rel)

absent = sorted(p for p in listed if not os.path.exists(os.path.join(root, p)))

for rel in sorted(missing):
    print(f'not in po/POTFILES.in: {rel}')
for rel in absent:
    print(f'listed in po/POTFILES.in but missing: {rel}')
sys.exit(1 if missing or absent else 0)
