"""The answer deadline: N working days after an appeal arrives (Kazakhstan calendar)."""
from __future__ import annotations

import datetime as dt

# Fixed-date public holidays of Kazakhstan (Labour Code art. 84 / Law on holidays). Movable
# Kurban Ait and government-decreed bridge days are not known in advance and are not counted.
FIXED_HOLIDAYS = {(1, 1), (1, 2), (3, 8), (3, 21), (3, 22), (3, 23), (5, 1), (5, 7), (5, 9),
                  (7, 6), (8, 30), (10, 25), (12, 16)}


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a fixed public holiday."""
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The moment `days` working days after `start` (same time of day)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    moment = start
    left = days
    while left:
        moment += dt.timedelta(days=1)
        if is_working_day(moment.date()):
            left -= 1
    return moment
