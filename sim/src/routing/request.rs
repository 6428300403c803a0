//! The request step: the target a client names (`curl http://web:8080/`), the TCP connection to
//! the resolved address, and what the client prints for each way it ends.

use std::net::Ipv4Addr;

use crate::model::{ObjectKey, Protocol};
use crate::registry::ImageProfile;
use crate::time::Time;
use crate::trace::{Outcome, Packet, PacketKind, Tool};

use super::{Delivery, Journey, Router, Sender, TCP_CONNECT_TIMEOUT};

/// The parsed target of a request.
pub(super) struct Target {
    pub(super) host: String,
    pub(super) port: u16,
}

pub(super) fn parse_target(tool: Tool, target: &str) -> Result<Target, String> {
    let t = target.trim();
    let (scheme_port, rest) = if let Some(r) = t.strip_prefix("http://") {
        (80, r)
    } else if let Some(r) = t.strip_prefix("https://") {
        (443, r)
    } else if t.contains("://") {
        let scheme = t.split("://").next().unwrap_or("");
        return Err(match tool {
            Tool::Curl => format!("curl: (1) Protocol \"{scheme}\" not supported"),
            _ => format!("wget: not an http or ftp url: {t}"),
        });
    } else {
        (80, t)
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => match p.parse::<u16>() {
            Ok(p) if p > 0 => (h, p),
            _ => {
                return Err(match tool {
                    Tool::Curl => "curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535".to_string(),
                    _ => format!("wget: bad port spec '{p}'"),
                })
            }
        },
        None => (authority, scheme_port),
    };
    if host.is_empty() || host.len() > 253 {
        return Err(match tool {
            Tool::Curl => "curl: (3) URL rejected: No host part in the URL".to_string(),
            _ => format!("wget: bad address '{host}'"),
        });
    }
    Ok(Target {
        host: host.to_string(),
        port,
    })
}

/// nc's `HOST PORT` (a port by number: svclab has no /etc/services).
pub(super) fn parse_nc_target(target: &str) -> Result<Target, String> {
    let mut words = target.split_whitespace();
    let (Some(host), Some(port), None) = (words.next(), words.next(), words.next()) else {
        return Err("Usage: nc [OPTIONS] HOST PORT  - connect".to_string());
    };
    match port.parse::<u16>() {
        Ok(port) if port > 0 => Ok(Target {
            host: host.to_string(),
            port,
        }),
        _ => Err(format!("nc: bad port '{port}'")),
    }
}

impl Router<'_> {
    /// The connection to `ip` (the name already resolved) and its answer, from `j.t`; `started`
    /// is when the client ran the command.
    pub(super) fn request_phase(
        &mut self,
        sender: &Sender,
        tool: Tool,
        target: &Target,
        ip: Ipv4Addr,
        j: &mut Journey,
        started: Time,
    ) -> (Outcome, String) {
        let sport = self.ephemeral_port();
        let packet = Packet::new((sender.ip, sport), (ip, target.port), Protocol::Tcp);
        let delivery = self.connect(sender, packet, PacketKind::Request, j);
        let elapsed = j.t.saturating_sub(started);
        match delivery {
            Delivery::Answered { backend } => {
                let body = self.http_body(&backend, j.t);
                (Outcome::Http { pod: backend, status: 200 }, body)
            }
            Delivery::Refused => (
                Outcome::ConnectionRefused,
                match tool {
                    Tool::Curl => format!(
                        "curl: (7) Failed to connect to {} port {} after {} ms: Couldn't connect to server",
                        target.host, target.port, elapsed.max(1)
                    ),
                    _ => format!("wget: can't connect to remote host ({ip}): Connection refused"),
                },
            ),
            // Only a datagram goes unanswered; a TCP connection that is never answered timed out.
            Delivery::Dropped | Delivery::Unanswered { .. } => (
                Outcome::Timeout,
                match tool {
                    Tool::Curl => format!(
                        "curl: (28) Failed to connect to {} port {} after {} ms: Couldn't connect to server",
                        target.host,
                        target.port,
                        TCP_CONNECT_TIMEOUT
                    ),
                    _ => format!("wget: can't connect to remote host ({ip}): Connection timed out"),
                },
            ),
            Delivery::Unreachable => (
                Outcome::HostUnreachable,
                match tool {
                    Tool::Curl => format!(
                        "curl: (7) Failed to connect to {} port {} after {} ms: Could not connect to server",
                        target.host, target.port, elapsed.max(1)
                    ),
                    _ => format!("wget: can't connect to remote host ({ip}): No route to host"),
                },
            ),
        }
    }

    pub(super) fn ephemeral_port(&mut self) -> u16 {
        32768 + self.rng.below(60999 - 32768 + 1) as u16
    }

    /// What the backend's container answers on `GET /` at `now`.
    fn http_body(&self, backend: &ObjectKey, now: Time) -> String {
        let Some(pod) = self.world.pods.get(backend) else {
            return String::new();
        };
        let Some(c) = pod.spec.containers.first() else {
            return String::new();
        };
        ImageProfile::of(&c.image).http.body(
            &c.args,
            &pod.meta.name,
            pod.status.pod_ip,
            now,
            pod.status.start_time.unwrap_or(now),
        )
    }

    /// busybox `nc -u -w1 HOST PORT` with `payload` on its stdin: the datagram sent to `ip`
    /// (the name already resolved), and what nc prints: the answer, or nothing at all. UDP
    /// has no handshake, so an ICMP error (port or host unreachable) only ends nc's read,
    /// silently without `-vv`, and a lost datagram is a second of `-w1` silence.
    pub(super) fn datagram_phase(
        &mut self,
        sender: &Sender,
        target: &Target,
        ip: Ipv4Addr,
        payload: &str,
        j: &mut Journey,
    ) -> (Outcome, String) {
        let sport = self.ephemeral_port();
        let packet = Packet::new((sender.ip, sport), (ip, target.port), Protocol::Udp);
        j.datagram = Some(payload.to_string());
        let delivery = self.connect(sender, packet, PacketKind::Request, j);
        match delivery {
            Delivery::Answered { backend } => {
                let answer = j.answer.take().unwrap_or_default();
                (
                    Outcome::Datagram {
                        pod: backend,
                        answered: true,
                    },
                    answer,
                )
            }
            Delivery::Unanswered { backend } => (
                Outcome::Datagram {
                    pod: backend,
                    answered: false,
                },
                String::new(),
            ),
            Delivery::Refused => (Outcome::ConnectionRefused, String::new()),
            Delivery::Dropped => (Outcome::Timeout, String::new()),
            Delivery::Unreachable => (Outcome::HostUnreachable, String::new()),
        }
    }
}
