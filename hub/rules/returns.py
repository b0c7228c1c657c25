"""Returns: when parcels expire, when the return scan is due, when to ask support.

Decisions (docs/decisions.md):
- A parcel expires at the end of the 7th day its shop opens after drop-off, in the shop's time zone
  (rules/deadlines.last_pickup_day, kept on the parcel when it is received).
- The expired-parcel notice appears when the server records the expiry: by the scheduled worker
  (``flask worker``), or at the shop's first look after the hold if that comes first. The expiry event
  itself is dated when the hold ended.
- The 2-hour return-scan window counts only the shop's opening hours from that notice, so parcels
  noticed at midnight are due two opening hours after the shop opens. Several notices: the earliest
  still unscanned sets the deadline.
- A parcel staged for return that no carrier has taken for 3 days invites the associate to call support.
"""
from .errors import Conflict, DomainError, N_
from . import deadlines


class NotInThisShop(DomainError):
    message = N_("Parcel %(tracking_id)s is not in this shop's inventory.")


class NotExpiredYet(Conflict):
    message = N_("Parcel %(tracking_id)s has not expired: its customer can collect it until %(day)s.")


class NothingToReturn(Conflict):
    message = N_("Parcel %(tracking_id)s is not waiting for the carrier: it is %(state)s.")


class WrongVisit(Conflict):
    message = N_("This visit is not a return pick-up.")


def notice_at(noticed):
    """When the expired-parcel notice appeared: the earliest notice still waiting for its scan."""
    return min(noticed, default=None)


def scan_deadline(noticed, ranges, closures, tz):
    """When the waiting expired parcels must all be scanned, or None when none waits."""
    start = notice_at(noticed)
    return deadlines.return_scan_deadline(start, ranges, closures, tz) if start else None

