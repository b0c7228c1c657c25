"""The instant a test run starts at, so that no test passes only on some days.

``COMPTOIR_TEST_START`` (ISO 8601 with its offset) sets it; when it is not set, one instant is drawn
from a seed: any minute of any day from 2026 to 2029, in the demo shops' time zone. The run prints
``COMPTOIR_TEST_START=…`` at its top, so a failure is reproduced by setting it.

``NAMED`` are the instants that have broken date code before; ``scripts/test-dates.sh`` runs the
whole suite at each of them.

    python -m tests.instants            # the instant of a run (drawn unless the variable is set)
    python -m tests.instants --named    # the named instants, one per line
"""
import os
import random
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

VARIABLE = "COMPTOIR_TEST_START"
SEED_VARIABLE = "COMPTOIR_TEST_SEED"
ZONE = ZoneInfo("Europe/Paris")
FIRST, LAST = datetime(2026, 1, 1, tzinfo=ZONE), datetime(2030, 1, 1, tzinfo=ZONE)

NAMED = {
    "sunday-evening": "2027-01-17T20:00:00+01:00",       # a Sunday at 20:00: the demo shop is closed
    "spring-forward": "2027-03-28T01:30:00+01:00",       # half an hour before clocks jump to 03:00
    "fall-back": "2026-10-25T02:30:00+02:00",            # the first of the two 02:30s
    "new-years-eve": "2026-12-31T23:50:00+01:00",        # ten minutes before the year changes
    "monday-before-opening": "2027-02-01T07:00:00+01:00",  # a Monday at 07:00, before opening
    "leap-day": "2028-02-29T12:00:00+01:00",             # noon on 29 February
}


def parse(text):
    """An instant written in ISO 8601 with its offset; refuses one without."""
    instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError(f"{VARIABLE} needs an offset, e.g. 2027-03-28T01:30:00+01:00, not {text!r}")
    return instant


def draw(seed):
    """One minute between 2026 and 2029, chosen by ``seed``, written with the Paris offset of that moment."""
    minutes = int((LAST - FIRST).total_seconds() // 60)
    utc = FIRST.astimezone(ZoneInfo("UTC")) + timedelta(minutes=random.Random(seed).randrange(minutes))
    return utc.astimezone(ZONE)


def resolve(environ=os.environ):
    """The run's instant: the variable when set, else drawn (and the variable set for child processes)."""
    if environ.get(VARIABLE):
        return parse(environ[VARIABLE])
    seed = environ.get(SEED_VARIABLE) or str(random.SystemRandom().randrange(10**9))
    instant = draw(seed)
    environ[VARIABLE] = instant.isoformat()
    return instant


if __name__ == "__main__":
    if sys.argv[1:] == ["--named"]:
        print("\n".join(NAMED.values()))
    else:
        print(resolve().isoformat())
