"""How messages leave: e-mail through SMTP (the standard library's smtplib and email), text messages through
one generic HTTP provider (a POST of JSON to ``SMS_URL`` with a bearer token), webhooks as signed POSTs.

Each returns an Outcome and never raises: a refusal for good (an SMTP 5xx, an HTTP 4xx) is permanent, the
rest (a timeout, a 5xx, a server down) is tried again later. With no SMTP or SMS settings, development
and the demo write the message in the log and count it sent; production keeps it waiting and says why.
"""
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..core import logs
from ..ops.outbox import Outcome
from ..rules import delivery as rules

TIMEOUT = 15  # seconds: a slow receiver holds one worker, never the counter


def _timed(send):
    start = time.perf_counter()
    outcome = send()
    return Outcome(outcome.ok, outcome.permanent, outcome.status_code, outcome.error,
                   int((time.perf_counter() - start) * 1000))


def _not_configured(config, what):
    if config["DEMO_DATA"]:
        logs.log(logging.INFO, f"{what} not configured: message written here only")
        return Outcome(ok=True, error=f"{what} not configured (development): not sent")
    return Outcome(ok=False, error=f"{what} is not configured")


def email_message(config, letter):
    """The e-mail: a plain-text part and an HTML part."""
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = letter["subject"], config["MAIL_FROM"], letter["recipient"]
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="comptoir")
    message.set_content(letter["body"])
    if letter["html"]:
        message.add_alternative(letter["html"], subtype="html")
    return message


def _smtp(config):
    host, port, mode = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TLS"]
    server = (smtplib.SMTP_SSL if mode == "ssl" else smtplib.SMTP)(host, port, timeout=TIMEOUT)
    if mode == "starttls":
        server.starttls()
    if config["SMTP_USER"]:
        server.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
    return server


def send_email(config, letter):
    if not letter["recipient"]:
        return Outcome(ok=False, permanent=True, error="no e-mail address for this customer")
    if not config["SMTP_HOST"]:
        return _not_configured(config, "SMTP_HOST")
    return _timed(lambda: _send_email(config, letter))


def _send_email(config, letter):
    try:
        with _smtp(config) as server:
            server.send_message(email_message(config, letter))
        return Outcome(ok=True)
    except smtplib.SMTPRecipientsRefused as err:
        code, text = next(iter(err.recipients.values()))
        return Outcome(ok=False, permanent=code >= 500, status_code=code, error=_text(code, text))
    except smtplib.SMTPResponseException as err:
        return Outcome(ok=False, permanent=err.smtp_code >= 500, status_code=err.smtp_code,
                       error=_text(err.smtp_code, err.smtp_error))
    except (smtplib.SMTPException, OSError) as err:
        return Outcome(ok=False, error=f"{type(err).__name__}: {err}")


def _text(code, text):
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def _post(url, body, headers):
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json",
                                                                             "User-Agent": "Comptoir", **headers})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return Outcome(ok=True, status_code=response.status)
    except urllib.error.HTTPError as err:
        # A 4xx says the request itself is wrong (but for a timeout or a limit): sending it again changes nothing.
        permanent = 400 <= err.code < 500 and err.code not in (408, 409, 425, 429)
        return Outcome(ok=False, permanent=permanent, status_code=err.code, error=f"HTTP {err.code}")
    except (urllib.error.URLError, OSError, ValueError) as err:
        return Outcome(ok=False, error=f"{type(err).__name__}: {getattr(err, 'reason', err)}")


def send_sms(config, letter):
    if not config["SMS_URL"]:
        return _not_configured(config, "SMS_URL")
    body = json.dumps({"to": letter["recipient"], "from": config["SMS_SENDER"], "text": letter["body"]}).encode()
    return _timed(lambda: _post(config["SMS_URL"], body, {"Authorization": f"Bearer {config['SMS_TOKEN']}"}))


def post_webhook(call, timestamp):
    """The delivery's body as stored, signed with the endpoint's secret over the timestamp and the body."""
    body = call["body"].encode()
    headers = {"Comptoir-Event": call["event_type"], "Comptoir-Delivery": str(call["id"]),
               "Comptoir-Timestamp": str(int(timestamp)), "Comptoir-Signature": rules.sign(call["secret"],
                                                                                           timestamp, body)}
    return _timed(lambda: _post(call["url"], body, headers))
