//! `k8s.io/api/core/v1` Pod: the object, its spec and status, scheduling (affinity,
//! tolerations, topology spread), DNS, and pod-level security. Containers are in
//! `container.rs`, volumes in `volume.rs`.

use super::container::{APP_ARMOR_PROFILE, SECCOMP_PROFILE, WINDOWS_SECURITY_CONTEXT_OPTIONS};
use super::container::{CONTAINER, EPHEMERAL_CONTAINER, RESOURCE_REQUIREMENTS, SE_LINUX_OPTIONS};
use super::core::LOCAL_OBJECT_REFERENCE;
use super::meta::{LABEL_SELECTOR, OBJECT_META};
use super::volume::VOLUME;
use crate::protobuf::schema::Ty::{Bool, I32, I64, Quantity, Str, Time};
use crate::protobuf::schema::{L, LO, M, MO, Message, P, V, VO, f, msg};

/// `Pod`.
pub(crate) static POD: Message = Message {
    name: "Pod",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "spec", msg(&POD_SPEC), VO),
        f(3, "status", msg(&POD_STATUS), VO),
    ],
};

/// `PodSpec`.
pub(crate) static POD_SPEC: Message = Message {
    name: "PodSpec",
    fields: &[
        f(1, "volumes", msg(&VOLUME), LO),
        f(20, "initContainers", msg(&CONTAINER), LO),
        f(2, "containers", msg(&CONTAINER), L),
        f(34, "ephemeralContainers", msg(&EPHEMERAL_CONTAINER), LO),
        f(3, "restartPolicy", Str, VO),
        f(4, "terminationGracePeriodSeconds", I64, P),
        f(5, "activeDeadlineSeconds", I64, P),
        f(6, "dnsPolicy", Str, VO),
        f(7, "nodeSelector", Str, MO),
        f(8, "serviceAccountName", Str, VO),
        f(9, "serviceAccount", Str, VO),
        f(21, "automountServiceAccountToken", Bool, P),
        f(10, "nodeName", Str, VO),
        f(11, "hostNetwork", Bool, VO),
        f(12, "hostPID", Bool, VO),
        f(13, "hostIPC", Bool, VO),
        f(27, "shareProcessNamespace", Bool, P),
        f(14, "securityContext", msg(&POD_SECURITY_CONTEXT), P),
        f(15, "imagePullSecrets", msg(&LOCAL_OBJECT_REFERENCE), LO),
        f(16, "hostname", Str, VO),
        f(17, "subdomain", Str, VO),
        f(18, "affinity", msg(&AFFINITY), P),
        f(19, "schedulerName", Str, VO),
        f(22, "tolerations", msg(&TOLERATION), LO),
        f(23, "hostAliases", msg(&HOST_ALIAS), LO),
        f(24, "priorityClassName", Str, VO),
        f(25, "priority", I32, P),
        f(26, "dnsConfig", msg(&POD_DNS_CONFIG), P),
        f(28, "readinessGates", msg(&POD_READINESS_GATE), LO),
        f(29, "runtimeClassName", Str, P),
        f(30, "enableServiceLinks", Bool, P),
        f(31, "preemptionPolicy", Str, P),
        f(32, "overhead", Quantity, MO),
        f(
            33,
            "topologySpreadConstraints",
            msg(&TOPOLOGY_SPREAD_CONSTRAINT),
            LO,
        ),
        f(35, "setHostnameAsFQDN", Bool, P),
        f(36, "os", msg(&POD_OS), P),
        f(37, "hostUsers", Bool, P),
        f(38, "schedulingGates", msg(&POD_SCHEDULING_GATE), LO),
        f(39, "resourceClaims", msg(&POD_RESOURCE_CLAIM), LO),
        f(40, "resources", msg(&RESOURCE_REQUIREMENTS), P),
        f(41, "hostnameOverride", Str, P),
        f(43, "schedulingGroup", msg(&POD_SCHEDULING_GROUP), P),
    ],
};

static POD_SECURITY_CONTEXT: Message = Message {
    name: "PodSecurityContext",
    fields: &[
        f(1, "seLinuxOptions", msg(&SE_LINUX_OPTIONS), P),
        f(
            8,
            "windowsOptions",
            msg(&WINDOWS_SECURITY_CONTEXT_OPTIONS),
            P,
        ),
        f(2, "runAsUser", I64, P),
        f(6, "runAsGroup", I64, P),
        f(3, "runAsNonRoot", Bool, P),
        f(4, "supplementalGroups", I64, LO),
        f(12, "supplementalGroupsPolicy", Str, P),
        f(5, "fsGroup", I64, P),
        f(7, "sysctls", msg(&SYSCTL), LO),
        f(9, "fsGroupChangePolicy", Str, P),
        f(10, "seccompProfile", msg(&SECCOMP_PROFILE), P),
        f(11, "appArmorProfile", msg(&APP_ARMOR_PROFILE), P),
        f(13, "seLinuxChangePolicy", Str, P),
    ],
};

static SYSCTL: Message = Message {
    name: "Sysctl",
    fields: &[f(1, "name", Str, V), f(2, "value", Str, V)],
};

static AFFINITY: Message = Message {
    name: "Affinity",
    fields: &[
        f(1, "nodeAffinity", msg(&NODE_AFFINITY), P),
        f(2, "podAffinity", msg(&POD_AFFINITY), P),
        f(3, "podAntiAffinity", msg(&POD_AFFINITY), P),
    ],
};

static NODE_AFFINITY: Message = Message {
    name: "NodeAffinity",
    fields: &[
        f(
            1,
            "requiredDuringSchedulingIgnoredDuringExecution",
            msg(&NODE_SELECTOR),
            P,
        ),
        f(
            2,
            "preferredDuringSchedulingIgnoredDuringExecution",
            msg(&PREFERRED_SCHEDULING_TERM),
            LO,
        ),
    ],
};

static NODE_SELECTOR: Message = Message {
    name: "NodeSelector",
    fields: &[f(1, "nodeSelectorTerms", msg(&NODE_SELECTOR_TERM), L)],
};

static NODE_SELECTOR_TERM: Message = Message {
    name: "NodeSelectorTerm",
    fields: &[
        f(1, "matchExpressions", msg(&NODE_SELECTOR_REQUIREMENT), LO),
        f(2, "matchFields", msg(&NODE_SELECTOR_REQUIREMENT), LO),
    ],
};

static NODE_SELECTOR_REQUIREMENT: Message = Message {
    name: "NodeSelectorRequirement",
    fields: &[
        f(1, "key", Str, V),
        f(2, "operator", Str, V),
        f(3, "values", Str, LO),
    ],
};

static PREFERRED_SCHEDULING_TERM: Message = Message {
    name: "PreferredSchedulingTerm",
    fields: &[
        f(1, "weight", I32, V),
        f(2, "preference", msg(&NODE_SELECTOR_TERM), V),
    ],
};

/// `PodAffinity` and `PodAntiAffinity` (same fields).
static POD_AFFINITY: Message = Message {
    name: "PodAffinity",
    fields: &[
        f(
            1,
            "requiredDuringSchedulingIgnoredDuringExecution",
            msg(&POD_AFFINITY_TERM),
            LO,
        ),
        f(
            2,
            "preferredDuringSchedulingIgnoredDuringExecution",
            msg(&WEIGHTED_POD_AFFINITY_TERM),
            LO,
        ),
    ],
};

static POD_AFFINITY_TERM: Message = Message {
    name: "PodAffinityTerm",
    fields: &[
        f(1, "labelSelector", msg(&LABEL_SELECTOR), P),
        f(2, "namespaces", Str, LO),
        f(3, "topologyKey", Str, V),
        f(4, "namespaceSelector", msg(&LABEL_SELECTOR), P),
        f(5, "matchLabelKeys", Str, LO),
        f(6, "mismatchLabelKeys", Str, LO),
    ],
};

static WEIGHTED_POD_AFFINITY_TERM: Message = Message {
    name: "WeightedPodAffinityTerm",
    fields: &[
        f(1, "weight", I32, V),
        f(2, "podAffinityTerm", msg(&POD_AFFINITY_TERM), V),
    ],
};

static TOLERATION: Message = Message {
    name: "Toleration",
    fields: &[
        f(1, "key", Str, VO),
        f(2, "operator", Str, VO),
        f(3, "value", Str, VO),
        f(4, "effect", Str, VO),
        f(5, "tolerationSeconds", I64, P),
    ],
};

static HOST_ALIAS: Message = Message {
    name: "HostAlias",
    fields: &[f(1, "ip", Str, V), f(2, "hostnames", Str, LO)],
};

static POD_DNS_CONFIG: Message = Message {
    name: "PodDNSConfig",
    fields: &[
        f(1, "nameservers", Str, LO),
        f(2, "searches", Str, LO),
        f(3, "options", msg(&POD_DNS_CONFIG_OPTION), LO),
    ],
};

static POD_DNS_CONFIG_OPTION: Message = Message {
    name: "PodDNSConfigOption",
    fields: &[f(1, "name", Str, VO), f(2, "value", Str, P)],
};

static POD_READINESS_GATE: Message = Message {
    name: "PodReadinessGate",
    fields: &[f(1, "conditionType", Str, V)],
};

static TOPOLOGY_SPREAD_CONSTRAINT: Message = Message {
    name: "TopologySpreadConstraint",
    fields: &[
        f(1, "maxSkew", I32, V),
        f(2, "topologyKey", Str, V),
        f(3, "whenUnsatisfiable", Str, V),
        f(4, "labelSelector", msg(&LABEL_SELECTOR), P),
        f(5, "minDomains", I32, P),
        f(6, "nodeAffinityPolicy", Str, P),
        f(7, "nodeTaintsPolicy", Str, P),
        f(8, "matchLabelKeys", Str, LO),
    ],
};

static POD_OS: Message = Message {
    name: "PodOS",
    fields: &[f(1, "name", Str, V)],
};

static POD_SCHEDULING_GATE: Message = Message {
    name: "PodSchedulingGate",
    fields: &[f(1, "name", Str, V)],
};

static POD_RESOURCE_CLAIM: Message = Message {
    name: "PodResourceClaim",
    fields: &[
        f(1, "name", Str, V),
        f(3, "resourceClaimName", Str, P),
        f(4, "resourceClaimTemplateName", Str, P),
    ],
};

static POD_SCHEDULING_GROUP: Message = Message {
    name: "PodSchedulingGroup",
    fields: &[f(1, "podGroupName", Str, P)],
};

/// `PodStatus`.
static POD_STATUS: Message = Message {
    name: "PodStatus",
    fields: &[
        f(17, "observedGeneration", I64, VO),
        f(1, "phase", Str, VO),
        f(2, "conditions", msg(&POD_CONDITION), LO),
        f(3, "message", Str, VO),
        f(4, "reason", Str, VO),
        f(11, "nominatedNodeName", Str, VO),
        f(5, "hostIP", Str, VO),
        f(16, "hostIPs", msg(&IP_ADDRESS), LO),
        f(6, "podIP", Str, VO),
        f(12, "podIPs", msg(&IP_ADDRESS), LO),
        f(7, "startTime", Time, P),
        f(10, "initContainerStatuses", msg(&CONTAINER_STATUS), LO),
        f(8, "containerStatuses", msg(&CONTAINER_STATUS), LO),
        f(9, "qosClass", Str, VO),
        f(13, "ephemeralContainerStatuses", msg(&CONTAINER_STATUS), LO),
        f(14, "resize", Str, VO),
        f(
            15,
            "resourceClaimStatuses",
            msg(&POD_RESOURCE_CLAIM_STATUS),
            LO,
        ),
        f(
            18,
            "extendedResourceClaimStatus",
            msg(&POD_EXTENDED_RESOURCE_CLAIM_STATUS),
            P,
        ),
        f(19, "allocatedResources", Quantity, MO),
        f(20, "resources", msg(&RESOURCE_REQUIREMENTS), P),
        f(
            21,
            "nodeAllocatableResourceClaimStatuses",
            msg(&NODE_ALLOCATABLE_RESOURCE_CLAIM_STATUS),
            LO,
        ),
    ],
};

static POD_CONDITION: Message = Message {
    name: "PodCondition",
    fields: &[
        f(1, "type", Str, V),
        f(7, "observedGeneration", I64, VO),
        f(2, "status", Str, V),
        f(3, "lastProbeTime", Time, VO),
        f(4, "lastTransitionTime", Time, VO),
        f(5, "reason", Str, VO),
        f(6, "message", Str, VO),
    ],
};

/// `HostIP` and `PodIP` (same single field).
static IP_ADDRESS: Message = Message {
    name: "PodIP",
    fields: &[f(1, "ip", Str, V)],
};

static CONTAINER_STATUS: Message = Message {
    name: "ContainerStatus",
    fields: &[
        f(1, "name", Str, V),
        f(2, "state", msg(&CONTAINER_STATE), VO),
        f(3, "lastState", msg(&CONTAINER_STATE), VO),
        f(4, "ready", Bool, V),
        f(5, "restartCount", I32, V),
        f(6, "image", Str, V),
        f(7, "imageID", Str, V),
        f(8, "containerID", Str, VO),
        f(9, "started", Bool, P),
        f(10, "allocatedResources", Quantity, MO),
        f(11, "resources", msg(&RESOURCE_REQUIREMENTS), P),
        f(12, "volumeMounts", msg(&VOLUME_MOUNT_STATUS), LO),
        f(13, "user", msg(&CONTAINER_USER), P),
        f(14, "allocatedResourcesStatus", msg(&RESOURCE_STATUS), LO),
        f(15, "stopSignal", Str, P),
    ],
};

static CONTAINER_STATE: Message = Message {
    name: "ContainerState",
    fields: &[
        f(1, "waiting", msg(&CONTAINER_STATE_WAITING), P),
        f(2, "running", msg(&CONTAINER_STATE_RUNNING), P),
        f(3, "terminated", msg(&CONTAINER_STATE_TERMINATED), P),
    ],
};

static CONTAINER_STATE_WAITING: Message = Message {
    name: "ContainerStateWaiting",
    fields: &[f(1, "reason", Str, VO), f(2, "message", Str, VO)],
};

static CONTAINER_STATE_RUNNING: Message = Message {
    name: "ContainerStateRunning",
    fields: &[f(1, "startedAt", Time, VO)],
};

static CONTAINER_STATE_TERMINATED: Message = Message {
    name: "ContainerStateTerminated",
    fields: &[
        f(1, "exitCode", I32, V),
        f(2, "signal", I32, VO),
        f(3, "reason", Str, VO),
        f(4, "message", Str, VO),
        f(5, "startedAt", Time, VO),
        f(6, "finishedAt", Time, VO),
        f(7, "containerID", Str, VO),
    ],
};

static VOLUME_MOUNT_STATUS: Message = Message {
    name: "VolumeMountStatus",
    fields: &[
        f(1, "name", Str, V),
        f(2, "mountPath", Str, V),
        f(3, "readOnly", Bool, VO),
        f(4, "recursiveReadOnly", Str, P),
        f(5, "volumeStatus", msg(&VOLUME_STATUS), P),
    ],
};

static VOLUME_STATUS: Message = Message {
    name: "VolumeStatus",
    fields: &[f(1, "image", msg(&IMAGE_VOLUME_STATUS), P)],
};

static IMAGE_VOLUME_STATUS: Message = Message {
    name: "ImageVolumeStatus",
    fields: &[f(1, "imageRef", Str, VO)],
};

static CONTAINER_USER: Message = Message {
    name: "ContainerUser",
    fields: &[f(1, "linux", msg(&LINUX_CONTAINER_USER), P)],
};

static LINUX_CONTAINER_USER: Message = Message {
    name: "LinuxContainerUser",
    fields: &[
        f(1, "uid", I64, V),
        f(2, "gid", I64, V),
        f(3, "supplementalGroups", I64, LO),
    ],
};

static RESOURCE_STATUS: Message = Message {
    name: "ResourceStatus",
    fields: &[
        f(1, "name", Str, V),
        f(2, "resources", msg(&RESOURCE_HEALTH), LO),
    ],
};

static RESOURCE_HEALTH: Message = Message {
    name: "ResourceHealth",
    fields: &[
        f(1, "resourceID", Str, V),
        f(2, "health", Str, VO),
        f(6, "message", Str, P),
    ],
};

static POD_RESOURCE_CLAIM_STATUS: Message = Message {
    name: "PodResourceClaimStatus",
    fields: &[f(1, "name", Str, V), f(2, "resourceClaimName", Str, P)],
};

static POD_EXTENDED_RESOURCE_CLAIM_STATUS: Message = Message {
    name: "PodExtendedResourceClaimStatus",
    fields: &[
        f(
            1,
            "requestMappings",
            msg(&CONTAINER_EXTENDED_RESOURCE_REQUEST),
            L,
        ),
        f(2, "resourceClaimName", Str, V),
    ],
};

static CONTAINER_EXTENDED_RESOURCE_REQUEST: Message = Message {
    name: "ContainerExtendedResourceRequest",
    fields: &[
        f(1, "containerName", Str, V),
        f(2, "resourceName", Str, V),
        f(3, "requestName", Str, V),
    ],
};

static NODE_ALLOCATABLE_RESOURCE_CLAIM_STATUS: Message = Message {
    name: "NodeAllocatableResourceClaimStatus",
    fields: &[
        f(1, "resourceClaimName", Str, V),
        f(2, "containers", Str, LO),
        f(3, "resources", Quantity, M),
    ],
};
