//! What the app starts with, as sim [`Action`]s: the busybox `test` client of the lesson
//! (`kubectl run -it test --image=busybox --restart=Never -- sh`) and its
//! `wget -qO- http://backend-service`, the request builder's default.

use svclab_sim::action::Action;
use svclab_sim::model::ObjectKey;
use svclab_sim::trace::{Client, Request, Tool};

pub use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};

/// The client pod's namespace and name.
pub const CLIENT_NAMESPACE: &str = "default";
pub const CLIENT_NAME: &str = "test";
/// The URL the request builder starts with.
pub const REQUEST_URL: &str = "http://backend-service";

/// `kubectl run test --image=busybox --restart=Never -- sh`, done once at boot.
pub fn run_client() -> Action {
    Action::Run {
        namespace: CLIENT_NAMESPACE.into(),
        name: CLIENT_NAME.into(),
        image: "busybox".into(),
        command: vec!["sh".into()],
    }
}

/// `wget -qO- http://backend-service` from the `test` pod.
pub fn request() -> Request {
    Request {
        payload: String::new(),
        client: Client::Pod(ObjectKey::new(CLIENT_NAMESPACE, CLIENT_NAME)),
        tool: Tool::Wget,
        target: REQUEST_URL.into(),
    }
}
