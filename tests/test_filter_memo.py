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


def test_unpadded_codes_print_what_strftime_prints_without_padding() -> None:
    """`%-d` and friends come from the datetime's fields, not from strftime: the same numbers as
    strftime's padded codes with their zeros dropped, for every code, over dates and times that
    cover every day of years (leap and not), every hour (12-hour clock: midnight and noon) and
    small years (`%y` of year 5)."""
    start = dt.datetime(2019, 12, 25, 0, 0, 0)
    moments = [start + dt.timedelta(days=d, hours=d * 7 % 24, minutes=d % 60, seconds=d * 13 % 60) for d in range(800)]
    moments += [dt.datetime(5, 1, 9, 12, 0, 7), dt.datetime(1999, 12, 31, 23, 59, 59), dt.datetime(2000, 2, 29, 12, 5)]
    moments += [m.replace(tzinfo=ZoneInfo("America/New_York")) for m in moments[:50]]
    for code in "dmHIMSjy":
        for moment in moments:
            assert filters._date_format(moment, f"%-{code}") == str(int(moment.strftime(f"%{code}"))), (code, moment)
    for moment in moments:
        for fmt in ("%b %-d, %Y", "%-I:%M %p, %-j %%-d", "%Y-%m-%d", "%-d%-m%-y"):
            expected = filters.NO_PAD.sub(lambda m, moment=moment: str(int(moment.strftime("%" + m.group(1)))), fmt)
            assert filters._date_format(moment, fmt) == moment.strftime(expected)
