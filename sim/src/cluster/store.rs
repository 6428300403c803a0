//! The object store's bookkeeping: uids for new objects and ids for new traces, how many objects
//! there are, and finding a pod by key and uid (a timer set for one pod must not act on a
//! namesake).

use crate::model::*;

use super::Cluster;

impl Cluster {
    /// The id of a new trace: 1, 2, 3, ... in the order requests are sent.
    pub(crate) fn new_trace_id(&mut self) -> u64 {
        let id = self.next_trace_id;
        self.next_trace_id += 1;
        id
    }

    pub(super) fn new_uid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        uid_text(a, b)
    }

    pub(super) fn object_count(&self) -> usize {
        self.namespaces.len()
            + self.deployments.len()
            + self.replica_sets.len()
            + self.pods.len()
            + self.services.len()
            + self.network_policies.len()
            + self.written_slices.len()
            + self.written_endpoints.len()
    }

    pub(super) fn live_pod(&mut self, key: &ObjectKey, uid: &str) -> Option<&mut Pod> {
        self.pods.get_mut(key).filter(|p| p.meta.uid == uid)
    }
}

/// `{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}` of parts of `a` and `b` (a version-4 UUID), written
/// without the formatter: every object the cluster creates gets one.
pub(super) fn uid_text(a: u64, b: u64) -> String {
    let mut uid = *b"00000000-0000-4000-0000-000000000000";
    for (value, at, digits) in [
        (a >> 32, 0, 8),
        ((a >> 16) & 0xffff, 9, 4),
        (a & 0x0fff, 15, 3),
        (0x8000 | (b >> 48) & 0x3fff, 19, 4),
        (b & 0xffff_ffff_ffff, 24, 12),
    ] {
        for i in 0..digits {
            let nibble = (value >> (4 * (digits - 1 - i))) & 0xf;
            uid[at + i] = b"0123456789abcdef"[nibble as usize];
        }
    }
    String::from_utf8_lossy(&uid).into_owned()
}

pub(super) fn key_of(meta: &ObjectMeta) -> ObjectKey {
    ObjectKey::new(&meta.namespace, &meta.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn uid_text_is_the_formatted_uuid() {
        let mut rng = Rng::new(9);
        for _ in 0..1000 {
            let (a, b) = (rng.next_u64(), rng.next_u64());
            let formatted = format!(
                "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0x0fff,
                0x8000 | (b >> 48) & 0x3fff,
                b & 0xffff_ffff_ffff
            );
            assert_eq!(uid_text(a, b), formatted);
        }
        assert_eq!(uid_text(0, 0), "00000000-0000-4000-8000-000000000000");
        assert_eq!(
            uid_text(u64::MAX, u64::MAX),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
    }
}
