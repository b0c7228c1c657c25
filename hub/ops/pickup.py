"""Customer pickup operations: open a pickup with its code or notice barcode, hand its parcels over, end the turn."""
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from flask import current_app
from sqlalchemy import func, select, update

from ..core.extensions import db
from ..core.models import ACTIVE_PICKUP, Parcel, ParcelEvent, Pickup, PickupCodeFailure, Shop, ShopChange
from ..rules import pickup as rules
from ..rules.dropoff import normalise_tracking_id, read_tracking_id
from ..rules.errors import Conflict, DomainError, N_, WrongCode
from ..rules.parcels import Action, State
from . import notices, record
from . import shop as shop_ops

MAX_ENTRY = 200  # longer than any code, token or label: cut before it reaches the database


class ParcelLabelAtStart(DomainError):
    message = N_("This is a parcel label. First scan the customer’s notice, or enter their 6-digit code.")


class EmptyScan(DomainError):
    message = N_("Scan a parcel label, or type its tracking ID.")


class NothingWaiting(DomainError):
    status = 409
    message = N_("No parcel is waiting under this code any more: there is nothing to resend.")


@dataclass(frozen=True)
class Guard:
    """Where the device stands against the guessing limit."""

    locked_until: Optional[datetime]
    attempts_left: int


def guard(shop_id, device_id, now):
    """The lock (if any) and the wrong codes left for this device at this shop."""
    since = now - rules.WINDOW
    shop_times = db.session.scalars(
        select(PickupCodeFailure.at).where(PickupCodeFailure.shop_id == shop_id, PickupCodeFailure.at > since)
    ).all()
    device_times = db.session.scalars(
        select(PickupCodeFailure.at).where(PickupCodeFailure.device_id == device_id, PickupCodeFailure.at > since)
    ).all()
    # A guess judged just before this one may have been recorded a moment after this request began.
    device_times, shop_times = [min(t, now) for t in device_times], [min(t, now) for t in shop_times]
    return Guard(rules.locked_until(device_times, shop_times, now), rules.attempts_left(device_times, now))


def open_pickup(shop_id, entry, actor):
    """The pickup a code or notice barcode opens at this shop; a wrong one is recorded, then refused."""
    entry = rules.normalise_entry(entry)[:MAX_ENTRY]
    # The lock stops guessing 6-digit codes; a notice's barcode cannot be guessed and still opens.
    if rules.looks_like_code(entry):
        _one_guess_at_a_time(shop_id)
        if guard(shop_id, actor.device_id, actor.now).locked_until:
            raise rules.TooManyWrongCodes()
    if not entry:
        raise WrongCode()
    pickup = _find(shop_id, entry)
    if pickup is not None:
        return pickup
    if _is_parcel_label(shop_id, entry):
        raise ParcelLabelAtStart()
    _record_failure(shop_id, entry, actor)
    raise WrongCode()


def _one_guess_at_a_time(shop_id):
    """Codes typed at one shop are judged one at a time, the failures counted and the new one recorded in
    the same transaction: many guesses sent at once cannot all pass the count before any is recorded.
    Writing the shop's row takes its lock (PostgreSQL) or the writer's lock (SQLite) until the commit."""
    db.session.execute(update(Shop).where(Shop.id == shop_id).values(capacity=Shop.capacity)
                       .execution_options(synchronize_session=False))


def _find(shop_id, entry):
    # A code names an active pickup only (codes are reused); a token names its pickup for good.
    where = (Pickup.code == entry, ACTIVE_PICKUP) if rules.looks_like_code(entry) else (Pickup.token == entry,)
    return db.session.scalar(select(Pickup).where(Pickup.shop_id == shop_id, *where))


def _is_parcel_label(shop_id, entry):
    tracking_id = normalise_tracking_id(entry)
    return db.session.scalar(
        select(Parcel.id).where(Parcel.shop_id == shop_id, Parcel.tracking_id == tracking_id).limit(1)
    ) is not None


def _record_failure(shop_id, entry, actor):
    # A 6-digit code's plain hash is reversed in a blink, so the digest is keyed with the app's secret.
    digest = hmac.new(current_app.secret_key.encode(), f"{shop_id}:{entry}".encode(), hashlib.sha256).hexdigest()
    db.session.add(PickupCodeFailure(shop_id=shop_id, device_id=actor.device_id, account_id=actor.account_id,
                                     code_digest=digest[:32], at=actor.now))
    db.session.flush()


def is_notice_of(pickup, entry):
    """True when the customer's notice (barcode or code) was scanned again instead of a label."""
    entry = rules.normalise_entry(entry)
    return entry in (pickup.token, pickup.code)


def hand_over(pickup, entry, actor):
    """A label scanned, or its tracking ID typed: hand that parcel over if it is one of this pickup's."""
    tracking_id = read_tracking_id(entry)
    if not tracking_id:
        raise EmptyScan()
    parcel = next((p for p in pickup.parcels if p.tracking_id == tracking_id), None)
    if parcel is None:
        owner = db.session.execute(
            select(Parcel.shop_id, Parcel.pickup_id).where(Parcel.shop_id == pickup.shop_id,
                                                           Parcel.tracking_id == tracking_id).limit(1)
        ).first()
        rules.judge_label(owner and rules.LabelOwner(*owner), tracking_id, pickup.shop_id, pickup.id)
        raise rules.NotThisCustomersParcel(tracking_id=tracking_id)
    return parcel, record(parcel, Action.HAND_TO_CUSTOMER, actor)


class AlreadyDealtWith(Conflict):
    message = N_("%(tracking_id)s was already dealt with for this customer. Scan its label to hand it over after all.")


def option(parcel, opened_at, operation, actor):
    """A parcel's option (« Impossible à trouver », « Rejeter ») in a turn: only on a parcel still waiting."""
    if not rules.handleable(_handling(parcel, opened_at)):
        raise AlreadyDealtWith(tracking_id=parcel.tracking_id)
    return operation(parcel, actor)


def mark_not_found(parcel, actor):
    """« Impossible à trouver »: the parcel is not on its shelf; it stays under the customer's code."""
    return record(parcel, Action.MARK_NOT_FOUND, actor)


def reject(parcel, actor):
    """« Rejeter »: the customer refuses the parcel; it goes back with the carrier."""
    if parcel.state == State.TO_RETURN:
        return _note_refusal(parcel, actor)
    return record(parcel, Action.REJECT, actor)


def _note_refusal(parcel, actor):
    """A parcel already staged for return stays so; the customer's refusal is still kept as an event,
    from to_return to to_return, so replaying the log still gives the parcel's state."""
    last = parcel.events[-1] if parcel.events else None
    if last is None or last.action != Action.REJECT:
        record(parcel, Action.REJECT, actor, keep_repeat=True)
    return None


@dataclass(frozen=True)
class Line:
    """One parcel of the pickup as the turn shows it."""

    parcel: Parcel
    handling: rules.Handling

    @property
    def outcome(self):
        return rules.outcome(self.handling)

    @property
    def handleable(self):
        return rules.handleable(self.handling)

    @property
    def gone_because(self):
        return rules.gone_because(self.handling)


def _last_events(parcels):
    """Each parcel's latest event, in one query ({parcel_id: ParcelEvent})."""
    latest = (select(func.max(ParcelEvent.id)).where(ParcelEvent.parcel_id.in_([p.id for p in parcels]))
              .group_by(ParcelEvent.parcel_id).scalar_subquery())
    return {e.parcel_id: e for e in db.session.scalars(select(ParcelEvent).where(ParcelEvent.id.in_(latest)))}


def _handling(parcel, opened_at, last=None):
    if last is None:
        last = _last_events([parcel]).get(parcel.id)
    return rules.Handling(parcel.state, last.action if last else None,
                          bool(last and last.recorded_at >= opened_at))


def turn(pickup, opened_at):
    """The pickup's parcels as they stand in the turn opened at ``opened_at``: shelf order, gone ones last."""
    last = _last_events(pickup.parcels)
    lines = [Line(p, _handling(p, opened_at, last.get(p.id))) for p in pickup.parcels]
    return sorted(lines, key=lambda ln: (ln.outcome == rules.TurnOutcome.GONE, ln.parcel.shelf_place or "",
                                         ln.parcel.tracking_id))


def summarise(pickup, opened_at):
    """What the turn did with each parcel (the summary's keys are the parcels)."""
    return rules.summarise([(line.parcel, line.handling) for line in turn(pickup, opened_at)])


def finish(pickup, opened_at):
    """« Terminé »: summarise the turn; with nothing left under its code, the pickup ends and frees it."""
    summary = summarise(pickup, opened_at)
    if not summary.keeps_code and pickup.active:
        pickup.active = False
        db.session.flush()
    return summary


def resend_notice(pickup, actor):
    """Customer service sends the notice again, with the same code; the outbox keeps the message and the
    shop's log says who resent it and when."""
    if not pickup.active:
        raise NothingWaiting()
    shop_ops.note(pickup.shop, ShopChange.NOTICE_RESENT, actor, detail=pickup.customer_name)
    return notices.notice_resent(pickup, actor.now)
