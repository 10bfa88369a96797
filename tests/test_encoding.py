"""akhbar.parse.encoding: byte-correct decoding whatever the headers claim."""

from __future__ import annotations

import codecs

import pytest

from akhbar.parse.encoding import decode_feed, decode_html

AR = "أطلقت وكالة المغرب العربي للأنباء، اليوم الخميس، نشرتها الجديدة حول الطقس في الرباط."
FR = "L’été à Fès : « Œuvres déjà vues », coût 5 € — École fermée, ça reprend en août."
EN = "Rabat tramway extended to Salé — 12 new stations."


def page(body: str, meta: str | None = None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def feed(body: str, decl: str | None = None) -> str:
    prolog = f'<?xml version="1.0" encoding="{decl}"?>' if decl else ""
    return f"{prolog}<rss version=\"2.0\"><channel><title>{body}</title></channel></rss>"


def test_same_arabic_sentence_has_different_bytes_in_the_two_code_pages():
    assert AR.encode("cp1256") != AR.encode("iso8859-6")


@pytest.mark.parametrize("codec, label", [("cp1256", "windows-1256"), ("iso8859-6", "iso-8859-6"),
                                          ("utf-8", "utf-8")])
@pytest.mark.parametrize("declared", [None, "windows-1256", "ISO-8859-6", "utf-8", "iso-8859-1"])
def test_arabic_decodes_exactly_whatever_the_feed_declares(codec, label, declared):
    text = feed(AR, declared)
    data = text.encode(codec)
    decoded, used = decode_feed(data)
    assert decoded == text
    assert used == label


@pytest.mark.parametrize("codec", ["cp1256", "iso8859-6"])
@pytest.mark.parametrize("header", [None, "text/html; charset=ISO-8859-1", "text/html; charset=utf-8",
                                    "text/html; charset=windows-1256", "text/html; charset=iso-8859-6"])
def test_arabic_page_decodes_exactly_whatever_the_header_says(codec, header):
    text = page(AR)
    decoded, _ = decode_html(text.encode(codec), header)
    assert decoded == text


@pytest.mark.parametrize("header, meta", [
    ("text/html; charset=iso-8859-1", "windows-1256"),  # header wrong, meta right
    ("text/html; charset=windows-1256", "iso-8859-1"),  # meta wrong, header right
    ("text/html; charset=iso-8859-6", "utf-8"),  # both wrong
])
def test_header_and_meta_disagree_on_arabic_page(header, meta):
    text = page(AR, meta)
    decoded, used = decode_html(text.encode("cp1256"), header)
    assert decoded == text
    assert used == "windows-1256"


@pytest.mark.parametrize("declared", [None, "iso-8859-1", "windows-1252", "utf-8", "windows-1256",
                                      "iso-8859-6"])
def test_french_windows_1252_decodes_exactly(declared):
    text = page(FR, declared)
    decoded, used = decode_html(text.encode("cp1252"))
    assert decoded == text
    assert used == "windows-1252"


def test_iso_8859_1_label_means_windows_1252():
    # ’ and Œ and € exist only in windows-1252; ISO-8859-1 would give C1 controls.
    text = feed(FR, "ISO-8859-1")
    decoded, used = decode_feed(text.encode("cp1252"), "application/rss+xml; charset=ISO-8859-1")
    assert decoded == text
    assert used == "windows-1252"
    assert not any("\x80" <= ch <= "\x9f" for ch in decoded)


def test_real_latin1_french_decodes_exactly():
    text = feed("Été à Tanger, séjour très réussi", "iso-8859-1")
    decoded, _ = decode_feed(text.encode("latin-1"))
    assert decoded == text


def test_utf8_wins_over_a_latin1_declaration():
    text = feed(FR + " " + AR, "ISO-8859-1")
    decoded, used = decode_feed(text.encode("utf-8"), "text/xml; charset=iso-8859-1")
    assert decoded == text
    assert used == "utf-8"


def test_bom_wins_over_everything():
    text = feed(AR, "windows-1256")
    decoded, used = decode_feed(codecs.BOM_UTF8 + text.encode("utf-8"), "text/xml; charset=cp1256",
                                forced="iso-8859-6")
    assert decoded == text
    assert used == "utf-8"
    decoded, used = decode_feed(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert decoded == text
    assert used == "utf-16-le"


def test_utf16_without_bom_is_sniffed_from_the_xml_declaration():
    text = feed(EN + " " + AR, "utf-16")
    decoded, used = decode_feed(text.encode("utf-16-le"))
    assert decoded == text
    assert used == "utf-16-le"


def test_forced_encoding_overrides_a_plausible_guess():
    # Lower-case French decodes the same in windows-1252 and windows-1256; the override decides.
    data = "été à fès".encode("cp1252")
    _, used = decode_html(data, forced="windows-1256")
    assert used == "windows-1256"


def test_mostly_utf8_with_a_stray_windows_1252_byte():
    data = ("Le café d’Agadir — " + AR).encode("utf-8") + b" fin\x92s"
    decoded, used = decode_html(data)
    assert decoded == "Le café d’Agadir — " + AR + " fin’s"
    assert used == "utf-8"


def test_pure_ascii_keeps_the_declared_label():
    decoded, used = decode_feed(feed(EN.replace("—", "-").replace("é", "e"), "iso-8859-6").encode())
    assert used == "iso-8859-6"
    assert "Rabat" in decoded


@pytest.mark.parametrize("data", [
    b"",
    bytes(range(256)) * 3,
    b"\xff\xfe\x00\xd8",  # UTF-16-LE BOM then a lone surrogate
    b"\x81\x8d\x8f\x90\x9d" * 50,
    "ok".encode("utf-16-be"),
])
def test_never_raises_on_garbage(data):
    for decode in (decode_html, decode_feed):
        text, used = decode(data, "text/html; charset=no-such-charset", forced=None)
        assert isinstance(text, str)
        assert isinstance(used, str) and used


def test_unknown_forced_encoding_is_ignored():
    text = page(AR)
    decoded, used = decode_html(text.encode("cp1256"), forced="x-no-such-charset")
    assert decoded == text
    assert used == "windows-1256"



def test_utf8_bom_with_a_stray_byte_keeps_the_rest():
    data = codecs.BOM_UTF8 + "Ѩ".encode() + b" Espa\xf1a"
    assert decode_feed(data) == ("Ѩ España", "utf-8")
