//! The Go types of the objects svclab reads (Kubernetes 1.31), every field, so that anything the
//! API server accepts is accepted here. Subtrees svclab never looks into are `Any`.

use super::{Struct, Ty};

const STRING: Ty = Ty::Str("string");
static STRING_T: Ty = STRING;
static INT64_T: Ty = Ty::Int64;
static ANY_T: Ty = Ty::Any;
static PROTOCOL: Ty = Ty::Str("v1.Protocol");

static OWNER_REFERENCE_T: Ty = Ty::Obj(&Struct {
    name: "OwnerReference",
    go: "v1.OwnerReference",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("name", STRING),
        ("uid", Ty::Str("types.UID")),
        ("controller", Ty::Bool),
        ("blockOwnerDeletion", Ty::Bool),
    ],
});

static MANAGED_FIELDS_T: Ty = Ty::Obj(&Struct {
    name: "ManagedFieldsEntry",
    go: "v1.ManagedFieldsEntry",
    fields: &[
        ("manager", STRING),
        ("operation", Ty::Str("v1.ManagedFieldsOperationType")),
        ("apiVersion", STRING),
        ("time", Ty::Any),
        ("fieldsType", STRING),
        ("fieldsV1", Ty::Any),
        ("subresource", STRING),
    ],
});

static OBJECT_META: Struct = Struct {
    name: "ObjectMeta",
    go: "v1.ObjectMeta",
    fields: &[
        ("name", STRING),
        ("generateName", STRING),
        ("namespace", STRING),
        ("selfLink", STRING),
        ("uid", Ty::Str("types.UID")),
        ("resourceVersion", STRING),
        ("generation", Ty::Int64),
        ("creationTimestamp", Ty::Any),
        ("deletionTimestamp", Ty::Any),
        ("deletionGracePeriodSeconds", Ty::Int64),
        ("labels", Ty::StrMap),
        ("annotations", Ty::StrMap),
        (
            "ownerReferences",
            Ty::List(&OWNER_REFERENCE_T, "[]v1.OwnerReference"),
        ),
        ("finalizers", Ty::List(&STRING_T, "[]string")),
        (
            "managedFields",
            Ty::List(&MANAGED_FIELDS_T, "[]v1.ManagedFieldsEntry"),
        ),
    ],
};

static SELECTOR_REQUIREMENT_T: Ty = Ty::Obj(&Struct {
    name: "LabelSelectorRequirement",
    go: "v1.LabelSelectorRequirement",
    fields: &[
        ("key", STRING),
        ("operator", Ty::Str("v1.LabelSelectorOperator")),
        ("values", Ty::List(&STRING_T, "[]string")),
    ],
});

static LABEL_SELECTOR: Struct = Struct {
    name: "LabelSelector",
    go: "v1.LabelSelector",
    fields: &[
        ("matchLabels", Ty::StrMap),
        (
            "matchExpressions",
            Ty::List(&SELECTOR_REQUIREMENT_T, "[]v1.LabelSelectorRequirement"),
        ),
    ],
};

static EXEC_ACTION: Struct = Struct {
    name: "ExecAction",
    go: "v1.ExecAction",
    fields: &[("command", Ty::List(&STRING_T, "[]string"))],
};

static HTTP_HEADER_T: Ty = Ty::Obj(&Struct {
    name: "HTTPHeader",
    go: "v1.HTTPHeader",
    fields: &[("name", STRING), ("value", STRING)],
});

static HTTP_GET_ACTION: Struct = Struct {
    name: "HTTPGetAction",
    go: "v1.HTTPGetAction",
    fields: &[
        ("path", STRING),
        ("port", Ty::IntOrStr),
        ("host", STRING),
        ("scheme", Ty::Str("v1.URIScheme")),
        ("httpHeaders", Ty::List(&HTTP_HEADER_T, "[]v1.HTTPHeader")),
    ],
};

static TCP_SOCKET_ACTION: Struct = Struct {
    name: "TCPSocketAction",
    go: "v1.TCPSocketAction",
    fields: &[("port", Ty::IntOrStr), ("host", STRING)],
};

static GRPC_ACTION: Struct = Struct {
    name: "GRPCAction",
    go: "v1.GRPCAction",
    fields: &[("port", Ty::Int32), ("service", STRING)],
};

static SLEEP_ACTION: Struct = Struct {
    name: "SleepAction",
    go: "v1.SleepAction",
    fields: &[("seconds", Ty::Int64)],
};

static PROBE: Struct = Struct {
    name: "Probe",
    go: "v1.Probe",
    fields: &[
        ("exec", Ty::Obj(&EXEC_ACTION)),
        ("httpGet", Ty::Obj(&HTTP_GET_ACTION)),
        ("tcpSocket", Ty::Obj(&TCP_SOCKET_ACTION)),
        ("grpc", Ty::Obj(&GRPC_ACTION)),
        ("initialDelaySeconds", Ty::Int32),
        ("timeoutSeconds", Ty::Int32),
        ("periodSeconds", Ty::Int32),
        ("successThreshold", Ty::Int32),
        ("failureThreshold", Ty::Int32),
        ("terminationGracePeriodSeconds", Ty::Int64),
    ],
};

static LIFECYCLE_HANDLER: Struct = Struct {
    name: "LifecycleHandler",
    go: "v1.LifecycleHandler",
    fields: &[
        ("exec", Ty::Obj(&EXEC_ACTION)),
        ("httpGet", Ty::Obj(&HTTP_GET_ACTION)),
        ("tcpSocket", Ty::Obj(&TCP_SOCKET_ACTION)),
        ("sleep", Ty::Obj(&SLEEP_ACTION)),
    ],
};

static LIFECYCLE: Struct = Struct {
    name: "Lifecycle",
    go: "v1.Lifecycle",
    fields: &[
        ("postStart", Ty::Obj(&LIFECYCLE_HANDLER)),
        ("preStop", Ty::Obj(&LIFECYCLE_HANDLER)),
        ("stopSignal", Ty::Str("v1.Signal")),
    ],
};

static CONTAINER_PORT_T: Ty = Ty::Obj(&Struct {
    name: "ContainerPort",
    go: "v1.ContainerPort",
    fields: &[
        ("name", STRING),
        ("hostPort", Ty::Int32),
        ("containerPort", Ty::Int32),
        ("protocol", PROTOCOL),
        ("hostIP", STRING),
    ],
});

static KEY_SELECTOR: Struct = Struct {
    name: "ConfigMapKeySelector",
    go: "v1.ConfigMapKeySelector",
    fields: &[("name", STRING), ("key", STRING), ("optional", Ty::Bool)],
};

static SECRET_KEY_SELECTOR: Struct = Struct {
    name: "SecretKeySelector",
    go: "v1.SecretKeySelector",
    fields: &[("name", STRING), ("key", STRING), ("optional", Ty::Bool)],
};

static ENV_VAR_SOURCE: Struct = Struct {
    name: "EnvVarSource",
    go: "v1.EnvVarSource",
    fields: &[
        (
            "fieldRef",
            Ty::Obj(&Struct {
                name: "ObjectFieldSelector",
                go: "v1.ObjectFieldSelector",
                fields: &[("apiVersion", STRING), ("fieldPath", STRING)],
            }),
        ),
        (
            "resourceFieldRef",
            Ty::Obj(&Struct {
                name: "ResourceFieldSelector",
                go: "v1.ResourceFieldSelector",
                fields: &[
                    ("containerName", STRING),
                    ("resource", STRING),
                    ("divisor", Ty::Any),
                ],
            }),
        ),
        ("configMapKeyRef", Ty::Obj(&KEY_SELECTOR)),
        ("secretKeyRef", Ty::Obj(&SECRET_KEY_SELECTOR)),
        ("fileKeyRef", Ty::Any),
    ],
};

static ENV_VAR_T: Ty = Ty::Obj(&Struct {
    name: "EnvVar",
    go: "v1.EnvVar",
    fields: &[
        ("name", STRING),
        ("value", STRING),
        ("valueFrom", Ty::Obj(&ENV_VAR_SOURCE)),
    ],
});

static ENV_FROM_T: Ty = Ty::Obj(&Struct {
    name: "EnvFromSource",
    go: "v1.EnvFromSource",
    fields: &[
        ("prefix", STRING),
        (
            "configMapRef",
            Ty::Obj(&Struct {
                name: "ConfigMapEnvSource",
                go: "v1.ConfigMapEnvSource",
                fields: &[("name", STRING), ("optional", Ty::Bool)],
            }),
        ),
        (
            "secretRef",
            Ty::Obj(&Struct {
                name: "SecretEnvSource",
                go: "v1.SecretEnvSource",
                fields: &[("name", STRING), ("optional", Ty::Bool)],
            }),
        ),
    ],
});

static RESOURCE_CLAIM_T: Ty = Ty::Obj(&Struct {
    name: "ResourceClaim",
    go: "v1.ResourceClaim",
    fields: &[("name", STRING), ("request", STRING)],
});

static RESOURCE_REQUIREMENTS: Struct = Struct {
    name: "ResourceRequirements",
    go: "v1.ResourceRequirements",
    fields: &[
        ("limits", Ty::AnyMap("v1.ResourceList")),
        ("requests", Ty::AnyMap("v1.ResourceList")),
        ("claims", Ty::List(&RESOURCE_CLAIM_T, "[]v1.ResourceClaim")),
    ],
};

static RESIZE_POLICY_T: Ty = Ty::Obj(&Struct {
    name: "ContainerResizePolicy",
    go: "v1.ContainerResizePolicy",
    fields: &[
        ("resourceName", Ty::Str("v1.ResourceName")),
        ("restartPolicy", Ty::Str("v1.ResourceResizeRestartPolicy")),
    ],
});

static VOLUME_MOUNT_T: Ty = Ty::Obj(&Struct {
    name: "VolumeMount",
    go: "v1.VolumeMount",
    fields: &[
        ("name", STRING),
        ("readOnly", Ty::Bool),
        ("recursiveReadOnly", Ty::Str("v1.RecursiveReadOnlyMode")),
        ("mountPath", STRING),
        ("subPath", STRING),
        ("mountPropagation", Ty::Str("v1.MountPropagationMode")),
        ("subPathExpr", STRING),
    ],
});

static VOLUME_DEVICE_T: Ty = Ty::Obj(&Struct {
    name: "VolumeDevice",
    go: "v1.VolumeDevice",
    fields: &[("name", STRING), ("devicePath", STRING)],
});

static CAPABILITY_T: Ty = Ty::Str("v1.Capability");

static SECURITY_CONTEXT: Struct = Struct {
    name: "SecurityContext",
    go: "v1.SecurityContext",
    fields: &[
        (
            "capabilities",
            Ty::Obj(&Struct {
                name: "Capabilities",
                go: "v1.Capabilities",
                fields: &[
                    ("add", Ty::List(&CAPABILITY_T, "[]v1.Capability")),
                    ("drop", Ty::List(&CAPABILITY_T, "[]v1.Capability")),
                ],
            }),
        ),
        ("privileged", Ty::Bool),
        ("seLinuxOptions", Ty::Any),
        ("windowsOptions", Ty::Any),
        ("runAsUser", Ty::Int64),
        ("runAsGroup", Ty::Int64),
        ("runAsNonRoot", Ty::Bool),
        ("readOnlyRootFilesystem", Ty::Bool),
        ("allowPrivilegeEscalation", Ty::Bool),
        ("procMount", Ty::Str("v1.ProcMountType")),
        ("seccompProfile", Ty::Any),
        ("appArmorProfile", Ty::Any),
    ],
};

static CONTAINER: Struct = Struct {
    name: "Container",
    go: "v1.Container",
    fields: &[
        ("name", STRING),
        ("image", STRING),
        ("command", Ty::List(&STRING_T, "[]string")),
        ("args", Ty::List(&STRING_T, "[]string")),
        ("workingDir", STRING),
        ("ports", Ty::List(&CONTAINER_PORT_T, "[]v1.ContainerPort")),
        ("envFrom", Ty::List(&ENV_FROM_T, "[]v1.EnvFromSource")),
        ("env", Ty::List(&ENV_VAR_T, "[]v1.EnvVar")),
        ("resources", Ty::Obj(&RESOURCE_REQUIREMENTS)),
        (
            "resizePolicy",
            Ty::List(&RESIZE_POLICY_T, "[]v1.ContainerResizePolicy"),
        ),
        ("restartPolicy", Ty::Str("v1.ContainerRestartPolicy")),
        ("restartPolicyRules", Ty::Any),
        (
            "volumeMounts",
            Ty::List(&VOLUME_MOUNT_T, "[]v1.VolumeMount"),
        ),
        (
            "volumeDevices",
            Ty::List(&VOLUME_DEVICE_T, "[]v1.VolumeDevice"),
        ),
        ("livenessProbe", Ty::Obj(&PROBE)),
        ("readinessProbe", Ty::Obj(&PROBE)),
        ("startupProbe", Ty::Obj(&PROBE)),
        ("lifecycle", Ty::Obj(&LIFECYCLE)),
        ("terminationMessagePath", STRING),
        (
            "terminationMessagePolicy",
            Ty::Str("v1.TerminationMessagePolicy"),
        ),
        ("imagePullPolicy", Ty::Str("v1.PullPolicy")),
        ("securityContext", Ty::Obj(&SECURITY_CONTEXT)),
        ("stdin", Ty::Bool),
        ("stdinOnce", Ty::Bool),
        ("tty", Ty::Bool),
    ],
};

static CONTAINER_T: Ty = Ty::Obj(&CONTAINER);

/// Every volume source; svclab never mounts anything, so their contents are not checked.
pub(in crate::manifest) const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

static VOLUME_T: Ty = Ty::Obj(&Struct {
    name: "Volume",
    go: "v1.Volume",
    fields: &[
        ("name", STRING),
        ("hostPath", Ty::Any),
        ("emptyDir", Ty::Any),
        ("gcePersistentDisk", Ty::Any),
        ("awsElasticBlockStore", Ty::Any),
        ("gitRepo", Ty::Any),
        ("secret", Ty::Any),
        ("nfs", Ty::Any),
        ("iscsi", Ty::Any),
        ("glusterfs", Ty::Any),
        ("persistentVolumeClaim", Ty::Any),
        ("rbd", Ty::Any),
        ("flexVolume", Ty::Any),
        ("cinder", Ty::Any),
        ("cephfs", Ty::Any),
        ("flocker", Ty::Any),
        ("downwardAPI", Ty::Any),
        ("fc", Ty::Any),
        ("azureFile", Ty::Any),
        ("configMap", Ty::Any),
        ("vsphereVolume", Ty::Any),
        ("quobyte", Ty::Any),
        ("azureDisk", Ty::Any),
        ("photonPersistentDisk", Ty::Any),
        ("projected", Ty::Any),
        ("portworxVolume", Ty::Any),
        ("scaleIO", Ty::Any),
        ("storageos", Ty::Any),
        ("csi", Ty::Any),
        ("ephemeral", Ty::Any),
        ("image", Ty::Any),
    ],
});

static TOLERATION_T: Ty = Ty::Obj(&Struct {
    name: "Toleration",
    go: "v1.Toleration",
    fields: &[
        ("key", STRING),
        ("operator", Ty::Str("v1.TolerationOperator")),
        ("value", STRING),
        ("effect", Ty::Str("v1.TaintEffect")),
        ("tolerationSeconds", Ty::Int64),
    ],
});

static HOST_ALIAS_T: Ty = Ty::Obj(&Struct {
    name: "HostAlias",
    go: "v1.HostAlias",
    fields: &[
        ("ip", STRING),
        ("hostnames", Ty::List(&STRING_T, "[]string")),
    ],
});

static DNS_OPTION_T: Ty = Ty::Obj(&Struct {
    name: "PodDNSConfigOption",
    go: "v1.PodDNSConfigOption",
    fields: &[("name", STRING), ("value", STRING)],
});

static POD_SECURITY_CONTEXT: Struct = Struct {
    name: "PodSecurityContext",
    go: "v1.PodSecurityContext",
    fields: &[
        ("seLinuxOptions", Ty::Any),
        ("windowsOptions", Ty::Any),
        ("runAsUser", Ty::Int64),
        ("runAsGroup", Ty::Int64),
        ("runAsNonRoot", Ty::Bool),
        ("supplementalGroups", Ty::List(&INT64_T, "[]int64")),
        (
            "supplementalGroupsPolicy",
            Ty::Str("v1.SupplementalGroupsPolicy"),
        ),
        ("fsGroup", Ty::Int64),
        ("sysctls", Ty::List(&ANY_T, "[]v1.Sysctl")),
        ("fsGroupChangePolicy", Ty::Str("v1.PodFSGroupChangePolicy")),
        ("seccompProfile", Ty::Any),
        ("appArmorProfile", Ty::Any),
        ("seLinuxChangePolicy", Ty::Str("v1.PodSELinuxChangePolicy")),
    ],
};

static LOCAL_OBJECT_REFERENCE_T: Ty = Ty::Obj(&Struct {
    name: "LocalObjectReference",
    go: "v1.LocalObjectReference",
    fields: &[("name", STRING)],
});

static POD_SPEC: Struct = Struct {
    name: "PodSpec",
    go: "v1.PodSpec",
    fields: &[
        ("volumes", Ty::List(&VOLUME_T, "[]v1.Volume")),
        ("initContainers", Ty::List(&CONTAINER_T, "[]v1.Container")),
        ("containers", Ty::List(&CONTAINER_T, "[]v1.Container")),
        (
            "ephemeralContainers",
            Ty::List(&ANY_T, "[]v1.EphemeralContainer"),
        ),
        ("restartPolicy", Ty::Str("v1.RestartPolicy")),
        ("terminationGracePeriodSeconds", Ty::Int64),
        ("activeDeadlineSeconds", Ty::Int64),
        ("dnsPolicy", Ty::Str("v1.DNSPolicy")),
        ("nodeSelector", Ty::StrMap),
        ("serviceAccountName", STRING),
        ("serviceAccount", STRING),
        ("automountServiceAccountToken", Ty::Bool),
        ("nodeName", STRING),
        ("hostNetwork", Ty::Bool),
        ("hostPID", Ty::Bool),
        ("hostIPC", Ty::Bool),
        ("shareProcessNamespace", Ty::Bool),
        ("securityContext", Ty::Obj(&POD_SECURITY_CONTEXT)),
        (
            "imagePullSecrets",
            Ty::List(&LOCAL_OBJECT_REFERENCE_T, "[]v1.LocalObjectReference"),
        ),
        ("hostname", STRING),
        ("hostnameOverride", STRING),
        ("subdomain", STRING),
        ("affinity", Ty::Any),
        ("schedulerName", STRING),
        ("tolerations", Ty::List(&TOLERATION_T, "[]v1.Toleration")),
        ("hostAliases", Ty::List(&HOST_ALIAS_T, "[]v1.HostAlias")),
        ("priorityClassName", STRING),
        ("priority", Ty::Int32),
        (
            "dnsConfig",
            Ty::Obj(&Struct {
                name: "PodDNSConfig",
                go: "v1.PodDNSConfig",
                fields: &[
                    ("nameservers", Ty::List(&STRING_T, "[]string")),
                    ("searches", Ty::List(&STRING_T, "[]string")),
                    (
                        "options",
                        Ty::List(&DNS_OPTION_T, "[]v1.PodDNSConfigOption"),
                    ),
                ],
            }),
        ),
        ("readinessGates", Ty::List(&ANY_T, "[]v1.PodReadinessGate")),
        ("runtimeClassName", STRING),
        ("enableServiceLinks", Ty::Bool),
        ("preemptionPolicy", Ty::Str("v1.PreemptionPolicy")),
        ("overhead", Ty::AnyMap("v1.ResourceList")),
        (
            "topologySpreadConstraints",
            Ty::List(&ANY_T, "[]v1.TopologySpreadConstraint"),
        ),
        ("setHostnameAsFQDN", Ty::Bool),
        ("os", Ty::Any),
        ("hostUsers", Ty::Bool),
        (
            "schedulingGates",
            Ty::List(&ANY_T, "[]v1.PodSchedulingGate"),
        ),
        ("resourceClaims", Ty::List(&ANY_T, "[]v1.PodResourceClaim")),
        ("resources", Ty::Obj(&RESOURCE_REQUIREMENTS)),
    ],
};

static POD_TEMPLATE_SPEC: Struct = Struct {
    name: "PodTemplateSpec",
    go: "v1.PodTemplateSpec",
    fields: &[
        ("metadata", Ty::Obj(&OBJECT_META)),
        ("spec", Ty::Obj(&POD_SPEC)),
    ],
};

static DEPLOYMENT_SPEC: Struct = Struct {
    name: "DeploymentSpec",
    go: "v1.DeploymentSpec",
    fields: &[
        ("replicas", Ty::Int32),
        ("selector", Ty::Obj(&LABEL_SELECTOR)),
        ("template", Ty::Obj(&POD_TEMPLATE_SPEC)),
        (
            "strategy",
            Ty::Obj(&Struct {
                name: "DeploymentStrategy",
                go: "v1.DeploymentStrategy",
                fields: &[
                    ("type", Ty::Str("v1.DeploymentStrategyType")),
                    (
                        "rollingUpdate",
                        Ty::Obj(&Struct {
                            name: "RollingUpdateDeployment",
                            go: "v1.RollingUpdateDeployment",
                            fields: &[("maxUnavailable", Ty::IntOrStr), ("maxSurge", Ty::IntOrStr)],
                        }),
                    ),
                ],
            }),
        ),
        ("minReadySeconds", Ty::Int32),
        ("revisionHistoryLimit", Ty::Int32),
        ("paused", Ty::Bool),
        ("progressDeadlineSeconds", Ty::Int32),
    ],
};

pub(in crate::manifest) static DEPLOYMENT: Struct = Struct {
    name: "Deployment",
    go: "v1.Deployment",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        ("spec", Ty::Obj(&DEPLOYMENT_SPEC)),
        ("status", Ty::Any),
    ],
};

static SERVICE_PORT_T: Ty = Ty::Obj(&Struct {
    name: "ServicePort",
    go: "v1.ServicePort",
    fields: &[
        ("name", STRING),
        ("protocol", PROTOCOL),
        ("appProtocol", STRING),
        ("port", Ty::Int32),
        ("targetPort", Ty::IntOrStr),
        ("nodePort", Ty::Int32),
    ],
});

static IP_FAMILY_T: Ty = Ty::Str("v1.IPFamily");

static SERVICE_SPEC: Struct = Struct {
    name: "ServiceSpec",
    go: "v1.ServiceSpec",
    fields: &[
        ("ports", Ty::List(&SERVICE_PORT_T, "[]v1.ServicePort")),
        ("selector", Ty::StrMap),
        ("clusterIP", STRING),
        ("clusterIPs", Ty::List(&STRING_T, "[]string")),
        ("type", Ty::Str("v1.ServiceType")),
        ("externalIPs", Ty::List(&STRING_T, "[]string")),
        ("sessionAffinity", Ty::Str("v1.ServiceAffinity")),
        ("loadBalancerIP", STRING),
        ("loadBalancerSourceRanges", Ty::List(&STRING_T, "[]string")),
        ("externalName", STRING),
        (
            "externalTrafficPolicy",
            Ty::Str("v1.ServiceExternalTrafficPolicy"),
        ),
        ("healthCheckNodePort", Ty::Int32),
        ("publishNotReadyAddresses", Ty::Bool),
        (
            "sessionAffinityConfig",
            Ty::Obj(&Struct {
                name: "SessionAffinityConfig",
                go: "v1.SessionAffinityConfig",
                fields: &[(
                    "clientIP",
                    Ty::Obj(&Struct {
                        name: "ClientIPConfig",
                        go: "v1.ClientIPConfig",
                        fields: &[("timeoutSeconds", Ty::Int32)],
                    }),
                )],
            }),
        ),
        ("ipFamilies", Ty::List(&IP_FAMILY_T, "[]v1.IPFamily")),
        ("ipFamilyPolicy", Ty::Str("v1.IPFamilyPolicy")),
        ("allocateLoadBalancerNodePorts", Ty::Bool),
        ("loadBalancerClass", STRING),
        (
            "internalTrafficPolicy",
            Ty::Str("v1.ServiceInternalTrafficPolicy"),
        ),
        ("trafficDistribution", STRING),
    ],
};

pub(in crate::manifest) static SERVICE: Struct = Struct {
    name: "Service",
    go: "v1.Service",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        ("spec", Ty::Obj(&SERVICE_SPEC)),
        ("status", Ty::Any),
    ],
};

pub(in crate::manifest) static POD: Struct = Struct {
    name: "Pod",
    go: "v1.Pod",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        ("spec", Ty::Obj(&POD_SPEC)),
        ("status", Ty::Any),
    ],
};

static FINALIZER_NAME_T: Ty = Ty::Str("v1.FinalizerName");

pub(in crate::manifest) static NAMESPACE: Struct = Struct {
    name: "Namespace",
    go: "v1.Namespace",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        (
            "spec",
            Ty::Obj(&Struct {
                name: "NamespaceSpec",
                go: "v1.NamespaceSpec",
                fields: &[(
                    "finalizers",
                    Ty::List(&FINALIZER_NAME_T, "[]v1.FinalizerName"),
                )],
            }),
        ),
        ("status", Ty::Any),
    ],
};

static POLICY_PORT_T: Ty = Ty::Obj(&Struct {
    name: "NetworkPolicyPort",
    go: "v1.NetworkPolicyPort",
    fields: &[
        ("protocol", PROTOCOL),
        ("port", Ty::IntOrStr),
        ("endPort", Ty::Int32),
    ],
});

static POLICY_PEER_T: Ty = Ty::Obj(&Struct {
    name: "NetworkPolicyPeer",
    go: "v1.NetworkPolicyPeer",
    fields: &[
        ("podSelector", Ty::Obj(&LABEL_SELECTOR)),
        ("namespaceSelector", Ty::Obj(&LABEL_SELECTOR)),
        (
            "ipBlock",
            Ty::Obj(&Struct {
                name: "IPBlock",
                go: "v1.IPBlock",
                fields: &[
                    ("cidr", STRING),
                    ("except", Ty::List(&STRING_T, "[]string")),
                ],
            }),
        ),
    ],
});

static INGRESS_RULE_T: Ty = Ty::Obj(&Struct {
    name: "NetworkPolicyIngressRule",
    go: "v1.NetworkPolicyIngressRule",
    fields: &[
        ("ports", Ty::List(&POLICY_PORT_T, "[]v1.NetworkPolicyPort")),
        ("from", Ty::List(&POLICY_PEER_T, "[]v1.NetworkPolicyPeer")),
    ],
});

static EGRESS_RULE_T: Ty = Ty::Obj(&Struct {
    name: "NetworkPolicyEgressRule",
    go: "v1.NetworkPolicyEgressRule",
    fields: &[
        ("ports", Ty::List(&POLICY_PORT_T, "[]v1.NetworkPolicyPort")),
        ("to", Ty::List(&POLICY_PEER_T, "[]v1.NetworkPolicyPeer")),
    ],
});

static POLICY_TYPE_T: Ty = Ty::Str("v1.PolicyType");

pub(in crate::manifest) static NETWORK_POLICY: Struct = Struct {
    name: "NetworkPolicy",
    go: "v1.NetworkPolicy",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        (
            "spec",
            Ty::Obj(&Struct {
                name: "NetworkPolicySpec",
                go: "v1.NetworkPolicySpec",
                fields: &[
                    ("podSelector", Ty::Obj(&LABEL_SELECTOR)),
                    (
                        "ingress",
                        Ty::List(&INGRESS_RULE_T, "[]v1.NetworkPolicyIngressRule"),
                    ),
                    (
                        "egress",
                        Ty::List(&EGRESS_RULE_T, "[]v1.NetworkPolicyEgressRule"),
                    ),
                    ("policyTypes", Ty::List(&POLICY_TYPE_T, "[]v1.PolicyType")),
                ],
            }),
        ),
        ("status", Ty::Any),
    ],
};

static OBJECT_REFERENCE: Struct = Struct {
    name: "ObjectReference",
    go: "v1.ObjectReference",
    fields: &[
        ("kind", STRING),
        ("namespace", STRING),
        ("name", STRING),
        ("uid", Ty::Str("types.UID")),
        ("apiVersion", STRING),
        ("resourceVersion", STRING),
        ("fieldPath", STRING),
    ],
};

static ENDPOINT_CONDITIONS: Struct = Struct {
    name: "EndpointConditions",
    go: "v1.EndpointConditions",
    fields: &[
        ("ready", Ty::Bool),
        ("serving", Ty::Bool),
        ("terminating", Ty::Bool),
    ],
};

static ENDPOINT_T: Ty = Ty::Obj(&Struct {
    name: "Endpoint",
    go: "v1.Endpoint",
    fields: &[
        ("addresses", Ty::List(&STRING_T, "[]string")),
        ("conditions", Ty::Obj(&ENDPOINT_CONDITIONS)),
        ("hostname", STRING),
        ("targetRef", Ty::Obj(&OBJECT_REFERENCE)),
        ("deprecatedTopology", Ty::StrMap),
        ("nodeName", STRING),
        ("zone", STRING),
        ("hints", Ty::Any),
    ],
});

static ENDPOINT_PORT_T: Ty = Ty::Obj(&Struct {
    name: "EndpointPort",
    go: "v1.EndpointPort",
    fields: &[
        ("name", STRING),
        ("protocol", PROTOCOL),
        ("port", Ty::Int32),
        ("appProtocol", STRING),
    ],
});

/// `discovery.k8s.io/v1` EndpointSlice.
pub(in crate::manifest) static ENDPOINT_SLICE: Struct = Struct {
    name: "EndpointSlice",
    go: "v1.EndpointSlice",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        ("addressType", Ty::Str("v1.AddressType")),
        ("endpoints", Ty::List(&ENDPOINT_T, "[]v1.Endpoint")),
        ("ports", Ty::List(&ENDPOINT_PORT_T, "[]v1.EndpointPort")),
    ],
};

static ENDPOINT_ADDRESS_T: Ty = Ty::Obj(&Struct {
    name: "EndpointAddress",
    go: "v1.EndpointAddress",
    fields: &[
        ("ip", STRING),
        ("hostname", STRING),
        ("nodeName", STRING),
        ("targetRef", Ty::Obj(&OBJECT_REFERENCE)),
    ],
});

static CORE_ENDPOINT_PORT_T: Ty = Ty::Obj(&Struct {
    name: "EndpointPort",
    go: "v1.EndpointPort",
    fields: &[
        ("name", STRING),
        ("port", Ty::Int32),
        ("protocol", PROTOCOL),
        ("appProtocol", STRING),
    ],
});

static ENDPOINT_SUBSET_T: Ty = Ty::Obj(&Struct {
    name: "EndpointSubset",
    go: "v1.EndpointSubset",
    fields: &[
        (
            "addresses",
            Ty::List(&ENDPOINT_ADDRESS_T, "[]v1.EndpointAddress"),
        ),
        (
            "notReadyAddresses",
            Ty::List(&ENDPOINT_ADDRESS_T, "[]v1.EndpointAddress"),
        ),
        (
            "ports",
            Ty::List(&CORE_ENDPOINT_PORT_T, "[]v1.EndpointPort"),
        ),
    ],
});

/// `v1` Endpoints.
pub(in crate::manifest) static ENDPOINTS: Struct = Struct {
    name: "Endpoints",
    go: "v1.Endpoints",
    fields: &[
        ("apiVersion", STRING),
        ("kind", STRING),
        ("metadata", Ty::Obj(&OBJECT_META)),
        (
            "subsets",
            Ty::List(&ENDPOINT_SUBSET_T, "[]v1.EndpointSubset"),
        ),
    ],
};
