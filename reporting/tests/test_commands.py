"""The operators' commands: `rebuild_rollups` (refuses bad input, a progress bar on a terminal
only) and `check_rollups` (exit status 0 when the rollups match the event log, 1 and the
differences printed when they do not)."""

import io
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from reporting.models import MonthRollup, Rollup, SegmentRollup, StaleDeclaration
from reporting.rollups import stale_refresh
from reporting.testing import (
    Filing,
    History,
    assert_rollups_match,
    histories_insert,
    history_days,
    history_random,
    local,
    scene_make,
)

pytestmark = pytest.mark.django_db

START = date(2025, 3, 10)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def history(reference_data) -> tuple[date, date]:
    """A few days of random declarations, rollups up to date; the first and last day."""
    scene = scene_make()
    rng = random.Random(7)
    histories = [history_random(rng, start=local(START)) for _ in range(15)]
    histories_insert(scene, histories)
    stale_refresh()
    return history_days(histories)


def _wipe() -> None:
    Rollup.objects.all().delete()
    SegmentRollup.objects.all().delete()


@pytest.mark.parametrize("arguments", [
    ["--from", "2025-02-30", "--to", "2025-03-01"],
    ["--from", "10/03/2025", "--to", "2025-03-11"],
    ["--from", "2025-03-11", "--to", "2025-03-10"],
    ["--from", "2025-03-10", "--to", "2025-03-11", "--chunk-days", "0"]])
def test_rebuild_refuses_bad_arguments(reference_data, arguments):
    with pytest.raises(CommandError):
        call_command("rebuild_rollups", *arguments, stdout=io.StringIO())


def test_rebuild_with_nothing_registered_says_so(reference_data):
    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert "Nothing to rebuild" in out.getvalue()


def test_rebuild_shows_a_progress_bar_on_a_terminal(history):
    first, last = history
    _wipe()
    out, err = io.StringIO(), Terminal()
    call_command("rebuild_rollups", "--from", first.isoformat(), "--to", last.isoformat(),
                 "--chunk-days", "1", stdout=out, stderr=err)
    days = (last - first).days + 1
    assert f"({days} transactions)" in out.getvalue()
    # three steps per transaction: the milestones, the days, the months
    assert "rollups" in err.getvalue() and f"0/{3 * days}" in err.getvalue()
    assert_rollups_match(first, last)


def test_rebuild_is_silent_in_logs_and_when_asked(history):
    first, last = history
    for err, verbosity in ((io.StringIO(), 1), (Terminal(), 0)):
        call_command("rebuild_rollups", "--from", first.isoformat(), "--to", last.isoformat(),
                     stdout=io.StringIO(), stderr=err, verbosity=verbosity)
        assert err.getvalue() == ""


def test_rebuild_without_a_range_rebuilds_the_whole_log(reference_data):
    scene = scene_make()
    monday, friday = local(START, 23, 30), local(START + timedelta(days=4), 0, 15)
    histories_insert(scene, [History(
        filing=Filing(),
        events=[("draft", "submitted", monday), ("submitted", "scored", monday),
                ("scored", "yellow", monday), ("yellow", "doc_check", friday),
                ("doc_check", "cleared", friday)],
        payments=[(Decimal(900_000), monday + timedelta(hours=1))])])  # Tuesday
    StaleDeclaration.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert f"from {START} to {friday.date()}" in out.getvalue()
    assert Rollup.objects.filter(day=START + timedelta(days=1)).get().collected_vnd == 900_000
    assert_rollups_match(START, friday.date())


def test_check_passes_when_the_rollups_match(history):
    first, last = history
    out = io.StringIO()
    call_command("check_rollups", "--from", first.isoformat(), "--to", last.isoformat(),
                 stdout=out)
    assert "Rollups match the event log" in out.getvalue()
    call_command("check_rollups", stdout=out)  # the whole log


def test_check_fails_and_prints_the_difference_after_a_row_is_tampered_with(history):
    first, last = history
    row = Rollup.objects.filter(registered__gt=0).order_by("day", "pk").first()
    Rollup.objects.filter(pk=row.pk).update(registered=F("registered") + 5)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check_rollups", "--from", first.isoformat(), "--to", last.isoformat(),
                     stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert (f"registered: rollup {row.registered + 5}, direct {row.registered}"
            in out.getvalue())
    # ...and its month's row is no longer the sum of its days
    assert "MonthRollup" in out.getvalue()
    assert f"2 differences between {first} and {last}" in err.getvalue()


def test_check_fails_when_a_month_row_is_not_the_sum_of_its_days(history):
    first, last = history
    month = MonthRollup.objects.filter(registered__gt=0).order_by("day", "pk").first()
    MonthRollup.objects.filter(pk=month.pk).update(registered=F("registered") + 1)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("check_rollups", "--from", first.isoformat(), "--to", last.isoformat(),
                     stdout=out, stderr=err)
    assert f"month {{'registered': Decimal('{month.registered + 1}')" in out.getvalue()
    assert f"1 differences between {first} and {last}" in err.getvalue()


def test_check_refuses_a_bad_date(reference_data):
    with pytest.raises(CommandError):
        call_command("check_rollups", "--from", "yesterday", "--to", "2025-03-10")


def test_a_rebuild_of_the_whole_history_covers_an_audit_after_the_last_event(reference_data):
    scene = scene_make()
    released = local(START, 9)
    audit = local(START + timedelta(days=20), 10)
    histories_insert(scene, [History(
        filing=Filing(),
        events=[("draft", "submitted", released), ("submitted", "scored", released),
                ("scored", "green", released), ("green", "cleared", released),
                ("cleared", "gate_out", released + timedelta(hours=1))],
        violations=[(Decimal(20_000_000), audit)])])
    StaleDeclaration.objects.all().delete()
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert_rollups_match(START, audit.date())
