"""Checks of the conformance run beyond schemathesis's own."""

import schemathesis

IMAGE_OPERATIONS = {
    "/v1/fr/register",
    "/v1/fr/verify",
    "/v1/fr/compare",
    "/v1/fr/count",
    "/v1/fr/identify",
    "/v1/liveness/detect",
    "/v1/ocr/recognize",
}


@schemathesis.check
def schema_valid_image_refused_only_as_undecodable(ctx, response, case):
    """A schema-valid request to an image operation that is refused with
    400 must be refused for its image (40001): any other 400 would be a
    constraint the document does not state."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if case.operation.path not in IMAGE_OPERATIONS or response.status_code != 400:
        return None
    code = response.json().get("code")
    if code != "40001":
        raise AssertionError(
            f"schema-valid request refused with {code} (only 40001, an image that "
            f"does not decode, is beyond what the schema can state): {response.text}"
        )
    return None
