//! What the container runtime reports about images and containers: the fully qualified image
//! reference, a stand-in image digest and stable container ids.

use std::fmt::Write as _;

pub(crate) fn hex_digest(seed: &str, len: usize) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(seed.as_bytes());
    let mut s = String::new();
    for b in d.iter() {
        let _ = write!(s, "{b:02x}");
    }
    s.truncate(len);
    s
}

/// `containerd://<64 hex>`, stable per pod and container.
pub(crate) fn container_id(uid: &str, container: &str) -> String {
    format!(
        "containerd://{}",
        hex_digest(&format!("{uid}/{container}"), 64)
    )
}

/// `docker.io/library/nginx@sha256:<64 hex>`: a stand-in digest (svclab pulls no images).
pub(crate) fn image_id(image: &str) -> String {
    let full = full_image(image);
    let repo = full.rsplit_once(':').map_or(full.as_str(), |(r, _)| r);
    format!("{repo}@sha256:{}", hex_digest(image, 64))
}

/// The image as the kubelet reports it: `docker.io/library/nginx:latest`.
pub(crate) fn full_image(image: &str) -> String {
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n.to_string(), format!(":{t}")),
        _ => (image.to_string(), ":latest".to_string()),
    };
    let first = name.split('/').next().unwrap_or("");
    let qualified = if !name.contains('/') {
        format!("docker.io/library/{name}")
    } else if first.contains('.') || first.contains(':') || first == "localhost" {
        name
    } else {
        format!("docker.io/{name}")
    };
    format!("{qualified}{tag}")
}
