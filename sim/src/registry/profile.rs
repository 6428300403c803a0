//! What an image's process does once it runs: the ports it listens on, what it answers over
//! HTTP, what it logs, how it takes SIGTERM, and the shell and tools inside it. One row per image
//! in [`PROFILES`]; an image not listed gets [`ImageProfile::DEFAULT`].

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::time::Time;

/// The facts about one image that the network, the kubelet, `kubectl logs` and the pod's shell
/// read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageProfile {
    /// The repository's last path component ([`image_name`]): `nginx`, `curl`, `coredns`.
    pub name: &'static str,
    /// TCP ports the process listens on whether or not the pod spec declares them.
    pub tcp: &'static [u16],
    /// UDP ports the process listens on whether or not the pod spec declares them.
    pub udp: &'static [u16],
    /// What it answers to `GET /`.
    pub http: HttpReply,
    /// What it answers to a UDP datagram on a port it listens on.
    pub udp_reply: UdpReply,
    /// The first argument its servers need: agnhost runs `pause` (listening nowhere) unless its
    /// pod gives it `netexec`. `None` for images whose default command serves.
    pub serves_with: Option<&'static str>,
    /// Its readiness endpoint, port and path (CoreDNS's `ready` plugin: `8181`, `/ready`).
    pub ready: Option<(u16, &'static str)>,
    /// What it writes to stdout, for `kubectl logs`.
    pub log: Log,
    /// Its default command is a shell: `kubectl run -it` without a command gets one, and the
    /// shell as PID 1 ignores SIGTERM, so a deleted pod stays until its grace period ends.
    pub shell_entrypoint: bool,
    /// The shell `sh` starts, and the applets beside it.
    pub shell: Shell,
    /// `bash` is installed.
    pub bash: bool,
    /// `curl` is installed.
    pub curl: bool,
    /// The prompt of its `sh` (`bash` prints `root@<pod>:/# ` in every image).
    pub prompt: &'static str,
    /// The user its processes run as.
    pub user: &'static User,
}

/// What an image's process answers to `GET /`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpReply {
    /// nginx's default page, [`NGINX_WELCOME`].
    NginxWelcome,
    /// hashicorp/http-echo: its `-text=` argument (default `hello-world`) and a newline.
    Echo,
    /// The pod's hostname and addresses, as whoami-style echo servers answer.
    Whoami,
    /// agnhost netexec's `/`: `NOW: ` and Go's `time.Now()` as its `String()` prints it.
    NetexecNow,
}

/// What an image's process answers to a UDP datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UdpReply {
    /// It sends the datagram back (svclab's assumption for a server it knows nothing about).
    Echo,
    /// It reads and drops it: CoreDNS answers only DNS messages, and miekg/dns (its server)
    /// does not answer a datagram too short for a DNS header ("let client hang").
    Silent,
    /// agnhost netexec's UDP server: `hostname`, `echo TEXT` and `clientip`, read trimmed and
    /// lowercased; anything else is logged and not answered.
    Netexec,
}

impl UdpReply {
    /// The answer to `datagram` from the pod `hostname`, sent by `client` (the source address
    /// the pod sees, after any SNAT); `None` when nothing comes back.
    pub fn answer(self, datagram: &str, hostname: &str, client: SocketAddrV4) -> Option<String> {
        match self {
            UdpReply::Echo => Some(datagram.to_string()),
            UdpReply::Silent => None,
            UdpReply::Netexec => {
                let text = datagram.trim().to_lowercase();
                if text == "hostname" {
                    Some(hostname.to_string())
                } else if let Some(rest) = text.strip_prefix("echo ") {
                    Some(rest.to_string())
                } else if text == "clientip" {
                    Some(client.to_string())
                } else {
                    None
                }
            }
        }
    }
}

/// What an image's process writes to stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    Nothing,
    /// CoreDNS's startup lines ([`crate::dns::coredns_startup_log`]).
    CoreDns,
    /// kube-proxy's startup lines in klog format, for the mode it runs in.
    KubeProxy,
    /// The entrypoint's lines, then one access-log line per request answered.
    Nginx,
    /// kindnetd's startup lines.
    Kindnetd,
}

/// The shell an image's `sh` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    /// No shell at all (a distroless image): `kubectl exec ... sh` fails.
    None,
    /// busybox `ash`, with busybox's applets (`wget`, `nslookup`, `ip`, `ping`, `nc`, `ps`, ...).
    Busybox,
    /// Debian's `dash`, without busybox's applets.
    Dash,
}

/// The user an image's processes run as.
#[derive(Debug, PartialEq, Eq)]
pub struct User {
    pub name: &'static str,
    pub home: &'static str,
    /// What `id` prints.
    pub id: &'static str,
}

const ROOT: User = User {
    name: "root",
    home: "/root",
    id: "uid=0(root) gid=0(root) groups=0(root),10(wheel)",
};

const CURL_USER: User = User {
    name: "curl_user",
    home: "/home/curl_user",
    id: "uid=100(curl_user) gid=101(curl_group) groups=101(curl_group)",
};

impl ImageProfile {
    /// An image svclab knows nothing particular about: a Debian-based server answering like
    /// whoami, on the ports its pod spec declares.
    pub const DEFAULT: ImageProfile = ImageProfile {
        name: "",
        tcp: &[],
        udp: &[],
        http: HttpReply::Whoami,
        udp_reply: UdpReply::Echo,
        serves_with: None,
        ready: None,
        log: Log::Nothing,
        shell_entrypoint: false,
        shell: Shell::Dash,
        bash: true,
        curl: false,
        prompt: "# ",
        user: &ROOT,
    };

    /// The TCP ports its process opens when started with `args`, whatever the pod spec
    /// declares (see [`ImageProfile::udp_ports`]).
    pub fn tcp_ports(&self, args: &[String]) -> Vec<u16> {
        self.opened(args, self.tcp, "--http-port=")
    }

    /// The UDP ports its process opens when started with `args`: none when it needs a first
    /// argument it was not given; agnhost netexec's `--udp-port=` (and `--http-port=` for TCP)
    /// moves its port (-1 for none).
    pub fn udp_ports(&self, args: &[String]) -> Vec<u16> {
        self.opened(args, self.udp, "--udp-port=")
    }

    fn opened(&self, args: &[String], ports: &[u16], flag: &str) -> Vec<u16> {
        let Some(first) = self.serves_with else {
            return ports.to_vec();
        };
        if args.first().map(String::as_str) != Some(first) {
            return Vec::new();
        }
        match args.iter().rev().find_map(|a| a.strip_prefix(flag)) {
            Some(port) => port.parse::<u16>().ok().into_iter().collect(),
            None => ports.to_vec(),
        }
    }

    /// The profile of the image `image` names (any registry, tag or digest).
    pub fn of(image: &str) -> &'static ImageProfile {
        let name = image_name(image);
        PROFILES
            .iter()
            .find(|p| p.name == name)
            .unwrap_or(&ImageProfile::DEFAULT)
    }
}

impl HttpReply {
    /// The body of the answer to `GET /` from a container started with `args` at `started`, in
    /// the pod `hostname` with address `pod_ip`, at `now`.
    pub fn body(
        self,
        args: &[String],
        hostname: &str,
        pod_ip: Option<Ipv4Addr>,
        now: Time,
        started: Time,
    ) -> String {
        match self {
            HttpReply::NetexecNow => ["NOW: ", &crate::clock::go_now(now, started)].concat(),
            HttpReply::NginxWelcome => NGINX_WELCOME.to_string(),
            HttpReply::Echo => {
                let text = args.iter().find_map(|a| a.strip_prefix("-text="));
                format!("{}\n", text.unwrap_or("hello-world"))
            }
            HttpReply::Whoami => format!(
                "Hostname: {hostname}\nIP: 127.0.0.1\nIP: {}\n",
                pod_ip.map_or(String::new(), |ip| ip.to_string())
            ),
        }
    }
}

/// The repository's last path component, without registry, tag or digest:
/// `docker.io/library/nginx:1.27` → `nginx`.
pub fn image_name(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or("");
    let last = no_digest.rsplit('/').next().unwrap_or("");
    last.split(':').next().unwrap_or("")
}

/// A busybox-based image whose default command is `sh`.
const BUSYBOX_SHELL: ImageProfile = ImageProfile {
    shell_entrypoint: true,
    shell: Shell::Busybox,
    bash: false,
    prompt: "/ # ",
    ..ImageProfile::DEFAULT
};

/// A Debian-based image whose default command is `bash`.
const DEBIAN_SHELL: ImageProfile = ImageProfile {
    shell_entrypoint: true,
    ..ImageProfile::DEFAULT
};

/// A distroless image: no shell, no tools.
const DISTROLESS: ImageProfile = ImageProfile {
    shell: Shell::None,
    bash: false,
    prompt: "",
    ..ImageProfile::DEFAULT
};

/// The images whose process differs from [`ImageProfile::DEFAULT`].
pub const PROFILES: &[ImageProfile] = &[
    ImageProfile {
        name: "nginx",
        tcp: &[80],
        http: HttpReply::NginxWelcome,
        log: Log::Nginx,
        curl: true,
        ..ImageProfile::DEFAULT
    },
    ImageProfile {
        name: "http-echo",
        http: HttpReply::Echo,
        ..DISTROLESS
    },
    ImageProfile {
        name: "busybox",
        ..BUSYBOX_SHELL
    },
    ImageProfile {
        name: "alpine",
        ..BUSYBOX_SHELL
    },
    ImageProfile {
        name: "curl",
        curl: true,
        prompt: "~ $ ",
        user: &CURL_USER,
        ..BUSYBOX_SHELL
    },
    ImageProfile {
        name: "netshoot",
        bash: true,
        curl: true,
        prompt: "~ # ",
        ..BUSYBOX_SHELL
    },
    ImageProfile {
        name: "dnsutils",
        shell_entrypoint: false,
        ..BUSYBOX_SHELL
    },
    ImageProfile {
        name: "ubuntu",
        ..DEBIAN_SHELL
    },
    ImageProfile {
        name: "debian",
        ..DEBIAN_SHELL
    },
    // registry.k8s.io/e2e-test-images/agnhost (alpine, with curl, bash and netcat-openbsd):
    // `netexec`, as Kubernetes' own Service tests run it, serves HTTP on 8080 and UDP on 8081
    // (test/images/agnhost/netexec/netexec.go); without arguments it runs `pause`.
    ImageProfile {
        name: "agnhost",
        tcp: &[8080],
        udp: &[8081],
        http: HttpReply::NetexecNow,
        udp_reply: UdpReply::Netexec,
        serves_with: Some("netexec"),
        shell_entrypoint: false,
        bash: true,
        curl: true,
        ..BUSYBOX_SHELL
    },
    ImageProfile {
        name: "coredns",
        tcp: &[53],
        udp: &[53],
        udp_reply: UdpReply::Silent,
        ready: Some((8181, "/ready")),
        log: Log::CoreDns,
        ..DISTROLESS
    },
    ImageProfile {
        name: "kube-proxy",
        log: Log::KubeProxy,
        ..DISTROLESS
    },
    ImageProfile {
        name: "kindnetd",
        log: Log::Kindnetd,
        ..ImageProfile::DEFAULT
    },
    // kind's build of rancher's provisioner on `gcr.io/distroless/static-debian13`
    // (kubernetes-sigs/kind `images/local-path-provisioner/Dockerfile`, v0.32.0); it serves
    // nothing, it watches the API server.
    ImageProfile {
        name: "local-path-provisioner",
        ..DISTROLESS
    },
    ImageProfile {
        name: "pause",
        ..DISTROLESS
    },
    ImageProfile {
        name: "etcd",
        ..DISTROLESS
    },
    ImageProfile {
        name: "kube-apiserver",
        ..DISTROLESS
    },
    ImageProfile {
        name: "kube-scheduler",
        ..DISTROLESS
    },
    ImageProfile {
        name: "kube-controller-manager",
        ..DISTROLESS
    },
];

/// nginx's default `index.html`, as the official image serves it.
pub const NGINX_WELCOME: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_is_found_from_any_reference_to_the_image() {
        for image in [
            "nginx",
            "nginx:1.27-alpine",
            "docker.io/library/nginx:latest",
            "nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
        ] {
            assert_eq!(ImageProfile::of(image).name, "nginx", "{image}");
        }
        assert_eq!(ImageProfile::of("curlimages/curl:8.11.1").name, "curl");
        assert_eq!(
            ImageProfile::of("registry.k8s.io/coredns/coredns:v1.11.3").name,
            "coredns"
        );
        assert_eq!(
            ImageProfile::of("localhost:5000/shop/api:v1"),
            &ImageProfile::DEFAULT
        );
        assert_eq!(ImageProfile::of(""), &ImageProfile::DEFAULT);
    }

    #[test]
    fn each_image_has_its_facts() {
        let images = [
            "nginx",
            "busybox",
            "alpine",
            "curlimages/curl",
            "nicolaka/netshoot",
            "dnsutils",
            "ubuntu",
            "debian",
            "hashicorp/http-echo",
            "coredns/coredns",
            "kube-proxy",
            "pause",
            "kindest/kindnetd",
            "kindest/local-path-provisioner",
            "httpd",
        ];
        let mut table = String::new();
        for image in images {
            let p = ImageProfile::of(image);
            let word = |on: bool, w: &'static str| if on { w } else { "-" };
            let line = format!(
                "{image:<20} tcp={:<5} udp={:<5} {:<8} {:<4} {:<4} {:<5} {:<7} {}",
                format!("{:?}", p.tcp),
                format!("{:?}", p.udp),
                format!("{:?}", p.shell),
                word(p.bash, "bash"),
                word(p.curl, "curl"),
                word(p.shell_entrypoint, "entry"),
                format!("{:?}", p.prompt),
                p.user.name,
            );
            table.push_str(line.trim_end());
            table.push('\n');
        }
        assert_eq!(
            table,
            "\
nginx                tcp=[80]  udp=[]    Dash     bash curl -     \"# \"    root
busybox              tcp=[]    udp=[]    Busybox  -    -    entry \"/ # \"  root
alpine               tcp=[]    udp=[]    Busybox  -    -    entry \"/ # \"  root
curlimages/curl      tcp=[]    udp=[]    Busybox  -    curl entry \"~ $ \"  curl_user
nicolaka/netshoot    tcp=[]    udp=[]    Busybox  bash curl entry \"~ # \"  root
dnsutils             tcp=[]    udp=[]    Busybox  -    -    -     \"/ # \"  root
ubuntu               tcp=[]    udp=[]    Dash     bash -    entry \"# \"    root
debian               tcp=[]    udp=[]    Dash     bash -    entry \"# \"    root
hashicorp/http-echo  tcp=[]    udp=[]    None     -    -    -     \"\"      root
coredns/coredns      tcp=[53]  udp=[53]  None     -    -    -     \"\"      root
kube-proxy           tcp=[]    udp=[]    None     -    -    -     \"\"      root
pause                tcp=[]    udp=[]    None     -    -    -     \"\"      root
kindest/kindnetd     tcp=[]    udp=[]    Dash     bash -    -     \"# \"    root
kindest/local-path-provisioner tcp=[]    udp=[]    None     -    -    -     \"\"      root
httpd                tcp=[]    udp=[]    Dash     bash -    -     \"# \"    root
"
        );
        assert_eq!(ImageProfile::of("coredns").ready, Some((8181, "/ready")));
        assert_eq!(ImageProfile::of("curl").user.home, "/home/curl_user");
        assert_eq!(ImageProfile::of("busybox").user.home, "/root");
    }

    #[test]
    fn each_image_logs_its_own_lines() {
        let log = |image| ImageProfile::of(image).log;
        assert_eq!(log("nginx:1.27"), Log::Nginx);
        assert_eq!(log("registry.k8s.io/coredns/coredns:v1.11.3"), Log::CoreDns);
        assert_eq!(log("registry.k8s.io/kube-proxy:v1.31.0"), Log::KubeProxy);
        assert_eq!(
            log("docker.io/kindest/kindnetd:v20240813-c6f155d6"),
            Log::Kindnetd
        );
        assert_eq!(log("busybox"), Log::Nothing);
    }

    #[test]
    fn http_replies_are_what_the_image_serves() {
        let ip = Some(Ipv4Addr::new(10, 244, 1, 5));
        let http = |image| ImageProfile::of(image).http;
        assert_eq!(http("nginx").body(&[], "web-1", ip, 0, 0), NGINX_WELCOME);
        assert!(NGINX_WELCOME.contains("<title>Welcome to nginx!</title>"));
        let args = ["-listen=:5678".to_string(), "-text=apple".to_string()];
        assert_eq!(
            http("hashicorp/http-echo").body(&args, "echo", ip, 0, 0),
            "apple\n"
        );
        assert_eq!(
            http("http-echo").body(&[], "echo", ip, 0, 0),
            "hello-world\n"
        );
        assert_eq!(
            http("traefik/whoami").body(&[], "web-1", ip, 0, 0),
            "Hostname: web-1\nIP: 127.0.0.1\nIP: 10.244.1.5\n"
        );
        assert_eq!(
            http("some/unknown-image").body(&[], "web-1", None, 0, 0),
            "Hostname: web-1\nIP: 127.0.0.1\nIP: \n"
        );
        // agnhost netexec's `/`: Go's time.Now().String(), the process started 3 s earlier.
        assert_eq!(
            http("registry.k8s.io/e2e-test-images/agnhost:2.53").body(
                &[],
                "web-1",
                ip,
                5_500,
                2_500
            ),
            "NOW: 2026-11-28 00:00:05.5 +0000 UTC m=+3.000000000"
        );
    }

    #[test]
    fn agnhost_serves_only_as_netexec_and_answers_its_udp_commands() {
        let agnhost = ImageProfile::of("registry.k8s.io/e2e-test-images/agnhost:2.53");
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Its default command is `pause`: no servers.
        assert!(agnhost.udp_ports(&[]).is_empty());
        assert_eq!(agnhost.udp_ports(&args(&["netexec"])), vec![8081]);
        assert_eq!(agnhost.tcp_ports(&args(&["netexec"])), vec![8080]);
        assert_eq!(
            agnhost.udp_ports(&args(&["netexec", "--udp-port=5353"])),
            vec![5353]
        );
        assert!(agnhost
            .udp_ports(&args(&["netexec", "--udp-port=-1"]))
            .is_empty());
        let client: SocketAddrV4 = "10.244.1.7:40000".parse().unwrap();
        let answer = |text| agnhost.udp_reply.answer(text, "netexec-abc", client);
        assert_eq!(answer("hostname\n").as_deref(), Some("netexec-abc"));
        assert_eq!(answer("ECHO Hello World\n").as_deref(), Some("hello world"));
        assert_eq!(answer("clientip").as_deref(), Some("10.244.1.7:40000"));
        assert_eq!(answer("hi\n"), None);
        let coredns = ImageProfile::of("registry.k8s.io/coredns/coredns:v1.12.1");
        assert_eq!(
            coredns.udp_reply.answer("hostname\n", "coredns", client),
            None
        );
        assert_eq!(
            ImageProfile::DEFAULT
                .udp_reply
                .answer("ping\n", "x", client)
                .as_deref(),
            Some("ping\n")
        );
    }
}
