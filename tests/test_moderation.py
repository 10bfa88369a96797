"""Reports and what they lead to (Store.record_report, decide, the audit log), the readers'
keyed identity behind trusted proxies, and reports racing around the threshold, on
SQLite and PostgreSQL."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from akhbar.config import load_settings
from akhbar.errors import ConfigError, StorageError
from akhbar.moderate.identity import Identity, network_of, parse_address, parse_proxies
from akhbar.moderate.policy import report_policy
from akhbar.store.base import open_store
from akhbar.types import ReportIn, ReportPolicy, Source
from websupport import T0, article

KEY = b"k" * 32
DEFAULT = ReportPolicy()
IDENTITY = Identity(KEY)
OUTLETS = (
    Source(id="phare", name="Le Phare de Salé", homepage="https://phare.example/",
           feeds=("https://phare.example/rss",), languages=("fr",), display="full"),
    Source(id="sada", name="صدى الأطلس", homepage="https://sada.example/",
           feeds=("https://sada.example/feed",), languages=("ar",), display="excerpt"),
)
IMAGES = ("https://phare.example/img/marche.jpg", "https://sada.example/media/bab.jpg",
          "https://phare.example/img/port.jpg", "https://phare.example/img/plage.jpg")


def press(store) -> list[int]:
    """Four articles with lead images, in French and Arabic; their ids."""
    store.sync_sources(OUTLETS)
    texts = [("phare", "fr", "Salé : le marché couvert rouvre ses portes"),
             ("sada", "ar", "فاس: ترميم باب المدينة القديم"),
             ("phare", "fr", "Le port de Rabat accueille un voilier-école"),
             ("phare", "fr", "Plage de Mehdia : la saison commence")]
    ids = []
    for i, ((source, lang, title), image) in enumerate(zip(texts, IMAGES, strict=True)):
        ids.append(store.add_article(article(
            url=f"https://{source}.example/a/{i}", source_id=source, lang=lang, title=title,
            text=title + " — texte de l'article.", image=image,
            first_seen=T0 + timedelta(minutes=i)))[0])
    return ids


def reader(n: int, address: str | None = None, identity: Identity = IDENTITY):
    """Reader ``n``: their own cookie token and, unless given, their own /24."""
    token = f"{n:032x}"
    return identity.reporter_key(token), identity.network_key(
        parse_address(address or f"10.{n // 250}.{n % 250}.7"))


def report(store, article_id: int, who, *, kind: str = "image", target: str | None = None,
           policy: ReportPolicy = DEFAULT, reason: str = "shocking", now=None):
    reporter_key, network_key = who
    if target is None:
        target = IMAGES_BY_ID[article_id] if kind == "image" else str(article_id)
    return store.record_report(ReportIn(kind, article_id, target, reason, reporter_key,
                                        network_key), policy, now=now)


IMAGES_BY_ID: dict[int, str] = {}


@pytest.fixture
def ids(store):
    found = press(store)
    IMAGES_BY_ID.clear()
    IMAGES_BY_ID.update(zip(found, IMAGES, strict=True))
    return found


def actions(store, item_id: int) -> list[tuple[str, str]]:
    return [(e.actor, e.action) for e in reversed(store.audit_log(item_id=item_id))]


# -- counting rules ----------------------------------------------------------------------

@pytest.mark.parametrize("threshold", [2, 3, 5])
def test_an_image_is_blocked_when_threshold_readers_report_it(store, ids, threshold):
    policy = ReportPolicy(threshold=threshold)
    version = store.moderation_version()
    for n in range(threshold - 1):
        out = report(store, ids[0], reader(n), policy=policy)
        assert (out.outcome, out.state, out.counted, out.blocked_now) == (
            "counted", "open", n + 1, False)
    assert store.blocked_images() == frozenset() and store.moderation_version() == version
    out = report(store, ids[0], reader(99), policy=policy)
    assert (out.outcome, out.state, out.counted, out.blocked_now) == (
        "counted", "blocked", threshold, True)
    assert store.blocked_images() == {IMAGES[0]}
    assert store.moderation_version() == version + 1
    # Decided: later reports are closed, and block nothing twice.
    late = report(store, ids[0], reader(100), policy=policy)
    assert (late.outcome, late.state, late.blocked_now) == ("closed", "blocked", False)
    item = store.moderation_item(out.item_id)
    assert (item.state, item.counted, item.reports, item.decided_by) == (
        "blocked", threshold, threshold + 1, "auto")
    log = actions(store, out.item_id)
    assert [a for _, a in log] == ["report"] * threshold + ["block", "report"]
    assert [a for a in log if a[1] == "block"] == [("auto", "block")]
    assert store.moderation_version() == version + 1


def test_the_default_threshold_is_three_and_the_setting_changes_it():
    assert report_policy(load_settings(env={})) == ReportPolicy(3, 10, 20, 30, 600.0)
    assert report_policy(load_settings(env={"AKHBAR_REPORT_THRESHOLD": "5"})).threshold == 5
    with pytest.raises(ConfigError):
        report_policy(load_settings(env={}, report_threshold=0))


def test_a_reader_counts_once_per_item_whatever_the_network(store, ids):
    token_key, _ = reader(1)
    first = report(store, ids[0], (token_key, IDENTITY.network_key(parse_address("198.51.100.7"))))
    # The same browser from another network (a phone leaving Wi-Fi): the same reader.
    moved = report(store, ids[0], (token_key, IDENTITY.network_key(parse_address("192.0.2.9"))))
    assert (first.outcome, moved.outcome, moved.counted) == ("counted", "repeat", 1)
    # ... who may still report another image.
    assert report(store, ids[1], (token_key, reader(1)[1])).outcome == "counted"


@pytest.mark.parametrize("a,b", [
    ("198.51.100.7", "198.51.100.201"),  # one /24
    ("2001:db8:5:6::1", "2001:db8:5:6:ffff:1:2:3"),  # one /64
    ("::ffff:198.51.100.7", "198.51.100.99"),  # IPv4-mapped IPv6 is its IPv4 address
])
def test_one_network_counts_once(store, ids, a, b):
    first = report(store, ids[0], reader(1, a))
    other_cookie_same_network = report(store, ids[0], reader(2, b))
    assert (first.outcome, other_cookie_same_network.outcome) == ("counted", "repeat")
    assert store.moderation_item(first.item_id).counted == 1


def test_neighbouring_networks_count_apart(store, ids):
    outs = [report(store, ids[0], reader(n, addr)) for n, addr in enumerate(
        ("198.51.100.7", "198.51.101.7", "2001:db8:5:6::1", "2001:db8:5:7::1"))]
    assert [o.outcome for o in outs] == ["counted"] * 3 + ["closed"]  # blocked at the third


def test_the_reader_limit_stops_counting_but_every_report_is_logged(store, ids):
    policy = ReportPolicy(threshold=10, reader_limit=2)
    who = reader(1)
    assert report(store, ids[0], who, policy=policy).outcome == "counted"
    assert report(store, ids[1], who, policy=policy).outcome == "counted"
    limited = report(store, ids[2], who, policy=policy)
    assert (limited.outcome, limited.counted) == ("rate_limited", 0)
    assert store.moderation_item(limited.item_id).reports == 1
    entry = store.audit_log(item_id=limited.item_id)[0]
    assert (entry.action, entry.report_id, entry.detail["outcome"]) == (
        "report", limited.report_id, "rate_limited")
    # An hour later the reader counts again.
    later = report(store, ids[2], who, policy=policy, now=store._now() + timedelta(hours=1, seconds=5))
    assert later.outcome == "counted"


def test_the_network_limit_holds_many_cookies_on_one_network(store, ids):
    policy = ReportPolicy(threshold=10, network_limit=3)
    # A bot clearing its cookie before every report, from one /24.
    outs = [report(store, ids[i % 4], reader(i, f"203.0.113.{i + 1}"), policy=policy)
            for i in range(5)]
    assert [o.outcome for o in outs] == ["counted"] * 3 + ["rate_limited"] * 2
    assert all(o.counted <= 1 for o in outs)


def test_a_burst_site_wide_goes_to_the_queue(store, ids):
    policy = ReportPolicy(threshold=2, burst_limit=1, burst_window=600)
    assert report(store, ids[0], reader(1), policy=policy).outcome == "counted"
    out = report(store, ids[0], reader(2), policy=policy)
    assert (out.outcome, out.state, out.queued_now, out.blocked_now) == (
        "counted", "queued", True, False)
    assert store.blocked_images() == frozenset()
    queued = store.audit_log(item_id=out.item_id)[0]
    assert (queued.actor, queued.action, queued.detail["why"]) == ("auto", "queue", "burst")
    assert store.moderation_item(out.item_id).reason == "burst"


def test_reports_older_than_the_burst_window_do_not_make_a_burst(store, ids):
    policy = ReportPolicy(threshold=2, burst_limit=1, burst_window=600)
    now = store._now()
    report(store, ids[0], reader(1), policy=policy, now=now - timedelta(minutes=20))
    out = report(store, ids[0], reader(2), policy=policy, now=now)
    assert (out.state, out.blocked_now) == ("blocked", True)


def test_an_image_an_operator_cleared_is_queued_the_next_time(store, ids):
    first = [report(store, ids[1], reader(n)) for n in range(3)]
    item_id = first[-1].item_id
    version = store.moderation_version()
    with pytest.raises(StorageError, match="reason"):
        store.decide(item_id, "unblock", "nadia", "  ")
    cleared = store.decide(item_id, "unblock", "nadia", "photo d'archive, rien de choquant")
    assert (cleared.state, cleared.counted, cleared.decided_by) == ("cleared", 0, "nadia")
    assert store.blocked_images() == frozenset()
    assert store.moderation_version() == version + 1
    # The same three readers again: they count anew (after the decision), and the third
    # sends it to the operator instead of blocking it.
    again = [report(store, ids[1], reader(n)) for n in range(3)]
    assert [(o.outcome, o.state) for o in again] == [
        ("counted", "cleared"), ("counted", "cleared"), ("counted", "queued")]
    assert again[-1].queued_now and store.blocked_images() == frozenset()
    assert store.audit_log(item_id=item_id)[0].detail["why"] == "cleared before"
    # The operator confirms: blocked, by name, logged.
    blocked = store.decide(item_id, "block", "nadia", "confirmé")
    assert (blocked.state, blocked.decided_by) == ("blocked", "nadia")
    assert store.blocked_images() == {IMAGES[1]}
    assert actions(store, item_id)[-1] == ("operator:nadia", "block")
    assert [a for _, a in actions(store, item_id)] == (
        ["report"] * 3 + ["block", "unblock"] + ["report"] * 3 + ["queue", "block"])


def test_confirming_an_automatic_block_changes_nothing_shown(store, ids):
    item_id = [report(store, ids[0], reader(n)) for n in range(3)][-1].item_id
    version = store.moderation_version()
    item = store.decide(item_id, "block", "youssef")
    assert (item.state, item.decided_by) == ("blocked", "youssef")
    assert store.moderation_version() == version
    assert actions(store, item_id)[-1] == ("operator:youssef", "confirm")


def test_article_reports_go_to_the_queue_never_blocked(store, ids):
    outs = [report(store, ids[1], reader(n), kind="article", reason="misleading")
            for n in range(3)]
    assert [o.state for o in outs] == ["open", "open", "queued"] and outs[-1].queued_now
    item = store.moderation_item(outs[-1].item_id)
    assert (item.kind, item.target, item.article_id) == ("article", str(ids[1]), ids[1])
    assert store.audit_log(item_id=item.id)[0].detail["why"] == "article"
    assert store.blocked_images() == frozenset()
    # An operator takes an article down (take_down) or dismisses its reports.
    with pytest.raises(StorageError, match="take it down"):
        store.decide(item.id, "block", "nadia", "faux")
    dismissed = store.decide(item.id, "unblock", "nadia", "information vérifiée")
    assert dismissed.state == "cleared"
    assert store.moderation_items(("queued",)) == []


def test_bad_reports_and_decisions_are_refused_and_store_nothing(store, ids):
    with pytest.raises(StorageError, match="unknown article"):
        report(store, 987654, reader(1), target="https://x.example/i.jpg")
    with pytest.raises(StorageError):
        report(store, ids[0], reader(1), kind="story", target="x")
    with pytest.raises(StorageError):
        report(store, ids[0], ("", reader(1)[1]))
    assert store.moderation_items(("open", "queued", "blocked", "cleared")) == []
    assert store.audit_log() == []
    with pytest.raises(StorageError, match="no moderation item"):
        store.decide(424242, "unblock", "nadia", "x")
    item_id = report(store, ids[0], reader(1)).item_id
    with pytest.raises(StorageError, match="block or unblock"):
        store.decide(item_id, "delete", "nadia", "x")
    with pytest.raises(StorageError, match="operator"):
        store.decide(item_id, "block", "", "x")


def test_every_report_has_its_audit_entry_and_no_address_is_stored(store, ids):
    addresses = ["198.51.100.7", "2001:db8:5:6::1", "203.0.113.50", "192.0.2.1"]
    outs = [report(store, ids[n % 2], reader(n, a)) for n, a in enumerate(addresses)]
    by_report = {e.report_id: e for e in store.audit_log() if e.action == "report"}
    assert set(by_report) == {o.report_id for o in outs}
    for o in outs:
        e = by_report[o.report_id]
        assert e.item_id == o.item_id and e.detail["outcome"] == o.outcome
        assert e.actor.startswith("reader:") and len(e.actor) == len("reader:") + 12
    listed = store.item_reports(outs[0].item_id)
    assert [r["id"] for r in listed] == sorted((o.report_id for o in outs
                                                if o.item_id == outs[0].item_id), reverse=True)
    assert set(listed[0]) == {"id", "created", "reason", "outcome", "reporter", "network",
                              "article_id"}
    with store._read():
        dump = " ".join(str(v) for table in ("reports", "moderation_items", "audit_log")
                        for row in store._exec(f"SELECT * FROM {table}").fetchall()
                        for v in row)
    for a in addresses + ["198.51.100.0", "2001:db8:5:6::"]:
        assert a not in dump


def test_operator_queue_order_audit_paging_and_free_entries(store, ids):
    report(store, ids[0], reader(1))
    queued = [report(store, ids[2], reader(n), kind="article") for n in range(3)][-1]
    report(store, ids[3], reader(9))
    items = store.moderation_items()
    assert items[0].id == queued.item_id and items[0].state == "queued"
    assert [i.target for i in items[1:]] == [IMAGES[3], IMAGES[0]]  # newest report first
    assert store.moderation_items(("cleared",)) == []
    with pytest.raises(StorageError):
        store.moderation_items(("gone",))
    store.audit("operator:nadia", "login", detail={"ok": True, "note": "تسجيل الدخول"})
    newest = store.audit_log(limit=1)[0]
    assert (newest.actor, newest.action, newest.detail) == (
        "operator:nadia", "login", {"ok": True, "note": "تسجيل الدخول"})
    page = store.audit_log(limit=2, before_id=newest.id)
    assert [e.id for e in page] == [newest.id - 1, newest.id - 2]


def test_the_reader_key_is_made_once_and_shared_by_every_connection(database_url):
    first = open_store(database_url)
    second = open_store(database_url)
    try:
        assert len(first.moderation_key()) == 32
        assert first.moderation_key() == second.moderation_key()
    finally:
        first.close()
        second.close()


# -- identity ----------------------------------------------------------------------------

def addr(text):
    return ipaddress.ip_address(text)


def test_without_trusted_proxies_x_forwarded_for_is_ignored():
    ident = Identity(KEY, "")
    assert ident.client_address("198.51.100.7", "203.0.113.9") == addr("198.51.100.7")
    # A trusted list that does not hold the peer: the header is a spoof, ignored.
    ident = Identity(KEY, "10.0.0.0/8")
    assert ident.client_address("198.51.100.7", "203.0.113.9, 10.0.0.2") == addr("198.51.100.7")


def test_behind_trusted_proxies_the_first_untrusted_address_from_the_right_is_the_client():
    ident = Identity(KEY, "127.0.0.1, 10.0.0.0/8, fd00::/8")
    assert ident.client_address("127.0.0.1", "198.51.100.7") == addr("198.51.100.7")
    assert ident.client_address("127.0.0.1", "198.51.100.7, 10.1.2.3") == addr("198.51.100.7")
    # The client wrote its own X-Forwarded-For: the proxy appended the real address.
    assert ident.client_address("10.0.0.5", "6.6.6.6, 198.51.100.7") == addr("198.51.100.7")
    assert ident.client_address("fd00::1", "2001:db8:aa:bb::5") == addr("2001:db8:aa:bb::5")
    assert ident.client_address("127.0.0.1", "[2001:db8::1]:443") == addr("2001:db8::1")
    assert ident.client_address("127.0.0.1", "198.51.100.7:5555") == addr("198.51.100.7")
    assert ident.client_address("127.0.0.1", "::ffff:198.51.100.7") == addr("198.51.100.7")
    assert ident.client_address("127.0.0.1", None) == addr("127.0.0.1")
    assert ident.client_address("127.0.0.1", "10.0.0.9, 10.0.0.8") == addr("10.0.0.9")


@pytest.mark.parametrize("header,expected", [
    ("198.51.100.7, not-an-address", "127.0.0.1"),  # stops at once: the peer
    ("198.51.100.7, unknown, 10.0.0.2", "10.0.0.2"),  # the last trusted hop reached
    (" , ", "127.0.0.1"),
    ("", "127.0.0.1"),
    ("1" * 5000, "127.0.0.1"),
    ("198.51.100.7%eth0, 10.0.0.2", "198.51.100.7"),
    (",".join(["10.0.0.1"] * 100), "10.0.0.1"),
])
def test_a_malformed_x_forwarded_for_never_crashes(header, expected):
    ident = Identity(KEY, "127.0.0.1, 10.0.0.0/8")
    assert ident.client_address("127.0.0.1", header) == addr(expected)


def test_networks_and_keyed_hashes():
    assert str(network_of(addr("198.51.100.77"))) == "198.51.100.0/24"
    assert str(network_of(addr("2001:db8:1:2:3:4:5:6"))) == "2001:db8:1:2::/64"
    assert str(network_of(addr("::ffff:198.51.100.77"))) == "198.51.100.0/24"
    ident = Identity(KEY)
    same = ident.network_key(addr("198.51.100.1")), ident.network_key(addr("198.51.100.254"))
    assert same[0] == same[1] != ident.network_key(addr("198.51.101.1"))
    assert ident.reporter_key("a" * 32) != ident.reporter_key("b" * 32)
    # Another key, other hashes: nothing links two sites' readers.
    assert Identity(b"other").reporter_key("a" * 32) != ident.reporter_key("a" * 32)
    assert all(c in "0123456789abcdef" for c in same[0]) and "198" not in same[0]


def test_a_reader_without_a_usable_cookie_gets_a_fresh_token():
    ident = Identity(KEY, "127.0.0.1")
    fresh = ident.reader(None, "127.0.0.1", "198.51.100.7")
    assert fresh.new_token and len(fresh.token) == 32
    kept = ident.reader(fresh.token, "127.0.0.1", "198.51.100.8")
    assert not kept.new_token and kept.reporter_key == fresh.reporter_key
    assert kept.network_key == fresh.network_key
    for bad in ("", "x" * 32, "A" * 32, "a" * 31, "<script>", "a" * 64):
        assert ident.reader(bad, "127.0.0.1").new_token


def test_a_bad_trusted_proxies_setting_is_a_clear_error():
    with pytest.raises(ConfigError, match="proxy.example"):
        parse_proxies("127.0.0.1, proxy.example")
    assert [str(n) for n in parse_proxies(" 127.0.0.1 ,, 2001:db8::/32 ")] == [
        "127.0.0.1/32", "2001:db8::/32"]


# -- concurrency -------------------------------------------------------------------------

def _race(database_url, article_id, whos, policy, target):
    """Every reader of ``whos`` reports at once, each on their own connection."""
    start = threading.Barrier(len(whos))
    results, errors = [], []

    def one(who):
        s = open_store(database_url)
        try:
            start.wait()
            results.append(s.record_report(
                ReportIn("image", article_id, target, "shocking", *who), policy))
        except Exception as exc:  # reported below, with the others
            errors.append(exc)
        finally:
            s.close()

    threads = [threading.Thread(target=one, args=(w,)) for w in whos]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def _check_race(store, results, threshold):
    item_id = results[0].item_id
    blocks = [e for e in store.audit_log(item_id=item_id, limit=10_000) if e.action == "block"]
    assert len(blocks) == 1 and blocks[0].actor == "auto"
    assert sum(r.blocked_now for r in results) == 1
    with store._read():
        rows = store._exec("SELECT id, outcome, reporter_key, network_key FROM reports"
                           " WHERE item_id = ?", (item_id,)).fetchall()
    assert {int(r[0]) for r in rows} == {r.report_id for r in results}  # nothing lost
    logged = {e.report_id for e in store.audit_log(item_id=item_id, limit=10_000)
              if e.action == "report"}
    assert logged == {r.report_id for r in results}
    counted = [r for r in rows if r[1] == "counted"]
    # Exactly the threshold counted, each a distinct reader on a distinct network; every
    # report after the block is closed.
    assert len(counted) == threshold == store.moderation_item(item_id).counted
    assert len({r[2] for r in counted}) == len({r[3] for r in counted}) == threshold
    assert store.moderation_item(item_id).state == "blocked"
    return rows


@pytest.mark.parametrize("threshold", [3, 7])
def test_simultaneous_reports_block_exactly_once(store, ids, database_url, threshold):
    policy = ReportPolicy(threshold=threshold)
    whos = [reader(n) for n in range(threshold * 3)]
    results = _race(database_url, ids[0], whos, policy, IMAGES[0])
    rows = _check_race(store, results, threshold)
    assert sorted(r[1] for r in rows).count("closed") == len(whos) - threshold


def test_simultaneous_reports_sharing_networks_count_each_network_once(store, ids, database_url):
    policy = ReportPolicy(threshold=4)
    # 20 readers on 5 networks (four cookies each): the fourth network blocks it.
    whos = [reader(n, f"198.51.{100 + n % 5}.{n + 1}") for n in range(20)]
    results = _race(database_url, ids[1], whos, policy, IMAGES[1])
    rows = _check_race(store, results, 4)
    assert {r[1] for r in rows} <= {"counted", "repeat", "closed"}


WORKER = r"""
import sys, time
from pathlib import Path
from akhbar.store.base import open_store
from akhbar.types import ReportIn, ReportPolicy
url, article_id, target, first, count, go = sys.argv[1:7]
store = open_store(url)
store.moderation_version()  # connected and migrated: ready
print("ready", flush=True)
while not Path(go).exists():
    time.sleep(0.005)
for n in range(int(first), int(first) + int(count)):
    out = store.record_report(ReportIn("image", int(article_id), target, "private",
                              f"reader-{n}", f"network-{n}"), ReportPolicy(threshold=6))
    print(out.report_id, out.outcome, flush=True)
store.close()
"""


def test_reports_from_several_processes_block_exactly_once(store, ids, database_url, tmp_path):
    go = tmp_path / "go"
    procs = [subprocess.Popen(
        [sys.executable, "-c", WORKER, database_url, str(ids[2]), IMAGES[2], str(p * 5), "5",
         str(go)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for p in range(4)]
    for proc in procs:  # all connected before any reports: the reports overlap
        assert proc.stdout.readline().strip() == "ready"
    go.touch()
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        answers += [line.split() for line in out.splitlines()]
    assert len(answers) == 20
    item = store.moderation_items(("blocked",))[0]
    assert item.target == IMAGES[2] and item.counted == 6
    assert sum(a[1] == "counted" for a in answers) == 6
    blocks = [e for e in store.audit_log(item_id=item.id, limit=1000) if e.action == "block"]
    assert len(blocks) == 1
    logged = {e.report_id for e in store.audit_log(item_id=item.id, limit=1000)
              if e.action == "report"}
    assert logged == {int(a[0]) for a in answers}


# -- unblocking an image clears the copies the crawler blocked ------------------------------

COPY_URLS = ("https://sada.example/media/marche-640.webp", "https://phare.example/img/bab-copie.jpg")


def test_unblocking_an_image_clears_its_system_blocked_copies_not_the_operators(store, ids):
    original = [report(store, ids[0], reader(n)) for n in range(3)][-1].item_id
    other = [report(store, ids[1], reader(n)) for n in range(10, 13)][-1].item_id
    # The image check found three copies of the market photograph and one of the gate.
    by_system = store.block_image_copy(IMAGES[2], ids[2], original, 3)
    also_system = store.block_image_copy(COPY_URLS[0], ids[1], original, 5)
    confirmed = store.block_image_copy(IMAGES[3], ids[3], original, 6)
    store.decide(confirmed, "block", "youssef", "même photo, recadrée")
    of_other = store.block_image_copy(COPY_URLS[1], ids[2], other, 2)
    version = store.moderation_version()
    audited = len(store.audit_log(limit=10_000))

    item = store.decide(original, "unblock", "nadia", "photo d'archive du marché, rien de choquant")
    assert (item.state, item.decided_by) == ("cleared", "nadia")
    for copy_id in (by_system, also_system):
        copy = store.moderation_item(copy_id)
        assert (copy.state, copy.decided_by, copy.counted, copy.match_of) == (
            "cleared", "nadia", 0, original)
        assert copy.reason == (f"copy of item {original} unblocked: "
                               "photo d'archive du marché, rien de choquant")
        entry = store.audit_log(item_id=copy_id)[0]
        assert (entry.actor, entry.action) == ("operator:nadia", "unblock")
        assert entry.detail["copy_of"] == original and entry.at == item.decided_at
        assert entry.detail["reason"] == copy.reason
    # The copy an operator confirmed keeps that decision; another image's copy is untouched.
    assert (store.moderation_item(confirmed).state,
            store.moderation_item(confirmed).decided_by) == ("blocked", "youssef")
    assert store.moderation_item(of_other).state == "blocked"
    assert store.blocked_images() == {IMAGES[1], IMAGES[3], COPY_URLS[1]}
    # One decision: one version bump, and one audit entry per item it changed.
    assert store.moderation_version() == version + 1
    assert len(store.audit_log(limit=10_000)) == audited + 3

    # The image check, still holding the old blocked hashes, does not block them again.
    assert store.block_image_copy(IMAGES[2], ids[2], original, 3) is None
    # Nor once the original is blocked again: an operator cleared those copies.
    store.decide(original, "block", "nadia", "finalement, on la retire")
    assert store.block_image_copy(IMAGES[2], ids[2], original, 3) is None
    assert store.block_image_copy(COPY_URLS[0], ids[1], original, 5) is None
    assert store.moderation_item(by_system).state == "cleared"
    assert store.blocked_images() == {IMAGES[0], IMAGES[1], IMAGES[3], COPY_URLS[1]}
    # Unblocking a copy itself touches only it.
    store.decide(of_other, "unblock", "nadia", "صورة مختلفة")
    assert store.moderation_item(other).state == "blocked"
    assert [a for _, a in actions(store, by_system)] == ["block", "unblock"]


def test_an_unblock_racing_the_image_check_leaves_no_copy_blocked(store, ids, database_url):
    original = [report(store, ids[0], reader(n)) for n in range(3)][-1].item_id
    urls = [f"https://sada.example/media/marche-{n}.jpg" for n in range(12)]
    start = threading.Barrier(len(urls) + 1)
    blocked, errors = {}, []

    def copy(url):
        s = open_store(database_url)
        try:
            start.wait()
            blocked[url] = s.block_image_copy(url, ids[1], original, 4)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            s.close()

    def unblock():
        s = open_store(database_url)
        try:
            start.wait()
            s.decide(original, "unblock", "nadia", "image d'illustration, sans violence")
        except Exception as exc:
            errors.append(exc)
        finally:
            s.close()

    threads = [threading.Thread(target=copy, args=(u,)) for u in urls]
    threads.append(threading.Thread(target=unblock))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    # Each copy was either blocked before the unblock (and cleared by it) or refused after.
    assert store.blocked_images() == frozenset()
    made = [i for i in store.moderation_items(("open", "queued", "blocked", "cleared"))
            if i.match_of == original]
    assert {i.id for i in made} == {v for v in blocked.values() if v is not None}
    for item in made:
        assert (item.state, item.decided_by) == ("cleared", "nadia")
        assert [a for _, a in actions(store, item.id)] == ["block", "unblock"]
