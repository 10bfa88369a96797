"""Sections for articles whose outlet gave none: nearest label description in embedding space.

Each section is described by a few short phrases per language (written for akhbar); their
embeddings, centred per language like the articles', average into one prototype per
section. An article goes to the section whose prototype is nearest its centred vector. A
headline that names its section outright ("football", "اقتصاد"…, the outlet-label words
of ``akhbar.enrich.section``) decides first; without an embedder that is the only rule,
and articles it cannot place keep no section.

Measured on tests/data/sections_heldout.jsonl (headlines not used here): see
docs/architecture.md, "Stories".
"""

from __future__ import annotations

import threading

import numpy as np

from akhbar.enrich.section import section_of_label
from akhbar.stories import lexical
from akhbar.types import SECTIONS, StoredArticle

DESCRIPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "politique": {
        "fr": ("politique, gouvernement, ministres et partis", "le Parlement vote une loi",
               "élections législatives et communales", "le chef du gouvernement reçoit les partis",
               "motion de censure et opposition"),
        "ar": ("السياسة والحكومة والوزراء والأحزاب", "البرلمان يصادق على قانون",
               "الانتخابات التشريعية والجماعية", "رئيس الحكومة يستقبل الأحزاب",
               "المعارضة تنتقد الحكومة"),
        "en": ("politics, government, ministers and parties", "parliament passes a bill",
               "legislative and local elections", "the prime minister meets party leaders",
               "opposition criticises the cabinet"),
    },
    "economie": {
        "fr": ("économie, entreprises, banques et marchés", "hausse des prix et inflation",
               "la Bourse de Casablanca termine en hausse", "investissement, usine et emplois",
               "taux directeur, croissance et budget de l'État"),
        "ar": ("الاقتصاد والمقاولات والأبناك والأسواق", "ارتفاع الأسعار والتضخم",
               "بورصة الدار البيضاء تنهي تداولاتها على ارتفاع", "استثمار ومصنع ومناصب شغل",
               "سعر الفائدة والنمو وميزانية الدولة"),
        "en": ("economy, business, banks and markets", "prices rise and inflation",
               "Casablanca stock exchange closes higher", "investment, factory and jobs",
               "interest rate, growth and state budget"),
    },
    "sport": {
        "fr": ("sport, football, match et championnat", "l'équipe s'impose et marque un but",
               "la sélection nationale se qualifie", "athlétisme, tennis, boxe, médaille",
               "l'entraîneur annonce la liste des joueurs"),
        "ar": ("الرياضة وكرة القدم والمباراة والبطولة", "الفريق يفوز ويسجل هدفا",
               "المنتخب الوطني يتأهل", "ألعاب القوى والتنس والملاكمة وميدالية",
               "المدرب يعلن لائحة اللاعبين"),
        "en": ("sport, football, match and league", "the team wins and scores a goal",
               "the national team qualifies", "athletics, tennis, boxing, medal",
               "the coach names his squad"),
    },
    "culture": {
        "fr": ("culture, festival, cinéma et musique", "exposition d'art et musée",
               "un roman et un prix littéraire", "concert et théâtre", "patrimoine et artistes"),
        "ar": ("الثقافة والمهرجان والسينما والموسيقى", "معرض فني ومتحف", "رواية وجائزة أدبية",
               "حفل موسيقي ومسرح", "التراث والفنانون"),
        "en": ("culture, festival, cinema and music", "art exhibition and museum",
               "a novel and a literary prize", "concert and theatre", "heritage and artists"),
    },
    "societe": {
        "fr": ("société, santé, éducation et justice", "hôpital, médecins et patients",
               "école, enseignants et élèves", "tribunal, procès et police", "accident de la route"),
        "ar": ("المجتمع والصحة والتعليم والعدالة", "المستشفى والأطباء والمرضى",
               "المدرسة والأساتذة والتلاميذ", "المحكمة والمحاكمة والشرطة", "حادثة سير"),
        "en": ("society, health, education and justice", "hospital, doctors and patients",
               "school, teachers and pupils", "court, trial and police", "road accident"),
    },
    "international": {
        "fr": ("international, monde et diplomatie", "visite d'un ministre étranger",
               "sommet de l'Union africaine", "conflit et guerre à l'étranger",
               "relations avec l'Espagne et la France"),
        "ar": ("دولي والعالم والدبلوماسية", "زيارة وزير أجنبي", "قمة الاتحاد الإفريقي",
               "نزاع وحرب في الخارج", "العلاقات مع إسبانيا وفرنسا"),
        "en": ("international, world and diplomacy", "a foreign minister visits",
               "African Union summit", "conflict and war abroad", "relations with Spain and France"),
    },
    "regions": {
        "fr": ("régions et villes, actualité locale", "le conseil communal adopte un projet",
               "route, quartier et aménagement urbain", "la province et le wali inaugurent",
               "eau potable et électricité dans les douars"),
        "ar": ("الجهات والمدن والأخبار المحلية", "المجلس الجماعي يصادق على مشروع",
               "الطريق والحي والتهيئة الحضرية", "العامل والوالي يدشنان مشروعا بالإقليم",
               "الماء الصالح للشرب والكهرباء في الدواوير"),
        "en": ("regions and cities, local news", "the city council approves a project",
               "road, neighbourhood and urban planning", "the province governor opens a project",
               "drinking water and electricity in villages"),
    },
    "meteo": {
        "fr": ("météo, pluie, neige et températures", "alerte météo, orages et vent fort",
               "vague de chaleur et canicule", "prévisions du temps pour demain",
               "inondations après de fortes pluies"),
        "ar": ("الطقس والأمطار والثلوج ودرجات الحرارة", "نشرة إنذارية وعواصف ورياح قوية",
               "موجة حر", "توقعات الطقس ليوم غد", "فيضانات بعد أمطار غزيرة"),
        "en": ("weather, rain, snow and temperatures", "weather alert, storms and strong wind",
               "heatwave", "weather forecast for tomorrow", "floods after heavy rain"),
    },
}


# Outlet-label words that, inside a headline, mean something else ("World Cup", "nation").
_AMBIGUOUS_LABELS = {"world", "monde", "nation", "local", "region", "regional", "justice",
                     "education", "social", "business", "finance", "finances", "العالم", "عالم"}


_PREPARED: dict[str, tuple[np.ndarray, dict[str, np.ndarray]]] = {}


class SectionClassifier:
    """classify(article, keys, raw vector) -> a section of SECTIONS, or None."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self._lock = threading.Lock()
        self._prototypes: np.ndarray | None = None
        self._lang_means: dict[str, np.ndarray] = {}

    def _prepare(self) -> None:
        with self._lock:
            if self._prototypes is not None:
                return
            # Per model and process: 120 descriptions to embed, once, not per builder.
            cached = _PREPARED.get(self.embedder.name)
            if cached is not None:
                self._prototypes, self._lang_means = cached
                return
            rows = [(section, lang, text) for section in SECTIONS
                    for lang, texts in DESCRIPTIONS[section].items() for text in texts]
            vectors = self.embedder.embed([text for _, _, text in rows])
            for lang in {lang for _, lang, _ in rows}:
                mask = [i for i, (_, lg, _) in enumerate(rows) if lg == lang]
                self._lang_means[lang] = vectors[mask].mean(axis=0)
            prototypes = []
            for section in SECTIONS:
                members = [self._centre(vectors[i], rows[i][1])
                           for i, (s, _, _) in enumerate(rows) if s == section]
                mean = np.mean(members, axis=0)
                prototypes.append(mean / np.linalg.norm(mean))
            self._prototypes = np.stack(prototypes)
            _PREPARED[self.embedder.name] = (self._prototypes, self._lang_means)

    def _centre(self, vector: np.ndarray, lang: str) -> np.ndarray:
        # The descriptions' own per-language means: every section is described in every
        # language, so what is left is the section, not the language.
        mean = self._lang_means.get(lang)
        if mean is None:
            mean = np.mean(list(self._lang_means.values()), axis=0)
        centred = vector - mean
        return centred / max(float(np.linalg.norm(centred)), 1e-9)

    def classify(self, article: StoredArticle, keys=(), vector: np.ndarray | None = None) -> str | None:
        named = self._named(article.title)
        if named is not None:
            return named
        if self.embedder is None:
            return None
        if vector is None:
            vector = self.embedder.embed([lexical.article_text(article.title, article.text,
                                                               article.summary)])[0]
        self._prepare()
        scores = self._prototypes @ self._centre(np.asarray(vector, np.float64), article.lang)
        return SECTIONS[int(np.argmax(scores))]

    @staticmethod
    def _named(title: str) -> str | None:
        """A section named by a word of the title ("Football :", "الطقس")."""
        for word in lexical.tokens(title):
            if len(word) <= 3 or lexical.fold_latin(word) in _AMBIGUOUS_LABELS:
                continue
            section = section_of_label(word)
            if section is not None:
                return section
        return None
