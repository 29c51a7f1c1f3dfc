#!/usr/bin/env python3
"""The compose JSON schema without what validation never reads, as compact JSON: schema-min.py INPUT OUTPUT.

Every CLI run parses the embedded schema; its annotations (description, title, examples, $comment) are
two thirds of its bytes, and dropping them halves the parse (about 1 ms a run here). Only keywords in schema
positions go: property names under properties/patternProperties/definitions stay, whatever they are called."""
import json
import sys

ANNOTATIONS = {"description", "title", "examples", "$comment"}
SCHEMA_MAPS = {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"}
SCHEMA_VALUES = {"items", "additionalItems", "additionalProperties", "not", "if", "then", "else", "contains",
                 "propertyNames", "unevaluatedProperties", "unevaluatedItems"}
SCHEMA_LISTS = {"oneOf", "anyOf", "allOf", "prefixItems"}


def schema(node):
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ANNOTATIONS:
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: schema(sub) for name, sub in value.items()}
        elif key in SCHEMA_VALUES:
            out[key] = [schema(v) for v in value] if isinstance(value, list) else schema(value)
        elif key in SCHEMA_LISTS and isinstance(value, list):
            out[key] = [schema(v) for v in value]
        else:
            out[key] = value
    return out


src, dst = sys.argv[1:3]
with open(src) as f:
    doc = json.load(f)
with open(dst, "w") as f:
    json.dump(schema(doc), f, separators=(",", ":"))
