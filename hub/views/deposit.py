"""« Dépôt d'un client »: the customer's parcel taken at the counter, and the deposit receipt it earns.

The screen has three steps on one fragment: the scan, what the network announced (size or refusal), and the
receipt with the label to print or to stick. A step names the drop-off by what was scanned (``<ref>``: its code,
or its label's tracking ID), found again by ``ops.find`` each time, so a step replayed offline needs no id."""
import io

from barcode import Code128
from barcode.writer import SVGWriter
from flask import Blueprint, abort, g, render_template, request, session, url_for
from flask_babel import format_decimal, gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..core.commands import command
from ..core.extensions import limiter
from ..core.i18n import local_datetime
from ..core.links import public_url
from ..core.models import Parcel
from ..core.web import actor, associate_required, done, explain, in_my_shop_or_404, limit_wait, render
from ..ops import deposits as ops
from ..rules import deposits as rules
from ..rules.errors import DomainError
from ..rules.parcels import Size
from .notice import barcode_svg

bp = Blueprint("deposit", __name__, url_prefix="/depot")

LABEL_FORMATS = ("10x15", "a4")
MAX_REF = 64  # a code or a tracking ID; anything longer is no drop-off's


def _screen(refused=None, **context):
    return render("deposit/screen.html", "deposit/_screen.html", refused=refused, shop=current_user.shop, **context)


def _already(deposit):
    """The refusal of a second scan: when and where it was deposited (in the shop's time), and its receipt again."""
    parcel = deposit.parcel
    return rules.AlreadyDeposited(when=local_datetime(ops.deposited_at(deposit), parcel.shop.timezone, "short"),
                                  shop=parcel.shop.name, deposit=deposit)


def _taken_before(deposit):
    """A drop-off already taken, scanned again: its receipt at the shop that took it; elsewhere only when and where
    (the receipt names its customer and holds its link: it is that shop's and the customer's)."""
    if deposit.parcel.shop_id == current_user.shop_id:
        return _receipt(deposit, refused=_already(deposit))
    elsewhere = _already(deposit)
    return _screen(refused=rules.DepositedElsewhere(**elsewhere.params))


def _receipt(deposit, refused=None, message=None):
    """The receipt screen of a drop-off taken, with the label step when the parcel has no label yet."""
    return _screen(refused=refused, message=message, taken=deposit, parcel=deposit.parcel,
                   event=ops.deposit_event(deposit),
                   qr=barcode_svg(public_url("deposit.receipt", token=deposit.receipt_token)))


def _found(ref, refused=None):
    """What ``ref`` names, on screen: the drop-off to take, its receipt when already taken, or why not."""
    shop = current_user.shop
    try:
        deposit = ops.find(shop, ref[:MAX_REF])
        if deposit.parcel_id is not None:
            return _taken_before(deposit)
        ops.check_can_take(shop, deposit, actor().now)
    except DomainError as err:
        if isinstance(err, rules.UnknownDeposit):
            _count_unknown(ref)
        return _screen(refused=err)
    return _screen(refused=refused, deposit=deposit, **_choices_context([deposit.network]))


# Looking a code up shows what the network announced (the sender's name): a scan that names nothing counts
# against the device's limit. The steps on a drop-off are not lookups: each one takes or refuses it.
RECENT_UNKNOWN = "deposit_unknown"  # in the session: the last codes of this device that named nothing
unknown_scans = limiter.shared_limit(rules.UNKNOWN_LIMIT, scope="deposit-unknown",
                                     key_func=lambda: f"deposit-unknown:{g.device_id}",
                                     deduct_when=lambda _response: g.get("names_no_deposit", False))


@bp.errorhandler(429)
def too_many_unknown(error):
    """The limit met: the drop-off screen says how long to wait, in place of the answer."""
    return _screen(refused=rules.TooManyUnknown(minutes=limit_wait(error)[1]))


def _count_unknown(ref):
    """A code that names nothing counts once against the device's limit: the camera reads the same wrong code
    again every few seconds while the customer's phone stays in view, and a scanner's trigger may be pressed
    twice."""
    key = ref.strip().upper()[:MAX_REF]
    recent = session.get(RECENT_UNKNOWN, [])
    g.names_no_deposit = key not in recent
    if g.names_no_deposit:
        session[RECENT_UNKNOWN] = (recent + [key])[-10:]


def _length(cm):
    """The network's longest side as said at a counter: « 1 m », « 1,5 m », « 80 cm »."""
    if cm < 100:
        return f"{cm} cm"
    return format_decimal(cm / 100) + " m"


def _deposit_or_screen(ref):
    """The drop-off ``ref`` names for a step on it, or the screen to answer instead (refused, or taken before)."""
    try:
        deposit = ops.find(current_user.shop, ref[:MAX_REF])
    except DomainError as err:
        return None, _screen(refused=err)
    if deposit.parcel_id is not None:
        return None, _taken_before(deposit)
    return deposit, None


def _choices_context(networks):
    """The sizes and the strictest limits of ``networks`` (one drop-off's network, or all of an unknown one's)."""
    return dict(sizes=list(Size), max_kg=min(n.dropoff_max_kg for n in networks),
                max_length=_length(min(n.dropoff_max_cm for n in networks)))


def offline_screens(shop, now, placeholder):
    """For the offline bundle: the screen of each drop-off announced for ``shop`` once scanned, by its code (with its
    tracking ID and sender for the receipt « à confirmer »); the code each label names; and the screen of one the
    device does not know, ``placeholder`` standing for what was scanned."""
    announced = ops.for_shop_offline(shop, now)
    known = {deposit.code: {"tracking_id": deposit.tracking_id, "sender": deposit.sender_name,
                            "screen": render_template("deposit/_screen.html", shop=shop, deposit=deposit,
                                                      **_choices_context([deposit.network]))}
             for deposit in announced}
    labels = {deposit.tracking_id: deposit.code for deposit in announced}
    unknown = render_template("deposit/_screen.html", shop=shop, unknown=True, ref=placeholder,
                              **_choices_context(shop.networks))
    return known, labels, unknown


@bp.get("/")
@associate_required
def start():
    """The scan field, focused for the drop-off's QR code or label; « Entrer le code » to type it."""
    if not current_user.shop.offers_customer_dropoff:
        return _screen(closed=explain(rules.NoDropOffHere()))
    return _screen()


@bp.post("/scanner")
@associate_required
@unknown_scans
def scan():
    """The code scanned or typed: what the network announced, to take or refuse (nothing changes yet)."""
    return _found(request.form.get("code", "").strip())


@bp.get("/<ref>")
@associate_required
@unknown_scans
def show(ref):
    """The drop-off ``ref`` names, as its scan shows it (a scan on a screen with no scan field lands here)."""
    return _found(ref)


def _step(ref, field, choices, apply):
    """A step on the drop-off ``ref`` names with the associate's choice in ``field`` (one of ``choices``):
    ``apply(deposit, choice)``'s answer, or the screen again with why not."""
    deposit, answer = _deposit_or_screen(ref)
    if answer is not None:
        return answer
    choice = request.form.get(field, "")
    if choice not in {c.value for c in choices}:
        return _found(ref, refused=rules.ChooseAnAnswer())
    try:
        return apply(deposit, choice)
    except DomainError as err:
        return _found(ref, refused=err)


@bp.post("/<ref>/prendre")
@associate_required
@command
def take(ref):
    """The size confirmed: the parcel goes on the « R » shelf, the customer gets the receipt."""
    return _step(ref, "size", Size, _take)


def _take(deposit, size):
    parcel = ops.take(current_user.shop, deposit, Size(size), actor(), request.form.get("shop_label") or None)
    message = _("Deposited: put it on shelf %(place)s.", place=parcel.shelf_place)
    return done(url_for("deposit.taken", parcel_id=parcel.id), message, lambda: _receipt(deposit, message=message))


@bp.post("/<ref>/refuser")
@associate_required
@command
def refuse(ref):
    """Over the network's limits, confirmed: refused for good; the screen says what to tell the customer."""
    return _step(ref, "over", rules.OverLimit, _refuse)


def _refuse(deposit, over):
    refusal = ops.refuse(current_user.shop, deposit, over, actor())
    # Applied, so not answered as a refusal (a 4xx would undo it): the reason is the step's answer.
    return _screen(refusal=explain(refusal))


def _my_deposit(parcel_id):
    deposit = ops.of_parcel(in_my_shop_or_404(Parcel, parcel_id))
    if deposit is None:
        abort(404)
    return deposit


@bp.get("/colis/<int:parcel_id>")
@associate_required
def taken(parcel_id):
    """A drop-off taken: its receipt to show or print, its label to print or to stick."""
    return _receipt(_my_deposit(parcel_id))


@bp.post("/colis/<int:parcel_id>/etiquette")
@associate_required
@command
def pair_label(parcel_id):
    """« Coller une étiquette du point relais »: the shop's pre-printed barcode now names the parcel."""
    deposit, text = _my_deposit(parcel_id), request.form.get("shop_label", "")[:MAX_REF]
    if rules.read_code(text):  # the next customer's drop-off code, scanned before « Terminé »: not a label
        return _found(text)
    try:
        ops.pair_label(deposit, text)
    except DomainError as err:
        return _receipt(deposit, refused=err)
    message = _("Label %(label)s stuck on the parcel: the carrier will scan it.", label=deposit.shop_label)
    return done(url_for("deposit.taken", parcel_id=parcel_id), message, lambda: _receipt(deposit, message=message))


def code128_svg(text):
    """The tracking ID as a Code 128 barcode, inline SVG (the carrier's scanner reads it off the label)."""
    out = io.BytesIO()
    Code128(text, writer=SVGWriter()).write(out, options={"module_width": 0.35, "module_height": 18,
                                                          "font_size": 11, "text_distance": 4, "quiet_zone": 4})
    svg = out.getvalue().decode()
    return Markup(svg[svg.index("<svg"):])


@bp.get("/etiquette/<int:parcel_id>")
@associate_required
def label(parcel_id):
    """The label of a label-less drop-off, to print on a 10×15 label printer or on A4."""
    deposit = _my_deposit(parcel_id)
    page_format = request.args.get("format", "10x15")
    if page_format not in LABEL_FORMATS:
        page_format = "10x15"
    return render_template("deposit/label.html", deposit=deposit, parcel=deposit.parcel, format=page_format,
                           barcode=code128_svg(deposit.tracking_id))


@bp.get("/recu/<token>")
def receipt(token):
    """The deposit receipt, proof that the shop took the parcel: opened from its QR code or e-mail, no login."""
    deposit = ops.receipt(token)
    if deposit is None:
        abort(404)
    return render_template("deposit/receipt.html", deposit=deposit, parcel=deposit.parcel,
                           event=ops.deposit_event(deposit))
