//! Deployments and Pods: the pod template, containers, probes and the rollout strategy.

use crate::map::SortedSet;

use crate::model::{
    Container, ContainerPort, Deployment, DeploymentSpec, IntOrString, LabelSelector, Pod, PodSpec,
    PodTemplateSpec, Probe, PullPolicy, Toleration, TolerationOperator,
};
use crate::validate::{self, go_quote, BadValue, ContainerField, PortField};

use super::super::schema::types::VOLUME_SOURCES;
use super::*;

impl Conv {
    pub(in crate::manifest) fn deployment(&mut self, root: &Map) -> Deployment {
        let meta = self.meta(root, true);
        let spec = get_map(root, "spec").unwrap_or(&EMPTY);
        let selector = match get_map(spec, "selector") {
            Some(s) => {
                self.present.selector = true;
                let sel = self.selector(s, "spec.selector", Slot::Selector);
                if self.has_cause(Slot::Selector) {
                    self.cause(
                        Slot::SelectorAsSelector,
                        validate::invalid(
                            "spec.selector",
                            BadValue::Go(go_raw_selector(s)),
                            "invalid label selector",
                        ),
                    );
                }
                sel
            }
            None => LabelSelector::default(),
        };
        let template = get_map(spec, "template").unwrap_or(&EMPTY);
        let tmeta = get_map(template, "metadata").unwrap_or(&EMPTY);
        let pod_spec = self.pod_spec(
            get_map(template, "spec").unwrap_or(&EMPTY),
            "spec.template.spec",
        );
        self.strategy(spec);
        let min_ready = get_int(spec, "minReadySeconds").unwrap_or(0);
        if min_ready < 0 {
            self.cause(
                Slot::Spec,
                validate::invalid(
                    "spec.minReadySeconds",
                    BadValue::Int(min_ready),
                    validate_negative(),
                ),
            );
        }
        if let Some(r) = get_int(spec, "revisionHistoryLimit").filter(|r| *r < 0) {
            self.cause(
                Slot::Spec,
                validate::invalid(
                    "spec.revisionHistoryLimit",
                    BadValue::Int(r),
                    validate_negative(),
                ),
            );
        }
        if let Some(p) = get_int(spec, "progressDeadlineSeconds") {
            if p < 0 {
                self.cause(
                    Slot::Spec,
                    validate::invalid(
                        "spec.progressDeadlineSeconds",
                        BadValue::Int(p),
                        validate_negative(),
                    ),
                );
            }
            if p <= min_ready {
                self.cause(
                    Slot::Spec,
                    validate::invalid(
                        "spec.progressDeadlineSeconds",
                        BadValue::Int(p),
                        "must be greater than minReadySeconds",
                    ),
                );
            }
        }
        Deployment {
            meta,
            spec: DeploymentSpec {
                replicas: get_int(spec, "replicas").unwrap_or(1),
                progress_deadline_seconds: get_int(spec, "progressDeadlineSeconds")
                    .unwrap_or(crate::model::DEFAULT_PROGRESS_DEADLINE),
                selector,
                template: PodTemplateSpec {
                    labels: str_map(tmeta, "labels"),
                    annotations: str_map(tmeta, "annotations"),
                    spec: pod_spec,
                },
            },
        }
    }

    /// `ValidateDeploymentStrategy` (after `SetDefaults_Deployment`).
    fn strategy(&mut self, spec: &Map) {
        let strategy = get_map(spec, "strategy").unwrap_or(&EMPTY);
        let ty = get_str(strategy, "type")
            .filter(|t| !t.is_empty())
            .unwrap_or("RollingUpdate");
        let rolling = get_map(strategy, "rollingUpdate");
        match ty {
            "Recreate" => {
                if rolling.is_some() {
                    self.cause(
                        Slot::Strategy,
                        validate::forbidden(
                            "spec.strategy.rollingUpdate",
                            "may not be specified when strategy `type` is 'Recreate'",
                        ),
                    );
                }
            }
            "RollingUpdate" => {
                let r = rolling.unwrap_or(&EMPTY);
                let quarter = IntOrString::Str("25%".into());
                let unavailable = get(r, "maxUnavailable")
                    .and_then(int_or_string)
                    .unwrap_or(quarter.clone());
                let surge = get(r, "maxSurge")
                    .and_then(int_or_string)
                    .unwrap_or(quarter);
                let base = "spec.strategy.rollingUpdate";
                let check = |v: &IntOrString, field: &str, conv: &mut Conv| match v {
                    IntOrString::Str(s) => {
                        if !is_percent(s) {
                            conv.cause(
                                Slot::Strategy,
                                validate::invalid(
                                    &format!("{base}.{field}"),
                                    BadValue::Go(go_int_or_string(v)),
                                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                                ),
                            );
                        }
                    }
                    IntOrString::Int(i) => {
                        if *i < 0 {
                            conv.cause(
                                Slot::Strategy,
                                validate::invalid(
                                    &format!("{base}.{field}"),
                                    BadValue::Int(*i),
                                    validate_negative(),
                                ),
                            );
                        }
                    }
                };
                check(&unavailable, "maxUnavailable", self);
                check(&surge, "maxSurge", self);
                if int_or_percent_value(&unavailable) == 0 && int_or_percent_value(&surge) == 0 {
                    self.cause(
                        Slot::Strategy,
                        validate::invalid(
                            &format!("{base}.maxUnavailable"),
                            BadValue::Go(go_int_or_string(&unavailable)),
                            "may not be 0 when `maxSurge` is 0",
                        ),
                    );
                }
                if let IntOrString::Str(s) = &unavailable {
                    if is_percent(s) && int_or_percent_value(&unavailable) > 100 {
                        self.cause(
                            Slot::Strategy,
                            validate::invalid(
                                &format!("{base}.maxUnavailable"),
                                BadValue::Go(go_int_or_string(&unavailable)),
                                "must not be greater than 100%",
                            ),
                        );
                    }
                }
            }
            other => {
                let rolling_go = if rolling.is_some() {
                    "&apps.RollingUpdateDeployment{...}"
                } else {
                    "(*apps.RollingUpdateDeployment)(nil)"
                };
                self.cause(
                    Slot::Strategy,
                    validate::not_supported(
                        "spec.strategy",
                        BadValue::Go(format!(
                            "apps.DeploymentStrategy{{Type:{}, RollingUpdate:{rolling_go}}}",
                            go_quote(other)
                        )),
                        &["Recreate", "RollingUpdate"],
                    ),
                );
            }
        }
    }

    pub(in crate::manifest) fn pod(&mut self, root: &Map) -> Pod {
        let meta = self.meta(root, true);
        let spec = self.pod_spec(get_map(root, "spec").unwrap_or(&EMPTY), "spec");
        Pod {
            meta,
            spec,
            ..Default::default()
        }
    }

    fn pod_spec(&mut self, m: &Map, path: &str) -> PodSpec {
        let volumes = self.volumes(m, path);
        let containers = get_seq(m, "containers")
            .iter()
            .enumerate()
            .map(|(i, c)| {
                self.container(as_map(c), &format!("{path}.containers[{i}]"), i, &volumes)
            })
            .collect();
        self.host_port_conflicts(m, path);
        if let Some(dns) = get_str(m, "dnsPolicy").filter(|s| !s.is_empty()) {
            if !matches!(
                dns,
                "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None"
            ) {
                self.cause(
                    Slot::DnsPolicy,
                    validate::not_supported(
                        &format!("{path}.dnsPolicy"),
                        BadValue::str(dns),
                        &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
                    ),
                );
            }
        }
        for field in ["hostname", "subdomain"] {
            if let Some(v) = get_str(m, field).filter(|s| !s.is_empty()) {
                for msg in validate::is_dns1123_label(v) {
                    self.cause(
                        Slot::Hostname,
                        validate::invalid(&format!("{path}.{field}"), BadValue::str(v), &msg),
                    );
                }
            }
        }
        let tolerations = self.tolerations(m, path);
        PodSpec {
            containers,
            node_name: get_str(m, "nodeName")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            node_selector: str_map(m, "nodeSelector"),
            termination_grace_period_seconds: get_int(m, "terminationGracePeriodSeconds"),
            restart_policy: get_str(m, "restartPolicy")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            host_network: get_bool(m, "hostNetwork").unwrap_or(false),
            hostname: get_str(m, "hostname")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            subdomain: get_str(m, "subdomain")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            tolerations,
            ..PodSpec::default()
        }
    }

    /// `spec.tolerations`, checked as `ValidateTolerations` checks them (Kubernetes 1.31; the
    /// causes at [`Slot::Tolerations`]): the key a label name, an empty key only with `Exists`,
    /// `tolerationSeconds` only with `NoExecute`, the operator `Equal` (or unwritten) with a label
    /// value or `Exists` with none, and a known effect. The API server reports a bad value of an
    /// `Equal` toleration at its `operator`, and an `Exists` with a value by the whole toleration
    /// in Go's `%#v` (its `tolerationSeconds` a pointer, shown as one fixed address).
    fn tolerations(&mut self, m: &Map, path: &str) -> Vec<Toleration> {
        let mut out = Vec::new();
        for (i, t) in get_seq(m, "tolerations").iter().enumerate() {
            let t = as_map(t);
            let text = |field| get_str(t, field).unwrap_or_default().to_string();
            let (key, written_op, value, effect) =
                (text("key"), text("operator"), text("value"), text("effect"));
            let seconds = get_int(t, "tolerationSeconds");
            let at = |field: &str| format!("{path}.tolerations[{i}].{field}");
            let mut causes = Vec::new();
            if !key.is_empty() {
                for msg in validate::is_qualified_name(&key) {
                    causes.push(validate::invalid(&at("key"), BadValue::str(&key), &msg));
                }
            } else if written_op != "Exists" {
                causes.push(validate::invalid(
                    &at("operator"),
                    BadValue::str(&written_op),
                    "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
                ));
            }
            if seconds.is_some() && effect != "NoExecute" {
                causes.push(validate::invalid(
                    &at("effect"),
                    BadValue::str(&effect),
                    "effect must be 'NoExecute' when `tolerationSeconds` is set",
                ));
            }
            let operator = match written_op.as_str() {
                "" | "Equal" => {
                    let msgs = validate::is_label_value(&value);
                    if !msgs.is_empty() {
                        causes.push(validate::invalid(
                            &at("operator"),
                            BadValue::str(&value),
                            &msgs.join(";"),
                        ));
                    }
                    (written_op == "Equal").then_some(TolerationOperator::Equal)
                }
                "Exists" => {
                    if !value.is_empty() {
                        let seconds = match seconds {
                            Some(_) => "(*int64)(0xc000a1c2d8)",
                            None => "(*int64)(nil)",
                        };
                        let whole = format!(
                            "core.Toleration{{Key:{}, Operator:\"Exists\", Value:{}, Effect:{}, TolerationSeconds:{seconds}}}",
                            go_quote(&key),
                            go_quote(&value),
                            go_quote(&effect),
                        );
                        causes.push(validate::invalid(
                            &at("operator"),
                            BadValue::Go(whole),
                            "value must be empty when `operator` is 'Exists'",
                        ));
                    }
                    Some(TolerationOperator::Exists)
                }
                other => {
                    causes.push(validate::not_supported(
                        &at("operator"),
                        BadValue::str(other),
                        &["Equal", "Exists"],
                    ));
                    None
                }
            };
            if !effect.is_empty()
                && !matches!(
                    effect.as_str(),
                    "NoSchedule" | "PreferNoSchedule" | "NoExecute"
                )
            {
                causes.push(validate::not_supported(
                    &at("effect"),
                    BadValue::str(&effect),
                    &["NoSchedule", "PreferNoSchedule", "NoExecute"],
                ));
            }
            for e in causes {
                self.cause(Slot::Tolerations, e);
            }
            out.push(Toleration {
                key,
                operator,
                value,
                effect,
                seconds,
            });
        }
        out
    }

    /// `ValidateVolumes`: names (for `volumeMounts`) and one source each.
    fn volumes(&mut self, m: &Map, path: &str) -> SortedSet<String> {
        let mut names = SortedSet::new();
        for (i, v) in get_seq(m, "volumes").iter().enumerate() {
            let v = as_map(v);
            let vp = format!("{path}.volumes[{i}]");
            let mut errs = Vec::new();
            let sources: Vec<&str> = VOLUME_SOURCES
                .iter()
                .copied()
                .filter(|s| get(v, s).is_some())
                .collect();
            match sources.as_slice() {
                [] => errs.push(validate::required(&vp, "must specify a volume type")),
                [_] => {}
                [_, rest @ ..] => {
                    for s in rest {
                        errs.push(validate::forbidden(
                            &format!("{vp}.{s}"),
                            "may not specify more than 1 volume type",
                        ));
                    }
                }
            }
            let name = get_str(v, "name").unwrap_or("");
            let np = format!("{vp}.name");
            if name.is_empty() {
                errs.push(validate::required(&np, ""));
            } else {
                for msg in validate::is_dns1123_label(name) {
                    errs.push(validate::invalid(&np, BadValue::str(name), &msg));
                }
            }
            if names.contains(name) {
                errs.push(validate::duplicate(&np, BadValue::str(name)));
            }
            if errs.is_empty() {
                names.insert(name.to_string());
            }
            for e in errs {
                self.cause(Slot::Volumes, e);
            }
        }
        names
    }

    /// `checkHostPortConflicts` (`AccumulateUniqueHostPorts`): a host port, by protocol (TCP when
    /// omitted, as the API server defaults it), host IP and number, is used once among the
    /// containers. Each later use is a duplicate.
    fn host_port_conflicts(&mut self, m: &Map, path: &str) {
        let mut seen = SortedSet::new();
        for (i, c) in get_seq(m, "containers").iter().enumerate() {
            for (j, p) in get_seq(as_map(c), "ports").iter().enumerate() {
                let p = as_map(p);
                let Some(port) = get_int(p, "hostPort").filter(|h| *h != 0) else {
                    continue;
                };
                let protocol = get_str(p, "protocol").filter(|s| !s.is_empty());
                let host_ip = get_str(p, "hostIP").unwrap_or("");
                let key = format!("{}/{host_ip}/{port}", protocol.unwrap_or("TCP"));
                if seen.contains(&key) {
                    let fp = format!("{path}.containers[{i}].ports[{j}].hostPort");
                    self.cause(
                        Slot::HostPortConflicts,
                        validate::duplicate(&fp, BadValue::str(&key)),
                    );
                } else {
                    seen.insert(key);
                }
            }
        }
    }

    /// Container `index` of a pod spec, at `path`.
    fn container(
        &mut self,
        m: &Map,
        path: &str,
        index: usize,
        volumes: &SortedSet<String>,
    ) -> Container {
        let slot = |field| Slot::Container {
            container: index,
            field,
        };
        if let Some(p) = get_str(m, "terminationMessagePolicy").filter(|s| !s.is_empty()) {
            if !matches!(p, "File" | "FallbackToLogsOnError") {
                let fp = format!("{path}.terminationMessagePolicy");
                self.cause(
                    slot(ContainerField::TerminationMessagePolicy),
                    validate::not_supported(
                        &fp,
                        BadValue::str(p),
                        &["File", "FallbackToLogsOnError"],
                    ),
                );
            }
        }
        let mut ports = Vec::new();
        for (j, p) in get_seq(m, "ports").iter().enumerate() {
            let p = as_map(p);
            let pp = format!("{path}.ports[{j}]");
            if let Some(hp) = get_int(p, "hostPort").filter(|h| *h != 0) {
                for msg in validate::is_port_num(hp) {
                    self.cause(
                        Slot::ContainerPort {
                            container: index,
                            port: j,
                            field: PortField::HostPort,
                        },
                        validate::invalid(&format!("{pp}.hostPort"), BadValue::Int(hp), &msg),
                    );
                }
            }
            let protocol = self.protocol(
                p,
                &format!("{pp}.protocol"),
                Slot::ContainerPort {
                    container: index,
                    port: j,
                    field: PortField::Protocol,
                },
            );
            ports.push(ContainerPort {
                name: get_str(p, "name")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                container_port: get_int(p, "containerPort").unwrap_or(0),
                protocol,
            });
        }
        for (k, e) in get_seq(m, "env").iter().enumerate() {
            if get_str(as_map(e), "name").unwrap_or("").is_empty() {
                self.cause(
                    slot(ContainerField::Env),
                    validate::required(&format!("{path}.env[{k}].name"), ""),
                );
            }
        }
        let mut mount_paths = SortedSet::new();
        for (k, vm) in get_seq(m, "volumeMounts").iter().enumerate() {
            let vm = as_map(vm);
            let mp = format!("{path}.volumeMounts[{k}]");
            let mounts = slot(ContainerField::VolumeMounts);
            let name = get_str(vm, "name").unwrap_or("");
            if name.is_empty() {
                self.cause(mounts, validate::required(&format!("{mp}.name"), ""));
            }
            if !volumes.contains(name) {
                self.cause(
                    mounts,
                    validate::not_found(&format!("{mp}.name"), BadValue::str(name)),
                );
            }
            let mount_path = get_str(vm, "mountPath").unwrap_or("");
            if mount_path.is_empty() {
                self.cause(mounts, validate::required(&format!("{mp}.mountPath"), ""));
            }
            if !mount_paths.insert(mount_path.to_string()) {
                self.cause(
                    mounts,
                    validate::invalid(
                        &format!("{mp}.mountPath"),
                        BadValue::str(mount_path),
                        "must be unique",
                    ),
                );
            }
        }
        let image = get_str(m, "image").unwrap_or("");
        let mut image_pull_policy = PullPolicy::default_for(image);
        if let Some(p) = get_str(m, "imagePullPolicy").filter(|s| !s.is_empty()) {
            if let Some(policy) = PullPolicy::parse(p) {
                image_pull_policy = policy;
            } else {
                let fp = format!("{path}.imagePullPolicy");
                self.cause(
                    slot(ContainerField::ImagePullPolicy),
                    validate::not_supported(
                        &fp,
                        BadValue::str(p),
                        &["Always", "IfNotPresent", "Never"],
                    ),
                );
            }
        }
        if let Some(lc) = get_map(m, "lifecycle") {
            for hook in ["postStart", "preStop"] {
                if let Some(h) = get_map(lc, hook) {
                    let hp = format!("{path}.lifecycle.{hook}");
                    self.handler(
                        h,
                        &hp,
                        slot(ContainerField::Lifecycle),
                        &["exec", "httpGet", "tcpSocket", "sleep"],
                    );
                }
            }
        }
        for (probe, field) in [
            ("livenessProbe", ContainerField::LivenessProbe),
            ("startupProbe", ContainerField::StartupProbe),
        ] {
            if let Some(p) = get_map(m, probe) {
                let pp = format!("{path}.{probe}");
                self.probe(p, &pp, slot(field), slot(field), slot(field), true);
            }
        }
        let readiness_probe = get_map(m, "readinessProbe").map(|p| {
            let rp = format!("{path}.readinessProbe");
            self.probe(
                p,
                &rp,
                slot(ContainerField::ReadinessProbe),
                slot(ContainerField::ReadinessProbeTimeout),
                slot(ContainerField::ReadinessProbeSuccessThreshold),
                false,
            );
            let period = get_int(p, "periodSeconds").unwrap_or(0);
            Probe {
                initial_delay_seconds: get_int(p, "initialDelaySeconds").unwrap_or(0),
                period_seconds: if period == 0 { 10 } else { period },
            }
        });
        if get_str(m, "restartPolicy").is_some() {
            let fp = format!("{path}.restartPolicy");
            self.cause(
                slot(ContainerField::RestartPolicy),
                validate::forbidden(&fp, "may not be set for non-init containers"),
            );
        }
        Container {
            name: get_str(m, "name").unwrap_or("").to_string(),
            image: image.to_string(),
            image_pull_policy,
            command: strings(get_seq(m, "command")),
            args: strings(get_seq(m, "args")),
            ports,
            readiness_probe,
        }
    }

    /// `validateHandler`: exactly one handler, and a valid one.
    fn handler(&mut self, m: &Map, path: &str, slot: Slot, kinds: &[&str]) {
        let present: Vec<&str> = kinds
            .iter()
            .copied()
            .filter(|k| get(m, k).is_some())
            .collect();
        let Some(first) = present.first() else {
            self.cause(
                slot,
                validate::required(path, "must specify a handler type"),
            );
            return;
        };
        let h = get_map(m, first).unwrap_or(&EMPTY);
        let hp = format!("{path}.{first}");
        match *first {
            "exec" if get_seq(h, "command").is_empty() => {
                self.cause(slot, validate::required(&format!("{hp}.command"), ""));
            }
            "httpGet" | "tcpSocket" => {
                let port = get(h, "port")
                    .and_then(int_or_string)
                    .unwrap_or(IntOrString::Int(0));
                self.port_num_or_name(&port, &format!("{hp}.port"), slot);
                if *first == "httpGet" {
                    if let Some(s) = get_str(h, "scheme").filter(|s| !s.is_empty()) {
                        if !matches!(s, "HTTP" | "HTTPS") {
                            self.cause(
                                slot,
                                validate::not_supported(
                                    &format!("{hp}.scheme"),
                                    BadValue::str(s),
                                    &["HTTP", "HTTPS"],
                                ),
                            );
                        }
                    }
                }
            }
            "grpc" => {
                let port = get_int(h, "port").unwrap_or(0);
                self.port_num_or_name(&IntOrString::Int(port), &format!("{hp}.port"), slot);
            }
            _ => {}
        }
        for other in present.iter().skip(1) {
            self.cause(
                slot,
                validate::forbidden(
                    &format!("{path}.{other}"),
                    "may not specify more than 1 handler type",
                ),
            );
        }
    }

    fn port_num_or_name(&mut self, port: &IntOrString, path: &str, slot: Slot) {
        match port {
            IntOrString::Int(n) => {
                for msg in validate::is_port_num(*n) {
                    self.cause(slot, validate::invalid(path, BadValue::Int(*n), &msg));
                }
            }
            IntOrString::Str(s) => {
                for msg in validate::is_port_name(s) {
                    self.cause(slot, validate::invalid(path, BadValue::str(s), &msg));
                }
            }
        }
    }

    /// `validateProbe` and its liveness / readiness / startup specifics. For readiness probes the
    /// delays svclab simulates are checked by [`validate`] from the model.
    fn probe(
        &mut self,
        m: &Map,
        path: &str,
        handler_slot: Slot,
        timeout_slot: Slot,
        rest_slot: Slot,
        not_readiness: bool,
    ) {
        self.handler(
            m,
            path,
            handler_slot,
            &["exec", "httpGet", "tcpSocket", "grpc"],
        );
        let nonneg = |conv: &mut Conv, field: &str, slot: Slot| {
            if let Some(v) = get_int(m, field).filter(|v| *v < 0) {
                conv.cause(
                    slot,
                    validate::invalid(
                        &format!("{path}.{field}"),
                        BadValue::Int(v),
                        validate_negative(),
                    ),
                );
            }
        };
        if not_readiness {
            nonneg(self, "initialDelaySeconds", handler_slot);
        }
        nonneg(self, "timeoutSeconds", timeout_slot);
        if not_readiness {
            nonneg(self, "periodSeconds", timeout_slot);
        }
        nonneg(self, "successThreshold", rest_slot);
        nonneg(self, "failureThreshold", rest_slot);
        if let Some(t) = get_int(m, "terminationGracePeriodSeconds") {
            let tp = format!("{path}.terminationGracePeriodSeconds");
            if t <= 0 {
                self.cause(
                    rest_slot,
                    validate::invalid(&tp, BadValue::Int(t), "must be greater than 0"),
                );
            }
            if !not_readiness {
                self.cause(
                    rest_slot,
                    validate::invalid(&tp, BadValue::Int(t), "must not be set for readinessProbes"),
                );
            }
        }
        if not_readiness {
            let s = get_int(m, "successThreshold")
                .filter(|s| *s != 0)
                .unwrap_or(1);
            if s != 1 {
                self.cause(
                    rest_slot,
                    validate::invalid(
                        &format!("{path}.successThreshold"),
                        BadValue::Int(s),
                        "must be 1",
                    ),
                );
            }
        }
    }
}

/// The `%#v` of an `intstr.IntOrString` value.
fn go_int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => format!("intstr.IntOrString{{Type:0, IntVal:{i}, StrVal:\"\"}}"),
        IntOrString::Str(s) => format!(
            "intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}",
            go_quote(s)
        ),
    }
}

/// `%#v` of a `metav1.LabelSelector` as written (operators that the model cannot hold included).
fn go_raw_selector(m: &Map) -> String {
    let exprs = get_seq(m, "matchExpressions");
    let exprs = if exprs.is_empty() {
        "[]v1.LabelSelectorRequirement(nil)".to_string()
    } else {
        let parts: Vec<String> = exprs
            .iter()
            .map(|e| {
                let e = as_map(e);
                format!(
                    "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                    go_quote(get_str(e, "key").unwrap_or("")),
                    go_quote(get_str(e, "operator").unwrap_or("")),
                    go_string_slice(&strings(get_seq(e, "values")))
                )
            })
            .collect();
        format!("[]v1.LabelSelectorRequirement{{{}}}", parts.join(", "))
    };
    format!(
        "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{exprs}}}",
        validate::go_string_map(&str_map(m, "matchLabels"))
    )
}

fn validate_negative() -> &'static str {
    "must be greater than or equal to 0"
}

fn is_percent(s: &str) -> bool {
    s.len() >= 2 && s.ends_with('%') && s[..s.len() - 1].chars().all(|c| c.is_ascii_digit())
}

fn int_or_percent_value(v: &IntOrString) -> i64 {
    match v {
        IntOrString::Int(i) => *i,
        IntOrString::Str(s) if is_percent(s) => s[..s.len() - 1].parse().unwrap_or(i64::MAX),
        IntOrString::Str(_) => 0,
    }
}
