//! `--field-selector`: the API server's field selectors, as `kubectl get` sends them. The text is
//! parsed as apimachinery's `fields.ParseSelector` parses it (`key=value`, `key==value`,
//! `key!=value`, comma-joined), and each key must be one the resource's field label conversion
//! accepts (kubernetes/kubernetes `pkg/apis/core/v1/conversion.go`, v1.31: every kind takes
//! `metadata.name` and, when namespaced, `metadata.namespace`; pods add `spec.nodeName`,
//! `spec.restartPolicy`, `spec.schedulerName`, `spec.serviceAccountName`, `spec.hostNetwork`,
//! `status.phase`, `status.podIP`, `status.nominatedNodeName`; nodes `spec.unschedulable`;
//! namespaces `status.phase`). Anything else is the server's `field label not supported`.

use crate::resource::Kind;

use super::get::Item;

/// One `key=value` or `key!=value` term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldTerm {
    pub field: String,
    pub value: String,
    pub equal: bool,
}

/// A parsed `--field-selector`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldSelector {
    pub text: String,
    pub terms: Vec<FieldTerm>,
}

impl FieldSelector {
    /// `fields.ParseSelector`: `invalid selector: '<text>'; can't understand '<part>'` for a
    /// term without an operator (apimachinery `pkg/fields/selector.go`, `parseSelector`).
    pub fn parse(text: &str) -> Result<FieldSelector, String> {
        let mut terms = Vec::new();
        for part in text.split(',') {
            if part.is_empty() {
                continue;
            }
            let (field, value, equal) = if let Some((k, v)) = part.split_once("!=") {
                (k, v, false)
            } else if let Some((k, v)) = part.split_once("==") {
                (k, v, true)
            } else if let Some((k, v)) = part.split_once('=') {
                (k, v, true)
            } else {
                return Err(format!(
                    "invalid selector: '{text}'; can't understand '{part}'"
                ));
            };
            terms.push(FieldTerm {
                field: field.to_string(),
                value: value.to_string(),
                equal,
            });
        }
        Ok(FieldSelector {
            text: text.to_string(),
            terms,
        })
    }

    /// The first field the API server does not accept for `kind`.
    pub fn unsupported(&self, kind: Kind) -> Option<&str> {
        self.terms
            .iter()
            .map(|t| t.field.as_str())
            .find(|f| !supported(kind, f))
    }

    pub fn matches(&self, item: &Item) -> bool {
        self.terms.iter().all(|t| {
            let value = field_value(item, &t.field).unwrap_or_default();
            (value == t.value) == t.equal
        })
    }
}

fn supported(kind: Kind, field: &str) -> bool {
    match field {
        "metadata.name" => true,
        "metadata.namespace" => kind.namespaced(),
        _ => match kind {
            Kind::Pod => matches!(
                field,
                "spec.nodeName"
                    | "spec.host"
                    | "spec.restartPolicy"
                    | "spec.schedulerName"
                    | "spec.serviceAccountName"
                    | "spec.hostNetwork"
                    | "status.phase"
                    | "status.podIP"
                    | "status.podIPs"
                    | "status.nominatedNodeName"
            ),
            Kind::Node => field == "spec.unschedulable",
            Kind::Namespace => field == "status.phase",
            _ => false,
        },
    }
}

/// What a field holds on one object, as the API server's field set for its kind has it.
fn field_value(item: &Item, field: &str) -> Option<String> {
    match field {
        "metadata.name" => return Some(item.name()),
        "metadata.namespace" => return Some(item.namespace()),
        _ => {}
    }
    match item {
        Item::Pod(p) => Some(match field {
            "spec.nodeName" | "spec.host" => p.spec.node_name.clone().unwrap_or_default(),
            "spec.restartPolicy" => p
                .spec
                .restart_policy
                .clone()
                .unwrap_or_else(|| "Always".into()),
            "spec.schedulerName" => "default-scheduler".into(),
            "spec.serviceAccountName" => p.spec.service_account_name().into(),
            "spec.hostNetwork" => p.spec.host_network.to_string(),
            "status.phase" => p.status.phase.as_str().into(),
            "status.podIP" | "status.podIPs" => {
                p.status.pod_ip.map(|ip| ip.to_string()).unwrap_or_default()
            }
            _ => String::new(),
        }),
        Item::Node(_) if field == "spec.unschedulable" => Some("false".into()),
        Item::Namespace(_) if field == "status.phase" => Some("Active".into()),
        _ => None,
    }
}

/// kubectl's wrapping of the server's error for a list with selectors
/// (`staging/src/k8s.io/cli-runtime/pkg/resource/selector.go`): `Unable to find "<gvr>" that
/// match label selector "<l>", field selector "<f>": <message>`.
pub(crate) fn list_error(kind: Kind, labels: &str, fields: &str, message: &str) -> String {
    let api_version = kind.api_version();
    let group_version = if api_version.contains('/') {
        api_version.to_string()
    } else {
        format!("/{api_version}")
    };
    format!(
        "Error from server (BadRequest): Unable to find \"{group_version}, Resource={}\" that match label selector \"{labels}\", field selector \"{fields}\": {message}",
        kind.resource_type().plural
    )
}
