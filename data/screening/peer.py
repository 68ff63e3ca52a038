#!/usr/bin/env python3
"""Compare hcx's screening with a peer: nomenklatura's `logic-v2` matcher.

    peer.py LIST QUERIES HCX_RESULTS [--threshold 0.7]
    peer.py --pairs CASES_CSV [--threshold 0.7]

LIST is the sanctions list in FollowTheMoney JSON lines, QUERIES is
`queries.jsonl` and HCX_RESULTS is the output of

    hcx screen --list NAME --queries queries.jsonl --format jsonl --limit 5

one line per query: {"query_id": "q0001", "results": [{"id": ..., "score": ..., "match": true}, ...]}.

The peer scores each query against every candidate hcx returned plus the
expected entity, so that it is judged on matching and not on candidate
retrieval. A candidate is a peer match when its score reaches the threshold
(0.7, the default match threshold of the OpenSanctions matching API for
logic-v2). hcx's matches are its own `match` flags.

Counting, the same for both: a positive query is a true positive when its
expected entity is flagged; every query (positive or negative) with a flagged
entity that is not the expected one is one false positive. Precision, recall
and F1 follow; "negatives flagged" is the share of negative queries with any
flagged entity.

With --pairs, scores OpenSanctions' labelled name pairs (nomenklatura's
`contrib/name_bench/cases.csv`) with logic-v2 and prints its precision and
recall on them.

Needs nomenklatura (pip install nomenklatura); see README.md.
"""

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from importlib.metadata import version

from followthemoney import model
from nomenklatura.matching import get_algorithm

ALGORITHM = "logic-v2"
THRESHOLD = 0.7


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def proxy(data, entity_id=None):
    body = {"id": entity_id or data["id"], "schema": data["schema"], "properties": data["properties"]}
    return model.get_proxy(body, cleaned=False)


class Tally:
    """Counts for one system, overall and per variation."""

    def __init__(self):
        self.tp = self.fp = self.positives = self.negatives = self.neg_flagged = 0
        self.by_variation = defaultdict(Counter)

    def add(self, query, flagged):
        expected = query["expected"]
        var = self.by_variation[query["variation"]]
        var["n"] += 1
        wrong = [i for i in flagged if i != expected]
        if wrong:
            self.fp += 1
            var["wrong"] += 1
        if expected is None:
            self.negatives += 1
            if flagged:
                self.neg_flagged += 1
                var["flagged"] += 1
        else:
            self.positives += 1
            if expected in flagged:
                self.tp += 1
                var["found"] += 1

    def metrics(self):
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / self.positives if self.positives else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        nf = self.neg_flagged / self.negatives if self.negatives else 0.0
        return p, r, f1, nf


def compare_queries(args):
    algorithm = get_algorithm(ALGORITHM)
    config = algorithm.default_config()
    listed = {e["id"]: e for e in read_jsonl(args.list)}
    queries = read_jsonl(args.queries)
    hcx = {r["query_id"]: r["results"] for r in read_jsonl(args.hcx)}
    missing = [q["id"] for q in queries if q["id"] not in hcx]
    unknown = sorted({r["id"] for rs in hcx.values() for r in rs if r["id"] not in listed})
    if unknown:
        sys.exit(f"hcx results name ids that are not in the list: {', '.join(unknown[:5])}")

    proxies = {}
    rows = []
    ours, peer = Tally(), Tally()
    for q in queries:
        results = hcx.get(q["id"], [])
        ours_flagged = [r["id"] for r in results if r.get("match")]
        ours.add(q, ours_flagged)
        candidates = [r["id"] for r in results]
        if q["expected"] and q["expected"] not in candidates:
            candidates.append(q["expected"])
        query = proxy(q)
        flagged = []
        for cid in candidates:
            if cid not in proxies:
                proxies[cid] = proxy(listed[cid])
            score = algorithm.compare(query, proxies[cid], config).score
            if score >= args.threshold:
                flagged.append(cid)
        peer.add(q, flagged)
        rows.append((q, ours_flagged, flagged))

    print(
        f"{len(queries)} queries ({ours.positives} positive, {ours.negatives} negative); "
        f"peer: nomenklatura {version('nomenklatura')} {ALGORITHM}, threshold {args.threshold}"
    )
    if missing:
        print(
            f"{len(missing)} queries have no line in the hcx results and count as unanswered (first: {missing[0]})"
        )
    print()
    print(f"| {'system':24} | precision | recall |    F1 | negatives flagged |")
    print(f"|{'-' * 26}|-----------|--------|-------|-------------------|")
    for name, t in (("hcx", ours), (f"{ALGORITHM} (nomenklatura)", peer)):
        p, r, f1, nf = t.metrics()
        print(f"| {name:24} | {p:9.3f} | {r:6.3f} | {f1:5.3f} | {nf:17.3f} |")
    print()
    print("Per variation: positives found (recall) and queries with a wrong entity flagged; negatives flagged.")
    print(f"| {'variation':22} | {'n':>3} | {'hcx':>15} | {'peer':>15} |")
    print(f"|{'-' * 24}|-----|-----------------|-----------------|")
    for v in sorted(ours.by_variation, key=lambda v: (v.startswith(("unlisted", "namesake")), v)):
        a, b = ours.by_variation[v], peer.by_variation[v]
        n = a["n"]
        if v.startswith(("unlisted", "namesake")):
            cell = lambda c: f"{c['flagged']:3} flagged"  # noqa: E731
        else:
            cell = lambda c: f"{c['found'] / n:.2f} +{c['wrong']:2} wrong"  # noqa: E731
        print(f"| {v:22} | {n:3} | {cell(a):>15} | {cell(b):>15} |")
    if args.detail:
        print()
        for q, ours_flagged, peer_flagged in rows:
            if (q["expected"] in ours_flagged) == (q["expected"] in peer_flagged) and bool(
                set(ours_flagged) - {q["expected"]}
            ) == bool(set(peer_flagged) - {q["expected"]}):
                continue
            print(
                f"{q['id']} {q['variation']:16} {q['properties']['name'][0]!r} expected {q['expected']}: "
                f"hcx {ours_flagged or '-'}, peer {peer_flagged or '-'}"
            )


def compare_pairs(args):
    algorithm = get_algorithm(ALGORITHM)
    config = algorithm.default_config()
    counts = defaultdict(Counter)
    with open(args.pairs, newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            left = proxy({"schema": row["schema"], "properties": {"name": [row["name1"]]}}, f"l{i}")
            right = proxy({"schema": row["schema"], "properties": {"name": [row["name2"]]}}, f"r{i}")
            said = algorithm.compare(left, right, config).score >= args.threshold
            truth = row["is_match"].strip().lower() == "true"
            for key in ("all", row["schema"]):
                counts[key][(truth, said)] += 1
    print(f"name pairs, nomenklatura {version('nomenklatura')} {ALGORITHM}, threshold {args.threshold}")
    print(f"| {'schema':12} | pairs | precision | recall |    F1 | accuracy |")
    print(f"|{'-' * 14}|-------|-----------|--------|-------|----------|")
    for key in ["all"] + sorted(k for k in counts if k != "all"):
        c = counts[key]
        tp, fp, fn, tn = c[(True, True)], c[(False, True)], c[(True, False)], c[(False, False)]
        n = tp + fp + fn + tn
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"| {key:12} | {n:5} | {p:9.3f} | {r:6.3f} | {f1:5.3f} | {(tp + tn) / n:8.3f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("list", nargs="?", help="the sanctions list, FollowTheMoney JSON lines")
    ap.add_argument("queries", nargs="?", help="queries.jsonl")
    ap.add_argument("hcx", nargs="?", help="hcx screen --format jsonl output for the queries")
    ap.add_argument("--pairs", metavar="CASES_CSV", help="score nomenklatura's labelled name pairs instead")
    ap.add_argument("--detail", action="store_true", help="also list the queries on which the two disagree")
    ap.add_argument(
        "--threshold", type=float, default=THRESHOLD, help=f"peer match threshold (default {THRESHOLD})"
    )
    args = ap.parse_args()
    if args.pairs:
        compare_pairs(args)
    elif args.list and args.queries and args.hcx:
        compare_queries(args)
    else:
        ap.error("give LIST QUERIES HCX_RESULTS, or --pairs CASES_CSV")


if __name__ == "__main__":
    main()
