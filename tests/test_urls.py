from __future__ import annotations

import pickle
from urllib.parse import quote

import pytest

from akhbar.parse.urls import canonical_url, same_site, url_key

ARABIC_SLUG = "الحكومة-تصادق-على-مشروع-قانون-المالية"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host lower-cased, default port, fragment, duplicate and trailing slashes
        ("HTTPS://WWW.Exemple.MA:443//politique//budget-2025/#commentaires",
         "https://www.exemple.ma/politique/budget-2025"),
        ("http://exemple.ma:80/a/", "http://exemple.ma/a"),
        ("http://exemple.ma:8080/a", "http://exemple.ma:8080/a"),
        # root keeps its slash, and gets one when missing
        ("https://exemple.ma", "https://exemple.ma/"),
        ("https://exemple.ma/", "https://exemple.ma/"),
        # tracking parameters dropped, the rest sorted
        ("https://exemple.ma/art?utm_source=fb&utm_medium=social&id=7&fbclid=AbC&page=2",
         "https://exemple.ma/art?id=7&page=2"),
        ("https://exemple.ma/art?xtor=RSS-1&at_medium=email&at_campaign=x&gclid=1&msclkid=2"
         "&mc_cid=3&mc_eid=4&igshid=5&_ga=6&yclid=7&ref_src=twsrc&cmpid=8&ocid=9&dclid=10",
         "https://exemple.ma/art"),
        ("https://exemple.ma/art?UTM_Source=x&b=1", "https://exemple.ma/art?b=1"),
        ("https://exemple.ma/art?b=2&a=1&a=0", "https://exemple.ma/art?a=0&a=1&b=2"),
        ("https://exemple.ma/art?&&", "https://exemple.ma/art"),
        # percent-encoding: unreserved decoded, hex upper-cased, lone % escaped
        ("https://exemple.ma/a%2db%7Ec?q=caf%c3%a9", "https://exemple.ma/a-b~c?q=caf%C3%A9"),
        ("https://exemple.ma/100%-maroc", "https://exemple.ma/100%25-maroc"),
        # dot segments
        ("https://exemple.ma/a/./b/../c", "https://exemple.ma/a/c"),
        # credentials never stored
        ("https://user:secret@exemple.ma/a", "https://exemple.ma/a"),
    ],
)
def test_normalisation(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_french_slug_with_accents_is_encoded_once() -> None:
    raw = "https://fr.exemple.ma/société/le-maroc-accueille-la-coupe-d'afrique"
    encoded = "https://fr.exemple.ma/soci%C3%A9t%C3%A9/le-maroc-accueille-la-coupe-d'afrique"
    assert canonical_url(raw) == encoded
    assert canonical_url(encoded) == encoded
    assert canonical_url(encoded.replace("%C3%A9", "%c3%a9")) == encoded


def test_arabic_slug_raw_and_percent_encoded_are_one_url() -> None:
    raw = f"https://ar.exemple.ma/سياسة/{ARABIC_SLUG}-4521.html"
    upper = "https://ar.exemple.ma/" + quote(f"سياسة/{ARABIC_SLUG}-4521.html")
    lower = upper.lower()  # only the escapes and ".html" change case
    assert canonical_url(raw) == canonical_url(upper) == canonical_url(lower)
    assert canonical_url(raw) == upper  # the stored form is percent-encoded ASCII
    assert canonical_url(raw).isascii()
    assert url_key(raw) == url_key(lower)


def test_idna_host() -> None:
    assert canonical_url("https://Akhbār.ma/x") == "https://" + "akhbār".encode("idna").decode() + ".ma/x"
    assert canonical_url("https://موقع.المغرب/خبر").startswith("https://xn--")


def test_url_key_merges_scheme_and_www() -> None:
    variants = [
        "http://www.exemple.ma/economie/inflation-mars/",
        "https://exemple.ma/economie/inflation-mars?utm_campaign=nl",
        "HTTPS://WWW.EXEMPLE.MA/economie//inflation-mars#top",
    ]
    assert {url_key(v) for v in variants} == {"exemple.ma/economie/inflation-mars"}
    # Other subdomains are not folded: fr. and ar. editions are different pages.
    assert url_key("https://fr.exemple.ma/a") != url_key("https://ar.exemple.ma/a")


def test_canonical_used_when_same_site() -> None:
    fetched = "https://exemple.ma/amp/article-99?utm_source=rss"
    assert canonical_url(fetched, "https://www.exemple.ma/article-99") == (
        "https://www.exemple.ma/article-99"
    )
    # Subdomain of the same outlet (fr.site.ma vs site.ma), either direction.
    assert canonical_url("https://fr.site.ma/a/1", "https://site.ma/a/1-titre") == (
        "https://site.ma/a/1-titre"
    )
    assert canonical_url("https://site.ma/a/1", "https://m.site.ma/a/1") == "https://m.site.ma/a/1"
    # Sibling editions under a co.ma-style suffix count as one site, other outlets do not.
    assert same_site("https://fr.journal.co.ma/x", "https://ar.journal.co.ma/y")
    assert not same_site("https://journal.co.ma/x", "https://autre.co.ma/y")


def test_canonical_resolved_when_relative() -> None:
    assert canonical_url("https://exemple.ma/a/b?id=1", "/a/b-titre") == "https://exemple.ma/a/b-titre"


@pytest.mark.parametrize(
    "canonical",
    [
        "https://autre-site.com/article-99",  # another site (syndication partner)
        "https://exemple.ma/",  # homepage: CMS bug
        "https://www.exemple.ma",
        "ftp://exemple.ma/article-99",
        "javascript:alert(1)",
        "mailto:redaction@exemple.ma",
    ],
)
def test_canonical_rejected(canonical: str) -> None:
    assert canonical_url("https://exemple.ma/article-99", canonical) == "https://exemple.ma/article-99"


def test_homepage_canonical_accepted_for_homepage() -> None:
    assert canonical_url("https://www.exemple.ma/?utm_source=x", "https://exemple.ma/") == (
        "https://exemple.ma/"
    )


def test_idempotent_and_picklable() -> None:
    url = f"https://WWW.exemple.ma//ar/{ARABIC_SLUG}/?b=1&a=2&utm_term=x"
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert pickle.loads(pickle.dumps(canonical_url))(url) == once
