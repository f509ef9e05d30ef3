"""Schema post-processing: document the error responses every operation can give."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "required": ["detail"],
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Field name (or non_field_errors / detail) to messages; nested per goods line.",
    "additionalProperties": True,
}

_COMMON = {
    "401": "Not authenticated.",
    "403": "This role may not do this.",
    "404": "Not found, or not yours.",
    "429": "Too many requests: throttled.",
}
_WRITE = {"409": "State conflict: wrong state, or someone acted first.",
          "412": "Stale If-Match: the object changed since you read it.",
          "415": "The body's media type is not one this operation takes."}


def document_error_responses(result, generator, request, public):
    """Add 400/401/403/404/429 (and 409/412/415 for writes) to every operation that lacks them."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    components.setdefault("FieldErrors", FIELD_ERRORS_SCHEMA)
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.setdefault("400", {
                "description": "Bad input: field errors, or a business rule refused it.",
                "content": {"application/json": {"schema": {
                    "anyOf": [ref, {"$ref": "#/components/schemas/FieldErrors"}]}}}})
            wanted = dict(_COMMON)
            if method in {"post", "put", "patch", "delete"}:
                wanted.update(_WRITE)
            for code, description in wanted.items():
                responses.setdefault(code, {"description": description,
                                            "content": {"application/json": {"schema": ref}}})
    return result


def link_created_resources(result, generator, request, public):
    """OpenAPI links from each creating POST on a collection (`.../things/`) to every operation
    on the created thing (`.../things/{id}/...`), so clients and the stateful fuzzer can follow
    a created object's id to what acts on it."""
    paths = result.get("paths", {})
    for collection, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if not created or not collection.endswith("/"):
            continue
        prefix = f"{collection}{{id}}/"
        links = {}
        for path, operations in paths.items():
            if not path.startswith(prefix):
                continue
            for method, operation in operations.items():
                if isinstance(operation, dict) and "operationId" in operation:
                    links[operation["operationId"]] = {
                        "operationId": operation["operationId"],
                        "parameters": {"id": "$response.body#/id"},
                        "description": f"{method.upper()} {path} on the created object"}
        if links:
            created["links"] = links
    return result
