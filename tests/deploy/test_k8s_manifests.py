"""The Kubernetes manifests say what ops need: every process probed over gRPC, locked
down, with a port named grpc and a deny-all network policy; every CronJob on Kyiv time
calling an RPC that exists."""

import importlib
import pkgutil
from pathlib import Path

import pytest
import yaml
from google.protobuf import descriptor_pool

import partnerprogram

BASE = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "base"
PROCESSES = {"status": 50051, "points": 50052, "licensing": 50053, "compliance": 50054, "gateway": 50050}


def documents():
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    for resource in kustomization["resources"]:
        yield from (d for d in yaml.safe_load_all((BASE / resource).read_text()) if d)


def of_kind(kind):
    return {d["metadata"]["name"]: d for d in documents() if d["kind"] == kind}


@pytest.mark.parametrize("name", sorted(PROCESSES))
def test_each_process_is_probed_over_grpc_and_locked_down(name):
    deployment = of_kind("Deployment")[name]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    assert container["ports"] == [{"name": "grpc", "containerPort": PROCESSES[name], "protocol": "TCP"}]
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["grpc"]["port"] == PROCESSES[name]
    for c in [*pod["initContainers"], container]:
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert "memory" in c["resources"]["limits"]
    assert pod["initContainers"][0]["command"][-1] == "migrate"
    env = {e["name"] for e in container["env"]}
    prefix = name.upper()
    assert {f"{prefix}_DATABASE_URL", f"{prefix}_JWT_SECRET", f"{prefix}_GRPC_PORT", f"{prefix}_NATS_URL"} <= env
    service = of_kind("Service")[name]
    assert service["spec"]["ports"][0]["name"] == "grpc"


def test_network_is_denied_by_default():
    policies = of_kind("NetworkPolicy")
    deny = policies["default-deny-all"]
    assert deny["spec"]["podSelector"] == {}
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    for name in PROCESSES:
        assert f"{name}-ingress" in policies


def test_cronjobs_run_on_kyiv_time_and_call_existing_rpcs():
    for info in pkgutil.walk_packages(partnerprogram.__path__, "partnerprogram."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)
    pool = descriptor_pool.Default()
    cronjobs = of_kind("CronJob")
    assert "points-daily-totals" in cronjobs
    assert cronjobs["points-daily-totals"]["spec"]["schedule"] == "0 23 * * *"  # R-PTS-05
    for name, job in cronjobs.items():
        assert job["spec"]["timeZone"] == "Europe/Kyiv", name
        assert job["spec"]["concurrencyPolicy"] == "Forbid", name
        command = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"]
        service, _, method = command[4].partition("/")
        assert pool.FindServiceByName(service).FindMethodByName(method) is not None, f"{name}: {command[4]}"
