"""Name-matching accuracy on labelled sets built from the lists and the dev-matching data.

Run: ``.venv/bin/python benchmarks/names_accuracy.py [--sample N]``. Prints the
figures and writes ``benchmarks/results/names_accuracy.md``.

Search sets (query -> must find its source entity at the default threshold,
index over every list): exact, typo (one edit in the longest word), swap
(word order reversed), drop_middle (people, a middle name dropped), legal_form
(organisations, legal form changed/added/removed). Cross-script set: every
non-Latin name (UN ``NAME_ORIGINAL_SCRIPT``, UK ``Name Non-Latin Script``) is
searched in an index *without* non-Latin names, so it must meet the Latin
names. Pair sets (``compare``): alias vs primary of the same entity, dnb
original vs corrupted (row aligned) with shuffled rows as negatives, senzing
truth-set clusters. Unlisted: generated people and companies checked not to be
on the lists; their hit rate is the false-alert rate.

Baseline, same queries, same run: ``rapidfuzz.process.extract`` over all
normalised names with ``WRatio`` and with ``token_sort_ratio`` at cutoff
:data:`BASELINE_CUTOFF`; pair sets use the same scorers.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _names_data import SHARED, load_entities
from exportguard.lists.model import Entity
from exportguard.names.index import NameIndex
from exportguard.names.normalize import normalize, prepare
from exportguard.names.score import DEFAULT_THRESHOLD, compare, kind_of

RESULTS = Path(__file__).resolve().parent / "results" / "names_accuracy.md"
BASELINE_CUTOFF = 85.0
SEED = 20260227


def words(text: str) -> list[str]:
    return text.split()


GIVEN = {
    "english": words("James Oliver Harry Jack George Noah Emily Olivia Sophie Amelia Grace "
                     "Lucy Thomas William Daniel Matthew Hannah Charlotte Ethan Chloe"),
    "spanish": words("Alejandro Javier Diego Pablo Lucia Carmen Sofia Valentina Mateo "
                     "Santiago Camila Isabel Rafael Elena Hugo Marta"),
    "german": words("Lukas Felix Jonas Leon Maximilian Lena Anna Hannah Leonie Johanna Tobias "
                    "Katrin Jürgen Sabine Dieter Ursula"),
    "french": words("Louis Gabriel Arthur Jules Camille Chloé Manon Léa Inès Baptiste "
                    "Mathilde Antoine Céline Étienne"),
    "russian": words("Dmitry Sergei Andrei Alexei Mikhail Natalia Olga Tatiana Irina Yulia "
                     "Pavel Ekaterina Nikolai Svetlana"),
    "chinese": words("Wei Fang Jing Lei Min Yan Jun Ping Hui Xiaoming Lihua Jianguo Meiling "
                     "Zhiwei"),
    "arabic": words("Omar Khalid Yusuf Karim Tariq Samir Layla Fatima Aisha Nour Rania Hamza "
                    "Zainab Bilal Salma Faisal"),
    "indian": words("Aarav Vihaan Arjun Rohan Priya Ananya Diya Kavya Rahul Sunita Vikram "
                    "Deepa Anil Lakshmi"),
    "japanese": words("Haruto Yuto Sota Hinata Yui Aoi Sakura Hiroshi Kenji Yuki Takeshi "
                      "Naoko"),
    "turkish": words("Emre Burak Mehmet Elif Zeynep Ayse Can Deniz Ozan Selin Kerem Ebru"),
    "african": words("Chinedu Oluwaseun Kwame Amara Ngozi Kofi Abena Tendai Thabo Zanele "
                     "Babajide Wanjiru"),
}
SURNAMES = {
    "english": words("Smith Johnson Brown Taylor Wilson Davies Evans Thompson Walker Wright "
                     "Robinson Hughes Edwards Clarke Turner"),
    "spanish": words("Garcia Martinez Rodriguez Fernandez Lopez Gonzalez Sanchez Romero "
                     "Navarro Torres Ruiz Moreno"),
    "german": words("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann "
                    "Schulz Koch Richter"),
    "french": words("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau "
                    "Simon Laurent"),
    "russian": words("Smirnov Kuznetsova Popov Sokolova Lebedev Kozlov Novikova Morozov "
                     "Volkov Solovyova Vasnetsov Zaytsev"),
    "chinese": words("Wang Li Zhang Liu Chen Yang Huang Zhao Zhou Wu Xu Sun"),
    "arabic": words("Haddad Khoury Mansour Nasser Saleh Farouk Hakimi Qasim Darwish Barakat "
                    "Suleiman Tamimi"),
    "indian": words("Sharma Patel Singh Gupta Kumar Reddy Iyer Nair Mehta Joshi Rao "
                    "Chatterjee"),
    "japanese": words("Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi "
                      "Kato Yoshida"),
    "turkish": words("Yilmaz Kaya Demir Sahin Celik Yildiz Aydin Ozturk Arslan Dogan"),
    "african": words("Okafor Adeyemi Mensah Boateng Mwangi Otieno Ndlovu Dlamini Nwosu Banda"),
}
ORG_WORDS = words("Solutions Analytics Bakery Textiles Logistics Dental Furniture Printing "
                  "Consulting Ceramics Orchards Software Plumbing Catering Optics Publishing")
ORG_FORMS = ["Ltd", "GmbH", "LLC", "S.A.", "Inc.", "BV", "Pty Ltd", "SARL", ""]


def script_of(text: str) -> str:
    counts: Counter[str] = Counter()
    for ch in text:
        cp = ord(ch)
        if not ch.isalpha():
            continue
        if cp < 0x250:
            counts["latin"] += 1
        elif 0x400 <= cp <= 0x52F:
            counts["cyrillic"] += 1
        elif 0x600 <= cp <= 0x6FF or 0x750 <= cp <= 0x77F or 0xFB50 <= cp <= 0xFEFF:
            counts["arabic"] += 1
        elif 0x4E00 <= cp <= 0x9FFF or 0x3040 <= cp <= 0x30FF or 0xAC00 <= cp <= 0xD7AF:
            counts["cjk"] += 1
        elif 0x370 <= cp <= 0x3FF:
            counts["greek"] += 1
        else:
            counts["other"] += 1
    return counts.most_common(1)[0][0] if counts else "none"


# ------------------------------------------------------------- variations
def typo(name: str, rng: random.Random) -> str | None:
    words = name.split()
    cand = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not cand:
        return None
    i = max(cand, key=lambda k: len(words[k]))
    w = words[i]
    p = rng.randrange(1, len(w) - 1)
    op = rng.choice("sdit")
    letters = "abcdefghijklmnopqrstuvwxyz"
    if op == "s":
        w = w[:p] + rng.choice(letters.replace(w[p].lower(), "")) + w[p + 1 :]
    elif op == "d":
        w = w[:p] + w[p + 1 :]
    elif op == "i":
        w = w[:p] + rng.choice(letters) + w[p:]
    else:
        if w[p] == w[p + 1] if p + 1 < len(w) else True:
            return None
        w = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
    words[i] = w
    return " ".join(words)


def swap(name: str, rng: random.Random) -> str | None:
    words = name.replace(",", " ").split()
    if len(words) < 2:
        return None
    return " ".join(reversed(words))


def drop_middle(name: str, rng: random.Random) -> str | None:
    # "LAST, First Middle" is read in natural order first ("First Middle LAST"), so that
    # the word dropped is a middle name and not the given name
    if name.count(",") == 1:
        last, first = (p.strip() for p in name.split(","))
        if last and first:
            name = f"{first} {last}"
    words = name.replace(",", " ").split()
    if len(words) < 3:
        return None
    i = rng.randrange(1, len(words) - 1)
    return " ".join(words[:i] + words[i + 1 :])


def legal_form(name: str, rng: random.Random) -> str | None:
    p = prepare(name, "organization")
    core = " ".join(w.upper() for w in p.tokens)
    if len(p.tokens) < 1:
        return None
    if p.legal:
        form = {"llc": ["OOO {}", "{} Limited Liability Company", "{} Ltd", "{}"],
                "jsc": ["AO {}", "{} Joint Stock Company", "{} PJSC", "{}"]}.get(
            p.legal[0], ["{}", "{} Company"])
        return rng.choice(form).format(core)
    return rng.choice(["{} LLC", "OOO {}", "{} Co., Ltd.", "{} GmbH"]).format(core)


VARIATIONS: dict[str, tuple[Callable[[str, random.Random], str | None], set[str]]] = {
    "exact": (lambda n, r: n, {"person", "organization", "vessel", "aircraft", "unknown"}),
    "typo": (typo, {"person", "organization", "vessel", "aircraft", "unknown"}),
    "swap": (swap, {"person"}),
    "drop_middle": (drop_middle, {"person"}),
    "legal_form": (legal_form, {"organization"}),
}


# ---------------------------------------------------------------- baseline
class Baseline:
    def __init__(self, entities: list[Entity]) -> None:
        self.names: list[str] = []
        self.owner: list[int] = []
        self.ids = [e.id for e in entities]
        for ei, e in enumerate(entities):
            for _, n in e.all_names():
                nn = normalize(n)
                if nn:
                    self.names.append(nn)
                    self.owner.append(ei)

    def search(self, query: str, scorer: Callable[..., float]) -> set[str]:
        q = normalize(query)
        if not q:
            return set()
        # process.extract semantics (top 10 at/above cutoff); cdist for its worker threads
        row = process.cdist([q], self.names, scorer=scorer, score_cutoff=BASELINE_CUTOFF,
                            workers=-1)[0]
        top = np.argsort(-row, kind="stable")[:10]
        return {self.ids[self.owner[i]] for i in top.tolist() if row[i] >= BASELINE_CUTOFF}


# ------------------------------------------------------------------ helpers
class Tally:
    def __init__(self) -> None:
        self.n: Counter[str] = Counter()
        self.hit: Counter[str] = Counter()

    def add(self, key: str, ok: bool) -> None:
        self.n[key] += 1
        self.hit[key] += ok

    def rate(self, key: str) -> str:
        return f"{100 * self.hit[key] / self.n[key]:.1f}%" if self.n[key] else "-"


def is_latin(name: str) -> bool:
    return script_of(name) in ("latin", "none")


def build_search_queries(entities: list[Entity], sample: int, rng: random.Random
                         ) -> list[tuple[str, str, str, str, str]]:
    """``(set, query, truth entity id, type, script)``."""
    out = []
    by_type: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        by_type[e.type.value].append(e)
    for set_name, (fn, types) in VARIATIONS.items():
        pool = [e for t in sorted(types) for e in by_type[t]]
        rng.shuffle(pool)
        got = 0
        for e in pool:
            if got >= sample:
                break
            src = e.name if is_latin(e.name) else next(
                (a for a in e.aliases if is_latin(a)), None)
            if not src:
                continue
            q = fn(src, rng)
            if not q or not normalize(q):
                continue
            out.append((set_name, q, e.id, e.type.value, "latin"))
            got += 1
    return out


excluded_partial: list[str] = []  # generated names skipped as partial listed names


def unlisted(entities: list[Entity], rng: random.Random, n: int) -> list[tuple[str, str]]:
    """Generated names that are not on the lists.

    A generated person whose given name and surname both occur in one listed
    person's name ("Sergei Kozlov" vs "KOZLOV, Sergei Mikhailovich") is that
    listed person's name with middle names dropped: an alert on it is correct
    (a screener must look), so such names are not generated as negatives.
    """
    listed = set()
    person_tokens: dict[str, set[int]] = defaultdict(set)
    for ei, e in enumerate(entities):
        for _, name in e.all_names():
            toks = normalize(name).split()
            listed.add(frozenset(toks))
            if e.type.value == "person":
                for t in toks:
                    person_tokens[t].add(ei)
    out: list[tuple[str, str]] = []
    cultures = sorted(GIVEN)
    while len(out) < n:
        c = rng.choice(cultures)
        if rng.random() < 0.8:
            name = f"{rng.choice(GIVEN[c])} {rng.choice(SURNAMES[c])}"
            kind = "person"
        else:
            name = f"{rng.choice(SURNAMES[c])} {rng.choice(ORG_WORDS)} {rng.choice(ORG_FORMS)}"
            kind = "organization"
        toks = normalize(name).split()
        if frozenset(toks) in listed:
            continue
        if kind == "person" and len(toks) == 2 and (
            person_tokens.get(toks[0], set()) & person_tokens.get(toks[1], set())
        ):
            excluded_partial.append(name)
            continue
        out.append((name.strip(), kind))
    return out


def dnb_pairs(rng: random.Random) -> list[tuple[str, str, bool]]:
    d = SHARED / "dev-matching" / "dnb"
    with (d / "test_names.csv").open(encoding="utf-8") as fh:
        a = [r["company_name"] for r in csv.DictReader(fh)]
    with (d / "adjusted_test_names.csv").open(encoding="utf-8") as fh:
        b = [r["company_name"] for r in csv.DictReader(fh)]
    pairs = [(x, y, True) for x, y in zip(a, b, strict=False)]
    shuffled = b[:]
    rng.shuffle(shuffled)
    pairs += [(x, y, False) for i, (x, y) in enumerate(zip(a, shuffled, strict=False))
              if y != b[i]]
    return pairs


def senzing_pairs() -> list[tuple[str, str, bool, str]]:
    d = SHARED / "dev-matching" / "senzing"
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for fname in ("customers.csv", "watchlist.csv", "reference.csv"):
        with (d / fname).open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                full = (r.get("PRIMARY_NAME_FULL") or "").strip()
                org = (r.get("PRIMARY_NAME_ORG") or "").strip()
                parts = [(r.get(k) or "").strip() for k in
                         ("PRIMARY_NAME_FIRST", "PRIMARY_NAME_MIDDLE", "PRIMARY_NAME_LAST")]
                built = " ".join(p for p in parts if p)
                native = (r.get("NATIVE_NAME_FULL") or "").strip()
                name = full or org or built or native
                if name:
                    kind = "organization" if r.get("RECORD_TYPE") == "ORGANIZATION" else "person"
                    names[(r["DATA_SOURCE"], r["RECORD_ID"])] = (name, kind)
    clusters: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with (d / "actual_truthset_key.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = (r["DATA_SOURCE"], r["RECORD_ID"])
            if key in names:
                clusters[r["CLUSTER_ID"]].append(names[key])
    groups: dict[str, list[str]] = defaultdict(list)
    with (d / "actual_truthset_key.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            groups[r["TEST_GROUP"]].append(r["CLUSTER_ID"])
    pairs = []
    for members in clusters.values():
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                pairs.append((members[i][0], members[j][0], True, members[i][1]))
    # negatives: different clusters inside the same test group (the hard ones)
    for cids in groups.values():
        u = sorted(set(cids))
        for i in range(len(u)):
            for j in range(i + 1, len(u)):
                for a in clusters[u[i]][:2]:
                    for b in clusters[u[j]][:2]:
                        pairs.append((a[0], b[0], False, a[1]))
    return pairs


def pair_eval(pairs: list[tuple[str, str, bool, str, str]], fmt_rows: list[str], label: str
              ) -> None:
    """Precision/recall per script and type for ours and the two baselines."""
    scorers = {
        "exportguard": lambda a, b, t: compare(a, b, type=t).match,
        "rf WRatio": lambda a, b, t: fuzz.WRatio(normalize(a), normalize(b)) >= BASELINE_CUTOFF,
        "rf token_sort": lambda a, b, t: fuzz.token_sort_ratio(normalize(a), normalize(b))
        >= BASELINE_CUTOFF,
    }
    groups: dict[str, list[tuple[str, str, bool, str]]] = defaultdict(list)
    for a, b, truth, kind, script in pairs:
        groups["all"].append((a, b, truth, kind))
        groups[f"script={script}"].append((a, b, truth, kind))
        groups[f"type={kind}"].append((a, b, truth, kind))
    for gname in sorted(groups, key=lambda g: (g != "all", g)):
        cells = []
        items = groups[gname]
        n_pos = sum(1 for x in items if x[2])
        for fn in scorers.values():
            tp = fp = fn_ = 0
            for a, b, truth, kind in items:
                try:
                    pred = fn(a, b, kind)
                except ValueError:
                    pred = False
                tp += pred and truth
                fp += pred and not truth
                fn_ += (not pred) and truth
            prec = f"{100 * tp / (tp + fp):.1f}%" if tp + fp else "-"
            rec = f"{100 * tp / (tp + fn_):.1f}%" if tp + fn_ else "-"
            cells.append(f"{prec} / {rec}")
        fmt_rows.append(f"| {label} | {gname} | {n_pos} / {len(items) - n_pos} | "
                        + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=200, help="queries per search set")
    ap.add_argument("--baseline-sample", type=int, default=40,
                    help="queries per set for the (slow, full-scan) rapidfuzz baseline")
    args = ap.parse_args()
    rng = random.Random(SEED)
    t_start = time.perf_counter()
    entities, note = load_entities()
    n_names = sum(len(e.all_names()) for e in entities)
    index = NameIndex.build(entities)
    print(f"entities {len(entities)} ({note}); names {n_names}; index build "
          f"{index.build_seconds:.1f}s; threshold {DEFAULT_THRESHOLD}")
    baseline = Baseline(entities)
    lines = ["# Name matching accuracy", "",
             f"Generated by `benchmarks/names_accuracy.py` (seed {SEED}). Entities: "
             f"{len(entities)} ({note}); names: {n_names}. exportguard at DEFAULT_THRESHOLD = "
             f"{DEFAULT_THRESHOLD}; baseline: rapidfuzz `process.extract` over all normalised "
             f"names (WRatio, token_sort_ratio), cutoff {BASELINE_CUTOFF}.", ""]

    # ---- search sets (index over all names)
    queries = build_search_queries(entities, args.sample, rng)
    print(f"{len(queries)} search queries", flush=True)
    lines += ["## Search sets: query derived from a listed name must find its entity", "",
              "recall = source entity returned at/above threshold (top 10); top1 = it is first "
              "(ties allowed); extra = mean other entities returned (alert load). Baseline on "
              f"the first {args.baseline_sample} queries of each set.", "",
              "| set | type | n | recall | top1 | extra | rf WRatio recall | "
              "rf token_sort recall |", "|---|---|---|---|---|---|---|---|"]
    rec, top1, extra = Tally(), Tally(), Counter()
    brec_w, brec_t = Tally(), Tally()
    bcount: Counter[str] = Counter()
    misses: list[str] = []
    for set_name, q, truth, etype, _ in queries:
        ms = index.search(q, type="any", limit=10, explain=False)
        ids = [m.entity_id for m in ms]
        ok = truth in ids
        first = ok and ms[0].score == next(m.score for m in ms if m.entity_id == truth)
        for key in (f"{set_name}|all", f"{set_name}|{etype}"):
            rec.add(key, ok)
            top1.add(key, first)
            extra[key] += len([i for i in ids if i != truth])
        if not ok and len(misses) < 40:
            misses.append(f"{set_name}: {q!r} -> {truth}")
        if bcount[set_name] < args.baseline_sample:
            bcount[set_name] += 1
            for key in (f"{set_name}|all", f"{set_name}|{etype}"):
                brec_w.add(key, truth in baseline.search(q, fuzz.WRatio))
                brec_t.add(key, truth in baseline.search(q, fuzz.token_sort_ratio))
    for key in sorted(rec.n, key=lambda k: (k.split("|")[0], k.split("|")[1] != "all", k)):
        s, t = key.split("|")
        lines.append(f"| {s} | {t} | {rec.n[key]} | {rec.rate(key)} | {top1.rate(key)} | "
                     f"{extra[key] / rec.n[key]:.2f} | {brec_w.rate(key)} | "
                     f"{brec_t.rate(key)} |")

    # ---- cross-script: non-Latin names against an index of Latin names only
    latin_entities = []
    script_queries = []
    for e in entities:
        nonlat = [n for _, n in e.all_names() if not is_latin(n)]
        lat = [n for _, n in e.all_names() if is_latin(n)]
        if not lat:
            continue
        if nonlat:
            for n in nonlat:
                script_queries.append((n, e.id, e.type.value, script_of(n)))
        latin_entities.append(Entity(id=e.id, list=e.list, source_id=e.source_id, type=e.type,
                                     name=lat[0], aliases=lat[1:]))
    lat_index = NameIndex.build(latin_entities)
    lat_base = Baseline(latin_entities)
    srec, stop1, sw, st = Tally(), Tally(), Tally(), Tally()
    bscript: Counter[str] = Counter()
    print(f"search sets done {time.perf_counter() - t_start:.0f}s; script queries "
          f"{len(script_queries)}", flush=True)
    for q, truth, etype, script in script_queries:
        ms = lat_index.search(q, limit=10, explain=False)
        ids = [m.entity_id for m in ms]
        ok = truth in ids
        for key in (f"{script}|all", f"{script}|{etype}"):
            srec.add(key, ok)
            stop1.add(key, bool(ids) and ids[0] == truth)
            if bscript[script] < args.baseline_sample:
                sw.add(key, truth in lat_base.search(q, fuzz.WRatio))
                st.add(key, truth in lat_base.search(q, fuzz.token_sort_ratio))
        bscript[script] += 1
        if not ok and len(misses) < 80:
            misses.append(f"script {script}: {q!r} -> {truth}")
    lines += ["", "## Cross-script: original-script name vs the entity's Latin names", "",
              "Every non-Latin name on the lists, searched in an index that holds only the "
              f"Latin names. Baseline on the first {args.baseline_sample} queries of each "
              "script only (its figures are on far fewer queries).", "",
              "| script | type | n | recall | top1 | rf WRatio recall | rf token_sort recall |",
              "|---|---|---|---|---|---|---|"]
    for key in sorted(srec.n, key=lambda k: (k.split("|")[0], k.split("|")[1] != "all", k)):
        s, t = key.split("|")
        lines.append(f"| {s} | {t} | {srec.n[key]} | {srec.rate(key)} | {stop1.rate(key)} | "
                     f"{sw.rate(key)} | {st.rate(key)} |")

    print(f"script set done {time.perf_counter() - t_start:.0f}s", flush=True)
    # ---- pair sets
    pair_rows: list[str] = []
    alias_pairs = []
    by_type: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        by_type[e.type.value].append(e)
    pool = [e for e in entities if e.aliases]
    rng.shuffle(pool)
    for e in pool[: args.sample * 3]:
        a = rng.choice(e.aliases)
        other = rng.choice(by_type[e.type.value])
        script = script_of(a)
        alias_pairs.append((a, e.name, True, kind_of(e.type), script))
        if other.id != e.id:
            alias_pairs.append((a, other.name, False, kind_of(e.type), script))
    pair_eval(alias_pairs, pair_rows, "alias->primary")
    dnb = [(a, b, t, "organization", "latin") for a, b, t in dnb_pairs(rng)]
    pair_eval(dnb, pair_rows, "dnb")
    sz = [(a, b, t, k, script_of(a + b)) for a, b, t, k in senzing_pairs()]
    pair_eval(sz, pair_rows, "senzing")
    lines += ["", "## Pair sets (compare): precision / recall", "",
              "alias->primary: a random strong alias vs the primary name of the same entity "
              "(positive) and of a random entity of the same type (negative). Many aliases are "
              "different names altogether (a.k.a. \"The Base\"), so recall here is a floor, not "
              "a target. dnb: original vs corrupted row (positive), shuffled rows (negative). "
              "senzing: pairs inside a truth cluster (positive), across clusters of the same "
              "test group (negative); clusters are resolved with dates and addresses too "
              "(Bob ~ Robert), so name-only recall is bounded.", "",
              "| set | group | pos / neg | exportguard P / R | rf WRatio P / R | "
              "rf token_sort P / R |", "|---|---|---|---|---|---|", *pair_rows]

    print(f"pair sets done {time.perf_counter() - t_start:.0f}s", flush=True)
    # ---- unlisted
    gen = unlisted(entities, rng, 1000)
    hits = Counter()
    bw = bt = 0
    examples = []
    for name, kind in gen:
        ms = index.search(name, limit=3, explain=False)
        hits[kind] += bool(ms)
        hits["all"] += bool(ms)
        if ms and len(examples) < 12:
            examples.append(f"{name!r} -> {ms[0].matched_name!r} ({ms[0].score})")
    for name, _ in gen[: args.baseline_sample * 2]:
        bw += bool(baseline.search(name, fuzz.WRatio))
        bt += bool(baseline.search(name, fuzz.token_sort_ratio))
    partial = sorted(set(excluded_partial))
    partial_hits = sum(bool(index.search(name, type="person", limit=1, explain=False))
                       for name in partial)
    nk = Counter(k for _, k in gen)
    nb = min(len(gen), args.baseline_sample * 2)
    lines += ["", "## Unlisted names: false-alert rate (any match at/above threshold)", "",
              "Generated people (given name + surname from 11 cultures) and companies "
              "(surname + trade word + legal form), none equal to a listed name. A generated "
              "person whose given name and surname both occur in one listed person's name "
              "(\"Sergei Kozlov\" vs \"KOZLOV, Sergei Mikhailovich\") is that person's name "
              "with middle names dropped, which must alert: such names are not used as "
              f"negatives ({len(set(excluded_partial))} distinct names generated and skipped, "
              f"e.g. {', '.join(repr(x) for x in sorted(set(excluded_partial))[:4])}).", "",
              "| set | n | exportguard hit rate | rf WRatio | rf token_sort |",
              "|---|---|---|---|---|",
              f"| all | {len(gen)} | {100 * hits['all'] / len(gen):.1f}% | "
              f"{100 * bw / nb:.1f}% (n={nb}) | {100 * bt / nb:.1f}% (n={nb}) |",
              f"| person | {nk['person']} | {100 * hits['person'] / max(1, nk['person']):.1f}% "
              "| | |",
              f"| organization | {nk['organization']} | "
              f"{100 * hits['organization'] / max(1, nk['organization']):.1f}% | | |",
              "", f"The skipped partial names alert as they should: {partial_hits} of "
              f"{len(partial)} match at/above the threshold (counted as false alerts, the "
              f"person hit rate above would be "
              f"{100 * (hits['person'] + partial_hits) / max(1, nk['person'] + len(partial)):.1f}"
              "%).",
              "", "Examples of unlisted hits:", "", *[f"- {x}" for x in examples],
              "", "## Sample of misses", "", *[f"- {m}" for m in misses],
              "", f"Run time {time.perf_counter() - t_start:.0f}s."]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
