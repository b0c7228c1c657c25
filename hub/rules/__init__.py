"""The rules of a parcel's life: plain Python, no Flask, no database.

Views and operations ask these modules what may happen; nothing here reads a clock
(every function takes ``now``) or a request.
"""
