//! svclab-sim: a deterministic model of Kubernetes Service networking.
//!
//! Layers, from the learner's text to the packets:
//! - [`manifest`] reads multi-document YAML (the one module that knows the YAML library) into
//!   typed [`model`] objects, stage by stage; [`validate`] checks them as the API server does.
//!   [`resource`] is the one table of resource types (kinds, names, groups, scopes) that the
//!   manifest reader and every kubectl verb read.
//! - [`cluster`] holds the world: nodes, namespaces, workloads, Services, endpoints. Its controllers
//!   (Deployment → ReplicaSet → Pod, the scheduler, the kubelet, the endpoint-slice controller) run
//!   on the virtual clock in [`time`] (dated by [`clock`]'s made-up wall clock), one file each; every learner action is an
//!   [`action::Action`] kept in a replayable log.
//! - [`dns`] is CoreDNS and each pod's resolver; [`kube_proxy`] writes the iptables rules or IPVS
//!   virtual servers each node would have and walks a packet through them; [`netpol`] decides
//!   NetworkPolicy verdicts.
//! - [`routing`] sends a request (curl, nslookup, an outside client) step by step through those
//!   and returns a hop-by-hop [`trace::Trace`]: plain data the app animates and the terminal
//!   prints.
//! - [`diagnose`] reads a failed trace against the cluster and names the cause and the object
//!   (and manifest field) to change.
//! - [`timeline`] is simulation mode: it owns a world, lists its events (packets hop by hop,
//!   Kubernetes Events, endpoint changes, the learner's actions) with stable numbers, and steps
//!   it forward and back by replaying from snapshots.
//! - [`shell`] is the terminal: kubectl (one command table) and the shells inside pods and nodes
//!   (one table of builtins each), printing what the real tools print.
//! - [`registry`] is the image catalogue the nodes pull from, and what each image's process does
//!   once it runs ([`registry::ImageProfile`]).
//! - [`names`] and [`rng`] make names and choices the way Kubernetes does, from one seed; [`map`]
//!   and [`sort`] are the ordered containers and the one sort everything uses.
//!
//! Nothing here reads wall time or OS randomness: the same seed and actions replay exactly.

pub mod action;
pub mod clock;
pub mod cluster;
pub mod diagnose;
pub mod dns;
pub mod endpoints;
pub mod examples;
pub mod ipam;
pub mod kube_proxy;
pub mod lesson;
pub mod manifest;
pub mod map;
pub mod model;
pub mod names;
pub mod netpol;
pub mod registry;
pub mod resource;
pub mod rng;
pub mod routing;
pub mod share;
pub mod shell;
pub mod sort;
mod text;
pub mod time;
pub mod timeline;
pub mod trace;
pub mod validate;
pub mod version;
