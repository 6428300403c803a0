//! "Did you mean": the closest Service name to a name asked, and the pods whose labels come
//! closest to a selector.

use crate::model::{Labels, ObjectKey, Pod};

/// Levenshtein distance between two names (in characters), bounded: names longer than 253
/// characters (a DNS name's limit) are compared on their first 253.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(253).collect();
    let b: Vec<char> = b.chars().take(253).collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(ca != cb);
            row[j + 1] = (diagonal + cost).min(above + 1).min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Close enough to be a typo: at most a third of the longer name, and at most 3 edits.
pub(super) fn close(a: &str, b: &str) -> bool {
    let d = edit_distance(a, b);
    d > 0 && d <= 3 && d * 3 <= a.chars().count().max(b.chars().count())
}

/// How near `labels` come to `selector`: two points per pair present exactly, one per pair whose
/// key or value is a typo away.
fn score(selector: &Labels, labels: &Labels) -> usize {
    selector
        .iter()
        .map(|(k, v)| match labels.get(k) {
            Some(have) if have == v => 2,
            Some(have) if close(have, v) => 1,
            _ => usize::from(
                labels
                    .iter()
                    .any(|(lk, lv)| close(lk, k) && (lv == v || close(lv, v))),
            ),
        })
        .sum()
}

/// The pods (of `pods`) whose labels come closest to `selector`, one per distinct label set
/// (replicas of one Deployment share theirs), best first, at most `max`. Pods that come nowhere
/// near are still listed when nothing does better, so the learner sees what labels there are.
pub(super) fn nearest_pods<'a>(
    selector: &Labels,
    pods: impl IntoIterator<Item = &'a Pod>,
    max: usize,
) -> Vec<(ObjectKey, Labels)> {
    let mut scored: Vec<(usize, ObjectKey, Labels)> = Vec::new();
    for pod in pods {
        let mut labels = pod.meta.labels.clone();
        labels.remove("pod-template-hash");
        if scored.iter().any(|(_, _, l)| *l == labels) {
            continue;
        }
        scored.push((score(selector, &labels), pod.key(), labels));
    }
    // Stable: equal scores keep the pods' (namespace, name) order.
    crate::sort::sort_by(&mut scored, |a, b| b.0.cmp(&a.0));
    scored
        .into_iter()
        .take(max)
        .map(|(_, key, labels)| (key, labels))
        .collect()
}

/// `selector` rewritten to what the nearest labels say (`app=backnd` → `app=backend`): each
/// pair the labels lack, taken from the label a typo away.
pub(super) fn corrected(selector: &Labels, labels: &Labels) -> Labels {
    selector
        .iter()
        .map(|(k, v)| {
            if labels.get(k) == Some(v) {
                return (k.clone(), v.clone());
            }
            if let Some(have) = labels.get(k) {
                return (k.clone(), have.clone());
            }
            labels
                .iter()
                .find(|(lk, lv)| close(lk, k) && (*lv == v || close(lv, v)))
                .map_or((k.clone(), v.clone()), |(lk, lv)| (lk.clone(), lv.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        for (a, b, want) in [
            ("backend", "backend", 0),
            ("backend", "backnd", 1),
            ("backend-service", "backend-servcie", 2),
            ("", "abc", 3),
            ("web", "api", 3),
        ] {
            assert_eq!(edit_distance(a, b), want, "{a} vs {b}");
            assert_eq!(edit_distance(b, a), want, "{b} vs {a}");
        }
        assert!(close("backend", "backnd"));
        assert!(!close("web", "api"));
        assert!(!close("backend", "backend"));
    }

    #[test]
    fn the_nearest_labels_come_first_and_correct_the_selector() {
        let labels = |pairs: &[(&str, &str)]| -> Labels {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let pod = |name: &str, l: Labels| Pod {
            meta: crate::model::ObjectMeta {
                name: name.into(),
                namespace: "default".into(),
                labels: l,
                ..Default::default()
            },
            ..Default::default()
        };
        let selector = labels(&[("app", "backnd")]);
        let pods = [
            pod("test", labels(&[("run", "test")])),
            pod(
                "backend-1",
                labels(&[("app", "backend"), ("pod-template-hash", "abc")]),
            ),
            pod(
                "backend-2",
                labels(&[("app", "backend"), ("pod-template-hash", "abc")]),
            ),
        ];
        let near = nearest_pods(&selector, &pods, 3);
        assert_eq!(near.len(), 2, "one row per label set: {near:?}");
        assert_eq!(near[0].0.name, "backend-1");
        assert_eq!(near[0].1, labels(&[("app", "backend")]));
        assert_eq!(
            corrected(&selector, &near[0].1),
            labels(&[("app", "backend")])
        );
    }
}
