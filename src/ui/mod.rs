//! The panels: each maps signals and plain data (from [`crate::scene`], [`crate::layout`],
//! [`crate::flow`], [`crate::inspect`], [`crate::trace_view`]) to markup, reads what the panels
//! share through [`crate::state::shared`], and turns clicks into sim actions through
//! [`crate::world::Sim`]. The panels do not import each other or [`crate::app`], which places
//! them.

pub mod cluster_view;
pub mod controls;
pub mod deployments;
pub mod details;
pub mod editor;
pub mod lessons;
pub mod requests;
pub mod share;
pub mod terminal;
