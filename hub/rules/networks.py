"""What a network's operators may choose, and the bounds each setting is checked against.

A network sets its hold period in days the shop is open (the networks in the field use 5 to 14), the
capacity its new shops start with (Amazon's Store Feed: at least 5), and the « Autre » carrier's rules:
whether associates may scan in another driver's parcels at all, and within how many opening minutes; and the
largest customer's drop-off its shops take (the heaviest, in kg, and the longest side, in cm).
"""
from .errors import DomainError, N_
from .text import whole_number

HOLD_DAYS = (1, 30)
CAPACITY = (5, 1000)
INTAKE_MINUTES = (5, 240)
# The largest customer's drop-off a network takes: what a shop's associate can lift and a shelf holds.
DROPOFF_MAX_KG = (1, 70)
DROPOFF_MAX_CM = (20, 300)


class BadHoldDays(DomainError):
    message = N_("The hold period must be a whole number of days from %(min)d to %(max)d.")


class BadCapacity(DomainError):
    message = N_("The capacity must be a whole number from %(min)d to %(max)d.")


class BadIntakeMinutes(DomainError):
    message = N_("The intake window must be a whole number of minutes from %(min)d to %(max)d.")


class BadDropoffKg(DomainError):
    message = N_("The heaviest drop-off must be a whole number of kilograms from %(min)d to %(max)d.")


class BadDropoffCm(DomainError):
    message = N_("The longest side of a drop-off must be a whole number of centimetres from %(min)d to %(max)d.")


def hold_days(raw):
    return whole_number(raw, *HOLD_DAYS, BadHoldDays)


def capacity(raw):
    return whole_number(raw, *CAPACITY, BadCapacity)


def intake_minutes(raw):
    return whole_number(raw, *INTAKE_MINUTES, BadIntakeMinutes)


def dropoff_max_kg(raw):
    return whole_number(raw, *DROPOFF_MAX_KG, BadDropoffKg)


def dropoff_max_cm(raw):
    return whole_number(raw, *DROPOFF_MAX_CM, BadDropoffCm)
