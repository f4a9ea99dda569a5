#!/usr/bin/env python3
"""The shared corpus generator with another country's people and addresses, to check that the
detector serves customers outside the US.

    python3 scripts/locale_corpus.py --locale es_ES --n 3000 --seed 31 --out /tmp/es.jsonl
    cargo run --release -p dlp -- eval /tmp/es.jsonl

Runs `../shared/eval/make_chat_corpus.py` (beside the repository; needs `faker`) with its
`person()` (first name and surname) and `address()` (the address as the locale writes it,
lines joined by ", ") taken from `Faker(LOCALE)`; templates, every other value, gold spans
and hard negatives are the generator's own. Nothing it writes goes into the repository.
"""
import importlib.util
import pathlib
import sys

from faker import Faker

HERE = pathlib.Path(__file__).resolve().parent
GEN = HERE.parent.parent / "shared" / "eval" / "make_chat_corpus.py"

spec = importlib.util.spec_from_file_location("make_chat_corpus", GEN)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
Gen = mod.Gen

args = sys.argv[1:]
if "--locale" not in args or args.index("--locale") + 1 >= len(args):
    sys.exit("usage: locale_corpus.py --locale LOC [make_chat_corpus.py options]")
k = args.index("--locale")
LOCALE = args[k + 1]
sys.argv = [sys.argv[0]] + args[:k] + args[k + 2:]

init = Gen.__init__


def __init__(self, seed):
    init(self, seed)
    self.local = Faker(LOCALE)
    self.local.seed_instance(seed)


def person(self):
    return self.local.first_name() + " " + self.local.last_name()


def address(self):
    return self.local.address().replace("\n", ", ")


Gen.__init__, Gen.person, Gen.address = __init__, person, address

if __name__ == "__main__":
    sys.exit(mod.main())
