//! `sop lsp`: a Language Server (LSP 3.17) over standard input and output.
//!
//! One thread answers the editor in order; every answer reads only the
//! buffer it is about (and, for the names of other SOPs, the project's
//! summaries, built once at start-up). The requests that must read the
//! whole project (references to an SOP id, renaming one) take a copy of
//! what they read and run on a worker thread, so no request waits for a
//! search of other files. A buffer is parsed again for each request:
//! parsing is linear and takes a few milliseconds even for thousands of
//! steps.
//!
//! Diagnostics are those of `sop check`, with the same codes, messages and
//! ranges, the cross-file ones included; they are published on every
//! change, and again for every open file when the set of SOP ids changes.
//! A panic while answering is caught, logged on standard error and
//! answered with an error; the server goes on.

mod features;
mod project;
mod text;

use std::collections::{BTreeMap, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{self as lsp, Url};
use serde_json::{json, Value};

use crate::ast::Document;
use crate::check::{check_document, CheckOptions};
use crate::diagnostics::Severity;
use crate::source::{Source, Span};
use crate::values::Date;

use features::Name;
use project::{Project, Summary};
use text::{Encoding, LineIndex};

/// Runs the server until the editor says `exit`. Errors are transport
/// errors: the editor went away, or spoke something that is not LSP.
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())
}

/// The server over any connection (tests use an in-memory one).
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: lsp::InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = negotiate(&params);
    let result = json!({
        "capabilities": capabilities(encoding),
        "serverInfo": { "name": "sop", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let root = root_of(&params);
    let started = std::time::Instant::now();
    let (project, problem) = Project::load(root.as_deref());
    let loaded = started.elapsed();
    let mut server = Server {
        sender: connection.sender.clone(),
        encoding,
        project,
        today: Date::today(),
        open: BTreeMap::new(),
        previews: HashMap::new(),
        deferred: std::cell::RefCell::new(None),
    };
    match (problem, &server.project.root) {
        (Some(problem), _) => server.log(&format!("the project cannot be read: {problem}")),
        (None, Some(root)) => server.log(&format!(
            "{} SOP files under {} read in {} ms",
            server.project.len(),
            root.display(),
            loaded.as_millis()
        )),
        (None, None) => server.log("no folder open: each file is checked on its own"),
    }
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                if let Some(response) = server.answer(request) {
                    server.send(Message::Response(response));
                }
            }
            Message::Notification(notification) => server.notice(notification),
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// UTF-8 columns when the editor offers them, UTF-16 (the default) else.
fn negotiate(params: &lsp::InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    if offered.is_some_and(|list| list.contains(&lsp::PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["[".into(), ">".into(), " ".into(), ":".into()]),
            ..Default::default()
        }),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: lsp::SemanticTokensLegend {
                        token_types: features::TOKEN_TYPES
                            .iter()
                            .map(|t| lsp::SemanticTokenType::new(t))
                            .collect(),
                        token_modifiers: Vec::new(),
                    },
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    ..Default::default()
                },
            ),
        ),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Simple(true)),
        ..Default::default()
    }
}

/// The folder the editor opened, if any.
fn root_of(params: &lsp::InitializeParams) -> Option<PathBuf> {
    params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|f| f.uri.clone())
        .or_else(|| {
            #[allow(deprecated)]
            params.root_uri.clone()
        })
        .and_then(|uri| uri.to_file_path().ok())
}

/// A copy of what a project-wide search reads.
struct Scan {
    paths: Vec<PathBuf>,
    open: Vec<(PathBuf, String)>,
    encoding: Encoding,
}

impl Scan {
    /// Every place an SOP id is written in the project: headers and links.
    fn occurrences(&self, id: &str) -> Vec<FileOccurrences> {
        let needle = id.as_bytes();
        let mut out = Vec::new();
        for path in &self.paths {
            let text = match self.open.iter().find(|(p, _)| p == path) {
                Some((_, text)) => text.clone(),
                None => match std::fs::read(path) {
                    Ok(bytes) => Source::from_bytes(path, &bytes).text,
                    Err(_) => continue,
                },
            };
            // Most files do not mention the id: skip them without parsing.
            if memchr::memmem::find(text.as_bytes(), needle).is_none() {
                continue;
            }
            let source = Source::from_text(path, &text);
            let doc = crate::syntax::parse(&source);
            let found: Vec<(Span, bool)> = features::occurrences(&doc, &source.text, Name::Sop(id))
                .into_iter()
                .map(|o| (o.span, o.declaration))
                .collect();
            if found.is_empty() {
                continue;
            }
            let Ok(uri) = Url::from_file_path(path) else {
                continue;
            };
            let text = source.text.clone();
            out.push(FileOccurrences { uri, found, text });
        }
        out
    }
}

/// Where one file writes an SOP id: the spans (and whether each is the
/// declaration), in its decoded text.
struct FileOccurrences {
    uri: Url,
    found: Vec<(Span, bool)>,
    text: String,
}

/// An open buffer.
struct Open {
    path: PathBuf,
    text: String,
    version: i32,
}

struct Server {
    sender: crossbeam_channel::Sender<Message>,
    encoding: Encoding,
    project: Project,
    today: Date,
    open: BTreeMap<Url, Open>,
    /// The last rendering of each buffer without errors, for the preview
    /// while the buffer has some.
    previews: HashMap<Url, String>,
    /// Set by a request that searches the whole project: the search, to run
    /// on a worker thread while the server goes on.
    deferred: std::cell::RefCell<Option<Job>>,
}

/// A request's answer, computed on a worker thread.
type Job = Box<dyn FnOnce() -> Answer + Send>;

/// A failed request: its code and message.
struct Failure(ErrorCode, String);

impl Failure {
    fn invalid(message: impl Into<String>) -> Failure {
        Failure(ErrorCode::InvalidParams, message.into())
    }
}

type Answer = Result<Value, Failure>;

impl Server {
    fn send(&self, message: Message) {
        // The editor went away: the receiving loop ends on its own.
        let _ = self.sender.send(message);
    }

    fn log(&self, message: &str) {
        self.notify(
            "window/logMessage",
            json!({ "type": 3, "message": format!("sop: {message}") }),
        );
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    }

    /// Answers a request, catching a panic as an internal error. `None`
    /// when a worker thread answers it (a search of the whole project).
    fn answer(&mut self, request: Request) -> Option<Response> {
        let id = request.id.clone();
        let method = request.method.clone();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| self.dispatch(request)));
        let job = self.deferred.borrow_mut().take();
        if let (Ok(Ok(_)), Some(job)) = (&result, job) {
            let sender = self.sender.clone();
            std::thread::spawn(move || {
                let response = match std::panic::catch_unwind(AssertUnwindSafe(job)) {
                    Ok(answer) => respond(id, answer),
                    Err(panic) => {
                        let what = panic_message(&panic);
                        eprintln!("sop lsp: internal error in {method}: {what}");
                        internal_error(id, &method, &what)
                    }
                };
                let _ = sender.send(Message::Response(response));
            });
            return None;
        }
        Some(match result {
            Ok(answer) => respond(id, answer),
            Err(panic) => {
                let what = panic_message(&panic);
                eprintln!("sop lsp: internal error in {method}: {what}");
                internal_error(id, &method, &what)
            }
        })
    }

    fn notice(&mut self, notification: Notification) {
        let method = notification.method.clone();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| self.handle(notification)));
        if let Err(panic) = result {
            let what = panic_message(&panic);
            eprintln!("sop lsp: internal error in {method}: {what}");
            self.log(&format!("internal error in {method}: {what}"));
        }
    }

    fn handle(&mut self, notification: Notification) {
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(params) =
                    serde_json::from_value::<lsp::DidOpenTextDocumentParams>(notification.params)
                else {
                    return;
                };
                let doc = params.text_document;
                let path = path_of(&doc.uri);
                self.open.insert(
                    doc.uri.clone(),
                    Open {
                        path,
                        text: doc.text,
                        version: doc.version,
                    },
                );
                self.changed(&doc.uri);
            }
            "textDocument/didChange" => {
                let Ok(params) =
                    serde_json::from_value::<lsp::DidChangeTextDocumentParams>(notification.params)
                else {
                    return;
                };
                let uri = params.text_document.uri;
                let Some(open) = self.open.get_mut(&uri) else {
                    return;
                };
                for change in params.content_changes {
                    match change.range {
                        // Ranged changes, should an editor send them anyway.
                        Some(range) => {
                            let index = LineIndex::new(&open.text, self.encoding);
                            let span = index.span(range);
                            open.text.replace_range(span.start..span.end, &change.text);
                        }
                        None => open.text = change.text,
                    }
                }
                open.version = params.text_document.version;
                self.changed(&uri);
            }
            "textDocument/didClose" => {
                let Ok(params) =
                    serde_json::from_value::<lsp::DidCloseTextDocumentParams>(notification.params)
                else {
                    return;
                };
                let uri = params.text_document.uri;
                self.previews.remove(&uri);
                if let Some(open) = self.open.remove(&uri) {
                    // The file on disk is what the project sees again.
                    let summary = Summary::read(&open.path);
                    if self.project.update(&open.path, summary) {
                        self.publish_all();
                    }
                }
                self.notify(
                    "textDocument/publishDiagnostics",
                    json!({ "uri": uri, "diagnostics": [] }),
                );
            }
            _ => {}
        }
    }

    /// A buffer changed: record its summary, publish its diagnostics, and
    /// those of every open file when an SOP id came or went.
    fn changed(&mut self, uri: &Url) {
        let Some(open) = self.open.get(uri) else {
            return;
        };
        let source = Source::from_text(&open.path, &open.text);
        let version = open.version;
        let path = open.path.clone();
        // One parse for the summary and the diagnostics.
        let doc = crate::syntax::parse(&source);
        if self.project.update(&path, Summary::of(&doc)) {
            self.publish_all();
        } else {
            let diagnostics = self.diagnostics_of(uri, &path, &source, &doc);
            self.notify(
                "textDocument/publishDiagnostics",
                json!({ "uri": uri, "version": version, "diagnostics": diagnostics }),
            );
        }
    }

    fn publish_all(&self) {
        let uris: Vec<Url> = self.open.keys().cloned().collect();
        for uri in &uris {
            self.publish(uri);
        }
    }

    fn publish(&self, uri: &Url) {
        let Some(open) = self.open.get(uri) else {
            return;
        };
        let diagnostics = self.diagnostics(uri, open);
        self.notify(
            "textDocument/publishDiagnostics",
            json!({ "uri": uri, "version": open.version, "diagnostics": diagnostics }),
        );
    }

    /// The diagnostics of `sop check` for a buffer, as LSP diagnostics.
    fn diagnostics(&self, uri: &Url, open: &Open) -> Vec<lsp::Diagnostic> {
        let source = Source::from_text(&open.path, &open.text);
        let doc = crate::syntax::parse(&source);
        self.diagnostics_of(uri, &open.path, &source, &doc)
    }

    fn diagnostics_of(
        &self,
        uri: &Url,
        path: &Path,
        source: &Source,
        doc: &Document<'_>,
    ) -> Vec<lsp::Diagnostic> {
        let options = CheckOptions {
            today: self.today,
            config: self.project.config.clone(),
        };
        let index = if self.project.contains(path) {
            self.project.index()
        } else {
            None
        };
        let found = check_document(source, doc, &options, index);
        let lines = LineIndex::new(&source.text, self.encoding);
        found
            .into_iter()
            .map(|d| {
                let mut message = d.message.clone();
                if let Some(help) = &d.help {
                    message.push_str("\n\n");
                    message.push_str(help);
                }
                let related: Vec<lsp::DiagnosticRelatedInformation> = d
                    .secondary
                    .iter()
                    .map(|label| lsp::DiagnosticRelatedInformation {
                        location: lsp::Location {
                            uri: uri.clone(),
                            range: lines.range(label.span),
                        },
                        message: label.message.clone(),
                    })
                    .collect();
                lsp::Diagnostic {
                    range: lines.range(d.primary.span),
                    severity: Some(match d.severity {
                        Severity::Error => lsp::DiagnosticSeverity::ERROR,
                        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                    }),
                    code: Some(lsp::NumberOrString::String(d.code.to_string())),
                    source: Some("sop".into()),
                    message,
                    related_information: (!related.is_empty()).then_some(related),
                    ..Default::default()
                }
            })
            .collect()
    }

    /// The text of a file: its open buffer, else the file on disk.
    fn text_of(&self, path: &Path) -> Option<String> {
        if let Some(open) = self.open.values().find(|o| o.path == path) {
            return Some(open.text.clone());
        }
        let bytes = std::fs::read(path).ok()?;
        Some(Source::from_bytes(path, &bytes).text)
    }

    fn buffer(&self, uri: &Url) -> Result<&Open, Failure> {
        self.open
            .get(uri)
            .ok_or_else(|| Failure::invalid(format!("{uri} is not open")))
    }

    fn dispatch(&mut self, request: Request) -> Answer {
        let params = request.params;
        match request.method.as_str() {
            "textDocument/hover" => self.hover(parse(params)?),
            "textDocument/definition" => self.definition(parse(params)?),
            "textDocument/references" => self.references(parse(params)?),
            "textDocument/prepareRename" => self.prepare_rename(parse(params)?),
            "textDocument/rename" => self.rename(parse(params)?),
            "textDocument/completion" => self.completion(parse(params)?),
            "textDocument/documentSymbol" => self.symbols(parse(params)?),
            "textDocument/foldingRange" => self.folding(parse(params)?),
            "textDocument/formatting" => self.formatting(parse(params)?),
            "sop/preview" => self.preview(parse(params)?),
            "textDocument/semanticTokens/full" => self.semantic_tokens(parse(params)?),
            "textDocument/codeAction" => self.code_actions(parse(params)?),
            method => Err(Failure(
                ErrorCode::MethodNotFound,
                format!("sop lsp does not answer {method}"),
            )),
        }
    }

    /// Parses a buffer and hands it, with its line index, to `then`.
    fn with_buffer<T>(
        &self,
        uri: &Url,
        then: impl FnOnce(&Open, &Document<'_>, &LineIndex<'_>) -> T,
    ) -> Result<T, Failure> {
        let open = self.buffer(uri)?;
        let source = Source::from_text(&open.path, &open.text);
        let doc = crate::syntax::parse(&source);
        // Offsets are into the decoded text, which is the buffer's text
        // unless it started with a byte-order mark.
        let lines = LineIndex::new(&source.text, self.encoding);
        Ok(then(open, &doc, &lines))
    }

    fn hover(&self, params: lsp::HoverParams) -> Answer {
        let at = params.text_document_position_params;
        let project = &self.project;
        let hover = self.with_buffer(&at.text_document.uri, |_, doc, lines| {
            let offset = lines.offset(at.position);
            let text = lines.text();
            let mut parts: Vec<String> = Vec::new();
            let mut range = None;
            if let Some((name, span)) = features::name_at(doc, text, offset) {
                range = Some(lines.range(span));
                match name {
                    Name::Step(id) => match features::step(doc, id) {
                        Some(step) => parts.push(features::step_hover(doc, step)),
                        None => parts.push(format!("No step `{id}` in this procedure.")),
                    },
                    Name::Role(id) => {
                        match features::roles(doc).find(|(name, _)| name.value == id) {
                            Some((_, description)) => {
                                parts.push(format!("**Role `{id}`**\n\n{}", description.value))
                            }
                            None => parts.push(format!("Role `{id}` is not declared in `roles:`.")),
                        }
                    }
                    Name::Sop(id) => match project.find(id) {
                        Some((_, summary)) => parts.push(sop_hover(summary)),
                        None => match Summary::of(doc).filter(|s| s.id == id) {
                            Some(summary) => parts.push(sop_hover(&summary)),
                            None => parts.push(format!("No SOP `{id}` in this project.")),
                        },
                    },
                }
            }
            (parts, range)
        })?;
        let (mut parts, mut range) = hover;
        // The rules behind the diagnostics at this place.
        let uri = &at.text_document.uri;
        if let Ok(open) = self.buffer(uri) {
            let decoded = Source::from_text(&open.path, &open.text).text;
            let lines = LineIndex::new(&decoded, self.encoding);
            let offset = lines.offset(at.position);
            for d in self.diagnostics(uri, open) {
                let span = lines.span(d.range);
                if span.start <= offset && offset <= span.end {
                    if let Some(lsp::NumberOrString::String(code)) = &d.code {
                        if let Some(rule) = crate::rules::rule(code) {
                            parts.push(format!("`{code}`: {}", rule.summary()));
                            range.get_or_insert(d.range);
                        }
                    }
                }
            }
        }
        if parts.is_empty() {
            return Ok(Value::Null);
        }
        let hover = lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range,
        };
        to_value(hover)
    }

    /// Where the name at a position is declared: `(path, span)` in some file.
    fn declaration(
        &self,
        uri: &Url,
        position: lsp::Position,
    ) -> Result<Option<lsp::Location>, Failure> {
        let found = self.with_buffer(uri, |_, doc, lines| {
            let offset = lines.offset(position);
            let (name, _) = features::name_at(doc, lines.text(), offset)?;
            match name {
                Name::Step(_) | Name::Role(_) => {
                    let occurrences = features::occurrences(doc, lines.text(), name);
                    let declaration = occurrences.iter().find(|o| o.declaration)?;
                    Some(Err(lsp::Location {
                        uri: uri.clone(),
                        range: lines.range(declaration.span),
                    }))
                }
                Name::Sop(id) => Some(Ok(id.to_string())),
            }
        })?;
        match found {
            None => Ok(None),
            Some(Err(location)) => Ok(Some(location)),
            Some(Ok(id)) => {
                let Some((path, _)) = self.project.find(&id) else {
                    return Ok(None);
                };
                let path = path.to_path_buf();
                Ok(self.header_location(&path))
            }
        }
    }

    /// The header id of a file, as a location.
    fn header_location(&self, path: &Path) -> Option<lsp::Location> {
        let text = self.text_of(path)?;
        let source = Source::from_text(path, &text);
        let doc = crate::syntax::parse(&source);
        let header = doc.header.as_ref()?;
        let lines = LineIndex::new(&source.text, self.encoding);
        Some(lsp::Location {
            uri: Url::from_file_path(path).ok()?,
            range: lines.range(header.id.span),
        })
    }

    fn definition(&self, params: lsp::GotoDefinitionParams) -> Answer {
        let at = params.text_document_position_params;
        match self.declaration(&at.text_document.uri, at.position)? {
            Some(location) => to_value(lsp::GotoDefinitionResponse::Scalar(location)),
            None => Ok(Value::Null),
        }
    }

    /// What a project-wide search reads: every file of the project and
    /// the open buffers, copied so that a worker thread can search while
    /// the server answers other requests.
    fn scan(&self) -> Scan {
        let mut paths: Vec<PathBuf> = self.project.paths().map(Path::to_path_buf).collect();
        let open: Vec<(PathBuf, String)> = self
            .open
            .values()
            .map(|o| (o.path.clone(), o.text.clone()))
            .collect();
        for (path, _) in &open {
            if !paths.contains(path) {
                paths.push(path.clone());
            }
        }
        Scan {
            paths,
            open,
            encoding: self.encoding,
        }
    }

    /// Answers the current request on a worker thread (see [`Server::answer`]).
    fn defer(&self, job: impl FnOnce() -> Answer + Send + 'static) {
        *self.deferred.borrow_mut() = Some(Box::new(job));
    }

    fn references(&self, params: lsp::ReferenceParams) -> Answer {
        let at = params.text_document_position;
        let include = params.context.include_declaration;
        let uri = at.text_document.uri;
        let local = self.with_buffer(&uri, |_, doc, lines| {
            let offset = lines.offset(at.position);
            let (name, _) = features::name_at(doc, lines.text(), offset)?;
            Some(match name {
                Name::Sop(id) => Err(id.to_string()),
                name => Ok(features::occurrences(doc, lines.text(), name)
                    .into_iter()
                    .filter(|o| include || !o.declaration)
                    .map(|o| lsp::Location {
                        uri: uri.clone(),
                        range: lines.range(o.span),
                    })
                    .collect::<Vec<_>>()),
            })
        })?;
        let locations = match local {
            None => return Ok(Value::Null),
            Some(Ok(locations)) => locations,
            Some(Err(id)) => {
                let scan = self.scan();
                self.defer(move || {
                    let mut locations = Vec::new();
                    for file in scan.occurrences(&id) {
                        let lines = LineIndex::new(&file.text, scan.encoding);
                        for (span, declaration) in file.found {
                            if include || !declaration {
                                locations.push(lsp::Location {
                                    uri: file.uri.clone(),
                                    range: lines.range(span),
                                });
                            }
                        }
                    }
                    to_value(locations)
                });
                return Ok(Value::Null);
            }
        };
        to_value(locations)
    }

    fn prepare_rename(&self, params: lsp::TextDocumentPositionParams) -> Answer {
        let found = self.with_buffer(&params.text_document.uri, |_, doc, lines| {
            let offset = lines.offset(params.position);
            let (name, span) = features::name_at(doc, lines.text(), offset)?;
            let placeholder = match name {
                Name::Step(id) | Name::Role(id) | Name::Sop(id) => id.to_string(),
            };
            Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
                range: lines.range(span),
                placeholder,
            })
        })?;
        match found {
            Some(answer) => to_value(answer),
            None => Ok(Value::Null),
        }
    }

    fn rename(&self, params: lsp::RenameParams) -> Answer {
        let at = params.text_document_position;
        let new_name = params.new_name.trim().to_string();
        if !crate::ids::is_valid_id(&new_name) {
            return Err(Failure::invalid(format!(
                "`{new_name}` is not an id: use letters, digits, `_`, `.` and `-`, without spaces"
            )));
        }
        let uri = at.text_document.uri;
        let local = self.with_buffer(&uri, |_, doc, lines| {
            let offset = lines.offset(at.position);
            let (name, _) = features::name_at(doc, lines.text(), offset)?;
            Some(match name {
                Name::Sop(id) => Err(id.to_string()),
                Name::Step(id) if matches!(new_name.as_str(), "end" | "next") => Ok(Err(format!(
                    "`{new_name}` is reserved; `{id}` keeps its name"
                ))),
                name => Ok(Ok(features::occurrences(doc, lines.text(), name)
                    .into_iter()
                    .map(|o| lsp::TextEdit {
                        range: lines.range(o.span),
                        new_text: new_name.clone(),
                    })
                    .collect::<Vec<_>>())),
            })
        })?;
        let mut changes: HashMap<Url, Vec<lsp::TextEdit>> = HashMap::new();
        match local {
            None => return Ok(Value::Null),
            Some(Ok(Err(message))) => return Err(Failure::invalid(message)),
            Some(Ok(Ok(edits))) => {
                changes.insert(uri, edits);
            }
            Some(Err(id)) => {
                if self.project.find(&new_name).is_some() {
                    return Err(Failure::invalid(format!(
                        "the project already has an SOP `{new_name}`"
                    )));
                }
                let scan = self.scan();
                self.defer(move || {
                    let mut changes: HashMap<Url, Vec<lsp::TextEdit>> = HashMap::new();
                    for file in scan.occurrences(&id) {
                        let lines = LineIndex::new(&file.text, scan.encoding);
                        let edits = file
                            .found
                            .into_iter()
                            .map(|(span, _)| lsp::TextEdit {
                                range: lines.range(span),
                                new_text: new_name.clone(),
                            })
                            .collect();
                        changes.insert(file.uri, edits);
                    }
                    to_value(lsp::WorkspaceEdit {
                        changes: Some(changes),
                        ..Default::default()
                    })
                });
                return Ok(Value::Null);
            }
        }
        to_value(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        })
    }

    fn completion(&self, params: lsp::CompletionParams) -> Answer {
        let at = params.text_document_position;
        let project = &self.project;
        let items = self.with_buffer(&at.text_document.uri, |_, doc, lines| {
            let offset = lines.offset(at.position);
            let before = lines.line_before(offset);
            let in_steps = features::in_steps(doc, offset);
            let Some(what) = features::completing(before, doc.dialect, in_steps) else {
                return Vec::new();
            };
            let item = |label: String, kind, detail: Option<String>, insert: Option<String>| {
                lsp::CompletionItem {
                    label,
                    kind: Some(kind),
                    detail,
                    insert_text: insert,
                    ..Default::default()
                }
            };
            let mut items = Vec::new();
            match what {
                features::Completing::SopId(typed) => {
                    let close = !lines.text()[offset..].trim_start().starts_with("]]");
                    for summary in project.summaries() {
                        if summary.id.starts_with(typed) {
                            let insert = if close {
                                format!("{}]]", summary.id)
                            } else {
                                summary.id.clone()
                            };
                            items.push(item(
                                summary.id.clone(),
                                lsp::CompletionItemKind::REFERENCE,
                                Some(summary.title.clone()),
                                Some(insert),
                            ));
                        }
                    }
                }
                features::Completing::Target(_) => {
                    for step in doc.steps() {
                        if let Some(id) = step.id {
                            items.push(item(
                                id.value.to_string(),
                                lsp::CompletionItemKind::REFERENCE,
                                Some(format!("{}. {}", step.number, step.title.value)),
                                None,
                            ));
                        }
                    }
                    use crate::syntax::keywords::{spelling, Word};
                    for (word, detail) in [
                        (Word::End, "the procedure ends"),
                        (Word::Next, "the next step"),
                    ] {
                        items.push(item(
                            spelling(word, doc.dialect).to_string(),
                            lsp::CompletionItemKind::KEYWORD,
                            Some(detail.into()),
                            None,
                        ));
                    }
                    items.push(item(
                        "[[".into(),
                        lsp::CompletionItemKind::SNIPPET,
                        Some("hand off to another SOP".into()),
                        Some("[[".into()),
                    ));
                }
                features::Completing::Role(_) => {
                    for (name, description) in features::roles(doc) {
                        items.push(item(
                            name.value.to_string(),
                            lsp::CompletionItemKind::VARIABLE,
                            Some(description.value.to_string()),
                            None,
                        ));
                    }
                }
                features::Completing::Unit(_) => {
                    for unit in features::unit_items(doc.dialect) {
                        items.push(item(
                            unit.to_string(),
                            lsp::CompletionItemKind::UNIT,
                            None,
                            None,
                        ));
                    }
                }
                features::Completing::Keyword {
                    in_steps, indent, ..
                } => {
                    for (label, insert, detail) in
                        features::keyword_items(doc.dialect, in_steps, indent)
                    {
                        items.push(item(
                            label,
                            lsp::CompletionItemKind::KEYWORD,
                            Some(detail.to_string()),
                            Some(insert),
                        ));
                    }
                }
            }
            items
        })?;
        to_value(lsp::CompletionResponse::Array(items))
    }

    fn symbols(&self, params: lsp::DocumentSymbolParams) -> Answer {
        let symbols = self.with_buffer(&params.text_document.uri, |_, doc, lines| {
            fn convert(entry: features::Outline, lines: &LineIndex<'_>) -> lsp::DocumentSymbol {
                #[allow(deprecated)]
                lsp::DocumentSymbol {
                    name: if entry.name.is_empty() {
                        "(untitled)".into()
                    } else {
                        entry.name
                    },
                    detail: entry.detail,
                    kind: if entry.step {
                        lsp::SymbolKind::FUNCTION
                    } else {
                        lsp::SymbolKind::NAMESPACE
                    },
                    tags: None,
                    deprecated: None,
                    range: lines.range(entry.span),
                    selection_range: lines.range(entry.selection),
                    children: Some(
                        entry
                            .children
                            .into_iter()
                            .map(|c| convert(c, lines))
                            .collect(),
                    ),
                }
            }
            features::outline(doc)
                .into_iter()
                .map(|e| convert(e, lines))
                .collect::<Vec<_>>()
        })?;
        to_value(lsp::DocumentSymbolResponse::Nested(symbols))
    }

    fn folding(&self, params: lsp::FoldingRangeParams) -> Answer {
        let ranges = self.with_buffer(&params.text_document.uri, |_, doc, lines| {
            let mut out = Vec::new();
            let mut add = |span: Span| {
                let range = lines.range(span);
                // The last line of a span ends with its line break.
                let end = if range.end.character == 0 && range.end.line > range.start.line {
                    range.end.line - 1
                } else {
                    range.end.line
                };
                if end > range.start.line {
                    out.push(lsp::FoldingRange {
                        start_line: range.start.line,
                        end_line: end,
                        ..Default::default()
                    });
                }
            };
            for section in &doc.sections {
                add(section.span);
            }
            for step in doc.steps() {
                add(step.span);
            }
            out
        })?;
        to_value(ranges)
    }

    fn formatting(&self, params: lsp::DocumentFormattingParams) -> Answer {
        let open = self.buffer(&params.text_document.uri)?;
        match crate::fmt::format_source(&open.text) {
            Ok(formatted) if formatted == open.text => to_value(Vec::<lsp::TextEdit>::new()),
            Ok(formatted) => {
                let lines = LineIndex::new(&open.text, self.encoding);
                to_value(vec![lsp::TextEdit {
                    range: lines.range(Span::new(0, open.text.len())),
                    new_text: formatted,
                }])
            }
            Err(e) => Err(Failure(
                ErrorCode::RequestFailed,
                format!("sop fmt cannot format this file: {e}"),
            )),
        }
    }
}

impl Server {
    fn semantic_tokens(&self, params: lsp::SemanticTokensParams) -> Answer {
        let data = self.with_buffer(&params.text_document.uri, |_, doc, lines| {
            let mut data = Vec::new();
            let (mut line, mut column) = (0u32, 0u32);
            for (span, kind) in features::tokens(doc, lines.text()) {
                let range = lines.range(span);
                let delta_line = range.start.line - line;
                let delta_start = if delta_line == 0 {
                    range.start.character - column
                } else {
                    range.start.character
                };
                data.push(lsp::SemanticToken {
                    delta_line,
                    delta_start,
                    length: range.end.character.saturating_sub(range.start.character),
                    token_type: kind,
                    token_modifiers_bitset: 0,
                });
                line = range.start.line;
                column = range.start.character;
            }
            data
        })?;
        to_value(lsp::SemanticTokens {
            result_id: None,
            data,
        })
    }

    /// Quick fixes: the suggestion of a diagnostic's help ("did you mean
    /// `x`?") in place of what it points at, and for `stale-review` a
    /// revision line dated today.
    fn code_actions(&self, params: lsp::CodeActionParams) -> Answer {
        let uri = params.text_document.uri;
        let open = self.buffer(&uri)?;
        let decoded = Source::from_text(&open.path, &open.text).text;
        let lines = LineIndex::new(&decoded, self.encoding);
        let wanted = lines.span(params.range);
        let mut actions = Vec::new();
        for d in self.diagnostics(&uri, open) {
            let span = lines.span(d.range);
            if span.end < wanted.start || span.start > wanted.end {
                continue;
            }
            let Some(lsp::NumberOrString::String(code)) = d.code.clone() else {
                continue;
            };
            let mut fix = |title: String, edit: lsp::TextEdit| {
                actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title,
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![d.clone()]),
                    edit: Some(lsp::WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                        ..Default::default()
                    }),
                    is_preferred: Some(true),
                    ..Default::default()
                }));
            };
            if let Some(suggestion) = suggestion(&d.message) {
                let current = decoded.get(span.start..span.end).unwrap_or_default();
                if !current.is_empty() && current != suggestion {
                    fix(
                        format!("Change `{current}` to `{suggestion}`"),
                        lsp::TextEdit {
                            range: d.range,
                            new_text: suggestion,
                        },
                    );
                }
            }
            if code == "suspicious-branch" {
                if let Some(corrected) = quoted_after(&d.message, "If it is a branch, write `") {
                    fix(
                        format!("Make it the branch `{corrected}`"),
                        lsp::TextEdit {
                            range: d.range,
                            new_text: corrected,
                        },
                    );
                }
                fix(
                    "Keep it as text: start the line with `\\`".into(),
                    lsp::TextEdit {
                        range: lsp::Range::new(d.range.start, d.range.start),
                        new_text: "\\".into(),
                    },
                );
            }
            if code == "single-option" {
                let source = Source::from_text(&open.path, &open.text);
                let doc = crate::syntax::parse(&source);
                use crate::syntax::keywords::{spelling, Word};
                let line = format!(
                    "{} -> {}",
                    spelling(Word::Otherwise, doc.dialect),
                    spelling(Word::Next, doc.dialect)
                );
                let indent = lines.line_before(span.start);
                let at = lsp::Position::new(d.range.end.line + 1, 0);
                fix(
                    format!("Add `{line}`"),
                    lsp::TextEdit {
                        range: lsp::Range::new(at, at),
                        new_text: format!("{indent}{line}\n"),
                    },
                );
            }
            if code == "stale-review" {
                if let Some(edit) = self.revision_line(&decoded, &lines) {
                    fix(format!("Add a revision dated {}", self.today), edit);
                }
            }
        }
        to_value(actions)
    }

    /// A revision line dated today at the end of `revisions:`, one minor
    /// version up from the last.
    fn revision_line(&self, text: &str, lines: &LineIndex<'_>) -> Option<lsp::TextEdit> {
        let source = Source::from_text("<buffer>", text);
        let doc = crate::syntax::parse(&source);
        let section = doc.section(crate::ast::SectionKind::Revisions)?;
        let last = doc.revisions().last()?;
        let version = next_version(last.version.value);
        let indent = {
            let before = lines.line_before(last.span.start);
            before.len() - before.trim_start().len()
        };
        let author = last.author.map(|a| a.value).unwrap_or("");
        // At the start of the line after the section's last line.
        let mut at = section.span.end;
        let rest = &source.text[at..];
        if rest.starts_with("\r\n") {
            at += 2;
        } else if rest.starts_with('\n') {
            at += 1;
        }
        let prefix = if at == source.text.len() && !source.text.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        let line = if author.is_empty() {
            format!(
                "{prefix}{}{version}  {}: Reviewed\n",
                " ".repeat(indent),
                self.today
            )
        } else {
            format!(
                "{prefix}{}{version}  {}  {author}: Reviewed\n",
                " ".repeat(indent),
                self.today
            )
        };
        let position = lines.position(at);
        Some(lsp::TextEdit {
            range: lsp::Range::new(position, position),
            new_text: line,
        })
    }
}

/// The text between `prefix` (which ends with a backtick) and the next
/// backtick.
fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let at = message.find(prefix)? + prefix.len();
    let rest = &message[at..];
    let end = rest.find('`')?;
    (end > 0).then(|| rest[..end].to_string())
}

/// The `x` of "did you mean `x`?" in a diagnostic's text.
fn suggestion(message: &str) -> Option<String> {
    let lower = message.to_lowercase();
    let at = lower.find("did you mean `")? + "did you mean `".len();
    let rest = &message[at..];
    let end = rest.find('`')?;
    let suggestion = &rest[..end];
    (!suggestion.is_empty()).then(|| suggestion.to_string())
}

/// `1.2` → `1.3`, `V2.0.3` → `V2.0.4`; anything else gets `.1` appended.
fn next_version(version: &str) -> String {
    let digits = version.len() - version.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return format!("{version}.1");
    }
    let (head, tail) = version.split_at(version.len() - digits);
    let next = tail.parse::<u64>().map_or(1, |n| n.saturating_add(1));
    format!("{head}{next}")
}

/// The parameters of `sop/preview`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PreviewParams {
    text_document: lsp::TextDocumentIdentifier,
}

impl Server {
    /// `sop/preview`: the page `sop render --to html` makes of the buffer.
    /// For a buffer with errors, the last page it had without them (or
    /// `null`), marked `stale`, with the diagnostics.
    fn preview(&mut self, params: PreviewParams) -> Answer {
        let uri = params.text_document.uri;
        let open = self.buffer(&uri)?;
        let diagnostics = self.diagnostics(&uri, open);
        let errors = diagnostics
            .iter()
            .any(|d| d.severity == Some(lsp::DiagnosticSeverity::ERROR));
        if !errors {
            let source = Source::from_text(&open.path, &open.text);
            let doc = crate::syntax::parse(&source);
            let workflow = crate::model::Workflow::from_document(&doc);
            let context = crate::render::RenderContext {
                default_review: self.project.config.default_review,
                sop_link: &|_| None,
                today: Some(self.today),
            };
            let html =
                crate::render::Renderer::render(&crate::render::html::Html, &workflow, &context);
            self.previews.insert(uri.clone(), html);
        }
        Ok(json!({
            "html": self.previews.get(&uri),
            "stale": errors,
            "diagnostics": diagnostics,
        }))
    }
}

fn sop_hover(summary: &Summary) -> String {
    let mut out = format!("**{}: {}**", summary.id, summary.title);
    if let Some(owner) = &summary.owner {
        out.push_str(&format!("\n\nOwner: {owner}"));
    }
    if !summary.purpose.is_empty() {
        out.push_str("\n\n");
        out.push_str(&summary.purpose);
    }
    out
}

fn path_of(uri: &Url) -> PathBuf {
    uri.to_file_path()
        .unwrap_or_else(|_| PathBuf::from(uri.path()))
}

fn parse<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, Failure> {
    serde_json::from_value(params).map_err(|e| Failure::invalid(e.to_string()))
}

fn to_value(value: impl serde::Serialize) -> Answer {
    serde_json::to_value(value).map_err(|e| Failure(ErrorCode::InternalError, e.to_string()))
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

fn respond(id: RequestId, answer: Answer) -> Response {
    match answer {
        Ok(value) => Response::new_ok(id, value),
        Err(Failure(code, message)) => Response::new_err(id, code as i32, message),
    }
}

fn internal_error(id: RequestId, method: &str, what: &str) -> Response {
    Response::new_err(
        id,
        ErrorCode::InternalError as i32,
        format!("sop lsp: internal error in {method}: {what}"),
    )
}
