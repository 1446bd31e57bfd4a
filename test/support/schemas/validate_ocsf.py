"""Validates OCSF events (a JSON array file) against a JSON Schema file; prints the errors as JSON.

Usage: python validate_ocsf.py SCHEMA.json EVENTS.json
"""

import json
import sys

import jsonschema


def main() -> None:
    schema_path, events_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(events_path, encoding="utf-8") as f:
        events = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = [
        {"index": i, "path": e.json_path, "message": e.message[:300]}
        for i, event in enumerate(events)
        for e in validator.iter_errors(event)
    ]
    print(json.dumps({"count": len(events), "errors": errors}))


main()
