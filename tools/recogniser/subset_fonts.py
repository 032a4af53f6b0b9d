"""Copies the fonts of the training and evaluation lines, cut down to the
characters the cards print, into a folder laid out like /usr/share/fonts.

The full Debian fonts are about 150 MB; cut down they are 19 MB, small
enough to travel to a lent GPU machine with the line generator.

    python3 subset_fonts.py OUT   (needs fonttools; the Debian packages
    fonts-nanum, fonts-nanum-extra, fonts-nanum-eco, fonts-unfonts-core,
    fonts-unfonts-extra, fonts-baekmuk, fonts-noto-cjk, fonts-noto-cjk-extra,
    fonts-naver-d2coding and fonts-ocr-b installed)
"""
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), "../..")
SOURCES = ["crates/ekyc-docgen/src/lines.rs", "crates/ekyc-docgen/src/fonts.rs"]
# Strings the generator prints beyond the alphabet: the Hanja after names
# and the clutter on photo backgrounds.
PRINTED = ["crates/ekyc-docgen/src/identity.rs", "crates/ekyc-docgen/src/scene.rs"]


def main(out):
    alphabet = open(os.path.join(ROOT, "crates/ekyc-doc/src/crnn_alphabet.txt"), encoding="utf-8").read()
    printed = "".join(open(os.path.join(ROOT, p), encoding="utf-8").read() for p in PRINTED)
    characters = set(alphabet) | {c for c in printed if "\u4e00" <= c <= "\u9fff"} | set(map(chr, range(32, 127)))
    characters.discard("\n")
    text_file = os.path.join(out, "characters.txt")
    os.makedirs(out, exist_ok=True)
    open(text_file, "w", encoding="utf-8").write("".join(sorted(characters)))
    fonts = set()
    for source in SOURCES:
        fonts |= set(re.findall(r'"((?:truetype|opentype)/[^"]+)"', open(os.path.join(ROOT, source)).read()))
    for relative in sorted(fonts):
        target = os.path.join(out, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        command = ["pyftsubset", os.path.join("/usr/share/fonts", relative), f"--text-file={text_file}",
                   f"--output-file={target}", "--layout-features=*", "--no-hinting", "--notdef-outline"]
        if relative.endswith(".ttc"):
            command.append("--font-number=0")
        subprocess.run(command, check=True)
        print(relative, os.path.getsize(target))


if __name__ == "__main__":
    main(sys.argv[1])
