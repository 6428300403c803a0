//! Address and port allocators, as the API server and the CNI plugin run them.
//!
//! - Service cluster IPs: a random offset in the upper band of the Service CIDR, scanning forward
//!   with wrap-around; the lowest addresses are kept for `spec.clusterIP` set by hand.
//! - NodePorts: the same scheme over 30000-32767.
//! - Pod IPs: host-local IPAM on each node, handing out addresses in order and not reusing a freed
//!   one until the range wraps (so a replaced pod gets a new IP).
//! - LoadBalancer IPs: the first free address of a pool (MetalLB-style), or none.

use crate::map::SortedSet;
use std::net::Ipv4Addr;

use crate::rng::Rng;

/// A range of integers with a static band at the bottom, like the API server's bitmap allocators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeAllocator {
    base: u32,
    size: u32,
    static_band: u32,
    used: SortedSet<u32>,
}

impl RangeAllocator {
    fn new(base: u32, size: u32, static_band: u32) -> Self {
        RangeAllocator {
            base,
            size,
            static_band,
            used: SortedSet::new(),
        }
    }

    pub fn contains(&self, value: u32) -> bool {
        value >= self.base && value - self.base < self.size
    }

    pub fn is_used(&self, value: u32) -> bool {
        self.used.contains(&value)
    }

    /// Reserve a specific value (`spec.clusterIP`, `nodePort`). `Err` says why not.
    pub fn allocate(&mut self, value: u32) -> Result<(), AllocError> {
        if !self.contains(value) {
            return Err(AllocError::OutOfRange);
        }
        if !self.used.insert(value) {
            return Err(AllocError::AlreadyAllocated);
        }
        Ok(())
    }

    /// A random free value from the dynamic band, then from the static band when that is full.
    pub fn allocate_next(&mut self, rng: &mut Rng) -> Option<u32> {
        let dynamic = self.size - self.static_band;
        let pick = |lo: u32, len: u32, rng: &mut Rng, used: &SortedSet<u32>, base: u32| {
            if len == 0 {
                return None;
            }
            let start = rng.below(len as u64) as u32;
            (0..len)
                .map(|i| base + lo + (start + i) % len)
                .find(|v| !used.contains(v))
        };
        let value = pick(self.static_band, dynamic, rng, &self.used, self.base)
            .or_else(|| pick(0, self.static_band, rng, &self.used, self.base))?;
        self.used.insert(value);
        Some(value)
    }

    pub fn release(&mut self, value: u32) {
        self.used.remove(&value);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocError {
    OutOfRange,
    AlreadyAllocated,
}

pub const SERVICE_CIDR: &str = "10.96.0.0/12";
pub const NODE_PORT_RANGE: &str = "30000-32767";

/// Cluster IPs from 10.96.0.0/12: offsets count from 10.96.0.1 (network and broadcast excluded).
pub fn service_ip_allocator() -> RangeAllocator {
    let size = (1u32 << 20) - 2;
    RangeAllocator::new(
        u32::from(Ipv4Addr::new(10, 96, 0, 1)),
        size,
        (size / 16).clamp(16, 256),
    )
}

/// NodePorts from 30000-32767.
pub fn node_port_allocator() -> RangeAllocator {
    let size = 32767 - 30000 + 1;
    RangeAllocator::new(30000, size, (size / 32).clamp(16, 128))
}

/// One node's host-local pod IP range, `10.244.N.0/24`, handing out .2 to .254 in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodIpRange {
    net: [u8; 3],
    next: u8,
    /// Host octets in use. `u32` rather than `u8` so that it shares its `SortedSet` code with
    /// [`RangeAllocator`] (one instantiation less in the wasm).
    used: SortedSet<u32>,
}

impl PodIpRange {
    pub fn new(third_octet: u8) -> Self {
        PodIpRange {
            net: [10, 244, third_octet],
            next: 2,
            used: SortedSet::new(),
        }
    }

    pub fn allocate(&mut self) -> Option<Ipv4Addr> {
        for i in 0..253u16 {
            let host = 2 + ((self.next as u16 - 2 + i) % 253) as u8;
            if self.used.insert(u32::from(host)) {
                self.next = if host == 254 { 2 } else { host + 1 };
                let [a, b, c] = self.net;
                return Some(Ipv4Addr::new(a, b, c, host));
            }
        }
        None
    }

    pub fn release(&mut self, ip: Ipv4Addr) {
        let o = ip.octets();
        if o[..3] == self.net {
            self.used.remove(&u32::from(o[3]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_cluster_ips_avoid_the_static_band_and_repeat_with_the_seed() {
        let mut a = service_ip_allocator();
        let mut rng = Rng::new(42);
        let first = a.allocate_next(&mut rng).unwrap();
        assert!(
            first >= u32::from(Ipv4Addr::new(10, 96, 1, 1)),
            "{}",
            Ipv4Addr::from(first)
        );
        assert!(a.contains(first));
        let mut b = service_ip_allocator();
        assert_eq!(b.allocate_next(&mut Rng::new(42)), Some(first));
    }

    #[test]
    fn static_ips_conflict_once_taken() {
        let mut a = service_ip_allocator();
        let dns = u32::from(Ipv4Addr::new(10, 96, 0, 10));
        assert_eq!(a.allocate(dns), Ok(()));
        assert_eq!(a.allocate(dns), Err(AllocError::AlreadyAllocated));
        assert_eq!(
            a.allocate(u32::from(Ipv4Addr::new(10, 0, 0, 1))),
            Err(AllocError::OutOfRange)
        );
        a.release(dns);
        assert_eq!(a.allocate(dns), Ok(()));
    }

    #[test]
    fn node_ports_use_the_upper_band_and_fill_the_range() {
        let mut a = node_port_allocator();
        let mut rng = Rng::new(3);
        let p = a.allocate_next(&mut rng).unwrap();
        assert!((30086..=32767).contains(&p), "{p}");
        for _ in 1..2768 {
            assert!(a.allocate_next(&mut rng).is_some());
        }
        assert_eq!(a.allocate_next(&mut rng), None);
    }

    #[test]
    fn pod_ips_are_handed_out_in_order_and_not_reused_at_once() {
        let mut r = PodIpRange::new(1);
        let a = r.allocate().unwrap();
        let b = r.allocate().unwrap();
        assert_eq!(
            (a, b),
            (Ipv4Addr::new(10, 244, 1, 2), Ipv4Addr::new(10, 244, 1, 3))
        );
        r.release(a);
        assert_eq!(r.allocate(), Some(Ipv4Addr::new(10, 244, 1, 4)));
        for _ in 0..251 {
            r.allocate();
        }
        assert_eq!(r.allocate(), None);
    }
}
