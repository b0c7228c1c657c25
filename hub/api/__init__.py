"""The JSON API for the network's systems, under /api/v1: shipments in, parcels and their events out, the
shop feed, webhooks. Another view layer over the same operations: it parses, calls, and answers refusals
with RFC 9457 problem documents. The OpenAPI 3.1 document is generated from the code (flask-smorest) and
served at /api/v1/openapi.json, with a page that lists the operations beside it (/api/v1/)."""
import http

import flask_smorest
from flask import current_app, render_template
from flask_smorest.utils import prepare_response

from ..core import problems
from .schemas import ProblemOut

PREFIX = "/api/v1"


class Api(flask_smorest.Api):
    """flask-smorest on a plain Flask app, answering errors with problem documents inside the API only."""

    ERROR_SCHEMA = ProblemOut

    def _register_error_handlers(self):
        """The app keeps its own error pages: the API's blueprints handle their errors (hub/api/errors.py)."""

    def _register_responses(self):
        """Every refusal an operation documents is a problem document (RFC 9457), whatever its status."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, problems.MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A refusal, as an RFC 9457 problem document", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, problems.MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _spec_options():
    return {
        "components": {"securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                                      "description": "A network's API key (back office or"
                                                                     " `flask apikeys create NETWORK`)."}}},
        "security": [{"apiKey": []}],
        "info": {"description": "Comptoir's API for a pickup network's systems. Writes take an"
                                " `Idempotency-Key` header; refusals are RFC 9457 problem documents."},
    }


def register(app):
    from . import dropoffs, parcels, shipments, shops, webhooks

    app.config.setdefault("API_TITLE", "Comptoir")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", _spec_options())
    api = Api(app)
    for module in (shipments, dropoffs, parcels, shops, webhooks):
        api.register_blueprint(module.bp, url_prefix=PREFIX + module.bp.url_prefix)
    app.add_url_rule(PREFIX + "/", "api_docs", _docs_page)


def _docs_page():
    """The operations of the API, listed from its OpenAPI document: readable offline, no script."""
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    operations = [(path, method.upper(), op) for path, item in spec["paths"].items() for method, op in item.items()
                  if method in ("get", "post", "put", "patch", "delete")]
    return render_template("api/docs.html", spec=spec, operations=operations, prefix=PREFIX)
