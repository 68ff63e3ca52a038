#!/usr/bin/env python3
"""Validate `match_eval.jsonl` against the demo world and print a summary.

    python3 data/eval/check.py [path/to/match_eval.jsonl]

Checks, for every line:
- the shape: exactly the keys opportunity, free_text, grades, blocked, why;
- the opportunity is a valid interchange record (same field names and value
  formats as the demo world's opportunities): buyer exists and is a buyer, the
  country is the buyer's, codes are known (countries, currencies, active
  treatment function codes, service lines, delivery modes, sources), dates
  are ISO 8601, status "published", requirements well formed;
- a free-text opportunity has no service_lines, specialties, delivery_modes
  or requirements; a structured one has service_lines, specialties,
  delivery_modes, languages and a value;
- every graded or blocked id is a provider or partner of the demo world with at
  least one offer; grades are 1-3; no provider is both graded and blocked;
- every blocked entry is blocked by the stated rule (and it is the first rule
  that applies, in the issue's order), and no provider that a rule blocks is
  missing from `blocked`;
- each opportunity has at least one provider graded 2 or more;
And for the file: at least 30 lines, half of them free-text, unique ids.

Fewer than 3 providers graded 2 or more is reported as a note, not an error:
the demo world often has only one or two offers in a specialty, or the others
are blocked on purpose. Exits 1 on any error. Standard library only; written
independently of build_eval.py.
"""

import csv
import datetime
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = ROOT / "data"

RULE_ORDER = ["excluded_country", "domestic_red", "domestic_amber", "below_min_contract", "no_capacity"]
SMALL_GBP = 250_000
SMALL_DAYS = 60
SERVICE_LINES = {"education_training", "consultancy", "clinical_advice", "service_operation",
                 "partnership", "digital", "research"}
DELIVERY_MODES = {"in_country", "remote", "uk_based"}
SOURCES = {"post", "trade_mission", "delegation", "tender", "direct", "agency"}
OPP_FIELDS = {"record", "id", "buyer", "country", "title", "description", "service_lines", "specialties",
              "delivery_modes", "languages", "value", "response_due", "starts", "duration_months", "source",
              "status", "requirements"}
OPP_REQUIRED = {"record", "id", "buyer", "country", "title", "description", "source", "status"}
REQ_FIELDS = {"id", "title", "service_line", "specialties", "delivery_modes", "days"}
LINE_KEYS = {"opportunity", "free_text", "grades", "blocked", "why"}
ID_RE = re.compile(r"^[^\s/]{1,128}$")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def reference():
    active = {r["code"] for r in read_csv(DATA / "specialties" / "treatment_functions.csv")
              if r["status"] == "active"}
    countries = read_csv(DATA / "countries" / "countries.csv")
    ccol = next(k for k in countries[0] if "alpha" in k.lower() or k.lower() in ("code", "iso2", "alpha2"))
    curcol = next((k for k in countries[0] if "currenc" in k.lower()), None)
    country_codes = {r[ccol] for r in countries}
    currencies = {"GBP", "EUR", "USD"}
    if curcol:
        for r in countries:
            currencies.update(c.strip() for c in re.split(r"[ ;,|]", r[curcol]) if c.strip())
    gbp = {r["currency"]: float(r["units_per_gbp"]) for r in read_csv(DATA / "fx" / "fx_rates_latest.csv")}
    for r in read_csv(DATA / "fx" / "usd_pegs.csv"):
        gbp[r["currency"]] = float(r["units_per_usd"]) * gbp["USD"]
    languages = None
    ref_rs = ROOT / "crates" / "hcx_domain" / "src" / "reference.rs"
    if ref_rs.exists():  # the ISO 639-1 list hcx itself accepts, when the source is at hand
        text = ref_rs.read_text(encoding="utf-8")
        found = set(re.findall(r'"([a-z]{2})"', text))
        if {"en", "ar", "zh"} <= found:
            languages = found
    return active, country_codes, currencies, gbp, languages


def world():
    orgs, offers, strategies, world_opps = {}, {}, {}, []
    with open(DATA / "demo" / "world.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            kind = r["record"]
            if kind == "organisation":
                orgs[r["id"]] = r
            elif kind == "offer":
                offers.setdefault(r["provider"], []).append(r)
            elif kind == "strategy":
                strategies[r["provider"]] = r
            elif kind == "opportunity":
                world_opps.append(r)
    return orgs, offers, strategies, world_opps


def iso_date(s):
    try:
        datetime.date.fromisoformat(s)
        return len(s) == 10
    except (TypeError, ValueError):
        return False


def pounds(opp, gbp):
    v = opp.get("value")
    if v is None:
        return None
    rate = gbp.get(v["currency"])
    return None if rate is None else v["amount"] / rate


def rules_that_apply(opp, pid, offers, strategies, gbp):
    """Every hard rule that keeps provider `pid` out of `opp`, in the issue's order."""
    hits = []
    s = strategies.get(pid)
    value = pounds(opp, gbp)
    reqs = opp.get("requirements", [])
    modes = opp.get("delivery_modes", [])
    if s is not None:
        if opp["country"] in s.get("excluded_countries", []):
            hits.append("excluded_country")
        if s.get("domestic_status") == "red":
            hits.append("domestic_red")
        if s.get("domestic_status") == "amber":
            is_remote = len(modes) > 0 and set(modes) == {"remote"}
            is_small = (value is not None and value < SMALL_GBP) or (
                len(reqs) > 0 and sum(r["days"] for r in reqs) < SMALL_DAYS)
            if not is_remote and not is_small:
                hits.append("domestic_amber")
        if s.get("min_contract_gbp") is not None and value is not None and value < s["min_contract_gbp"]:
            hits.append("below_min_contract")
    if reqs:
        # A consortium member must at least take one part, spread over the
        # work's months (at least twelve) against a capacity stated a year.
        months = max(opp.get("duration_months") or 12, 12)
        need = -(-min(r["days"] for r in reqs) * 12 // months)
        caps = [o.get("capacity_days_per_year") for o in offers.get(pid, [])]
        if caps and all(c is not None and c < need for c in caps):
            hits.append("no_capacity")
    return hits


def check_opportunity(o, free_text, orgs, ref, err):
    active, country_codes, currencies, _gbp, languages = ref
    oid = o.get("id", "?")
    unknown = set(o) - OPP_FIELDS
    if unknown:
        err(f"unknown opportunity fields {sorted(unknown)}")
    missing = OPP_REQUIRED - set(o)
    if missing:
        err(f"missing opportunity fields {sorted(missing)}")
        return
    if o["record"] != "opportunity":
        err("record is not 'opportunity'")
    if not ID_RE.match(oid):
        err(f"bad id {oid!r}")
    buyer = orgs.get(o["buyer"])
    if buyer is None or buyer["kind"] != "buyer":
        err(f"buyer {o['buyer']} is not a buyer of the demo world")
    elif buyer["country"] != o["country"]:
        err(f"country {o['country']} is not the buyer's ({buyer['country']})")
    if o["country"] not in country_codes:
        err(f"unknown country {o['country']}")
    for f in ("title", "description"):
        if not isinstance(o[f], str) or not o[f].strip():
            err(f"empty {f}")
    if o["source"] not in SOURCES:
        err(f"unknown source {o['source']}")
    if o["status"] != "published":
        err(f"status {o['status']} is not published")
    for f in ("response_due", "starts"):
        if f in o and not iso_date(o[f]):
            err(f"{f} {o[f]!r} is not an ISO 8601 date")
    if "duration_months" in o and not (isinstance(o["duration_months"], int) and o["duration_months"] > 0):
        err("duration_months must be a positive integer")
    for sl in o.get("service_lines", []):
        if sl not in SERVICE_LINES:
            err(f"unknown service line {sl}")
    for sp in o.get("specialties", []):
        if sp not in active:
            err(f"specialty {sp!r} is not an active treatment function code")
    for m in o.get("delivery_modes", []):
        if m not in DELIVERY_MODES:
            err(f"unknown delivery mode {m}")
    for lang in o.get("languages", []):
        if not re.fullmatch(r"[a-z]{2}", lang) or (languages is not None and lang not in languages):
            err(f"language {lang!r} is not ISO 639-1")
    for f in ("service_lines", "specialties", "delivery_modes", "languages"):
        if f in o and (not isinstance(o[f], list) or len(set(o[f])) != len(o[f])):
            err(f"{f} must be a list without repeats")
    if "value" in o:
        v = o["value"]
        if set(v) != {"amount", "currency"}:
            err(f"value must be {{amount, currency}}, got {sorted(v)}")
        elif not isinstance(v["amount"], (int, float)) or isinstance(v["amount"], bool) or v["amount"] <= 0:
            err("value amount must be a positive number")
        elif v["currency"] not in currencies:
            err(f"unknown currency {v['currency']}")
    reqs = o.get("requirements", [])
    ids = [r.get("id") for r in reqs]
    if len(set(ids)) != len(ids):
        err("requirement ids repeat")
    for r in reqs:
        if set(r) - REQ_FIELDS or not {"id", "title", "service_line", "days"} <= set(r):
            err(f"requirement {r.get('id')} has wrong fields {sorted(r)}")
            continue
        if r["service_line"] not in SERVICE_LINES:
            err(f"requirement {r['id']}: unknown service line {r['service_line']}")
        for sp in r.get("specialties", []):
            if sp not in active:
                err(f"requirement {r['id']}: specialty {sp!r} not active")
        for m in r.get("delivery_modes", []):
            if m not in DELIVERY_MODES:
                err(f"requirement {r['id']}: unknown delivery mode {m}")
        if not (isinstance(r["days"], int) and r["days"] > 0):
            err(f"requirement {r['id']}: days must be a positive integer")
    if free_text:
        for f in ("service_lines", "specialties", "delivery_modes", "requirements"):
            if f in o:
                err(f"free-text opportunity carries {f}")
    else:
        for f in ("service_lines", "delivery_modes", "languages"):
            if not o.get(f):
                err(f"structured opportunity lacks {f}")
        if "specialties" not in o:
            err("structured opportunity lacks specialties (an empty list is allowed)")
        if "value" not in o:
            err("structured opportunity lacks a value")


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "match_eval.jsonl"
    ref = reference()
    gbp = ref[3]
    orgs, offers, strategies, world_opps = world()
    offering = {p for p in offers if p in orgs and orgs[p]["kind"] in ("provider", "partner")}
    errors, notes = [], []
    seen = set()
    n = n_free = 0
    graded = Counter()
    blocked_rules = Counter()
    per_country, per_buyer = Counter(), Counter()
    relevant_counts = []
    world_ids = {o["id"] for o in world_opps}

    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.strip():
                errors.append(f"line {lineno}: empty line")
                continue
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as e:
                errors.append(f"line {lineno}: not JSON ({e})")
                continue
            o = item.get("opportunity", {})
            oid = o.get("id", f"line {lineno}")

            def err(msg, oid=oid, lineno=lineno):
                errors.append(f"line {lineno} ({oid}): {msg}")

            if set(item) != LINE_KEYS:
                err(f"keys must be {sorted(LINE_KEYS)}, got {sorted(item)}")
                continue
            n += 1
            if not isinstance(item["free_text"], bool):
                err("free_text must be true or false")
            n_free += item["free_text"] is True
            if oid in seen or oid in world_ids:
                err("id repeats (in this file or the demo world)")
            seen.add(oid)
            check_opportunity(o, item["free_text"], orgs, ref, err)
            if not isinstance(item["why"], str) or not item["why"].strip():
                err("why is empty")
            if not {"buyer", "country"} <= set(o):
                continue
            per_country[o["country"]] += 1
            per_buyer[o["buyer"]] += 1

            grades, blocked = item["grades"], item["blocked"]
            for pid, g in grades.items():
                if pid not in offering:
                    err(f"graded {pid} is not a provider or partner with an offer")
                if not (isinstance(g, int) and 1 <= g <= 3):
                    err(f"grade of {pid} must be 1, 2 or 3 (ungraded means 0), got {g!r}")
                if pid in blocked:
                    err(f"{pid} is graded {g} and blocked ({blocked[pid]})")
                graded[g] += 1
            for pid, rule in blocked.items():
                if pid not in offering:
                    err(f"blocked {pid} is not a provider or partner with an offer")
                    continue
                if rule not in RULE_ORDER:
                    err(f"blocked {pid}: unknown rule {rule!r}")
                    continue
                hits = rules_that_apply(o, pid, offers, strategies, gbp)
                if rule not in hits:
                    err(f"{pid} is listed as {rule} but that rule does not apply (rules that do: {hits or 'none'})")
                elif hits[0] != rule:
                    err(f"{pid} is listed as {rule}; the first rule that applies is {hits[0]}")
                blocked_rules[rule] += 1
            for pid in sorted(offering):
                hits = rules_that_apply(o, pid, offers, strategies, gbp)
                if hits and pid not in blocked:
                    err(f"{pid} is blocked by {hits[0]} but not listed in blocked")
            relevant = sum(1 for g in grades.values() if g >= 2)
            relevant_counts.append(relevant)
            if relevant == 0:
                err("no provider graded 2 or more: NDCG and precision are undefined")
            elif relevant < 3:
                notes.append(f"{oid}: {relevant} provider(s) graded >= 2")

    if n < 30:
        errors.append(f"only {n} opportunities (at least 30 required)")
    if abs(n_free - (n - n_free)) > 1:
        errors.append(f"{n_free} free-text of {n}: half must be free-text")

    print(f"file: {path}")
    print(f"opportunities: {n} ({n_free} free-text, {n - n_free} structured)")
    print(f"countries: {len(per_country)} ({', '.join(f'{c} {k}' for c, k in sorted(per_country.items()))})")
    print(f"buyers: {len(per_buyer)}")
    pairs = sum(graded.values())
    print(f"graded pairs (grade >= 1): {pairs}  [grade 3: {graded[3]}, 2: {graded[2]}, 1: {graded[1]}]")
    print(f"blocked pairs: {sum(blocked_rules.values())}  [" +
          ", ".join(f"{r}: {blocked_rules[r]}" for r in RULE_ORDER) + "]")
    print(f"providers graded >= 2 per opportunity: min {min(relevant_counts, default=0)}, "
          f"mean {sum(relevant_counts) / max(len(relevant_counts), 1):.2f}; "
          f"{sum(1 for c in relevant_counts if c >= 3)} of {n} have at least 3")
    if notes:
        print(f"notes ({len(notes)}, fewer than 3 relevant providers; see each line's why):")
        for note in notes:
            print(f"  {note}")
    if errors:
        print(f"\n{len(errors)} error(s):")
        for e in errors:
            print(f"  {e}")
        sys.exit(1)
    print("\nOK")


if __name__ == "__main__":
    main()
