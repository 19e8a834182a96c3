"""Every JSON body the Redfish engine produces validates against the DMTF schemas.

Runs build/tests/unit/test_redfish with RF_DUMP_DIR set (it crawls every resource and
collection member, provokes error bodies and writes SSE event payloads), then validates
each dumped body with tests/rf_schema.py. Also checks $metadata's references against the
CSDL files, and that the validator itself rejects broken bodies (so a pass means something).

    cd /work/main && /usr/bin/python3 -m pytest -q tests/unit/test_redfish_schema.py
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import rf_schema  # noqa: E402

BIN = ROOT / "build" / "tests" / "unit" / "test_redfish"
CSDL = rf_schema.SCHEMA_DIR.parent / "csdl"

# bodies the crawl must have produced: one of each resource kind, errors, events
EXPECTED = [
    "service_root", "odata", "systems", "system", "system_powering_on", "reset_action_info",
    "log_services", "event_log", "log_entries", "log_entry_1", "log_entries_page1",
    "chassis_collection", "chassis", "managers", "manager", "network_protocol",
    "account_service", "accounts", "account_1", "roles", "role_administrator",
    "session_service", "sessions", "session", "session_created", "event_service",
    "error_401", "error_403", "error_404", "error_405", "error_412", "error_429",
    "error_501", "error_503", "error_malformed", "error_patch_many", "error_plain_http",
    "error_early_411", "sse_power_on", "sse_log", "json_schemas", "json_schema_file",
    "json_schema_file_coll", "registries", "registry_file", "system_inventory",
]


@pytest.fixture(scope="module")
def dumps(tmp_path_factory):
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: build it first (make unit)")
    d = tmp_path_factory.mktemp("redfish-bodies")
    env = dict(os.environ, RF_DUMP_DIR=str(d))
    r = subprocess.run([str(BIN)], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"test_redfish failed:\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return d


def test_crawl_dumped_everything(dumps):
    names = {p.stem for p in dumps.glob("*.json")}
    missing = [n for n in EXPECTED if n not in names]
    assert not missing, f"not dumped: {missing}"
    assert len(names) >= 60


def test_every_body_is_schema_valid(dumps):
    failures = []
    files = sorted(dumps.glob("*.json"))
    for f in files:
        text = f.read_text(encoding="utf-8")
        try:
            body = json.loads(text)
        except ValueError as e:
            failures.append(f"{f.name}: not JSON: {e}")
            continue
        failures += [f"{f.name}: {e}" for e in rf_schema.validate(body)]
    assert not failures, f"{len(failures)} schema errors in {len(files)} bodies:\n" + \
        "\n".join(failures)


def test_types_are_the_shipped_versions(dumps):
    """@odata.type names exactly a schema file that is present (no guessed versions)."""
    rf_schema.require()
    bad = []
    for f in sorted(dumps.glob("*.json")):
        body = json.loads(f.read_text(encoding="utf-8"))
        for t in re.findall(r'"@odata\.type":\s*"([^"]+)"', json.dumps(body)):
            target = rf_schema.schema_for({"@odata.type": t})
            if not target or not (rf_schema.SCHEMA_DIR / target[0]).exists():
                bad.append(f"{f.name}: {t}")
    assert not bad, "\n".join(bad)


def test_metadata_references_exist(dumps):
    rf_schema.require()
    xml = (dumps / "metadata.xml").read_text(encoding="utf-8")
    refs = re.findall(r'<edmx:Reference Uri="([^"]+)">(.*?)</edmx:Reference>', xml, re.S)
    assert len(refs) > 20
    bad = []
    for uri, inner in refs:
        name = uri.rsplit("/", 1)[1]
        path = CSDL / name
        if not path.exists():
            bad.append(f"{name}: no such CSDL file")
            continue
        text = path.read_text(encoding="utf-8")
        for ns in re.findall(r'Namespace="([^"]+)"', inner):
            if f'Namespace="{ns}"' not in text:
                bad.append(f"{name}: no namespace {ns}")
    container = re.search(r'Extends="([^"]+)\.ServiceContainer"', xml)
    assert container and f'Namespace="{container.group(1)}"' in xml
    assert not bad, "\n".join(bad)
    # every schema family the bodies use is referenced
    used = set()
    for f in dumps.glob("*.json"):
        for t in re.findall(r'"@odata\.type":\s*"#([A-Za-z0-9]+)\.', f.read_text()):
            used.add(t)
    referenced = {u.rsplit("/", 1)[1][:-len("_v1.xml")] for u, _ in refs}
    assert used <= referenced, f"not in $metadata: {sorted(used - referenced)}"


def _body(dumps, name):
    return json.loads((dumps / f"{name}.json").read_text(encoding="utf-8"))


def test_validator_rejects_broken_bodies(dumps):
    """rf_schema is not vacuous: each mutation of a valid body is caught."""
    system = _body(dumps, "system")
    assert rf_schema.validate(system) == []
    cases = {
        "missing Id": {k: v for k, v in system.items() if k != "Id"},
        "bad enum": dict(system, PowerState="Up"),
        "unknown property": dict(system, Bogus=1),
        "bad UUID": dict(system, UUID="xyz"),
        "bad nested enum": dict(system, Boot=dict(system["Boot"], BootSourceOverrideMode="X")),
        "unknown version": dict(system, **{"@odata.type": "#ComputerSystem.v1_99_0.ComputerSystem"}),
    }
    entries = _body(dumps, "log_entries")
    cases["count as string"] = dict(entries, **{"Members@odata.count": "3"})
    cases["count mismatch"] = dict(entries, **{"Members@odata.count": 999})
    entry = _body(dumps, "log_entry_1")
    cases["bad date"] = dict(entry, Created="2023-11-14 22:13:20")
    err = _body(dumps, "error_404")
    info = dict(err["error"]["@Message.ExtendedInfo"][0], MessageArgs=["only one"])
    cases["arg count"] = {"error": dict(err["error"], **{"@Message.ExtendedInfo": [info]})}
    info = dict(err["error"]["@Message.ExtendedInfo"][0], Message="Something else.")
    cases["message text"] = {"error": dict(err["error"], **{"@Message.ExtendedInfo": [info]})}
    cases["no code"] = {"error": {k: v for k, v in err["error"].items() if k != "code"}}
    event = _body(dumps, "sse_power_on")
    rec = {k: v for k, v in event["Events"][0].items() if k != "MemberId"}
    cases["event record"] = dict(event, Events=[rec])
    rec = dict(event["Events"][0], MessageId="ResourceEvent.1.4.NoSuchMessage")
    cases["event message"] = dict(event, Events=[rec])
    passed = [name for name, body in cases.items() if not rf_schema.validate(body)]
    assert not passed, f"accepted although broken: {passed}"


def test_schema_files_point_at_shipped_schemas(dumps):
    """Every JsonSchemaFile names a schema file DMTF publishes (checked against the copy)."""
    rf_schema.require()
    coll = json.loads((dumps / "json_schemas.json").read_text(encoding="utf-8"))
    assert coll["Members@odata.count"] == len(coll["Members"]) > 20
    f = json.loads((dumps / "json_schema_file.json").read_text(encoding="utf-8"))
    name = f["Location"][0]["PublicationUri"].rsplit("/", 1)[1]
    assert (rf_schema.SCHEMA_DIR / name).exists(), name
    reg = json.loads((dumps / "registry_file.json").read_text(encoding="utf-8"))
    name = reg["Location"][0]["PublicationUri"].rsplit("/", 1)[1]
    assert (rf_schema.REGISTRY_DIR / name).exists(), name


def test_every_log_entry_has_severity(dumps):
    """The OCP baseline wants Severity on every LogEntry (embedded in collections too)."""
    seen = 0
    for f in sorted(dumps.glob("log_entr*.json")):
        body = json.loads(f.read_text(encoding="utf-8"))
        for e in body.get("Members", [body]):
            if "@odata.type" in e and ".LogEntry" in e["@odata.type"]:
                seen += 1
                assert e.get("Severity") in ("OK", "Warning", "Critical"), (f.name, e)
    assert seen >= 3
