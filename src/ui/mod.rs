//! The panels: each maps signals and plain data (from [`crate::scene`], [`crate::layout`],
//! [`crate::flow`], [`crate::inspect`], [`crate::inspector_view`], [`crate::request_form`],
//! [`crate::trace_view`]) to markup, reads what the panels
//! share through [`crate::state::shared`], and turns clicks into sim actions through
//! [`crate::world::Sim`]. The panels do not import each other or [`crate::app`], which places
//! them, but for [`explain`]: mounted inside [`requests`], it opens the [`editor`] at a line.
//! The toolbar's clock group holds [`simulation`]'s controls. Lists whose rows come and go are
//! [`rows::Rows`], not `<For>`: it frees what each row leaves behind; work for the next frame
//! goes through [`later`], whose callbacks free themselves. [`words`] splits a command into words
//! that wrap whole.

pub mod builder;
pub mod cluster_view;
pub mod controls;
pub mod deployments;
pub mod details;
pub mod editor;
pub mod events;
pub mod explain;
pub mod inspector;
pub mod later;
pub mod lessons;
pub mod requests;
pub mod rows;
pub mod share;
pub mod simulation;
pub mod terminal;
pub mod words;
