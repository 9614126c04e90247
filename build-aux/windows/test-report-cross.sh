#!/bin/bash
# The resident report of one generated demo center, written by the Windows
# build (under Wine) and by the Linux build: pdftotext on Linux must read the
# same text from both PDFs, Russian included, and the Windows PDF must embed
# the DejaVu faces the reports ask for.  Prints TAP.
# Usage: test-report-cross.sh WINDOWS_REPORT_PDF.exe [LINUX_REPORT_PDF]
#   (the Linux one defaults to $STUPENI_NATIVE_REPORT_PDF, which make
#   test-windows sets; without it the test is skipped)
set -euo pipefail
win=$1
native=${2:-${STUPENI_NATIVE_REPORT_PDF:-}}
if [ -z "$native" ] || [ ! -x "$native" ]; then
  echo "1..0 # SKIP no native stupeni-report-pdf (STUPENI_NATIVE_REPORT_PDF)"; exit 0
fi
export WINEDEBUG=${WINEDEBUG:--all}
dir=$(mktemp -d /tmp/stupeni-report-cross-XXXXXX)
n=0 failed=0
check () { # description command...
  local what=$1; shift
  n=$((n + 1))
  if "$@"; then echo "ok $n - $what"; else echo "not ok $n - $what"; failed=$((failed + 1)); fi
}

"$native" "$dir/linux.db" "$dir/linux.pdf" > "$dir/linux.id" 2> "$dir/linux.err" || true
if [[ "$win" == *.exe ]]; then
  wine "$win" "$(winepath -w "$dir/windows.db")" "$(winepath -w "$dir/windows.pdf")" \
    2> "$dir/windows.err" | tr -d '\r' > "$dir/windows.id" || true
else  # a native stand-in, to test this script
  "$win" "$dir/windows.db" "$dir/windows.pdf" 2> "$dir/windows.err" > "$dir/windows.id" || true
fi
check "the Linux build wrote the report" test -s "$dir/linux.pdf"
check "the Windows build wrote the report under Wine" test -s "$dir/windows.pdf"
sed 's/^/# windows: /' "$dir/windows.err" | head -n 20
pdftotext -layout -enc UTF-8 "$dir/linux.pdf" "$dir/linux.txt" 2>/dev/null || true
pdftotext -layout -enc UTF-8 "$dir/windows.pdf" "$dir/windows.txt" 2>/dev/null || true
# Fixed strings (bytes): a Cyrillic range needs a UTF-8 locale.
check "pdftotext reads Russian text from the Windows PDF" grep -qF -e 'о' -e 'а' -e 'е' "$dir/windows.txt"
check "the same resident on both" cmp -s "$dir/linux.id" "$dir/windows.id"
if ! check "pdftotext reads the same text from both PDFs" cmp -s "$dir/linux.txt" "$dir/windows.txt"; then
  diff "$dir/linux.txt" "$dir/windows.txt" | head -n 40 | sed 's/^/# /' || true
fi
check "DejaVu embedded in the Windows PDF" bash -c "pdffonts '$dir/windows.pdf' | grep -q DejaVu"
pdffonts "$dir/windows.pdf" 2>/dev/null | sed 's/^/# /' || true
echo "# $(grep -c . "$dir/windows.txt" 2>/dev/null || echo 0) lines of text, $(stat -c %s "$dir/windows.pdf" 2>/dev/null || echo 0) bytes"
echo "1..$n"
if [ $failed = 0 ]; then rm -rf "$dir"; else echo "# kept $dir"; fi
[ $failed = 0 ]
