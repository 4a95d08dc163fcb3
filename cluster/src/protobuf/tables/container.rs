//! `k8s.io/api/core/v1` containers: `Container` (also the inline part of
//! `EphemeralContainer`), ports, environment, resources, probes, lifecycle hooks and
//! security contexts.

use super::core::LOCAL_OBJECT_REFERENCE;
use crate::protobuf::schema::Ty::{Bool, I32, I64, IntOrString, Quantity, Str};
use crate::protobuf::schema::{INLINE, LO, MO, Message, P, PN, V, VO, f, msg};

/// `Container`. `EphemeralContainerCommon` has exactly the same fields and numbers.
pub(crate) static CONTAINER: Message = Message {
    name: "Container",
    fields: &[
        f(1, "name", Str, V),
        f(2, "image", Str, VO),
        f(3, "command", Str, LO),
        f(4, "args", Str, LO),
        f(5, "workingDir", Str, VO),
        f(6, "ports", msg(&CONTAINER_PORT), LO),
        f(19, "envFrom", msg(&ENV_FROM_SOURCE), LO),
        f(7, "env", msg(&ENV_VAR), LO),
        f(8, "resources", msg(&RESOURCE_REQUIREMENTS), VO),
        f(23, "resizePolicy", msg(&CONTAINER_RESIZE_POLICY), LO),
        f(24, "restartPolicy", Str, P),
        f(25, "restartPolicyRules", msg(&CONTAINER_RESTART_RULE), LO),
        f(9, "volumeMounts", msg(&VOLUME_MOUNT), LO),
        f(21, "volumeDevices", msg(&VOLUME_DEVICE), LO),
        f(10, "livenessProbe", msg(&PROBE), P),
        f(11, "readinessProbe", msg(&PROBE), P),
        f(22, "startupProbe", msg(&PROBE), P),
        f(12, "lifecycle", msg(&LIFECYCLE), P),
        f(13, "terminationMessagePath", Str, VO),
        f(20, "terminationMessagePolicy", Str, VO),
        f(14, "imagePullPolicy", Str, VO),
        f(15, "securityContext", msg(&SECURITY_CONTEXT), P),
        f(16, "stdin", Bool, VO),
        f(17, "stdinOnce", Bool, VO),
        f(18, "tty", Bool, VO),
    ],
};

/// `EphemeralContainer`: the inline `EphemeralContainerCommon` plus the target.
pub(crate) static EPHEMERAL_CONTAINER: Message = Message {
    name: "EphemeralContainer",
    fields: &[
        f(1, "", msg(&CONTAINER), INLINE),
        f(2, "targetContainerName", Str, VO),
    ],
};

static CONTAINER_PORT: Message = Message {
    name: "ContainerPort",
    fields: &[
        f(1, "name", Str, VO),
        f(2, "hostPort", I32, VO),
        f(3, "containerPort", I32, V),
        f(4, "protocol", Str, VO),
        f(5, "hostIP", Str, VO),
    ],
};

static ENV_FROM_SOURCE: Message = Message {
    name: "EnvFromSource",
    fields: &[
        f(1, "prefix", Str, VO),
        f(2, "configMapRef", msg(&OPTIONAL_LOCAL_REFERENCE), P),
        f(3, "secretRef", msg(&OPTIONAL_LOCAL_REFERENCE), P),
    ],
};

/// `ConfigMapEnvSource` and `SecretEnvSource`: an inline `LocalObjectReference` and
/// `optional`.
static OPTIONAL_LOCAL_REFERENCE: Message = Message {
    name: "ConfigMapEnvSource",
    fields: &[
        f(1, "", msg(&LOCAL_OBJECT_REFERENCE), INLINE),
        f(2, "optional", Bool, P),
    ],
};

static ENV_VAR: Message = Message {
    name: "EnvVar",
    fields: &[
        f(1, "name", Str, V),
        f(2, "value", Str, VO),
        f(3, "valueFrom", msg(&ENV_VAR_SOURCE), P),
    ],
};

static ENV_VAR_SOURCE: Message = Message {
    name: "EnvVarSource",
    fields: &[
        f(1, "fieldRef", msg(&OBJECT_FIELD_SELECTOR), P),
        f(2, "resourceFieldRef", msg(&RESOURCE_FIELD_SELECTOR), P),
        f(3, "configMapKeyRef", msg(&KEY_SELECTOR), P),
        f(4, "secretKeyRef", msg(&KEY_SELECTOR), P),
        f(5, "fileKeyRef", msg(&FILE_KEY_SELECTOR), P),
    ],
};

/// `ObjectFieldSelector`.
pub(crate) static OBJECT_FIELD_SELECTOR: Message = Message {
    name: "ObjectFieldSelector",
    fields: &[f(1, "apiVersion", Str, VO), f(2, "fieldPath", Str, V)],
};

/// `ResourceFieldSelector`.
pub(crate) static RESOURCE_FIELD_SELECTOR: Message = Message {
    name: "ResourceFieldSelector",
    fields: &[
        f(1, "containerName", Str, VO),
        f(2, "resource", Str, V),
        f(3, "divisor", Quantity, VO),
    ],
};

/// `ConfigMapKeySelector` and `SecretKeySelector` (same fields).
static KEY_SELECTOR: Message = Message {
    name: "ConfigMapKeySelector",
    fields: &[
        f(1, "", msg(&LOCAL_OBJECT_REFERENCE), INLINE),
        f(2, "key", Str, V),
        f(3, "optional", Bool, P),
    ],
};

static FILE_KEY_SELECTOR: Message = Message {
    name: "FileKeySelector",
    fields: &[
        f(1, "volumeName", Str, V),
        f(2, "path", Str, V),
        f(3, "key", Str, V),
        f(4, "optional", Bool, P),
    ],
};

/// `ResourceRequirements`.
pub(crate) static RESOURCE_REQUIREMENTS: Message = Message {
    name: "ResourceRequirements",
    fields: &[
        f(1, "limits", Quantity, MO),
        f(2, "requests", Quantity, MO),
        f(3, "claims", msg(&RESOURCE_CLAIM), LO),
    ],
};

static RESOURCE_CLAIM: Message = Message {
    name: "ResourceClaim",
    fields: &[f(1, "name", Str, V), f(2, "request", Str, VO)],
};

static CONTAINER_RESIZE_POLICY: Message = Message {
    name: "ContainerResizePolicy",
    fields: &[f(1, "resourceName", Str, V), f(2, "restartPolicy", Str, V)],
};

static CONTAINER_RESTART_RULE: Message = Message {
    name: "ContainerRestartRule",
    fields: &[
        f(1, "action", Str, VO),
        f(
            2,
            "exitCodes",
            msg(&CONTAINER_RESTART_RULE_ON_EXIT_CODES),
            P,
        ),
    ],
};

static CONTAINER_RESTART_RULE_ON_EXIT_CODES: Message = Message {
    name: "ContainerRestartRuleOnExitCodes",
    fields: &[f(1, "operator", Str, VO), f(2, "values", I32, LO)],
};

static VOLUME_MOUNT: Message = Message {
    name: "VolumeMount",
    fields: &[
        f(1, "name", Str, V),
        f(2, "readOnly", Bool, VO),
        f(7, "recursiveReadOnly", Str, P),
        f(3, "mountPath", Str, V),
        f(4, "subPath", Str, VO),
        f(5, "mountPropagation", Str, P),
        f(6, "subPathExpr", Str, VO),
    ],
};

static VOLUME_DEVICE: Message = Message {
    name: "VolumeDevice",
    fields: &[f(1, "name", Str, V), f(2, "devicePath", Str, V)],
};

static PROBE: Message = Message {
    name: "Probe",
    fields: &[
        f(1, "", msg(&PROBE_HANDLER), INLINE),
        f(2, "initialDelaySeconds", I32, VO),
        f(3, "timeoutSeconds", I32, VO),
        f(4, "periodSeconds", I32, VO),
        f(5, "successThreshold", I32, VO),
        f(6, "failureThreshold", I32, VO),
        f(7, "terminationGracePeriodSeconds", I64, P),
    ],
};

static PROBE_HANDLER: Message = Message {
    name: "ProbeHandler",
    fields: &[
        f(1, "exec", msg(&EXEC_ACTION), P),
        f(2, "httpGet", msg(&HTTP_GET_ACTION), P),
        f(3, "tcpSocket", msg(&TCP_SOCKET_ACTION), P),
        f(4, "grpc", msg(&GRPC_ACTION), P),
    ],
};

static LIFECYCLE: Message = Message {
    name: "Lifecycle",
    fields: &[
        f(1, "postStart", msg(&LIFECYCLE_HANDLER), P),
        f(2, "preStop", msg(&LIFECYCLE_HANDLER), P),
        f(3, "stopSignal", Str, P),
    ],
};

static LIFECYCLE_HANDLER: Message = Message {
    name: "LifecycleHandler",
    fields: &[
        f(1, "exec", msg(&EXEC_ACTION), P),
        f(2, "httpGet", msg(&HTTP_GET_ACTION), P),
        f(3, "tcpSocket", msg(&TCP_SOCKET_ACTION), P),
        f(4, "sleep", msg(&SLEEP_ACTION), P),
    ],
};

static EXEC_ACTION: Message = Message {
    name: "ExecAction",
    fields: &[f(1, "command", Str, LO)],
};

static HTTP_GET_ACTION: Message = Message {
    name: "HTTPGetAction",
    fields: &[
        f(1, "path", Str, VO),
        f(2, "port", IntOrString, V),
        f(3, "host", Str, VO),
        f(4, "scheme", Str, VO),
        f(5, "httpHeaders", msg(&HTTP_HEADER), LO),
    ],
};

static HTTP_HEADER: Message = Message {
    name: "HTTPHeader",
    fields: &[f(1, "name", Str, V), f(2, "value", Str, V)],
};

static TCP_SOCKET_ACTION: Message = Message {
    name: "TCPSocketAction",
    fields: &[f(1, "port", IntOrString, V), f(2, "host", Str, VO)],
};

static GRPC_ACTION: Message = Message {
    name: "GRPCAction",
    fields: &[f(1, "port", I32, V), f(2, "service", Str, PN)],
};

static SLEEP_ACTION: Message = Message {
    name: "SleepAction",
    fields: &[f(1, "seconds", I64, V)],
};

static SECURITY_CONTEXT: Message = Message {
    name: "SecurityContext",
    fields: &[
        f(1, "capabilities", msg(&CAPABILITIES), P),
        f(2, "privileged", Bool, P),
        f(3, "seLinuxOptions", msg(&SE_LINUX_OPTIONS), P),
        f(
            10,
            "windowsOptions",
            msg(&WINDOWS_SECURITY_CONTEXT_OPTIONS),
            P,
        ),
        f(4, "runAsUser", I64, P),
        f(8, "runAsGroup", I64, P),
        f(5, "runAsNonRoot", Bool, P),
        f(6, "readOnlyRootFilesystem", Bool, P),
        f(7, "allowPrivilegeEscalation", Bool, P),
        f(9, "procMount", Str, P),
        f(11, "seccompProfile", msg(&SECCOMP_PROFILE), P),
        f(12, "appArmorProfile", msg(&APP_ARMOR_PROFILE), P),
    ],
};

static CAPABILITIES: Message = Message {
    name: "Capabilities",
    fields: &[f(1, "add", Str, LO), f(2, "drop", Str, LO)],
};

/// `SELinuxOptions`.
pub(crate) static SE_LINUX_OPTIONS: Message = Message {
    name: "SELinuxOptions",
    fields: &[
        f(1, "user", Str, VO),
        f(2, "role", Str, VO),
        f(3, "type", Str, VO),
        f(4, "level", Str, VO),
    ],
};

/// `WindowsSecurityContextOptions`.
pub(crate) static WINDOWS_SECURITY_CONTEXT_OPTIONS: Message = Message {
    name: "WindowsSecurityContextOptions",
    fields: &[
        f(1, "gmsaCredentialSpecName", Str, P),
        f(2, "gmsaCredentialSpec", Str, P),
        f(3, "runAsUserName", Str, P),
        f(4, "hostProcess", Bool, P),
    ],
};

/// `SeccompProfile`.
pub(crate) static SECCOMP_PROFILE: Message = Message {
    name: "SeccompProfile",
    fields: &[f(1, "type", Str, V), f(2, "localhostProfile", Str, P)],
};

/// `AppArmorProfile`.
pub(crate) static APP_ARMOR_PROFILE: Message = Message {
    name: "AppArmorProfile",
    fields: &[f(1, "type", Str, V), f(2, "localhostProfile", Str, P)],
};
