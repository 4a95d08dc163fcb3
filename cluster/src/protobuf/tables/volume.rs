//! `k8s.io/api/core/v1` pod volumes: `Volume` with its inline `VolumeSource`, every volume
//! source, projections, and the ephemeral volume's claim template.

use super::container::{OBJECT_FIELD_SELECTOR, RESOURCE_FIELD_SELECTOR};
use super::core::LOCAL_OBJECT_REFERENCE;
use super::meta::{LABEL_SELECTOR, OBJECT_META};
use crate::protobuf::schema::Ty::{Bool, I32, I64, Quantity, Str};
use crate::protobuf::schema::{INLINE, L, LO, MO, Message, P, PN, V, VO, f, msg};

/// `Volume`.
pub(crate) static VOLUME: Message = Message {
    name: "Volume",
    fields: &[f(1, "name", Str, V), f(2, "", msg(&VOLUME_SOURCE), INLINE)],
};

static VOLUME_SOURCE: Message = Message {
    name: "VolumeSource",
    fields: &[
        f(1, "hostPath", msg(&HOST_PATH), P),
        f(2, "emptyDir", msg(&EMPTY_DIR), P),
        f(3, "gcePersistentDisk", msg(&GCE_PERSISTENT_DISK), P),
        f(4, "awsElasticBlockStore", msg(&AWS_ELASTIC_BLOCK_STORE), P),
        f(5, "gitRepo", msg(&GIT_REPO), P),
        f(6, "secret", msg(&SECRET_VOLUME), P),
        f(7, "nfs", msg(&NFS), P),
        f(8, "iscsi", msg(&ISCSI), P),
        f(9, "glusterfs", msg(&GLUSTERFS), P),
        f(
            10,
            "persistentVolumeClaim",
            msg(&PERSISTENT_VOLUME_CLAIM_VOLUME),
            P,
        ),
        f(11, "rbd", msg(&RBD), P),
        f(12, "flexVolume", msg(&FLEX_VOLUME), P),
        f(13, "cinder", msg(&CINDER), P),
        f(14, "cephfs", msg(&CEPHFS), P),
        f(15, "flocker", msg(&FLOCKER), P),
        f(16, "downwardAPI", msg(&DOWNWARD_API_VOLUME), P),
        f(17, "fc", msg(&FC), P),
        f(18, "azureFile", msg(&AZURE_FILE), P),
        f(19, "configMap", msg(&CONFIG_MAP_VOLUME), P),
        f(20, "vsphereVolume", msg(&VSPHERE_VIRTUAL_DISK), P),
        f(21, "quobyte", msg(&QUOBYTE), P),
        f(22, "azureDisk", msg(&AZURE_DISK), P),
        f(23, "photonPersistentDisk", msg(&PHOTON_PERSISTENT_DISK), P),
        f(26, "projected", msg(&PROJECTED), P),
        f(24, "portworxVolume", msg(&PORTWORX), P),
        f(25, "scaleIO", msg(&SCALE_IO), P),
        f(27, "storageos", msg(&STORAGE_OS), P),
        f(28, "csi", msg(&CSI), P),
        f(29, "ephemeral", msg(&EPHEMERAL), P),
        f(30, "image", msg(&IMAGE), P),
    ],
};

static HOST_PATH: Message = Message {
    name: "HostPathVolumeSource",
    fields: &[f(1, "path", Str, V), f(2, "type", Str, P)],
};

static EMPTY_DIR: Message = Message {
    name: "EmptyDirVolumeSource",
    fields: &[f(1, "medium", Str, VO), f(2, "sizeLimit", Quantity, P)],
};

static GCE_PERSISTENT_DISK: Message = Message {
    name: "GCEPersistentDiskVolumeSource",
    fields: &[
        f(1, "pdName", Str, V),
        f(2, "fsType", Str, VO),
        f(3, "partition", I32, VO),
        f(4, "readOnly", Bool, VO),
    ],
};

static AWS_ELASTIC_BLOCK_STORE: Message = Message {
    name: "AWSElasticBlockStoreVolumeSource",
    fields: &[
        f(1, "volumeID", Str, V),
        f(2, "fsType", Str, VO),
        f(3, "partition", I32, VO),
        f(4, "readOnly", Bool, VO),
    ],
};

static GIT_REPO: Message = Message {
    name: "GitRepoVolumeSource",
    fields: &[
        f(1, "repository", Str, V),
        f(2, "revision", Str, VO),
        f(3, "directory", Str, VO),
    ],
};

static SECRET_VOLUME: Message = Message {
    name: "SecretVolumeSource",
    fields: &[
        f(1, "secretName", Str, VO),
        f(2, "items", msg(&KEY_TO_PATH), LO),
        f(3, "defaultMode", I32, P),
        f(4, "optional", Bool, P),
    ],
};

static KEY_TO_PATH: Message = Message {
    name: "KeyToPath",
    fields: &[
        f(1, "key", Str, V),
        f(2, "path", Str, V),
        f(3, "mode", I32, P),
    ],
};

static NFS: Message = Message {
    name: "NFSVolumeSource",
    fields: &[
        f(1, "server", Str, V),
        f(2, "path", Str, V),
        f(3, "readOnly", Bool, VO),
    ],
};

static ISCSI: Message = Message {
    name: "ISCSIVolumeSource",
    fields: &[
        f(1, "targetPortal", Str, V),
        f(2, "iqn", Str, V),
        f(3, "lun", I32, V),
        f(4, "iscsiInterface", Str, VO),
        f(5, "fsType", Str, VO),
        f(6, "readOnly", Bool, VO),
        f(7, "portals", Str, LO),
        f(8, "chapAuthDiscovery", Bool, VO),
        f(11, "chapAuthSession", Bool, VO),
        f(10, "secretRef", msg(&LOCAL_OBJECT_REFERENCE), P),
        f(12, "initiatorName", Str, P),
    ],
};

static GLUSTERFS: Message = Message {
    name: "GlusterfsVolumeSource",
    fields: &[
        f(1, "endpoints", Str, V),
        f(2, "path", Str, V),
        f(3, "readOnly", Bool, VO),
    ],
};

static PERSISTENT_VOLUME_CLAIM_VOLUME: Message = Message {
    name: "PersistentVolumeClaimVolumeSource",
    fields: &[f(1, "claimName", Str, V), f(2, "readOnly", Bool, VO)],
};

static RBD: Message = Message {
    name: "RBDVolumeSource",
    fields: &[
        f(1, "monitors", Str, L),
        f(2, "image", Str, V),
        f(3, "fsType", Str, VO),
        f(4, "pool", Str, VO),
        f(5, "user", Str, VO),
        f(6, "keyring", Str, VO),
        f(7, "secretRef", msg(&LOCAL_OBJECT_REFERENCE), P),
        f(8, "readOnly", Bool, VO),
    ],
};

static FLEX_VOLUME: Message = Message {
    name: "FlexVolumeSource",
    fields: &[
        f(1, "driver", Str, V),
        f(2, "fsType", Str, VO),
        f(3, "secretRef", msg(&LOCAL_OBJECT_REFERENCE), P),
        f(4, "readOnly", Bool, VO),
        f(5, "options", Str, MO),
    ],
};

static CINDER: Message = Message {
    name: "CinderVolumeSource",
    fields: &[
        f(1, "volumeID", Str, V),
        f(2, "fsType", Str, VO),
        f(3, "readOnly", Bool, VO),
        f(4, "secretRef", msg(&LOCAL_OBJECT_REFERENCE), P),
    ],
};

static CEPHFS: Message = Message {
    name: "CephFSVolumeSource",
    fields: &[
        f(1, "monitors", Str, L),
        f(2, "path", Str, VO),
        f(3, "user", Str, VO),
        f(4, "secretFile", Str, VO),
        f(5, "secretRef", msg(&LOCAL_OBJECT_REFERENCE), P),
        f(6, "readOnly", Bool, VO),
    ],
};

static FLOCKER: Message = Message {
    name: "FlockerVolumeSource",
    fields: &[f(1, "datasetName", Str, VO), f(2, "datasetUUID", Str, VO)],
};

static DOWNWARD_API_VOLUME: Message = Message {
    name: "DownwardAPIVolumeSource",
    fields: &[
        f(1, "items", msg(&DOWNWARD_API_VOLUME_FILE), LO),
        f(2, "defaultMode", I32, P),
    ],
};

static DOWNWARD_API_VOLUME_FILE: Message = Message {
    name: "DownwardAPIVolumeFile",
    fields: &[
        f(1, "path", Str, V),
        f(2, "fieldRef", msg(&OBJECT_FIELD_SELECTOR), P),
        f(3, "resourceFieldRef", msg(&RESOURCE_FIELD_SELECTOR), P),
        f(4, "mode", I32, P),
    ],
};

static FC: Message = Message {
    name: "FCVolumeSource",
    fields: &[
        f(1, "targetWWNs", Str, LO),
        f(2, "lun", I32, P),
        f(3, "fsType", Str, VO),
        f(4, "readOnly", Bool, VO),
        f(5, "wwids", Str, LO),
    ],
};

static AZURE_FILE: Message = Message {
    name: "AzureFileVolumeSource",
    fields: &[
        f(1, "secretName", Str, V),
        f(2, "shareName", Str, V),
        f(3, "readOnly", Bool, VO),
    ],
};

static CONFIG_MAP_VOLUME: Message = Message {
    name: "ConfigMapVolumeSource",
    fields: &[
        f(1, "", msg(&LOCAL_OBJECT_REFERENCE), INLINE),
        f(2, "items", msg(&KEY_TO_PATH), LO),
        f(3, "defaultMode", I32, P),
        f(4, "optional", Bool, P),
    ],
};

static VSPHERE_VIRTUAL_DISK: Message = Message {
    name: "VsphereVirtualDiskVolumeSource",
    fields: &[
        f(1, "volumePath", Str, V),
        f(2, "fsType", Str, VO),
        f(3, "storagePolicyName", Str, VO),
        f(4, "storagePolicyID", Str, VO),
    ],
};

static QUOBYTE: Message = Message {
    name: "QuobyteVolumeSource",
    fields: &[
        f(1, "registry", Str, V),
        f(2, "volume", Str, V),
        f(3, "readOnly", Bool, VO),
        f(4, "user", Str, VO),
        f(5, "group", Str, VO),
        f(6, "tenant", Str, VO),
    ],
};

static AZURE_DISK: Message = Message {
    name: "AzureDiskVolumeSource",
    fields: &[
        f(1, "diskName", Str, V),
        f(2, "diskURI", Str, V),
        f(3, "cachingMode", Str, P),
        f(4, "fsType", Str, P),
        f(5, "readOnly", Bool, P),
        f(6, "kind", Str, P),
    ],
};

static PHOTON_PERSISTENT_DISK: Message = Message {
    name: "PhotonPersistentDiskVolumeSource",
    fields: &[f(1, "pdID", Str, V), f(2, "fsType", Str, VO)],
};

static PROJECTED: Message = Message {
    name: "ProjectedVolumeSource",
    fields: &[
        f(1, "sources", msg(&VOLUME_PROJECTION), L),
        f(2, "defaultMode", I32, P),
    ],
};

static VOLUME_PROJECTION: Message = Message {
    name: "VolumeProjection",
    fields: &[
        f(1, "secret", msg(&KEYS_PROJECTION), P),
        f(2, "downwardAPI", msg(&DOWNWARD_API_PROJECTION), P),
        f(3, "configMap", msg(&KEYS_PROJECTION), P),
        f(
            4,
            "serviceAccountToken",
            msg(&SERVICE_ACCOUNT_TOKEN_PROJECTION),
            P,
        ),
        f(
            5,
            "clusterTrustBundle",
            msg(&CLUSTER_TRUST_BUNDLE_PROJECTION),
            P,
        ),
        f(6, "podCertificate", msg(&POD_CERTIFICATE_PROJECTION), P),
    ],
};

/// `SecretProjection` and `ConfigMapProjection` (same fields).
static KEYS_PROJECTION: Message = Message {
    name: "SecretProjection",
    fields: &[
        f(1, "", msg(&LOCAL_OBJECT_REFERENCE), INLINE),
        f(2, "items", msg(&KEY_TO_PATH), LO),
        f(4, "optional", Bool, P),
    ],
};

static DOWNWARD_API_PROJECTION: Message = Message {
    name: "DownwardAPIProjection",
    fields: &[f(1, "items", msg(&DOWNWARD_API_VOLUME_FILE), LO)],
};

static SERVICE_ACCOUNT_TOKEN_PROJECTION: Message = Message {
    name: "ServiceAccountTokenProjection",
    fields: &[
        f(1, "audience", Str, VO),
        f(2, "expirationSeconds", I64, P),
        f(3, "path", Str, V),
    ],
};

static CLUSTER_TRUST_BUNDLE_PROJECTION: Message = Message {
    name: "ClusterTrustBundleProjection",
    fields: &[
        f(1, "name", Str, P),
        f(2, "signerName", Str, P),
        f(3, "labelSelector", msg(&LABEL_SELECTOR), P),
        f(5, "optional", Bool, P),
        f(4, "path", Str, V),
    ],
};

static POD_CERTIFICATE_PROJECTION: Message = Message {
    name: "PodCertificateProjection",
    fields: &[
        f(1, "signerName", Str, VO),
        f(2, "keyType", Str, VO),
        f(3, "maxExpirationSeconds", I32, P),
        f(4, "credentialBundlePath", Str, VO),
        f(5, "keyPath", Str, VO),
        f(6, "certificateChainPath", Str, VO),
        f(7, "userAnnotations", Str, MO),
    ],
};

static PORTWORX: Message = Message {
    name: "PortworxVolumeSource",
    fields: &[
        f(1, "volumeID", Str, V),
        f(2, "fsType", Str, VO),
        f(3, "readOnly", Bool, VO),
    ],
};

static SCALE_IO: Message = Message {
    name: "ScaleIOVolumeSource",
    fields: &[
        f(1, "gateway", Str, V),
        f(2, "system", Str, V),
        f(3, "secretRef", msg(&LOCAL_OBJECT_REFERENCE), PN),
        f(4, "sslEnabled", Bool, VO),
        f(5, "protectionDomain", Str, VO),
        f(6, "storagePool", Str, VO),
        f(7, "storageMode", Str, VO),
        f(8, "volumeName", Str, VO),
        f(9, "fsType", Str, VO),
        f(10, "readOnly", Bool, VO),
    ],
};

static STORAGE_OS: Message = Message {
    name: "StorageOSVolumeSource",
    fields: &[
        f(1, "volumeName", Str, VO),
        f(2, "volumeNamespace", Str, VO),
        f(3, "fsType", Str, VO),
        f(4, "readOnly", Bool, VO),
        f(5, "secretRef", msg(&LOCAL_OBJECT_REFERENCE), P),
    ],
};

static CSI: Message = Message {
    name: "CSIVolumeSource",
    fields: &[
        f(1, "driver", Str, V),
        f(2, "readOnly", Bool, P),
        f(3, "fsType", Str, P),
        f(4, "volumeAttributes", Str, MO),
        f(5, "nodePublishSecretRef", msg(&LOCAL_OBJECT_REFERENCE), P),
    ],
};

static EPHEMERAL: Message = Message {
    name: "EphemeralVolumeSource",
    fields: &[f(
        1,
        "volumeClaimTemplate",
        msg(&PERSISTENT_VOLUME_CLAIM_TEMPLATE),
        P,
    )],
};

static IMAGE: Message = Message {
    name: "ImageVolumeSource",
    fields: &[f(1, "reference", Str, VO), f(2, "pullPolicy", Str, VO)],
};

static PERSISTENT_VOLUME_CLAIM_TEMPLATE: Message = Message {
    name: "PersistentVolumeClaimTemplate",
    fields: &[
        f(1, "metadata", msg(&OBJECT_META), VO),
        f(2, "spec", msg(&PERSISTENT_VOLUME_CLAIM_SPEC), V),
    ],
};

static PERSISTENT_VOLUME_CLAIM_SPEC: Message = Message {
    name: "PersistentVolumeClaimSpec",
    fields: &[
        f(1, "accessModes", Str, LO),
        f(4, "selector", msg(&LABEL_SELECTOR), P),
        f(2, "resources", msg(&VOLUME_RESOURCE_REQUIREMENTS), VO),
        f(3, "volumeName", Str, VO),
        f(5, "storageClassName", Str, P),
        f(6, "volumeMode", Str, P),
        f(7, "dataSource", msg(&TYPED_LOCAL_OBJECT_REFERENCE), P),
        f(8, "dataSourceRef", msg(&TYPED_OBJECT_REFERENCE), P),
        f(9, "volumeAttributesClassName", Str, P),
    ],
};

static VOLUME_RESOURCE_REQUIREMENTS: Message = Message {
    name: "VolumeResourceRequirements",
    fields: &[f(1, "limits", Quantity, MO), f(2, "requests", Quantity, MO)],
};

/// `TypedLocalObjectReference`.
pub(crate) static TYPED_LOCAL_OBJECT_REFERENCE: Message = Message {
    name: "TypedLocalObjectReference",
    fields: &[
        f(1, "apiGroup", Str, PN),
        f(2, "kind", Str, V),
        f(3, "name", Str, V),
    ],
};

static TYPED_OBJECT_REFERENCE: Message = Message {
    name: "TypedObjectReference",
    fields: &[
        f(1, "apiGroup", Str, PN),
        f(2, "kind", Str, V),
        f(3, "name", Str, V),
        f(4, "namespace", Str, P),
    ],
};
