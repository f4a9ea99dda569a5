#!/usr/bin/env python3
"""A format variant of the shared corpus generator, to check that the detector generalises.

    python3 scripts/variant_corpus.py --n 3000 --seed 5 --out /tmp/var5.jsonl
    cargo run --release -p dlp -- eval /tmp/var5.jsonl

Runs `../shared/eval/make_chat_corpus.py` (beside the repository; needs `faker`) with four of
its value generators swapped for Faker's own, which public test suites built on Faker use:
`phone_number()` (extensions `x1234`, the `001-` prefix, N11 exchanges), every card type
(Visa 13/19, Diners, JCB 15/16, grouped in fours with a shorter rest), `address()` (military
APO/FPO/DPO addresses included) and more date-of-birth layouts. Templates, gold spans and hard
negatives are the generator's own. Nothing it writes goes into the repository.
"""
import importlib.util
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
GEN = HERE.parent.parent / "shared" / "eval" / "make_chat_corpus.py"

spec = importlib.util.spec_from_file_location("make_chat_corpus", GEN)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
Gen = mod.Gen


def phone(self):
    return self.f.phone_number()


def card(self):
    t = self.r.choice(["visa13", "visa16", "visa19", "mastercard", "amex", "discover", "diners",
                       "jcb15", "jcb16"])
    n = self.f.credit_card_number(card_type=t)
    k = self.r.random()
    if k < 0.4:
        return n
    sep = " " if k < 0.8 else "-"
    if len(n) == 15:
        return sep.join([n[:4], n[4:10], n[10:]])
    return sep.join(n[i:i + 4] for i in range(0, len(n), 4))


def address(self):
    if self.r.random() < 0.5:
        return self.f.address().replace("\n", ", ")
    return self.f.street_address()


def dob(self):
    d = self.f.date_of_birth(minimum_age=18, maximum_age=90)
    fmt = self.r.choice(["%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%m-%d-%Y",
                         "%b %d %Y", "%m/%d/%y", "%Y/%m/%d", "%d-%b-%Y", "%b. %d, %Y"])
    return d.strftime(fmt)


Gen.phone, Gen.card, Gen.address, Gen.dob = phone, card, address, dob

if __name__ == "__main__":
    sys.exit(mod.main())
