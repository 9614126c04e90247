#!/usr/bin/env python3
"""Checks po/ru.po with msgfmt --check, then extracts every string of the
files in po/POTFILES.in and fails when one has no Russian translation or a
translation is fuzzy."""

import os
import re
import subprocess
import sys
import tempfile

root = sys.argv[1]
po = os.path.join(root, 'po', 'ru.po')


def statistics(path):
    result = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, path],
                            capture_output=True, text=True)
    sys.stdout.write(result.stderr)
    if result.returncode != 0:
        sys.exit(f'msgfmt --check failed on {path}')
    fuzzy = re.search(r'(\d+) fuzzy', result.stderr)
    untranslated = re.search(r'(\d+) untranslated', result.stderr)
    return (int(fuzzy.group(1)) if fuzzy else 0,
            int(untranslated.group(1)) if untranslated else 0)


fuzzy, untranslated = statistics(po)
if fuzzy or untranslated:
    sys.exit(f'po/ru.po has {fuzzy} fuzzy and {untranslated} untranslated entries')

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, 'stupeni.pot')
    merged = os.path.join(tmp, 'ru.po')
    subprocess.run(['xgettext', '--from-code=UTF-8', '--add-comments=TRANSLATORS',
                    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2',
                    '--keyword=NC_:1c,2', '--keyword=g_dngettext:2,3',
                    '--keyword=ngettext:1,2', '--keyword=g_dgettext:2',
                    '-D', root, '-f', os.path.join(root, 'po', 'POTFILES.in'),
                    '-o', pot], check=True)
    subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', po, pot, '-o', merged],
                   check=True)
    fuzzy, untranslated = statistics(merged)
    if fuzzy or untranslated:
        subprocess.run(['msgattrib', '--untranslated', '--no-obsolete', merged])
        sys.exit(f'{untranslated} strings of the sources have no Russian translation')
