"""Events and the articles outlets write about them: generated from a seed, text on demand.

Only small records are kept per article (a few ints, a title and a path); the paragraphs are
rebuilt from the templates whenever a page is rendered, so 20,000 articles cost little memory.
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from akhbar.demo import texts as T
from akhbar.demo.outlets import BY_ID, OUTLETS, WIRE_CREDIT, WIRE_ID, Outlet

LANG_INDEX = {"fr": 0, "ar": 1, "en": 2}
HEADLINE_EVENTS = 36
BASE_ARCHIVE_EVENTS = 60
FIRST_DAY = datetime(2004, 1, 5, 9, 0, tzinfo=UTC)

# Writer slots: (lead, two body paragraphs). With the generic paragraphs picked below, two
# outlets' own stories on one event share at most three of six paragraphs, so they stay well
# below a near-duplicate threshold.
SLOTS = ((0, (0, 1)), (1, (1, 2)), (0, (0, 2)), (1, (0, 1)))

@dataclass(slots=True)
class Event:
    idx: int
    kind: str
    when: datetime
    seed: int
    variant: int  # >= 0: a headline event, its main names picked so same-kind events differ
    id: str | None = None
    articles: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Art:
    idx: int
    outlet: str
    lang: str
    event: Event
    published: datetime  # UTC
    num: int  # the number some outlets put in their URLs
    slot: int  # writer slot of the text's author
    title_v: int
    text_of: int  # the article whose paragraphs this one carries (itself, or the wire original)
    wire_of: int | None = None
    title: str = ""
    path: str = ""  # canonical path
    premium: bool = False
    trap: str | None = None  # "before_founded" | "future": the page lies about its date
    old_title: str | None = None  # re-titled: what the section feed still says
    charset_lie: bool = False


def stable_seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def fmt_int(n: int, lang: str) -> str:
    if n < 10000 or lang == "ar":
        return str(n)
    s = f"{n:,}"
    return s.replace(",", " ") if lang == "fr" else s


def fmt_dec(x: float, lang: str) -> str:
    s = f"{x:.1f}"
    return s if lang == "en" else s.replace(".", ",")


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def values(ev: Event) -> dict:
    """Language-neutral facts of an event: indices into the pools and numbers."""
    r = random.Random(ev.seed)
    j = ev.variant
    ncity = len(T.CITIES)
    v: dict = {
        "city": r.randrange(ncity),
        "official": r.randrange(len(T.OFFICIALS)),
        "resident": r.randrange(len(T.RESIDENTS)),
        "since": r.choice((2009, 2011, 2015, 2018)),
        "year": ev.when.year,
    }
    k = ev.kind
    if k == "dam":
        v["dam"] = j % len(T.DAMS) if j >= 0 else r.randrange(len(T.DAMS))
        if j >= 0:
            v["city"] = (5 + j * 5) % ncity
        v.update(capacity=r.randrange(40, 900, 5), cost=r.randrange(600, 4000, 50),
                 hectares=r.randrange(3000, 40000, 500), height=r.randrange(40, 120),
                 jobs=r.randrange(400, 2500, 50))
    elif k == "football":
        if j >= 0:
            home, away = (2 * j) % 8, (2 * j + 3) % 8
        else:
            home, away = r.sample(range(len(T.TEAMS)), 2)
        winner_home = r.random() < 0.6
        ws = r.randint(1, 4)
        v.update(winner=home if winner_home else away, loser=away if winner_home else home,
                 ws=ws, ls=r.randint(0, ws - 1), city=T.TEAMS[home][3],
                 scorer=r.randrange(len(T.PLAYERS)), coach=r.randrange(len(T.COACHES)),
                 minute=r.choice((47, 55, 58, 64, 67, 69, 74, 76, 78, 85, 88)),
                 round=r.randint(3, 28), attendance=r.randrange(4000, 40000, 500))
    elif k == "rain":
        if j >= 0:
            v["city"] = (2 + j * 7) % ncity
        prev = r.randint(20, 50)
        v.update(mm=r.randint(35, 140), hours=r.choice((24, 48, 72)), prev=prev,
                 pct=prev + r.randint(6, 25), roads=r.randint(3, 12))
    elif k == "vote":
        chamber = j % 2 if j >= 0 else r.randrange(2)
        bill = (j // 2) % 2 if j >= 0 else r.randrange(2)
        votes_for = r.randint(140, 220) if chamber == 0 else r.randint(50, 80)
        v.update(chamber=chamber, bill=bill, votes_for=votes_for,
                 votes_against=r.randint(40, 90) if chamber == 0 else r.randint(15, 35),
                 abstain=r.randint(2, 12), amount=r.randrange(480, 720, 5),
                 deficit=round(r.uniform(3.0, 4.6), 1), growth=round(r.uniform(2.4, 4.5), 1),
                 bill_year=ev.when.year + (1 if bill == 0 else 0))
    elif k == "port":
        ports = [i for i, c in enumerate(T.CITIES) if c[4]]
        v["city"] = ports[(j * 3) % len(ports)] if j >= 0 else r.choice(ports)
        v.update(investment=r.randint(2, 15), quay=r.randrange(400, 1600, 50),
                 teu=round(r.uniform(0.5, 5.0), 1), berths=r.randint(2, 8),
                 jobs=r.randrange(800, 5000, 100), done=ev.when.year + r.randint(2, 5))
    elif k == "festival":
        v["fest"] = j % len(T.FESTIVALS) if j >= 0 else r.randrange(len(T.FESTIVALS))
        if j >= 0:
            v["city"] = (14 + j * 3) % ncity
        v.update(edition=r.randint(4, 25), days=r.randint(3, 6), visitors=r.randint(20, 300),
                 artists=r.randint(40, 200), countries=r.randint(10, 40), young=r.randint(5, 15))
    elif k == "heatwave":
        picks = r.sample(range(ncity), 3)
        if j >= 0:
            picks = [(17 + j * 4) % ncity, (9 + j * 4) % ncity, (13 + j * 4) % ncity]
        v.update(city=picks[0], city2=picks[1], city3=picks[2], temp=r.randint(44, 49),
                 days=r.randint(3, 6), dev=r.randint(7, 12), level=r.randrange(2))
    elif k == "train":
        if j >= 0:
            a, b = (j * 5 + 3) % ncity, (j * 5 + 8) % ncity
        else:
            a, b = r.sample(range(ncity), 2)
        minutes = r.randrange(45, 200, 5)
        v.update(city=a, city2=b, km=r.randint(80, 400), minutes=minutes,
                 old=minutes + r.randrange(40, 150, 5), trains=r.randint(8, 30),
                 cost=r.randint(3, 40), stations=r.randint(3, 9), jobs=r.randrange(1000, 6000, 100))
    return v


def localize(v: dict, kind: str, lang: str) -> dict[str, str]:
    """The template slots of one event in one language."""
    L = LANG_INDEX[lang]
    person = 1 if lang == "ar" else 0
    city = T.CITIES[v["city"]]
    p: dict[str, str] = {
        "city": city[L],
        "region": T.REGIONS[city[3]][L],
        "official": T.OFFICIALS[v["official"]][person],
        "resident": T.RESIDENTS[v["resident"]][person],
        "role": T.ROLES[T.KIND_META[kind][1]][L],
        "since": str(v["since"]),
    }
    for key in ("city2", "city3"):
        if key in v:
            p[key] = T.CITIES[v[key]][L]
    for key, val in v.items():
        if key in p or key in ("official", "resident", "year"):
            continue
        if isinstance(val, float):
            p[key] = fmt_dec(val, lang)
        elif isinstance(val, int):
            p[key] = fmt_int(val, lang)
    if kind == "dam":
        p["dam"] = T.DAMS[v["dam"]][L]
    elif kind == "football":
        p["winner"] = T.TEAMS[v["winner"]][L]
        p["loser"] = T.TEAMS[v["loser"]][L]
        p["scorer"] = T.PLAYERS[v["scorer"]][person]
        p["coach"] = T.COACHES[v["coach"]][person]
    elif kind == "vote":
        p["chamber"] = T.CHAMBERS[v["chamber"]][L]
        bill = T.BILLS[v["bill"]][L].format(year=v["bill_year"])
        p["bill"] = bill
        p["bill_cap"] = bill[:1].upper() + bill[1:]
    elif kind == "festival":
        p["fest"] = T.FESTIVALS[v["fest"]][L]
        p["edition_ord"] = ordinal(v["edition"])
    elif kind == "heatwave":
        level = T.ALERT_LEVELS[v["level"]][L]
        p["level"] = level
        p["level_cap"] = level.capitalize()
    return p


def event_slots(ev: Event, lang: str) -> dict[str, str]:
    return localize(values(ev), ev.kind, lang)


def title_for(ev: Event, lang: str, variant: int, slots: dict[str, str] | None = None) -> str:
    slots = slots or event_slots(ev, lang)
    return T.TEMPLATES[ev.kind][lang]["titles"][variant % 3].format(**slots)


def paragraphs(ev: Event, lang: str, slot: int, wire: bool) -> list[str]:
    """The body of an article: lead, two paragraphs on the kind of event, three general ones."""
    s = event_slots(ev, lang)
    tpl = T.TEMPLATES[ev.kind][lang]
    lead_i, (b1, b2) = SLOTS[slot % 4]
    # The event shuffles the general paragraphs and flips the lead, so that two stories of
    # the same kind by one outlet differ as much as two outlets' stories of one event.
    r = random.Random(ev.seed)
    order = r.sample(range(len(T.GENERIC[lang])), len(T.GENERIC[lang]))
    w = (slot % 4) * 2
    g1, g2, g3 = order[w], order[w + 1], order[(w + 2) % len(order)]
    lead = tpl["leads"][(lead_i + ev.seed) % 2].format(**s)
    b1, b2 = sorted(((b1 + ev.seed) % 3, (b2 + ev.seed) % 3))
    if wire:  # an agency dateline; copies keep it word for word
        lead = f"{s['city']} - ({WIRE_CREDIT[lang]}) - {lead}"
    gen = T.GENERIC[lang]
    return [lead, tpl["body"][b1].format(**s), tpl["body"][b2].format(**s),
            gen[g1].format(**s), gen[g2].format(**s), gen[g3].format(**s)]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words[:10]) or "article"


LOCAL = timedelta(hours=1)  # pages show Moroccan time, UTC+1


def article_path(o: Outlet, a: Art, sections: dict) -> str:
    d = a.published + LOCAL
    sec = sections[T.KIND_META[a.event.kind][0]][a.lang][0]
    slug = f"{slugify(a.title)}-{a.num}" if a.lang != "ar" else str(a.num)
    ymd = f"{d.year}/{d.month:02d}/{d.day:02d}"
    if o.id == "aap":
        return f"/{a.lang}/{sec}/{ymd}/{slug}.html"
    if o.id == "echo-bouregreg":
        return f"/article/{a.num}-{slugify(a.title)}.html"
    if o.id == "nabd-madina":
        return f"/{sec}/{a.num}.html"
    if o.id == "kasbah-tribune":
        return f"/{d.year}/{d.month:02d}/{slug}/"
    if o.id == "al-manara":
        return f"/{a.lang}/{sec}/{ymd}/{slug if a.lang != 'ar' else 'maqal-' + slug}/"
    if o.id == "argane-express":
        return f"/{sec}/{slug}.html"
    if o.id == "zellige-review":
        return f"/{ymd}/{slug}.html"
    if o.id == "sawt-jabal":
        return f"/premium/{ymd}/{a.num}.html" if a.premium else f"/{sec}/{ymd}/{a.num}.html"
    raise ValueError(o.id)


class World:
    """Every event and article of the press, and the means to add more."""

    def __init__(self, seed: int, now: datetime, scale: int | None):
        self.seed = seed
        self.now = now
        self.rng = random.Random(seed)
        self.events: list[Event] = []
        self.arts: list[Art] = []
        self._sawt_count = 0
        self._crawlable = 0
        for i in range(HEADLINE_EVENTS):
            when = now - timedelta(hours=6 + i * 20 + self.rng.uniform(0, 4))
            self._add_event(T.KINDS[i % len(T.KINDS)], when, variant=i // len(T.KINDS),
                            headline=True)
        for k in range(BASE_ARCHIVE_EVENTS):
            self._add_event(self.rng.choice(T.KINDS), self._archive_when(k), variant=-1,
                            headline=False)
        if scale:
            fast = [o for o in OUTLETS if o.fast]
            k = BASE_ARCHIVE_EVENTS
            while self.crawlable_count() < scale:
                self._add_event(self.rng.choice(T.KINDS), self._archive_when(k), variant=-1,
                                headline=False, pool=fast)
                k += 1
        self._mark_quirks()

    # -- generation -------------------------------------------------------------------

    def _archive_when(self, k: int) -> datetime:
        """Archive dates cycle through the years so every year since 2004 has articles."""
        end = self.now - timedelta(days=35)
        years = end.year - FIRST_DAY.year + 1
        year = FIRST_DAY.year + k % years
        start = max(FIRST_DAY, datetime(year, 1, 1, tzinfo=UTC))
        stop = min(end, datetime(year, 12, 31, 20, tzinfo=UTC))
        if k == 0:
            return FIRST_DAY + timedelta(days=36)  # one dispatch early in 2004, always
        return start + (stop - start) * self.rng.random()

    def crawlable_count(self) -> int:
        return self._crawlable

    def _add_event(self, kind: str, when: datetime, *, variant: int, headline: bool,
                   pool: list[Outlet] | None = None) -> Event:
        rng = self.rng
        when = when.replace(microsecond=0)
        ev = Event(idx=len(self.events), kind=kind, when=when,
                   seed=stable_seed(self.seed, "event", len(self.events)), variant=variant)
        self.events.append(ev)
        day = when.date()
        pool = [o for o in (pool or OUTLETS) if o.founded < day - timedelta(days=1)]
        wire = BY_ID[WIRE_ID]
        others = [o for o in pool if o.id != WIRE_ID]
        if headline:
            wire_langs = ["fr", "ar"] + (["en"] if rng.random() < 0.75 or ev.idx == 0 else [])
            chosen = rng.sample(others, min(len(others), rng.randint(3, 5)))
            if ev.idx == 0:  # the first story shows every kind of wire copy
                chosen = [BY_ID[i] for i in ("echo-bouregreg", "nabd-madina", "kasbah-tribune",
                                             "zellige-review", "al-manara")]
        else:
            # at least one article: early years have only the agency
            with_wire = wire in pool and (rng.random() < 0.6 or len(pool) == 1)
            wire_langs = rng.sample(wire.languages, rng.randint(1, 3)) if with_wire else []
            chosen = rng.sample(others, min(len(others), rng.randint(0 if wire_langs else 1, 2)))
        wire_by_lang = {}
        for lang in wire_langs:
            a = self._add_art(ev, wire, lang, when, None)
            wire_by_lang[lang] = a
        for o in chosen:
            if len(o.languages) == 1:
                langs = list(o.languages)
            else:
                x = rng.random()
                langs = ["fr"] if x < 0.5 else ["ar"] if x < 0.8 else ["fr", "ar"]
            for lang in langs:
                orig = wire_by_lang.get(lang)
                copy = o.republishes and orig is not None and (
                    rng.random() < 0.45 or (ev.idx == 0 and o.id != "al-manara"))
                lag = timedelta(hours=rng.uniform(0.3, 6))
                pub = min(when + lag, self.now - timedelta(minutes=rng.randint(1, 30)))
                pub = max(pub, when + timedelta(minutes=1)).replace(microsecond=0)
                self._add_art(ev, o, lang, pub, orig if copy else None)
        if len(ev.articles) >= 2:
            ev.id = f"ev-{ev.idx:05d}"
        return ev

    def _add_art(self, ev: Event, o: Outlet, lang: str, pub: datetime, orig: Art | None) -> Art:
        idx = len(self.arts)
        slot = (o.writer_slot[lang] + ev.idx) % 4
        a = Art(idx=idx, outlet=o.id, lang=lang, event=ev, published=pub, num=20000 + idx,
                slot=slot, title_v=(o.writer_slot[lang] + ev.idx) % 3, text_of=idx)
        if orig is not None:
            a.wire_of = orig.idx
            a.text_of = orig.idx
            a.slot = orig.slot
            a.title_v = (orig.title_v + 1) % 3 if o.retitles_wire else orig.title_v
        if o.id == "sawt-jabal":
            self._sawt_count += 1
            a.premium = self._sawt_count % 4 == 2
        a.title = title_for(ev, lang, a.title_v)
        a.path = article_path(o, a, T.SECTIONS)
        self.arts.append(a)
        ev.articles.append(idx)
        if not a.premium:
            self._crawlable += 1
        return a

    def _mark_quirks(self) -> None:
        """Pick the articles that carry one-off quirks (charset lie, re-title, date traps)."""
        echo = [a for a in self.arts if a.outlet == "echo-bouregreg" and a.wire_of is None]
        max(echo, key=lambda a: a.published).charset_lie = True
        manara = [a for a in self.arts if a.outlet == "al-manara" and a.wire_of is None]
        manara.sort(key=lambda a: a.published, reverse=True)
        for a in manara[:3] + [a for a in manara if a.num % 5 == 0]:
            self._retitle(a)
        old = [a for a in manara if a.old_title is None]
        old[-1].trap = "before_founded"
        old[-2].trap = "future"

    def _retitle(self, a: Art) -> None:
        if a.old_title is None:
            a.old_title = a.title
            a.title = title_for(a.event, a.lang, a.title_v + 1)

    # -- live demo ------------------------------------------------------------------------

    def publish(self, n: int, when: datetime) -> list[Art]:
        """Add new stories dated ``when`` until at least n articles were added."""
        self.now = max(self.now, when)
        added: list[Art] = []
        fast = [o for o in OUTLETS if o.fast]
        while len(added) < n:
            start = len(self.arts)
            self._add_event(self.rng.choice(T.KINDS), when, variant=-1, headline=False, pool=fast)
            for a in self.arts[start:]:
                a.published = max(a.published, when)  # never before "now"
                a.path = article_path(BY_ID[a.outlet], a, T.SECTIONS)
            added.extend(self.arts[start:])
        return added

    # -- text -----------------------------------------------------------------------------

    def paragraphs(self, a: Art) -> list[str]:
        src = self.arts[a.text_of]
        return paragraphs(src.event, src.lang, src.slot, wire=src.outlet == WIRE_ID)

    def author(self, a: Art) -> str:
        o = BY_ID[a.outlet]
        if a.wire_of is not None or o.id == WIRE_ID:
            return WIRE_CREDIT[a.lang]
        arabic = [n for n in o.authors if re.search("[\u0600-\u06ff]", n)]
        latin = [n for n in o.authors if n not in arabic]
        names = (arabic if a.lang == "ar" else latin) or list(o.authors)
        return names[a.num % len(names)]
