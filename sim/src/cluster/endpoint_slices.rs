//! The endpoint-slice and endpoints controllers, run over the whole world: [`crate::endpoints`]
//! computes each Service's slices; this keeps their names and tells kube-proxy when they change.

use crate::map::SortedMap;
use crate::model::*;
use crate::{endpoints, names};

use super::store::key_of;
use super::Cluster;

impl Cluster {
    pub(super) fn sync_endpoints(&mut self) {
        let mut slices = SortedMap::new();
        let mut endpoints = SortedMap::new();
        // Selector-less Services keep what was written by hand (the API server's `kubernetes`).
        for (k, s) in &self.endpoint_slices {
            if let Some(svc) = self.services.get(&ObjectKey::new(&k.namespace, &s.service)) {
                if svc.spec.selector.is_none() {
                    slices.insert(k.clone(), s.clone());
                    if let Some(e) = self.endpoints.get(&svc.key()) {
                        endpoints.insert(svc.key(), e.clone());
                    }
                }
            }
        }
        let index = endpoints::PodIndex::new(&self.pods);
        for svc in self.services.values() {
            let key = svc.key();
            let mut slice_names = self.slice_names.remove(&key).unwrap_or_default();
            let rng = &mut self.rng;
            let made = endpoints::slices_for(svc, &index, &mut slice_names, || {
                format!("{}-{}", svc.meta.name, names::random_suffix(rng))
            });
            if !slice_names.is_empty() {
                self.slice_names.insert(key.clone(), slice_names);
            }
            for s in made {
                slices.insert(key_of(&s.meta), s);
            }
            if let Some(e) = endpoints::endpoints_for(svc, &index) {
                endpoints.insert(key, e);
            }
        }
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
