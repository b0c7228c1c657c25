"""Call-back requests: « Contacter l'assistance » → a phone number → « Appelez-moi maintenant »."""
import phonenumbers

from ..core.extensions import db
from ..core.models import SupportRequest
from ..rules.errors import DomainError, N_
from ..rules.text import plain_text


class BadPhone(DomainError):
    message = N_("This phone number is not valid. Example: 06 12 34 56 78.")


def normalise_phone(raw, region="FR"):
    """The number in E.164 form (+33612345678), or BadPhone. French national format is accepted."""
    try:
        number = phonenumbers.parse(raw or "", region)
    except phonenumbers.NumberParseException:
        raise BadPhone() from None
    if not phonenumbers.is_valid_number(number):
        raise BadPhone()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national(e164):
    """How a French associate reads the number back: « 06 12 34 56 78 », and a foreign one with its country
    code, « +1 201-555-0123 »; never broken across two lines."""
    number = phonenumbers.parse(e164, "FR")
    french = phonenumbers.region_code_for_number(number) == "FR"
    style = phonenumbers.PhoneNumberFormat.NATIONAL if french else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style).replace(" ", "\u00a0")


def request_call_back(phone, now, *, shop_id=None, account_id=None, name="", screen="", message=""):
    """Record a call-back request for the back office (flushes, never commits)."""
    req = SupportRequest(
        phone=normalise_phone(phone),
        shop_id=shop_id,
        account_id=account_id,
        name=plain_text(name, 120),
        screen=plain_text(screen, 120),
        message=plain_text(message, 2000, lines=True),
        created_at=now,
    )
    db.session.add(req)
    db.session.flush()
    return req
