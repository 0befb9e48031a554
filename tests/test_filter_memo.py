"""The memoised filters (issue #19): a memo must never answer for another value that compares equal."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from generator.render import filters


def test_equal_instants_in_other_zones_format_their_own_wall_clock() -> None:
    utc = dt.datetime(2020, 1, 1, 10, 0, tzinfo=dt.UTC)
    paris = utc.astimezone(ZoneInfo("Europe/Paris"))
    assert utc == paris and hash(utc) == hash(paris)  # what a plain memo would confuse
    assert filters.date_format(utc, "%H:%M %Z") == "10:00 UTC"
    assert filters.date_format(paris, "%H:%M %Z") == "11:00 CET"
    assert filters.date_to_xmlschema(utc) == "2020-01-01T10:00:00+00:00"
    assert filters.date_to_xmlschema(paris) == "2020-01-01T11:00:00+01:00"


def test_fold_is_part_of_the_key() -> None:
    zone = ZoneInfo("Europe/Paris")  # 2020-10-25 02:30 happens twice
    first = dt.datetime(2020, 10, 25, 2, 30, tzinfo=zone, fold=0)
    second = first.replace(fold=1)
    assert filters.date_to_xmlschema(first) == "2020-10-25T02:30:00+02:00"
    assert filters.date_to_xmlschema(second) == "2020-10-25T02:30:00+01:00"
    assert filters.date_format(first, "%-d %z") == "25 +0200"
    assert filters.date_format(second, "%-d %z") == "25 +0100"


def test_memoised_results_equal_the_direct_ones() -> None:
    moment = dt.datetime(2021, 3, 5, 7, 8, tzinfo=dt.UTC)
    for fmt in ("%b %-d, %Y", "%b %-d", "%-m/%-d %-H:%M"):
        assert filters.date_format(moment, fmt) == filters._date_format(moment, fmt)
    assert filters.date_format(dt.date(2021, 3, 5), "%b %-d") == "Mar 5"  # not memoised: still right
    assert filters.date_format("not a date") == "not a date"
    assert filters.slugify("Deep Learning & RNNs!") == "deep-learning-rnns"
    assert filters.slugify("Deep Learning & RNNs!") == "deep-learning-rnns"  # from the memo
    assert filters.slugify(None) == ""
