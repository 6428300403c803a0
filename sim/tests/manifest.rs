//! Manifests in: the seed lesson parses to the right objects, `kubectl get -o yaml` output can be
//! pasted back, and every mistake gets kubectl's exact text at the right line and column.

use std::net::Ipv4Addr;

use svclab_sim::manifest::{self, Document, ManifestError};
use svclab_sim::model::{
    ClusterIp, Container, ContainerPort, Deployment, DeploymentSpec, IntOrString, IpBlock,
    LabelSelector, Labels, NetworkPolicy, Object, ObjectMeta, PodTemplateSpec, PolicyPeer,
    PolicyPort, PolicyRule, Probe, Protocol, PullPolicy, SelectorOp, Service, ServicePort,
    ServiceSpec, ServiceType, TrafficPolicy,
};

const SEED: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  replicas: 3
  selector:
    matchLabels:
      app: backend
  template:
    metadata:
      labels:
        app: backend
    spec:
      containers:
        - name: api
          image: nginx
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: backend-service
spec:
  selector:
    app: backend
  ports:
    - port: 80
      targetPort: 80
  type: ClusterIP
";

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn parse_ok(text: &str) -> Vec<Document> {
    match manifest::parse(text, "x.yaml") {
        Ok(docs) => docs,
        Err(errs) => panic!(
            "unexpected errors: {:#?}",
            errs.iter().map(|e| &e.message).collect::<Vec<_>>()
        ),
    }
}

fn one(text: &str) -> Object {
    let docs = parse_ok(text);
    assert_eq!(docs.len(), 1, "{docs:#?}");
    docs.into_iter().next().map(|d| d.object).unwrap()
}

fn errors(text: &str) -> Vec<ManifestError> {
    match manifest::parse(text, "x.yaml") {
        Ok(docs) => panic!("expected an error, got {docs:#?}"),
        Err(errs) => errs,
    }
}

/// The single error of `text`: (line, column, message).
fn error(text: &str) -> (usize, usize, String) {
    let errs = errors(text);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let e = &errs[0];
    (e.line, e.column, e.message.clone())
}

fn backend_deployment() -> Deployment {
    Deployment {
        meta: ObjectMeta::new("default", "backend"),
        spec: DeploymentSpec {
            replicas: 3,
            progress_deadline_seconds: svclab_sim::model::DEFAULT_PROGRESS_DEADLINE,
            selector: LabelSelector::from_labels(labels(&[("app", "backend")])),
            template: PodTemplateSpec {
                labels: labels(&[("app", "backend")]),
                annotations: Labels::new(),
                spec: svclab_sim::model::PodSpec {
                    containers: vec![Container {
                        name: "api".into(),
                        image: "nginx".into(),
                        // Untagged: the API server defaults the policy to Always.
                        image_pull_policy: PullPolicy::Always,
                        ports: vec![ContainerPort {
                            name: None,
                            container_port: 80,
                            protocol: Protocol::Tcp,
                        }],
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            },
        },
    }
}

fn backend_service() -> Service {
    Service {
        meta: ObjectMeta::new("default", "backend-service"),
        spec: ServiceSpec {
            type_: ServiceType::ClusterIp,
            selector: Some(labels(&[("app", "backend")])),
            ports: vec![ServicePort {
                name: None,
                protocol: Protocol::Tcp,
                port: 80,
                target_port: IntOrString::Int(80),
                node_port: None,
            }],
            cluster_ip: ClusterIp::NoIp,
            ..Default::default()
        },
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Objects

#[test]
fn seed_lesson_deployment_and_service() {
    let docs = parse_ok(SEED);
    assert_eq!(docs.len(), 2);
    assert_eq!((docs[0].index, docs[0].line, docs[0].item), (0, 1, None));
    assert_eq!((docs[1].index, docs[1].line, docs[1].item), (1, 21, None));
    assert_eq!(docs[0].object, Object::Deployment(backend_deployment()));
    assert_eq!(docs[1].object, Object::Service(backend_service()));
}

#[test]
fn defaults_as_the_api_server_sets_them() {
    let svc = one("\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: dev
spec:
  clusterIP: None
  sessionAffinity: ClientIP
  ports:
  - name: http
    port: 80
  - name: dns
    port: 53
    protocol: UDP
    targetPort: dns
");
    let Object::Service(svc) = svc else { panic!() };
    assert_eq!(svc.meta.namespace, "dev");
    assert_eq!(svc.spec.type_, ServiceType::ClusterIp);
    assert_eq!(svc.spec.cluster_ip, ClusterIp::Headless);
    assert_eq!(svc.spec.selector, None);
    assert_eq!(svc.spec.session_affinity_timeout, Some(10800));
    assert_eq!(svc.spec.ports[0].protocol, Protocol::Tcp);
    assert_eq!(svc.spec.ports[0].target_port, IntOrString::Int(80));
    assert_eq!(svc.spec.ports[1].protocol, Protocol::Udp);
    assert_eq!(
        svc.spec.ports[1].target_port,
        IntOrString::Str("dns".into())
    );

    let Object::Service(svc) = one("\
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  clusterIP: 10.96.0.50
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 443, targetPort: 8443, nodePort: 30443}]
")
    else {
        panic!()
    };
    assert_eq!(svc.spec.type_, ServiceType::LoadBalancer);
    assert_eq!(
        svc.spec.cluster_ip,
        ClusterIp::Ip(Ipv4Addr::new(10, 96, 0, 50))
    );
    assert_eq!(svc.spec.external_traffic_policy, TrafficPolicy::Local);
    assert_eq!(svc.spec.ports[0].node_port, Some(30443));
    assert_eq!(svc.spec.ports[0].target_port, IntOrString::Int(8443));

    let Object::Service(ext) = one("\
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  type: ExternalName
  externalName: db.example.com
")
    else {
        panic!()
    };
    assert_eq!(ext.spec.type_, ServiceType::ExternalName);
    assert_eq!(ext.spec.external_name.as_deref(), Some("db.example.com"));
    assert_eq!(ext.spec.cluster_ip, ClusterIp::NoIp);

    let Object::Deployment(d) = one("\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: tier, operator: In, values: [front]}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        readinessProbe:
          httpGet: {path: /healthz, port: 80}
          initialDelaySeconds: 5
")
    else {
        panic!()
    };
    assert_eq!(d.spec.replicas, 1);
    assert_eq!(
        d.spec.selector.match_expressions[0].operator,
        SelectorOp::In
    );
    assert_eq!(
        d.spec.template.spec.containers[0].readiness_probe,
        Some(Probe {
            initial_delay_seconds: 5,
            period_seconds: 10
        })
    );
}

#[test]
fn network_policy_peers_ports_and_policy_types() {
    let Object::NetworkPolicy(np) = one("\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api
spec:
  podSelector:
    matchLabels:
      app: api
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {team: web}
      podSelector:
        matchLabels: {role: frontend}
    - ipBlock:
        cidr: 10.244.0.0/16
        except: [10.244.9.0/24]
    ports:
    - port: 8080
    - protocol: UDP
      port: 30000
      endPort: 30100
  egress:
  - to:
    - podSelector: {}
")
    else {
        panic!()
    };
    let want = NetworkPolicy {
        meta: ObjectMeta::new("default", "api"),
        spec: svclab_sim::model::NetworkPolicySpec {
            pod_selector: LabelSelector::from_labels(labels(&[("app", "api")])),
            ingress: vec![PolicyRule {
                peers: vec![
                    PolicyPeer::Selectors {
                        pod_selector: Some(LabelSelector::from_labels(labels(&[(
                            "role", "frontend",
                        )]))),
                        namespace_selector: Some(LabelSelector::from_labels(labels(&[(
                            "team", "web",
                        )]))),
                    },
                    PolicyPeer::IpBlock(IpBlock {
                        cidr: "10.244.0.0/16".into(),
                        except: vec!["10.244.9.0/24".into()],
                    }),
                ],
                ports: vec![
                    PolicyPort {
                        protocol: Protocol::Tcp,
                        port: Some(IntOrString::Int(8080)),
                        end_port: None,
                    },
                    PolicyPort {
                        protocol: Protocol::Udp,
                        port: Some(IntOrString::Int(30000)),
                        end_port: Some(30100),
                    },
                ],
            }],
            egress: vec![PolicyRule {
                peers: vec![PolicyPeer::Selectors {
                    pod_selector: Some(LabelSelector::default()),
                    namespace_selector: None,
                }],
                ports: vec![],
            }],
            policy_ingress: true,
            policy_egress: true,
        },
    };
    assert_eq!(np, want);

    let Object::NetworkPolicy(deny) = one("\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: prod}
spec:
  podSelector: {}
")
    else {
        panic!()
    };
    assert!(deny.spec.policy_ingress && !deny.spec.policy_egress);
    assert!(deny.spec.ingress.is_empty());

    let Object::NetworkPolicy(egress_only) = one("\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress}
spec:
  podSelector: {}
  policyTypes: [Egress]
")
    else {
        panic!()
    };
    assert!(!egress_only.spec.policy_ingress && egress_only.spec.policy_egress);
}

#[test]
fn pods_and_namespaces() {
    let docs = parse_ok(
        "\
apiVersion: v1
kind: Namespace
metadata:
  name: dev
  namespace: ignored-for-cluster-scoped
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  namespace: dev
  labels: {run: client}
spec:
  restartPolicy: Never
  nodeName: worker-1
  containers:
  - name: sh
    image: busybox:1.36
    command: [sleep, '3600']
",
    );
    let Object::Namespace(ns) = &docs[0].object else {
        panic!()
    };
    assert_eq!(ns.meta.name, "dev");
    assert_eq!(ns.meta.namespace, "");
    let Object::Pod(pod) = &docs[1].object else {
        panic!()
    };
    assert_eq!(pod.meta.namespace, "dev");
    assert_eq!(pod.meta.labels, labels(&[("run", "client")]));
    assert_eq!(pod.spec.restart_policy.as_deref(), Some("Never"));
    assert_eq!(pod.spec.node_name.as_deref(), Some("worker-1"));
    assert_eq!(pod.spec.containers[0].command, vec!["sleep", "3600"]);
}

/// What `kubectl get deploy,svc -o yaml` prints for the seed lesson, pasted back.
const KUBECTL_GET_LIST: &str = r#"apiVersion: v1
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    annotations:
      deployment.kubernetes.io/revision: "1"
      kubectl.kubernetes.io/last-applied-configuration: |
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"name":"backend","namespace":"default"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"backend"}},"template":{"metadata":{"labels":{"app":"backend"}},"spec":{"containers":[{"image":"nginx","name":"api","ports":[{"containerPort":80}]}]}}}}
    creationTimestamp: "2025-01-12T09:14:03Z"
    generation: 1
    managedFields:
    - apiVersion: apps/v1
      fieldsType: FieldsV1
      fieldsV1:
        f:metadata:
          f:annotations:
            .: {}
            f:kubectl.kubernetes.io/last-applied-configuration: {}
        f:spec:
          f:progressDeadlineSeconds: {}
          f:replicas: {}
          f:template:
            f:spec:
              f:containers:
                k:{"name":"api"}:
                  .: {}
                  f:image: {}
      manager: kubectl-client-side-apply
      operation: Update
      time: "2025-01-12T09:14:03Z"
    - apiVersion: apps/v1
      fieldsType: FieldsV1
      fieldsV1:
        f:status:
          f:availableReplicas: {}
      manager: kube-controller-manager
      operation: Update
      subresource: status
      time: "2025-01-12T09:14:09Z"
    name: backend
    namespace: default
    resourceVersion: "1283"
    uid: 2f4c1a9e-7d0b-4a55-9a63-0b9f6c2e8d11
  spec:
    progressDeadlineSeconds: 600
    replicas: 3
    revisionHistoryLimit: 10
    selector:
      matchLabels:
        app: backend
    strategy:
      rollingUpdate:
        maxSurge: 25%
        maxUnavailable: 25%
      type: RollingUpdate
    template:
      metadata:
        creationTimestamp: null
        labels:
          app: backend
      spec:
        containers:
        - image: nginx
          imagePullPolicy: Always
          name: api
          ports:
          - containerPort: 80
            protocol: TCP
          resources: {}
          terminationMessagePath: /dev/termination-log
          terminationMessagePolicy: File
        dnsPolicy: ClusterFirst
        restartPolicy: Always
        schedulerName: default-scheduler
        securityContext: {}
        terminationGracePeriodSeconds: 30
  status:
    availableReplicas: 3
    conditions:
    - lastTransitionTime: "2025-01-12T09:14:09Z"
      lastUpdateTime: "2025-01-12T09:14:09Z"
      message: Deployment has minimum availability.
      reason: MinimumReplicasAvailable
      status: "True"
      type: Available
    observedGeneration: 1
    readyReplicas: 3
    replicas: 3
    updatedReplicas: 3
- apiVersion: v1
  kind: Service
  metadata:
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: |
        {"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},"name":"backend-service","namespace":"default"},"spec":{"ports":[{"port":80,"targetPort":80}],"selector":{"app":"backend"},"type":"ClusterIP"}}
    creationTimestamp: "2025-01-12T09:14:03Z"
    name: backend-service
    namespace: default
    resourceVersion: "1279"
    uid: 8d0c5b7e-21e4-4f0b-b2a4-5e2f0a1c9d3b
  spec:
    clusterIP: 10.96.23.157
    clusterIPs:
    - 10.96.23.157
    internalTrafficPolicy: Cluster
    ipFamilies:
    - IPv4
    ipFamilyPolicy: SingleStack
    ports:
    - port: 80
      protocol: TCP
      targetPort: 80
    selector:
      app: backend
    sessionAffinity: None
    type: ClusterIP
  status:
    loadBalancer: {}
kind: List
metadata:
  resourceVersion: ""
"#;

#[test]
fn kubectl_get_list_output_parses() {
    let docs = parse_ok(KUBECTL_GET_LIST);
    assert_eq!(docs.len(), 2);
    assert_eq!((docs[0].index, docs[0].line, docs[0].item), (0, 3, Some(0)));
    assert_eq!(docs[1].item, Some(1));
    assert_eq!(docs[1].line, 91);
    let Object::Deployment(d) = &docs[0].object else {
        panic!()
    };
    let mut want = backend_deployment();
    want.meta.annotations = labels(&[
        ("deployment.kubernetes.io/revision", "1"),
        (
            "kubectl.kubernetes.io/last-applied-configuration",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},\"name\":\"backend\",\"namespace\":\"default\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"backend\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"backend\"}},\"spec\":{\"containers\":[{\"image\":\"nginx\",\"name\":\"api\",\"ports\":[{\"containerPort\":80}]}]}}}}\n",
        ),
    ]);
    want.spec.template.spec.restart_policy = Some("Always".into());
    want.spec.template.spec.termination_grace_period_seconds = Some(30);
    assert_eq!(d, &want);
    let Object::Service(s) = &docs[1].object else {
        panic!()
    };
    assert_eq!(
        s.spec.cluster_ip,
        ClusterIp::Ip(Ipv4Addr::new(10, 96, 23, 157))
    );
    assert_eq!(s.spec.selector, Some(labels(&[("app", "backend")])));
}

#[test]
fn empty_documents_are_skipped() {
    let text = format!("# backend\n---\n---\n# nothing here\n---\n{SEED}...\n---\n");
    let docs = parse_ok(&text);
    assert_eq!(docs.len(), 2);
    assert_eq!((docs[0].index, docs[0].line), (0, 6));
    assert_eq!((docs[1].index, docs[1].line), (1, 26));
    assert!(parse_ok("").is_empty());
    assert!(parse_ok("# just a comment\n\n").is_empty());
    assert!(parse_ok("---\n---\n").is_empty());
}

#[test]
fn repeated_keys_keep_the_last_value_as_kubectl_does() {
    let Object::Deployment(d) = one(&SEED
        .split("---")
        .next()
        .unwrap()
        .replace("  replicas: 3\n", "  replicas: 3\n  replicas: 5\n"))
    else {
        panic!()
    };
    assert_eq!(d.spec.replicas, 5);
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let Object::Deployment(d) = one("\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: &labels
    app: web
spec:
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels:
        <<: *labels
        tier: front
    spec:
      containers:
      - name: web
        image: nginx
")
    else {
        panic!()
    };
    assert_eq!(d.spec.selector.match_labels, labels(&[("app", "web")]));
    assert_eq!(
        d.spec.template.labels,
        labels(&[("app", "web"), ("tier", "front")])
    );
}

// ---------------------------------------------------------------------------------------------
// Errors, with kubectl's exact words and where they point

const DEPLOY_HEAD: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
";

const SVC_HEAD: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: web
";

#[test]
fn unknown_fields_are_strict_decoding_errors() {
    let cases: &[(&str, usize, usize, &str)] = &[
        (
            "spec:\n  replicas: 2\n  matchLabels:\n    app: nginx\n",
            7,
            3,
            r#"Error from server (BadRequest): error when creating "x.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.matchLabels""#,
        ),
        (
            "spec:\n  selector:\n    app: nginx\n",
            7,
            5,
            r#"Error from server (BadRequest): error when creating "x.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.selector.app""#,
        ),
        (
            "spec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        imagePullPolcy: Always\n        ports:\n        - containerport: 80\n",
            11,
            9,
            r#"Error from server (BadRequest): error when creating "x.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolcy", unknown field "spec.template.spec.containers[0].ports[0].containerport""#,
        ),
        (
            "metadata2: {}\nspec:\n  replica: 3\n",
            5,
            1,
            r#"Error from server (BadRequest): error when creating "x.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "metadata2", unknown field "spec.replica""#,
        ),
    ];
    for (body, line, col, msg) in cases {
        let text = format!("{DEPLOY_HEAD}{body}");
        assert_eq!(error(&text), (*line, *col, msg.to_string()), "for:\n{text}");
    }
    let typo = format!("{SVC_HEAD}spec:\n  ports:\n  - port: 80\n    targetport: 8080\n");
    assert_eq!(
        error(&typo),
        (
            8,
            5,
            r#"Error from server (BadRequest): error when creating "x.yaml": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.ports[0].targetport""#.to_string()
        )
    );
    let errs = errors(&format!(
        "{DEPLOY_HEAD}spec:\n  replica: 3\n  selectr: {{}}\n"
    ));
    let fields: Vec<(&str, usize, usize)> = errs[0]
        .fields
        .iter()
        .map(|f| (f.path.as_str(), f.line, f.column))
        .collect();
    assert_eq!(fields, vec![("spec.replica", 6, 3), ("spec.selectr", 7, 3)]);
}

#[test]
fn wrong_types_use_the_api_server_words() {
    let bad_request = |kind: &str, rest: &str| {
        format!(
            "Error from server (BadRequest): error when creating \"x.yaml\": {kind} in version \"v1\" cannot be handled as a {kind}: {rest}"
        )
    };
    let cases: Vec<(String, usize, usize, String)> = vec![
        (
            format!("{SVC_HEAD}spec:\n  ports:\n  - port: \"80\"\n"),
            7,
            11,
            bad_request(
                "Service",
                "json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32",
            ),
        ),
        (
            format!("{SVC_HEAD}spec:\n  ports:\n  - port: 3000000000\n"),
            7,
            11,
            bad_request(
                "Service",
                "json: cannot unmarshal number 3000000000 into Go struct field ServicePort.spec.ports.port of type int32",
            ),
        ),
        (
            format!("{SVC_HEAD}spec:\n  ports:\n  - port: 80.5\n"),
            7,
            11,
            bad_request(
                "Service",
                "json: cannot unmarshal number 80.5 into Go struct field ServicePort.spec.ports.port of type int32",
            ),
        ),
        (
            format!("{SVC_HEAD}spec:\n  ports:\n  - port: 80\n    targetPort: true\n"),
            8,
            17,
            bad_request("Service", "json: cannot unmarshal bool into Go value of type int32"),
        ),
        (
            format!("{SVC_HEAD}  labels:\n    enabled: true\n"),
            6,
            14,
            bad_request(
                "Service",
                "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string",
            ),
        ),
        (
            format!("{SVC_HEAD}spec:\n  ports: 80\n"),
            6,
            10,
            bad_request(
                "Service",
                "json: cannot unmarshal number into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort",
            ),
        ),
        (
            format!("{SVC_HEAD}spec: web\n"),
            5,
            7,
            bad_request(
                "Service",
                "json: cannot unmarshal string into Go struct field Service.spec of type v1.ServiceSpec",
            ),
        ),
        (
            format!("{DEPLOY_HEAD}spec:\n  replicas: three\n"),
            6,
            13,
            bad_request(
                "Deployment",
                "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
            ),
        ),
        (
            format!("{DEPLOY_HEAD}spec:\n  template:\n    spec:\n      containers:\n        name: web\n"),
            8,
            7,
            bad_request(
                "Deployment",
                "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container",
            ),
        ),
        (
            format!("{DEPLOY_HEAD}spec:\n  template:\n    spec:\n      containers:\n      - web\n"),
            9,
            9,
            bad_request(
                "Deployment",
                "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type v1.Container",
            ),
        ),
        (
            format!("{SVC_HEAD}spec:\n  ports:\n  - port: 80\n    protocol: 6\n"),
            8,
            15,
            bad_request(
                "Service",
                "json: cannot unmarshal number into Go struct field ServicePort.spec.ports.protocol of type v1.Protocol",
            ),
        ),
    ];
    for (text, line, col, msg) in cases {
        assert_eq!(error(&text), (line, col, msg), "for:\n{text}");
    }
}

#[test]
fn type_and_kind_checks_before_anything_is_sent() {
    let cases: &[(&str, usize, usize, &str)] = &[
        (
            "metadata:\n  name: x\n",
            1,
            1,
            r#"error: error validating "x.yaml": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false"#,
        ),
        (
            "apiVersion: v1\nmetadata:\n  name: x\n",
            1,
            1,
            r#"error: error validating "x.yaml": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false"#,
        ),
        (
            "apiVersion: 1\nkind: Service\n",
            1,
            13,
            r#"error: error validating "x.yaml": error validating data: apiVersion isn't string type; if you choose to ignore these errors, turn validation off with --validate=false"#,
        ),
        (
            "just a string\n",
            1,
            1,
            r#"error: error validating "x.yaml": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false"#,
        ),
        (
            "apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n",
            2,
            7,
            "error: resource mapping not found for name: \"x\" namespace: \"\" from \"x.yaml\": no matches for kind \"Foo\" in version \"v1\"\nensure CRDs are installed first",
        ),
        (
            "apiVersion: v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: dev\n",
            2,
            7,
            "error: resource mapping not found for name: \"web\" namespace: \"dev\" from \"x.yaml\": no matches for kind \"Deployment\" in version \"v1\"\nensure CRDs are installed first",
        ),
        (
            "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: web\n",
            2,
            7,
            "error: resource mapping not found for name: \"web\" namespace: \"\" from \"x.yaml\": no matches for kind \"Deployment\" in version \"extensions/v1beta1\"\nensure CRDs are installed first",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n",
            2,
            7,
            "error: svclab does not simulate ConfigMap objects (v1); it reads Endpoints, Namespace, Pod, Service and List (v1), Deployment (apps/v1), EndpointSlice (discovery.k8s.io/v1) and NetworkPolicy (networking.k8s.io/v1)",
        ),
    ];
    for (text, line, col, msg) in cases {
        assert_eq!(error(text), (*line, *col, msg.to_string()), "for:\n{text}");
    }
}

#[test]
fn yaml_syntax_errors_in_go_yaml_words() {
    let cases: &[(&str, usize, usize, &str)] = &[
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  -name: web\n   image: nginx\n",
            8,
            9,
            "error: error parsing x.yaml: error converting YAML to JSON: yaml: line 8: mapping values are not allowed in this context",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n spec:\n  ports: []\n",
            5,
            2,
            "error: error parsing x.yaml: error converting YAML to JSON: yaml: line 4: did not find expected key",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: p\n",
            4,
            1,
            "error: error parsing x.yaml: error converting YAML to JSON: yaml: line 4: found character that cannot start any token",
        ),
        (
            "a: b: c\n",
            1,
            5,
            "error: error parsing x.yaml: error converting YAML to JSON: yaml: mapping values are not allowed in this context",
        ),
        (
            // Found at the end of the stream: marked where the text stops.
            "labels: {app: web\n",
            1,
            18,
            "error: error parsing x.yaml: error converting YAML to JSON: yaml: line 1: did not find expected ',' or '}'",
        ),
        (
            "a: *nope\n",
            1,
            4,
            "error: error parsing x.yaml: error converting YAML to JSON: yaml: unknown anchor 'nope' referenced",
        ),
    ];
    for (text, line, col, msg) in cases {
        assert_eq!(error(text), (*line, *col, msg.to_string()), "for:\n{text}");
    }
    // Lines in go-yaml's message count from the document; positions are absolute.
    let text = format!("{SEED}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  -name: web\n   image: nginx\n");
    assert_eq!(
        error(&text),
        (
            40,
            9,
            "error: error parsing x.yaml: error converting YAML to JSON: yaml: line 8: mapping values are not allowed in this context".to_string()
        )
    );
    // kubectl refuses text after `---`.
    let errs = errors(&format!("{SEED}--- !!map\na: 1\n"));
    assert_eq!(
        (errs[0].line, errs[0].message.as_str()),
        (
            32,
            "error: error parsing x.yaml: invalid Yaml document separator: !!map"
        )
    );
}

/// (body appended to a head, expected line, column, message)
type Case = (&'static str, usize, usize, &'static str);

fn check_cases(head: &str, cases: &[Case]) {
    for (body, line, col, msg) in cases {
        let text = format!("{head}{body}");
        assert_eq!(error(&text), (*line, *col, msg.to_string()), "for:\n{text}");
    }
}

#[test]
fn invalid_services() {
    check_cases(
        SVC_HEAD,
        &[
            (
                "spec:\n  ports:\n  - port: 70000\n    targetPort: 80\n",
                7,
                11,
                "The Service \"web\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ),
            (
                "spec:\n  ports:\n  - port: 70000\n",
                7,
                11,
                "The Service \"web\" is invalid: \n* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n* spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ),
            (
                "spec:\n  ports:\n  - name: http\n    port: 80\n  - name: http\n    port: 81\n",
                9,
                11,
                "The Service \"web\" is invalid: spec.ports[1].name: Duplicate value: \"http\"",
            ),
            (
                "spec:\n  ports:\n  - port: 80\n  - name: b\n    port: 81\n",
                7,
                5,
                "The Service \"web\" is invalid: spec.ports[0].name: Required value",
            ),
            (
                "spec:\n  ports:\n  - name: a\n    port: 80\n  - name: b\n    port: 80\n",
                9,
                5,
                "The Service \"web\" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}",
            ),
            (
                "spec:\n  ports:\n  - port: 80\n    protocol: HTTP\n",
                8,
                15,
                "The Service \"web\" is invalid: spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            ),
            (
                "spec:\n  type: Internal\n  ports:\n  - port: 80\n",
                6,
                9,
                "The Service \"web\" is invalid: spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
            ),
            (
                "spec:\n  ports:\n  - port: 80\n    targetPort: http_web\n",
                8,
                17,
                "The Service \"web\" is invalid: spec.ports[0].targetPort: Invalid value: \"http_web\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            ),
            (
                "spec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 80\n",
                9,
                15,
                "The Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767",
            ),
            (
                "spec:\n  ports:\n  - port: 80\n    nodePort: 30080\n",
                8,
                15,
                "The Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
            ),
            (
                "spec:\n  clusterIP: 10.0.0.1\n  ports:\n  - port: 80\n",
                6,
                14,
                "The Service \"web\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.1\"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12",
            ),
            (
                "spec:\n  clusterIP: 10.96.0.300\n  ports:\n  - port: 80\n",
                6,
                14,
                "The Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ),
            (
                "spec:\n  type: NodePort\n  clusterIP: None\n  ports:\n  - port: 80\n",
                7,
                14,
                "The Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
            ),
            (
                "spec:\n  type: ExternalName\n",
                5,
                1,
                "The Service \"web\" is invalid: spec.externalName: Required value",
            ),
            (
                "spec:\n  type: ExternalName\n  externalName: my_db.example.com\n",
                7,
                17,
                "The Service \"web\" is invalid: spec.externalName: Invalid value: \"my_db.example.com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            ),
            (
                "spec:\n  selector:\n    app: web\n",
                5,
                1,
                "The Service \"web\" is invalid: spec.ports: Required value",
            ),
            (
                "spec:\n  sessionAffinity: Sticky\n  ports:\n  - port: 80\n",
                6,
                20,
                "The Service \"web\" is invalid: spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"",
            ),
            (
                "spec:\n  externalTrafficPolicy: Local\n  ports:\n  - port: 80\n",
                6,
                26,
                "The Service \"web\" is invalid: spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services",
            ),
            (
                "spec:\n  selector:\n    app: -web\n  ports:\n  - port: 80\n",
                6,
                3,
                "The Service \"web\" is invalid: spec.selector: Invalid value: \"-web\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
        ],
    );
    // REFERENCE.md: Service names are DNS-1035 labels.
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: 1tenant\nspec:\n  ports:\n  - port: 80\n";
    assert_eq!(
        error(text),
        (
            4,
            9,
            "The Service \"1tenant\" is invalid: metadata.name: Invalid value: \"1tenant\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')".to_string()
        )
    );
    let long = format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {}\nspec:\n  ports:\n  - port: 80\n",
        "a".repeat(64)
    );
    assert!(error(&long)
        .2
        .ends_with("Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": must be no more than 63 characters"));
}

#[test]
fn invalid_deployments() {
    check_cases(
        DEPLOY_HEAD,
        &[
            (
                "spec:\n  template:\n    metadata:\n      labels:\n        app: nginx\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
                5,
                1,
                "The Deployment \"nginx\" is invalid: \n* spec.selector: Required value\n* spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"nginx\"}: `selector` does not match template `labels`",
            ),
            (
                "spec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: nginx\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
                11,
                7,
                "The Deployment \"nginx\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"nginx\"}: `selector` does not match template `labels`",
            ),
            (
                "spec:\n  replicas: -1\n  selector:\n    matchLabels: {app: nginx}\n  template:\n    metadata:\n      labels: {app: nginx}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
                6,
                13,
                "The Deployment \"nginx\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            ),
            (
                "spec:\n  selector:\n    matchLabels: {app: nginx}\n  template:\n    metadata:\n      labels: {app: nginx}\n    spec:\n      containers: []\n",
                12,
                19,
                "The Deployment \"nginx\" is invalid: spec.template.spec.containers: Required value",
            ),
            (
                "spec:\n  selector:\n    matchLabels: {app: nginx}\n  template:\n    metadata:\n      labels: {app: nginx}\n    spec:\n      containers:\n      - ports:\n        - containerPort: 80\n",
                13,
                9,
                "The Deployment \"nginx\" is invalid: \n* spec.template.spec.containers[0].name: Required value\n* spec.template.spec.containers[0].image: Required value",
            ),
            (
                "spec:\n  selector:\n    matchLabels: {app: nginx}\n  template:\n    metadata:\n      labels: {app: nginx}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n        imagePullPolicy: always\n",
                15,
                26,
                "The Deployment \"nginx\" is invalid: spec.template.spec.containers[0].imagePullPolicy: Unsupported value: \"always\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
            ),
            (
                "spec:\n  selector:\n    matchLabels: {app: nginx}\n  template:\n    metadata:\n      labels: {app: nginx}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n        ports:\n        - containerPort: 70000\n          name: http-web-server-port\n",
                17,
                17,
                "The Deployment \"nginx\" is invalid: \n* spec.template.spec.containers[0].ports[0].name: Invalid value: \"http-web-server-port\": must be no more than 15 characters\n* spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ),
            (
                "spec:\n  selector:\n    matchLabels: {app: nginx}\n  template:\n    metadata:\n      labels: {app: nginx}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n        readinessProbe:\n          periodSeconds: 5\n",
                15,
                9,
                "The Deployment \"nginx\" is invalid: spec.template.spec.containers[0].readinessProbe: Required value: must specify a handler type",
            ),
            (
                "spec:\n  selector:\n    matchLabels: {app: nginx}\n  template:\n    metadata:\n      labels: {app: nginx}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n        volumeMounts:\n        - name: data\n          mountPath: /data\n",
                16,
                17,
                "The Deployment \"nginx\" is invalid: spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"data\"",
            ),
            (
                "spec:\n  selector:\n    matchLabels: {app: nginx}\n  template:\n    metadata:\n      labels: {app: nginx}\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: nginx\n        image: nginx\n",
                12,
                22,
                "The Deployment \"nginx\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
            ),
            (
                "spec:\n  selector:\n    matchLabels: {app: nginx}\n    matchExpressions:\n    - {key: tier, operator: in, values: [web]}\n  template:\n    metadata:\n      labels: {app: nginx, tier: web}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
                9,
                29,
                "The Deployment \"nginx\" is invalid: \n* spec.selector.matchExpressions[0].operator: Invalid value: \"in\": not a valid selector operator\n* spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"nginx\"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"tier\", Operator:\"in\", Values:[]string{\"web\"}}}}: invalid label selector",
            ),
            (
                "spec:\n  strategy:\n    type: BlueGreen\n  selector:\n    matchLabels: {app: nginx}\n  template:\n    metadata:\n      labels: {app: nginx}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
                6,
                3,
                "The Deployment \"nginx\" is invalid: spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"BlueGreen\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", \"RollingUpdate\"",
            ),
        ],
    );
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    app: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n";
    assert_eq!(
        error(text),
        (
            3,
            1,
            "The Deployment \"\" is invalid: metadata.name: Required value: name or generateName is required".to_string()
        )
    );
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: Web_1\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n";
    assert_eq!(
        error(text).2,
        "The Deployment \"Web_1\" is invalid: metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    );
}

#[test]
fn invalid_namespaces_pods_and_policies() {
    assert_eq!(
        error("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team.one\n"),
        (
            4,
            9,
            "The Namespace \"team.one\" is invalid: metadata.name: Invalid value: \"team.one\": must not contain dots".to_string()
        )
    );
    assert_eq!(
        error("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: ' busybox'\n"),
        (
            8,
            12,
            "The Pod \"p\" is invalid: spec.containers[0].image: Invalid value: \" busybox\": must not have leading or trailing whitespace".to_string()
        )
    );
    let np = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector: {}\n";
    check_cases(
        np,
        &[
            (
                "  ingress:\n  - from:\n    - {}\n",
                9,
                7,
                "The NetworkPolicy \"np\" is invalid: spec.ingress[0].from[0]: Required value: must specify a peer",
            ),
            (
                "  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/33}\n",
                9,
                23,
                "The NetworkPolicy \"np\" is invalid: spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            ),
            (
                "  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/16\n        except: [10.1.0.0/24]\n",
                11,
                18,
                "The NetworkPolicy \"np\" is invalid: spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`",
            ),
            (
                "  egress:\n  - ports:\n    - port: 80\n      endPort: 70\n",
                10,
                16,
                "The NetworkPolicy \"np\" is invalid: spec.egress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`",
            ),
            (
                "  policyTypes: [Ingress, Outbound]\n",
                7,
                26,
                "The NetworkPolicy \"np\" is invalid: spec.policyTypes[1]: Unsupported value: \"Outbound\": supported values: \"Ingress\", \"Egress\"",
            ),
        ],
    );
}

#[test]
fn every_document_is_checked() {
    let text = format!(
        "{SVC_HEAD}spec:\n  ports:\n  - port: 0\n    targetPort: 80\n---\n{SEED}---\napiVersion: v1\nkind: Nope\nmetadata:\n  name: x\n"
    );
    let errs = errors(&text);
    let got: Vec<(usize, usize)> = errs.iter().map(|e| (e.document, e.line)).collect();
    assert_eq!(got, vec![(0, 7), (3, 43)]);
    assert_eq!(
        errs[0].message,
        "The Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"
    );
    // Items of a List are checked one by one, each at its own line.
    let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n  spec:\n    ports: [{port: 80}]\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n  spec:\n    ports: [{port: 99999, targetPort: 80}]\n- apiVersion: v1\n  kind: Servic\n  metadata: {name: c}\n";
    let errs = errors(list);
    let got: Vec<(usize, usize, usize)> = errs
        .iter()
        .map(|e| (e.document, e.line, e.column))
        .collect();
    assert_eq!(got, vec![(0, 13, 20), (0, 15, 9)]);
    assert_eq!(
        errs[0].message,
        "The Service \"b\" is invalid: spec.ports[0].port: Invalid value: 99999: must be between 1 and 65535, inclusive"
    );
}

// ---------------------------------------------------------------------------------------------
// Caps and hostile input

#[test]
fn oversized_input_is_refused() {
    let big = format!("{SEED}#{}\n", "x".repeat(manifest::MAX_BYTES));
    let (line, col, msg) = error(&big);
    assert_eq!((line, col), (1, 1));
    assert!(
        msg.starts_with("error: svclab reads manifests of at most 1 MiB"),
        "{msg}"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let brackets = format!("a: {}\n", "[".repeat(10_000));
    let (_, _, msg) = error(&brackets);
    assert!(msg.contains("nested more than 128 levels deep"), "{msg}");
    let braces = format!("a: {}{}\n", "{b: ".repeat(5_000), "}".repeat(5_000));
    let (_, _, msg) = error(&braces);
    assert!(msg.contains("nested more than 128 levels deep"), "{msg}");
    let dashes = format!("{}x\n", "- ".repeat(20_000));
    let (_, _, msg) = error(&dashes);
    assert!(msg.contains("nested more than 128 levels deep"), "{msg}");
    let mut block = String::new();
    for i in 0..1200 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    let (_, _, msg) = error(&block);
    assert!(msg.contains("nested more than 128 levels deep"), "{msg}");
}

#[test]
fn alias_bombs_are_refused() {
    let laughs = "\
a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
";
    let (line, _, msg) = error(laughs);
    assert_eq!(
        msg,
        "error: error parsing x.yaml: error converting YAML to JSON: yaml: document contains excessive aliasing"
    );
    assert_eq!(line, 2);
    // A big string repeated through aliases hits the byte budget.
    let mut wide = format!("s: &s \"{}\"\nl: [", "x".repeat(200_000));
    for _ in 0..60 {
        wide.push_str("*s, ");
    }
    wide.push_str("]\n");
    let (_, _, msg) = error(&wide);
    assert!(msg.ends_with("excessive aliasing"), "{msg}");
    // Merge keys cannot be used to multiply either.
    let mut merges =
        String::from("a: &a {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7}\n");
    for i in 0..20 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("m{}", i - 1)
        };
        merges.push_str(&format!(
            "m{i}: &m{i} {{<<: *{prev}, x{i}: [*{prev}, *{prev}, *{prev}, *{prev}]}}\n"
        ));
    }
    let (_, _, msg) = error(&merges);
    assert!(msg.ends_with("excessive aliasing"), "{msg}");
}

#[test]
fn too_many_documents_and_objects() {
    let doc = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n";
    let many = vec![doc; manifest::MAX_DOCUMENTS + 1].join("---\n");
    let errs = errors(&many);
    assert!(errs
        .last()
        .unwrap()
        .message
        .starts_with("error: svclab reads at most 1000 documents"));
    let item = "- {apiVersion: v1, kind: Namespace, metadata: {name: n}}\n";
    let list = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}",
        item.repeat(manifest::MAX_OBJECTS + 1)
    );
    let errs = errors(&list);
    assert!(errs[0]
        .message
        .starts_with("error: svclab applies at most 2000 objects"));
}

#[test]
fn many_causes_stay_fast() {
    // 5,000 unknown fields in one document: one message listing them all.
    let mut text = String::from("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n");
    for i in 0..5_000 {
        text.push_str(&format!("field{i}: x\n"));
    }
    let errs = errors(&text);
    assert_eq!(errs[0].fields.len(), 5_000);
    assert_eq!((errs[0].fields[0].line, errs[0].fields[0].column), (5, 1));
    let big_flow = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: n, labels: {{{}}}}}\n",
        (0..20_000)
            .map(|i| format!("k{i}: v"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let Object::Namespace(ns) = &parse_ok(&big_flow)[0].object else {
        panic!("a Namespace")
    };
    assert_eq!(ns.meta.labels.len(), 20_000);
}

// ---------------------------------------------------------------------------------------------
// The editor's +/- buttons

#[test]
fn set_replicas_edits_in_place() {
    let out = manifest::set_replicas(SEED, 0, 5).unwrap();
    assert_eq!(out, SEED.replace("replicas: 3", "replicas: 5"));
    let Object::Deployment(d) = &parse_ok(&out)[0].object else {
        panic!()
    };
    assert_eq!(d.spec.replicas, 5);
    // Comments and quoting are kept; only the value changes.
    let commented = SEED.replace("replicas: 3", "replicas: \"3\"   # three pods");
    assert_eq!(
        manifest::set_replicas(&commented, 0, 0).unwrap(),
        SEED.replace("replicas: 3", "replicas: 0   # three pods")
    );
    // Not a Deployment, no such document.
    assert_eq!(manifest::set_replicas(SEED, 1, 2), None);
    assert_eq!(manifest::set_replicas(SEED, 2, 2), None);
    assert_eq!(manifest::set_replicas("a: [", 0, 2), None);
}

#[test]
fn set_replicas_inserts_under_spec() {
    let without = SEED.replace("  replicas: 3\n", "");
    let out = manifest::set_replicas(&without, 0, 4).unwrap();
    assert_eq!(out, SEED.replace("replicas: 3", "replicas: 4"));
    // kubectl-style indentation (4 spaces) and CRLF line ends are followed.
    let crlf = "apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata:\r\n    name: w\r\nspec:   # the spec\r\n    selector:\r\n        matchLabels: {app: w}\r\n    template:\r\n        metadata:\r\n            labels: {app: w}\r\n        spec:\r\n            containers:\r\n            - {name: w, image: nginx}\r\n";
    let out = manifest::set_replicas(crlf, 0, 2).unwrap();
    assert!(
        out.contains("spec:   # the spec\r\n    replicas: 2\r\n    selector:\r\n"),
        "{out}"
    );
    let Object::Deployment(d) = &parse_ok(&out)[0].object else {
        panic!()
    };
    assert_eq!(d.spec.replicas, 2);
    // In the second document of a manifest.
    let two = format!(
        "{}---\n{}",
        SEED.split("---\n").nth(1).unwrap(),
        SEED.split("---\n").next().unwrap()
    );
    let out = manifest::set_replicas(&two, 1, 7).unwrap();
    assert_eq!(parse_ok(&out).len(), 2);
    assert!(out.contains("  replicas: 7\n"));
    // An emptied value is filled in, a comment after it kept; an empty `spec:` gets a field.
    let emptied = SEED.replace("replicas: 3", "replicas:   # how many?");
    let out = manifest::set_replicas(&emptied, 0, 3).unwrap();
    assert!(out.contains("  replicas: 3   # how many?\n"), "{out}");
    let empty_spec = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n";
    assert_eq!(
        manifest::set_replicas(empty_spec, 0, 1).unwrap(),
        format!("{empty_spec}  replicas: 1\n")
    );
    assert_eq!(
        manifest::set_replicas("apiVersion: apps/v1\nkind: Deployment\nspec: null\n", 0, 1),
        None
    );
    // A flow-style spec is not edited.
    let flow = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: w, image: nginx}]}}}\n";
    assert_eq!(manifest::set_replicas(flow, 0, 2), None);
    let flow_replicas = flow.replace("spec: {", "spec: {replicas: 1, ");
    let out = manifest::set_replicas(&flow_replicas, 0, 9).unwrap();
    assert!(out.contains("spec: {replicas: 9, "), "{out}");
}

#[test]
fn locate_for_the_cluster() {
    assert_eq!(
        manifest::locate(SEED, 1, "spec.ports[0].port"),
        Some((29, 13))
    );
    assert_eq!(manifest::locate(SEED, 0, "spec.replicas"), Some((6, 13)));
    assert_eq!(manifest::locate(SEED, 0, "spec.paused"), Some((5, 1)));
    assert_eq!(
        manifest::locate(KUBECTL_GET_LIST, 0, "items[1].spec.clusterIPs"),
        Some((104, 5))
    );
    assert_eq!(manifest::locate(SEED, 5, "spec"), None);
}

// ---------------------------------------------------------------------------------------------
// No panic on any input

/// xorshift64*: a tiny seeded generator so the test replays exactly.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(g: &mut Gen, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let rounds = 1 + g.below(4);
    for _ in 0..rounds {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let i = g.below(lines.len());
        match g.below(9) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => lines[i] = format!("  {}", lines[i]),
            3 => lines[i] = lines[i].trim_start().to_string(),
            4 => {
                let mut chars: Vec<char> = lines[i].chars().collect();
                if chars.len() > 1 {
                    let a = g.below(chars.len());
                    let b = g.below(chars.len());
                    chars.swap(a, b);
                }
                lines[i] = chars.into_iter().collect();
            }
            5 => {
                let junk = [
                    "-", ":", "[", "]", "{", "}", "&a", "*a", "!t", "'", "\"", "#", "|", "<<: *a",
                    "\t", "---", "…", "0x1F", "1e400", "~", "? ", ",", "%", "@",
                ];
                let j = junk[g.below(junk.len())];
                let mut at = g.below(lines[i].len() + 1);
                while !lines[i].is_char_boundary(at) {
                    at -= 1;
                }
                lines[i].insert_str(at, j);
            }
            6 => {
                let j = g.below(lines.len());
                lines.swap(i, j);
            }
            7 => {
                let mut cut = g.below(lines[i].len() + 1);
                while !lines[i].is_char_boundary(cut) {
                    cut -= 1;
                }
                lines[i].truncate(cut);
            }
            _ => {
                let values = [
                    "-1", "70000", "\"80\"", "null", "[]", "{}", "true", "None", "x_y", "10.0.0.1",
                ];
                if let Some(pos) = lines[i].find(": ") {
                    let v = values[g.below(values.len())];
                    lines[i] = format!("{}: {v}", &lines[i][..pos]);
                }
            }
        }
    }
    lines.join("\n")
}

#[test]
fn mutated_manifests_never_panic() {
    let base = format!("{SEED}---\n{KUBECTL_GET_LIST}");
    let mut g = Gen(0x5eed_1e55_0a5e_ba11);
    for round in 0..1500 {
        let text = mutate(&mut g, if round % 2 == 0 { SEED } else { &base });
        let total_lines = text.lines().count().max(1);
        match manifest::parse(&text, "STDIN") {
            Ok(docs) => {
                for d in docs {
                    assert!(d.line >= 1 && d.line <= total_lines, "{text}");
                }
            }
            Err(errs) => {
                for e in errs {
                    assert!(!e.message.is_empty());
                    assert!(e.line >= 1 && e.line <= total_lines + 1, "{e:?} in\n{text}");
                    assert!(e.column >= 1);
                    for f in &e.fields {
                        assert!(f.line >= 1 && f.line <= total_lines + 1, "{f:?} in\n{text}");
                    }
                }
            }
        }
        for doc in 0..3 {
            if let Some(out) = manifest::set_replicas(&text, doc, 2) {
                assert!(out.len() >= text.len().saturating_sub(16));
            }
            let _ = manifest::locate(&text, doc, "spec.template.spec.containers[0].ports[0]");
        }
    }
}

/// A pod as `kubectl get pod -o yaml` prints it, with the service-account volume, tolerations
/// and status a real cluster adds.
const KUBECTL_GET_POD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: "2025-01-12T09:14:04Z"
  generateName: backend-6d9c7b8f5d-
  labels:
    app: backend
    pod-template-hash: 6d9c7b8f5d
  name: backend-6d9c7b8f5d-x7k2p
  namespace: default
  ownerReferences:
  - apiVersion: apps/v1
    blockOwnerDeletion: true
    controller: true
    kind: ReplicaSet
    name: backend-6d9c7b8f5d
    uid: 0b8e4f7a-3c2d-4e1f-9a8b-7c6d5e4f3a2b
  resourceVersion: "1277"
  uid: 5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d
spec:
  containers:
  - image: nginx
    imagePullPolicy: Always
    name: api
    ports:
    - containerPort: 80
      protocol: TCP
    resources: {}
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
    volumeMounts:
    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      name: kube-api-access-9xq4z
      readOnly: true
  dnsPolicy: ClusterFirst
  enableServiceLinks: true
  nodeName: kind-worker
  preemptionPolicy: PreemptLowerPriority
  priority: 0
  restartPolicy: Always
  schedulerName: default-scheduler
  securityContext: {}
  serviceAccount: default
  serviceAccountName: default
  terminationGracePeriodSeconds: 30
  tolerations:
  - effect: NoExecute
    key: node.kubernetes.io/not-ready
    operator: Exists
    tolerationSeconds: 300
  volumes:
  - name: kube-api-access-9xq4z
    projected:
      defaultMode: 420
      sources:
      - serviceAccountToken:
          expirationSeconds: 3607
          path: token
      - configMap:
          items:
          - key: ca.crt
            path: ca.crt
          name: kube-root-ca.crt
status:
  conditions:
  - lastProbeTime: null
    lastTransitionTime: "2025-01-12T09:14:06Z"
    status: "True"
    type: Ready
  containerStatuses:
  - containerID: containerd://4f1e
    image: docker.io/library/nginx:latest
    name: api
    ready: true
    restartCount: 0
    started: true
    state:
      running:
        startedAt: "2025-01-12T09:14:06Z"
  hostIP: 172.18.0.3
  phase: Running
  podIP: 10.244.1.10
  podIPs:
  - ip: 10.244.1.10
  qosClass: BestEffort
  startTime: "2025-01-12T09:14:04Z"
"#;

#[test]
fn kubectl_get_pod_output_parses() {
    let Object::Pod(pod) = one(KUBECTL_GET_POD) else {
        panic!()
    };
    assert_eq!(pod.meta.name, "backend-6d9c7b8f5d-x7k2p");
    assert_eq!(
        pod.meta.labels.get("pod-template-hash").map(String::as_str),
        Some("6d9c7b8f5d")
    );
    assert_eq!(pod.spec.node_name.as_deref(), Some("kind-worker"));
    assert_eq!(pod.spec.termination_grace_period_seconds, Some(30));
    assert_eq!(pod.spec.containers[0].ports[0].container_port, 80);
    // The pasted status is the cluster's business, not the manifest's.
    assert_eq!(pod.status, Default::default());
}

#[test]
fn non_finite_numbers_cannot_become_json() {
    assert_eq!(
        error(&format!("{DEPLOY_HEAD}spec:\n  replicas: .inf\n")),
        (
            6,
            13,
            "error: error parsing x.yaml: error converting YAML to JSON: json: unsupported value: +Inf".to_string()
        )
    );
}

/// The resource table says which kinds a manifest may hold; the reader must have a schema for
/// each of them, and refuse the kinds it marks as served but not applied.
#[test]
fn the_reader_applies_exactly_the_kinds_the_resource_table_marks() {
    for r in svclab_sim::resource::RESOURCES {
        let text = format!(
            "apiVersion: {}\nkind: {}\nmetadata:\n  name: x\n",
            r.api_version(),
            r.kind
        );
        let errors = manifest::parse(&text, "x.yaml").err().unwrap_or_default();
        let unexpected = errors.iter().any(|e| e.message.contains("unexpected"));
        let refused = errors.iter().any(|e| {
            e.message.contains("does not simulate") || e.message.contains("does not read them")
        });
        if r.apply {
            assert!(!unexpected && !refused, "{}: {errors:?}", r.kind);
        } else {
            assert!(refused || unexpected, "{} reads: {errors:?}", r.kind);
        }
    }
}

#[test]
fn an_error_at_the_end_of_the_text_is_marked_where_the_text_stops() {
    // serde_yaml reports these on the line after the last; the editor's mark stays on the last
    // line, just after its last character, and the message keeps go-yaml's line.
    let (line, column, message) = error("apiVersion: v1\nkind: Service\nmetadata: {name: x");
    assert_eq!((line, column), (3, 19));
    assert!(
        message.ends_with("yaml: line 3: did not find expected ',' or '}'"),
        "{message}"
    );
    let (line, column, _) = error("apiVersion: v1\nkind: Service\nmetadata:\n  labels: [a,\n");
    assert_eq!((line, column), (4, 14));
    // A lesson file, read by the same YAML library, too.
    let e = svclab_sim::lesson::load("id: x\ntitle: t\nstory: s\ntasks: [").unwrap_err();
    assert_eq!((e.line, e.column), (4, 9), "{}", e.message);
}
