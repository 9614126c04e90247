#!/usr/bin/env python3
"""Renders the application icon to PNG at the hicolor sizes.

render-icons.py RSVG_CONVERT ICON.svg OUTDIR NAME SIZE...
writes OUTDIR/SIZExSIZE/apps/NAME.png for every SIZE (a fresh OUTDIR,
installed by meson as share/icons/hicolor).
"""
import os
import shutil
import subprocess
import sys


def main():
    rsvg, svg, outdir, name, *sizes = sys.argv[1:]
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    for size in sizes:
        d = os.path.join(outdir, f'{size}x{size}', 'apps')
        os.makedirs(d)
        png = os.path.join(d, name + '.png')
        subprocess.run([rsvg, '--width', size, '--height', size,
                        '--keep-aspect-ratio', '--output', png, svg], check=True)
        with open(png, 'rb') as f:
            if f.read(8) != b'\x89PNG\r\n\x1a\n':
                sys.exit(f'{png}: not a PNG')


if __name__ == '__main__':
    main()
