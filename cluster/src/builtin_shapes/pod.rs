//! The shape of core/v1 Pod: its spec (containers, volumes and every volume source,
//! affinity, scheduling) and its status.

use super::{
    apply_keyed, atomic, atomic_map, atomic_st, keyed, label_selector, local_object_reference,
    map_of, object_meta_shape, patch_merged, retain_keys, s, st, strings,
    typed_local_object_reference,
};
use crate::shape::Shape;

/// core/v1 Pod (without `apiVersion`, `kind`, `metadata`).
pub(super) fn pod() -> Shape {
    st("", vec![("spec", pod_spec()), ("status", pod_status())])
}

/// core/v1 `PodSpec`.
pub(super) fn pod_spec() -> Shape {
    let host_alias = st("ip", vec![("hostnames", strings())]);
    let dns_config = st(
        "",
        vec![
            ("nameservers", strings()),
            ("searches", strings()),
            ("options", atomic(st("name value", vec![]))),
        ],
    );
    let topology_spread_constraint = st(
        "maxSkew topologyKey whenUnsatisfiable minDomains nodeAffinityPolicy nodeTaintsPolicy",
        vec![
            ("labelSelector", label_selector()),
            ("matchLabelKeys", strings()),
        ],
    );
    let resource_claim = retain_keys(st(
        "name resourceClaimName resourceClaimTemplateName",
        vec![],
    ));
    st(
        "restartPolicy terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy \
         serviceAccountName serviceAccount automountServiceAccountToken nodeName hostNetwork \
         hostPID hostIPC shareProcessNamespace hostname subdomain schedulerName \
         priorityClassName priority runtimeClassName enableServiceLinks preemptionPolicy \
         setHostnameAsFQDN hostUsers",
        vec![
            ("volumes", keyed(retain_keys(volume()), &["name"])),
            ("initContainers", keyed(container(), &["name"])),
            ("containers", keyed(container(), &["name"])),
            (
                "ephemeralContainers",
                keyed(ephemeral_container(), &["name"]),
            ),
            ("nodeSelector", atomic_map(s())),
            ("securityContext", pod_security_context()),
            (
                "imagePullSecrets",
                keyed(local_object_reference(), &["name"]),
            ),
            ("affinity", affinity()),
            (
                "tolerations",
                atomic(st("key operator value effect tolerationSeconds", vec![])),
            ),
            ("hostAliases", keyed(host_alias, &["ip"])),
            ("dnsConfig", dns_config),
            ("readinessGates", atomic(st("conditionType", vec![]))),
            ("overhead", map_of(s())),
            (
                "topologySpreadConstraints",
                keyed(
                    topology_spread_constraint,
                    &["topologyKey", "whenUnsatisfiable"],
                ),
            ),
            ("os", st("name", vec![])),
            ("schedulingGates", keyed(st("name", vec![]), &["name"])),
            ("resourceClaims", keyed(resource_claim, &["name"])),
            ("resources", resource_requirements()),
        ],
    )
}

/// core/v1 `ResourceRequirements`.
fn resource_requirements() -> Shape {
    st(
        "",
        vec![
            ("limits", map_of(s())),
            ("requests", map_of(s())),
            ("claims", apply_keyed(st("name request", vec![]), &["name"])),
        ],
    )
}

/// core/v1 `SELinuxOptions`.
fn se_linux_options() -> Shape {
    st("user role type level", vec![])
}

/// core/v1 `WindowsSecurityContextOptions`.
fn windows_options() -> Shape {
    st(
        "gmsaCredentialSpecName gmsaCredentialSpec runAsUserName hostProcess",
        vec![],
    )
}

/// core/v1 `SeccompProfile` and `AppArmorProfile` (same fields).
fn profile() -> Shape {
    st("type localhostProfile", vec![])
}

/// core/v1 `PodSecurityContext`.
fn pod_security_context() -> Shape {
    st(
        "runAsUser runAsGroup runAsNonRoot supplementalGroupsPolicy fsGroup fsGroupChangePolicy \
         seLinuxChangePolicy",
        vec![
            ("seLinuxOptions", se_linux_options()),
            ("windowsOptions", windows_options()),
            ("supplementalGroups", strings()),
            ("sysctls", atomic(st("name value", vec![]))),
            ("seccompProfile", profile()),
            ("appArmorProfile", profile()),
        ],
    )
}

/// core/v1 `SecurityContext` (of a container).
fn security_context() -> Shape {
    let capabilities = st("", vec![("add", strings()), ("drop", strings())]);
    st(
        "privileged runAsUser runAsGroup runAsNonRoot readOnlyRootFilesystem \
         allowPrivilegeEscalation procMount",
        vec![
            ("capabilities", capabilities),
            ("seLinuxOptions", se_linux_options()),
            ("windowsOptions", windows_options()),
            ("seccompProfile", profile()),
            ("appArmorProfile", profile()),
        ],
    )
}

/// core/v1 `NodeSelectorTerm` (atomic).
fn node_selector_term() -> Shape {
    let requirement = st("key operator", vec![("values", strings())]);
    atomic_st(
        "",
        vec![
            ("matchExpressions", atomic(requirement.clone())),
            ("matchFields", atomic(requirement)),
        ],
    )
}

/// core/v1 `PodAffinityTerm`.
fn pod_affinity_term() -> Shape {
    st(
        "topologyKey",
        vec![
            ("labelSelector", label_selector()),
            ("namespaces", strings()),
            ("namespaceSelector", label_selector()),
            ("matchLabelKeys", strings()),
            ("mismatchLabelKeys", strings()),
        ],
    )
}

/// core/v1 `PodAffinity` and `PodAntiAffinity` (same fields).
fn pod_affinity() -> Shape {
    let weighted = st("weight", vec![("podAffinityTerm", pod_affinity_term())]);
    st(
        "",
        vec![
            (
                "requiredDuringSchedulingIgnoredDuringExecution",
                atomic(pod_affinity_term()),
            ),
            (
                "preferredDuringSchedulingIgnoredDuringExecution",
                atomic(weighted),
            ),
        ],
    )
}

/// core/v1 `Affinity`.
fn affinity() -> Shape {
    let node_selector = atomic_st(
        "",
        vec![("nodeSelectorTerms", atomic(node_selector_term()))],
    );
    let preferred = st("weight", vec![("preference", node_selector_term())]);
    let node_affinity = st(
        "",
        vec![
            (
                "requiredDuringSchedulingIgnoredDuringExecution",
                node_selector,
            ),
            (
                "preferredDuringSchedulingIgnoredDuringExecution",
                atomic(preferred),
            ),
        ],
    );
    st(
        "",
        vec![
            ("nodeAffinity", node_affinity),
            ("podAffinity", pod_affinity()),
            ("podAntiAffinity", pod_affinity()),
        ],
    )
}

/// core/v1 `ObjectFieldSelector` (atomic).
fn object_field_selector() -> Shape {
    atomic_st("apiVersion fieldPath", vec![])
}

/// core/v1 `ResourceFieldSelector` (atomic).
fn resource_field_selector() -> Shape {
    atomic_st("containerName resource divisor", vec![])
}

/// core/v1 `ExecAction`, `HTTPGetAction`, `TCPSocketAction` (shared by probes and
/// lifecycle handlers).
fn handler_actions() -> Vec<(&'static str, Shape)> {
    let http_get = st(
        "path port host scheme",
        vec![("httpHeaders", atomic(st("name value", vec![])))],
    );
    vec![
        ("exec", st("", vec![("command", strings())])),
        ("httpGet", http_get),
        ("tcpSocket", st("port host", vec![])),
    ]
}

/// core/v1 `Probe` (with its inlined `ProbeHandler`).
fn probe() -> Shape {
    let mut fields = handler_actions();
    fields.push(("grpc", st("port service", vec![])));
    st(
        "initialDelaySeconds timeoutSeconds periodSeconds successThreshold failureThreshold \
         terminationGracePeriodSeconds",
        fields,
    )
}

/// core/v1 `Lifecycle`.
fn lifecycle() -> Shape {
    let handler = || {
        let mut fields = handler_actions();
        fields.push(("sleep", st("seconds", vec![])));
        st("", fields)
    };
    st(
        "stopSignal",
        vec![("postStart", handler()), ("preStop", handler())],
    )
}

/// core/v1 `Container`: ports keyed by `containerPort` and `protocol` (merged on
/// `containerPort`), env by `name`, volume mounts by `mountPath`.
pub(super) fn container() -> Shape {
    let port = st("name hostPort containerPort protocol hostIP", vec![]);
    let env_from = st(
        "prefix",
        vec![
            ("configMapRef", st("name optional", vec![])),
            ("secretRef", st("name optional", vec![])),
        ],
    );
    let env_var_source = st(
        "",
        vec![
            ("fieldRef", object_field_selector()),
            ("resourceFieldRef", resource_field_selector()),
            ("configMapKeyRef", atomic_st("name key optional", vec![])),
            ("secretKeyRef", atomic_st("name key optional", vec![])),
        ],
    );
    let env = st("name value", vec![("valueFrom", env_var_source)]);
    let volume_mount = st(
        "name readOnly recursiveReadOnly mountPath subPath mountPropagation subPathExpr",
        vec![],
    );
    st(
        "name image workingDir restartPolicy terminationMessagePath terminationMessagePolicy \
         imagePullPolicy stdin stdinOnce tty",
        vec![
            ("command", strings()),
            ("args", strings()),
            ("ports", keyed(port, &["containerPort", "protocol"])),
            ("envFrom", atomic(env_from)),
            ("env", keyed(env, &["name"])),
            ("resources", resource_requirements()),
            (
                "resizePolicy",
                atomic(st("resourceName restartPolicy", vec![])),
            ),
            ("volumeMounts", keyed(volume_mount, &["mountPath"])),
            (
                "volumeDevices",
                keyed(st("name devicePath", vec![]), &["devicePath"]),
            ),
            ("livenessProbe", probe()),
            ("readinessProbe", probe()),
            ("startupProbe", probe()),
            ("lifecycle", lifecycle()),
            ("securityContext", security_context()),
        ],
    )
}

/// core/v1 `EphemeralContainer`: a container plus `targetContainerName`.
fn ephemeral_container() -> Shape {
    container().with_field("targetContainerName", s())
}

/// core/v1 `KeyToPath` lists, as in secret and config map volumes.
fn key_to_paths() -> Shape {
    atomic(st("key path mode", vec![]))
}

/// core/v1 `DownwardAPIVolumeFile` lists.
fn downward_api_files() -> Shape {
    atomic(st(
        "path mode",
        vec![
            ("fieldRef", object_field_selector()),
            ("resourceFieldRef", resource_field_selector()),
        ],
    ))
}

/// core/v1 `Volume`: a name and one of the volume sources (inlined `VolumeSource`).
pub(super) fn volume() -> Shape {
    let secret_ref = || ("secretRef", local_object_reference());
    let projection = st(
        "",
        vec![
            (
                "secret",
                st("name optional", vec![("items", key_to_paths())]),
            ),
            ("downwardAPI", st("", vec![("items", downward_api_files())])),
            (
                "configMap",
                st("name optional", vec![("items", key_to_paths())]),
            ),
            (
                "serviceAccountToken",
                st("audience expirationSeconds path", vec![]),
            ),
            (
                "clusterTrustBundle",
                st(
                    "name signerName optional path",
                    vec![("labelSelector", label_selector())],
                ),
            ),
        ],
    );
    let claim_spec = st(
        "volumeName storageClassName volumeMode volumeAttributesClassName",
        vec![
            ("accessModes", strings()),
            ("selector", label_selector()),
            (
                "resources",
                st("", vec![("limits", map_of(s())), ("requests", map_of(s()))]),
            ),
            ("dataSource", typed_local_object_reference()),
            ("dataSourceRef", st("apiGroup kind name namespace", vec![])),
        ],
    );
    let claim_template = st(
        "",
        vec![("metadata", object_meta_shape()), ("spec", claim_spec)],
    );
    st(
        "name",
        vec![
            ("hostPath", st("path type", vec![])),
            ("emptyDir", st("medium sizeLimit", vec![])),
            (
                "gcePersistentDisk",
                st("pdName fsType partition readOnly", vec![]),
            ),
            (
                "awsElasticBlockStore",
                st("volumeID fsType partition readOnly", vec![]),
            ),
            ("gitRepo", st("repository revision directory", vec![])),
            (
                "secret",
                st(
                    "secretName defaultMode optional",
                    vec![("items", key_to_paths())],
                ),
            ),
            ("nfs", st("server path readOnly", vec![])),
            (
                "iscsi",
                st(
                    "targetPortal iqn lun iscsiInterface fsType readOnly chapAuthDiscovery \
                     chapAuthSession initiatorName",
                    vec![("portals", strings()), secret_ref()],
                ),
            ),
            ("glusterfs", st("endpoints path readOnly", vec![])),
            ("persistentVolumeClaim", st("claimName readOnly", vec![])),
            (
                "rbd",
                st(
                    "image fsType pool user keyring readOnly",
                    vec![("monitors", strings()), secret_ref()],
                ),
            ),
            (
                "flexVolume",
                st(
                    "driver fsType readOnly",
                    vec![secret_ref(), ("options", map_of(s()))],
                ),
            ),
            ("cinder", st("volumeID fsType readOnly", vec![secret_ref()])),
            (
                "cephfs",
                st(
                    "path user secretFile readOnly",
                    vec![("monitors", strings()), secret_ref()],
                ),
            ),
            ("flocker", st("datasetName datasetUUID", vec![])),
            (
                "downwardAPI",
                st("defaultMode", vec![("items", downward_api_files())]),
            ),
            (
                "fc",
                st(
                    "lun fsType readOnly",
                    vec![("targetWWNs", strings()), ("wwids", strings())],
                ),
            ),
            ("azureFile", st("secretName shareName readOnly", vec![])),
            (
                "configMap",
                st("name defaultMode optional", vec![("items", key_to_paths())]),
            ),
            (
                "vsphereVolume",
                st(
                    "volumePath fsType storagePolicyName storagePolicyID",
                    vec![],
                ),
            ),
            (
                "quobyte",
                st("registry volume readOnly user group tenant", vec![]),
            ),
            (
                "azureDisk",
                st("diskName diskURI cachingMode fsType readOnly kind", vec![]),
            ),
            ("photonPersistentDisk", st("pdID fsType", vec![])),
            (
                "projected",
                st("defaultMode", vec![("sources", atomic(projection))]),
            ),
            ("portworxVolume", st("volumeID fsType readOnly", vec![])),
            (
                "scaleIO",
                st(
                    "gateway system sslEnabled protectionDomain storagePool storageMode \
                     volumeName fsType readOnly",
                    vec![secret_ref()],
                ),
            ),
            (
                "storageos",
                st(
                    "volumeName volumeNamespace fsType readOnly",
                    vec![secret_ref()],
                ),
            ),
            (
                "csi",
                st(
                    "driver readOnly fsType",
                    vec![
                        ("volumeAttributes", map_of(s())),
                        ("nodePublishSecretRef", local_object_reference()),
                    ],
                ),
            ),
            (
                "ephemeral",
                st("", vec![("volumeClaimTemplate", claim_template)]),
            ),
            ("image", st("reference pullPolicy", vec![])),
        ],
    )
}

/// core/v1 `ContainerStatus`.
fn container_status() -> Shape {
    let state = st(
        "",
        vec![
            ("waiting", st("reason message", vec![])),
            ("running", st("startedAt", vec![])),
            (
                "terminated",
                st(
                    "exitCode signal reason message startedAt finishedAt containerID",
                    vec![],
                ),
            ),
        ],
    );
    let mount_status = st("name mountPath readOnly recursiveReadOnly", vec![]);
    let resource_status = st(
        "name",
        vec![(
            "resources",
            apply_keyed(st("resourceID health", vec![]), &["resourceID"]),
        )],
    );
    let user = st(
        "",
        vec![(
            "linux",
            st("uid gid", vec![("supplementalGroups", strings())]),
        )],
    );
    st(
        "name ready restartCount image imageID containerID started stopSignal",
        vec![
            ("state", state.clone()),
            ("lastState", state),
            ("allocatedResources", map_of(s())),
            ("resources", resource_requirements()),
            ("volumeMounts", keyed(mount_status, &["mountPath"])),
            ("user", user),
            (
                "allocatedResourcesStatus",
                keyed(resource_status, &["name"]),
            ),
        ],
    )
}

/// core/v1 `PodStatus`: conditions keyed by `type`; `hostIPs` atomic for apply but
/// merged on `ip` by strategic merge patch.
fn pod_status() -> Shape {
    let condition = st(
        "type observedGeneration status lastProbeTime lastTransitionTime reason message",
        vec![],
    );
    let claim_status = retain_keys(st("name resourceClaimName", vec![]));
    st(
        "observedGeneration phase message reason nominatedNodeName hostIP podIP startTime \
         qosClass resize",
        vec![
            ("conditions", keyed(condition, &["type"])),
            ("hostIPs", patch_merged(st("ip", vec![]), "ip")),
            ("podIPs", keyed(st("ip", vec![]), &["ip"])),
            ("initContainerStatuses", atomic(container_status())),
            ("containerStatuses", atomic(container_status())),
            ("ephemeralContainerStatuses", atomic(container_status())),
            ("resourceClaimStatuses", keyed(claim_status, &["name"])),
        ],
    )
}
