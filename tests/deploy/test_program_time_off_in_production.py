"""Production never follows a moved program time (DESIGN: Time): nothing that the
production overlay deploys turns ``<PROCESS>_PROGRAM_TIME_ENABLED`` on, and the setting
itself is off unless set."""

from pathlib import Path

import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
TRUE = {"true", "1", "yes", "on"}


def _production_documents(directory: Path = K8S / "overlays" / "production"):
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    for resource in kustomization.get("resources", []):
        path = (directory / resource).resolve()
        if path.is_dir():
            yield from _production_documents(path)
        else:
            yield from (d for d in yaml.safe_load_all(path.read_text()) if d)
    yield from kustomization.get("patches", [])


def _strings(node, path=()):
    """Every (key path, scalar) pair of a YAML tree, with env entries keyed by their name."""
    if isinstance(node, dict):
        if "name" in node and "value" in node:
            yield (*path, str(node["name"])), str(node["value"])
        for key, value in node.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, path)
    elif isinstance(node, str):
        yield path, node


def test_the_production_overlay_never_enables_program_time():
    documents = list(_production_documents())
    assert any(d.get("kind") == "Deployment" for d in documents if isinstance(d, dict))
    enabled = [
        (path, value)
        for document in documents
        for path, value in _strings(document)
        if path and "PROGRAM_TIME_ENABLED" in path[-1].upper() and value.strip().lower() in TRUE
    ]
    # Patches are YAML text inside the kustomization: read them as text too.
    patches = "\n".join(str(p) for p in documents if isinstance(p, dict) and "patch" in p)
    assert enabled == []
    assert "PROGRAM_TIME_ENABLED" not in patches.upper()
