"""Validates ASFF findings (a JSON array file) as BatchImportFindings parameters, with botocore's
Security Hub service model (shape AwsSecurityFinding); prints the errors as JSON.

botocore's ParamValidator checks required members, types and minimums. The model's enums,
patterns and maximums, which the service enforces, are checked by walking the same shapes; the
text limits ASFF documents but the model does not carry (Title 256, Description 1024, ...) are
checked last.

Usage: python validate_asff.py FINDINGS.json
"""

import json
import re
import sys

import botocore.session
from botocore.validate import ParamValidator

# Security Hub user guide, "AWS Security Finding Format (ASFF)": documented limits.
DOCUMENTED_MAX = {
    ("Id",): 512,
    ("GeneratorId",): 512,
    ("Title",): 256,
    ("Description",): 1024,
    ("Remediation", "Recommendation", "Text"): 512,
}
BATCH = 100


def walk(shape, value, path, errors):
    meta = shape.metadata
    where = ".".join(path)
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, v in value.items():
            if name in shape.members:
                walk(shape.members[name], v, path + [name], errors)
    elif shape.type_name == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{where}: {len(value)} items, at most {meta['max']}")
        for i, v in enumerate(value):
            walk(shape.member, v, path + [str(i)], errors)
    elif shape.type_name == "map" and isinstance(value, dict):
        for k, v in value.items():
            walk(shape.key, k, path + ["(key)"], errors)
            walk(shape.value, v, path + [k], errors)
    elif shape.type_name == "string" and isinstance(value, str):
        if "enum" in meta and value not in meta["enum"]:
            errors.append(f"{where}: {value!r} is not one of {meta['enum']}")
        if "pattern" in meta and not re.fullmatch(meta["pattern"], value, re.S):
            errors.append(f"{where}: {value[:80]!r} does not match {meta['pattern']}")
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{where}: {len(value)} characters, at most {meta['max']}")


def documented(finding, errors, i):
    for path, limit in DOCUMENTED_MAX.items():
        v = finding
        for p in path:
            v = v.get(p) if isinstance(v, dict) else None
        if isinstance(v, str) and len(v) > limit:
            errors.append(f"{i}.{'.'.join(path)}: {len(v)} characters, at most {limit}")


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        findings = json.load(f)
    model = botocore.session.get_session().get_service_model("securityhub")
    op = model.operation_model("BatchImportFindings")
    errors = []
    for start in range(0, len(findings), BATCH):
        report = ParamValidator().validate({"Findings": findings[start : start + BATCH]}, op.input_shape)
        if report.has_errors():
            errors.append(report.generate_report())
    shape = model.shape_for("AwsSecurityFinding")
    for i, finding in enumerate(findings):
        walk(shape, finding, [str(i)], errors)
        documented(finding, errors, i)
        if len(json.dumps(finding).encode()) > 240 * 1024:
            errors.append(f"{i}: larger than 240 KB")
    print(json.dumps({"count": len(findings), "errors": errors}))


main()
