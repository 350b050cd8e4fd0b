"""Writes data/jargon.txt, the Jargon File excerpt that data.loadJargon() reads.

Source: Debian's jargon-text package (the Jargon File 4.4.7, public domain), file
/usr/share/doc/jargon-text/jargon.txt.gz (`apt-get install jargon-text`, or pass the path of the
file from `apt-get download jargon-text` unpacked with `dpkg -x`). Run with /usr/bin/python3:

    python3 scripts/make_jargon.py [path/to/jargon.txt.gz]

Keeps the glossary from its first entry, drops the per-letter lists of headwords, turns curly
quotes, dashes and the pronunciation dot into ASCII, reduces other letters to ASCII, puts each
paragraph on one line, and stops at the first entry that passes 200,000 characters.
"""
import gzip
import pathlib
import re
import sys
import unicodedata

src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/doc/jargon-text/jargon.txt.gz")
out = pathlib.Path(__file__).resolve().parents[1] / "data" / "jargon.txt"

lines = gzip.open(src, "rt", encoding="utf8").read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("   :(TM):"))
text = "\n".join(lines[start:])
for a, b in {"“": '"', "”": '"', "‘": "'", "’": "'", "—": "--", "–": "-", "…": "...", "·": "-", "é": "e", "ö": "o", "ü": "u", "×": "x"}.items():
    text = text.replace(a, b)
text = "".join(c for c in unicodedata.normalize("NFKD", text) if ord(c) < 128)
paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
# Entry headers start with ':'; the short lines in between are the per-letter lists of headwords.
kept = "\n".join(p for p in paragraphs if p and (p.startswith(":") or len(p) > 60))
end = kept.find("\n:", 200000)
out.write_text(kept[: end + 1])
print(f"wrote {out} ({end + 1} characters)")
