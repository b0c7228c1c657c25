"""The back office's list of the operator's networks' drop-offs, newest first, 50 a page, by status."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core.extensions import db
from ..core.models import Deposit, Parcel
from ..rules.deposits import DepositStatus
from ..rules.parcels import State

PAGE = 50


def _where(status):
    """What a status means on the drop-off and its parcel. The parcel's state is asked of each drop-off read
    (a correlated EXISTS), so the read stays on the drop-offs' index, newest first, and stops at a page:
    a join would let the planner start from every parcel of that state and sort them all."""
    if status is None:
        return []
    if status == DepositStatus.REFUSED:
        return [Deposit.refused_at.is_not(None)]
    if status == DepositStatus.ANNOUNCED:
        # ``+ 0``: not the index on parcel_id, whose NULLs are every drop-off never taken (to sort them all).
        return [(Deposit.parcel_id + 0).is_(None), Deposit.refused_at.is_(None)]
    return [sa.exists().where(Parcel.id == Deposit.parcel_id, Parcel.state == State(status.value))]


def page(network_ids, status=None, after=None, size=PAGE):
    """One page of the networks' drop-offs with ``status`` (any, when None), newest first, from just after
    ``after`` (the last row's (created_at, id) of the page before): per network, a read of its (network,
    created) index from the top, merged. Returns (deposits, the next page's ``after`` or None)."""
    where = _where(status)
    if after is not None:
        where.append(sa.tuple_(Deposit.created_at, Deposit.id) < tuple(after))
    rows = [deposit for network_id in network_ids for deposit in db.session.scalars(
        select(Deposit).where(Deposit.network_id == network_id, *where)
        .order_by(Deposit.created_at.desc(), Deposit.id.desc()).limit(size + 1)
        .options(joinedload(Deposit.parcel).joinedload(Parcel.shop), joinedload(Deposit.shop),
                 joinedload(Deposit.network)))]
    rows.sort(key=lambda deposit: (deposit.created_at, deposit.id), reverse=True)
    shown, more = rows[:size], len(rows) > size
    return shown, ((shown[-1].created_at.isoformat(), shown[-1].id) if more else None)


def read_after(raw):
    """The (created_at, id) a page starts after, from the « next page » link; anything else starts at the top."""
    if len(raw) != 2 or not raw[1].isdigit():
        return None
    try:
        after = datetime.fromisoformat(raw[0])
    except ValueError:
        return None
    return (after, int(raw[1])) if after.tzinfo is not None else None  # the link writes an offset: no other
