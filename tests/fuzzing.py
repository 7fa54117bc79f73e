"""What the schema-driven fuzzing checks beyond schemathesis's own checks; shared by the tests and scripts/fuzz_api.py."""

from __future__ import annotations

import json

import schemathesis
from schemathesis.config._checks import NegativeDataRejectionConfig

ERROR_FIELDS = {"status", "code", "message", "request_id"}

# Routes that refuse some schema-valid requests on their meaning or a configured bound, with an error that says
# why; schemathesis's "valid data must be accepted" check is not applied to them (every other check is).
REFUSES_VALID = {
    "GET /cite": "q must contain a citation (《X》第N条, 环保法第59条, …), which no schema can say",
    "POST /citations/check": "an uploaded file must be a readable .txt, .md or .docx",
    "POST /documents": "metadata must be a JSON object of known fields, given as a form string; the number of "
                       "files is bounded by a setting (413)",
    "GET /search": "date_from must not be after date_to",
    "POST /search": "date_from must not be after date_to",
}


# Schemathesis's settings: invalid data may also be refused as a URL over the limit (414) or a body over it (413).
CONFIG = schemathesis.Config.from_dict({"checks": {"negative_data_rejection": {
    "expected-statuses": [*NegativeDataRejectionConfig._DEFAULT_EXPECTED_STATUSES, "413", "414"]}}})


class ErrorShapeViolation(AssertionError):
    pass


def error_shape_problem(response) -> str | None:
    """Why a schemathesis Response that is an error is not in the one shape {"error": {"status", "code", "message",
    "request_id"}}, or None."""
    status = response.status_code
    if status < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith("application/json"):
        return f"{status} answered as {content_type or 'no content type'}, not JSON"
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return f"{status} body is not {{\"error\": …}}: {response.content[:200]!r}"
    if not isinstance(error, dict) or not ERROR_FIELDS <= set(error):
        return f"{status} error lacks {sorted(ERROR_FIELDS - set(error or {}))}"
    if error["status"] != status or not error["message"] or not isinstance(error["code"], str) or not error["request_id"]:
        return f"{status} error fields are wrong: {error}"
    return None


def error_shape(ctx, response, case) -> bool | None:
    """A schemathesis check: every 4xx and 5xx answers in the service's error shape."""
    problem = error_shape_problem(response)
    if problem:
        raise ErrorShapeViolation(problem)
    return None
