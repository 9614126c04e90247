#!/usr/bin/env python3
"""`stupeni --demo-report`: the real program, no window.  Makes a demo
center in a temporary database, writes the first resident's report and
reads it back with pdftotext: Russian report labels, the demo center's
name, the demo director in the footer, DejaVu embedded, the same text for
the same seed, and a Russian message with exit status 1 when the database
cannot be opened.  Prints TAP.

Usage: test-demo-report.py STUPENI-EXECUTABLE LOCALEDIR"""
import os
import shutil
import subprocess
import sys
import tempfile

stupeni, localedir = sys.argv[1], sys.argv[2]
env = dict(os.environ, STUPENI_LANG="ru", STUPENI_LOCALEDIR=localedir)
n = 0
failed = 0


def check(what, ok, detail=""):
    global n, failed
    n += 1
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n, what))
    if not ok:
        failed += 1
        for line in str(detail).splitlines()[:40]:
            print("# " + line)


def report(tmp, name, seed="1"):
    db = os.path.join(tmp, name + ".db")
    pdf = os.path.join(tmp, name + ".pdf")
    run = subprocess.run([stupeni, "--database", db, "--demo-report", pdf,
                          "--demo-seed", seed],
                         env=env, capture_output=True, text=True, timeout=240)
    return run, pdf


if shutil.which("pdftotext") is None or shutil.which("pdffonts") is None:
    print("1..0 # SKIP no pdftotext/pdffonts (poppler-utils)")
    sys.exit(0)

with tempfile.TemporaryDirectory(prefix="stupeni-demo-report-") as tmp:
    run, pdf = report(tmp, "a")
    check("exit status 0", run.returncode == 0, run.stderr)
    check("prints the PDF's path", run.stdout.strip() == pdf, run.stdout)
    text = ""
    if os.path.exists(pdf):
        text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", pdf, "-"],
                              capture_output=True, text=True).stdout
    for label in ["Личное дело: краткая выписка", "Номер личного дела",
                  "Дата рождения", "Адрес регистрации"]:
        check("Russian label «%s»" % label, label in text, text)
    check("no English label left", "Birth date" not in text and "Resident file" not in text, text)
    check("the demo center's name", "Демо-центр «Ступени»" in text, text)
    # The footer names the demo director who "printed" it, not the program.
    check("printed by the demo director",
          "пользователем Орлов Сергей Николаевич" in " ".join(text.split()), text)
    check("not printed by «system»", "system" not in text, text)
    fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True).stdout \
        if os.path.exists(pdf) else ""
    check("DejaVu Sans embedded", "DejaVuSans" in fonts, fonts)

    # The Windows installer test compares its text with this one.
    run2, pdf2 = report(tmp, "b")
    text2 = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", pdf2, "-"],
                           capture_output=True, text=True).stdout if run2.returncode == 0 else ""
    check("same seed, same text", text2 == text and text != "", run2.stderr)

    # Run again on the same file: the center is kept, no second demo.
    run3, _ = report(tmp, "a", seed="2")
    text3 = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", pdf, "-"],
                           capture_output=True, text=True).stdout if run3.returncode == 0 else ""
    check("an existing center is reported, not regenerated", text3 == text, run3.stderr)

    bad = os.path.join(tmp, "missing-dir", "not-a-dir")
    open(os.path.join(tmp, "missing-dir"), "w").close()
    run4 = subprocess.run([stupeni, "--database", bad, "--demo-report",
                           os.path.join(tmp, "c.pdf")],
                          env=env, capture_output=True, text=True, timeout=60)
    check("unusable database: exit status 1", run4.returncode == 1, run4.stderr)
    check("unusable database: Russian message", "Не удаётся открыть базу центра" in run4.stderr,
          run4.stderr)
    check("unusable database: names the file in the way", "это файл, а не папка" in run4.stderr
          and os.path.join(tmp, "missing-dir") in run4.stderr, run4.stderr)

print("1..%d" % n)
sys.exit(1 if failed else 0)
