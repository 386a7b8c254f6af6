#!/usr/bin/env python3
"""Validates JSON documents against the DEP JSON Schemas (draft 2020-12).

Usage: check-dep-schemas.py SCHEMA_DIR DOCUMENT_DIR

Every document in DOCUMENT_DIR is named <Schema>[.<anything>].json and is validated against SCHEMA_DIR/<Schema>.json,
with $ref between the schema files resolved, enums, limits and formats (date-time, uri, email) enforced.
Prints one line per document and exits 1 when any document is invalid, 2 on a usage error.
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema_dir, document_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    schemas = {path.name: json.loads(path.read_text()) for path in schema_dir.glob("*.json")}
    registry = Registry().with_resources(
        (name, Resource.from_contents(schema)) for name, schema in schemas.items()
    )
    documents = sorted(document_dir.glob("*.json"))
    if not documents:
        print(f"no documents in {document_dir}", file=sys.stderr)
        return 2
    failures = 0
    for document in documents:
        schema_name = document.name.split(".")[0] + ".json"
        if schema_name not in schemas:
            print(f"{document.name}: no schema {schema_name}")
            failures += 1
            continue
        validator = Draft202012Validator(
            schemas[schema_name], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        errors = sorted(validator.iter_errors(json.loads(document.read_text())), key=lambda e: list(e.path))
        if errors:
            failures += 1
            for error in errors:
                location = "/".join(str(part) for part in error.path) or "(root)"
                print(f"{document.name}: INVALID at {location}: {error.message}")
        else:
            print(f"{document.name}: valid against {schema_name}")
    print(f"{len(documents) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
