//! The Kubernetes release svclab models, and the versions that come with it. Everything
//! version-dependent (`kubectl version`, node and component images, `kubectl get nodes`, the
//! kube-proxy and CoreDNS logs) reads these constants, so moving to a newer release is one edit
//! here plus the texts that changed upstream.
//!
//! Sources: kind v0.32.0's default node image (kubernetes-sigs/kind
//! `pkg/apis/config/defaults/image.go`), its kindnetd image (`pkg/build/nodeimage/const_cni.go`),
//! its storage provisioner (`pkg/build/nodeimage/const_storage.go`);
//! kubectl `pkg/cmd/version/version.go` at `kubernetes-1.36.1` for Kustomize; kubeadm's image
//! list for v1.36 (`cmd/kubeadm/app/constants/constants.go`) for CoreDNS and etcd.

/// The Kubernetes release: `kubectl version`, every node's kubelet and kube-proxy, the control
/// plane's images.
pub const KUBERNETES: &str = "v1.36.1";
/// The Kustomize version `kubectl version` reports.
pub const KUSTOMIZE: &str = "v5.8.1";
/// The kind release whose default node image runs that Kubernetes.
pub const KIND: &str = "v0.32.0";
/// The Go toolchain `kind version` names.
pub const KIND_GO: &str = "go1.26.3";
/// The node image every kind node runs.
pub const KIND_NODE_IMAGE: &str = "kindest/node:v1.36.1";
/// kind's CNI daemon.
pub const KINDNETD_IMAGE: &str = "docker.io/kindest/kindnetd:v20260528-9350166c";
/// kind's default storage provisioner and the helper image its volume pods run
/// (`pkg/build/nodeimage/const_storage.go`); the node image ships both.
pub const LOCAL_PATH_PROVISIONER_IMAGE: &str =
    "docker.io/kindest/local-path-provisioner:v20260521-9fb22683";
pub const LOCAL_PATH_HELPER_IMAGE: &str = "docker.io/kindest/local-path-helper:v20260131-7181c60a";
/// The node image's OS (kind's base image is `debian:trixie-slim`, `images/base/Dockerfile`).
pub const NODE_OS: &str = "Debian GNU/Linux 13 (trixie)";
/// The container runtime kind's base image builds (`CONTAINERD_VERSION`).
pub const CONTAINERD: &str = "containerd://2.3.1";
/// Debian trixie's iptables (the nf_tables variant kube-proxy and kindnetd use).
pub const IPTABLES: &str = "v1.8.11";
/// Debian trixie's nftables (`nft --version`).
pub const NFTABLES: &str = "v1.1.3";
/// The CoreDNS release kubeadm deploys (`CoreDNSVersion`), without the `v`.
pub const COREDNS: &str = "1.14.2";
/// The Go release and commit CoreDNS's binary names at startup (coredns/coredns at `v1.14.2`:
/// `.go-version`, the tag's commit).
pub const COREDNS_GO: &str = "go1.26.1";
pub const COREDNS_COMMIT: &str = "dd1df4f";
/// kubeadm's etcd image tag.
pub const ETCD: &str = "3.6.8-0";

/// A control-plane image of this release, `registry.k8s.io/<component>:v1.36.1`.
pub fn component_image(component: &str) -> String {
    format!("registry.k8s.io/{component}:{KUBERNETES}")
}

/// The CoreDNS image kubeadm deploys.
pub fn coredns_image() -> String {
    format!("registry.k8s.io/coredns/coredns:v{COREDNS}")
}

/// `major.minor` of [`KUBERNETES`], `1.36`.
pub fn minor() -> &'static str {
    let v = KUBERNETES.trim_start_matches('v');
    match v.match_indices('.').nth(1) {
        Some((i, _)) => &v[..i],
        None => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_follow_the_release() {
        assert_eq!(
            component_image("kube-proxy"),
            "registry.k8s.io/kube-proxy:v1.36.1"
        );
        assert_eq!(coredns_image(), "registry.k8s.io/coredns/coredns:v1.14.2");
        assert_eq!(minor(), "1.36");
        assert!(KIND_NODE_IMAGE.ends_with(KUBERNETES));
    }
}
