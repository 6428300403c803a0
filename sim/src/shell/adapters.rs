//! Sending a request through the action log. `Action::Send` logs the request for replay but
//! returns its trace id only as text, so [`send`] reads the id off the newest trace; a typed
//! result from `Cluster::act` would make this module unnecessary.

use crate::action::Action;
use crate::cluster::Cluster;
use crate::trace::Request;

/// Send a request through the action log (so replays repeat it); returns its trace id.
pub(crate) fn send(cluster: &mut Cluster, request: Request) -> Result<u64, String> {
    let before = cluster.traces.last().map(|t| t.id);
    cluster.act(Action::Send { request })?;
    match cluster.traces.last().map(|t| t.id) {
        Some(id) if Some(id) != before => Ok(id),
        _ => Err("svclab: the request left no trace".to_string()),
    }
}
