"""Time in Ecuador. fechaEmision and SigningTime are in America/Guayaquil (UTC−05:00, no DST).

Pure: the fixed offset needs no time-zone database, so the workflow sandbox can use it with workflow.now().
"""

from datetime import date, datetime, timedelta, timezone

GUAYAQUIL = timezone(timedelta(hours=-5), "America/Guayaquil")


def now_in_ecuador() -> datetime:
    return datetime.now(GUAYAQUIL)


def today_in_ecuador() -> date:
    return now_in_ecuador().date()
