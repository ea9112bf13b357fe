//! `sop`: a language and compiler for Standard Operating Procedures.
//!
//! The stages, each a public function (see `docs/architecture.md`):
//!
//! | stage | input | output |
//! |---|---|---|
//! | [`source::Source::from_bytes`] | bytes | decoded text and encoding issues |
//! | [`syntax::parse`] | [`source::Source`] | [`ast::Document`], spanned, with comments |
//! | [`check::check_document`] | [`ast::Document`] | [`diagnostics::Diagnostic`]s |
//! | [`workspace::Workspace::discover`] | paths | the project: root, `sop.yaml`, files |
//! | [`workspace::Workspace::check`] | a workspace | every file's diagnostics, with cross-file checks |

#[macro_use]
pub mod rules;

pub mod analysis;
pub mod ast;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod flow;
pub mod fmt;
pub mod git;
pub mod handbook;
pub mod ids;
pub mod index;
pub mod lsp;
pub mod model;
pub mod output;
pub mod render;
pub mod report;
pub mod runs;
pub mod source;
pub mod syntax;
pub mod terminal;
pub mod values;
pub mod workspace;
