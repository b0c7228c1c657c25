"""Enumerated values with a title to show: one class for every enumerated column and state."""
from enum import Enum


class TitledEnum(str, Enum):
    """A value kept as its string (in the database, in URLs, in forms), with a title for people.

    The title is a message id, translated where it is shown::

        class Size(TitledEnum):
            SMALL = "small", N_("small size")
    """

    def __new__(cls, value, title=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._title = title or value
        return member

    @property
    def title(self):
        return self._title

    def __str__(self):
        return self.value
