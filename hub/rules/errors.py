"""Domain errors. Their messages are English msgids that the web layer translates."""


class Msgid(str):
    """A message id (an English text the catalogue translates), as opposed to data such as a name or a
    tracking ID, which is shown as it is."""


def N_(message):
    """Mark a message for extraction; it is translated where it is shown."""
    return Msgid(message)


class DomainError(Exception):
    """A move the rules refuse. ``status`` is the HTTP status the web layer answers with."""

    status = 422
    message = N_("This action is not allowed.")

    def __init__(self, message=None, **params):
        self.message = message or self.message
        self.params = params
        super().__init__(self.message % params if params else self.message)


class Conflict(DomainError):
    """The request was valid but the world moved on (state changed meanwhile)."""

    status = 409


class ForbiddenTransition(Conflict):
    message = N_("Not possible: this parcel is %(state)s.")


class WrongCode(DomainError):
    message = N_("This code is not valid. Check it and try again.")


class NetworkNotServed(DomainError):
    message = N_("This shop does not serve your network.")


class ShopClosed(DomainError):
    message = N_("The shop is closed.")
