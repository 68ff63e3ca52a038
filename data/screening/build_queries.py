#!/usr/bin/env python3
"""Source of `queries.jsonl`, the labelled screening query set.

Reads the OFAC SDN sample in FollowTheMoney JSON lines and writes one query
entity per line: positives, each a listed entity's name changed the way an
adviser typing a partner's details would change it, and negatives, names of
people and organisations that are on no list. Every line carries its label:
`expected` (the list id, or null) and `variation` (what was changed).

    python3 data/screening/build_queries.py ../shared/data/sanctions/ofac_sdn_2024-05-03.ftm.jsonl

(the OFAC sample beside the repository, as the screening tests find it).

The output is deterministic (fixed seed, no set iteration order). Standard
library only. The script refuses a positive that another listed entity would
answer as well as the expected one, drops a negative whose normalised name is
a listed name, and prints the negatives that come within one word of a listed
name so that the hand-written lists can be reviewed.
"""

import argparse
import json
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

SEED = 20240503
HERE = Path(__file__).resolve().parent
OUT = HERE / "queries.jsonl"

NAME_PROPS = ("name", "alias", "previousName")
PERSON_COUNTRY_PROPS = ("nationality", "citizenship")
ORG_COUNTRY_PROPS = ("jurisdiction", "country")

# How many positives of each kind, and on which schema. "a+b" is a combined
# variation: both changes on one query.
PLAN = [
    ("transliteration", "Person", 34),
    ("transliteration", "Organization", 6),
    ("typo", "Person", 28),
    ("typo", "Organization", 14),
    ("typo", "Vessel", 6),
    ("word_order", "Person", 30),
    ("dropped_middle", "Person", 30),
    ("initial", "Person", 25),
    ("honorific", "Person", 25),
    ("legal_form", "Organization", 40),
    ("cyrillic", "Person", 26),
    ("cyrillic", "Organization", 4),
    ("with_birth_date", "Person", 25),
    ("with_country", "Person", 14),
    ("with_country", "Organization", 8),
    ("with_country", "Vessel", 3),
    ("alias", "Person", 15),
    ("alias", "Organization", 15),
    ("alias", "Vessel", 5),
    ("word_order+typo", "Person", 6),
    ("transliteration+word_order", "Person", 5),
    ("dropped_middle+transliteration", "Person", 5),
    ("honorific+typo", "Person", 4),
    ("initial+word_order", "Person", 4),
    ("cyrillic+word_order", "Person", 4),
    ("with_birth_date+typo", "Person", 4),
    ("with_country+transliteration", "Person", 3),
    ("legal_form+typo", "Organization", 5),
    ("legal_form+transliteration", "Organization", 3),
    ("with_country+legal_form", "Organization", 3),
]
NAMESAKES = 15

# ---------------------------------------------------------------------------
# Normalisation and comparison
# ---------------------------------------------------------------------------

SPECIAL_LETTERS = str.maketrans(
    {"ı": "i", "ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l", "œ": "oe", "þ": "th", "ð": "d"}
)
PARTICLES = set("""
    al el bin ibn bint de la del da dos do van von y the of and
    """.split())
# Words that only state a legal form; set apart when organisation names are compared.
LEGAL_WORDS = set("""
    llc ltd limited liability company co ooo gmbh sa s a jsc pjsc ojsc cjsc ao oao zao pao inc incorporated
    corp sarl fze fzco fzc llp plc cv sas srl ltda joint stock public closed open obshchestvo ogranichennoi
    ogranichennoy otvetstvennostyu aktsionernoe pte pty pvt private sirketi anonim sti ood eood dmcc c r l
    as bhd sdn
    """.split())


def fold(text):
    """Lower case, accents and special letters to ASCII; other scripts kept."""
    text = unicodedata.normalize("NFKD", text.lower().translate(SPECIAL_LETTERS))
    return "".join(c for c in text if not unicodedata.combining(c))


def words(text):
    """Folded words: apostrophes dropped inside words, other punctuation splits."""
    return re.findall(r"[^\W_]+", re.sub(r"['’ʼ`]", "", fold(text)))


def norm_key(text):
    """The normalised name: folded words, sorted."""
    return " ".join(sorted(words(text)))


def cmp_tokens(text, org=False):
    toks = [w for w in words(text) if w not in PARTICLES]
    if org:
        toks = [w for w in toks if w not in LEGAL_WORDS]
    return toks


def loose(tok):
    """A rough sound key, only to find names worth comparing."""
    t = tok.replace("kh", "h").replace("ph", "f").replace("sh", "s").replace("ch", "c")
    t = t.translate(str.maketrans("qczwj", "kssvg"))
    head, rest = t[:1], re.sub(r"[aeiouyh]", "", t[1:])
    return re.sub(r"(.)\1+", r"\1", head + rest)


def osa(a, b):
    """Edit distance with adjacent swaps counted as one edit."""
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


@lru_cache(maxsize=None)
def tok_match(a, b):
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    ga, gb = VARIANT_OF.get(a), VARIANT_OF.get(b)
    if ga is not None and ga == gb:
        return True
    m = min(len(a), len(b))
    if m >= 4 and abs(len(a) - len(b)) <= 2:
        d = osa(a, b)
        return d <= 1 or (m >= 7 and d <= 2)
    return False


def covered(q, l):
    """Every token of q answered by its own token of l (exact first, initials last)."""
    used = [False] * len(l)
    order = sorted(range(len(q)), key=lambda i: (len(q[i]) == 1, i))
    for i in order:
        t = q[i]
        hit = next((j for j, u in enumerate(l) if not used[j] and u == t), None)
        if hit is None:
            hit = next((j for j, u in enumerate(l) if not used[j] and tok_match(t, u)), None)
        if hit is None:
            return False
        used[hit] = True
    return True


def conflict(q, l, min_single=6):
    """Would a tolerant matcher take name l for query q (or q for l)?"""
    if not q or not l:
        return False
    if covered(q, l):
        return True
    if sum(len(t) >= 3 for t in l) >= min(2, len(l)) and covered(l, q) and (len(l) >= 2 or len(l[0]) >= min_single):
        return True
    return False


# ---------------------------------------------------------------------------
# Spelling variants
# ---------------------------------------------------------------------------

VARIANT_GROUPS = [
    # Arabic and Persian given names
    ("mohammed", "muhammad", "mohammad", "mohamed", "muhammed", "mohamad"),
    ("ahmed", "ahmad"),
    ("mahmoud", "mahmud", "mahmood"),
    ("yusuf", "yousef", "youssef", "yousif", "yusef"),
    ("hussein", "husayn", "hussain", "husain", "hossein"),
    ("hasan", "hassan"),
    ("husseini", "husayni", "hosseini"),
    ("abdullah", "abdallah", "abdulla"),
    ("abdul", "abdel", "abdal"),
    ("omar", "umar"),
    ("osama", "usama"),
    ("othman", "uthman", "osman"),
    ("khalid", "khaled"),
    ("saeed", "said", "sayeed", "saeid"),
    ("rashid", "rasheed"),
    ("hamid", "hameed"),
    ("majid", "majeed"),
    ("nasser", "nasir", "naser"),
    ("karim", "kareem"),
    ("zakaria", "zakariya", "zakariyya"),
    ("ibrahim", "ebrahim"),
    ("ismail", "esmail", "ismael"),
    ("mustafa", "mostafa", "moustafa"),
    ("mehdi", "mahdi"),
    ("jafar", "jaafar"),
    ("qasim", "qassem", "kassem", "ghasem", "qasem"),
    ("faisal", "faysal"),
    ("walid", "waleed"),
    ("yasser", "yasir"),
    ("tariq", "tarek", "tareq"),
    ("sulaiman", "suleiman", "sulayman", "soleiman"),
    ("yahya", "yehia"),
    ("musa", "moussa"),
    ("isa", "issa", "eisa"),
    ("fatima", "fatemeh", "fatma"),
    ("aisha", "ayesha"),
    ("zainab", "zeinab"),
    ("mohsen", "muhsin"),
    ("gholam", "ghulam", "qolam"),
    ("seyed", "sayyed", "seyyed", "sayed"),
    ("jamal", "gamal"),
    ("salim", "salem"),
    ("abbas", "abas"),
    ("reza", "riza"),
    ("akbar", "akber"),
    ("mansour", "mansur"),
    ("nour", "nur", "noor"),
    ("khalil", "halil"),
    ("mousa", "musa"),
    ("yaqub", "yakub", "yacoub"),
    ("anwar", "anouar"),
    ("sharif", "cherif"),
    # Russian, Ukrainian and Belarusian given names
    ("aleksandr", "alexander", "aleksander", "alexandr", "oleksandr", "alyaksandr"),
    ("aleksey", "alexey", "alexei", "aleksei", "oleksiy", "oleksii"),
    ("sergey", "sergei", "serhiy", "serhii", "siarhei"),
    ("andrey", "andrei", "andriy", "andrii"),
    ("dmitry", "dmitriy", "dmitrii", "dmytro", "dzmitry", "dzmitriy"),
    ("yuri", "yuriy", "yury", "iurii"),
    ("yevgeny", "evgeny", "evgeniy", "yevgeniy", "evgenii", "yevhen"),
    ("mikhail", "mihail", "mykhailo"),
    ("nikolay", "nikolai", "mykola", "mikalai"),
    ("valery", "valeriy", "valerii"),
    ("vitaly", "vitaliy", "vitalii"),
    ("anatoly", "anatoliy", "anatolii"),
    ("gennady", "gennadiy", "gennadii", "hennadiy"),
    ("arkady", "arkadiy", "arkadii"),
    ("maksim", "maxim", "maksym"),
    ("pyotr", "petr", "piotr", "petro"),
    ("fyodor", "fedor", "fiodor"),
    ("yelena", "elena", "olena", "alena"),
    ("yekaterina", "ekaterina", "kateryna"),
    ("tatyana", "tatiana", "tetiana"),
    ("natalya", "natalia", "nataliya", "natallia"),
    ("vladimir", "volodymyr", "uladzimir"),
    ("grigory", "grigoriy", "hryhoriy"),
    ("georgy", "georgiy", "georgii", "heorhiy"),
    ("vasily", "vasiliy", "vasyl"),
    ("igor", "ihor"),
    ("ilya", "illya", "ilia"),
    ("semyon", "semen"),
    ("artem", "artyom"),
    ("yulia", "yuliya", "iuliia"),
    ("vyacheslav", "viacheslav"),
    ("lyudmila", "ludmila", "liudmyla"),
    ("olga", "olha", "volha"),
    # Korean and Chinese family names
    ("ri", "lee", "rhee", "yi"),
    ("pak", "park"),
    ("choe", "choi"),
    ("jong", "chong", "jeong"),
    ("yun", "yoon"),
    ("chon", "jeon"),
    ("ryu", "yoo"),
    ("zhang", "chang"),
    ("zhou", "chou"),
    ("xu", "hsu"),
    ("zhao", "chao"),
    ("liu", "lau"),
    ("zheng", "cheng"),
    ("xie", "hsieh"),
    ("jiang", "chiang"),
    ("huang", "wong"),
    ("guo", "kuo"),
    ("zhu", "chu"),
    ("cai", "tsai"),
    ("xiao", "hsiao"),
]
VARIANT_OF = {}
for _i, _g in enumerate(VARIANT_GROUPS):
    for _w in _g:
        VARIANT_OF.setdefault(_w, _i)

# (pattern, replacement, where): where is "any", "given" or "last".
RULES = {
    "slavic": [
        (r"ov$", "off", "last"),
        (r"ev$", "eff", "last"),
        (r"eyev$", "eev", "last"),
        (r"eev$", "eyev", "last"),
        (r"ayev$", "aev", "last"),
        (r"aev$", "ayev", "last"),
        (r"([^aeiouy])yev$", r"\1ev", "last"),
        (r"^ye", "e", "any"),
        (r"^e(?=[rfgms])", "ye", "last"),
        (r"eyevich$", "eevich", "given"),
        (r"eevich$", "eyevich", "given"),
        (r"([^aeiouy])yevich$", r"\1evich", "given"),
        (r"ievich$", "yevich", "given"),
        (r"eyevna$", "eevna", "given"),
        (r"eevna$", "eyevna", "given"),
        (r"skiy$", "sky", "any"),
        (r"skii$", "sky", "any"),
        (r"sky$", "skiy", "any"),
        (r"kh", "h", "any"),
        (r"shch", "sch", "any"),
        (r"iy$", "y", "any"),
        (r"ii$", "iy", "any"),
        (r"ya", "ia", "any"),
        (r"yu", "iu", "any"),
        (r"ei$", "ey", "any"),
        (r"ey$", "ei", "any"),
        (r"ai$", "ay", "any"),
        (r"ay$", "ai", "any"),
        (r"yo", "e", "any"),
        (r"ych$", "ich", "any"),
        (r"ovych$", "ovich", "given"),
        (r"^aleks", "alex", "any"),
        (r"^alex(?!a)", "aleks", "any"),
    ],
    "belarusian": [(r"au$", "ov", "last"), (r"enka$", "enko", "last"), (r"avich$", "ovich", "given")],
    "arabic": [
        (r"ou", "u", "any"),
        (r"oo", "u", "any"),
        (r"^([^u]*[^aeiou])u(?=[bdfghjklmnpqrstvz])", r"\1ou", "any"),
        (r"ee", "i", "any"),
        (r"q", "k", "any"),
        (r"ay", "ai", "any"),
        (r"ai", "ay", "any"),
        (r"^al-", "el-", "any"),
        (r"^el-", "al-", "any"),
        (r"^al-", "al", "any"),
        (r"aa", "a", "any"),
        (r"dh", "z", "any"),
        (r"ei", "ey", "any"),
        (r"ss", "s", "any"),
        (r"^abdul", "abdel", "any"),
        (r"^abd al-", "abdul", "any"),
    ],
    "korean": [
        (r"o'", "eo", "any"),
        (r"u'", "eu", "any"),
        (r"'", "", "any"),
        (r"^k(?=[aeiouwy])", "g", "given"),
        (r"^t(?=[aeiouwy])", "d", "given"),
        (r"^p(?=[aeiouwy])", "b", "given"),
        (r"-", " ", "given"),
    ],
    "chinese": [(r"^zh", "ch", "any"), (r"^x", "hs", "any"), (r"^q", "ch", "any"), (r"^z(?=[aeiou])", "ts", "any")],
}

ARAB_COUNTRIES = set("""
    sa ae qa kw om bh ye iq sy lb jo ps eg ly tn dz ma sd mr so
    """.split())
PERSIAN_COUNTRIES = {"ir", "af", "pk"}
SLAVIC_COUNTRIES = {"ru", "ua", "by"}
ARAB_WORDS = set("""
    muhammad mohammed mohamed mohammad ahmad ahmed ali hasan hassan husayn hussein abd abdul abdallah
    abdullah abu umar omar khalid ibrahim yusuf mustafa mahmud mahmoud salim nasir hamid jamal karim rashid
    yasin sayyid sheikh shaykh
    """.split())
SLAVIC_ENDINGS = re.compile(r"(ov|ova|ev|eva|in|ina|sky|skiy|skaya|enko|chuk|vich|vna|yev|yeva|vych|ko)$")


def family_of(entity, tokens):
    cs = set(country_codes(entity))
    low = [t.lower() for t in tokens]
    if cs & SLAVIC_COUNTRIES:
        return "slavic"
    if cs & {"kp", "kr"}:
        return "korean"
    if cs & {"cn", "hk", "tw", "mo"}:
        return "chinese"
    if cs & (ARAB_COUNTRIES | PERSIAN_COUNTRIES):
        return "arabic"
    if any(t in ARAB_WORDS or t.startswith(("al-", "el-")) for t in low):
        return "arabic"
    if sum(1 for t in low if SLAVIC_ENDINGS.search(t)) >= 2:
        return "slavic"
    return None


def like(src, new):
    """new, in the letter case of src (part by part for hyphenated words)."""
    if src.isupper():
        return new.upper()
    sp, np_ = src.split("-"), new.split("-")
    if len(sp) == len(np_) and len(sp) > 1:
        return "-".join(like(a, b) for a, b in zip(sp, np_))
    if src[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def title_word(w):
    """SURNAME -> Surname; O'BRIEN -> O'Brien, SHAFA'I -> Shafa'i, AL-ASSAD -> Al-Assad."""
    out = []
    for p in w.split("-"):
        bits = p.split("'")
        done = bits[0][:1].upper() + bits[0][1:].lower()
        for prev, b in zip(bits, bits[1:]):
            done += "'" + (b[:1].upper() + b[1:].lower() if len(prev) <= 1 else b.lower())
        out.append(done)
    return "-".join(out)


UA_FORMS = set("""
    oleksandr oleksiy oleksii serhiy serhii andriy andrii dmytro yevhen mykhailo mykola hennadiy maksym
    petro olena kateryna tetiana volodymyr hryhoriy heorhiy vasyl ihor illya iuliia liudmyla olha nataliya
    """.split())
BY_FORMS = {"alyaksandr", "siarhei", "dzmitry", "dzmitriy", "mikalai", "natallia", "uladzimir", "volha", "alena"}


def spelling_variants(token, family, where, countries=()):
    """Other spellings of one name token, as another romanisation would give them.
    Ukrainian and Belarusian forms only for people of those countries."""
    low = token.lower()
    out = []
    g = VARIANT_OF.get(low)
    if g is not None:
        out += [
            w
            for w in VARIANT_GROUPS[g]
            if w != low and (w not in UA_FORMS or "ua" in countries) and (w not in BY_FORMS or "by" in countries)
        ]
    rules = RULES.get(family, []) + (RULES["belarusian"] if family == "slavic" and "by" in countries else [])
    for pat, rep, scope in rules:
        if scope != "any" and scope != where:
            continue
        new = re.sub(pat, rep, low, count=1)
        if new != low and new not in out and len(new) >= 2:
            out.append(new)
    return [like(token, w) for w in out]


# ---------------------------------------------------------------------------
# Typing errors
# ---------------------------------------------------------------------------

ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEIGHBOURS = defaultdict(list)
for _r, _row in enumerate(ROWS):
    for _c, _ch in enumerate(_row):
        for _dr, _dc in ((0, -1), (0, 1), (-1, 0), (1, 0), (-1, 1), (1, -1)):
            _rr, _cc = _r + _dr, _c + _dc
            if 0 <= _rr < 3 and 0 <= _cc < len(ROWS[_rr]):
                NEIGHBOURS[_ch].append(ROWS[_rr][_cc])


def typo(token, rng):
    """One slip of the fingers inside a word: a neighbouring key, two letters swapped,
    a letter dropped or doubled. The first letter is left alone."""
    n = len(token)
    for _ in range(20):
        op = rng.choice(("sub", "swap", "drop", "double"))
        i = rng.randrange(1, n)
        c = token[i]
        if not c.isalpha():
            continue
        if op == "sub":
            nb = [x for x in NEIGHBOURS.get(c.lower(), []) if x != c.lower()]
            if not nb:
                continue
            new = token[:i] + like(c, rng.choice(nb)) + token[i + 1 :]
        elif op == "swap":
            if i >= n - 1 or not token[i + 1].isalpha() or token[i + 1].lower() == c.lower():
                continue
            new = token[:i] + token[i + 1] + c + token[i + 2 :]
        elif op == "drop":
            new = token[:i] + token[i + 1 :]
        else:
            if (i + 1 < n and token[i + 1].lower() == c.lower()) or token[i - 1].lower() == c.lower():
                continue
            new = token[:i] + c + token[i:]
        if new.lower() != token.lower():
            return new
    return None


# ---------------------------------------------------------------------------
# Latin to Cyrillic, as a Russian or Ukrainian document would write the name
# ---------------------------------------------------------------------------

RU_GIVEN = {
    "aleksandr": "Александр",
    "alexander": "Александр",
    "aleksey": "Алексей",
    "alexey": "Алексей",
    "alexei": "Алексей",
    "aleksei": "Алексей",
    "anatoly": "Анатолий",
    "anatoliy": "Анатолий",
    "andrey": "Андрей",
    "andrei": "Андрей",
    "arkady": "Аркадий",
    "arkadiy": "Аркадий",
    "artem": "Артём",
    "artyom": "Артём",
    "dmitry": "Дмитрий",
    "dmitriy": "Дмитрий",
    "dmitrii": "Дмитрий",
    "eduard": "Эдуард",
    "evgeny": "Евгений",
    "evgeniy": "Евгений",
    "yevgeny": "Евгений",
    "yevgeniy": "Евгений",
    "fedor": "Фёдор",
    "fyodor": "Фёдор",
    "gennady": "Геннадий",
    "gennadiy": "Геннадий",
    "georgy": "Георгий",
    "georgiy": "Георгий",
    "grigory": "Григорий",
    "grigoriy": "Григорий",
    "igor": "Игорь",
    "ilya": "Илья",
    "kirill": "Кирилл",
    "maksim": "Максим",
    "maxim": "Максим",
    "mikhail": "Михаил",
    "nikolay": "Николай",
    "nikolai": "Николай",
    "petr": "Пётр",
    "pyotr": "Пётр",
    "sergey": "Сергей",
    "sergei": "Сергей",
    "valery": "Валерий",
    "valeriy": "Валерий",
    "vasily": "Василий",
    "vasiliy": "Василий",
    "viktor": "Виктор",
    "victor": "Виктор",
    "vitaly": "Виталий",
    "vitaliy": "Виталий",
    "yury": "Юрий",
    "yuri": "Юрий",
    "yuriy": "Юрий",
    "elena": "Елена",
    "yelena": "Елена",
    "ekaterina": "Екатерина",
    "yekaterina": "Екатерина",
    "tatyana": "Татьяна",
    "tatiana": "Татьяна",
    "natalya": "Наталья",
    "natalia": "Наталья",
    "olga": "Ольга",
    "lyubov": "Любовь",
    "lyudmila": "Людмила",
    "ludmila": "Людмила",
    "yulia": "Юлия",
    "yuliya": "Юлия",
    "darya": "Дарья",
    "daria": "Дарья",
    "maria": "Мария",
    "mariya": "Мария",
    "anastasia": "Анастасия",
    "anastasiya": "Анастасия",
    "ksenia": "Ксения",
    "kseniya": "Ксения",
    "semyon": "Семён",
    "semen": "Семён",
    "emil": "Эмиль",
    "elvira": "Эльвира",
    "eldar": "Эльдар",
    "erik": "Эрик",
    "ernest": "Эрнест",
    "edgar": "Эдгар",
    "elmira": "Эльмира",
    "ella": "Элла",
}
UK_GIVEN = {
    "oleksiy": "Олексій",
    "oleksii": "Олексій",
    "serhiy": "Сергій",
    "serhii": "Сергій",
    "andriy": "Андрій",
    "andrii": "Андрій",
    "yuriy": "Юрій",
    "yevhen": "Євген",
    "mykhailo": "Михайло",
    "ihor": "Ігор",
}
RU_LETTERS = dict(zip("abvgdeziklmnoprstufhcwqj", "абвгдезиклмнопрстуфхквкй"))
UK_LETTERS = dict(RU_LETTERS, i="і", h="г", g="г")
VOWELS = set("aeiouy")


def to_cyrillic_word(w, lang, given, plain=False):
    """One Latin word in Cyrillic letters; lang is "ru" or "uk". plain: an ordinary word,
    not a name, so no name endings."""
    low = w.lower()
    table = UK_GIVEN if lang == "uk" else {}
    if low in table:
        return table[low]
    if low in RU_GIVEN and lang == "ru":
        return RU_GIVEN[low]
    tail = ""
    ends = [
        ("trievich", "триевич"),
        ("trievna", "триевна"),
        ("giyevich", "гиевич"),
        ("gievich", "гиевич"),
        ("giyevna", "гиевна"),
        ("gievna", "гиевна"),
        ("iyevich", "ьевич"),
        ("iyevna", "ьевна"),
        ("ievich", "ьевич"),
        ("ievna", "ьевна"),
        ("tskiy", "цкий"),
        ("tsky", "цкий"),
        ("skiy", "ский"),
        ("skii", "ский"),
        ("skyi", "ський"),
        ("sky", "ский"),
        ("skaya", "ская"),
        ("aya", "ая"),
        ("iy", "ий"),
        ("ii", "ий"),
        ("yy", "ый"),
        ("yi", "ий"),
    ]
    if plain:
        ends = [("skiy", "ский"), ("skaya", "ская"), ("aya", "ая"), ("iy", "ий"), ("yy", "ый")]
    if lang == "uk":
        ends = [
            ("ovich", "ович"),
            ("evich", "евич"),
            ("ovna", "овна"),
            ("skyi", "ський"),
            ("skyy", "ський"),
            ("skiy", "ський"),
            ("iy", "ій"),
            ("ii", "ій"),
            ("yi", "ий"),
            ("ych", "ич"),
            ("yivna", "ївна"),
        ] + ends
    for end, cyr in ends:
        if low.endswith(end) and len(low) > len(end) + 1:
            low, tail = low[: -len(end)], cyr
            break
    else:
        if plain:
            pass
        elif low.endswith("ya") and len(low) > 3 and low[-3] not in VOWELS:
            low, tail = low[:-2], "ья"
        elif low.endswith("y") and len(low) > 2 and low[-2] not in VOWELS:
            low = low[:-1]
            tail = "ий" if given or low[-1] in "kgh" or low.endswith(("zh", "sh", "ch")) else "ый"
    letters = UK_LETTERS if lang == "uk" else RU_LETTERS
    out = []
    i = 0
    while i < len(low):
        rest = low[i:]
        prev = low[i - 1] if i else None
        after_vowel = prev is None or prev in VOWELS or prev == "'"
        multi = [
            ("shch", "щ"),
            ("dzh", "дж"),
            ("tch", "ч"),
            ("zh", "ж"),
            ("kh", "х"),
            ("ts", "ц"),
            ("ch", "ч"),
            ("sh", "ш"),
            ("x", "кс"),
        ]
        for lat, cyr in multi:
            if rest.startswith(lat):
                out.append(cyr)
                i += len(lat)
                break
        else:
            c = low[i]
            nxt = low[i + 1] if i + 1 < len(low) else None
            if c == "y" and nxt in ("a", "u", "e", "o", "i"):
                if lang == "uk":
                    soft = {"a": "я", "u": "ю", "e": "є", "o": "йо", "i": "ї"}[nxt]
                    out.append(("ь" + soft) if not after_vowel and nxt in "e" else soft)
                else:
                    soft = {"a": "я", "u": "ю", "e": "е", "o": "ё", "i": "и"}[nxt]
                    out.append(("ь" + soft) if not after_vowel and nxt in "ei" else soft)
                i += 2
                continue
            if c == "y":
                out.append("й" if prev in VOWELS else ("и" if lang == "uk" else "ы"))
            elif c == "i" and prev in ("a", "e", "o", "u") and (nxt is None or nxt not in VOWELS):
                out.append("й")
            elif c == "e" and i == 0 and lang == "uk":
                out.append("е")
            elif c == "'":
                out.append("ь")
            elif c in letters:
                out.append(letters[c])
            else:
                return None
            i += 1
    text = "".join(out) + tail
    if plain and not VOWELS & set(w.lower()):
        return text.upper()  # an acronym
    return text[:1].upper() + text[1:]


def cyrillic_name(tokens, lang, given_count, plain=False):
    out = []
    for k, tok in enumerate(tokens):
        parts = []
        for p in tok.split("-"):
            c = to_cyrillic_word(p, lang, k < given_count, plain)
            if c is None:
                return None
            parts.append(c)
        out.append("-".join(parts))
    return out


# ---------------------------------------------------------------------------
# Person names
# ---------------------------------------------------------------------------

UNIT_PREFIXES = set("""
    abd abdul abu bin ibn bint al el de del da dos van von umm ould ul ud ur us
    """.split())
TITLE_WORDS = set("""
    shaykh sheikh haji hajji mullah mulla maulawi mawlawi maulvi qari dr sayyid saw daw u mr mrs general
    hafiz imam
    """.split())
# One personal name in several words, not given names and a family name: first + last would not be the person.
UNSPLIT_COUNTRIES = {"mm", "kp", "kr", "cn", "tw", "hk", "vn", "th", "id", "kh", "la"}
BURMESE_PARTS = set("""
    aung min kyaw htun hla myint thein win zaw tun soe maung naing oo hlaing khin than nyunt thant htoo
    thura moe swe myo lwin tin
    """.split())
COMMON_GIVEN = set()  # given names worn by several listed people; filled from the list


def plain_given(entity):
    """Given names that can be shortened: no titles in them, none ending in a particle, not Asian one-name forms."""
    first = entity["properties"]["firstName"][0]
    toks = words(first)
    if not toks or toks[-1] in UNIT_PREFIXES or set(toks) & TITLE_WORDS or "-" in first:
        return False
    if set(country_codes(entity)) & UNSPLIT_COUNTRIES or family_of(entity, first.split()) in ("korean", "chinese"):
        return False
    if set(words(entity["properties"]["name"][0])) & BURMESE_PARTS:
        return False
    return True


def given_units(first):
    """Given names, with "Abd al-X" or "Abu Y" kept as one unit."""
    toks = first.split()
    units, cur = [], []
    for t in toks:
        cur.append(t)
        if t.lower() not in UNIT_PREFIXES:
            units.append(" ".join(cur))
            cur = []
    if cur:
        if units:
            units[-1] += " " + " ".join(cur)
        else:
            units.append(" ".join(cur))
    return units


@dataclass
class PName:
    given: list
    last: list
    order: str = "natural"  # natural | comma | reversed
    title: str = None
    script: str = "latin"  # latin | ru | uk
    style: str = "listed"  # listed | title

    def tokens(self):
        return [t for u in self.given for t in u.split()] + list(self.last)

    def latin(self):
        """The Latin name without title, for the checks."""
        return " ".join(self.tokens())

    def text(self):
        given = " ".join(u if not u.isupper() or len(u) <= 2 else title_word(u) for u in self.given)
        given = " ".join(title_word(t) if t.isupper() and len(t) > 2 else t for t in given.split())
        last = " ".join(title_word(t) if self.style == "title" else t for t in self.last)
        if self.script != "latin":
            gtoks = given.split()
            cyr = cyrillic_name(gtoks + last.split(), self.script, len(gtoks))
            if cyr is None:
                return None
            given, last = " ".join(cyr[: len(gtoks)]), " ".join(cyr[len(gtoks) :])
        if self.order == "comma":
            body = f"{last}, {given}" if given else last
        elif self.order == "reversed":
            body = f"{last} {given}".strip()
        else:
            body = f"{given} {last}".strip()
        return f"{self.title} {body}" if self.title else body


def pname_of(entity):
    p = entity["properties"]
    return PName(given=given_units(p["firstName"][0]), last=p["lastName"][0].split())


def person_eligible(entity):
    p = entity["properties"]
    name = p["name"][0]
    toks = cmp_tokens(name)
    if len(toks) < 2 or any(ch.isdigit() for ch in name) or not p["lastName"][0].strip():
        return False
    letters = sum(len(t) for t in toks)
    return letters >= 9 and max(len(t) for t in toks) >= 4 and len(cmp_tokens(p["lastName"][0])) >= 1


HONORIFICS = {
    "female": ["Mrs.", "Ms.", "Dr.", "Dr.", "Madam"],
    "arabic": ["Sheikh", "Sheikh", "Haji", "Dr.", "Mr.", "Eng."],
    "persian": ["Haji", "Dr.", "Mr.", "Mullah"],
    "slavic": ["Mr.", "Dr.", "Dr.", "Prof."],
    "other": ["Mr.", "Dr.", "Dr.", "Prof."],
    "unknown": ["Dr.", "Dr.", "Prof."],
}
RANKS = [
    (re.compile(r"\b(Major|Lieutenant|Brigadier) General\b|^General$"), "General"),
    (re.compile(r"\bColonel\b"), "Colonel"),
    (re.compile(r"\bAdmiral\b"), "Admiral"),
]


def pick_honorific(entity, fam, rng):
    p = entity["properties"]
    for pos in p.get("position", []):
        for rx, rank in RANKS:
            if rx.search(pos):
                return rank
    gender = (p.get("gender") or [None])[0]
    first = words(p["firstName"][0])[:1]
    if gender is None and first and first[0] in ARAB_WORDS:
        gender = "male"
    if gender == "female":
        return rng.choice(HONORIFICS["female"])
    if gender != "male":
        return rng.choice(HONORIFICS["unknown"])
    cs = set(country_codes(entity))
    if fam == "arabic" and cs & {"ir", "af"}:
        return rng.choice(HONORIFICS["persian"][:3] + (["Mullah"] if "af" in cs else []))
    if fam == "arabic":
        return rng.choice(HONORIFICS["arabic"])
    if fam == "slavic":
        return rng.choice(HONORIFICS["slavic"])
    return rng.choice(HONORIFICS["other"])


def step_typo(pn, rng, entity):
    cands = []
    for gi, u in enumerate(pn.given):
        for ti, t in enumerate(u.split()):
            cands.append(("g", gi, ti, t))
    for li, t in enumerate(pn.last):
        cands.append(("l", li, 0, t))
    long_ = [c for c in cands if max(len(p) for p in c[3].split("-")) >= 6 and "'" not in c[3]]
    if not long_:
        return None
    kind, a, b, t = rng.choice(long_)
    parts = t.split("-")
    pi = max(range(len(parts)), key=lambda k: len(parts[k]))
    new = typo(parts[pi], rng)
    if new is None:
        return None
    parts[pi] = new
    new = "-".join(parts)
    if kind == "g":
        u = pn.given[a].split()
        u[b] = new
        given = list(pn.given)
        given[a] = " ".join(u)
        return replace(pn, given=given)
    last = list(pn.last)
    last[a] = new
    return replace(pn, last=last)


def step_translit(pn, rng, entity):
    fam = family_of(entity, pn.tokens())
    if fam is None:
        return None
    if fam == "korean" and len(pn.given) >= 2 and rng.random() < 0.3:
        joined = pn.given[0] + "-" + " ".join(pn.given[1:]).lower()
        return replace(pn, given=[joined])
    slots = []
    for gi, u in enumerate(pn.given):
        for ti, t in enumerate(u.split()):
            for v in spelling_variants(t, fam, "given", country_codes(entity)):
                slots.append(("g", gi, ti, v, VARIANT_OF.get(t.lower()) is not None))
    for li, t in enumerate(pn.last):
        for v in spelling_variants(t, fam, "last", country_codes(entity)):
            slots.append(("l", li, 0, v, VARIANT_OF.get(t.lower()) is not None))
    if not slots:
        return None
    known = [s for s in slots if s[4]]
    kind, a, b, v, _ = rng.choice(known if known and rng.random() < 0.6 else slots)
    if kind == "g":
        u = pn.given[a].split()
        u[b] = v
        given = list(pn.given)
        given[a] = " ".join(u)
        return replace(pn, given=given)
    last = list(pn.last)
    last[a] = v
    return replace(pn, last=last)


def step_word_order(pn, rng, entity):
    if (
        words(entity["properties"]["firstName"][0])[-1:]
        and words(entity["properties"]["firstName"][0])[-1] in UNIT_PREFIXES
    ):
        return None
    return replace(pn, order="comma" if rng.random() < 0.6 else "reversed")


def step_dropped_middle(pn, rng, entity):
    if len(pn.given) < 2 or len(pn.tokens()) < 3 or not plain_given(entity) or len(pn.given[0]) < 3:
        return None
    return replace(pn, given=pn.given[:1])


def initial_of(unit):
    w = unit.split()[-1] if unit.split()[0].lower() in UNIT_PREFIXES else unit
    return w[0].upper() + "."


def step_initial(pn, rng, entity):
    """A given name down to its initial; only where the family name alone is rare enough to carry the person."""
    if not plain_given(entity) or len(pn.given) > 3:
        return None
    if not all(u[:1].isalpha() and u[:1].isascii() for u in pn.given):
        return None
    last = words(" ".join(pn.last))
    mode = rng.choice(("all", "first_only", "middle") if len(pn.given) >= 2 else ("all",))
    strong = (len(last) >= 2 and sum(map(len, last)) >= 9) or (len(last) == 1 and len(last[0]) >= 8)
    if any(w in COMMON_GIVEN for w in last) or not (strong or (mode == "middle" and sum(map(len, last)) >= 5)):
        return None
    if mode == "all":
        given = [initial_of(u) for u in pn.given]
    elif mode == "first_only":
        given = [initial_of(pn.given[0])]
    else:
        given = [pn.given[0]] + [initial_of(u) for u in pn.given[1:]]
    return replace(pn, given=given)


def step_honorific(pn, rng, entity):
    if set(words(entity["properties"]["firstName"][0])) & TITLE_WORDS:
        return None
    return replace(pn, title=pick_honorific(entity, family_of(entity, pn.tokens()), rng))


BELARUSIAN_LOOK = re.compile(
    r"dz|au|eu|ou|ia|iu|avich$|avna$|ski$|^alya|^uladz|^ryhor|^mikal|^siarh|^aliak|(?<![kzsc])h", re.I
)
LOOSE_ROMANISATION = re.compile(r"[^aeiou]i[aou]|[^aeiou]io", re.I)
UKRAINIAN_LOOK = re.compile(r"ych$|yivna$|^olek|^volodym|^myk|^serhi|^andri|^dmytr|^yevh|^ihor|^olh|^petro$", re.I)


def step_cyrillic(pn, rng, entity):
    cs = set(country_codes(entity))
    toks = pn.tokens()
    if not cs & SLAVIC_COUNTRIES:
        return None
    if "by" in cs and any(BELARUSIAN_LOOK.search(t) for t in toks):
        return None
    if any(not re.fullmatch(r"[A-Za-z'\-]+", t) for t in toks):
        return None
    if any(LOOSE_ROMANISATION.search(t) and not t.lower().endswith("ia") for t in toks):
        return None
    if any(re.search(r"[cqwj]", t.lower().replace("ch", "").replace("tch", "")) for t in toks):
        return None
    lang = "uk" if "ua" in cs and any(UKRAINIAN_LOOK.search(t) for t in toks) else "ru"
    if lang == "ru" and any(UKRAINIAN_LOOK.search(t) for t in toks):
        return None
    out = replace(pn, script=lang)
    return out if out.text() else None


PERSON_STEPS = {
    "typo": step_typo,
    "transliteration": step_translit,
    "word_order": step_word_order,
    "dropped_middle": step_dropped_middle,
    "initial": step_initial,
    "honorific": step_honorific,
    "cyrillic": step_cyrillic,
}

# ---------------------------------------------------------------------------
# Organisation names and legal forms
# ---------------------------------------------------------------------------

PREFIX_FORMS = [
    (r"^PUBLIC JOINT[- ]STOCK COMPANY\s+", "PJSC"),
    (r"^(?:OPEN|CLOSED) JOINT[- ]STOCK COMPANY\s+", "JSC"),
    (r"^JOINT[- ]STOCK COMPANY\s+", "JSC"),
    (r"^LIMITED LIABILITY COMPANY\s+", "LLC"),
    (r"^OBSHCHESTVO S OGRANICHENNO[IY] OTVETSTVENNOSTYU\s+", "LLC"),
    (r"^PUBLICHNOE AKTSIONERNOE OBSH?CHESTVO\s+", "PJSC"),
    (r"^(?:OTKRYTOE |ZAKRYTOE )?AKTSIONERNOE OBSH?CHESTVO\s+", "JSC"),
    (r"^(?:OOO|LLC|OSOO)\s+", "LLC"),
    (r"^(?:PJSC|PAO)\s+", "PJSC"),
    (r"^(?:JSC|AO|OAO|ZAO|OJSC|CJSC)\s+", "JSC"),
]
SUFFIX_FORMS = [
    (r",?\s+S\.?\s?A\.?\s+DE\s+C\.?\s?V\.?$", "SADECV"),
    (r",?\s+(?:CO\.?,?\s*LTD\.?|CO\.?,?\s*LIMITED|COMPANY LIMITED|LIMITED COMPANY|COMPANY LTD\.?)$", "COLTD"),
    (r",?\s+(?:PVT\.? LTD\.?|PRIVATE LIMITED)$", "PVT"),
    (r",?\s+PTE\.? LTD\.?$", "PTE"),
    (r",?\s+PTY\.? LTD\.?$", "PTY"),
    (r",?\s+LIMITED SIRKETI$", "LTDSTI"),
    (r",?\s+ANONIM SIRKETI$", "AS"),
    (r",?\s+PUBLIC JOINT[- ]STOCK COMPANY$", "PJSC"),
    (r",?\s+(?:PRIVATE |OPEN |CLOSED )?JOINT[- ]STOCK COMPANY$", "JSC"),
    (r",?\s+LIMITED LIABILITY COMPANY$", "LLC"),
    (r",?\s+(?:L\.L\.C\.?|LLC|OOO)$", "LLC"),
    (r",?\s+(?:LTD\.?|LIMITED)$", "LTD"),
    (r",?\s+(?:PJSC|PAO)$", "PJSC"),
    (r",?\s+(?:JSC|OJSC|CJSC|AO|OAO|ZAO)$", "JSC"),
    (r",?\s+GMBH$", "GMBH"),
    (r",?\s+S\.A\.S\.?$", "SAS"),
    (r",?\s+(?:S\.A\.|SA)$", "SA"),
    (r",?\s+C\.A\.$", "CA"),
    (r",?\s+(?:S\.R\.L\.|SRL|SARL|S\.A\.R\.L\.)$", "SRL"),
    (r",?\s+(?:FZE|FZCO|FZ-LLC|FZC|DMCC)$", "FZE"),
    (r",?\s+(?:INC\.?|INCORPORATED)$", "INC"),
    (r",?\s+LTDA\.?$", "LTDA"),
    (r",?\s+E?OOD$", "OOD"),
    (r",?\s+(?:CO\.|CO|COMPANY)$", "CO"),
]
FORM_TARGETS = {
    "LLC": [
        ("LLC", "suffix"),
        ("Ltd", "suffix"),
        ("Limited", "suffix"),
        ("OOO", "prefix"),
        ("LLC", "prefix"),
        ("Limited Liability Company", "suffix"),
        ("L.L.C.", "suffix"),
    ],
    "JSC": [
        ("JSC", "prefix"),
        ("JSC", "suffix"),
        ("AO", "prefix"),
        ("Joint Stock Company", "prefix"),
        ("PJSC", "prefix"),
    ],
    "PJSC": [
        ("PJSC", "prefix"),
        ("PAO", "prefix"),
        ("Public Joint Stock Company", "prefix"),
        ("PJSC", "suffix"),
        ("JSC", "prefix"),
    ],
    "COLTD": [
        ("Co., Ltd.", "suffix"),
        ("Co. Ltd", "suffix"),
        ("Company Limited", "suffix"),
        ("Co Ltd", "suffix"),
        ("Ltd", "suffix"),
        ("Limited", "suffix"),
    ],
    "LTD": [
        ("Ltd", "suffix"),
        ("Limited", "suffix"),
        ("Ltd.", "suffix"),
        ("LLC", "suffix"),
        ("Co., Ltd.", "suffix"),
    ],
    "PVT": [("Pvt. Ltd.", "suffix"), ("Private Limited", "suffix"), ("Pvt Ltd", "suffix"), ("Ltd", "suffix")],
    "PTE": [("Pte. Ltd.", "suffix"), ("Pte Ltd", "suffix"), ("Ltd", "suffix")],
    "PTY": [("Pty Ltd", "suffix"), ("Pty. Limited", "suffix"), ("Ltd", "suffix")],
    "LTDSTI": [("Ltd. Şti.", "suffix"), ("Ltd Sti", "suffix"), ("Limited Şirketi", "suffix"), ("Ltd", "suffix")],
    "AS": [("A.Ş.", "suffix"), ("AS", "suffix"), ("Anonim Şirketi", "suffix")],
    "GMBH": [("GmbH", "suffix"), ("Ltd", "suffix"), ("LLC", "suffix")],
    "SAS": [("S.A.S.", "suffix"), ("SAS", "suffix"), ("S.A.", "suffix")],
    "SA": [("S.A.", "suffix"), ("SA", "suffix"), ("S.A. de C.V.", "suffix")],
    "SADECV": [("S.A. de C.V.", "suffix"), ("SA de CV", "suffix"), ("S.A.", "suffix")],
    "CA": [("C.A.", "suffix"), ("CA", "suffix"), ("S.A.", "suffix")],
    "SRL": [("S.R.L.", "suffix"), ("SRL", "suffix"), ("SARL", "suffix")],
    "FZE": [("FZE", "suffix"), ("FZCO", "suffix"), ("FZ-LLC", "suffix"), ("LLC", "suffix")],
    "INC": [("Inc.", "suffix"), ("Inc", "suffix"), ("Incorporated", "suffix"), ("Ltd", "suffix")],
    "LTDA": [("Ltda.", "suffix"), ("Ltda", "suffix"), ("Ltd", "suffix")],
    "OOD": [("OOD", "suffix"), ("EOOD", "suffix"), ("Ltd", "suffix")],
    "CO": [("Co.", "suffix"), ("Company", "suffix"), ("LLC", "suffix"), ("Ltd", "suffix")],
}
ADD_BY_COUNTRY = {
    "ru": "LLC",
    "by": "LLC",
    "kg": "LLC",
    "kz": "LLC",
    "ua": "LLC",
    "ae": "FZE",
    "cn": "COLTD",
    "hk": "LTD",
    "tr": "LTDSTI",
    "mx": "SADECV",
    "de": "GMBH",
    "at": "GMBH",
    "ch": "GMBH",
    "in": "PVT",
    "sg": "PTE",
    "co": "SAS",
    "ve": "CA",
    "pa": "SA",
}
COMMERCIAL = set("""
    trading trade industrial industry industries shipping engineering investment investments holding
    holdings group services technology technologies energy oil petrochemical exchange development
    electronics logistics marine construction import export commercial production manufacturing tech systems
    supply metals chemical plant zavod aviation transport consulting
    """.split())
NON_COMMERCIAL = set("""
    ministry state institute university center centre organization association foundation army front brigade
    party committee movement guard corps federal national bank agency directorate office council forces
    force academy school charity society network government department command al islamic jihad cartel union
    budgetary
    """.split())
FORM_WORDS = set("""
    llc ltd jsc pjsc ooo ao pao oao zao fze fzco gmbh inc plc sas srl sarl ltda ood eood dmcc cjsc ojsc osoo
    pvt pte pty l.l.c. s.a. s.a.s. c.a. s.r.l. sa ca
    """.split())
COMPANY_FORMS = set("""
    LLC JSC PJSC COLTD LTD PVT PTE PTY LTDSTI AS GMBH SAS SA SADECV CA SRL FZE INC LTDA OOD CO
    """.split())


SMALL_WORDS = set("""
    of and the for in on de la del y e da do dos des du al el
    """.split())


def org_title(text):
    """An organisation name as people type it: Title Case, acronyms and legal forms kept."""
    out = []
    for w in text.split():
        lw = w.lower()
        if lw in SMALL_WORDS and out:
            out.append(lw)
        elif (
            lw.strip(".,") in FORM_WORDS
            or "." in w.strip(".,")
            or len(w) <= 2
            or (len(w) <= 4 and not re.search(r"[AEIOUY]", w.upper()))
        ):
            out.append(w)
        else:
            out.append(title_word(w))
    return " ".join(out)


@dataclass
class OName:
    core: str
    form_family: str = None
    form: str = None  # the legal form as written
    pos: str = "suffix"
    comma: bool = False
    quoted: bool = False
    style: str = "listed"  # listed | title
    script: str = "latin"

    def latin(self):
        return self.core

    def text(self):
        core = org_title(self.core) if self.style == "title" else self.core
        form = self.form
        if form and self.style == "title" and form.isupper() and len(form) > 5:
            form = org_title(form.title())
        if self.script == "ru":
            toks = cyrillic_name([w.lower() for w in self.core.split()], "ru", 0, plain=True)
            if toks is None:
                return None
            cyr = {"LLC": "ООО", "JSC": "АО", "PJSC": "ПАО"}[self.form_family]
            return f"{cyr} «{' '.join(toks)}»"
        if self.quoted:
            core = f'"{core}"'
        if not form:
            return core
        if self.style == "listed" and form.upper() != form and form not in ("GmbH",):
            form = form.upper()
        if self.pos == "prefix":
            return f"{form} {core}"
        return f"{core}{',' if self.comma else ''} {form}"


def parse_org(name):
    for pat, fam in PREFIX_FORMS:
        m = re.match(pat, name, flags=re.I)
        if m:
            return OName(core=name[m.end() :].strip(" ,"), form_family=fam, form=m.group(0).strip(), pos="prefix")
    for pat, fam in SUFFIX_FORMS:
        m = re.search(pat, name, flags=re.I)
        if m and m.start() > 0:
            form = m.group(0).strip().lstrip(",").strip()
            return OName(
                core=name[: m.start()].strip(" ,"),
                form_family=fam,
                form=form,
                pos="suffix",
                comma=m.group(0).startswith(","),
            )
    return OName(core=name.strip())


def core_ok(core):
    toks = cmp_tokens(core, org=True)
    if not toks or any(len(t) > 25 for t in toks):
        return False
    letters = sum(len(t) for t in toks)
    return letters >= 6 and (len(toks) >= 2 or len(toks[0]) >= 6)


def org_eligible(entity):
    name = entity["properties"]["name"][0]
    on = parse_org(name)
    return core_ok(on.core) and len(name) <= 80 and '"' not in name


def step_legal_form(on, rng, entity):
    cs = country_codes(entity)
    toks = set(words(on.core))
    if on.form_family:
        mode = rng.choice(("swap", "swap", "drop"))
    else:
        commercial = toks & COMMERCIAL or (cs and cs[0] in ("ru", "by") and len(toks) <= 2)
        if not commercial or toks & NON_COMMERCIAL:
            return None
        mode = "add"
    if mode == "drop":
        return replace(on, form=None, form_family=None, quoted=False)
    fam = (
        on.form_family
        if mode == "swap"
        else ADD_BY_COUNTRY.get(cs[0] if cs else "", rng.choice(("LLC", "LTD", "COLTD")))
    )
    old = fold(on.form or "").replace(".", "").replace(",", "")
    choices = [t for t in FORM_TARGETS[fam] if fold(t[0]).replace(".", "").replace(",", "") != old]
    if not choices:
        return None
    form, pos = rng.choice(choices)
    quoted = pos == "prefix" and form in ("OOO", "AO", "PAO", "JSC", "PJSC") and rng.random() < 0.3
    return replace(
        on,
        form=form,
        form_family=fam if fam in FORM_TARGETS else on.form_family,
        pos=pos,
        comma=(pos == "suffix" and rng.random() < 0.3 and form.startswith(("Co", "Ltd", "Inc", "S.A"))),
        quoted=quoted,
    )


def step_org_typo(on, rng, entity):
    toks = on.core.split()
    idx = [
        i
        for i, t in enumerate(toks)
        if sum(ch.isalpha() for ch in t) >= 6 and t.lower() not in LEGAL_WORDS and "'" not in t
    ]
    if not idx:
        return None
    i = rng.choice(idx)
    parts = toks[i].split("-")
    pi = max(range(len(parts)), key=lambda k: len(parts[k]))
    new = typo(parts[pi], rng)
    if new is None:
        return None
    parts[pi] = new
    toks[i] = "-".join(parts)
    return replace(on, core=" ".join(toks))


def step_org_translit(on, rng, entity):
    fam = family_of(entity, on.core.split())
    if fam not in ("slavic", "arabic"):
        return None
    toks = on.core.split()
    slots = [
        (i, v)
        for i, t in enumerate(toks)
        if len(t) >= 4 and t.lower() not in ENGLISH_WORDS
        for v in spelling_variants(t, fam, "last")
    ]
    if not slots:
        return None
    i, v = rng.choice(slots)
    toks[i] = v
    return replace(on, core=" ".join(toks))


ENGLISH_WORDS = (
    COMMERCIAL
    | NON_COMMERCIAL
    | {
        "service",
        "group",
        "center",
        "international",
        "company",
        "general",
        "scientific",
        "research",
        "design",
        "bureau",
        "management",
        "trans",
        "invest",
        "finance",
        "capital",
        "electronic",
        "electric",
        "system",
    }
)


def step_org_cyrillic(on, rng, entity):
    if on.form_family not in ("LLC", "JSC", "PJSC") or "ru" not in country_codes(entity):
        return None
    toks = on.core.split()
    if len(toks) > 3 or any(not re.fullmatch(r"[A-Z]+", t) for t in toks):
        return None
    if any(
        t.lower() in ENGLISH_WORDS
        or re.search(r"[CQWJ]", t.replace("CH", ""))
        or re.search(r"IE|EA|OO|EE|TH|CK|OU", t)
        for t in toks
    ):
        return None
    out = replace(on, script="ru")
    return out if out.text() else None


ORG_STEPS = {
    "legal_form": step_legal_form,
    "typo": step_org_typo,
    "transliteration": step_org_translit,
    "cyrillic": step_org_cyrillic,
}

# ---------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------


def country_codes(entity):
    p = entity["properties"]
    props = PERSON_COUNTRY_PROPS if entity["schema"] == "Person" else ORG_COUNTRY_PROPS + ("flag",)
    out = []
    for k in props:
        for c in p.get(k, []):
            if c not in out:
                out.append(c)
    return out


def group_of(schema):
    return {"Person": "person", "Vessel": "vessel", "Airplane": "airplane"}.get(schema, "org")


class ListIndex:
    """The list's names, found by exact normalised name or by the sound key of any word."""

    def __init__(self, entities):
        self.by_id = {e["id"]: e for e in entities}
        self.key_owners = defaultdict(set)
        self.names = []  # (id, group, tokens, text)
        self.loose_index = defaultdict(list)
        for e in entities:
            g = group_of(e["schema"])
            for prop in NAME_PROPS:
                for n in e["properties"].get(prop, []):
                    self.key_owners[norm_key(n)].add(e["id"])
                    toks = cmp_tokens(n, org=(g == "org"))
                    k = len(self.names)
                    self.names.append((e["id"], g, toks, n))
                    for t in set(toks):
                        if len(t) >= 2:
                            self.loose_index[(g, loose(t))].append(k)

    def unique_name(self, entity):
        return self.key_owners[norm_key(entity["properties"]["name"][0])] == {entity["id"]}

    def candidates(self, toks, group):
        seen = set()
        for t in toks:
            if len(t) < 2:
                continue
            for k in self.loose_index.get((group, loose(t)), []):
                if k not in seen:
                    seen.add(k)
                    yield self.names[k]

    def rivals(self, text, group, expected, org=None):
        """Other listed entities a tolerant matcher could take for this name."""
        org = group == "org" if org is None else org
        q = cmp_tokens(text, org=org)
        owners = self.key_owners.get(norm_key(text), set()) - {expected}
        out = set(owners)
        for eid, g, toks, _ in self.candidates(q, group):
            if eid != expected and eid not in out and conflict(q, toks):
                out.add(eid)
        return sorted(out)

    def close_to_expected(self, text, group, expected):
        q = cmp_tokens(text, org=(group == "org"))
        e = self.by_id[expected]
        return any(
            conflict(q, cmp_tokens(n, org=(group == "org"))) for p in NAME_PROPS for n in e["properties"].get(p, [])
        )


# ---------------------------------------------------------------------------
# Positives
# ---------------------------------------------------------------------------


def query(schema, name, expected, variation, birth=None, country=None):
    props = {"name": [name]}
    if birth:
        props["birthDate"] = [birth]
    if country:
        props["nationality" if schema == "Person" else "country"] = [country]
    return {"schema": schema, "properties": props, "expected": expected, "variation": variation}


def pick_birth(entity):
    dates = entity["properties"].get("birthDate", [])
    full = [d for d in dates if len(d) == 10]
    if full:
        return full[0]
    return dates[0] if dates else None


def build_person(entity, kinds, rng, index):
    pn = pname_of(entity)
    pn.style = "title" if rng.random() < 0.6 else "listed"
    birth = country = None
    for kind in kinds:
        if kind == "with_birth_date":
            birth = pick_birth(entity)
            if not birth:
                return None
        elif kind == "with_country":
            cs = country_codes(entity)
            if not cs:
                return None
            country = cs[0]
        elif kind == "alias":
            return None
        else:
            pn = PERSON_STEPS[kind](pn, rng, entity)
            if pn is None:
                return None
    if kinds in (["with_birth_date"], ["with_country"]):
        name = entity["properties"]["name"][0]
        latin = name
    else:
        name = pn.text()
        latin = pn.latin()
        if (
            name is None
            or norm_key(name) == norm_key(entity["properties"]["name"][0])
            and kinds != ["word_order"]
            and "honorific" not in kinds
        ):
            return None
    if index.rivals(latin, "person", entity["id"]):
        return None
    if (
        "cyrillic" not in kinds
        and "transliteration" not in kinds
        and not index.close_to_expected(latin, "person", entity["id"])
    ):
        return None
    return query("Person", name, entity["id"], "+".join(kinds), birth, country)


def build_org(entity, kinds, rng, index):
    on = parse_org(entity["properties"]["name"][0])
    on.style = "title" if rng.random() < 0.5 else "listed"
    country = None
    for kind in kinds:
        if kind == "with_country":
            cs = country_codes(entity)
            if not cs:
                return None
            country = cs[0]
        else:
            on = ORG_STEPS[kind](on, rng, entity)
            if on is None:
                return None
    if kinds == ["with_country"]:
        name = entity["properties"]["name"][0]
    else:
        name = on.text()
        if name is None:
            return None
    if not core_ok(on.core):
        return None
    if index.rivals(on.core, "org", entity["id"]):
        return None
    schema = "Company" if on.form_family in COMPANY_FORMS and on.form else "Organization"
    return query(schema, name, entity["id"], "+".join(kinds), None, country)


def vessel_eligible(entity):
    name = entity["properties"]["name"][0]
    return sum(ch.isalpha() for ch in name) >= 6 and max(len(w) for w in words(name)) >= 5


def build_vessel(entity, kinds, rng, index):
    name = entity["properties"]["name"][0]
    country = None
    if kinds == ["typo"]:
        toks = name.split()
        idx = [i for i, t in enumerate(toks) if t.isalpha() and len(t) >= 6]
        if not idx:
            return None
        i = rng.choice(idx)
        new = typo(toks[i], rng)
        if new is None:
            return None
        toks[i] = new
        name = " ".join(toks)
        if rng.random() < 0.5:
            name = org_title(name)
    elif kinds == ["with_country"]:
        cs = country_codes(entity)
        if not cs:
            return None
        country = cs[0]
    else:
        return None
    if index.rivals(name, "vessel", entity["id"], org=False):
        return None
    return query("Vessel", name, entity["id"], kinds[0], None, country)


def alias_ok(alias, entity, index, group):
    toks = cmp_tokens(alias, org=(group == "org"))
    if not toks or norm_key(alias) == norm_key(entity["properties"]["name"][0]):
        return False
    if index.key_owners[norm_key(alias)] != {entity["id"]}:
        return False
    if group == "org":
        return core_ok(parse_org(alias).core)
    if group == "vessel":
        return sum(len(t) for t in toks) >= 6 and max(len(t) for t in toks) >= 5
    return len(toks) >= 2 and sum(len(t) for t in toks) >= 9 and max(len(t) for t in toks) >= 4


def build_alias(entity, rng, index):
    g = group_of(entity["schema"])
    p = entity["properties"]
    aliases = [a for prop in ("alias", "previousName") for a in p.get(prop, []) if alias_ok(a, entity, index, g)]
    if not aliases:
        return None
    alias = rng.choice(aliases)
    if g == "person":
        toks = alias.split()
        fam = family_of(entity, toks)
        slots = (
            [(i, v) for i, t in enumerate(toks) for v in spelling_variants(t, fam, "any", country_codes(entity))]
            if fam
            else []
        )
        r = rng.random()
        if slots and r < 0.4:
            i, v = rng.choice(slots)
            toks[i] = v
        else:
            long_ = [i for i, t in enumerate(toks) if t.isalpha() and len(t) >= 7]
            if long_ and r < 0.8:
                i = rng.choice(long_)
                toks[i] = typo(toks[i], rng) or toks[i]
        name = " ".join(title_word(t) if t.isupper() and len(t) > 2 else t for t in toks)
        if index.rivals(name, "person", entity["id"]):
            return None
        return query("Person", name, entity["id"], "alias")
    if g == "org":
        on = parse_org(alias)
        on.style = "title"
        if on.form_family and rng.random() < 0.5:
            on = step_legal_form(on, rng, entity) or on
        elif rng.random() < 0.5:
            on = step_org_typo(on, rng, entity) or on
        name = on.text()
        if not core_ok(on.core) or index.rivals(on.core, "org", entity["id"]):
            return None
        schema = "Company" if on.form_family in COMPANY_FORMS and on.form else "Organization"
        return query(schema, name, entity["id"], "alias")
    if g == "vessel":
        name = org_title(alias)
        if index.rivals(name, "vessel", entity["id"], org=False):
            return None
        return query("Vessel", name, entity["id"], "alias")
    return None


def build_positives(entities, index, rng):
    pools = {
        "Person": [e for e in entities if e["schema"] == "Person" and person_eligible(e) and index.unique_name(e)],
        "Organization": [
            e for e in entities if e["schema"] == "Organization" and org_eligible(e) and index.unique_name(e)
        ],
        "Vessel": [e for e in entities if e["schema"] == "Vessel" and vessel_eligible(e) and index.unique_name(e)],
    }
    for pool in pools.values():
        rng.shuffle(pool)
    # A few officers first, so that military ranks appear among the titles.
    ranked = [
        e
        for e in pools["Person"]
        if any(rx.search(p) for p in e["properties"].get("position", []) for rx, _ in RANKS)
    ]
    ranked_ids = {e["id"] for e in ranked[:5]}
    pools["Honorific"] = ranked[:5] + [e for e in pools["Person"] if e["id"] not in ranked_ids]
    used = set()
    out = []
    for variation, schema, quota in PLAN:
        kinds = variation.split("+")
        got = 0
        pool = pools["Honorific"] if variation == "honorific" else pools[schema]
        for e in pool:
            if got == quota:
                break
            if e["id"] in used:
                continue
            if kinds == ["alias"]:
                q = build_alias(e, rng, index)
            elif schema == "Person":
                q = build_person(e, kinds, rng, index)
            elif schema == "Organization":
                q = build_org(e, kinds, rng, index)
            else:
                q = build_vessel(e, kinds, rng, index)
            if q is None:
                continue
            q["combined"] = variation if len(kinds) > 1 else None
            if len(kinds) > 1:
                q["variation"] = "combined"
            used.add(e["id"])
            out.append(q)
            got += 1
        if got < quota:
            print(f"warning: only {got} of {quota} {variation} on {schema}", file=sys.stderr)
    return out, used


# ---------------------------------------------------------------------------
# Negatives: people and organisations on no list, written here
# ---------------------------------------------------------------------------

# (countries, male given names, female given names, family names, how many, order)
# Slavic family names are given in the male form; the female form is derived.
PEOPLE = [
    (
        ["gb"],
        ["Oliver", "James", "Thomas", "Edward", "Rupert"],
        ["Charlotte", "Eleanor", "Hannah", "Sophie", "Imogen"],
        ["Whitfield", "Ashworth", "Pemberton", "Hargreaves", "Fairbairn", "Thornton", "Kingsley", "Blackwood"],
        5,
        "natural",
    ),
    (
        ["ie"],
        ["Ciaran", "Declan", "Padraig"],
        ["Siobhan", "Aoife", "Niamh"],
        ["O'Callaghan", "Brennan", "Kavanagh", "Fitzgerald"],
        2,
        "natural",
    ),
    (
        ["sa", "ae", "qa", "kw", "om", "bh"],
        ["Faisal", "Saud", "Turki", "Nawaf", "Rakan"],
        ["Fatima", "Noura", "Reem", "Hessa", "Mariam"],
        ["Al-Sayed", "Al-Mutairi", "Al-Qahtani", "Al-Harthy", "Al-Dosari", "Al-Kuwari", "Al-Balushi", "Al-Shamsi"],
        7,
        "natural",
    ),
    (
        ["eg", "jo", "lb"],
        ["Tarek", "Hany", "Karim", "Sherif"],
        ["Nadia", "Rania", "Dina", "Salma"],
        ["Haddad", "Nassar", "Shalaby", "Abdelrahman", "Khoury", "Farouk"],
        5,
        "natural",
    ),
    (
        ["ir", "gb", "ca"],
        ["Dariush", "Kaveh", "Arash", "Babak"],
        ["Shirin", "Leila", "Parisa", "Niloufar"],
        ["Tehrani", "Farahani", "Esfandiari", "Kamali", "Sadeghi", "Moradi"],
        5,
        "natural",
    ),
    (
        ["ru", "kz", "cy"],
        ["Dmitri", "Pavel", "Konstantin", "Anton"],
        ["Olga", "Irina", "Natalia", "Anna", "Yelena"],
        ["Petrov", "Sokolov", "Volkov", "Lebedev", "Orlov", "Belov", "Zaitsev"],
        6,
        "natural",
    ),
    (
        ["ua"],
        ["Taras", "Bohdan", "Ostap"],
        ["Oksana", "Iryna", "Halyna"],
        ["Shevchuk", "Bondarenko", "Melnyk", "Tkachuk", "Lysenko"],
        3,
        "natural",
    ),
    (
        ["cn"],
        ["Wei", "Haoran", "Jianhua", "Zhiwei"],
        ["Xiaoling", "Meiling", "Yuqing", "Lihua"],
        ["Zhang", "Liu", "Chen", "Huang", "Zhao", "Lin", "Gao"],
        5,
        "surname_first",
    ),
    (
        ["in"],
        ["Arjun", "Rahul", "Vikram", "Sanjay", "Anil"],
        ["Priya", "Ananya", "Kavita", "Deepa", "Lakshmi"],
        ["Sharma", "Iyer", "Reddy", "Nair", "Menon", "Kulkarni", "Banerjee", "Desai"],
        6,
        "natural",
    ),
    (
        ["pk"],
        ["Imran", "Bilal", "Usman", "Hamza"],
        ["Ayesha", "Sana", "Farah", "Mehwish"],
        ["Qureshi", "Siddiqui", "Chaudhry", "Rizvi", "Baig"],
        4,
        "natural",
    ),
    (
        ["ng"],
        ["Chinedu", "Oluwaseun", "Emeka", "Tunde"],
        ["Ngozi", "Adaeze", "Funmilayo", "Ifeoma"],
        ["Okonkwo", "Adeyemi", "Okafor", "Balogun", "Nwosu", "Adebayo"],
        5,
        "natural",
    ),
    (
        ["gh"],
        ["Kwame", "Kofi", "Yaw"],
        ["Akosua", "Ama", "Efua"],
        ["Mensah", "Owusu", "Boateng", "Asante", "Agyeman"],
        3,
        "natural",
    ),
    (
        ["ke"],
        ["Otieno", "Kamau", "Kiprono"],
        ["Wanjiru", "Achieng", "Njeri"],
        ["Mwangi", "Odhiambo", "Kariuki", "Wambua", "Chebet"],
        3,
        "natural",
    ),
    (
        ["es"],
        ["Javier", "Alejandro", "Sergio"],
        ["Lucía", "Carmen", "Pilar"],
        ["Fernández Ortega", "Ruiz Calderón", "Navarro Gil", "Serrano Vidal"],
        3,
        "natural",
    ),
    (
        ["tr"],
        ["Mehmet", "Emre", "Burak", "Oğuz"],
        ["Ayşe", "Elif", "Zeynep", "Selin"],
        ["Yılmaz", "Kaya", "Şahin", "Çelik", "Aydın", "Öztürk"],
        4,
        "natural",
    ),
    (
        ["kr"],
        ["Min-jun", "Ji-hoon", "Hyun-woo"],
        ["Seo-yeon", "Soo-jin", "Eun-ji"],
        ["Kim", "Park", "Jung", "Kang", "Yoon"],
        3,
        "surname_first",
    ),
    (
        ["jp"],
        ["Kenji", "Takeshi", "Hiroshi"],
        ["Haruka", "Yuki", "Aiko"],
        ["Tanaka", "Watanabe", "Sato", "Nakamura"],
        2,
        "natural",
    ),
    (
        ["vn"],
        ["Van Minh", "Quoc Bao", "Duc Anh"],
        ["Thi Lan", "Thi Hoa", "Ngoc Anh"],
        ["Nguyen", "Tran", "Pham", "Le"],
        2,
        "surname_first",
    ),
    (
        ["gr"],
        ["Georgios", "Nikolaos"],
        ["Eleni", "Katerina"],
        ["Papadopoulos", "Nikolaidis", "Alexiou"],
        2,
        "natural",
    ),
    (
        ["pl"],
        ["Piotr", "Tomasz"],
        ["Agnieszka", "Katarzyna"],
        ["Nowak", "Wiśniewski", "Zieliński", "Kowalczyk"],
        2,
        "natural",
    ),
    (
        ["br"],
        ["Rafael", "Bruno", "Thiago"],
        ["Juliana", "Ana Carolina", "Beatriz"],
        ["Oliveira Santos", "Costa Ribeiro", "Almeida Souza"],
        2,
        "natural",
    ),
    (
        ["ph"],
        ["Mark Anthony", "Paolo"],
        ["Angelica", "Maria Cristina"],
        ["Dela Cruz", "Bautista", "Villanueva"],
        2,
        "natural",
    ),
    (["et"], ["Dawit", "Yonas"], ["Selamawit", "Hiwot"], ["Tesfaye", "Bekele", "Alemu", "Girma"], 2, "natural"),
    (["bd"], ["Tanvir", "Rashed"], ["Farhana", "Sharmin"], ["Rahman", "Hossain", "Chowdhury"], 2, "natural"),
    (["lk"], ["Nuwan", "Chaminda"], ["Dilani", "Ishara"], ["Perera", "Fernando", "Wickramasinghe"], 2, "natural"),
]
# Names whose parts do not combine freely (Malay patronymics, Chinese Malaysian names).
PEOPLE_WHOLE = [
    ("my", "Nurul Aisyah binti Ismail"),
    ("my", "Mohd Hafiz bin Zulkifli"),
    ("my", "Tan Mei Ling"),
]

# (name, schema, country)
ORGANISATIONS = [
    ("Ministry of Health of the Kingdom of Saudi Arabia", "Organization", "sa"),
    ("Ministry of Health and Prevention", "Organization", "ae"),
    ("Ministry of Public Health", "Organization", "qa"),
    ("Ministry of Health, State of Kuwait", "Organization", "kw"),
    ("Ministry of Health of the Sultanate of Oman", "Organization", "om"),
    ("Ministry of Health Malaysia", "Organization", "my"),
    ("Ministry of Health of the Republic of Kazakhstan", "Organization", "kz"),
    ("Federal Ministry of Health", "Organization", "ng"),
    ("Ministry of Health and Population", "Organization", "eg"),
    ("Hamad Medical Corporation", "Organization", "qa"),
    ("Aga Khan University Hospital", "Organization", "pk"),
    ("King Faisal Specialist Hospital and Research Centre", "Organization", "sa"),
    ("Cleveland Clinic Abu Dhabi", "Organization", "ae"),
    ("Sheikh Khalifa Medical City", "Organization", "ae"),
    ("American University of Beirut Medical Center", "Organization", "lb"),
    ("King Hussein Cancer Center", "Organization", "jo"),
    ("Sultan Qaboos University Hospital", "Organization", "om"),
    ("Kenyatta National Hospital", "Organization", "ke"),
    ("Lagos University Teaching Hospital", "Organization", "ng"),
    ("Korle Bu Teaching Hospital", "Organization", "gh"),
    ("Makerere University College of Health Sciences", "Organization", "ug"),
    ("Peking Union Medical College Hospital", "Organization", "cn"),
    ("West China Hospital of Sichuan University", "Organization", "cn"),
    ("Seoul National University Hospital", "Organization", "kr"),
    ("Samsung Medical Center", "Organization", "kr"),
    ("All India Institute of Medical Sciences", "Organization", "in"),
    ("Christian Medical College Vellore", "Organization", "in"),
    ("Hospital Israelita Albert Einstein", "Organization", "br"),
    ("Hospital Clínic de Barcelona", "Organization", "es"),
    ("Acıbadem Sağlık Grubu", "Organization", "tr"),
    ("Universiti Malaya Medical Centre", "Organization", "my"),
    ("Bumrungrad International Hospital", "Organization", "th"),
    ("Groote Schuur Hospital", "Organization", "za"),
    ("Tikur Anbessa Specialized Hospital", "Organization", "et"),
    ("Muhimbili National Hospital", "Organization", "tz"),
    ("Fundación Santa Fe de Bogotá", "Organization", "co"),
    ("Hospital Italiano de Buenos Aires", "Organization", "ar"),
    ("Kasr Al Ainy Hospital, Cairo University", "Organization", "eg"),
    ("Khalifa University of Science and Technology", "Organization", "ae"),
    ("Al Amiri Hospital", "Organization", "kw"),
    ("Chang Gung Memorial Hospital", "Organization", "tw"),
    ("Okhmatdyt National Children's Specialized Hospital", "Organization", "ua"),
    ("Apollo Hospitals Enterprise Ltd", "Company", "in"),
    ("Narayana Hrudayalaya Limited", "Company", "in"),
    ("Shifa International Hospitals Ltd", "Company", "pk"),
    ("NMC Healthcare LLC", "Company", "ae"),
    ("Aster DM Healthcare Limited", "Company", "ae"),
    ("IHH Healthcare Berhad", "Company", "my"),
    ("Vinmec International Hospital JSC", "Company", "vn"),
    ("National Scientific Medical Center JSC", "Company", "kz"),
]


def female_form(surname):
    if surname.endswith(("ov", "ev", "in")):
        return surname + "a"
    if surname.endswith("sky"):
        return surname[:-1] + "aya"
    if surname.endswith("ski"):
        return surname[:-1] + "a"
    return surname


def random_birth(rng, lo=1952, hi=1996):
    y = rng.randint(lo, hi)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    return f"{y:04d}-{m:02d}-{d:02d}"


def build_unlisted(rng):
    out = []
    for countries, male, female, surnames, n, order in PEOPLE:
        pairs = [(g, s, "m") for g in male for s in surnames] + [(g, s, "f") for g in female for s in surnames]
        rng.shuffle(pairs)
        seen_given, seen_last = Counter(), Counter()
        chosen = []
        for g, s, sex in pairs:
            if seen_given[g] or seen_last[s] >= 2:
                continue
            seen_given[g] += 1
            seen_last[s] += 1
            chosen.append((g, s, sex))
            if len(chosen) == n:
                break
        for g, s, sex in chosen:
            slavic = countries[0] in ("ru", "ua")
            s2 = female_form(s) if sex == "f" and slavic else s
            name = f"{s2} {g}" if order == "surname_first" else f"{g} {s2}"
            r = rng.random()
            birth = random_birth(rng) if r < 0.55 else None
            country = rng.choice(countries) if rng.random() < 0.6 else None
            out.append(query("Person", name, None, "unlisted_person", birth, country))
    for country, name in PEOPLE_WHOLE:
        birth = random_birth(rng) if rng.random() < 0.55 else None
        out.append(query("Person", name, None, "unlisted_person", birth, country if rng.random() < 0.6 else None))
    for name, schema, country in ORGANISATIONS:
        out.append(
            query(schema, name, None, "unlisted_organisation", None, country if rng.random() < 0.6 else None)
        )
    return out


DIASPORA = {
    "arabic": ["gb", "ca", "de", "se", "fr", "us", "au"],
    "slavic": ["de", "il", "us", "ca", "gb", "fi"],
    None: ["gb", "ca", "au", "us", "de", "nl", "es"],
}


def build_namesakes(entities, index, used, rng):
    pool = []
    for e in entities:
        p = e["properties"]
        if e["schema"] != "Person" or e["id"] in used or not p.get("birthDate") or not index.unique_name(e):
            continue
        toks = cmp_tokens(p["name"][0])
        if len(toks) < 3 or not person_eligible(e) or not country_codes(e):
            continue
        pool.append(e)
    rng.shuffle(pool)
    out, per_country = [], Counter()
    for e in pool:
        if len(out) == NAMESAKES:
            break
        p = e["properties"]
        cs = country_codes(e)
        home = cs[0] if cs else "?"
        if per_country[home] >= 3:
            continue
        years = [int(d[:4]) for d in p["birthDate"]]
        options = [y for y in range(1945, 2003) if all(abs(y - x) >= 12 for x in years)]
        if not options:
            continue
        younger = [y for y in options if max(years) < y <= max(years) + 25]
        y = rng.choice(younger or options)
        fam = family_of(e, p["name"][0].split())
        country = rng.choice([c for c in DIASPORA.get(fam, DIASPORA[None]) if c not in cs])
        birth = f"{y:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        per_country[home] += 1
        q = query("Person", p["name"][0], None, "namesake_conflict", birth, country)
        q["near"] = e["id"]
        out.append(q)
    return out


def review_negatives(negatives, index):
    """Drop negatives whose normalised name is a listed name; list those one word away."""
    kept, dropped, report = [], [], []
    for q in negatives:
        if q["variation"] == "namesake_conflict":
            kept.append(q)
            continue
        name = q["properties"]["name"][0]
        g = "person" if q["schema"] == "Person" else "org"
        if index.key_owners.get(norm_key(name)):
            dropped.append(name)
            continue
        qt = set(words(name)) - PARTICLES
        hits = []
        for eid, gg, toks, text in index.candidates(cmp_tokens(name), g):
            lt = set(words(text)) - PARTICLES
            only_q, only_l = sorted(qt - lt), sorted(lt - qt)
            if not qt & lt:
                continue
            if len(only_q) <= 1 and len(only_l) <= 1:
                if only_q and only_l:
                    d = osa(only_q[0], only_l[0])
                    hits.append(
                        (d > 2, d, f"one word differs ({only_q[0]} / {only_l[0]}, edit distance {d})", eid, text)
                    )
                else:
                    hits.append((False, 0, "one word more on one side", eid, text))
            elif conflict(cmp_tokens(name, org=g == "org"), toks):
                hits.append((False, 0, "every word answered by a similar word", eid, text))
        if hits:
            hits.sort()
            report.append((name, hits[:3]))
        kept.append(q)
    return kept, dropped, report


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("list", help="the OFAC SDN sample, FollowTheMoney JSON lines")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()

    entities = []
    with open(args.list, encoding="utf-8") as f:
        for line in f:
            entities.append(json.loads(line))
    entities.sort(key=lambda e: int(e["id"].split("-")[1]))
    index = ListIndex(entities)
    given = Counter(w for e in entities if e["schema"] == "Person" for w in words(e["properties"]["firstName"][0]))
    COMMON_GIVEN.update(w for w, n in given.items() if n >= 3)
    rng = random.Random(SEED)

    positives, used = build_positives(entities, index, rng)
    negatives = build_unlisted(rng) + build_namesakes(entities, index, used, rng)
    negatives, dropped, report = review_negatives(negatives, index)

    combos = Counter(q.pop("combined") for q in positives)
    for q in negatives:
        q.pop("near", None)
    rows = positives + negatives
    with open(args.out, "w", encoding="utf-8") as f:
        for i, q in enumerate(rows, 1):
            line = {
                "id": f"q{i:04d}",
                "schema": q["schema"],
                "properties": q["properties"],
                "expected": q["expected"],
                "variation": q["variation"],
            }
            f.write(json.dumps(line, ensure_ascii=False) + "\n")

    by_var = Counter(q["variation"] for q in rows)
    by_schema = Counter((q["expected"] is not None, q["schema"]) for q in rows)
    print(f"{len(rows)} queries: {len(positives)} positives, {len(negatives)} negatives -> {args.out}")
    for v, n in sorted(by_var.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {v:24} {n}")
    print("  combined:", ", ".join(f"{k} {n}" for k, n in sorted((k, n) for k, n in combos.items() if k)))
    print("  schemas:", ", ".join(f"{'pos' if p else 'neg'} {s} {n}" for (p, s), n in sorted(by_schema.items())))
    for name in dropped:
        print(f"dropped negative (a listed name): {name}")
    risky = [(name, hits) for name, hits in report if not hits[0][0]]
    print(f"{len(report)} negatives share all but one word with a listed name; {len(risky)} of them closely:")
    for name, hits in report:
        benign, _, why, eid, text = hits[0]
        print(f"  {'  ' if benign else 'RISKY'} {name} ~ {text} [{eid}]: {why}")


if __name__ == "__main__":
    main()
