"""The web layer: one blueprint per area of the counter, the carrier app and the back office.

A view parses the request, loads what it needs within the user's shop, calls an operation (hub/ops) and
renders the result; it decides no parcel rule itself."""
