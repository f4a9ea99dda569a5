#!/usr/bin/env python3
"""Replies to an agent's question, to measure reading the message before a reply as context.

    python3 scripts/reply_corpus.py --n 2000 --seed 3 --out /tmp/replies.jsonl
    cargo run --release -p dlp -- eval /tmp/replies.jsonl
    python3 scripts/reply_corpus.py --n 2000 --seed 3 --no-before --out /tmp/alone.jsonl

Each line is a gold line of `../shared/eval/README.md` with a `before` field: an agent's
question, then the customer's reply (`text`, labelled). Positives answer a question about the
value with the value alone or nearly ("078051120", "sure, 03/15/1987"), sometimes after a message of
their own ("one sec", joined to the question as the service joins it); hard negatives answer
with numbers that are not sensitive (order, ticket and tracking numbers, ZIP codes, amounts,
times, counts) or are asked something else. Values come from the shared generator's
(`make_chat_corpus.py`, beside the repository; needs `faker`). `--no-before` writes the same
replies without their question, as a delivery scanned alone would be. Nothing it writes goes
into the repository.
"""
import argparse
import importlib.util
import json
import pathlib
import random

HERE = pathlib.Path(__file__).resolve().parent
GEN = HERE.parent.parent / "shared" / "eval" / "make_chat_corpus.py"

spec = importlib.util.spec_from_file_location("make_chat_corpus", GEN)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)

# label -> (value generator name, questions)
ASKS = {
    "US_SSN": ("ssn_bare", [
        "To verify your identity, what is your Social Security number?",
        "Can you confirm your SSN for me?",
        "I'll need the last step: your social security number please.",
        "Could you provide your SSN so I can pull up the file?",
        "What's the SSN on the account?",
    ]),
    "DATE_OF_BIRTH": ("dob", [
        "Can you please confirm your date of birth?",
        "What is your DOB?",
        "For security, could you tell me your birthday?",
        "And what's the date of birth of the patient?",
        "Please confirm your date of birth so I can verify the account.",
    ]),
    "ABA_ROUTING_NUMBER": ("aba", [
        "What is your bank's routing number?",
        "Could you send me the routing number for the direct deposit?",
        "Can you confirm the ABA routing number?",
    ]),
    "US_BANK_NUMBER": ("bank_account", [
        "What's the account number for the refund?",
        "Could you share your checking account number?",
        "Please send the bank account number you'd like us to use.",
    ]),
    "US_PASSPORT": ("passport", [
        "What is your passport number?",
        "Can you give me the passport number as it appears on the document?",
    ]),
    "PHONE_NUMBER": ("phone", [
        "What's the best phone number to reach you?",
        "Could you give me a callback number?",
        "What number should we call you on?",
    ]),
    "US_ITIN": ("itin", [
        "What is your ITIN?",
        "Could you confirm your individual taxpayer identification number?",
    ]),
    "PERSON": ("person", [
        "May I have your full name please?",
        "What's the name on the account?",
        "Who am I speaking with today?",
        "Could you tell me your first and last name?",
    ]),
}

OPENERS = ["", "", "", "sure, ", "Sure! ", "it's ", "yes ", "ok ", "here you go: "]
CLOSERS = ["", "", "", ".", " thanks", "!"]

INTERSTITIALS = ["one sec", "let me check", "hang on, finding it", "ok", "just a moment"]

NEG_ASKS = [
    ("What's your order number?", lambda g: str(g.r.randint(100000, 99999999))),
    ("Could you share the ticket number from the email?", lambda g: str(g.r.randint(10000, 9999999))),
    ("What's the tracking number?", lambda g: "1Z" + "".join(g.r.choice("0123456789ABCDEF") for _ in range(16))),
    ("What ZIP code is the order going to?", lambda g: f"{g.r.randint(10000, 99999)}"),
    ("How much were you charged?", lambda g: f"${g.r.randint(5, 900)}.{g.r.randint(0, 99):02d}"),
    ("What time works for a call?", lambda g: f"{g.r.randint(1, 12)}:{g.r.choice(['00', '15', '30', '45'])} pm"),
    ("How many seats do you need on the plan?", lambda g: str(g.r.randint(2, 500))),
    ("What's the invoice number?", lambda g: f"INV-{g.r.randint(10000, 999999)}"),
    ("Which version of the app are you on?", lambda g: f"{g.r.randint(1, 9)}.{g.r.randint(0, 30)}.{g.r.randint(0, 99)}"),
    ("What's your SSN?", lambda g: "I'd rather not share that here"),
    ("Can you confirm your date of birth?", lambda g: "one sec, I'll call instead"),
    ("What's your name?", lambda g: "Thank you so much"),
    ("When did you place the order?", lambda g: g.dob()),
    ("What's the reference on the invoice?", lambda g: str(g.r.randint(100000000, 999999999))),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-before", action="store_true")
    a = ap.parse_args()
    g = mod.Gen(a.seed)
    r = random.Random(a.seed)
    g.ssn_bare = lambda: g.f.ssn().replace("-", "") if r.random() < 0.7 else g.ssn()
    with open(a.out, "w", encoding="utf-8") as out:
        for i in range(a.n):
            if r.random() < 0.7:
                label = r.choice(sorted(ASKS))
                gen, questions = ASKS[label]
                value = getattr(g, gen)()
                opener = r.choice(OPENERS)
                text = opener + value + r.choice(CLOSERS)
                spans = [{"start": len(opener), "end": len(opener) + len(value), "label": label}]
                kind, before = "pii", r.choice(questions)
                if r.random() < 0.15:
                    # The customer's own message between ("one sec"), as the service joins it.
                    before += "\n" + r.choice(INTERSTITIALS)
            else:
                before, make = r.choice(NEG_ASKS)
                text, spans, kind = make(g), [], "hard_negative"
            line = {"id": f"r{i:05d}", "kind": kind, "text": text, "spans": spans}
            if not a.no_before:
                line["before"] = before
            out.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
