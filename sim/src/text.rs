//! Addresses and numbers written the way `Display` writes them, without going through the
//! formatter once per octet: every hop of every request spells out a few of them, in texts joined
//! with `concat` rather than `format!`.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};

/// `10.96.0.10`, as `Ipv4Addr`'s `Display` writes it (width and precision are not supported).
#[derive(Clone, Copy)]
pub(crate) struct Ip(pub Ipv4Addr);

/// Append the decimal digits of `n`.
fn push_num(buf: &mut [u8; 24], len: &mut usize, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &digits[i..] {
        buf[*len] = *d;
        *len += 1;
    }
}

fn write_ip(buf: &mut [u8; 24], len: &mut usize, ip: Ipv4Addr) {
    for (i, octet) in ip.octets().into_iter().enumerate() {
        if i > 0 {
            buf[*len] = b'.';
            *len += 1;
        }
        if octet >= 100 {
            buf[*len] = b'0' + octet / 100;
            *len += 1;
        }
        if octet >= 10 {
            buf[*len] = b'0' + octet / 10 % 10;
            *len += 1;
        }
        buf[*len] = b'0' + octet % 10;
        *len += 1;
    }
}

/// A number or an address spelled out on the stack, to be joined into a text with `concat`.
pub(crate) struct Short {
    buf: [u8; 24],
    len: usize,
}

impl Short {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, dots and colons are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// `ip` in dotted decimal.
pub(crate) fn ip(ip: Ipv4Addr) -> Short {
    let mut s = Short {
        buf: [0; 24],
        len: 0,
    };
    write_ip(&mut s.buf, &mut s.len, ip);
    s
}

/// `ip:port`.
pub(crate) fn sock(addr: SocketAddrV4) -> Short {
    let mut s = ip(*addr.ip());
    s.buf[s.len] = b':';
    s.len += 1;
    push_num(&mut s.buf, &mut s.len, addr.port().into());
    s
}

/// `n` in decimal.
pub(crate) fn num(n: impl Into<u32>) -> Short {
    let mut s = Short {
        buf: [0; 24],
        len: 0,
    };
    push_num(&mut s.buf, &mut s.len, n.into());
    s
}

/// The pieces of several lists joined into one string, allocated once at its exact size.
pub(crate) fn join(lists: &[&[&str]]) -> String {
    let pieces = || lists.iter().flat_map(|list| list.iter());
    let mut out = String::with_capacity(pieces().map(|p| p.len()).sum());
    for piece in pieces() {
        out.push_str(piece);
    }
    out
}

impl fmt::Display for Ip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ip(self.0).as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_lists_of_pieces() {
        assert_eq!(join(&[&["a", "b"], &[], &["c"]]), "abc");
        assert_eq!(join(&[]), "");
    }

    #[test]
    fn writes_what_display_writes() {
        for ip in [
            Ipv4Addr::new(0, 0, 0, 0),
            Ipv4Addr::new(10, 96, 0, 10),
            Ipv4Addr::new(255, 255, 255, 255),
            Ipv4Addr::new(172, 18, 0, 1),
        ] {
            assert_eq!(Ip(ip).to_string(), ip.to_string());
            assert_eq!(super::ip(ip).as_str(), ip.to_string());
            for port in [0, 53, 8080, 65535] {
                let s = SocketAddrV4::new(ip, port);
                assert_eq!(sock(s).as_str(), s.to_string());
                assert_eq!(num(port).as_str(), port.to_string());
            }
        }
    }
}
