//! The bytes of a share link before compression: varints, length-prefixed strings, and each
//! logged action as a tag and its fields. Reading never trusts a length: every read is bounded
//! by the bytes that are there.

use crate::action::{Action, SteadyTraffic};
use crate::cluster::LoggedAction;
use crate::kube_proxy::ProxyMode;
use crate::model::ObjectKey;
use crate::resource;
use crate::trace::{Client, Request, Tool};

pub fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub fn read_varint(input: &[u8], at: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let byte = *input.get(*at)?;
        *at += 1;
        v |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// Writes fields in order.
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    pub fn int(&mut self, v: u64) {
        write_varint(&mut self.0, v);
    }

    /// A signed integer, zigzag-encoded.
    pub fn signed(&mut self, v: i64) {
        self.int(((v << 1) ^ (v >> 63)) as u64);
    }

    pub fn str(&mut self, s: &str) {
        self.int(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    pub fn option<T>(&mut self, v: &Option<T>, each: impl FnOnce(&mut Self, &T)) {
        match v {
            None => self.int(0),
            Some(v) => {
                self.int(1);
                each(self, v);
            }
        }
    }

    pub fn action(&mut self, logged: &LoggedAction) {
        self.int(logged.time);
        match &logged.action {
            Action::Apply { manifest } => {
                self.int(0);
                self.str(manifest);
            }
            Action::ApplyEach { manifest } => {
                self.int(12);
                self.str(manifest);
            }
            Action::Delete {
                kind,
                namespace,
                name,
            } => {
                self.int(1);
                self.str(kind.plural());
                self.str(namespace);
                self.str(name);
            }
            Action::Scale {
                namespace,
                deployment,
                replicas,
            } => {
                self.int(2);
                self.str(namespace);
                self.str(deployment);
                self.signed(*replicas);
            }
            Action::SetImage {
                namespace,
                deployment,
                images,
            } => {
                self.int(3);
                self.str(namespace);
                self.str(deployment);
                self.int(images.len() as u64);
                for (container, image) in images {
                    self.str(container);
                    self.str(image);
                }
            }
            Action::RolloutUndo {
                namespace,
                deployment,
                to_revision,
            } => {
                self.int(4);
                self.str(namespace);
                self.str(deployment);
                self.option(to_revision, |w, r| w.signed(*r));
            }
            Action::DeletePod { namespace, pod } => {
                self.int(5);
                self.str(namespace);
                self.str(pod);
            }
            Action::FailReadiness {
                namespace,
                pod,
                fail,
            } => {
                self.int(6);
                self.str(namespace);
                self.str(pod);
                self.int(u64::from(*fail));
            }
            Action::Label {
                namespace,
                pod,
                key,
                value,
            } => {
                self.int(7);
                self.str(namespace);
                self.str(pod);
                self.str(key);
                self.option(value, |w, v| w.str(v));
            }
            Action::BreakCoreDns { broken } => {
                self.int(8);
                self.int(u64::from(*broken));
            }
            Action::SetProxyMode { mode } => {
                self.int(9);
                self.str(mode.as_str());
            }
            Action::Run {
                namespace,
                name,
                image,
                command,
            } => {
                self.int(10);
                self.str(namespace);
                self.str(name);
                self.str(image);
                self.int(command.len() as u64);
                for word in command {
                    self.str(word);
                }
            }
            Action::Send { request } => {
                self.int(11);
                self.request(request);
            }
            Action::SetTraffic { traffic } => {
                self.int(13);
                match traffic {
                    None => self.int(0),
                    Some(t) => {
                        self.int(1);
                        self.int(t.interval);
                        self.request(&t.request);
                    }
                }
            }
        }
    }

    fn request(&mut self, request: &Request) {
        match &request.client {
            Client::Pod(key) => {
                self.int(0);
                self.str(&key.namespace);
                self.str(&key.name);
            }
            Client::External => self.int(1),
            Client::Node(node) => {
                self.int(2);
                self.str(node);
            }
        }
        self.int(match request.tool {
            Tool::Curl => 0,
            Tool::Wget => 1,
            Tool::Nslookup => 2,
            Tool::NcUdp => 3,
        });
        self.str(&request.target);
        // Only nc sends a payload, so links of the other tools keep their bytes.
        if request.tool == Tool::NcUdp {
            self.str(&request.payload);
        }
    }
}

/// Reads fields in the order [`Writer`] wrote them; `None` as soon as anything is off.
pub struct Reader<'a> {
    input: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Reader { input, at: 0 }
    }

    pub fn done(&self) -> bool {
        self.at == self.input.len()
    }

    pub fn int(&mut self) -> Option<u64> {
        read_varint(self.input, &mut self.at)
    }

    pub fn signed(&mut self) -> Option<i64> {
        let v = self.int()?;
        Some(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    /// A count of items that each take at least one byte: never more than the bytes left.
    pub fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.int()?).ok()?;
        (n <= self.input.len() - self.at).then_some(n)
    }

    pub fn bool(&mut self) -> Option<bool> {
        match self.int()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    pub fn str(&mut self) -> Option<String> {
        let n = self.count()?;
        let bytes = self.input.get(self.at..self.at + n)?;
        self.at += n;
        String::from_utf8(bytes.to_vec()).ok()
    }

    pub fn option<T>(&mut self, each: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.int()? {
            0 => Some(None),
            1 => each(self).map(Some),
            _ => None,
        }
    }

    pub fn action(&mut self) -> Option<LoggedAction> {
        let time = self.int()?;
        let action = match self.int()? {
            0 => Action::Apply {
                manifest: self.str()?,
            },
            1 => Action::Delete {
                kind: resource::by_name(&self.str()?)?.simulated?,
                namespace: self.str()?,
                name: self.str()?,
            },
            2 => Action::Scale {
                namespace: self.str()?,
                deployment: self.str()?,
                replicas: self.signed()?,
            },
            3 => {
                let namespace = self.str()?;
                let deployment = self.str()?;
                let n = self.count()?;
                let images = (0..n)
                    .map(|_| Some((self.str()?, self.str()?)))
                    .collect::<Option<Vec<_>>>()?;
                Action::SetImage {
                    namespace,
                    deployment,
                    images,
                }
            }
            4 => Action::RolloutUndo {
                namespace: self.str()?,
                deployment: self.str()?,
                to_revision: self.option(Reader::signed)?,
            },
            5 => Action::DeletePod {
                namespace: self.str()?,
                pod: self.str()?,
            },
            6 => Action::FailReadiness {
                namespace: self.str()?,
                pod: self.str()?,
                fail: self.bool()?,
            },
            7 => Action::Label {
                namespace: self.str()?,
                pod: self.str()?,
                key: self.str()?,
                value: self.option(Reader::str)?,
            },
            8 => Action::BreakCoreDns {
                broken: self.bool()?,
            },
            9 => {
                let mode = self.str()?;
                Action::SetProxyMode {
                    mode: ProxyMode::parse(&mode)?,
                }
            }
            10 => {
                let namespace = self.str()?;
                let name = self.str()?;
                let image = self.str()?;
                let n = self.count()?;
                let command = (0..n).map(|_| self.str()).collect::<Option<Vec<_>>>()?;
                Action::Run {
                    namespace,
                    name,
                    image,
                    command,
                }
            }
            11 => Action::Send {
                request: self.request()?,
            },
            12 => Action::ApplyEach {
                manifest: self.str()?,
            },
            13 => Action::SetTraffic {
                traffic: match self.int()? {
                    0 => None,
                    1 => Some(SteadyTraffic {
                        interval: self.int()?,
                        request: self.request()?,
                    }),
                    _ => return None,
                },
            },
            _ => return None,
        };
        Some(LoggedAction { time, action })
    }

    fn request(&mut self) -> Option<Request> {
        let client = match self.int()? {
            0 => {
                let namespace = self.str()?;
                let name = self.str()?;
                Client::Pod(ObjectKey { namespace, name })
            }
            1 => Client::External,
            2 => Client::Node(self.str()?),
            _ => return None,
        };
        let tool = match self.int()? {
            0 => Tool::Curl,
            1 => Tool::Wget,
            2 => Tool::Nslookup,
            3 => Tool::NcUdp,
            _ => return None,
        };
        let target = self.str()?;
        let payload = if tool == Tool::NcUdp {
            self.str()?
        } else {
            String::new()
        };
        Some(Request {
            client,
            tool,
            target,
            payload,
        })
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 with the URL-safe alphabet and no padding, so the text sits in a URL fragment as is.
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 3);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

pub fn from_base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let digits = text
        .bytes()
        .map(|c| ALPHABET.iter().position(|&a| a == c).map(|p| p as u32))
        .collect::<Option<Vec<u32>>>()?;
    for chunk in digits.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &d)| acc | d << (18 - 6 * i));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
        // A short last chunk's unused low bits must be zero, so each text has one meaning
        // and a changed last character is caught.
        let k = chunk.len() as u32;
        let unused = ((1u32 << (32 - 8 * k)) - 1) & !((1u32 << (24 - 6 * k)) - 1);
        if n & unused != 0 {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 200) as u8).collect();
            let text = base64url(&bytes);
            assert!(text
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
            assert_eq!(from_base64url(&text).unwrap(), bytes);
        }
        assert_eq!(base64url(b"svc"), "c3Zj");
        assert_eq!(from_base64url("c3Z!"), None);
    }

    #[test]
    fn varints_and_zigzag_round_trip() {
        let mut w = Writer::default();
        for v in [0, 1, 127, 128, 300, u64::MAX] {
            w.int(v);
        }
        for v in [0, -1, 1, i64::MIN, i64::MAX] {
            w.signed(v);
        }
        let mut r = Reader::new(&w.0);
        for v in [0, 1, 127, 128, 300, u64::MAX] {
            assert_eq!(r.int(), Some(v));
        }
        for v in [0, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(r.signed(), Some(v));
        }
        assert!(r.done());
        assert_eq!(r.int(), None);
    }
}
