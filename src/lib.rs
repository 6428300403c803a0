//! svclab: the browser app. It owns the one copy of the simulated world (`svclab_sim`), steps it
//! from animation frames, and renders it; `main.rs` only mounts [`App`].
//!
//! Plain data first, views last:
//! - [`scene`] reduces the cluster to what the picture shows; [`layout`] places it (rectangles and
//!   points); [`flow`] puts the packets of recent traces on that picture at a virtual time;
//!   [`path`] keeps the latest request's hops drawn, with its rewrites and failure labelled;
//!   [`inspect`] is the details of a selected object; [`trace_view`] the hop-by-hop rows;
//!   [`inspector_view`] one hop taken apart (addresses before and after, the rules matched in
//!   their node's dump); [`request_form`] the request builder's fields, checked into a request;
//!   [`editor_text`] the editor's line arithmetic; [`clock`] turns real time into virtual time.
//!   None of these knows about the DOM, and all are tested natively (`cargo test -p svclab --lib`).
//! - [`world`] holds the cluster and the signals views subscribe to; [`state`] is what the panels
//!   share besides it (the selection, the clock's controls, the manifest being edited); the panels
//!   in [`ui`] read both and never the app; [`app`] boots the world, runs the frame loop and lays
//!   out the panels; [`crash`] is the banner shown if it panics.

pub mod clock;
pub mod crash;
pub mod editor_text;
pub mod flow;
pub mod inspect;
pub mod inspector_view;
pub mod layout;
pub mod lessons;
pub mod path;
pub mod request_form;
pub mod scene;
pub mod seed;
pub mod trace_view;

pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod heap;
pub mod state;
pub mod ui;
pub mod world;

pub use app::{App, Driver, Lab};
pub use ui::cluster_view::{FIRST_CLUSTER_MARK, START_MARK};
