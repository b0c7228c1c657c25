"""Storage, one module per area. Parcel events are append-only: the parcel's state column is their projection.

Everything is importable from here (``from hub.core.models import Parcel``); a new area gets its own module,
imported below so that every table is known before the first query.
"""
from ...rules.parcels import Size, State  # noqa: F401  (read with the models they describe)
from .base import UTCDateTime  # noqa: F401
from .shops import *  # noqa: F401,F403
from .accounts import *  # noqa: F401,F403
from .parcels import *  # noqa: F401,F403
from .outbox import *  # noqa: F401,F403
from .devices import *  # noqa: F401,F403
from .deposits import *  # noqa: F401,F403
