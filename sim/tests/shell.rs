//! The terminal: what the learner types, and what a real kind cluster's tools print back.
//!
//! Worlds are built as a learner builds them: `Cluster::new`, `apply`, `advance`. Each case runs a
//! command through [`Terminal::run`], polls while the command waits on the virtual clock, and
//! compares the whole output as text.

use svclab_sim::action::Action;
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::kube_proxy::ProxyMode;
use svclab_sim::model::Protocol;
use svclab_sim::names;
use svclab_sim::shell::{Location, Output, Stream, Terminal, Wait};
use svclab_sim::time::{HOUR, SECOND};

/// How long a test lets a command wait on the virtual clock (a SYN nobody answers takes 127 s).
const PATIENCE: u64 = 200 * SECOND;
const STEP: u64 = 100;

struct Session {
    cluster: Cluster,
    term: Terminal,
}

impl Session {
    fn new(file: &str, manifest: &str) -> Session {
        let mut cluster = Cluster::new(Config::default());
        cluster.apply(manifest, file).expect("the manifest applies");
        cluster.advance(10 * SECOND);
        Session {
            cluster,
            term: Terminal::new(file, manifest),
        }
    }

    fn seed() -> Session {
        Session::new(SEED_FILENAME, SEED_MANIFEST)
    }

    /// Type a line and let the clock run until the command is done; everything it printed.
    fn run(&mut self, line: &str) -> String {
        let mut out = self.term.run(&mut self.cluster, line);
        let mut text = out.text();
        let mut waited = 0;
        while out.wait.is_some() {
            assert!(
                waited < PATIENCE,
                "`{line}` still waits after {PATIENCE} ms: {:?}",
                out.wait
            );
            self.cluster.advance(STEP);
            waited += STEP;
            if let Some(o) = self.term.poll(&mut self.cluster) {
                text.push_str(&o.text());
                out = o;
            }
        }
        text
    }

    /// The name of the first backend pod.
    fn backend_pod(&self) -> String {
        self.cluster
            .pods()
            .keys()
            .find(|k| k.name.starts_with("backend-"))
            .map(|k| k.name.clone())
            .expect("a backend pod")
    }

    /// `prompt + line`, then the output: a transcript like a terminal shows it.
    fn transcript(&mut self, lines: &[&str]) -> String {
        let mut s = String::new();
        for line in lines {
            s.push_str(&self.term.prompt());
            s.push_str(line);
            s.push('\n');
            s.push_str(&self.run(line));
        }
        s
    }
}

/// Compare whole outputs; on a mismatch show both in full. With `SHELL_SNAPSHOT_DIR` set, the
/// actual text is also written to `<dir>/<name>.txt` (to review a changed output).
#[track_caller]
fn same(name: &str, actual: &str, expected: &str) {
    if let Ok(dir) = std::env::var("SHELL_SNAPSHOT_DIR") {
        let _ = std::fs::write(format!("{dir}/{name}.txt"), actual);
        if expected.is_empty() {
            return;
        }
    }
    if actual != expected {
        panic!("{name}: output differs\n--- expected\n{expected}--- actual\n{actual}---");
    }
}

const TYPES: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 5
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx
          ports:
            - containerPort: 80
              name: http
---
apiVersion: v1
kind: Service
metadata:
  name: web-clusterip
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web-nodeport
spec:
  type: NodePort
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
      nodePort: 30080
---
apiVersion: v1
kind: Service
metadata:
  name: web-lb
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
    - port: 8080
      targetPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web-headless
spec:
  clusterIP: None
  selector:
    app: web
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: search
spec:
  type: ExternalName
  externalName: search.example.com
---
apiVersion: v1
kind: Service
metadata:
  name: nobody
spec:
  selector:
    app: nobody
  ports:
    - port: 80
";

const DEV: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: dev
";

// ---------------------------------------------------------------------------------------------
// kubectl get

#[test]
fn get_svc_prints_all_four_types_and_headless() {
    let mut s = Session::new("types.yaml", TYPES);
    same(
        "get_svc_types",
        &s.run("kubectl get svc"),
        r#"NAME            TYPE           CLUSTER-IP       EXTERNAL-IP          PORT(S)          AGE
kubernetes      ClusterIP      10.96.0.1        <none>               443/TCP          60m
nobody          ClusterIP      10.98.100.14     <none>               80/TCP           10s
search          ExternalName   <none>           search.example.com   <none>           10s
web-clusterip   ClusterIP      10.109.128.96    <none>               80/TCP           10s
web-headless    ClusterIP      None             <none>               80/TCP           10s
web-lb          LoadBalancer   10.103.188.199   172.18.255.200       8080:31324/TCP   10s
web-nodeport    NodePort       10.107.199.115   <none>               80:30080/TCP     10s
"#,
    );
    same(
        "get_svc_wide",
        &s.run("kubectl get services -o wide"),
        r#"NAME            TYPE           CLUSTER-IP       EXTERNAL-IP          PORT(S)          AGE   SELECTOR
kubernetes      ClusterIP      10.96.0.1        <none>               443/TCP          60m   <none>
nobody          ClusterIP      10.98.100.14     <none>               80/TCP           10s   app=nobody
search          ExternalName   <none>           search.example.com   <none>           10s   <none>
web-clusterip   ClusterIP      10.109.128.96    <none>               80/TCP           10s   app=web
web-headless    ClusterIP      None             <none>               80/TCP           10s   app=web
web-lb          LoadBalancer   10.103.188.199   172.18.255.200       8080:31324/TCP   10s   app=web
web-nodeport    NodePort       10.107.199.115   <none>               80:30080/TCP     10s   app=web
"#,
    );
}

#[test]
fn get_endpoints_shows_three_then_more_and_none() {
    let mut s = Session::new("types.yaml", TYPES);
    same(
        "get_endpoints",
        &s.run("kubectl get endpoints"),
        r#"Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice
NAME            ENDPOINTS                                               AGE
kubernetes      172.18.0.2:6443                                         60m
nobody          <none>                                                  10s
web-clusterip   10.244.1.2:80,10.244.1.3:80,10.244.2.2:80 + 2 more...   10s
web-headless    10.244.1.2:80,10.244.1.3:80,10.244.2.2:80 + 2 more...   10s
web-lb          10.244.1.2:80,10.244.1.3:80,10.244.2.2:80 + 2 more...   10s
web-nodeport    10.244.1.2:80,10.244.1.3:80,10.244.2.2:80 + 2 more...   10s
"#,
    );
    same(
        "get_endpointslices",
        &s.run("kubectl get endpointslices"),
        r#"NAME                  ADDRESSTYPE   PORTS     ENDPOINTS                                      AGE
kubernetes            IPv4          6443      172.18.0.2                                     60m
nobody-6kg8b          IPv4          <unset>   <unset>                                        10s
web-clusterip-gz2km   IPv4          80        10.244.2.2,10.244.1.2,10.244.3.2 + 2 more...   10s
web-headless-6pncp    IPv4          80        10.244.2.2,10.244.1.2,10.244.3.2 + 2 more...   10s
web-lb-pb6lc          IPv4          80        10.244.2.2,10.244.1.2,10.244.3.2 + 2 more...   10s
web-nodeport-fm74l    IPv4          80        10.244.2.2,10.244.1.2,10.244.3.2 + 2 more...   10s
"#,
    );
}

#[test]
fn get_seed_objects() {
    let mut s = Session::seed();
    let out = s.transcript(&[
        "kubectl get pods -o wide",
        "kubectl get deploy",
        "kubectl get rs",
        "kubectl get nodes",
        "kubectl get ns",
        "kubectl get netpol",
        "kubectl get all",
        "kubectl get svc,ep -o name",
    ]);
    same(
        "get_seed",
        &out,
        r#"$ kubectl get pods -o wide
NAME                       READY   STATUS    RESTARTS   AGE   IP           NODE           NOMINATED NODE   READINESS GATES
backend-7bc85fd6c5-7ngwv   1/1     Running   0          10s   10.244.2.2   kind-worker2   <none>           <none>
backend-7bc85fd6c5-9nqtx   1/1     Running   0          10s   10.244.1.2   kind-worker    <none>           <none>
backend-7bc85fd6c5-wrq9w   1/1     Running   0          10s   10.244.3.2   kind-worker3   <none>           <none>
$ kubectl get deploy
NAME      READY   UP-TO-DATE   AVAILABLE   AGE
backend   3/3     3            3           10s
$ kubectl get rs
NAME                 DESIRED   CURRENT   READY   AGE
backend-7bc85fd6c5   3         3         3       10s
$ kubectl get nodes
NAME                 STATUS   ROLES           AGE   VERSION
kind-control-plane   Ready    control-plane   60m   v1.36.1
kind-worker          Ready    <none>          60m   v1.36.1
kind-worker2         Ready    <none>          60m   v1.36.1
kind-worker3         Ready    <none>          60m   v1.36.1
$ kubectl get ns
NAME                 STATUS   AGE
default              Active   60m
kube-node-lease      Active   60m
kube-public          Active   60m
kube-system          Active   60m
local-path-storage   Active   60m
$ kubectl get netpol
No resources found in default namespace.
$ kubectl get all
NAME                           READY   STATUS    RESTARTS   AGE
pod/backend-7bc85fd6c5-7ngwv   1/1     Running   0          10s
pod/backend-7bc85fd6c5-9nqtx   1/1     Running   0          10s
pod/backend-7bc85fd6c5-wrq9w   1/1     Running   0          10s

NAME                      TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)   AGE
service/backend-service   ClusterIP   10.109.128.96   <none>        80/TCP    10s
service/kubernetes        ClusterIP   10.96.0.1       <none>        443/TCP   60m

NAME                      READY   UP-TO-DATE   AVAILABLE   AGE
deployment.apps/backend   3/3     3            3           10s

NAME                                 DESIRED   CURRENT   READY   AGE
replicaset.apps/backend-7bc85fd6c5   3         3         3       10s
$ kubectl get svc,ep -o name
Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice
service/backend-service
service/kubernetes
endpoints/backend-service
endpoints/kubernetes
"#,
    );
}

#[test]
fn get_pods_wide_before_the_pods_run() {
    let mut c = Cluster::new(Config::default());
    c.apply(SEED_MANIFEST, SEED_FILENAME).unwrap();
    let mut t = Terminal::new(SEED_FILENAME, SEED_MANIFEST);
    same(
        "get_pods_pending",
        &t.run(&mut c, "kubectl get pods -o wide").text(),
        r#"NAME                       READY   STATUS              RESTARTS   AGE   IP       NODE           NOMINATED NODE   READINESS GATES
backend-7bc85fd6c5-7ngwv   0/1     ContainerCreating   0          0s    <none>   kind-worker2   <none>           <none>
backend-7bc85fd6c5-9nqtx   0/1     ContainerCreating   0          0s    <none>   kind-worker    <none>           <none>
backend-7bc85fd6c5-wrq9w   0/1     ContainerCreating   0          0s    <none>   kind-worker3   <none>           <none>
"#,
    );
}

#[test]
fn get_all_namespaces_adds_the_namespace_column() {
    let mut s = Session::seed();
    same(
        "get_svc_all_ns",
        &s.run("kubectl get svc -A"),
        r#"NAMESPACE     NAME              TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)                  AGE
default       backend-service   ClusterIP   10.109.128.96   <none>        80/TCP                   10s
default       kubernetes        ClusterIP   10.96.0.1       <none>        443/TCP                  60m
kube-system   kube-dns          ClusterIP   10.96.0.10      <none>        53/UDP,53/TCP,9153/TCP   60m
"#,
    );
    same(
        "get_pods_kube_system_label",
        &s.run("kubectl get po -n kube-system -l k8s-app=kube-dns"),
        r#"NAME                       READY   STATUS    RESTARTS   AGE
coredns-69cd466497-5x6cd   1/1     Running   0          60m
coredns-69cd466497-nvqsp   1/1     Running   0          60m
"#,
    );
    same(
        "get_ds",
        &s.run("kubectl get ds --namespace=kube-system"),
        r#"NAME         DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE
kindnet      4         4         4       4            4           <none>                   60m
kube-proxy   4         4         4       4            4           kubernetes.io/os=linux   60m
"#,
    );
}

#[test]
fn endpoints_yaml_as_the_lesson_uses_it() {
    let mut s = Session::seed();
    same(
        "endpoints_yaml",
        &s.run("kubectl get endpoints backend-service -o yaml"),
        r#"Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice
apiVersion: v1
kind: Endpoints
metadata:
  annotations:
    endpoints.kubernetes.io/last-change-trigger-time: "2026-11-28T01:00:02Z"
  creationTimestamp: "2026-11-28T01:00:00Z"
  name: backend-service
  namespace: default
  resourceVersion: "37000"
  uid: 6982c741-9ea5-44f2-8f05-f03735c3b951
subsets:
- addresses:
  - ip: 10.244.1.2
    nodeName: kind-worker
    targetRef:
      kind: Pod
      name: backend-7bc85fd6c5-9nqtx
      namespace: default
      uid: bd7de8f2-3cff-48de-b85a-587bb6c47b9f
  - ip: 10.244.2.2
    nodeName: kind-worker2
    targetRef:
      kind: Pod
      name: backend-7bc85fd6c5-7ngwv
      namespace: default
      uid: 2f596652-cb9a-4f17-99a3-c59084763a12
  - ip: 10.244.3.2
    nodeName: kind-worker3
    targetRef:
      kind: Pod
      name: backend-7bc85fd6c5-wrq9w
      namespace: default
      uid: 0781577a-0f53-45d6-9909-c315b21d8f6c
  ports:
  - port: 80
    protocol: TCP
"#,
    );
    same(
        "svc_json",
        &s.run("kubectl get svc/backend-service -o json"),
        r#"{
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {
        "name": "backend-service",
        "namespace": "default",
        "uid": "00077ba9-9ea5-44f2-8f05-f03735c3b951",
        "resourceVersion": "37000",
        "creationTimestamp": "2026-11-28T01:00:00Z"
    },
    "spec": {
        "ports": [
            {
                "protocol": "TCP",
                "port": 80,
                "targetPort": 80
            }
        ],
        "selector": {
            "app": "backend"
        },
        "clusterIP": "10.109.128.96",
        "clusterIPs": [
            "10.109.128.96"
        ],
        "type": "ClusterIP",
        "sessionAffinity": "None",
        "ipFamilies": [
            "IPv4"
        ],
        "ipFamilyPolicy": "SingleStack",
        "internalTrafficPolicy": "Cluster"
    },
    "status": {
        "loadBalancer": {}
    }
}
"#,
    );
    same(
        "svc_list_yaml",
        &s.run("kubectl get svc -o yaml"),
        r#"apiVersion: v1
items:
- apiVersion: v1
  kind: Service
  metadata:
    creationTimestamp: "2026-11-28T01:00:00Z"
    name: backend-service
    namespace: default
    resourceVersion: "37000"
    uid: 00077ba9-9ea5-44f2-8f05-f03735c3b951
  spec:
    clusterIP: 10.109.128.96
    clusterIPs:
    - 10.109.128.96
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
- apiVersion: v1
  kind: Service
  metadata:
    creationTimestamp: "2026-11-28T00:00:00Z"
    labels:
      component: apiserver
      provider: kubernetes
    name: kubernetes
    namespace: default
    resourceVersion: "1000"
    uid: 6078bfa7-0000-4000-8000-000000000000
  spec:
    clusterIP: 10.96.0.1
    clusterIPs:
    - 10.96.0.1
    internalTrafficPolicy: Cluster
    ipFamilies:
    - IPv4
    ipFamilyPolicy: SingleStack
    ports:
    - name: https
      port: 443
      protocol: TCP
      targetPort: 6443
    sessionAffinity: None
    type: ClusterIP
  status:
    loadBalancer: {}
kind: List
metadata:
  resourceVersion: ""
"#,
    );
}

#[test]
fn describe_as_kubectl_lays_it_out() {
    let mut s = Session::new("types.yaml", TYPES);
    same(
        "describe_svc_nodeport",
        &s.run("kubectl describe svc web-nodeport"),
        r#"Name:                     web-nodeport
Namespace:                default
Labels:                   <none>
Annotations:              <none>
Selector:                 app=web
Type:                     NodePort
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.107.199.115
IPs:                      10.107.199.115
Port:                     http  80/TCP
TargetPort:               http/TCP
NodePort:                 http  30080/TCP
Endpoints:                10.244.2.2:80,10.244.1.2:80,10.244.3.2:80 + 2 more...
Session Affinity:         None
External Traffic Policy:  Cluster
Internal Traffic Policy:  Cluster
Events:                   <none>
"#,
    );
    same(
        "describe_svc_external",
        &s.run("kubectl describe service search"),
        r#"Name:              search
Namespace:         default
Labels:            <none>
Annotations:       <none>
Selector:          <none>
Type:              ExternalName
IP Families:       <none>
IP:                
IPs:               <none>
External Name:     search.example.com
Session Affinity:  None
Events:            <none>
"#,
    );
    same(
        "describe_svc_nobody",
        &s.run("kubectl describe svc nobody"),
        r#"Name:                     nobody
Namespace:                default
Labels:                   <none>
Annotations:              <none>
Selector:                 app=nobody
Type:                     ClusterIP
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.98.100.14
IPs:                      10.98.100.14
Port:                     <unset>  80/TCP
TargetPort:               80/TCP
Endpoints:                
Session Affinity:         None
Internal Traffic Policy:  Cluster
Events:                   <none>
"#,
    );
    let mut s = Session::seed();
    same(
        "describe_deploy",
        &s.run("kubectl describe deploy backend"),
        r#"Name:                   backend
Namespace:              default
CreationTimestamp:      Sat, 28 Nov 2026 01:00:00 +0000
Labels:                 <none>
Annotations:            deployment.kubernetes.io/revision: 1
Selector:               app=backend
Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:  app=backend
  Containers:
   api:
    Image:         nginx
    Port:          80/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    True    NewReplicaSetAvailable
OldReplicaSets:  <none>
NewReplicaSet:   backend-7bc85fd6c5 (3/3 replicas created)
Events:
  Type    Reason             Age   From                   Message
  ----    ------             ----  ----                   -------
  Normal  ScalingReplicaSet  10s   deployment-controller  Scaled up replica set backend-7bc85fd6c5 from 0 to 3
"#,
    );
    let pod = s
        .cluster
        .pods()
        .keys()
        .find(|k| k.name.starts_with("backend-"))
        .unwrap()
        .name
        .clone();
    same(
        "describe_pod",
        &s.run(&format!("kubectl describe pod {pod}")),
        r#"Name:             backend-7bc85fd6c5-7ngwv
Namespace:        default
Priority:         0
Service Account:  default
Node:             kind-worker2/172.18.0.4
Start Time:       Sat, 28 Nov 2026 01:00:02 +0000
Labels:           app=backend
                  pod-template-hash=7bc85fd6c5
Annotations:      <none>
Status:           Running
IP:               10.244.2.2
IPs:
  IP:           10.244.2.2
Controlled By:  ReplicaSet/backend-7bc85fd6c5
Containers:
  api:
    Container ID:   containerd://b0aefb3cedb6b7d4a389b82836febe0868b40dfd0093454eef028c398eaf9dcf
    Image:          nginx
    Image ID:       docker.io/library/nginx@sha256:5be1ecc7935f1dd85635d4feedaf660594030253cc97c9e9ca3819ffeac36b65
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Sat, 28 Nov 2026 01:00:02 +0000
    Ready:          True
    Restart Count:  0
    Environment:    <none>
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-26ng2 (ro)
Conditions:
  Type                        Status
  PodReadyToStartContainers   True 
  Initialized                 True 
  Ready                       True 
  ContainersReady             True 
  PodScheduled                True 
Volumes:
  kube-api-access-26ng2:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    ConfigMapOptional:       <nil>
    DownwardAPI:             true
QoS Class:                   BestEffort
Node-Selectors:              <none>
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type    Reason     Age   From               Message
  ----    ------     ----  ----               -------
  Normal  Scheduled  10s   default-scheduler  Successfully assigned default/backend-7bc85fd6c5-7ngwv to kind-worker2
  Normal  Pulling    10s   kubelet            Pulling image "nginx"
  Normal  Pulled     7s    kubelet            Successfully pulled image "nginx" in 2.1s (2.1s including waiting). Image size: 72099501 bytes.
  Normal  Created    7s    kubelet            Created container api
  Normal  Started    7s    kubelet            Started container api
"#,
    );
    same(
        "describe_ep",
        &s.run("kubectl describe endpoints backend-service"),
        r#"Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice
Name:         backend-service
Namespace:    default
Labels:       <none>
Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 2026-11-28T01:00:02Z
Subsets:
  Addresses:          10.244.1.2,10.244.2.2,10.244.3.2
  NotReadyAddresses:  <none>
  Ports:
    Name     Port  Protocol
    ----     ----  --------
    <unset>  80    TCP

Events:  <none>
"#,
    );
    same(
        "describe_node",
        &s.run("kubectl describe node kind-worker"),
        r#"Name:               kind-worker
Roles:              <none>
Labels:             beta.kubernetes.io/arch=amd64
                    beta.kubernetes.io/os=linux
                    kubernetes.io/arch=amd64
                    kubernetes.io/hostname=kind-worker
                    kubernetes.io/os=linux
Annotations:        kubeadm.alpha.kubernetes.io/cri-socket: unix:///run/containerd/containerd.sock
                    node.alpha.kubernetes.io/ttl: 0
                    volumes.kubernetes.io/controller-managed-attach-detach: true
CreationTimestamp:  Sat, 28 Nov 2026 00:00:00 +0000
Taints:             <none>
Unschedulable:      false
Lease:
  HolderIdentity:  kind-worker
  AcquireTime:     <unset>
  RenewTime:       Sat, 28 Nov 2026 01:00:10 +0000
Conditions:
  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message
  ----             ------  -----------------                 ------------------                ------                       -------
  MemoryPressure   False   Sat, 28 Nov 2026 01:00:00 +0000   Sat, 28 Nov 2026 00:00:00 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available
  DiskPressure     False   Sat, 28 Nov 2026 01:00:00 +0000   Sat, 28 Nov 2026 00:00:00 +0000   KubeletHasNoDiskPressure     kubelet has no disk pressure
  PIDPressure      False   Sat, 28 Nov 2026 01:00:00 +0000   Sat, 28 Nov 2026 00:00:00 +0000   KubeletHasSufficientPID      kubelet has sufficient PID available
  Ready            True    Sat, 28 Nov 2026 01:00:00 +0000   Sat, 28 Nov 2026 00:00:00 +0000   KubeletReady                 kubelet is posting ready status
Addresses:
  InternalIP:  172.18.0.3
  Hostname:    kind-worker
Capacity:
  cpu:                8
  ephemeral-storage:  102626232Ki
  hugepages-1Gi:      0
  hugepages-2Mi:      0
  memory:             16364412Ki
  pods:               110
Allocatable:
  cpu:                8
  ephemeral-storage:  102626232Ki
  hugepages-1Gi:      0
  hugepages-2Mi:      0
  memory:             16364412Ki
  pods:               110
System Info:
  Machine ID:                 696ae930fbed08677065273f2dd537c0
  System UUID:                cb03437d-6833-8f1d-3fc8-7d26c8517673
  Boot ID:                    a2080980-5e54-0a88-0658-1e1f6e328900
  Kernel Version:             6.8.0-49-generic
  OS Image:                   Debian GNU/Linux 13 (trixie)
  Operating System:           linux
  Architecture:               amd64
  Container Runtime Version:  containerd://2.3.1
  Kubelet Version:            v1.36.1
PodCIDR:                      10.244.1.0/24
PodCIDRs:                     10.244.1.0/24
ProviderID:                   kind://docker/kind/kind-worker
Non-terminated Pods:          (3 in total)
  Namespace                   Name                        CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----                        ------------  ----------  ---------------  -------------  ---
  default                     backend-7bc85fd6c5-9nqtx    0 (0%)        0 (0%)      0 (0%)           0 (0%)         10s
  kube-system                 kindnet-g77lf               100m (1%)     100m (1%)   50Mi (0%)        50Mi (0%)      60m
  kube-system                 kube-proxy-6zjw6            0 (0%)        0 (0%)      0 (0%)           0 (0%)         60m
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests   Limits
  --------           --------   ------
  cpu                100m (1%)  100m (1%)
  memory             50Mi (0%)  50Mi (0%)
  ephemeral-storage  0 (0%)     0 (0%)
  hugepages-1Gi      0 (0%)     0 (0%)
  hugepages-2Mi      0 (0%)     0 (0%)
Events:              <none>
"#,
    );
}

// ---------------------------------------------------------------------------------------------
// Errors, exactly as the tools print them

#[test]
fn errors_are_the_real_ones() {
    let mut s = Session::seed();
    let rows: &[(&str, &str)] = &[
        ("kubectl get svcs", "error: the server doesn't have a resource type \"svcs\"\n"),
        ("kubectl get pods x", "Error from server (NotFound): pods \"x\" not found\n"),
        ("kubectl get svc x", "Error from server (NotFound): services \"x\" not found\n"),
        ("kubectl describe svc x", "Error from server (NotFound): services \"x\" not found\n"),
        ("kubectl get pods --foo", "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n"),
        ("kubectl get pods -z", "error: unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage.\n"),
        ("kubectl xyzzy", "error: unknown command \"xyzzy\" for \"kubectl\"\n"),
        ("kubectl foo", "error: unknown command \"foo\" for \"kubectl\"\n\nDid you mean this?\n\ttop\n"),
        ("kubectl gett pods", "error: unknown command \"gett\" for \"kubectl\"\n\nDid you mean this?\n\tget\n\tset\n"),
        ("kubectl lgos", "error: unknown command \"lgos\" for \"kubectl\"\n\nDid you mean this?\n\tlogs\n"),
        ("foo", "bash: foo: command not found\n"),
        ("kubectl get pods -n dev", "No resources found in dev namespace.\n"),
        ("kubectl get netpol", "No resources found in default namespace.\n"),
        ("kubectl get netpol -A", "No resources found\n"),
        ("kubectl apply -f x.yaml", "error: the path \"x.yaml\" does not exist\n"),
        ("kubectl apply", "error: must specify one of -f and -k\n"),
        ("kubectl scale deploy/nope --replicas=2", "Error from server (NotFound): deployments.apps \"nope\" not found\n"),
        ("kubectl scale deploy/backend", "error: required flag(s) \"replicas\" not set\n"),
        ("kubectl delete pod nope", "Error from server (NotFound): pods \"nope\" not found\n"),
        ("kubectl delete svc nope", "Error from server (NotFound): services \"nope\" not found\n"),
        ("kubectl delete pod", "error: resource(s) were provided, but no name was specified\n"),
        ("kubectl run", "error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n"),
        ("kubectl run x", "error: required flag(s) \"image\" not set\n"),
        ("kubectl run x --image=busybox --rm", "error: --rm should only be used for attached containers\nSee 'kubectl run -h' for help and examples\n"),
        ("kubectl exec nope -- sh", "Error from server (NotFound): pods \"nope\" not found\n"),
        ("kubectl exec nope ls", "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n"),
        ("kubectl logs nope", "error: error from server (NotFound): pods \"nope\" not found in namespace \"default\"\n"),
        ("kubectl get", "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n"),
        ("kubectl get pods -o foo", "error: unable to match a printer suitable for the output format \"foo\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n"),
        ("kubectl label pod nope a=b", "Error from server (NotFound): pods \"nope\" not found\n"),
        ("kubectl top pods", "error: Metrics API not available\n"),
        ("kubectl get pods -n", "error: flag needs an argument: 'n' in -n\nSee 'kubectl get --help' for usage.\n"),
        (
            "kubectl get pods | grep",
            "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n",
        ),
        ("echo 'unterminated", "svclab: unterminated ' quote: a real shell would wait for the rest of the command; svclab reads one line at a time\n"),
        ("| grep x", "bash: syntax error near unexpected token `|'\n"),
    ];
    for (line, want) in rows {
        same("error", &s.run(line), want);
    }
}

#[test]
fn the_host_shell_is_bash() {
    let mut s = Session::seed();
    let out = s.transcript(&[
        "ls",
        "cat backend.yaml | head -3",
        "echo hello world",
        "kubectl version",
        "kubectl config current-context",
        "kubectl cluster-info",
    ]);
    same(
        "host",
        &out,
        r#"$ ls
backend.yaml
$ cat backend.yaml | head -3
apiVersion: apps/v1
kind: Deployment
metadata:
$ echo hello world
hello world
$ kubectl version
Client Version: v1.36.1
Kustomize Version: v5.8.1
Server Version: v1.36.1
$ kubectl config current-context
kind-kind
$ kubectl cluster-info
Kubernetes control plane is running at https://127.0.0.1:40631
CoreDNS is running at https://127.0.0.1:40631/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy

To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.
"#,
    );
}

// ---------------------------------------------------------------------------------------------
// Inside a pod

#[test]
fn run_it_waits_for_the_pod_then_attaches() {
    let mut s = Session::seed();
    let out = s.term.run(
        &mut s.cluster,
        "kubectl run -it test --image=busybox --restart=Never -- sh",
    );
    assert_eq!(out.text(), "");
    assert_eq!(out.prompt, "");
    assert!(
        matches!(out.wait, Some(Wait::PodRunning { .. })),
        "{:?}",
        out.wait
    );
    // A line typed while kubectl waits runs in the pod once attached.
    let typed = s.term.run(&mut s.cluster, "hostname");
    assert_eq!(typed.text(), "");
    let mut text = String::new();
    for _ in 0..100 {
        s.cluster.advance(STEP);
        if let Some(o) = s.term.poll(&mut s.cluster) {
            text.push_str(&o.text());
            assert_eq!(o.prompt, "/ # ");
            break;
        }
    }
    same(
        "run_it",
        &text,
        "If you don't see a command prompt, try pressing enter.\ntest\n",
    );
    assert!(matches!(s.term.location(), Location::Pod(_)));
    same("exit_run", &s.run("exit"), "svclab: on a real cluster pod \"test\" would now be Completed (its main process was this shell); svclab keeps it Running so you can `kubectl exec` into it again\n");
    assert_eq!(s.term.prompt(), "$ ");
}

#[test]
fn busybox_tools_in_a_pod() {
    let mut s = Session::seed();
    s.run("kubectl run -it test --image=busybox --restart=Never -- sh");
    let out = s.transcript(&[
        "cat /etc/resolv.conf",
        "hostname",
        "curl backend-service",
        "wget -qO- backend-service | head -4",
        "wget backend-service",
        "wget backend-service",
        "ls",
        "ip addr",
        "ping backend-service",
        "kubectl get pods",
        "foo",
        "exit",
    ]);
    same(
        "busybox",
        &out,
        r#"/ # cat /etc/resolv.conf
search default.svc.cluster.local svc.cluster.local cluster.local
nameserver 10.96.0.10
options ndots:5
/ # hostname
test
/ # curl backend-service
sh: curl: not found
svclab: busybox has no curl: use `wget -qO- URL`, or run a pod with curl: kubectl run -it client --image=curlimages/curl --restart=Never -- sh
/ # wget -qO- backend-service | head -4
<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
/ # wget backend-service
Connecting to backend-service (10.109.128.96:80)
saving to 'index.html'
index.html           100% |********************************|   615  0:00:00 ETA
'index.html' saved
/ # wget backend-service
Connecting to backend-service (10.109.128.96:80)
wget: can't open 'index.html': File exists
/ # ls
bin         etc         index.html  lib64       root        tmp         var
dev         home        lib         proc        sys         usr
/ # ip addr
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host 
       valid_lft forever preferred_lft forever
2: eth0@if6: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue 
    link/ether 2a:0c:17:df:07:03 brd ff:ff:ff:ff:ff:ff
    inet 10.244.1.3/24 brd 10.244.1.255 scope global eth0
       valid_lft forever preferred_lft forever
    inet6 fe80::280c:17ff:fedf:703/64 scope link 
       valid_lft forever preferred_lft forever
/ # ping backend-service
svclab: `ping` is not simulated (and a ClusterIP never answers ping on a real cluster: it only exists as port rules); use nslookup and wget -qO- to probe Services
/ # kubectl get pods
sh: kubectl: not found
svclab: `kubectl` runs on your machine or a node, not inside a pod: type `exit` to leave the pod
/ # foo
sh: foo: not found
/ # exit
svclab: on a real cluster pod "test" would now be Completed (its main process was this shell); svclab keeps it Running so you can `kubectl exec` into it again
"#,
    );
}

#[test]
fn curl_works_in_a_curl_image() {
    let mut s = Session::seed();
    s.run("kubectl run -it client --image=curlimages/curl --restart=Never --rm -- sh");
    let out = s.transcript(&["curl -s backend-service | grep title", "curl nope", "exit"]);
    same(
        "curl_image",
        &out,
        r#"~ $ curl -s backend-service | grep title
<title>Welcome to nginx!</title>
~ $ curl nope
curl: (6) Could not resolve host: nope
~ $ exit
pod "client" deleted
"#,
    );
}

#[test]
fn nslookup_from_two_namespaces() {
    let mut s = Session::seed();
    s.cluster.apply(DEV, "dev.yaml").unwrap();
    s.run("kubectl run -it a --image=busybox --restart=Never -- sh");
    let from_default = s.transcript(&[
        "nslookup backend-service",
        "nslookup backend-service.dev",
        "exit",
    ]);
    same(
        "nslookup_default",
        &from_default,
        r#"/ # nslookup backend-service
Server:		10.96.0.10
Address:	10.96.0.10:53

Name:	backend-service.default.svc.cluster.local
Address: 10.109.128.96

** server can't find backend-service.svc.cluster.local: NXDOMAIN

** server can't find backend-service.cluster.local: NXDOMAIN


** server can't find backend-service.svc.cluster.local: NXDOMAIN

** server can't find backend-service.cluster.local: NXDOMAIN

/ # nslookup backend-service.dev
Server:		10.96.0.10
Address:	10.96.0.10:53

** server can't find backend-service.dev: NXDOMAIN

** server can't find backend-service.dev: NXDOMAIN

/ # exit
svclab: on a real cluster pod "a" would now be Completed (its main process was this shell); svclab keeps it Running so you can `kubectl exec` into it again
"#,
    );
    s.run("kubectl run -it b -n dev --image=busybox --restart=Never -- sh");
    let from_dev = s.transcript(&[
        "nslookup backend-service",
        "nslookup backend-service.default.svc.cluster.local",
        "exit",
    ]);
    same(
        "nslookup_dev",
        &from_dev,
        r#"/ # nslookup backend-service
Server:		10.96.0.10
Address:	10.96.0.10:53

** server can't find backend-service.dev.svc.cluster.local: NXDOMAIN

** server can't find backend-service.svc.cluster.local: NXDOMAIN

** server can't find backend-service.cluster.local: NXDOMAIN

** server can't find backend-service.dev.svc.cluster.local: NXDOMAIN

** server can't find backend-service.svc.cluster.local: NXDOMAIN

** server can't find backend-service.cluster.local: NXDOMAIN

/ # nslookup backend-service.default.svc.cluster.local
Server:		10.96.0.10
Address:	10.96.0.10:53

Name:	backend-service.default.svc.cluster.local
Address: 10.109.128.96


/ # exit
svclab: on a real cluster pod "b" would now be Completed (its main process was this shell); svclab keeps it Running so you can `kubectl exec` into it again
"#,
    );
    // CoreDNS stops answering: the lookup times out.
    s.cluster
        .act(Action::BreakCoreDns { broken: true })
        .unwrap();
    s.cluster.advance(40 * SECOND);
    s.run("kubectl exec -it a -- sh");
    same(
        "nslookup_timeout",
        &s.run("nslookup backend-service"),
        r#";; connection timed out; no servers could be reached

"#,
    );
}

#[test]
fn exec_runs_one_command_and_stays_on_the_host() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    let out = s.transcript(&[
        "kubectl exec test -- wget -qO- http://backend-service | grep h1",
        "kubectl exec test -- cat /etc/resolv.conf",
    ]);
    same(
        "exec_one",
        &out,
        r#"$ kubectl exec test -- wget -qO- http://backend-service | grep h1
<h1>Welcome to nginx!</h1>
$ kubectl exec test -- cat /etc/resolv.conf
search default.svc.cluster.local svc.cluster.local cluster.local
nameserver 10.96.0.10
options ndots:5
"#,
    );
    assert_eq!(s.term.location(), &Location::Host);
}

#[test]
fn deleting_a_pod_waits_for_its_grace_period() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    let out = s.term.run(&mut s.cluster, "kubectl delete pod test");
    same("delete_first", &out.text(), "pod \"test\" deleted\n");
    assert!(
        matches!(out.wait, Some(Wait::PodGone { .. })),
        "{:?}",
        out.wait
    );
    let start = s.cluster.now();
    let mut done = None;
    for _ in 0..400 {
        s.cluster.advance(STEP);
        if let Some(o) = s.term.poll(&mut s.cluster) {
            done = Some((o, s.cluster.now() - start));
            break;
        }
    }
    let (o, waited) = done.expect("the pod goes away");
    assert_eq!(o.prompt, "$ ");
    assert!(
        (29 * SECOND..=31 * SECOND).contains(&waited),
        "waited {waited} ms"
    );
}

// ---------------------------------------------------------------------------------------------
// On a node

#[test]
fn iptables_save_shows_the_seed_services_rules() {
    let mut s = Session::seed();
    let out = s.transcript(&[
        "kubectl debug node/kind-worker -it --image=busybox",
        "iptables-save -t nat | grep backend-service",
    ]);
    let spn = names::service_port_name("default", "backend-service", None);
    let chain = format!(
        "KUBE-SVC-{}",
        names::service_chain_hash(&spn, Protocol::Tcp)
    );
    assert!(out.contains(&format!("-j {chain}\n")), "{out}");
    assert!(out.contains("--probability 0.33333333349"), "{out}");
    assert!(out.contains("--probability 0.50000000000"), "{out}");
    same(
        "iptables_backend",
        &out,
        r#"$ kubectl debug node/kind-worker -it --image=busybox
Creating debugging pod node-debugger-kind-worker-59c78 with container debugger on node kind-worker.
If you don't see a command prompt, try pressing enter.
svclab: no debugging pod is simulated: you get a root shell in kind-worker's network namespace, as after `chroot /host` in the busybox debug pod (that pod's own tools would not include iptables)
root@kind-worker:/# iptables-save -t nat | grep backend-service
-A KUBE-SEP-5WATOJHGZ3OXW33B -s 10.244.1.2/32 -m comment --comment "default/backend-service" -j KUBE-MARK-MASQ
-A KUBE-SEP-5WATOJHGZ3OXW33B -p tcp -m comment --comment "default/backend-service" -m tcp -j DNAT --to-destination 10.244.1.2:80
-A KUBE-SEP-7FGH4DWYF2IRE4AP -s 10.244.2.2/32 -m comment --comment "default/backend-service" -j KUBE-MARK-MASQ
-A KUBE-SEP-7FGH4DWYF2IRE4AP -p tcp -m comment --comment "default/backend-service" -m tcp -j DNAT --to-destination 10.244.2.2:80
-A KUBE-SEP-XJHSCWVC5XN6WC3R -s 10.244.3.2/32 -m comment --comment "default/backend-service" -j KUBE-MARK-MASQ
-A KUBE-SEP-XJHSCWVC5XN6WC3R -p tcp -m comment --comment "default/backend-service" -m tcp -j DNAT --to-destination 10.244.3.2:80
-A KUBE-SERVICES -d 10.109.128.96/32 -p tcp -m comment --comment "default/backend-service cluster IP" -m tcp --dport 80 -j KUBE-SVC-ZZAJ2COS27FT6J6V
-A KUBE-SVC-ZZAJ2COS27FT6J6V ! -s 10.244.0.0/16 -d 10.109.128.96/32 -p tcp -m comment --comment "default/backend-service cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-ZZAJ2COS27FT6J6V -m comment --comment "default/backend-service -> 10.244.1.2:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-5WATOJHGZ3OXW33B
-A KUBE-SVC-ZZAJ2COS27FT6J6V -m comment --comment "default/backend-service -> 10.244.2.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-7FGH4DWYF2IRE4AP
-A KUBE-SVC-ZZAJ2COS27FT6J6V -m comment --comment "default/backend-service -> 10.244.3.2:80" -j KUBE-SEP-XJHSCWVC5XN6WC3R
"#,
    );
    same(
        "iptables_list",
        &s.run("iptables -t nat -L KUBE-SERVICES -n"),
        r#"Chain KUBE-SERVICES (2 references)
target     prot opt source               destination
KUBE-SVC-ZZAJ2COS27FT6J6V  6    --  0.0.0.0/0            10.109.128.96        /* default/backend-service cluster IP */ tcp dpt:80
KUBE-SVC-NPX46M4PTMTKRN6Y  6    --  0.0.0.0/0            10.96.0.1            /* default/kubernetes:https cluster IP */ tcp dpt:443
KUBE-SVC-TCOU7JCQXEZGVUNU  17   --  0.0.0.0/0            10.96.0.10           /* kube-system/kube-dns:dns cluster IP */ udp dpt:53
KUBE-SVC-ERIFXISQEP7F7OF4  6    --  0.0.0.0/0            10.96.0.10           /* kube-system/kube-dns:dns-tcp cluster IP */ tcp dpt:53
KUBE-SVC-JD5MR3NA4I4DYORP  6    --  0.0.0.0/0            10.96.0.10           /* kube-system/kube-dns:metrics cluster IP */ tcp dpt:9153
KUBE-NODEPORTS  0    --  0.0.0.0/0            0.0.0.0/0            /* kubernetes service nodeports; NOTE: this must be the last rule in this chain */ ADDRTYPE match dst-type LOCAL
"#,
    );
    same(
        "iptables_nochain",
        &s.run("iptables -t nat -L NOPE -n"),
        "iptables: No chain/target/match by that name.\n",
    );
}

#[test]
fn ipvsadm_lists_virtual_servers_in_ipvs_mode() {
    let mut s = Session::seed();
    s.run("docker exec -it kind-worker bash");
    same("ipvs_empty", &s.run("ipvsadm -Ln"), "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
    s.cluster
        .act(Action::SetProxyMode {
            mode: ProxyMode::Ipvs,
        })
        .unwrap();
    same(
        "ipvs",
        &s.run("ipvsadm -Ln"),
        r#"IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.96.0.1:443 rr
  -> 172.18.0.2:6443              Masq    1      0          0
TCP  10.96.0.10:53 rr
  -> 10.244.0.2:53                Masq    1      0          0
  -> 10.244.0.3:53                Masq    1      0          0
TCP  10.96.0.10:9153 rr
  -> 10.244.0.2:9153              Masq    1      0          0
  -> 10.244.0.3:9153              Masq    1      0          0
TCP  10.109.128.96:80 rr
  -> 10.244.1.2:80                Masq    1      0          0
  -> 10.244.2.2:80                Masq    1      0          0
  -> 10.244.3.2:80                Masq    1      0          0
UDP  10.96.0.10:53 rr
  -> 10.244.0.2:53                Masq    1      0          0
  -> 10.244.0.3:53                Masq    1      0          0
"#,
    );
    same(
        "ipvs_ip_addr",
        &s.run("ip addr | grep -A 3 kube-ipvs0"),
        r#"3: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default 
    link/ether 9e:3c:41:52:8f:0a brd ff:ff:ff:ff:ff:ff
    inet 10.96.0.1/32 scope global kube-ipvs0
       valid_lft forever preferred_lft forever
    inet 10.96.0.10/32 scope global kube-ipvs0
       valid_lft forever preferred_lft forever
    inet 10.109.128.96/32 scope global kube-ipvs0
       valid_lft forever preferred_lft forever
5: vethfb71903d@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default 
    link/ether 6e:fb:71:90:3d:02 brd ff:ff:ff:ff:ff:ff link-netns cni-fb71903d-0000-0000-0000-00000af40102
"#,
    );
}

#[test]
fn conntrack_lists_the_flows_svclab_routed() {
    let mut s = Session::seed();
    s.run("kubectl run -it test --image=busybox --restart=Never -- sh");
    s.run("wget -qO- backend-service");
    s.run("exit");
    let node = s
        .cluster
        .pods()
        .values()
        .find(|p| p.meta.name == "test")
        .unwrap()
        .spec
        .node_name
        .clone()
        .unwrap();
    s.run(&format!("docker exec -it {node} bash"));
    same(
        "conntrack",
        &s.run("conntrack -L"),
        r#"tcp      6 117 TIME_WAIT src=10.244.1.3 dst=10.109.128.96 sport=51455 dport=80 src=10.244.1.2 dst=10.244.1.3 sport=80 dport=51455 [ASSURED] mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.
"#,
    );
    s.cluster.advance(2 * 60 * SECOND);
    same("conntrack_later", &s.run("conntrack -L"), "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\nsvclab: only connections made in svclab are tracked; send a request (wget, curl) and look again within 2 minutes\n");
}

#[test]
fn logs_of_kube_system_components() {
    let mut s = Session::seed();
    same(
        "logs_dns",
        &s.run("kubectl logs -n kube-system -l k8s-app=kube-dns --prefix"),
        r#"[pod/coredns-69cd466497-5x6cd/coredns] .:53
[pod/coredns-69cd466497-5x6cd/coredns] [INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908
[pod/coredns-69cd466497-5x6cd/coredns] CoreDNS-1.14.2
[pod/coredns-69cd466497-5x6cd/coredns] linux/amd64, go1.26.1, dd1df4f
[pod/coredns-69cd466497-nvqsp/coredns] .:53
[pod/coredns-69cd466497-nvqsp/coredns] [INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908
[pod/coredns-69cd466497-nvqsp/coredns] CoreDNS-1.14.2
[pod/coredns-69cd466497-nvqsp/coredns] linux/amd64, go1.26.1, dd1df4f
"#,
    );
    same(
        "logs_proxy",
        &s.run("kubectl logs -n kube-system -l k8s-app=kube-proxy --tail=2"),
        r##"I1128 00:00:00.586000       1 shared_informer.go:388] "Caches are synced" controller="endpoint slice config"
I1128 00:00:00.586000       1 shared_informer.go:388] "Caches are synced" controller="service config"
I1128 00:00:00.586000       1 shared_informer.go:388] "Caches are synced" controller="endpoint slice config"
I1128 00:00:00.586000       1 shared_informer.go:388] "Caches are synced" controller="service config"
I1128 00:00:00.586000       1 shared_informer.go:388] "Caches are synced" controller="endpoint slice config"
I1128 00:00:00.586000       1 shared_informer.go:388] "Caches are synced" controller="service config"
I1128 00:00:00.586000       1 shared_informer.go:388] "Caches are synced" controller="endpoint slice config"
I1128 00:00:00.586000       1 shared_informer.go:388] "Caches are synced" controller="service config"
"##,
    );
    same("logs_coredns_label", &s.run("kubectl logs -n kube-system -l k8s-app=coredns"), "No resources found in kube-system namespace.\nsvclab: CoreDNS's pods are labelled k8s-app=kube-dns: try `kubectl logs -n kube-system -l k8s-app=kube-dns`\n");
}

// ---------------------------------------------------------------------------------------------
// Changing the world

#[test]
fn scale_label_delete() {
    let mut s = Session::seed();
    let pod = s
        .cluster
        .pods()
        .keys()
        .find(|k| k.name.starts_with("backend-"))
        .unwrap()
        .name
        .clone();
    let out = s.transcript(&[
        "kubectl scale deployment backend --replicas=1",
        &format!("kubectl label pod {pod} app=other"),
        &format!("kubectl label pod {pod} app=other --overwrite"),
        &format!("kubectl label pod {pod} app-"),
        &format!("kubectl label pod {pod} tier=web"),
        "kubectl delete svc backend-service",
        "kubectl delete -f backend.yaml",
    ]);
    same(
        "changes",
        &out.replace(&pod, "POD"),
        r#"$ kubectl scale deployment backend --replicas=1
deployment.apps/backend scaled
$ kubectl label pod POD app=other
error: 'app' already has a value (backend), and --overwrite is false
$ kubectl label pod POD app=other --overwrite
pod/POD labeled
$ kubectl label pod POD app-
pod/POD unlabeled
$ kubectl label pod POD tier=web
pod/POD labeled
$ kubectl delete svc backend-service
service "backend-service" deleted
$ kubectl delete -f backend.yaml
deployment.apps "backend" deleted
Error from server (NotFound): error when deleting "backend.yaml": services "backend-service" not found
"#,
    );
}

// ---------------------------------------------------------------------------------------------
// Completion

#[test]
fn tab_completes_commands_types_and_names() {
    let s = Session::seed();
    let c = |line: &str| s.term.complete(&s.cluster, line);
    assert_eq!(c("kub"), vec!["kubectl"]);
    assert_eq!(c("kubectl ge"), vec!["get"]);
    assert_eq!(c("kubectl get se"), vec!["services"]);
    assert_eq!(c("kubectl get svc "), vec!["backend-service", "kubernetes"]);
    assert_eq!(c("kubectl get svc/b"), vec!["svc/backend-service"]);
    assert_eq!(
        c("kubectl get pods -n kube-"),
        vec!["kube-node-lease", "kube-public", "kube-system"]
    );
    assert_eq!(c("kubectl apply -f "), vec!["backend.yaml"]);
    assert_eq!(
        c("kubectl get pods -o "),
        vec!["json", "name", "wide", "yaml"]
    );
    assert_eq!(
        c("kubectl debug node/kind-w"),
        vec!["node/kind-worker", "node/kind-worker2", "node/kind-worker3"]
    );
    assert_eq!(c("kubectl get --sh"), vec!["--show-labels"]);
    assert_eq!(c("kubectl exec -it back").len(), 3);
    let (line, listed) = s.term.complete_line(&s.cluster, "kubectl get svc back");
    assert_eq!(line, "kubectl get svc backend-service ");
    assert!(listed.is_empty());
    let (line, listed) = s
        .term
        .complete_line(&s.cluster, "kubectl get pods -n kube-");
    assert_eq!(line, "kubectl get pods -n kube-");
    assert_eq!(listed.len(), 3);
}

/// Every shell's commands complete their options and arguments from the shell's table of
/// commands: a node's `nft` and `iptables`, a pod's `wget`, `nslookup` and `cat`.
#[test]
fn tab_completes_the_commands_of_nodes_and_pods() {
    let c = |s: &Session, line: &str| s.term.complete(&s.cluster, line);
    let mut s = Session::seed();
    s.run("docker exec -it kind-worker bash");
    assert_eq!(c(&s, "nf"), ["nft"]);
    assert_eq!(c(&s, "nft "), ["list"]);
    assert_eq!(
        c(&s, "nft list "),
        ["chain", "map", "ruleset", "set", "table", "tables"]
    );
    assert_eq!(c(&s, "nft list table "), ["ip"]);
    assert_eq!(c(&s, "nft list table ip "), ["kube-proxy"]);
    assert_eq!(c(&s, "nft --v"), ["--version"]);
    // In iptables mode kube-proxy has no nftables table: no chain names to offer.
    assert!(c(&s, "nft list chain ip kube-proxy ").is_empty());
    assert_eq!(c(&s, "iptables -t "), ["filter", "mangle", "nat"]);
    assert!(c(&s, "iptables -t nat -L KUBE-SVC-")
        .iter()
        .all(|chain| chain.starts_with("KUBE-SVC-")));
    assert!(!c(&s, "iptables -t nat -L KUBE-SVC-").is_empty());
    assert_eq!(c(&s, "ipvsadm "), ["-Ln"]);
    s.run("exit");

    s.cluster
        .act(Action::SetProxyMode {
            mode: ProxyMode::Nftables,
        })
        .unwrap();
    s.cluster.advance(SECOND);
    s.run("docker exec -it kind-worker bash");
    let chains = c(&s, "nft list chain ip kube-proxy service-");
    assert!(!chains.is_empty());
    for chain in &chains {
        assert!(s
            .run(&format!("nft list chain ip kube-proxy {chain}"))
            .starts_with(&format!("table ip kube-proxy {{\n\tchain {chain} {{\n")));
    }
    assert_eq!(
        c(&s, "nft list map ip kube-proxy service-"),
        ["service-ips", "service-nodeports"]
    );
    assert!(c(&s, "nft list set ip kube-proxy ").contains(&"cluster-ips".to_string()));
    assert!(!c(&s, "nft list set ip kube-proxy ").contains(&"service-ips".to_string()));
    s.run("exit");

    s.run("kubectl run -it client --image=busybox --restart=Never -- sh");
    assert_eq!(c(&s, "wget -q"), ["-q", "-qO-"]);
    assert_eq!(
        c(&s, "wget -qO- http://backend-service."),
        [
            "http://backend-service.default",
            "http://backend-service.default.svc.cluster.local"
        ]
    );
    assert_eq!(
        c(&s, "nslookup kubernetes"),
        [
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc.cluster.local"
        ]
    );
    assert_eq!(c(&s, "cat /etc/res"), ["/etc/resolv.conf"]);
}

// ---------------------------------------------------------------------------------------------
// Determinism and robustness

#[test]
fn output_depends_on_the_world_not_on_the_history() {
    let lines = [
        "kubectl get pods -o wide",
        "kubectl describe svc backend-service",
        "kubectl get ep backend-service -o yaml",
        "kubectl debug node/kind-worker2 -it --image=busybox",
        "iptables-save",
        "exit",
    ];
    let mut a = Session::seed();
    let first = a.transcript(&lines);
    let mut b = Session::seed();
    b.run("echo warming up");
    b.run("history");
    b.run("clear");
    b.run("kubectl get nosuchthing");
    let second = b.transcript(&lines);
    assert_eq!(first, second);
}

/// A tiny xorshift generator: the fuzz is the same on every run.
struct Fuzz(u64);

impl Fuzz {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn a_quoted_command_path_is_one_unknown_word() {
    let mut s = Session::seed();
    assert_eq!(
        s.run("kubectl 'set image' deploy/backend api=nginx:1.27"),
        "error: unknown command \"set image\" for \"kubectl\"\n"
    );
    assert_eq!(
        s.run("kubectl help 'set image'"),
        s.run("kubectl help nosuchcommand")
    );
    let set_image = s.run("kubectl set image --help");
    assert_eq!(s.run("kubectl help set image"), set_image);
    assert_ne!(s.run("kubectl help 'set image'"), set_image);
}

#[test]
fn unknown_commands_are_never_told_to_try_help() {
    let mut s = Session::seed();
    assert_eq!(
        s.run("kubectl hel"),
        "error: unknown command \"hel\" for \"kubectl\"\n\nDid you mean this?\n\tget\n\tset\n"
    );
    assert_eq!(
        s.run("kubectl hlep"),
        "error: unknown command \"hlep\" for \"kubectl\"\n"
    );
    assert_eq!(s.term.complete(&s.cluster, "kubectl hel"), vec!["help"]);
}

/// What Tab promises on any line: the candidates are sorted without repeats; the completed line
/// only adds to what was typed (a word with quotes or backslashes may be requoted, as bash does); a list is shown only when more than one candidate fits, and it
/// is the candidates.
fn assert_tab_keeps_its_promises(s: &Session, typed: &str) {
    let candidates = s.term.complete(&s.cluster, typed);
    assert!(
        candidates.windows(2).all(|w| w[0] < w[1]),
        "`{typed}`: {candidates:?}"
    );
    let (completed, listed) = s.term.complete_line(&s.cluster, typed);
    assert!(
        completed.starts_with(typed) || typed.contains(['\\', '"', '\'']),
        "`{typed}` became `{completed}`"
    );
    if !listed.is_empty() {
        assert!(listed.len() > 1, "`{typed}`: {listed:?}");
        assert_eq!(listed, candidates, "`{typed}`");
    }
}

#[test]
fn tab_keeps_its_promises_on_any_text_cut_anywhere() {
    const PIECES: &[&str] = &[
        "kubectl", "get", "pods", " ", " ", "'", "\"", "\\", "é", "日本", "🚀", "-n", "--o", "=",
        "svc/", "|", "x", "$", "\t",
    ];
    let s = Session::seed();
    let mut rng = Fuzz(0x5eed_7ab5);
    let mut lines: Vec<String> = ["kubectl get 'é'", "'é'", "kubectl get é\\ x"]
        .map(String::from)
        .to_vec();
    for _ in 0..200 {
        let n = 1 + rng.next() % 8;
        lines.push((0..n).map(|_| rng.pick(PIECES)).collect());
    }
    for line in &lines {
        for (i, _) in line.char_indices().chain([(line.len(), ' ')]) {
            let typed = &line[..i];
            assert_tab_keeps_its_promises(&s, typed);
        }
    }
}

#[test]
fn tab_keeps_the_quote_a_word_was_typed_with() {
    let s = Session::seed();
    let c = |line: &str| s.term.complete_line(&s.cluster, line).0;
    assert_eq!(c("kubectl get \"po"), "kubectl get \"pods\" ");
    assert_eq!(c("kubectl get 'po"), "kubectl get 'pods' ");
    assert_eq!(c("kubectl get \"pods\""), "kubectl get \"pods\" ");
    assert_eq!(
        c("kubectl get svc 'back"),
        "kubectl get svc 'backend-service' "
    );
    assert_eq!(
        c("kubectl get pods -n \"kube-"),
        "kubectl get pods -n \"kube-"
    );
    assert_eq!(
        c("kubectl get svc \"b"),
        "kubectl get svc \"backend-service\" "
    );
    assert_eq!(c("kubectl get 'é'"), "kubectl get 'é'");
}

#[test]
fn nothing_typed_panics_or_hangs() {
    const VALID: &[&str] = &[
        "kubectl get svc -A -o wide",
        "kubectl get pods -l app=backend -o yaml",
        "kubectl describe svc backend-service",
        "kubectl scale deploy/backend --replicas=4",
        "kubectl run -it t --image=busybox --restart=Never -- sh",
        "kubectl exec -it t -- sh",
        "kubectl logs -n kube-system -l k8s-app=kube-proxy",
        "kubectl debug node/kind-worker -it --image=busybox",
        "kubectl delete pod t",
        "kubectl label pod t a=b --overwrite",
        "kubectl apply -f backend.yaml",
        "kubectl delete -f backend.yaml",
        "nslookup backend-service",
        "wget -qO- http://backend-service:80/",
        "wget -T 2 backend-service",
        "curl -m 1 backend-service",
        "iptables-save -t nat",
        "iptables -t nat -L KUBE-SERVICES -n",
        "ipvsadm -Ln -t 10.96.0.1:443",
        "conntrack -L -p tcp",
        "ip route",
        "exit",
        "docker exec -it kind-worker bash",
        "kubectl get all | grep -v pod | head -n 2 2>&1 >/dev/null",
    ];
    const SOUP: &[&str] = &[
        "kubectl",
        "get",
        "-n",
        "--namespace=",
        "-o",
        "yaml",
        "json",
        "wide",
        "-A",
        "-l",
        "app=",
        "!",
        "a!=b",
        "pods/",
        "svc",
        "--",
        "-it",
        "sh",
        "'",
        "\"",
        "\\",
        "|",
        "||",
        "&&",
        ";",
        "2>&1",
        ">",
        "<",
        "$",
        "${",
        "$?",
        "#",
        "-",
        "--=",
        "=",
        "/",
        "ãé",
        "💥",
        "",
        " ",
        "\t",
        "-99999999999999999999",
        "0",
        "--replicas",
        "exec",
        "run",
        "--image",
        "busybox",
        "exit",
        "nslookup",
        "wget",
        "curl",
        "http://",
        ":99999",
        "iptables",
        "-L",
        "-t",
        "nat",
        "ipvsadm",
        "conntrack",
        "debug",
        "node/",
        "logs",
        "describe",
        "delete",
        "label",
        "-",
        "scale",
        "k=v",
        "k-",
        "((",
        "notin",
        "in",
        "(a,",
        "docker",
        "exec",
        "kind-worker",
        "bash",
    ];
    let mut rng = Fuzz(0x5eed_cafe_f00d_d00d);
    let mut s = Session::seed();
    for round in 0..1_500 {
        let line = match rng.next() % 3 {
            0 => {
                let n = 1 + rng.next() % 8;
                (0..n).map(|_| rng.pick(SOUP)).collect::<Vec<_>>().join(" ")
            }
            1 => {
                // A valid command with one word mutated, dropped or duplicated.
                let base: Vec<&str> = rng.pick(VALID).split(' ').collect();
                let i = (rng.next() % base.len() as u64) as usize;
                let mut words: Vec<String> = base.iter().map(|w| w.to_string()).collect();
                match rng.next() % 4 {
                    0 => words[i] = rng.pick(SOUP).to_string(),
                    1 => {
                        words.remove(i);
                    }
                    2 => {
                        let w = words[i].clone();
                        words.insert(i, w);
                    }
                    _ => {
                        let half = words[i].len() / 2;
                        words[i].truncate(half);
                    }
                }
                words.join(" ")
            }
            _ => rng.pick(VALID).to_string(),
        };
        let out = s.run(&line);
        assert!(
            out.len() < 1_000_000,
            "round {round}: `{line}` printed {} bytes",
            out.len()
        );
        assert_tab_keeps_its_promises(&s, &line);
        if round % 200 == 0 {
            s.cluster.advance(HOUR / 60);
        }
    }
    // Whatever the soup left running, Ctrl-C brings the prompt back.
    let stopped = s.term.interrupt(&mut s.cluster);
    assert_eq!(stopped.text(), "^C\n");
    assert!(stopped.wait.is_none());
    assert!(s.term.poll(&mut s.cluster).is_none());

    // A line typed while a command waits is kept; Ctrl-C stops the command and forgets it.
    let mut s = Session::seed();
    let out = s.term.run(
        &mut s.cluster,
        "kubectl run -it zz --image=busybox --restart=Never -- sh",
    );
    assert!(out.wait.is_some(), "run -it waits for its pod");
    let typed = s.term.run(&mut s.cluster, "kubectl get pods");
    assert_eq!(
        typed.text(),
        "",
        "a line typed while waiting prints nothing yet"
    );
    assert!(typed.wait.is_some());
    let stopped: Output = s.term.interrupt(&mut s.cluster);
    assert_eq!(stopped.text(), "^C\n");
    assert!(stopped.wait.is_none());
    s.cluster.advance(HOUR / 60);
    assert!(
        s.term.poll(&mut s.cluster).is_none(),
        "the typed line was forgotten"
    );
    assert!(s.run("kubectl get pods").starts_with("NAME "));
}

#[test]
fn stderr_and_notes_are_marked() {
    let mut s = Session::seed();
    let out = s.term.run(&mut s.cluster, "kubectl get svcs");
    assert_eq!(out.lines[0].stream, Stream::Stderr);
    let out = s.term.run(&mut s.cluster, "kubectl api-resources");
    let last = out.lines.last().unwrap();
    assert_eq!(last.stream, Stream::Note);
    assert!(last.text.starts_with("svclab: "));
    let out = s.term.run(&mut s.cluster, "kubectl get svc");
    assert!(out.lines.iter().all(|l| l.stream == Stream::Stdout));
}

const DENY: &str = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-backend
spec:
  podSelector:
    matchLabels:
      app: backend
  policyTypes:
    - Ingress
";

#[test]
fn a_dropped_connection_times_out_when_the_client_gives_up() {
    let mut s = Session::seed();
    s.cluster.apply(DENY, "deny.yaml").unwrap();
    s.run("kubectl run -it test --image=busybox --restart=Never -- sh");
    let start = s.cluster.now();
    same(
        "wget_timeout",
        &s.run("wget -T 3 -qO- backend-service"),
        "wget: download timed out\n",
    );
    let waited = s.cluster.now() - start;
    assert!(
        (3 * SECOND..3 * SECOND + 2 * STEP).contains(&waited),
        "waited {waited} ms"
    );
    same(
        "netpol",
        &format!("{}{}", s.run("exit"), s.run("kubectl get netpol")),
        r#"svclab: on a real cluster pod "test" would now be Completed (its main process was this shell); svclab keeps it Running so you can `kubectl exec` into it again
NAME           POD-SELECTOR   AGE
deny-backend   app=backend    3s
"#,
    );
}

#[test]
fn debian_shells_number_their_lines() {
    let mut s = Session::seed();
    let pod = s
        .cluster
        .pods()
        .keys()
        .find(|k| k.name.starts_with("backend-"))
        .unwrap()
        .name
        .clone();
    s.run(&format!("kubectl exec -it {pod} -- sh"));
    assert_eq!(s.term.prompt(), "# ");
    same("dash", &s.transcript(&["nslookup backend-service", "wget x", "exit"]), "# nslookup backend-service\nsh: 1: nslookup: not found\n# wget x\nsh: 2: wget: not found\n# exit\ncommand terminated with exit code 127\n");
    s.run(&format!("kubectl exec -it {pod} -- bash"));
    assert_eq!(s.term.prompt(), format!("root@{pod}:/# "));
    same(
        "bash",
        &s.run("nslookup x"),
        "bash: nslookup: command not found\n",
    );
}

#[test]
fn a_pod_whose_image_may_never_be_pulled_says_so_everywhere() {
    let never = SEED_MANIFEST.replace(
        "image: nginx",
        "image: nginx:1.27\n          imagePullPolicy: Never",
    );
    let mut s = Session::new(SEED_FILENAME, &never);
    let pod = s.backend_pod();
    let get = s.run(&format!("kubectl get pod {pod}"));
    assert!(get.contains("0/1     ErrImageNeverPull   0"), "{get}");
    let describe = s.run(&format!("kubectl describe pod {pod}"));
    assert!(
        describe.contains("    Image:          nginx:1.27\n"),
        "{describe}"
    );
    assert!(
        describe.contains("    State:          Waiting\n      Reason:       ErrImageNeverPull\n"),
        "{describe}"
    );
    // The kubelet says so at every sync, every 10 s; kubectl counts the repeats.
    assert!(
        describe.contains("  Warning  ErrImageNeverPull  0s (x2 over 10s)  kubelet            Container image \"nginx:1.27\" is not present with pull policy of Never\n  Warning  Failed             0s (x2 over 10s)  kubelet            Error: ErrImageNeverPull\n"),
        "{describe}"
    );
    let yaml = s.run(&format!("kubectl get pod {pod} -o yaml"));
    assert!(yaml.contains("    imagePullPolicy: Never\n"), "{yaml}");
    assert!(
        yaml.contains("      waiting:\n        message: Container image \"nginx:1.27\" is not present with pull policy of Never\n        reason: ErrImageNeverPull\n"),
        "{yaml}"
    );
    let logs = s.run(&format!("kubectl logs {pod}"));
    assert_eq!(
        logs,
        format!("Error from server (BadRequest): container \"api\" in pod \"{pod}\" is waiting to start: ErrImageNeverPull\n")
    );
}

#[test]
fn kubectl_events_takes_its_own_flags_and_filters_by_type() {
    let typo = SEED_MANIFEST.replace("image: nginx", "image: ngnix");
    let mut s = Session::new(SEED_FILENAME, &typo);
    s.cluster.advance(50 * SECOND);
    let all = s.run("kubectl events");
    let warnings = s.run("kubectl events --types=Warning");
    let normal = s.run("kubectl events --types normal");
    assert!(
        all.contains(" Warning ") && all.contains(" Normal "),
        "{all}"
    );
    assert!(
        warnings.contains(" Warning ") && !warnings.contains(" Normal "),
        "{warnings}"
    );
    assert!(
        normal.contains(" Normal ") && !normal.contains(" Warning "),
        "{normal}"
    );
    assert_eq!(s.run("kubectl events --types=Normal,Warning"), all);
    assert_eq!(
        s.run("kubectl events --types=Bogus"),
        "error: valid --types are Normal or Warning\n"
    );
    assert_eq!(
        s.run("kubectl events --sort-by=.metadata.name"),
        "error: unknown flag: --sort-by\nSee 'kubectl events --help' for usage.\n"
    );
    assert_eq!(
        s.term.complete(&s.cluster, "kubectl events --s"),
        Vec::<String>::new()
    );
    assert_eq!(
        s.term.complete(&s.cluster, "kubectl events --ty"),
        vec!["--types"]
    );
}

#[test]
fn tab_offers_only_the_output_formats_a_command_takes() {
    let s = Session::seed();
    let c = |line: &str| s.term.complete(&s.cluster, line);
    assert_eq!(c("kubectl version -o "), vec!["json", "yaml"]);
    assert_eq!(c("kubectl api-resources -o "), vec!["name", "wide"]);
    assert_eq!(c("kubectl api-resources --output=w"), vec!["--output=wide"]);
}

#[test]
fn rollout_subcommands_have_their_own_flags_help_and_completion() {
    let mut s = Session::seed();
    assert_eq!(
        s.run("kubectl rollout status --bogus"),
        "error: unknown flag: --bogus\nSee 'kubectl rollout status --help' for usage.\n"
    );
    assert_eq!(
        s.run("kubectl rollout undo deploy/backend --revision=1"),
        "error: unknown flag: --revision\nSee 'kubectl rollout undo --help' for usage.\n"
    );
    let help = s.run("kubectl rollout history --help");
    assert!(
        help.starts_with("View previous rollout revisions"),
        "{help}"
    );
    assert_eq!(s.run("kubectl help rollout history"), help);
    assert_eq!(s.run("kubectl rollout -n default history --help"), help);
    let c = |line: &str| s.term.complete(&s.cluster, line);
    assert_eq!(c("kubectl rollout "), vec!["history", "status", "undo"]);
    assert_eq!(
        c("kubectl rollout undo --"),
        vec!["--namespace", "--to-revision"]
    );
    assert_eq!(c("kubectl rollout history --re"), vec!["--revision"]);
    assert_eq!(c("kubectl set "), vec!["image"]);
}

#[test]
fn config_subcommands_have_their_own_flags_help_and_completion() {
    let mut s = Session::seed();
    assert_eq!(
        s.run("kubectl config current-context --raw"),
        "error: unknown flag: --raw\nSee 'kubectl config current-context --help' for usage.\n"
    );
    let help = s.run("kubectl config use-context --help");
    assert!(help.starts_with("Set the current-context"), "{help}");
    assert_eq!(s.run("kubectl help config use-context"), help);
    assert_eq!(s.run("kubectl config current-context"), "kind-kind\n");
    assert_eq!(
        s.run("kubectl config set-context --current --namespace=kube-system"),
        "Context \"kind-kind\" modified.\n"
    );
    let c = |line: &str| s.term.complete(&s.cluster, line);
    assert_eq!(
        c("kubectl config "),
        vec![
            "current-context",
            "get-contexts",
            "set-context",
            "use-context",
            "view"
        ]
    );
    assert_eq!(c("kubectl config use-context "), vec!["kind-kind"]);
    assert_eq!(c("kubectl config view -o "), vec!["json", "yaml"]);
}

#[test]
fn create_and_top_subcommands_have_their_own_flags_help_and_completion() {
    let mut s = Session::seed();
    assert_eq!(
        s.run("kubectl create namespace dev --image=nginx"),
        "error: unknown flag: --image\nSee 'kubectl create namespace --help' for usage.\n"
    );
    assert_eq!(
        s.run("kubectl top node -A"),
        "error: unknown shorthand flag: 'A' in -A\nSee 'kubectl top node --help' for usage.\n"
    );
    assert_eq!(
        s.run("kubectl top po -A"),
        "error: Metrics API not available\n"
    );
    let help = s.run("kubectl create deployment --help");
    assert!(help.starts_with("Create a deployment"), "{help}");
    assert_eq!(s.run("kubectl help create deployment"), help);
    assert_eq!(s.run("kubectl create deploy --help"), help);
    assert_eq!(s.run("kubectl create ns dev"), "namespace/dev created\n");
    let c = |line: &str| s.term.complete(&s.cluster, line);
    assert_eq!(c("kubectl create "), vec!["deployment", "namespace"]);
    assert_eq!(c("kubectl top "), vec!["node", "pod"]);
    assert_eq!(c("kubectl top pod --su"), vec!["--sum"]);
    assert_eq!(c("kubectl create namespace --im"), Vec::<String>::new());
}

#[test]
fn a_mistyped_image_fails_to_pull_and_backs_off() {
    let typo = SEED_MANIFEST.replace("image: nginx", "image: ngnix");
    let mut s = Session::new(SEED_FILENAME, &typo);
    let pod = s.backend_pod();
    // 10 s after the apply: pulled once, failed, backing off until 10 s after the failure.
    let get = s.run(&format!("kubectl get pod {pod}"));
    assert!(get.contains("0/1     ImagePullBackOff   0"), "{get}");
    // The pod has its IP (its sandbox is up) but is no ready endpoint of the Service.
    let slices =
        s.run("kubectl get endpointslices -l kubernetes.io/service-name=backend-service -o yaml");
    assert_eq!(slices.matches("ready: false").count(), 3, "{slices}");
    s.cluster.advance(50 * SECOND);
    let describe = s.run(&format!("kubectl describe pod {pod}"));
    let events = &describe[describe.find("Events:").expect("events")..];
    // Pulls at 0 s, 10.9 s and 31.8 s after scheduling, each failing 0.9 s later and backing
    // off a second after that; each back-off (10 s, then 20 s) counts from the failure.
    same(
        "image typo events",
        events,
        &("Events:
  Type     Reason     Age                From               Message
  ----     ------     ----               ----               -------
  Normal   Scheduled  60s                default-scheduler  Successfully assigned default/".to_string()
            + &pod
            + " to kind-worker2
  Normal   Pulling    28s (x3 over 60s)  kubelet            Pulling image \"ngnix\"
  Warning  Failed     27s (x3 over 59s)  kubelet            Failed to pull image \"ngnix\": rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/ngnix:latest\": failed to resolve reference \"docker.io/library/ngnix:latest\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed
  Warning  Failed     27s (x3 over 59s)  kubelet            Error: ErrImagePull
  Normal   BackOff    26s (x3 over 58s)  kubelet            Back-off pulling image \"ngnix\"
  Warning  Failed     26s (x3 over 58s)  kubelet            Error: ImagePullBackOff
"),
    );
    assert!(
        describe.contains("    State:          Waiting\n      Reason:       ImagePullBackOff\n"),
        "{describe}"
    );
    let yaml = s.run(&format!("kubectl get pod {pod} -o yaml"));
    assert!(
        yaml.contains("      waiting:\n        message: Back-off pulling image \"ngnix\"\n        reason: ImagePullBackOff\n"),
        "{yaml}"
    );
    let logs = s.run(&format!("kubectl logs {pod}"));
    assert_eq!(
        logs,
        format!("Error from server (BadRequest): container \"api\" in pod \"{pod}\" is waiting to start: trying and failing to pull image\n")
    );
    // Fixing the image rolls out pods that pull and run; the broken ones go.
    s.cluster
        .apply(SEED_MANIFEST, SEED_FILENAME)
        .expect("the seed applies");
    s.cluster.advance(30 * SECOND);
    let pods = s.run("kubectl get pods -l app=backend");
    assert_eq!(pods.matches("1/1     Running").count(), 3, "{pods}");
    assert!(!pods.contains("ImagePull"), "{pods}");
}

#[test]
fn a_failing_readiness_probe_is_one_event_counted_up() {
    let mut s = Session::seed();
    let pod = s.backend_pod();
    s.cluster
        .act(Action::FailReadiness {
            namespace: "default".into(),
            pod: pod.clone(),
            fail: true,
        })
        .expect("the pod exists");
    s.cluster.advance(45 * SECOND);
    let describe = s.run(&format!("kubectl describe pod {pod}"));
    assert!(
        describe.contains("  Warning  Unhealthy  4s (x5 over 44s)  kubelet            Readiness probe failed: HTTP probe failed with statuscode: 503\n"),
        "{describe}"
    );
    let events = s.run("kubectl get events -o yaml");
    assert!(events.contains("  count: 5\n"), "{events}");
    // Passing again stops the events; the count stays.
    s.cluster
        .act(Action::FailReadiness {
            namespace: "default".into(),
            pod: pod.clone(),
            fail: false,
        })
        .expect("the pod exists");
    s.cluster.advance(60 * SECOND);
    let describe = s.run(&format!("kubectl describe pod {pod}"));
    assert!(
        describe.contains("  Warning  Unhealthy  64s (x5 over 104s)  kubelet "),
        "{describe}"
    );
}

#[test]
fn an_image_that_is_no_reference_is_an_invalid_image_name() {
    let upper = SEED_MANIFEST.replace("image: nginx", "image: Nginx");
    let mut s = Session::new(SEED_FILENAME, &upper);
    let pod = s.backend_pod();
    let get = s.run(&format!("kubectl get pod {pod}"));
    assert!(get.contains("0/1     InvalidImageName   0"), "{get}");
    let describe = s.run(&format!("kubectl describe pod {pod}"));
    assert!(
        describe.contains("  Warning  InspectFailed  0s (x2 over 10s)  kubelet            Failed to apply default image tag \"Nginx\": couldn't parse image name \"Nginx\": invalid reference format: repository name (library/Nginx) must be lowercase\n  Warning  Failed         0s (x2 over 10s)  kubelet            Error: InvalidImageName\n"),
        "{describe}"
    );
    // No pull is tried.
    assert!(!describe.contains("Pulling"), "{describe}");
    let logs = s.run(&format!("kubectl logs {pod}"));
    assert_eq!(
        logs,
        format!("Error from server (BadRequest): container \"api\" in pod \"{pod}\" is waiting to start: InvalidImageName\n")
    );
}

#[test]
fn rollout_status_watches_a_rollout_to_its_end() {
    let mut s = Session::seed();
    same(
        "rolled out",
        &s.run("kubectl rollout status deployment/backend"),
        "deployment \"backend\" successfully rolled out\n",
    );
    same(
        "set image",
        &s.run("kubectl set image deployment/backend api=nginx:1.27"),
        "deployment.apps/backend image updated\n",
    );
    let out = s.run("kubectl rollout status deployment/backend");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"Waiting for deployment \"backend\" rollout to finish: 1 out of 3 new replicas have been updated..."),
        "{out}"
    );
    assert!(
        out.contains("Waiting for deployment \"backend\" rollout to finish: 1 old replicas are pending termination...\n"),
        "{out}"
    );
    assert_eq!(
        lines.last(),
        Some(&"deployment \"backend\" successfully rolled out"),
        "{out}"
    );
    // One line per change of status, never the same twice in a row.
    assert!(lines.windows(2).all(|w| w[0] != w[1]), "{out}");
}

#[test]
fn rollout_status_of_a_stuck_rollout_waits_until_interrupted() {
    let mut s = Session::seed();
    s.run("kubectl set image deploy backend api=nginx:1.99");
    let out = s
        .term
        .run(&mut s.cluster, "kubectl rollout status deploy/backend");
    assert_eq!(
        out.text(),
        "Waiting for deployment \"backend\" rollout to finish: 1 out of 3 new replicas have been updated...\n"
    );
    assert!(out.wait.is_some());
    s.cluster.advance(60 * SECOND);
    assert_eq!(
        s.term.poll(&mut s.cluster),
        None,
        "nothing changes: no new line"
    );
    assert!(s.term.waiting().is_some());
    let stopped = s.term.interrupt(&mut s.cluster);
    assert_eq!(stopped.text(), "^C\n");
    assert_eq!(stopped.prompt, "$ ");
    // The old pods still serve: the new one never became available.
    let pods = s.run("kubectl get pods -l app=backend");
    assert_eq!(pods.matches("1/1     Running").count(), 3, "{pods}");
    assert_eq!(pods.matches("ImagePullBackOff").count(), 1, "{pods}");
}

#[test]
fn set_image_names_a_container_and_an_image() {
    let mut s = Session::seed();
    same(
        "no pair",
        &s.run("kubectl set image deploy/backend"),
        "error: at least one image update is required\n",
    );
    same(
        "no resource",
        &s.run("kubectl set image api=nginx:1.27"),
        "error: one or more resources must be specified as <resource> <name> or <resource>/<name>\n",
    );
    same(
        "no container",
        &s.run("kubectl set image deploy/backend web=nginx:1.27"),
        "error: unable to find container named \"web\"\n",
    );
    same(
        "no deployment",
        &s.run("kubectl set image deploy/frontend api=nginx:1.27"),
        "Error from server (NotFound): deployments.apps \"frontend\" not found\n",
    );
    // Every container (`*`): a new template, a rollout, a second ReplicaSet.
    let before = s.run("kubectl get rs");
    s.run("kubectl set image deploy/backend *=nginx:1.27");
    s.cluster.advance(30 * SECOND);
    let after = s.run("kubectl get rs");
    assert_ne!(before, after);
    assert_eq!(
        after.lines().count(),
        3,
        "a new ReplicaSet beside the old: {after}"
    );
    let yaml = s.run("kubectl get deploy backend -o yaml");
    assert!(yaml.contains("image: nginx:1.27\n"), "{yaml}");
}

#[test]
fn rollout_history_and_undo_bring_back_the_previous_template() {
    let mut s = Session::seed();
    same(
        "no history",
        &s.run("kubectl rollout undo deployment/backend"),
        "error: no rollout history found for deployment \"backend\"\n",
    );
    s.run("kubectl set image deployment/backend api=nginx:1.99");
    s.cluster.advance(20 * SECOND);
    same(
        "two revisions",
        &s.run("kubectl rollout history deployment/backend"),
        "deployment.apps/backend \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n",
    );
    let second = s.run("kubectl rollout history deployment/backend --revision=2");
    assert!(
        second.starts_with("deployment.apps/backend with revision #2\nPod Template:\n"),
        "{second}"
    );
    assert!(
        second.contains("    Image:         nginx:1.99\n"),
        "{second}"
    );
    same(
        "undo",
        &s.run("kubectl rollout undo deployment/backend"),
        "deployment.apps/backend rolled back\n",
    );
    let out = s.run("kubectl rollout status deployment/backend");
    assert!(
        out.ends_with("deployment \"backend\" successfully rolled out\n"),
        "{out}"
    );
    s.cluster.advance(40 * SECOND);
    let pods = s.run("kubectl get pods -l app=backend");
    assert_eq!(pods.matches("1/1     Running").count(), 3, "{pods}");
    assert!(!pods.contains("ImagePull"), "{pods}");
    // Revision 1's ReplicaSet is the current one again, numbered 3.
    same(
        "renumbered",
        &s.run("kubectl rollout history deployment/backend"),
        "deployment.apps/backend \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n",
    );
    let describe = s.run("kubectl describe deployment backend");
    assert!(
        describe.contains("deployment.kubernetes.io/revision: 3\n"),
        "{describe}"
    );
    same(
        "skipped",
        &s.run("kubectl rollout undo deployment/backend --to-revision=3"),
        "deployment.apps/backend skipped rollback (current template already matches revision 3)\n",
    );
    same(
        "missing revision",
        &s.run("kubectl rollout undo deployment/backend --to-revision=9"),
        "error: unable to find specified revision 9 in history\n",
    );
}

#[test]
fn a_stuck_rollout_exceeds_its_progress_deadline() {
    let short = SEED_MANIFEST.replace(
        "  replicas: 3\n",
        "  replicas: 3\n  progressDeadlineSeconds: 60\n",
    );
    let mut s = Session::new(SEED_FILENAME, &short);
    s.run("kubectl set image deployment/backend api=nginx:1.99");
    let out = s
        .term
        .run(&mut s.cluster, "kubectl rollout status deployment/backend");
    assert!(out.wait.is_some(), "{}", out.text());
    // The new ReplicaSet's one pod never becomes available: no progress after it was made.
    s.cluster.advance(59 * SECOND);
    assert_eq!(s.term.poll(&mut s.cluster), None);
    s.cluster.advance(2 * SECOND);
    let end = s.term.poll(&mut s.cluster).expect("the watch ends");
    assert_eq!(
        end.text(),
        "error: deployment \"backend\" exceeded its progress deadline\n"
    );
    assert_eq!(end.prompt, "$ ");
    same("exit status", &s.run("echo $?"), "1\n");
    let describe = s.run("kubectl describe deployment backend");
    assert!(
        describe.contains("  Available      True    MinimumReplicasAvailable\n  Progressing    False   ProgressDeadlineExceeded\n"),
        "{describe}"
    );
    let yaml = s.run("kubectl get deployment backend -o yaml");
    assert!(yaml.contains("  progressDeadlineSeconds: 60\n"), "{yaml}");
    assert!(
        yaml.contains("has timed out progressing.\n    reason: ProgressDeadlineExceeded\n    status: \"False\"\n    type: Progressing\n"),
        "{yaml}"
    );
    // Undoing is progress again, and the rollout completes.
    s.run("kubectl rollout undo deployment/backend");
    same(
        "rolled back",
        s.run("kubectl rollout status deployment/backend")
            .lines()
            .last()
            .unwrap_or(""),
        "deployment \"backend\" successfully rolled out",
    );
    let describe = s.run("kubectl describe deployment backend");
    assert!(
        describe.contains("  Progressing    True    NewReplicaSetAvailable\n"),
        "{describe}"
    );
}

#[test]
fn a_settled_deployment_short_of_pods_has_not_missed_its_deadline() {
    let mut s = Session::seed();
    s.cluster
        .act(Action::BreakCoreDns { broken: true })
        .expect("breaks");
    s.cluster.advance(11 * 60 * SECOND);
    let describe = s.run("kubectl describe deployment coredns -n kube-system");
    assert!(
        describe.contains("  Available      False   MinimumReplicasUnavailable\n  Progressing    True    NewReplicaSetAvailable\n"),
        "{describe}"
    );
    let status = s.term.run(
        &mut s.cluster,
        "kubectl rollout status deploy/coredns -n kube-system --timeout=30s",
    );
    assert_eq!(
        status.text(),
        "Waiting for deployment \"coredns\" rollout to finish: 0 of 2 updated replicas are available...\n"
    );
    s.cluster.advance(31 * SECOND);
    let end = s
        .term
        .poll(&mut s.cluster)
        .expect("the timeout ends the watch");
    assert_eq!(end.text(), "error: timed out waiting for the condition\n");
}

#[test]
fn set_image_is_one_patch_and_an_unchanged_image_prints_nothing() {
    let mut s = Session::seed();
    same(
        "unchanged",
        &s.run("kubectl set image deploy/backend api=nginx"),
        "",
    );
    same(
        "two pairs",
        &s.run("kubectl set image deploy/backend api=nginx:1.26 *=nginx:1.27"),
        "deployment.apps/backend image updated\n",
    );
    s.cluster.advance(30 * SECOND);
    same(
        "one rollout",
        &s.run("kubectl rollout history deploy/backend"),
        "deployment.apps/backend \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n",
    );
    let yaml = s.run("kubectl get deploy backend -o yaml");
    assert!(yaml.contains("image: nginx:1.27\n"), "{yaml}");
}

#[test]
fn a_pod_made_again_under_the_same_name_has_events_of_its_own() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(10 * SECOND);
    s.run("kubectl delete pod test");
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(10 * SECOND);
    let after = s.run("kubectl describe pod test");
    assert!(
        after.contains("Successfully assigned default/test"),
        "{after}"
    );
    assert!(!after.contains("(x2"), "{after}");
}

#[test]
fn jsonpath_prints_the_fields_a_lesson_asks_for() {
    let mut s = Session::seed();
    let ip = s.cluster.services()[&svclab_sim::model::ObjectKey::new("default", "backend-service")]
        .spec
        .cluster_ip
        .ip()
        .expect("an IP")
        .to_string();
    same(
        "cluster ip",
        &s.run("kubectl get svc backend-service -o jsonpath='{.spec.clusterIP}'"),
        &format!("{ip}\n"),
    );
    let mut ips: Vec<String> = s
        .cluster
        .pods()
        .values()
        .filter(|p| p.meta.name.starts_with("backend-"))
        .filter_map(|p| p.status.pod_ip.map(|ip| ip.to_string()))
        .collect();
    ips.sort();
    let mut endpoints: Vec<String> = s
        .run("kubectl get endpoints backend-service -o jsonpath='{.subsets[*].addresses[*].ip}'")
        .lines()
        .last()
        .unwrap_or_default()
        .trim_end()
        .split(' ')
        .map(str::to_string)
        .collect();
    endpoints.sort();
    assert_eq!(endpoints, ips);
    let table = s.run(
        "kubectl get pods -l app=backend -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.podIP}{\"\\n\"}{end}'",
    );
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(
        table
            .lines()
            .all(|l| l.starts_with("backend-") && l.contains("\t10.244.")),
        "{table}"
    );
    same(
        "nothing selected",
        &s.run("kubectl get svc backend-service -o jsonpath='{.spec.externalName}'"),
        "",
    );
    same(
        "a broken template",
        &s.run("kubectl get pods -o jsonpath='{.items[*'"),
        "error: error parsing jsonpath {.items[*, unclosed action\n",
    );
}

#[test]
fn sort_by_orders_the_list_as_kubectl_does() {
    let mut s = Session::seed();
    s.run("kubectl scale deploy/backend --replicas=12");
    s.cluster.advance(30 * SECOND);
    let out = s.run("kubectl get pods -l app=backend -o wide --sort-by=.status.podIP");
    let ips: Vec<&str> = out
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(5))
        .collect();
    assert_eq!(ips.len(), 12, "{out}");
    // Numbers inside the text compare as numbers: 10.244.1.9 before 10.244.1.10.
    let key = |ip: &str| -> Vec<u32> { ip.split('.').filter_map(|p| p.parse().ok()).collect() };
    assert!(ips.windows(2).all(|w| key(w[0]) <= key(w[1])), "{out}");
    let names = s.run("kubectl get pods -l app=backend -o name --sort-by={.metadata.name}");
    let names: Vec<&str> = names.lines().collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn delete_scale_and_expose_without_a_resource_say_how_to_name_one() {
    let mut s = Session::seed();
    let want = "error: You must provide one or more resources by argument or filename.\n\
Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n";
    for line in [
        "kubectl delete",
        "kubectl scale --replicas=2",
        "kubectl expose",
    ] {
        same(line, &s.run(line), want);
    }
}

/// agnhost netexec behind a UDP Service, as Kubernetes' own Service tests run it
/// (test/images/agnhost/netexec), and the busybox `test` client.
const UDP_MANIFEST: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: netexec
spec:
  replicas: 2
  selector:
    matchLabels: {app: netexec}
  template:
    metadata:
      labels: {app: netexec}
    spec:
      containers:
      - name: agnhost
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: [netexec, --http-port=8080, --udp-port=8081]
---
apiVersion: v1
kind: Service
metadata:
  name: udp-echo
spec:
  selector: {app: netexec}
  ports:
  - name: udp
    protocol: UDP
    port: 5005
    targetPort: 8081
";

#[test]
fn nc_sends_a_datagram_through_a_udp_service() {
    let mut s = Session::new("udp.yaml", &[SEED_MANIFEST, "---\n", UDP_MANIFEST].concat());
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    let exec = |cmd: &str| format!("kubectl exec test -- sh -c '{cmd}'");
    let out = s.run(&exec("echo hostname | nc -u -w1 udp-echo 5005"));
    assert!(
        out.starts_with("netexec-"),
        "agnhost answers with its pod's name: {out:?}"
    );
    let out = s.run(&exec("echo echo Hello | nc -u -w1 udp-echo.default 5005"));
    assert_eq!(out.trim_end(), "hello", "netexec lowercases what it echoes");
    // clientip: the pod sees the client pod's own address (no SNAT inside the cluster).
    let test_ip = s
        .cluster
        .pods()
        .values()
        .find(|p| p.meta.name == "test")
        .and_then(|p| p.status.pod_ip)
        .expect("test has an IP");
    let out = s.run(&exec("echo clientip | nc -u -w1 udp-echo 5005"));
    assert!(out.starts_with(&format!("{test_ip}:")), "{out:?}");
    // -v says "open": UDP has no handshake to fail.
    let out = s.run(&exec("echo hostname | nc -v -u -w1 udp-echo 5005"));
    let svc_ip = s.run("kubectl get svc udp-echo -o jsonpath='{.spec.clusterIP}'");
    assert!(
        out.starts_with(&format!("udp-echo ({}:5005) open\n", svc_ip.trim())),
        "{out:?}"
    );
    // A TCP Service port carries no UDP: nothing comes back, nc ends silently after -w1.
    let out = s.run(&exec("echo hostname | nc -u -w1 backend-service 80"));
    assert_eq!(out, "");
    assert_eq!(s.run("echo $?"), "0\n");
    // An unknown command to netexec goes unanswered; a name that does not resolve fails.
    assert_eq!(s.run(&exec("echo hi | nc -u -w1 udp-echo 5005")), "");
    let out = s.run(&exec("echo hostname | nc -u -w1 no-such-service 5005"));
    assert_eq!(
        out,
        "nc: bad address 'no-such-service'\ncommand terminated with exit code 1\n"
    );
    // Without -u, or without anything to send, svclab says what it simulates.
    assert!(s
        .run("kubectl exec test -- nc udp-echo 5005")
        .contains("not simulated"));
    assert!(s
        .run("kubectl exec test -- nc -u -w1 udp-echo 5005")
        .contains("stdin"));
}

#[test]
fn nc_to_coredns_gets_no_answer_but_the_datagram_arrives() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    let out =
        s.run("kubectl exec test -- sh -c 'echo hostname | nc -u -w1 kube-dns.kube-system 53'");
    assert_eq!(out, "", "CoreDNS drops what is no DNS message");
    let trace = s
        .cluster
        .traces()
        .last()
        .expect("the datagram was traced")
        .clone();
    assert!(
        matches!(
            trace.outcome,
            svclab_sim::trace::Outcome::Datagram {
                answered: false,
                ..
            }
        ),
        "{:?}",
        trace.outcome
    );
    assert!(trace.hops.iter().any(|h| h.packet.protocol == Protocol::Udp
        && h.translation
            .as_ref()
            .is_some_and(|t| t.after.dst.port() == 53)));
}

#[test]
fn kubectl_exec_says_when_the_command_in_the_container_failed() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(10 * SECOND);
    // kubectl's own line on stderr after the command's output, and its exit status passed on
    // (k8s.io/kubectl/pkg/cmd/exec: "command terminated with exit code %d").
    let out = s.run("kubectl exec test -- nslookup no-such-service");
    assert!(
        out.ends_with("\ncommand terminated with exit code 1\n"),
        "{out:?}"
    );
    assert_eq!(s.run("echo $?"), "1\n");
    // It is stderr: gone with 2>/dev/null, as the command's own errors are.
    assert_eq!(s.run("kubectl exec test -- cat /nope 2>/dev/null"), "");
    // A command that succeeds, or fails on the host before reaching the pod, gets no such line.
    assert!(!s
        .run("kubectl exec test -- wget -qO- http://backend-service")
        .contains("command terminated"));
    assert!(!s
        .run("kubectl exec nope -- true")
        .contains("command terminated"));
}

/// What the API server adds to every pod, as `kubectl get pod -o yaml` shows it on a real
/// cluster: the service account token's projected volume mounted in each container (the
/// ServiceAccount admission plugin; the same name `describe` shows) and the DefaultTolerationSeconds
/// plugin's two tolerations, which it leaves out for a taint the pod already tolerates.
#[test]
fn a_pods_yaml_holds_what_admission_adds_as_describe_shows_it() {
    let mut s = Session::seed();
    let pod = s.backend_pod();
    let yaml = s.run(&format!("kubectl get pod {pod} -o yaml"));
    let describe = s.run(&format!("kubectl describe pod {pod}"));
    let volume = describe
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("/var/run/secrets/kubernetes.io/serviceaccount from ")
        })
        .and_then(|rest| rest.strip_suffix(" (ro)"))
        .unwrap_or_else(|| panic!("no token mount in {describe}"))
        .to_string();
    assert!(
        volume.starts_with("kube-api-access-") && volume.len() == 21,
        "{volume}"
    );
    assert!(
        yaml.contains(&format!(
            "    volumeMounts:\n    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount\n      name: {volume}\n      readOnly: true\n"
        )),
        "{yaml}"
    );
    assert!(
        yaml.contains(&format!(
            "  volumes:\n  - name: {volume}\n    projected:\n      defaultMode: 420\n      sources:\n      - serviceAccountToken:\n          expirationSeconds: 3607\n          path: token\n      - configMap:\n          items:\n          - key: ca.crt\n            path: ca.crt\n          name: kube-root-ca.crt\n      - downwardAPI:\n          items:\n          - fieldRef:\n              apiVersion: v1\n              fieldPath: metadata.namespace\n            path: namespace\n"
        )),
        "{yaml}"
    );
    assert!(
        yaml.contains("  tolerations:\n  - effect: NoExecute\n    key: node.kubernetes.io/not-ready\n    operator: Exists\n    tolerationSeconds: 300\n  - effect: NoExecute\n    key: node.kubernetes.io/unreachable\n    operator: Exists\n    tolerationSeconds: 300\n"),
        "{yaml}"
    );

    // A pod that tolerates not-ready for a minute keeps its own; only unreachable is added.
    let own = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: patient\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n  tolerations:\n  - key: node.kubernetes.io/not-ready\n    operator: Exists\n    effect: NoExecute\n    tolerationSeconds: 60\n";
    s.cluster
        .apply(own, "patient.yaml")
        .expect("the pod applies");
    let yaml = s.run("kubectl get pod patient -o yaml");
    assert!(
        yaml.contains("  tolerations:\n  - effect: NoExecute\n    key: node.kubernetes.io/not-ready\n    operator: Exists\n    tolerationSeconds: 60\n  - effect: NoExecute\n    key: node.kubernetes.io/unreachable\n    operator: Exists\n    tolerationSeconds: 300\n  volumes:\n"),
        "{yaml}"
    );
    let describe = s.run("kubectl describe pod patient");
    assert!(
        describe.contains("Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 60s\n                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"),
        "{describe}"
    );

    // An operator left out is stored unset (it means Equal), so none is printed; one written
    // is printed as written.
    let unset = own
        .replace("patient", "plain")
        .replace("node.kubernetes.io/not-ready\n    operator: Exists\n    effect: NoExecute\n    tolerationSeconds: 60", "dedicated\n    value: gpu\n    effect: NoSchedule\n  - key: zone\n    operator: Equal\n    value: a");
    s.cluster
        .apply(&unset, "plain.yaml")
        .expect("the pod applies");
    let yaml = s.run("kubectl get pod plain -o yaml");
    assert!(
        yaml.contains("  tolerations:\n  - effect: NoSchedule\n    key: dedicated\n    value: gpu\n  - key: zone\n    operator: Equal\n    value: a\n  - effect: NoExecute\n"),
        "{yaml}"
    );
}

/// A toleration the API server refuses (`ValidateTolerations`) is refused in its words, at the
/// field it names: a lower-case operator, and an `Exists` that also gives a value (reported, as
/// upstream does, by the whole toleration in Go's syntax). Nothing is stored.
#[test]
fn a_toleration_the_api_server_refuses_is_refused_in_its_words() {
    let mut s = Session::seed();
    let deployment = |toleration: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gpu\nspec:\n  selector:\n    matchLabels: {{app: gpu}}\n  template:\n    metadata:\n      labels: {{app: gpu}}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n      tolerations:\n      - {toleration}\n")
    };
    // The message, and the line the editor marks: the toleration's (the 16th).
    let refused = |s: &mut Session, toleration: &str| {
        let errors = s
            .cluster
            .apply(&deployment(toleration), "gpu.yaml")
            .expect_err("the API server refuses it");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 16, "{errors:?}");
        errors[0].message.clone()
    };
    let lower = refused(
        &mut s,
        "{key: dedicated, operator: exists, effect: NoSchedule}",
    );
    assert!(
        lower.contains(r#"The Deployment "gpu" is invalid: spec.template.spec.tolerations[0].operator: Unsupported value: "exists": supported values: "Equal", "Exists""#),
        "{lower}"
    );
    let both = refused(
        &mut s,
        "{key: dedicated, operator: Exists, value: gpu, effect: NoSchedule}",
    );
    assert!(
        both.contains(r#"The Deployment "gpu" is invalid: spec.template.spec.tolerations[0].operator: Invalid value: core.Toleration{Key:"dedicated", Operator:"Exists", Value:"gpu", Effect:"NoSchedule", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is 'Exists'"#),
        "{both}"
    );
    let bad_effect = refused(
        &mut s,
        "{key: dedicated, operator: Exists, effect: NoSchedul}",
    );
    assert!(
        bad_effect.contains(r#"spec.template.spec.tolerations[0].effect: Unsupported value: "NoSchedul": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute""#),
        "{bad_effect}"
    );
    let get = s.run("kubectl get deployment gpu");
    assert!(get.contains("NotFound"), "nothing was stored: {get}");
}

/// The system pods carry the tolerations a real kind cluster shows: kube-proxy's DaemonSet
/// (kubeadm's manifest: `operator: Exists`, `nodeSelector: kubernetes.io/os: linux`) and
/// kindnet's (kind's manifest: `operator: Exists, effect: NoSchedule`) each with the seven the
/// DaemonSet controller adds (`AddOrUpdateDaemonPodTolerations`,
/// `pkg/controller/daemon/util/daemonset_util.go`; network-unavailable for the host network),
/// a static pod the kubelet's one `:NoExecute op=Exists`, and CoreDNS kubeadm's Deployment's
/// two. `describe` sorts them by key. CoreDNS and kube-proxy run as their own service accounts
/// at the built-in priority classes (`system-cluster-critical`, `system-node-critical`).
#[test]
fn system_pods_tolerate_what_their_controllers_give_them() {
    let mut s = Session::seed();
    let named = |s: &Session, prefix: &str| {
        s.cluster
            .pods()
            .keys()
            .find(|k| k.namespace == "kube-system" && k.name.starts_with(prefix))
            .map(|k| k.name.clone())
            .unwrap_or_else(|| panic!("no {prefix} pod"))
    };
    let added = "                             node.kubernetes.io/disk-pressure:NoSchedule op=Exists
                             node.kubernetes.io/memory-pressure:NoSchedule op=Exists
                             node.kubernetes.io/network-unavailable:NoSchedule op=Exists
                             node.kubernetes.io/not-ready:NoExecute op=Exists
                             node.kubernetes.io/pid-pressure:NoSchedule op=Exists
                             node.kubernetes.io/unreachable:NoExecute op=Exists
                             node.kubernetes.io/unschedulable:NoSchedule op=Exists
Events:";
    let proxy = named(&s, "kube-proxy-");
    let describe = s.run(&format!("kubectl describe pod -n kube-system {proxy}"));
    assert!(
        describe.contains(&format!(
            "Node-Selectors:              kubernetes.io/os=linux\nTolerations:                 op=Exists\n{added}"
        )),
        "{describe}"
    );
    let kindnet = named(&s, "kindnet-");
    let describe = s.run(&format!("kubectl describe pod -n kube-system {kindnet}"));
    assert!(
        describe.contains(&format!(
            "Tolerations:                 :NoSchedule op=Exists\n{added}"
        )),
        "{describe}"
    );
    let yaml = s.run(&format!("kubectl get pod -n kube-system {kindnet} -o yaml"));
    assert!(
        yaml.contains("  tolerations:\n  - effect: NoSchedule\n    operator: Exists\n  - effect: NoExecute\n    key: node.kubernetes.io/not-ready\n    operator: Exists\n"),
        "{yaml}"
    );
    // CoreDNS as kubeadm deploys it: the add-ons' toleration and the control plane's, then the
    // two DefaultTolerationSeconds adds; on Linux nodes.
    let coredns = named(&s, "coredns-");
    let describe = s.run(&format!("kubectl describe pod -n kube-system {coredns}"));
    assert!(
        describe.contains("Node-Selectors:              kubernetes.io/os=linux\nTolerations:                 CriticalAddonsOnly op=Exists\n                             node-role.kubernetes.io/control-plane:NoSchedule\n                             node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"),
        "{describe}"
    );
    // Their priority classes and service accounts, as describe's head and -o yaml show them.
    assert!(
        describe.contains("Priority:             2000000000\nPriority Class Name:  system-cluster-critical\nService Account:      coredns\n"),
        "{describe}"
    );
    let yaml = s.run(&format!("kubectl get pod -n kube-system {coredns} -o yaml"));
    assert!(
        yaml.contains("  priority: 2000000000\n  priorityClassName: system-cluster-critical\n")
            && yaml.contains("  serviceAccount: coredns\n  serviceAccountName: coredns\n"),
        "{yaml}"
    );
    let describe = s.run(&format!("kubectl describe pod -n kube-system {proxy}"));
    assert!(
        describe.contains("Priority:             2000001000\nPriority Class Name:  system-node-critical\nService Account:      kube-proxy\n"),
        "{describe}"
    );
    // A learner's pod: no class, the namespace's default account.
    let backend = s.backend_pod();
    let describe = s.run(&format!("kubectl describe pod {backend}"));
    assert!(
        describe.contains("Priority:         0\nService Account:  default\n"),
        "{describe}"
    );
    // (Its column is wider than a real static pod's: svclab mounts the service account token
    // in static pods too, whose volume's field names are longer than a host path's.)
    let describe = s.run("kubectl describe pod -n kube-system etcd-kind-control-plane");
    let lines: Vec<&str> = describe
        .lines()
        .skip_while(|l| !l.starts_with("Tolerations:"))
        .take(2)
        .collect();
    assert_eq!(
        lines
            .first()
            .map(|l| l.trim_start_matches("Tolerations:").trim()),
        Some(":NoExecute op=Exists"),
        "{describe}"
    );
    assert!(lines[1].starts_with("Events:"), "{describe}");
}

/// `sh -c SCRIPT` runs SCRIPT as the pod's shell would: its words split as the shell splits
/// them (quotes keep words together, `$VAR` expands in the pod), a pipe's filters run on the
/// first command's output inside the pod (before the filters of the line it was typed in), and
/// the pipe's status is its last command's (grep's: 1 when it selects nothing, which kubectl
/// reports). Before, the script was split at spaces:
/// `"a  b"` kept its quotes, `| grep h1` was ignored and the whole page printed, and `&&`
/// reached `cat` as a file name.
#[test]
fn sh_c_runs_its_script_as_the_pods_shell_would() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'echo \"a  b\"'"),
        "a  b\n"
    );
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'echo $HOSTNAME'"),
        "test\n"
    );
    assert_eq!(
        s.run("kubectl exec test -- sh -c \"wget -qO- http://backend-service | grep h1\""),
        "<h1>Welcome to nginx!</h1>\n"
    );
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'wget -qO- http://backend-service | grep h1' | wc -l"),
        "1\n"
    );
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'wget -qO- http://backend-service | grep h2'"),
        "command terminated with exit code 1\n"
    );
    let attached = s.run(
        "kubectl run -it --rm once --image=busybox --restart=Never -- sh -c 'wget -qO- http://backend-service | head -n 2'",
    );
    assert!(
        attached.ends_with("<!DOCTYPE html>\n<html>\npod \"once\" deleted\n"),
        "{attached}"
    );
}

/// `sh -c 'a; b'`, `a && b`, `a || b` run as a shell runs them: in the pod, one after the other
/// as the operators say, in a fresh shell (`$?` 0); kubectl exec reports the script's last
/// status once, at the end (a list piped on the line is refused: the pipe would read each
/// command apart); the terminal is back where it was after
/// the script, after Ctrl-C in the middle of it too. (They were refused with a note; before
/// that, `&&` reached `cat` as a file name.)
#[test]
fn sh_c_runs_a_list_of_commands_in_the_pod() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'cat /etc/resolv.conf && echo ok'"),
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\nok\n"
    );
    assert_eq!(s.term.prompt(), "$ ", "back on the host");
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'nslookup backend-service | grep Name; echo done'"),
        "Name:\tbackend-service.default.svc.cluster.local\ndone\n"
    );
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'echo one; wget -qO- http://nowhere'"),
        "one\nwget: bad address 'nowhere'\ncommand terminated with exit code 1\n"
    );
    assert_eq!(s.run("echo $?"), "1\n");
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'wget -qO- http://nowhere || echo failed'"),
        "wget: bad address 'nowhere'\nfailed\n"
    );
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'false; true' && echo yes"),
        "yes\n"
    );
    // Ctrl-C in the middle of a script: back on the host, the rest not run.
    let out = s.term.run(
        &mut s.cluster,
        "kubectl exec test -- sh -c 'wget -qO- -T 5 http://10.96.99.99; echo after'",
    );
    assert!(out.wait.is_some(), "the request waits on the clock");
    s.term.interrupt(&mut s.cluster);
    assert_eq!(s.term.prompt(), "$ ", "Ctrl-C left the terminal in the pod");
    s.cluster.advance(10 * SECOND);
    assert!(s.term.poll(&mut s.cluster).is_none(), "the script went on");
    // `exit` ends the list there with its status; a shell started in it reads nothing and ends.
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'exit 3; echo no'"),
        "command terminated with exit code 3\n"
    );
    assert_eq!(s.run("echo $?"), "3\n");
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'echo a; exit x; echo b'"),
        "a\nsh: exit: Illegal number: x\ncommand terminated with exit code 2\n"
    );
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'echo a; sh; echo b'"),
        "a\nb\n"
    );
    assert_eq!(
        s.term.prompt(),
        "$ ",
        "a shell inside the list kept the terminal"
    );
    // Piped, `exit` leaves only the pipe's subshell: the list goes on with the pipe's status.
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'exit 3 | cat; echo $?; exit 4 | grep x; echo $?'"),
        "0\n1\n"
    );
    // A list inside a list ends where it began, in the pod.
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'sh -c \"echo a; echo b\"; hostname'"),
        "a\nb\ntest\n"
    );
    // A fresh `sh -c` starts with `$?` 0: its `exit` does not take the host's failure.
    s.run("kubectl get pod nope");
    assert_eq!(s.run("kubectl exec test -- sh -c exit"), "");
    // The line's pipe would read each command apart: not run.
    let piped = s.run("kubectl exec test -- sh -c 'echo a; echo b' | wc -l");
    assert!(
        piped.contains("piped or redirected on the line, is not simulated"),
        "{piped}"
    );
    // In the pod's own shell, the same list runs in a nested shell that exits back to it.
    s.run("kubectl exec -it test -- sh");
    assert_eq!(s.run("sh -c 'echo in; hostname'"), "in\ntest\n");
    assert_eq!(s.term.prompt(), "/ # ");
    // `sh -c 'exit 3'` leaves the child shell, not this one; `exit x` here is refused and
    // the shell stays, as busybox's does.
    assert_eq!(s.run("sh -c 'exit 3'"), "");
    assert_eq!(s.run("echo $?"), "3\n");
    assert_eq!(s.run("exit x"), "sh: exit: Illegal number: x\n");
    assert_eq!(s.term.prompt(), "/ # ");
    assert_eq!(s.run("exit 3 | cat"), "");
    assert_eq!(s.term.prompt(), "/ # ", "a piped exit left the shell");
    assert_eq!(s.run("echo $?"), "0\n");
    // The shell that read the line is gone, and the rest of the line with it.
    assert_eq!(s.run("exit; hostname"), "");
    assert_eq!(s.term.prompt(), "$ ");
}

/// A loop or an `if` (`for i in 1 2 3; do wget ...; done`, a usual way to watch a Service
/// spread requests) runs nothing, in the pod's shell, on the host and in `sh -c`: svclab says
/// it is not simulated and points at the request builder's count, with status 2 as a syntax
/// error. (Each part used to run as a command of its own: `sh: for: not found`, `sh: do: not
/// found`, `sh: done: not found`.)
#[test]
fn a_loop_or_an_if_runs_nothing_and_says_so() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    let note = |word: &str| {
        format!(
            "svclab: `{word}` is not simulated: this shell runs commands one after another (`;`, `&&`, `||`) and through pipes, not loops or `if`; to run a command again press ↑ and Enter, and to send a request many times choose a count (× 10) beside Send request, or Start steady traffic\n"
        )
    };
    let sent = s.cluster.traces().len();
    s.run("kubectl exec -it test -- sh");
    assert_eq!(
        s.run("for i in 1 2 3; do wget -qO- http://backend-service; done"),
        note("for")
    );
    assert_eq!(s.run("echo $?"), "2\n");
    assert_eq!(
        s.run("wget -qO- http://backend-service | while read line; do echo $line; done"),
        note("while")
    );
    assert_eq!(
        s.run("if wget -qO- http://backend-service; then echo up; fi"),
        note("if")
    );
    assert_eq!(s.term.prompt(), "/ # ", "still in the pod");
    // Words that only look like them are commands as before.
    assert_eq!(s.run("echo for done"), "for done\n");
    s.run("exit");
    assert_eq!(
        s.run("for p in a b; do kubectl get pods; done"),
        note("for")
    );
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'while true; do wget -qO- http://backend-service; sleep 1; done'"),
        note("while")
    );
    assert_eq!(s.run("echo $?"), "2\n");
    assert_eq!(s.term.prompt(), "$ ");
    // `kubectl run -it` refuses it before the pod is made.
    assert_eq!(
        s.run("kubectl run -it --rm loop --image=busybox --restart=Never -- sh -c 'for i in 1 2; do wget -qO- http://backend-service; done'"),
        note("for")
    );
    assert!(
        !s.cluster.pods().keys().any(|k| k.name == "loop"),
        "no pod is left behind"
    );
    assert_eq!(s.cluster.traces().len(), sent, "no request was sent");
}

/// A redirection in a `sh -c` pipeline (`2>&1`, `2>/dev/null`) is applied as at the prompt,
/// under `kubectl exec`, `kubectl run -it` and a node's `bash -c`. (It was refused with a note
/// that said to open the shell and type the line there.)
#[test]
fn sh_c_applies_a_redirection_as_the_prompt_does() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'nslookup backend-service 2>&1 | grep Name'"),
        "Name:\tbackend-service.default.svc.cluster.local\n"
    );
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'wget -qO- http://nope 2>/dev/null'"),
        "command terminated with exit code 1\n"
    );
    assert_eq!(s.term.prompt(), "$ ");
    assert_eq!(
        s.run("kubectl run -it --rm r --image=busybox --restart=Never -- sh -c 'nslookup backend-service 2>&1 | grep Name'"),
        "If you don't see a command prompt, try pressing enter.\nName:\tbackend-service.default.svc.cluster.local\npod \"r\" deleted\n"
    );
    assert_eq!(
        s.run("docker exec kind-worker bash -c 'iptables -t nat -n -L KUBE-SERVICES 2>/dev/null | head -n 1'"),
        "Chain KUBE-SERVICES (2 references)\n"
    );
    assert_eq!(s.term.prompt(), "$ ");
}

/// In a pod's shell, `> FILE` and `>> FILE` write the pod's file (`cat` reads it back, `2>&1`
/// sends the errors there too); on the host the output is shown with a note, as before. (Any
/// file redirection printed the output and said it was not simulated, and `cat` did not find
/// what `wget -O /tmp/x` or `-O ./x` had saved.)
#[test]
fn a_redirection_to_a_file_writes_the_pods_file() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    s.run("kubectl exec -it test -- sh");
    assert_eq!(s.run("wget -qO- http://backend-service > /tmp/page"), "");
    assert_eq!(
        s.run("cat /tmp/page | grep h1"),
        "<h1>Welcome to nginx!</h1>\n"
    );
    assert_eq!(
        s.run("echo one > notes; echo two >> notes; cat notes"),
        "one\ntwo\n"
    );
    assert_eq!(s.run("echo three > ./notes; cat /notes"), "three\n");
    assert_eq!(s.run("wget -qO- http://nowhere > out 2>&1; echo $?"), "1\n");
    assert_eq!(s.run("cat out"), "wget: bad address 'nowhere'\n");
    // What wget -O writes, under a directory or `./`, is found by the same path.
    assert_eq!(
        s.run("wget -qO /tmp/saved http://backend-service; cat /tmp/saved | grep h1"),
        "<h1>Welcome to nginx!</h1>\n"
    );
    assert_eq!(
        s.run("wget -qO ./here http://backend-service; cat here | grep h1"),
        "<h1>Welcome to nginx!</h1>\n"
    );
    let root = s.run("ls /");
    assert!(
        root.contains("notes") && root.contains("here") && !root.contains("tmp/"),
        "{root}"
    );
    s.run("exit");
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'hostname > /tmp/h; cat /tmp/h'"),
        "test\n"
    );
    let host = s.run("echo hi > hi.txt");
    assert!(
        host.contains("hi\n") && host.contains("not simulated"),
        "{host}"
    );
}

/// A node's `bash -c 'a; b'` runs the list on the node, from the host through `docker exec` and
/// at the node's prompt, then the terminal is back where it was; `exit` ends the list. (It was
/// refused with a note.)
#[test]
fn a_nodes_bash_c_runs_a_list() {
    let mut s = Session::seed();
    assert_eq!(
        s.run("docker exec kind-worker bash -c 'hostname; iptables -t nat -n -L KUBE-SERVICES | head -n 1'"),
        "kind-worker\nChain KUBE-SERVICES (2 references)\n"
    );
    assert_eq!(s.term.prompt(), "$ ");
    assert_eq!(
        s.run("docker exec kind-worker bash -c 'false || echo failed; exit 4; echo no'; echo $?"),
        "failed\n4\n"
    );
    s.run("docker exec -it kind-worker bash");
    let prompt = s.term.prompt();
    assert_eq!(s.run("bash -c 'echo a; hostname'"), "a\nkind-worker\n");
    assert_eq!(s.term.prompt(), prompt, "back at the node's prompt");
    // `exit N` leaves the node with N, a bad number with bash's words and 2.
    assert_eq!(
        s.run("exit 5; hostname"),
        "",
        "the rest of the line ran on the host"
    );
    assert_eq!(s.term.prompt(), "$ ");
    assert_eq!(s.run("echo $?"), "5\n");
    s.run("docker exec -it kind-worker bash");
    assert_eq!(
        s.run("exit x"),
        "bash: exit: x: numeric argument required\n"
    );
    assert_eq!(s.run("echo $?"), "2\n");
}

/// `exit N` leaves a shell with status N, `exit` alone with the last command's; leaving the
/// shell `kubectl exec -it` opened with a status other than 0, kubectl says so, and the host's
/// `$?` is it. A nested shell hands its status to the one around it. (`exit` ignored its
/// argument: every shell left with 0.)
#[test]
fn exit_leaves_a_shell_with_its_status() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    s.run("kubectl exec -it test -- sh");
    assert_eq!(s.run("exit 3"), "command terminated with exit code 3\n");
    assert_eq!(s.run("echo $?"), "3\n");
    s.run("kubectl exec -it test -- sh");
    let failed = s.run("wget -qO- http://nowhere");
    assert!(failed.contains("bad address"), "{failed}");
    assert_eq!(s.run("exit"), "command terminated with exit code 1\n");
    s.run("kubectl exec -it test -- sh");
    s.run("sh");
    assert_eq!(s.run("exit 4"), "");
    assert_eq!(s.run("echo $?"), "4\n");
    assert_eq!(s.run("exit 0"), "");
    assert_eq!(s.run("echo $?"), "0\n");
}

/// `kubectl run -it ... -- sh -c 'a; b'` runs the list in the new pod's shell as `kubectl
/// exec` does, then with `--rm` deletes the pod; `exit` in it ends the list there. (It was
/// refused.) Ctrl-C in the middle deletes the `--rm` pod too (it was left behind).
#[test]
fn kubectl_run_attached_runs_a_list_then_deletes_the_pod() {
    let mut s = Session::seed();
    assert_eq!(
        s.run("kubectl run -it --rm once --image=busybox --restart=Never -- sh -c 'echo a; hostname && wget -qO- http://backend-service | grep h1'"),
        "If you don't see a command prompt, try pressing enter.\na\nonce\n<h1>Welcome to nginx!</h1>\npod \"once\" deleted\n"
    );
    assert_eq!(s.term.prompt(), "$ ", "back on the host");
    let deleted = |s: &Session, name: &str| {
        s.cluster
            .pods()
            .values()
            .all(|p| p.meta.name != name || p.is_terminating())
    };
    assert!(deleted(&s, "once"), "the pod was left");
    assert_eq!(
        s.run("kubectl run -it --rm twice --image=busybox --restart=Never -- sh -c 'echo a; exit 3; echo b'; echo $?"),
        "If you don't see a command prompt, try pressing enter.\na\npod \"twice\" deleted\n3\n"
    );
    // Without --rm the pod stays; piped on the line, the list is not run.
    assert_eq!(
        s.run("kubectl run -it kept --image=busybox --restart=Never -- sh -c 'echo a; echo b'"),
        "If you don't see a command prompt, try pressing enter.\na\nb\n"
    );
    assert!(s.run("kubectl get pod kept").contains("kept"));
    assert_eq!(
        s.run("kubectl run -it --rm piped --image=busybox --restart=Never -- sh -c 'echo a; echo b' | wc -l"),
        "If you don't see a command prompt, try pressing enter.\nsvclab: a `sh -c` list (`;`, `&&`, `||`) or redirection, piped or redirected on the line, is not simulated: put the pipe inside the script (`sh -c 'a | grep x'`), or run the commands one by one\npod \"piped\" deleted\n"
    );
    assert_eq!(s.run("echo $?"), "2\n");
    assert_eq!(s.term.prompt(), "$ ");
    // Ctrl-C in the middle, of a list or of one command: the pod goes as well.
    for (name, command) in [
        (
            "mid",
            "sh -c 'wget -qO- -T 5 http://10.96.99.99; echo after'",
        ),
        ("one", "wget -qO- -T 5 http://10.96.99.99"),
    ] {
        let line =
            format!("kubectl run -it --rm {name} --image=busybox --restart=Never -- {command}");
        let mut out = s.term.run(&mut s.cluster, &line);
        while matches!(out.wait, Some(svclab_sim::shell::Wait::PodRunning { .. })) {
            s.cluster.advance(STEP);
            out = s.term.poll(&mut s.cluster).unwrap_or(out);
        }
        assert!(out.wait.is_some(), "{name}: the request waits on the clock");
        let stopped = s.term.interrupt(&mut s.cluster);
        assert_eq!(
            stopped.text(),
            format!("^C\npod \"{name}\" deleted\n"),
            "{name}"
        );
        assert!(deleted(&s, name), "{name}: the pod was left");
        assert_eq!(s.term.prompt(), "$ ");
        s.cluster.advance(10 * SECOND);
        assert!(s.term.poll(&mut s.cluster).is_none(), "{name}: it went on");
    }
}

/// `$?` is the status of the command before it, also on the same line and inside a script
/// (it was read when the line was split: `cmd; echo $?` printed the status before the line).
#[test]
fn dollar_question_is_read_as_each_command_starts() {
    let mut s = Session::seed();
    s.run("kubectl run test --image=busybox --restart=Never -- sleep 3600");
    s.cluster.advance(5 * SECOND);
    assert_eq!(
        s.run("kubectl get pod nope; echo $?"),
        "Error from server (NotFound): pods \"nope\" not found\n1\n"
    );
    assert_eq!(s.run("echo $?; echo '$?'"), "0\n$?\n");
    assert_eq!(
        s.run("kubectl exec test -- sh -c 'wget -qO- http://nowhere; echo $?'"),
        "wget: bad address 'nowhere'\n1\n"
    );
    assert_eq!(s.run("kubectl exec test -- sh -c 'echo $?'"), "0\n");
}
