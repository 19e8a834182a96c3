"""Offline validation of Redfish JSON bodies against the DMTF JSON schemas.

    import rf_schema
    errors = rf_schema.validate(body)   # a list of strings; empty means valid

The schema is chosen from @odata.type ("#ComputerSystem.v1_27_0.ComputerSystem" ->
ComputerSystem.v1_27_0.json, definition ComputerSystem; "#XCollection.XCollection" ->
XCollection.json). A body with "error" and no @odata.type is a Redfish error
(redfish-error.v1_0_2.json). Events (#Event.v1_13_0.Event) validate like any resource.
On top of the schemas, messages are checked against the registries: every MessageId in an
error or event must exist in the Base / ResourceEvent registry, with the right number of
MessageArgs, the registry's severity, and the registry's text with the arguments filled in.
The OData service document (/redfish/v1/odata) has no JSON schema; its shape is checked.

Schemas are found at $BMCD_REDFISH_SCHEMAS, else at <repo>/../shared/redfish/json-schema
(where the project's CI keeps a copy); the registries next to them (../registries). Without
them, the tests that validate skip with a clear reason (require()). Only the newest version of each schema family is
there, while the unversioned schemas reference every version ("anyOf" over
Foo.v1_0_0 ... Foo.v1_27_0): references to files that are not present resolve to a schema
that accepts nothing, so such an anyOf is decided by the version that is present. Nothing
is fetched from the network.

Written for Debian bookworm's python3-jsonschema 4.10 (RefResolver, draft-7 validators as
redfish-schema-v1.json declares); newer releases still provide RefResolver.
"""

import json
import os
import re
import warnings
from datetime import datetime
from pathlib import Path

import jsonschema
from jsonschema import FormatChecker, RefResolver, validators

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = Path(os.environ.get("BMCD_REDFISH_SCHEMAS",
                                 ROOT.parent / "shared" / "redfish" / "json-schema"))
REGISTRY_DIR = SCHEMA_DIR.parent / "registries"
BASE_URI = "http://redfish.dmtf.org/schemas/v1/"
ERROR_SCHEMA = "redfish-error.v1_0_2.json"

_TYPE = re.compile(r"^#([A-Za-z0-9]+)\.(?:(v\d+_\d+_\d+)\.)?([A-Za-z0-9]+)$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class _Absent(dict):
    """definitions of a schema file that is not here: every name is a schema that fails."""

    def __missing__(self, key):
        return {"not": {}, "description": "schema version not available offline"}


_state = {}


# DMTF publishes the schemas only on its own site (no Debian or npm package carries them),
# and the project may not vendor them. Where they are not found, every schema check is
# skipped with this reason (make test reports the skips) instead of failing a bare clone.
MISSING = (f"DMTF Redfish JSON schemas not found at {SCHEMA_DIR}: schema validation skipped "
           f"(set BMCD_REDFISH_SCHEMAS to a copy of DMTF's json-schema folder, with "
           f"registries/ beside it)")


def available():
    return SCHEMA_DIR.is_dir()


def require():
    """Skips the calling test when the schemas are not here (see MISSING)."""
    if not available():
        import pytest
        pytest.skip(MISSING)


def _store():
    if "store" not in _state:
        require()
        store = {}
        for f in sorted(SCHEMA_DIR.glob("*.json")):
            with open(f, encoding="utf-8") as fh:
                doc = json.load(fh)
            store[BASE_URI + f.name] = doc
            if isinstance(doc.get("$id"), str):
                store[doc["$id"].rstrip("#")] = doc
        _state["store"] = store
    return _state["store"]


def _registries():
    if "reg" not in _state:
        reg = {}
        for f in sorted(REGISTRY_DIR.glob("*.json")):
            with open(f, encoding="utf-8") as fh:
                doc = json.load(fh)
            major, minor = doc["RegistryVersion"].split(".")[:2]
            reg[f"{doc['RegistryPrefix']}.{major}.{minor}"] = doc["Messages"]
        _state["reg"] = reg
    return _state["reg"]


def _remote(uri):
    """A referenced document that is not in the store (never fetched)."""
    return {"definitions": _Absent()}


def _validator_class(doc):
    """The draft the schema declares, following $schema through the store."""
    store, seen = _store(), 0
    while isinstance(doc, dict) and seen < 4:
        meta = doc.get("$schema", "")
        cls = validators.validator_for({"$schema": meta}, default=None)
        if cls is not None:
            return cls
        doc = store.get(meta.rstrip("#"))
        seen += 1
    return jsonschema.Draft7Validator


def _format_checker():
    fc = FormatChecker(formats=())

    @fc.checks("date-time", raises=ValueError)
    def _dt(value):
        if not isinstance(value, str):
            return True
        if not _DATE_TIME.match(value):
            raise ValueError(f"{value!r} is not an RFC 3339 date-time")
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    return fc


def _where(err):
    path = "/".join(str(p) for p in err.absolute_path)
    return "/" + path


def _leaves(err):
    if not err.context:
        yield err
    for e in err.context:
        yield from _leaves(e)


def _explain(err):
    """The most telling failure under an anyOf: the deepest one, and not the branches that
    only say "null", "a bare reference" or "a version that is not here"."""
    def score(e):
        m = e.message
        bare_ref = isinstance(e.schema, dict) and set(e.schema.get("properties", {})) == {"@odata.id"}
        return (len(e.absolute_path), "of type 'null'" not in m,
                "should not be valid under" not in m, not bare_ref)
    return max(_leaves(err), key=score)


def _schema_errors(body, file, definition):
    store = _store()
    uri = BASE_URI + file
    if uri not in store:
        return [f"no schema file {file} in {SCHEMA_DIR}"]
    doc = store[uri]
    if definition not in doc.get("definitions", {}):
        return [f"{file} has no definition {definition}"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = RefResolver(base_uri=uri, referrer=doc, store=store,
                               handlers={"http": _remote, "https": _remote})
    cls = _validator_class(doc)
    v = cls({"$ref": f"{uri}#/definitions/{definition}"}, resolver=resolver,
            format_checker=_format_checker())
    out = []
    for err in v.iter_errors(body):
        e = _explain(err)
        out.append(f"{file}#{definition} at {_where(e)}: {e.message}"[:600])
    return out


def _check_message(m, where, expect_prefixes):
    """A Message or EventRecord against its registry."""
    errs = []
    mid = m.get("MessageId")
    if not isinstance(mid, str):
        return [f"{where}: no MessageId"]
    parts = mid.split(".")
    if len(parts) != 4:
        return [f"{where}: MessageId {mid!r} is not Prefix.Major.Minor.Key"]
    reg_key, key = ".".join(parts[:3]), parts[3]
    if parts[0] not in expect_prefixes:
        errs.append(f"{where}: MessageId {mid!r} is not from {'/'.join(expect_prefixes)}")
    reg = _registries().get(reg_key)
    if reg is None:
        return errs + [f"{where}: no registry {reg_key} in {REGISTRY_DIR}"]
    d = reg.get(key)
    if d is None:
        return errs + [f"{where}: {key} is not in registry {reg_key}"]
    args = m.get("MessageArgs", [])
    n = d.get("NumberOfArgs", 0)
    if len(args) != n:
        errs.append(f"{where}: {mid} takes {n} MessageArgs, got {len(args)}")
    sev = m.get("MessageSeverity")
    if sev is not None and sev != d.get("MessageSeverity"):
        errs.append(f"{where}: {mid} MessageSeverity {sev!r}, registry says "
                    f"{d.get('MessageSeverity')!r}")
    if "Message" in m and len(args) == n:
        want = re.sub(r"%(\d+)", lambda g: str(args[int(g.group(1)) - 1]), d["Message"])
        if m["Message"] != want:
            errs.append(f"{where}: Message {m['Message']!r} is not the registry's {want!r}")
    return errs


def _semantic(body):
    errs = []
    if "Members" in body and "Members@odata.nextLink" not in body:
        count = body.get("Members@odata.count")
        if isinstance(count, int) and count != len(body["Members"]):
            errs.append(f"Members@odata.count {count} but {len(body['Members'])} members "
                        "and no nextLink")
    if isinstance(body.get("error"), dict):
        info = body["error"].get("@Message.ExtendedInfo", [])
        if not info:
            errs.append("error without @Message.ExtendedInfo")
        for i, m in enumerate(info):
            errs += _check_message(m, f"/error/@Message.ExtendedInfo/{i}", ("Base",))
        code = body["error"].get("code")
        if info and code not in [m.get("MessageId") for m in info] \
                and code != "Base.1.22.GeneralError":
            errs.append(f"error.code {code!r} is none of the MessageIds")
    for i, ev in enumerate(body.get("Events", []) if "Events" in body else []):
        if isinstance(ev, dict):
            errs += _check_message(ev, f"/Events/{i}", ("ResourceEvent", "Base", "TaskEvent"))
    return errs


def _odata_service_document(body):
    errs = []
    if body.get("@odata.context") != "/redfish/v1/$metadata":
        errs.append("service document: @odata.context is not /redfish/v1/$metadata")
    value = body.get("value")
    if not isinstance(value, list) or not value:
        return errs + ["service document: no value array"]
    for i, v in enumerate(value):
        if not (isinstance(v, dict) and isinstance(v.get("name"), str)
                and isinstance(v.get("url"), str) and v.get("kind") == "Singleton"):
            errs.append(f"service document: value/{i} is not {{name, kind: Singleton, url}}")
    return errs


def schema_for(body):
    """(file, definition) the body validates against, or None."""
    t = body.get("@odata.type")
    if isinstance(t, str):
        m = _TYPE.match(t)
        if not m:
            return None
        family, ver, name = m.groups()
        return (f"{family}.{ver}.json" if ver else f"{family}.json", name)
    if "error" in body:
        return (ERROR_SCHEMA, "RedfishError")
    return None


def validate(body):
    """Validates one Redfish JSON body (a dict). Returns a list of error strings."""
    if not isinstance(body, dict):
        return [f"body is a {type(body).__name__}, not an object"]
    if "@odata.type" not in body and "value" in body and "@odata.context" in body:
        return _odata_service_document(body)
    target = schema_for(body)
    if target is None:
        return [f"cannot choose a schema: @odata.type {body.get('@odata.type')!r}"]
    return _schema_errors(body, *target) + _semantic(body)


def validate_text(text):
    """Validates a body given as text (one JSON document)."""
    try:
        body = json.loads(text)
    except ValueError as e:
        return [f"not JSON: {e}"]
    return validate(body)


if __name__ == "__main__":
    import sys

    rc = 0
    for name in sys.argv[1:]:
        with open(name, encoding="utf-8") as fh:
            errs = validate_text(fh.read())
        for e in errs:
            print(f"{name}: {e}")
        rc |= bool(errs)
    sys.exit(rc)
