"""R-POL-01: the policy version in force on a day, and the task that follows status's versions."""

from __future__ import annotations

import asyncio
from datetime import date

import yaml

from ppcore.policy import DEFAULT_POLICY_PATH, load_policy
from ppcore.policy_book import PolicyBook, VersionDocument, follow_policy_versions


def _document(version: str, gold_points: int) -> str:
    raw = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    raw["version"] = version
    raw["statuses"]["gold"]["min_active_points"] = gold_points
    return yaml.safe_dump(raw, allow_unicode=True)


def test_the_file_applies_until_the_first_version_and_each_version_from_its_date():
    base = load_policy()
    book = PolicyBook(base)
    book.update([(date(2027, 3, 2), "gold-600", _document("gold-600", 600))])
    book.update([(date(2027, 6, 1), "gold-700", _document("gold-700", 700))])
    assert book.on(date(2027, 3, 1)) is base
    assert book.on(date(2027, 3, 2)).statuses.gold.min_active_points == 600
    assert book.on(date(2027, 5, 31)).version == "gold-600"
    assert book.on(date(2030, 1, 1)).version == "gold-700"


def test_the_follower_keeps_what_it_knows_when_a_fetch_fails_and_parses_each_version_once():
    book = PolicyBook(load_policy())
    answers: list[list[VersionDocument] | Exception] = [
        [(date(2027, 3, 2), "gold-600", _document("gold-600", 600))],
        ConnectionError("status is down"),
        [(date(2027, 3, 2), "gold-600", "not even yaml: [")],  # known already: not parsed again
    ]
    stop = asyncio.Event()

    async def fetch() -> list[VersionDocument]:
        answer = answers.pop(0)
        if not answers:
            stop.set()
        if isinstance(answer, Exception):
            raise answer
        return answer

    asyncio.run(follow_policy_versions(book, fetch, stop, interval_seconds=0.001))
    assert book.on(date(2027, 3, 2)).statuses.gold.min_active_points == 600
