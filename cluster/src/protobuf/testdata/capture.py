#!/usr/bin/env python3
"""Captures the request bodies kubectl sends, as fixtures for the protobuf decoder tests.

Usage (from this directory):

    python3 capture.py [--kubectl-dir /usr/lib/google-cloud-sdk/bin] [--only NAME]

For every case in CASES it runs the kubectl command once per version in VERSIONS against a
stub API server on 127.0.0.1 (plain HTTP), and writes the body of the command's write request
(POST / PUT / DELETE) to:

    <name>.<version>.pb     when kubectl sent `application/vnd.kubernetes.protobuf`
    <name>.<version>.json   when kubectl sent `application/json`

kubectl 1.31 sends JSON from its typed clients, 1.32 and 1.33 send protobuf. The tests in
`../tests.rs` decode each `.pb` file and compare the result with the `.json` file of the same
case captured with kubectl 1.31.

The stub answers just enough for kubectl: legacy discovery (`/api`, `/apis`, resource lists),
`/version`, a GET of the objects `kubectl expose` / `kubectl delete` look up, and a JSON echo
of every write, so that kubectl prints its usual success line. Nothing here needs a network.

To add a fixture: append a case to CASES (name, kubectl arguments, and optionally the number of
the write request to keep when the command makes several), run the script, and add the name to
the list in `../tests.rs`.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSIONS = ["1.31", "1.32", "1.33"]


# (name, kubectl arguments, index of the write request to keep (0 = first))
CASES = [
    ("secret-generic", ["create", "secret", "generic", "s1", "--from-literal=user=admin",
                        "--from-literal=password=s3cr3t", "--type=Opaque"], 0),
    ("secret-generic-labels", ["create", "secret", "generic", "s2", "--from-literal=k=v",
                               "--append-hash", "-n", "team-a"], 0),
    ("secret-tls", ["create", "secret", "tls", "tls1", "--cert=cert.pem", "--key=key.pem"], 0),
    ("secret-docker-registry", ["create", "secret", "docker-registry", "reg1",
                                "--docker-server=registry.example.com", "--docker-username=bob",
                                "--docker-password=hunter2", "--docker-email=bob@example.com"], 0),
    ("configmap", ["create", "configmap", "cm1", "--from-literal=a=1", "--from-literal=b=two",
                   "--from-file=bin.dat"], 0),
    ("configmap-empty", ["create", "configmap", "cm2"], 0),
    ("namespace", ["create", "namespace", "ns1"], 0),
    ("serviceaccount", ["create", "serviceaccount", "sa1"], 0),
    ("service-clusterip", ["create", "service", "clusterip", "svc1", "--tcp=80:8080",
                           "--tcp=443:https"], 0),
    ("service-headless", ["create", "service", "clusterip", "svc2", "--clusterip=None"], 0),
    ("service-nodeport", ["create", "service", "nodeport", "svc3", "--tcp=80:8080",
                          "--node-port=30080"], 0),
    ("service-loadbalancer", ["create", "service", "loadbalancer", "svc4", "--tcp=5678:8080"], 0),
    ("service-externalname", ["create", "service", "externalname", "svc5",
                              "--external-name=db.example.com", "--tcp=5432"], 0),
    ("expose-pod", ["expose", "pod", "web", "--port=80", "--target-port=8080", "--name=web-svc",
                    "--session-affinity=ClientIP", "--external-ip=10.0.0.9",
                    "--load-balancer-ip=", "--labels=tier=front"], 0),
    ("expose-service-udp", ["expose", "service", "dns", "--port=53", "--protocol=UDP",
                            "--name=dns2", "--type=NodePort"], 0),
    ("auth-can-i", ["auth", "can-i", "create", "secrets", "--subresource=status", "-n", "team-a"], 0),
    ("auth-can-i-name", ["auth", "can-i", "get", "pods/web", "-n", "default"], 0),
    ("auth-can-i-nonresource", ["auth", "can-i", "get", "/healthz"], 0),
    ("auth-can-i-all-namespaces", ["auth", "can-i", "list", "deployments.apps", "-A"], 0),
    ("auth-can-i-list", ["auth", "can-i", "--list", "-n", "team-a"], 0),
    ("auth-whoami", ["auth", "whoami"], 0),
    ("run-pod", ["run", "web", "--image=nginx:1.27", "--port=80", "--labels=app=web,tier=front",
                 "--env=MODE=prod", "--restart=Never", "--image-pull-policy=IfNotPresent",
                 "--", "nginx", "-g", "daemon off;"], 0),
    ("delete-secret", ["delete", "secret", "s1", "--grace-period=5", "--cascade=foreground"], 0),
    ("debug-copy", ["debug", "web", "--copy-to=web-copy", "--image=busybox:1.36", "--container=dbg",
                    "--share-processes", "--profile=general", "--env=DEBUG=1"], 0),
    ("debug-node", ["debug", "node/n1", "--image=busybox:1.36", "--profile=general"], 0),
    ("drain-eviction", ["drain", "n1", "--force", "--grace-period=7", "--timeout=5s"], 0),
    ("ingress", ["create", "ingress", "ing1", "--class=nginx",
                 "--rule=foo.example.com/api*=api:8080,tls=foo-tls",
                 "--rule=/static=static:http", "--default-backend=fallback:80",
                 "--annotation=a=b"], 0),
    ("create-token", ["create", "token", "sa1", "--duration=1h", "--audience=api"], 0),
]

CORE_RESOURCES = [
    ("secrets", "Secret", True), ("configmaps", "ConfigMap", True),
    ("namespaces", "Namespace", False), ("serviceaccounts", "ServiceAccount", True),
    ("services", "Service", True), ("pods", "Pod", True), ("events", "Event", True),
    ("endpoints", "Endpoints", True), ("resourcequotas", "ResourceQuota", True),
    ("nodes", "Node", False),
]
GROUPS = {
    "apps/v1": [("deployments", "Deployment", True)],
    "batch/v1": [("jobs", "Job", True), ("cronjobs", "CronJob", True)],
    "rbac.authorization.k8s.io/v1": [("roles", "Role", True), ("rolebindings", "RoleBinding", True),
                                     ("clusterroles", "ClusterRole", False),
                                     ("clusterrolebindings", "ClusterRoleBinding", False)],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)],
    "networking.k8s.io/v1": [("ingresses", "Ingress", True)],
    "scheduling.k8s.io/v1": [("priorityclasses", "PriorityClass", False)],
    "authorization.k8s.io/v1": [("selfsubjectaccessreviews", "SelfSubjectAccessReview", False),
                                ("selfsubjectrulesreviews", "SelfSubjectRulesReview", False)],
    "authentication.k8s.io/v1": [("selfsubjectreviews", "SelfSubjectReview", False)],
}

POD = {
    "kind": "Pod", "apiVersion": "v1",
    "metadata": {"name": "web", "namespace": "default", "uid": "0f1e2d3c-0000-4000-8000-000000000001",
                 "labels": {"app": "web"}, "annotations": {"note": "rich <pod> & fixture"},
                 "resourceVersion": "7", "generation": 1,
                 "creationTimestamp": "2025-01-02T03:04:05Z",
                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d9",
                                      "uid": "0f1e2d3c-0000-4000-8000-0000000000aa",
                                      "controller": True, "blockOwnerDeletion": True}],
                 "finalizers": ["example.com/keep"],
                 "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "v1",
                                    "time": "2025-01-02T03:04:05Z", "fieldsType": "FieldsV1",
                                    "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}]},
    "spec": {
        "volumes": [
            {"name": "data", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
            {"name": "cfg", "configMap": {"name": "web-cfg", "items": [{"key": "a", "path": "a.txt", "mode": 420}],
                                          "defaultMode": 420, "optional": True}},
            {"name": "sec", "secret": {"secretName": "web-sec", "defaultMode": 256}},
            {"name": "proj", "projected": {"sources": [
                {"serviceAccountToken": {"audience": "api", "expirationSeconds": 3600, "path": "token"}},
                {"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"apiVersion": "v1",
                                                                          "fieldPath": "metadata.labels"}},
                                           {"path": "cpu", "resourceFieldRef": {"containerName": "web",
                                                                                "resource": "limits.cpu",
                                                                                "divisor": "1m"}}]}},
                {"configMap": {"name": "ca", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}],
                "defaultMode": 420}},
            {"name": "claim", "persistentVolumeClaim": {"claimName": "web-data", "readOnly": True}},
            {"name": "host", "hostPath": {"path": "/var/log", "type": "Directory"}},
            {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {
                "metadata": {"labels": {"t": "scratch"}},
                "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast",
                         "resources": {"requests": {"storage": "1Gi"}}}}}},
        ],
        "initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", "true"],
                            "restartPolicy": "Always", "resources": {}}],
        "containers": [{
            "name": "web", "image": "nginx:1.27", "workingDir": "/srv",
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                      {"containerPort": 9090, "hostPort": 19090, "protocol": "UDP", "hostIP": "127.0.0.1"}],
            "envFrom": [{"prefix": "CFG_", "configMapRef": {"name": "web-cfg", "optional": False}},
                        {"secretRef": {"name": "web-sec"}}],
            "env": [{"name": "MODE", "value": "prod"},
                    {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "web-sec", "key": "pass",
                                                                    "optional": True}}},
                    {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}}],
            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"},
                          "requests": {"cpu": "250m", "memory": "64Mi", "ephemeral-storage": "1G"}},
            "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
            "volumeMounts": [{"name": "data", "mountPath": "/data"},
                             {"name": "cfg", "mountPath": "/etc/web", "readOnly": True, "subPath": "web",
                              "mountPropagation": "None"}],
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP",
                                          "httpHeaders": [{"name": "X-Probe", "value": "1"}]},
                              "initialDelaySeconds": 3, "periodSeconds": 10, "timeoutSeconds": 1,
                              "successThreshold": 1, "failureThreshold": 3},
            "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 5},
            "startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "failureThreshold": 30,
                             "terminationGracePeriodSeconds": 10},
            "lifecycle": {"preStop": {"sleep": {"seconds": 5}},
                          "postStart": {"exec": {"command": ["echo", "hi"]}}},
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
            "imagePullPolicy": "IfNotPresent",
            "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                                "runAsUser": 1000, "runAsNonRoot": True, "readOnlyRootFilesystem": True,
                                "allowPrivilegeEscalation": False,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "stdin": True, "tty": True,
        }],
        "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "activeDeadlineSeconds": 600,
        "dnsPolicy": "ClusterFirst", "nodeSelector": {"kubernetes.io/os": "linux"},
        "serviceAccountName": "web", "serviceAccount": "web", "automountServiceAccountToken": False,
        "nodeName": "n1", "shareProcessNamespace": False,
        "securityContext": {"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 2000,
                            "supplementalGroups": [4000, 5000], "sysctls": [{"name": "net.core.somaxconn",
                                                                              "value": "1024"}],
                            "fsGroupChangePolicy": "OnRootMismatch",
                            "seLinuxOptions": {"level": "s0:c123,c456"}},
        "imagePullSecrets": [{"name": "regcred"}], "hostname": "web-0", "subdomain": "web",
        "affinity": {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]},
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 10, "preference": {"matchFields": [{"key": "metadata.name", "operator": "NotIn",
                                                                   "values": ["n9"]}]}}]},
            "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 50, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "web"}},
                                                   "topologyKey": "kubernetes.io/hostname"}}]}},
        "schedulerName": "default-scheduler",
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                         "tolerationSeconds": 300}],
        "hostAliases": [{"ip": "10.1.2.3", "hostnames": ["foo.local", "bar.local"]}],
        "priorityClassName": "high", "priority": 1000,
        "dnsConfig": {"nameservers": ["1.1.1.1"], "searches": ["svc.local"],
                      "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]},
        "readinessGates": [{"conditionType": "example.com/ready"}],
        "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority",
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                                       "labelSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]},
                                       "minDomains": 2}],
        "os": {"name": "linux"},
    },
    "status": {"phase": "Running", "podIP": "10.244.0.5", "podIPs": [{"ip": "10.244.0.5"}],
               "hostIP": "192.168.1.10", "qosClass": "Burstable", "startTime": "2025-01-02T03:04:06Z",
               "conditions": [{"type": "Ready", "status": "True",
                               "lastTransitionTime": "2025-01-02T03:04:09Z"}],
               "containerStatuses": [{"name": "web", "ready": True, "restartCount": 2, "image": "nginx:1.27",
                                      "imageID": "docker.io/library/nginx@sha256:abc",
                                      "containerID": "containerd://123", "started": True,
                                      "state": {"running": {"startedAt": "2025-01-02T03:04:08Z"}},
                                      "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                                                   "startedAt": "2025-01-02T03:04:07Z",
                                                                   "finishedAt": "2025-01-02T03:04:07Z"}}}]},
}
SERVICE_DNS = {
    "kind": "Service", "apiVersion": "v1",
    "metadata": {"name": "dns", "namespace": "default", "uid": "0f1e2d3c-0000-4000-8000-000000000002",
                 "labels": {"k8s-app": "dns"}, "resourceVersion": "8"},
    "spec": {"selector": {"k8s-app": "dns"}, "clusterIP": "10.96.0.10",
             "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}]},
}
NODE = {
    "kind": "Node", "apiVersion": "v1",
    "metadata": {"name": "n1", "uid": "0f1e2d3c-0000-4000-8000-000000000004", "resourceVersion": "5",
                 "labels": {"kubernetes.io/hostname": "n1"}},
    "spec": {},
}
VICTIM = {
    "kind": "Pod", "apiVersion": "v1",
    "metadata": {"name": "victim", "namespace": "default", "uid": "0f1e2d3c-0000-4000-8000-000000000005",
                 "resourceVersion": "6"},
    "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "busybox"}]},
}
SECRET = {
    "kind": "Secret", "apiVersion": "v1",
    "metadata": {"name": "s1", "namespace": "default", "uid": "0f1e2d3c-0000-4000-8000-000000000003",
                 "resourceVersion": "9"},
    "type": "Opaque",
}


def varint(buf, i):
    shift = 0
    value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def fields(buf):
    """Yields (tag, value) for the length-delimited and varint fields of a message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        tag, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
            yield tag, v
        elif wire == 2:
            n, i = varint(buf, i)
            yield tag, buf[i:i + n]
            i += n
        elif wire == 1:
            yield tag, buf[i:i + 8]
            i += 8
        elif wire == 5:
            yield tag, buf[i:i + 4]
            i += 4
        else:
            return


def summarize_protobuf(body):
    """apiVersion, kind and metadata.name of a protobuf body, for the echo answer."""
    unknown = dict(fields(body[4:]))
    type_meta = dict(fields(unknown.get(1, b"")))
    raw = dict(fields(unknown.get(2, b"")))
    meta = dict(fields(raw.get(1, b""))) if isinstance(raw.get(1), bytes) else {}
    name = meta.get(1, b"")
    return (type_meta.get(1, b"").decode(), type_meta.get(2, b"").decode(),
            name.decode() if isinstance(name, bytes) else "")


def answer_for_write(method, path, content_type, body):
    if method == "DELETE":
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "details": {"name": path.rsplit("/", 1)[-1], "kind": "secrets"}}
    if "protobuf" in content_type:
        api_version, kind, name = summarize_protobuf(body)
        obj = {"kind": kind, "apiVersion": api_version, "metadata": {"name": name}}
    else:
        obj = json.loads(body)
        kind = obj.get("kind", "")
    obj.setdefault("metadata", {})["uid"] = "0f1e2d3c-0000-4000-8000-0000000000ff"
    if kind == "SelfSubjectAccessReview":
        obj["status"] = {"allowed": True}
    elif kind == "SelfSubjectRulesReview":
        obj["status"] = {"resourceRules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}],
                         "nonResourceRules": [], "incomplete": False}
    elif kind == "SelfSubjectReview":
        obj["status"] = {"userInfo": {"username": "admin", "groups": ["system:masters"]}}
    elif kind == "TokenRequest":
        obj["status"] = {"token": "t0k3n", "expirationTimestamp": "2030-01-01T00:00:00Z"}
    return obj


def resource_list(group_version, resources):
    return {
        "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
        "resources": [{"name": n, "singularName": n[:-1].lower(), "namespaced": ns, "kind": k,
                       "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}
                      for (n, k, ns) in resources]
                     + ([{"name": "serviceaccounts/token", "singularName": "", "namespaced": True,
                          "group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest",
                          "verbs": ["create"]},
                         {"name": "pods/eviction", "singularName": "", "namespaced": True,
                          "group": "policy", "version": "v1", "kind": "Eviction",
                          "verbs": ["create"]}] if group_version == "v1" else []),
    }


class Stub(BaseHTTPRequestHandler):
    writes = []

    def log_message(self, *args):
        pass

    def reply(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/version":
            return self.reply(200, {"major": "1", "minor": "33", "gitVersion": "v1.33.1"})
        if path == "/api":
            return self.reply(200, {"kind": "APIVersions", "versions": ["v1"],
                                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                                    "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            groups = []
            for gv in GROUPS:
                g, v = gv.split("/")
                groups.append({"name": g, "versions": [{"groupVersion": gv, "version": v}],
                               "preferredVersion": {"groupVersion": gv, "version": v}})
            return self.reply(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        if path == "/api/v1":
            return self.reply(200, resource_list("v1", CORE_RESOURCES))
        if path.startswith("/apis/") and path[len("/apis/"):] in GROUPS:
            gv = path[len("/apis/"):]
            return self.reply(200, resource_list(gv, GROUPS[gv]))
        if path == "/api/v1/namespaces/default/pods/web":
            return self.reply(200, POD)
        if path == "/api/v1/namespaces/default/services/dns":
            return self.reply(200, SERVICE_DNS)
        if path == "/api/v1/namespaces/default/secrets/s1":
            return self.reply(200, SECRET)
        if path == "/api/v1/nodes/n1":
            return self.reply(200, NODE)
        if path == "/api/v1/pods":
            return self.reply(200, {"kind": "PodList", "apiVersion": "v1",
                                    "metadata": {"resourceVersion": "10"}, "items": [VICTIM]})
        return self.reply(404, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                "status": "Failure", "reason": "NotFound", "code": 404,
                                "message": f"{path} not found"})

    def write(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        Stub.writes.append((self.command, self.path, content_type, body))
        code = 200 if self.command == "DELETE" else 201
        return self.reply(code, answer_for_write(self.command, self.path, content_type, body))

    do_POST = write
    do_PUT = write
    do_DELETE = write
    def do_PATCH(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path.startswith("/api/v1/nodes/n1"):
            return self.reply(200, NODE)
        return self.reply(404, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                "status": "Failure", "reason": "NotFound", "code": 404})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubectl-dir", default="/usr/lib/google-cloud-sdk/bin")
    parser.add_argument("--only", action="append")
    args = parser.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    with tempfile.TemporaryDirectory() as work:
        kubeconfig = os.path.join(work, "kubeconfig")
        with open(kubeconfig, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: stub
  cluster:
    server: http://127.0.0.1:{port}
contexts:
- name: stub
  context: {{cluster: stub, user: stub, namespace: default}}
current-context: stub
users:
- name: stub
  user: {{token: stub-token}}
""")
        # Fixed inputs for the file-based commands, so that every run yields the same bytes.
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "365", "-subj",
                        "/CN=fixture.example.com", "-keyout", "key.pem", "-out", "cert.pem"],
                       cwd=work, check=True, capture_output=True)
        with open(os.path.join(work, "bin.dat"), "wb") as f:
            f.write(bytes(range(0, 256, 7)))

        failures = 0
        for name, argv, keep in CASES:
            if args.only and name not in args.only:
                continue
            for version in VERSIONS:
                kubectl = os.path.join(args.kubectl_dir, f"kubectl.{version}")
                Stub.writes = []
                proc = subprocess.run([kubectl, "--kubeconfig", kubeconfig] + argv, cwd=work,
                                      capture_output=True, text=True)
                writes = [w for w in Stub.writes if w[3]]
                if len(writes) <= keep:
                    print(f"{name} {version}: no body captured (rc={proc.returncode}): "
                          f"{proc.stdout.strip()} {proc.stderr.strip()}", file=sys.stderr)
                    failures += 1
                    continue
                method, path, content_type, body = writes[keep]
                ext = "pb" if "protobuf" in content_type else "json"
                out = os.path.join(here, f"{name}.{version}.{ext}")
                for stale in (f"{name}.{version}.pb", f"{name}.{version}.json"):
                    if os.path.exists(os.path.join(here, stale)):
                        os.remove(os.path.join(here, stale))
                with open(out, "wb") as f:
                    f.write(body)
                print(f"{name} {version}: {method} {path} {content_type} -> {os.path.basename(out)}"
                      f" ({len(body)} bytes) rc={proc.returncode}")
        server.shutdown()
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
