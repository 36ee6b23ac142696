"""When a site is next re-checked: a fixed interval, seasons, or cron; sooner after a failure. Pure.

Annual reports come out in a short season (by 31 January; 15 March before 2019): a site can be
checked daily then and weekly otherwise, or on a cron schedule. Days and cron fields are read in
China Standard Time (UTC+8, no daylight saving), where the sites publish. A pass that failed
(its listing unreachable, a challenge, robots.txt down) is tried again after 15 minutes, then
30, 60, ... but never later than the regular schedule would.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from croniter import croniter

from producers.sites import Recheck, Season, Site

CST = timezone(timedelta(hours=8))
RETRY_BASE = 900.0  # seconds before the first retry of a failed pass; doubles with each failure


def next_check(site: Site, now: float) -> float:
    """The unix time site is next due after a pass (or a claim) at `now`."""
    rule = site.recheck
    if rule is None:
        return now + site.recheck_interval.total_seconds()
    if rule.cron:
        return float(croniter(rule.cron, datetime.fromtimestamp(now, CST)).get_next(float))
    return _seasonal(rule, site.recheck_interval.total_seconds(), now)


def interval_at(site: Site, now: float) -> float:
    """Seconds from now until site is next due (what the schedule's claim adds to now)."""
    return max(1.0, next_check(site, now) - now)


def retry_delay(failures: int, regular: float) -> float:
    """Seconds before a failed pass is tried again: 15 min doubling, at most the regular wait."""
    return min(regular, RETRY_BASE * 2 ** max(0, failures - 1))


def in_season(season: Season, moment: datetime) -> bool:
    """Whether a CST moment falls in the season (from and to days included; may span new year)."""
    day = moment.strftime("%m-%d")
    if season.start <= season.end:
        return season.start <= day <= season.end
    return day >= season.start or day <= season.end


def _seasonal(rule: Recheck, fallback: float, now: float) -> float:
    moment = datetime.fromtimestamp(now, CST)
    steps = [s.every.total_seconds() for s in rule.seasons if in_season(s, moment)]
    if steps:
        return now + min(steps)
    step = rule.otherwise.total_seconds() if rule.otherwise else fallback
    # Between seasons: the longer step, but never past the start of the next season.
    return min(now + step, _next_season_start(rule.seasons, moment))


def _next_season_start(seasons: list[Season], moment: datetime) -> float:
    starts = []
    for season in seasons:
        month, day = (int(part) for part in season.start.split("-"))
        for year in (moment.year, moment.year + 1):
            start = datetime(year, month, day, tzinfo=CST)
            if start > moment:
                starts.append(start.timestamp())
                break
    return min(starts)
