//! Names as Kubernetes generates them: ReplicaSet pod-template hashes, random suffixes of pods and
//! EndpointSlices, and kube-proxy's chain names.

use sha2::{Digest, Sha256};

use crate::model::Protocol;
use crate::rng::Rng;

/// The alphabet of `utilrand.String` and `SafeEncodeString` (no vowels, no confusable digits).
pub const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A generated-name suffix: `generateName` appends five of these characters.
pub fn random_suffix(rng: &mut Rng) -> String {
    rng.string(ALPHANUMS, 5)
}

/// 32-bit FNV-1a.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for b in bytes {
        hash ^= *b as u32;
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// `rand.SafeEncodeString`: each character `c` becomes `ALPHANUMS[c % 27]`.
pub fn safe_encode(s: &str) -> String {
    s.bytes()
        .map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char)
        .collect()
}

/// The `pod-template-hash` of a canonical text of a pod template (see `Cluster`), as the
/// Deployment controller writes it: FNV-32a in decimal, safe-encoded.
pub fn pod_template_hash(canonical_template: &str) -> String {
    safe_encode(&fnv32a(canonical_template.as_bytes()).to_string())
}

/// [`pod_template_hash`] of `template`'s `Debug` text, hashed as it is written rather than
/// collected into a string first.
pub fn pod_template_hash_of(template: &impl std::fmt::Debug) -> String {
    struct Fnv(u32);
    impl std::fmt::Write for Fnv {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for b in s.bytes() {
                self.0 ^= b as u32;
                self.0 = self.0.wrapping_mul(0x0100_0193);
            }
            Ok(())
        }
    }
    let mut fnv = Fnv(fnv32a(b""));
    let _ = std::fmt::Write::write_fmt(&mut fnv, format_args!("{template:?}"));
    safe_encode(&fnv.0.to_string())
}

/// RFC 4648 base32 with the standard alphabet, no padding.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        buffer = (buffer << 8) | *b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn chain_hash(input: &str) -> String {
    let digest = Sha256::digest(input.as_bytes());
    base32(&digest)[..16].to_string()
}

/// kube-proxy's `ServicePortName`: `ns/name` or `ns/name:port`.
pub fn service_port_name(namespace: &str, name: &str, port_name: Option<&str>) -> String {
    match port_name {
        Some(p) if !p.is_empty() => format!("{namespace}/{name}:{p}"),
        _ => format!("{namespace}/{name}"),
    }
}

/// The hash part of `KUBE-SVC-`, `KUBE-SVL-`, `KUBE-EXT-` and `KUBE-FW-` chains.
pub fn service_chain_hash(spn: &str, protocol: Protocol) -> String {
    chain_hash(&format!("{spn}{}", protocol.lower()))
}

/// The hash part of a `KUBE-SEP-` chain, for endpoint `ip:port`.
pub fn endpoint_chain_hash(spn: &str, protocol: Protocol, endpoint: &str) -> String {
    chain_hash(&format!("{spn}{}{endpoint}", protocol.lower()))
}

/// The nftables proxier's `hashAndTruncate`: `HASH-name` with the first 8 characters of the
/// base32 SHA-256 of `name`, cut to 240 bytes (ending `...`) when longer.
pub fn nft_chain_base(name: &str) -> String {
    const MAX: usize = 256 - 16;
    let digest = Sha256::digest(name.as_bytes());
    let mut out = format!("{}-{name}", &base32(&digest)[..8]);
    if out.len() > MAX {
        let mut cut = MAX - 3;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("...");
    }
    out
}

/// The service account token volume the ServiceAccount admission plugin adds to every pod,
/// `kube-api-access-` and five characters that are random on a real cluster (here derived from
/// the pod's uid, so that the same pod always shows the same name).
pub fn api_access_volume(pod_uid: &str) -> String {
    let mut n = fnv32a(pod_uid.as_bytes()) as usize;
    let suffix: String = (0..5)
        .map(|_| {
            let c = ALPHANUMS[n % ALPHANUMS.len()] as char;
            n /= ALPHANUMS.len();
            c
        })
        .collect();
    format!("kube-api-access-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_names_match_the_worked_examples() {
        let svc = service_port_name("ns1", "svc1", None);
        assert_eq!(service_chain_hash(&svc, Protocol::Tcp), "AQI2S6QIMU7PVVRP");
        assert_eq!(
            endpoint_chain_hash(&svc, Protocol::Tcp, "10.0.1.1:80"),
            "3JOIVZTXZZRGORX4"
        );
        let api = service_port_name("default", "kubernetes", Some("https"));
        assert_eq!(service_chain_hash(&api, Protocol::Tcp), "NPX46M4PTMTKRN6Y");
        let dns = service_port_name("kube-system", "kube-dns", Some("dns"));
        assert_eq!(service_chain_hash(&dns, Protocol::Udp), "TCOU7JCQXEZGVUNU");
    }

    /// The chain names of kube-proxy's `TestOverallNFTablesRules` (kubernetes/kubernetes
    /// `pkg/proxy/nftables/proxier_test.go`).
    #[test]
    fn nftables_chain_names_match_upstreams_tests() {
        assert_eq!(
            nft_chain_base("ns1/svc1/tcp/p80"),
            "ULMVA6XW-ns1/svc1/tcp/p80"
        );
        assert_eq!(
            nft_chain_base("ns5/svc5/tcp/p80__10.180.0.3/80"),
            "GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80"
        );
        assert_eq!(
            nft_chain_base("default/kubernetes/tcp/https"),
            "2QRHZV4L-default/kubernetes/tcp/https"
        );
    }

    #[test]
    fn web_service_chains_match_the_saved_rules() {
        let spn = service_port_name("default", "web-service", None);
        assert_eq!(service_chain_hash(&spn, Protocol::Tcp), "SZGXCNNBZLC4E3DM");
        assert_eq!(
            endpoint_chain_hash(&spn, Protocol::Tcp, "10.244.1.10:80"),
            "LJSFUGXYHK6BOCVT"
        );
        assert_eq!(
            endpoint_chain_hash(&spn, Protocol::Tcp, "10.244.1.11:80"),
            "V64CEIOABZ4EVXRD"
        );
        assert_eq!(
            endpoint_chain_hash(&spn, Protocol::Tcp, "10.244.1.9:80"),
            "5B6VHRE3J4X6IDTW"
        );
    }

    #[test]
    fn template_hash_uses_only_the_safe_digits() {
        assert_eq!(safe_encode("0123456789"), "456789bcdf");
        let h = pod_template_hash("app=backend nginx 80");
        assert_eq!(
            pod_template_hash_of(&vec![1, 2]),
            pod_template_hash("[1, 2]")
        );
        assert!(!h.is_empty() && h.len() <= 10);
        assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
    }
}
