//! The endpoint-slice and endpoints controllers, run over the whole world: [`crate::endpoints`]
//! computes each Service's slices (and mirrors hand-written Endpoints into slices); this keeps
//! their names and tells kube-proxy when they change.

use crate::{endpoints, names};

use super::store::key_of;
use super::Cluster;

/// The label that keeps an Endpoints object out of the mirroring controller.
const SKIP_MIRROR: &str = "endpointslice.kubernetes.io/skip-mirror";

impl Cluster {
    pub(super) fn sync_endpoints(&mut self) {
        // What was written by hand (or by the API server) stays as written.
        let mut slices = self.written_slices.clone();
        let mut endpoints = self.written_endpoints.clone();
        // The EndpointSlice mirroring controller: the Endpoints of a Service without a selector
        // become slices of its own (kubernetes/kubernetes
        // `pkg/controller/endpointslicemirroring/`, v1.31: it skips Services with a selector
        // and Endpoints labelled `endpointslice.kubernetes.io/skip-mirror: "true"`).
        for (key, e) in &self.written_endpoints {
            let Some(svc) = self.services.get(key) else {
                continue;
            };
            if svc.spec.selector.is_some()
                || e.meta.labels.get(SKIP_MIRROR).map(String::as_str) == Some("true")
            {
                continue;
            }
            let mut names = self.slice_names.remove(key).unwrap_or_default();
            let rng = &mut self.rng;
            let made = endpoints::mirror(e, &mut names, || {
                format!("{}-{}", e.meta.name, names::random_suffix(rng))
            });
            if !names.is_empty() {
                self.slice_names.insert(key.clone(), names);
            }
            for s in made {
                slices.insert(key_of(&s.meta), s);
            }
        }
        let index = endpoints::PodIndex::new(&self.pods, self.services.values());
        for svc in self.services.values() {
            // A Service without a selector has no controller slices (its names belong to the
            // mirrored ones).
            if svc.spec.selector.is_none() {
                continue;
            }
            let key = svc.key();
            // The names are taken and put back in place (a Service left without slices keeps
            // an empty list until the end): a remove and an insert in the middle of the sorted
            // vector would each move every Service after it.
            let kept = self.slice_names.get_mut(&key);
            let mut slice_names = kept.map(std::mem::take).unwrap_or_default();
            let rng = &mut self.rng;
            let made = endpoints::slices_for(svc, &index, &mut slice_names, || {
                format!("{}-{}", svc.meta.name, names::random_suffix(rng))
            });
            if !slice_names.is_empty() {
                match self.slice_names.get_mut(&key) {
                    Some(names) => *names = slice_names,
                    None => {
                        self.slice_names.insert(key.clone(), slice_names);
                    }
                }
            }
            for s in made {
                slices.insert(key_of(&s.meta), s);
            }
            if let Some(e) = endpoints::endpoints_for(svc, &index) {
                endpoints.insert(key, e);
            }
        }
        self.slice_names.retain(|_, names| !names.is_empty());
        if slices != self.endpoint_slices || endpoints != self.endpoints {
            self.endpoint_slices = slices;
            self.endpoints = endpoints;
            self.proxy.invalidate();
            // kube-proxy picks a backend when a connection opens: requests still resolving a
            // name whose planned backend stopped serving pick again among the new endpoints.
            self.reroute_unsent();
        }
    }
}
