//! The image registries the simulated nodes pull from: which images exist, and how big they are.
//!
//! A kind node pulls from Docker Hub, registry.k8s.io and a few other public registries. svclab
//! cannot ask them, so it carries a small catalogue: the images a Services lesson, a tutorial or
//! a learner's experiment plausibly names, each with the tags it has. A reference to anything
//! else fails the way containerd reports it: a repository nobody can see ("pull access denied"),
//! a tag that is not there ("not found"), a registry host that does not resolve. That is what a
//! typo in `image:` does to a real cluster, and what `ErrImagePull` / `ImagePullBackOff` teach.
//!
//! What an image's process does once it runs is its [`ImageProfile`].

mod profile;

pub use profile::{
    image_name, HttpReply, ImageProfile, Log, Shell, UdpReply, User, NGINX_WELCOME, PROFILES,
};

/// A repository: its name as containerd normalises it, the size the kubelet reports for a pull
/// (bytes), and its tags.
///
/// Tags are space-separated words: a literal (`alpine`, `20`), or a version range `1.19-29` —
/// the minor versions 1.19 to 1.29, each also with a patch number up to [`MAX_PATCH`]
/// (`1.27.3`).
/// Each listed suffix may follow a version (`1.27-alpine`, `1.27.3-alpine`).
struct Repo {
    name: &'static str,
    size: u64,
    tags: &'static str,
    suffixes: &'static str,
}

/// The highest patch release a version range admits (`1.27.0` ... `1.27.99`): lenient rather
/// than refuse a release that exists.
const MAX_PATCH: u32 = 99;

const REPOS: &[Repo] = &[
    Repo {
        name: "docker.io/library/nginx",
        size: 72_099_501,
        tags: "latest stable mainline alpine alpine-slim alpine-perl perl bookworm \
               stable-alpine mainline-alpine 1.19-29",
        suffixes: "-alpine -alpine-slim -alpine-perl -perl -bookworm",
    },
    Repo {
        name: "docker.io/library/busybox",
        size: 2_155_116,
        tags: "latest stable musl glibc uclibc 1.31-37",
        suffixes: "-musl -glibc -uclibc",
    },
    Repo {
        name: "docker.io/library/httpd",
        size: 58_213_104,
        tags: "latest alpine bookworm 2.4-4",
        suffixes: "-alpine -bookworm",
    },
    Repo {
        name: "docker.io/library/alpine",
        size: 3_623_807,
        tags: "latest edge 3.15-21",
        suffixes: "",
    },
    Repo {
        name: "docker.io/library/redis",
        size: 45_110_230,
        tags: "latest alpine bookworm 6.0-2 7.0-4",
        suffixes: "-alpine -bookworm",
    },
    Repo {
        name: "docker.io/library/ubuntu",
        size: 29_754_290,
        tags: "latest jammy noble 20.04 22.04 24.04",
        suffixes: "",
    },
    Repo {
        name: "docker.io/library/debian",
        size: 48_494_272,
        tags: "latest bookworm bookworm-slim bullseye bullseye-slim stable-slim 11 12",
        suffixes: "-slim",
    },
    Repo {
        name: "docker.io/library/python",
        size: 51_297_846,
        tags: "latest slim alpine 3 3.8-14",
        suffixes: "-slim -alpine -bookworm -slim-bookworm",
    },
    Repo {
        name: "docker.io/library/node",
        size: 47_421_133,
        tags: "latest lts alpine slim 18 20 22 24",
        suffixes: "-alpine -slim -bookworm",
    },
    Repo {
        name: "docker.io/library/golang",
        size: 79_182_310,
        tags: "latest alpine 1.20-25",
        suffixes: "-alpine -bookworm",
    },
    Repo {
        name: "docker.io/library/postgres",
        size: 156_493_028,
        tags: "latest alpine 13 14 15 16 17",
        suffixes: "-alpine -bookworm",
    },
    Repo {
        name: "docker.io/library/mysql",
        size: 165_104_271,
        tags: "latest lts 8 8.0-4 9",
        suffixes: "",
    },
    Repo {
        name: "docker.io/library/mongo",
        size: 258_742_210,
        tags: "latest 6 7 8",
        suffixes: "",
    },
    Repo {
        name: "docker.io/library/memcached",
        size: 33_210_561,
        tags: "latest alpine 1.6",
        suffixes: "-alpine",
    },
    Repo {
        name: "docker.io/library/haproxy",
        size: 42_318_995,
        tags: "latest alpine lts 2.8 3.0-2",
        suffixes: "-alpine",
    },
    Repo {
        name: "docker.io/library/caddy",
        size: 21_354_883,
        tags: "latest alpine 2",
        suffixes: "-alpine",
    },
    Repo {
        name: "docker.io/library/hello-world",
        size: 3_208,
        tags: "latest linux",
        suffixes: "",
    },
    Repo {
        name: "docker.io/kennethreitz/httpbin",
        size: 196_528_717,
        tags: "latest",
        suffixes: "",
    },
    Repo {
        name: "docker.io/mccutchen/go-httpbin",
        size: 13_604_442,
        tags: "latest v2.14 v2.15",
        suffixes: "",
    },
    Repo {
        name: "docker.io/ealen/echo-server",
        size: 32_457_993,
        tags: "latest 0.9.2",
        suffixes: "",
    },
    Repo {
        name: "docker.io/paulbouwer/hello-kubernetes",
        size: 26_904_731,
        tags: "1.10",
        suffixes: "",
    },
    Repo {
        name: "docker.io/curlimages/curl",
        size: 10_866_316,
        tags: "latest 8.0-11",
        suffixes: "",
    },
    Repo {
        name: "docker.io/nicolaka/netshoot",
        size: 188_563_004,
        tags: "latest v0.11 v0.12 v0.13",
        suffixes: "",
    },
    Repo {
        name: "docker.io/traefik/whoami",
        size: 3_041_206,
        tags: "latest v1.10 v1.11",
        suffixes: "",
    },
    Repo {
        name: "docker.io/hashicorp/http-echo",
        size: 3_527_342,
        tags: "latest 1.0 1.0.0",
        suffixes: "",
    },
    Repo {
        name: "registry.k8s.io/e2e-test-images/agnhost",
        size: 51_361_312,
        tags: "2.39 2.40 2.43 2.45 2.47 2.48 2.50 2.52 2.53",
        suffixes: "",
    },
    Repo {
        name: "registry.k8s.io/echoserver",
        size: 46_237_695,
        tags: "1.4 1.10",
        suffixes: "",
    },
    Repo {
        name: "gcr.io/google-samples/hello-app",
        size: 10_803_591,
        tags: "1.0 2.0",
        suffixes: "",
    },
    Repo {
        name: "registry.k8s.io/coredns/coredns",
        size: 18_562_039,
        tags: "v1.10.1 v1.11.1 v1.11.3 v1.12.0 v1.13.1 v1.14.2",
        suffixes: "",
    },
];

/// The registry hosts a node can reach.
const HOSTS: &[&str] = &[
    "docker.io",
    "registry.k8s.io",
    "gcr.io",
    "ghcr.io",
    "quay.io",
];

/// Where a pull of `image` ends: the image's size, or containerd's error as the kubelet
/// reports it after `Failed to pull image "...": `.
pub fn pull(image: &str) -> Result<u64, String> {
    let (repo, reference) = normalize(image);
    let full = format!("{repo}{reference}");
    let resolve = |why: String| {
        format!("failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {why}")
    };
    let host = repo.split('/').next().unwrap_or("");
    if !HOSTS.contains(&host) {
        let path = repo[host.len()..].trim_start_matches('/');
        let tag = reference.trim_start_matches([':', '@']);
        let name = host.split(':').next().unwrap_or(host);
        return Err(format!(
            "rpc error: code = Unknown desc = {}",
            resolve(format!(
                "failed to do request: Head \"https://{host}/v2/{path}/manifests/{tag}\": dial tcp: lookup {name}: no such host"
            ))
        ));
    }
    let Some(known) = REPOS.iter().find(|r| r.name == repo) else {
        return Err(format!(
            "rpc error: code = Unknown desc = {}",
            resolve("pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed".into())
        ));
    };
    // A digest names one manifest; svclab cannot check it, so it takes any for a known image.
    match reference.strip_prefix(':') {
        Some(tag) if !has_tag(known, tag) => Err(format!(
            "rpc error: code = NotFound desc = {}",
            resolve(format!("{full}: not found"))
        )),
        _ => Ok(known.size),
    }
}

/// Whether the kubelet can read `image` as a reference at all; if not, why, as it says after
/// `Failed to apply default image tag "...": couldn't parse image name "...": ` (the pod is then
/// `InvalidImageName`, and no pull is tried).
pub fn check_reference(image: &str) -> Result<(), String> {
    const INVALID: &str = "invalid reference format";
    let (path, tag, digest) = split_reference(image);
    let (domain, remote) = split_domain(path);
    // containerd's parser checks case first, naming the repository as Docker Hub would.
    if remote.to_lowercase() != remote {
        return Err(format!(
            "{INVALID}: repository name ({remote}) must be lowercase"
        ));
    }
    let domain_ok = domain.is_none_or(valid_domain);
    let path_ok = remote.split('/').all(valid_component);
    let tag_ok = tag.is_none_or(|t| {
        t.len() <= 128
            && t.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
    });
    let digest_ok = digest.is_none_or(|d| {
        d.split_once(':').is_some_and(|(alg, hex)| {
            alg.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && alg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_+.".contains(&b))
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        })
    });
    if domain_ok && path_ok && tag_ok && digest_ok {
        Ok(())
    } else {
        Err(INVALID.into())
    }
}

/// Docker's split of a name into registry host and repository path: the first component is a
/// host if it has a dot, a port or an upper-case letter, or is `localhost`; otherwise the host
/// is Docker Hub, and a one-component name is an official image (`library/...`).
fn split_domain(path: &str) -> (Option<&str>, std::borrow::Cow<'_, str>) {
    match path.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (Some(first), rest.into())
        }
        Some(_) => (None, path.into()),
        None => (None, format!("library/{path}").into()),
    }
}

/// `host` or `host:port`, each label alphanumeric with inner dashes.
fn valid_domain(domain: &str) -> bool {
    let (host, port) = match domain.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (domain, None),
    };
    let label = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    host.split('.').all(label)
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A path component: lowercase letters and digits, joined by one `.` or `_`, by `__`, or by
/// dashes.
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.first().is_none_or(|&x| !alnum(x)) || b.last().is_none_or(|&x| !alnum(x)) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `nginx` → (`docker.io/library/nginx`, `:latest`); `registry.k8s.io/pause:3.10` →
/// (`registry.k8s.io/pause`, `:3.10`); a digest stays a digest (`@sha256:...`).
fn normalize(image: &str) -> (String, String) {
    let (path, tag, digest) = split_reference(image);
    let (domain, remote) = split_domain(path);
    let repo = format!("{}/{remote}", domain.unwrap_or("docker.io"));
    let reference = match (digest, tag) {
        (Some(d), _) => format!("@{d}"),
        (None, Some(t)) => format!(":{t}"),
        (None, None) => ":latest".into(),
    };
    (repo, reference)
}

/// A reference's name, tag and digest: `reg:5000/app:v1@sha256:ab` → (`reg:5000/app`, `v1`,
/// `sha256:ab`). A colon after the last slash starts the tag (one before it is a port).
fn split_reference(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[last_slash..].find(':') {
        Some(i) => (
            &name[..last_slash + i],
            Some(&name[last_slash + i + 1..]),
            digest,
        ),
        None => (name, None, digest),
    }
}

fn has_tag(repo: &Repo, tag: &str) -> bool {
    // The tag itself, or a version with any of the suffixes that end it (`-slim-bookworm`
    // and `-bookworm` both end `3.12-slim-bookworm`).
    let bare = repo
        .suffixes
        .split_whitespace()
        .filter_map(|s| tag.strip_suffix(s))
        .chain([tag]);
    for t in bare {
        for word in repo.tags.split_whitespace() {
            if word == t || in_range(word, t) {
                return true;
            }
        }
    }
    false
}

/// A version number: digits, no leading zero.
fn number(part: Option<&str>) -> Option<u32> {
    let p = part?;
    let digits = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    (digits && (p == "0" || !p.starts_with('0')))
        .then(|| p.parse().ok())
        .flatten()
}

/// Whether `tag` is a version of `range` (`1.19-29`): `1.N` or `1.N.P` with N in the range and
/// P at most [`MAX_PATCH`].
fn in_range(range: &str, tag: &str) -> bool {
    let Some((major, minors)) = range.split_once('.') else {
        return false;
    };
    let Some((low, high)) = minors.split_once('-') else {
        return false;
    };
    let (Ok(low), Ok(high)) = (low.parse::<u32>(), high.parse::<u32>()) else {
        return false;
    };
    let mut parts = tag.split('.');
    if parts.next() != Some(major) {
        return false;
    }
    let Some(minor) = number(parts.next()) else {
        return false;
    };
    let patch_ok = match parts.next() {
        None => true,
        p => number(p).is_some_and(|p| p <= MAX_PATCH),
    };
    (low..=high).contains(&minor) && patch_ok && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_a_lesson_names_pull_with_their_size() {
        for image in [
            "nginx",
            "nginx:1.27",
            "nginx:1.27.3",
            "nginx:1.25-alpine",
            "python:3.12-slim-bookworm",
            "docker.io/library/nginx:latest",
            "busybox:1.36",
            "registry.k8s.io/e2e-test-images/agnhost:2.53",
            "registry.k8s.io/coredns/coredns:v1.11.3",
            "nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
        ] {
            assert!(pull(image).is_ok(), "{image}: {:?}", pull(image));
        }
        assert_eq!(pull("nginx"), Ok(72_099_501));
        assert_eq!(pull("busybox:1.36"), Ok(2_155_116));
    }

    #[test]
    fn a_missing_tag_is_not_found() {
        assert_eq!(
            pull("nginx:1.99").unwrap_err(),
            "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:1.99\": failed to resolve reference \"docker.io/library/nginx:1.99\": docker.io/library/nginx:1.99: not found"
        );
        for tag in [
            "1.18",
            "1.30",
            "1.27.100",
            "1.27.x",
            "1.027",
            "1.27-slim",
            "2.27",
            "lates",
        ] {
            assert!(pull(&format!("nginx:{tag}")).is_err(), "nginx:{tag}");
        }
    }

    #[test]
    fn a_mistyped_repository_is_denied() {
        assert_eq!(
            pull("ngnix").unwrap_err(),
            "rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/ngnix:latest\": failed to resolve reference \"docker.io/library/ngnix:latest\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
        );
        assert!(pull("myteam/backend:v1")
            .unwrap_err()
            .contains("\"docker.io/myteam/backend:v1\""));
    }

    #[test]
    fn an_unknown_registry_does_not_resolve() {
        let err = pull("registry.example:5000/shop/api:2").unwrap_err();
        assert!(
            err.ends_with("failed to do request: Head \"https://registry.example:5000/v2/shop/api/manifests/2\": dial tcp: lookup registry.example: no such host"),
            "{err}"
        );
    }

    #[test]
    fn references_the_kubelet_cannot_parse_are_invalid() {
        for image in [
            "nginx",
            "nginx:1.27-alpine",
            "registry.k8s.io/e2e-test-images/agnhost:2.53",
            "localhost:5000/my_app__x/web-api.v2:v1",
            "nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
        ] {
            assert_eq!(check_reference(image), Ok(()), "{image}");
        }
        assert_eq!(
            check_reference("busyBOX").unwrap_err(),
            "invalid reference format: repository name (library/busyBOX) must be lowercase"
        );
        assert_eq!(
            check_reference("ghcr.io/Team/App:v1").unwrap_err(),
            "invalid reference format: repository name (Team/App) must be lowercase"
        );
        // Upper case in a tag or a host is allowed; a first component with upper case is a
        // host (which then does not resolve).
        assert_eq!(check_reference("Registry.Example/app:V1"), Ok(()));
        assert_eq!(check_reference("Team/app"), Ok(()));
        assert!(pull("Team/app")
            .unwrap_err()
            .ends_with("lookup Team: no such host"));
        for image in [
            "nginx:",
            "nginx::1",
            ":1.27",
            "library//nginx",
            "nginx/",
            "-nginx",
            "ngi..nx",
            "nginx:-1",
            "nginx@sha256:abc",
            "ghcr.io/${{ github.repository }}:latest",
            "https://registry.example/app",
        ] {
            assert_eq!(
                check_reference(image),
                Err("invalid reference format".into()),
                "{image}"
            );
        }
    }

    #[test]
    fn references_normalise_as_containerd_does() {
        let n = |i: &str| {
            let (r, t) = normalize(i);
            format!("{r}{t}")
        };
        assert_eq!(n("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(n("traefik/whoami"), "docker.io/traefik/whoami:latest");
        assert_eq!(n("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(
            n("nginx:1.27@sha256:ab"),
            "docker.io/library/nginx@sha256:ab"
        );
    }
}
