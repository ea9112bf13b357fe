//! `sop handbook --serve`: a preview server on localhost. Not for production:
//! deploy the directory to any static host instead.
//!
//! The server is small, and bounded so that neither a hostile web page in
//! the browser nor a misbehaving local program can make it use unbounded
//! threads, memory or time ([`Limits`] holds the numbers):
//!
//! - It listens on `127.0.0.1` only, and answers only requests whose `Host:`
//!   is `localhost`, `127.0.0.1` or `[::1]`, with or without a port. Any
//!   other name gets `421 Misdirected Request`: a web page on a hostile name
//!   that resolves to 127.0.0.1 (DNS rebinding) cannot read the site.
//! - One I/O thread accepts connections and reads their requests without
//!   blocking, so an idle connection costs a socket and no thread. At most
//!   [`Limits::max_pending`] connections may be waiting for their request;
//!   past that, the one that has waited longest is closed. A request must
//!   arrive whole within [`Limits::request_timeout`] (`408` otherwise).
//! - A fixed pool of [`Limits::workers`] threads answers the requests that
//!   have arrived, through a queue of [`Limits::queue`] requests (`503` when
//!   it is full). Each write must progress within [`Limits::write_timeout`]
//!   and a whole response end within [`Limits::response_deadline`].
//! - The request line may be [`Limits::max_request_line`] bytes long (`414`
//!   past that) and the header fields [`Limits::max_header_bytes`] in all
//!   (`431`); nothing more is kept in memory. Only `GET` and `HEAD` are
//!   answered (`405` otherwise), and a request may not have a body (`413`).
//! - One request per connection (`Connection: close`). Files are streamed,
//!   not read whole, and every response says `Cache-Control: no-cache`,
//!   `X-Content-Type-Options: nosniff` and a Content-Security-Policy that
//!   allows the site's own scripts, stylesheets and images and nothing else.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mio::{Events, Interest, Poll, Token, Waker};

/// The policy sent with every response: the site's own scripts (the search
/// index is a set of script files), its stylesheets and inline `style`
/// attributes (the flowcharts have some), its images (the logo), a search
/// form that submits to the site itself, and nothing else.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// How much the server does at once, and how long it waits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Threads answering requests.
    pub workers: usize,
    /// Requests that have arrived and wait for a worker; past that, `503`.
    pub queue: usize,
    /// Connections whose request has not arrived yet; past that, the oldest
    /// of them is closed.
    pub max_pending: usize,
    /// The longest request line (`GET /path HTTP/1.1`), in bytes.
    pub max_request_line: usize,
    /// The longest header section (every field and the blank line), in bytes.
    pub max_header_bytes: usize,
    /// The time a request has to arrive whole, from the connection.
    pub request_timeout: Duration,
    /// The time one write of a response may block.
    pub write_timeout: Duration,
    /// The time a whole response may take.
    pub response_deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            workers: 8,
            queue: 64,
            max_pending: 256,
            max_request_line: 8 * 1024,
            max_header_bytes: 16 * 1024,
            request_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            response_deadline: Duration::from_secs(300),
        }
    }
}

/// Serves `root` on `127.0.0.1:port` (any free port for 0) until the
/// process is stopped, after printing the address on standard error.
pub fn serve(root: &Path, port: u16) -> io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let server = Server::start(listener, root, Limits::default())?;
    eprintln!(
        "Serving {} at http://{}/ (preview only; press Ctrl-C to stop)",
        root.display(),
        server.local_addr()
    );
    server.wait()
}

/// A running server; dropping it stops it.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    waker: Waker,
    io: Option<JoinHandle<io::Result<()>>>,
    workers: Vec<JoinHandle<()>>,
}

/// What the threads share.
struct Shared {
    /// The site, canonical.
    root: PathBuf,
    limits: Limits,
    port: u16,
    stopping: AtomicBool,
    /// The connections the workers are answering, to close them on stop.
    active: Mutex<HashMap<u64, TcpStream>>,
    next_active: AtomicU64,
}

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);
const FIRST_CONNECTION: usize = 2;

impl Server {
    /// Serves the files under `root` on `listener` (which should be bound to
    /// a loopback address) from new threads, until [`Server::stop`].
    pub fn start(listener: TcpListener, root: &Path, limits: Limits) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let root = root.canonicalize()?;
        let limits = Limits {
            workers: limits.workers.max(1),
            queue: limits.queue.max(1),
            max_pending: limits.max_pending.max(1),
            ..limits
        };
        listener.set_nonblocking(true)?;
        let poll = Poll::new()?;
        let waker = Waker::new(poll.registry(), WAKER)?;
        let mut source = mio::net::TcpListener::from_std(listener.try_clone()?);
        poll.registry()
            .register(&mut source, LISTENER, Interest::READABLE)?;
        let shared = Arc::new(Shared {
            root,
            port: addr.port(),
            limits,
            stopping: AtomicBool::new(false),
            active: Mutex::new(HashMap::new()),
            next_active: AtomicU64::new(0),
        });
        let (jobs, inbox) = mpsc::sync_channel(shared.limits.queue);
        let inbox = Arc::new(Mutex::new(inbox));
        let mut server = Server {
            addr,
            shared: shared.clone(),
            waker,
            io: None,
            workers: Vec::new(),
        };
        for n in 0..shared.limits.workers {
            let (inbox, shared) = (inbox.clone(), shared.clone());
            let worker = std::thread::Builder::new()
                .name(format!("sop-serve-{n}"))
                .spawn(move || work(&inbox, &shared))?;
            server.workers.push(worker);
        }
        let io = Io {
            poll,
            listener,
            source,
            jobs,
            pending: BTreeMap::new(),
            next: FIRST_CONNECTION,
            shared,
        };
        server.io = Some(
            std::thread::Builder::new()
                .name("sop-serve-io".into())
                .spawn(move || io.run())?,
        );
        Ok(server)
    }

    /// The address the server answers on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes every connection and waits for the threads.
    pub fn stop(mut self) {
        self.shutdown();
    }

    /// Serves until the server fails (it does not stop otherwise).
    pub fn wait(mut self) -> io::Result<()> {
        let result = match self.io.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the server's thread stopped")),
            None => Ok(()),
        };
        self.shutdown();
        result
    }

    fn shutdown(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        let _ = self.waker.wake();
        for stream in lock(&self.shared.active).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        if let Some(io) = self.io.take() {
            let _ = io.join();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Why a request is not answered with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    BadRequest(&'static str),
    WrongHost,
    MethodNotAllowed,
    Timeout,
    BodyNotAllowed,
    UriTooLong,
    HeadersTooLarge,
    TooManyHeaders,
    Busy,
}

impl Refusal {
    fn status(self) -> &'static str {
        match self {
            Refusal::BadRequest(_) => "400 Bad Request",
            Refusal::WrongHost => "421 Misdirected Request",
            Refusal::MethodNotAllowed => "405 Method Not Allowed",
            Refusal::Timeout => "408 Request Timeout",
            Refusal::BodyNotAllowed => "413 Content Too Large",
            Refusal::UriTooLong => "414 URI Too Long",
            Refusal::HeadersTooLarge | Refusal::TooManyHeaders => {
                "431 Request Header Fields Too Large"
            }
            Refusal::Busy => "503 Service Unavailable",
        }
    }

    fn message(self, limits: &Limits, port: u16) -> String {
        match self {
            Refusal::BadRequest(why) => format!("Bad request: {why}.\n"),
            Refusal::WrongHost => format!(
                "This preview server answers only requests for localhost, 127.0.0.1 or [::1]: \
                 open http://127.0.0.1:{port}/ instead.\n"
            ),
            Refusal::MethodNotAllowed => {
                "Only GET and HEAD are answered: this preview server only serves files.\n".into()
            }
            Refusal::Timeout => format!(
                "The request did not arrive within {} seconds.\n",
                limits.request_timeout.as_secs()
            ),
            Refusal::BodyNotAllowed => {
                "A request may not have a body: this preview server only serves files.\n".into()
            }
            Refusal::UriTooLong => format!(
                "The request line is longer than {} bytes.\n",
                limits.max_request_line
            ),
            Refusal::HeadersTooLarge => format!(
                "The request's header fields are longer than {} bytes in all.\n",
                limits.max_header_bytes
            ),
            Refusal::TooManyHeaders => {
                format!("The request has more than {MAX_HEADERS} header fields.\n")
            }
            Refusal::Busy => "The preview server is busy; try again.\n".into(),
        }
    }
}

/// The most header fields a request may have.
const MAX_HEADERS: usize = 100;

/// A request's head as it arrives, with the limits checked on every byte.
#[derive(Debug, Default)]
struct HeadReader {
    bytes: Vec<u8>,
    /// The length of the line being read, without CR and LF.
    line: usize,
    /// Where the header fields start, once the request line has ended.
    fields_start: Option<usize>,
}

/// What reading from a connection came to.
#[derive(Debug)]
enum Progress {
    /// The head is not complete yet.
    More,
    /// The client closed the connection or it failed.
    Closed,
    /// The whole head (request line, fields and the blank line).
    Head(Vec<u8>),
    Refused(Refusal),
}

impl HeadReader {
    fn feed(&mut self, data: &[u8], limits: &Limits) -> Progress {
        for &b in data {
            self.bytes.push(b);
            match b {
                b'\n' => {
                    match self.fields_start {
                        // Empty lines before the request line are allowed
                        // (RFC 9112, 2.2); they count towards its length.
                        None if self.line > 0 => self.fields_start = Some(self.bytes.len()),
                        Some(_) if self.line == 0 => {
                            return Progress::Head(std::mem::take(&mut self.bytes))
                        }
                        _ => {}
                    }
                    self.line = 0;
                }
                b'\r' => {}
                _ => self.line += 1,
            }
            match self.fields_start {
                None if self.bytes.len() > limits.max_request_line => {
                    return Progress::Refused(Refusal::UriTooLong)
                }
                Some(start) if self.bytes.len() - start > limits.max_header_bytes => {
                    return Progress::Refused(Refusal::HeadersTooLarge)
                }
                _ => {}
            }
        }
        Progress::More
    }
}

/// A connection whose request is still arriving.
struct Pending {
    /// The connection, non-blocking while it is here.
    stream: TcpStream,
    /// A handle on the same socket, registered with the poll.
    source: mio::net::TcpStream,
    head: HeadReader,
    deadline: Instant,
}

/// A request for a worker: its connection and its head, or why it is refused.
struct Job {
    stream: TcpStream,
    head: Result<Vec<u8>, Refusal>,
}

/// The I/O thread: accepts connections and reads their requests.
struct Io {
    poll: Poll,
    listener: TcpListener,
    source: mio::net::TcpListener,
    jobs: SyncSender<Job>,
    /// By token, which grows: the first is the oldest, with the earliest
    /// deadline.
    pending: BTreeMap<usize, Pending>,
    next: usize,
    shared: Arc<Shared>,
}

impl Io {
    fn run(mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(256);
        let result = loop {
            let timeout = self
                .pending
                .first_key_value()
                .map(|(_, p)| p.deadline.saturating_duration_since(Instant::now()));
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                break Err(e);
            }
            if self.shared.stopping.load(Ordering::SeqCst) {
                break Ok(());
            }
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept_all(),
                    WAKER => {}
                    Token(id) => self.read(id),
                }
            }
            self.expire();
        };
        let _ = self.poll.registry().deregister(&mut self.source);
        result
    }

    fn accept_all(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => self.admit(stream),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // WouldBlock: all taken. Anything else (out of file
                // descriptors): the next connection brings a new event.
                Err(_) => return,
            }
        }
    }

    fn admit(&mut self, stream: TcpStream) {
        if self.pending.len() >= self.shared.limits.max_pending {
            if let Some((_, oldest)) = self.pending.pop_first() {
                self.close(oldest);
            }
        }
        let Ok(source) = stream
            .set_nonblocking(true)
            .and_then(|()| stream.try_clone())
        else {
            return;
        };
        let mut source = mio::net::TcpStream::from_std(source);
        let id = self.next;
        self.next += 1;
        if self
            .poll
            .registry()
            .register(&mut source, Token(id), Interest::READABLE)
            .is_err()
        {
            return;
        }
        let deadline = Instant::now() + self.shared.limits.request_timeout;
        self.pending.insert(
            id,
            Pending {
                stream,
                source,
                head: HeadReader::default(),
                deadline,
            },
        );
        // The request may be there already.
        self.read(id);
    }

    /// Reads what connection `id` has sent, until it would block.
    fn read(&mut self, id: usize) {
        let Some(pending) = self.pending.get_mut(&id) else {
            return;
        };
        let mut chunk = [0u8; 4096];
        let progress = loop {
            match (&pending.stream).read(&mut chunk) {
                Ok(0) => break Progress::Closed,
                Ok(n) => match pending.head.feed(&chunk[..n], &self.shared.limits) {
                    Progress::More => {}
                    done => break done,
                },
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(_) => break Progress::Closed,
            }
        };
        let Some(pending) = self.pending.remove(&id) else {
            return;
        };
        match progress {
            Progress::Head(head) => self.hand_over(pending, Ok(head)),
            Progress::Refused(refusal) => self.hand_over(pending, Err(refusal)),
            Progress::More | Progress::Closed => self.close(pending),
        }
    }

    /// Closes the connections whose request is late: with `408` if some of
    /// it came, silently if none did.
    fn expire(&mut self) {
        let now = Instant::now();
        while let Some(entry) = self.pending.first_entry() {
            if entry.get().deadline > now {
                break;
            }
            let pending = entry.remove();
            if pending.head.bytes.is_empty() {
                self.close(pending);
            } else {
                self.hand_over(pending, Err(Refusal::Timeout));
            }
        }
    }

    fn close(&mut self, mut pending: Pending) {
        let _ = self.poll.registry().deregister(&mut pending.source);
    }

    /// Gives a connection whose head has arrived to the workers.
    fn hand_over(&mut self, mut pending: Pending, head: Result<Vec<u8>, Refusal>) {
        let _ = self.poll.registry().deregister(&mut pending.source);
        let stream = pending.stream;
        let limits = &self.shared.limits;
        if stream.set_nonblocking(false).is_err()
            || stream
                .set_write_timeout(Some(limits.write_timeout))
                .is_err()
        {
            return;
        }
        match self.jobs.try_send(Job { stream, head }) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(job)) => {
                // A short answer into an empty socket buffer: it does not
                // block, and the timeout makes sure of it.
                let mut stream = job.stream;
                let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
                let _ = refuse(&mut stream, Refusal::Busy, limits, self.shared.port);
            }
        }
    }
}

/// A worker: answers the requests handed over, one at a time.
fn work(inbox: &Mutex<Receiver<Job>>, shared: &Shared) {
    loop {
        let job = match lock(inbox).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let id = shared.next_active.fetch_add(1, Ordering::Relaxed);
        if let Ok(clone) = job.stream.try_clone() {
            lock(&shared.active).insert(id, clone);
        }
        if !shared.stopping.load(Ordering::SeqCst) {
            let _ = answer(shared, job);
        }
        lock(&shared.active).remove(&id);
    }
}

fn answer(shared: &Shared, job: Job) -> io::Result<()> {
    let Job { mut stream, head } = job;
    let refusal = match head.and_then(|head| parse(&head)) {
        Ok(request) => return respond(shared, &mut stream, &request),
        Err(refusal) => refusal,
    };
    refuse(&mut stream, refusal, &shared.limits, shared.port)?;
    // The client may still be sending (a long line, a body): read and drop
    // a bounded amount first, or closing with unread data would reset the
    // connection before the client reads the answer.
    stream.shutdown(Shutdown::Write)?;
    let until = Instant::now() + Duration::from_secs(2);
    let mut chunk = [0u8; 16 * 1024];
    let mut left: usize = 16 << 20;
    while left > 0 {
        let now = Instant::now();
        if now >= until {
            break;
        }
        stream.set_read_timeout(Some(until - now))?;
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => left = left.saturating_sub(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    Ok(())
}

/// A request the server answers.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    head_only: bool,
    /// The path, with the query and fragment cut off, percent-decoded.
    path: String,
}

fn parse(head: &[u8]) -> Result<Request, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(Refusal::BadRequest("incomplete request")),
        Err(httparse::Error::TooManyHeaders) => return Err(Refusal::TooManyHeaders),
        Err(_) => return Err(Refusal::BadRequest("malformed request")),
    }
    let head_only = match request.method {
        Some("GET") => false,
        Some("HEAD") => true,
        _ => return Err(Refusal::MethodNotAllowed),
    };
    let field = |name: &'static str| {
        request
            .headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
    };
    let mut hosts = field("host");
    match (hosts.next(), hosts.next()) {
        (None, _) => return Err(Refusal::BadRequest("no Host header")),
        (Some(_), Some(_)) => return Err(Refusal::BadRequest("more than one Host header")),
        (Some(host), None) if !is_local_host(host.value) => return Err(Refusal::WrongHost),
        _ => {}
    }
    let has_body = field("transfer-encoding").next().is_some()
        || field("content-length").any(|h| h.value.trim_ascii() != b"0");
    if has_body {
        return Err(Refusal::BodyNotAllowed);
    }
    let target = request.path.unwrap_or("");
    if !target.starts_with('/') {
        return Err(Refusal::BadRequest("the target must be a path"));
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    Ok(Request {
        head_only,
        path: percent_decode(path),
    })
}

/// `localhost`, `127.0.0.1` or `[::1]`, each with or without `:port`.
fn is_local_host(value: &[u8]) -> bool {
    let value = value.trim_ascii();
    let rest = ["localhost", "127.0.0.1", "[::1]"].iter().find_map(|name| {
        let n = name.len();
        (value.len() >= n && value[..n].eq_ignore_ascii_case(name.as_bytes())).then(|| &value[n..])
    });
    match rest {
        Some([]) => true,
        Some([b':', port @ ..]) => {
            !port.is_empty() && port.len() <= 5 && port.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

fn respond(shared: &Shared, stream: &mut TcpStream, request: &Request) -> io::Result<()> {
    let deadline = Instant::now() + shared.limits.response_deadline;
    if let Some(path) = resolve(&shared.root, &request.path) {
        if let Ok(file) = File::open(&path) {
            return send_file(
                stream,
                "200 OK",
                content_type(&path),
                file,
                request.head_only,
                deadline,
            );
        }
    }
    match File::open(shared.root.join("404.html")) {
        Ok(file) => send_file(
            stream,
            "404 Not Found",
            "text/html; charset=utf-8",
            file,
            request.head_only,
            deadline,
        ),
        Err(_) => {
            let body = b"Not found.\n";
            write_head(
                stream,
                "404 Not Found",
                "text/plain; charset=utf-8",
                body.len() as u64,
                "",
            )?;
            if !request.head_only {
                stream.write_all(body)?;
            }
            stream.flush()
        }
    }
}

/// Streams `file` in pieces, so a large file is never held in memory.
fn send_file(
    stream: &mut TcpStream,
    status: &str,
    kind: &str,
    mut file: File,
    head_only: bool,
    deadline: Instant,
) -> io::Result<()> {
    let len = file.metadata()?.len();
    write_head(stream, status, kind, len, "")?;
    if head_only {
        return stream.flush();
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        if Instant::now() > deadline {
            return Err(io::ErrorKind::TimedOut.into());
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = file.read(&mut buf[..want])?;
        if n == 0 {
            // The file shrank: end the connection short of the length sent.
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        stream.write_all(&buf[..n])?;
        left -= n as u64;
    }
    stream.flush()
}

fn refuse(stream: &mut TcpStream, refusal: Refusal, limits: &Limits, port: u16) -> io::Result<()> {
    let body = refusal.message(limits, port);
    let extra = match refusal {
        Refusal::MethodNotAllowed => "Allow: GET, HEAD\r\n",
        Refusal::Busy => "Retry-After: 1\r\n",
        _ => "",
    };
    write_head(
        stream,
        refusal.status(),
        "text/plain; charset=utf-8",
        body.len() as u64,
        extra,
    )?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

fn write_head(
    stream: &mut TcpStream,
    status: &str,
    kind: &str,
    len: u64,
    extra: &str,
) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\n\
         Content-Type: {kind}\r\n\
         Content-Length: {len}\r\n\
         Connection: close\r\n\
         Cache-Control: no-cache\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: {CONTENT_SECURITY_POLICY}\r\n\
         Cross-Origin-Resource-Policy: same-origin\r\n\
         Referrer-Policy: no-referrer\r\n\
         {extra}\r\n"
    );
    stream.write_all(head.as_bytes())
}

/// Maps a URL path to a file under `root` (canonical), refusing anything
/// that escapes it, by `..` or through a symbolic link.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for part in Path::new(url_path.trim_start_matches('/')).components() {
        match part {
            Component::Normal(p) => path.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if path.is_dir() {
        path.push("index.html");
    }
    let real = path.canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join("index.html"), "x").unwrap();
        assert!(resolve(&root, "/").is_some());
        assert!(resolve(&root, "/index.html").is_some());
        assert!(resolve(&root, "/../etc/passwd").is_none());
        assert!(resolve(&root, "/missing.html").is_none());
        assert_eq!(percent_decode("/sop/%E6%8A%95.html"), "/sop/投.html");
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_out_of_the_root_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("site")).unwrap();
        std::fs::write(root.join("secret.txt"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("secret.txt"), root.join("site/s.txt")).unwrap();
        assert!(resolve(&root.join("site"), "/s.txt").is_none());
        assert!(resolve(&root, "/site/s.txt").is_some());
    }

    #[test]
    fn only_local_host_names() {
        for ok in [
            "localhost",
            "LocalHost:8000",
            "127.0.0.1",
            "127.0.0.1:1",
            "[::1]",
            "[::1]:65535",
            " localhost ",
        ] {
            assert!(is_local_host(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "localhost.evil.example",
            "localhost:",
            "localhost:80a",
            "localhost:123456",
            "127.0.0.1.nip.io",
            "127.0.0.2",
            "[::1]x",
            "0.0.0.0",
        ] {
            assert!(!is_local_host(bad.as_bytes()), "{bad}");
        }
    }

    fn limits() -> Limits {
        Limits {
            max_request_line: 20,
            max_header_bytes: 30,
            ..Limits::default()
        }
    }

    #[test]
    fn the_head_is_read_byte_by_byte_within_the_limits() {
        let mut head = HeadReader::default();
        let text = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\nextra";
        let mut done = None;
        for b in text {
            match head.feed(&[*b], &limits()) {
                Progress::More => {}
                other => {
                    done = Some(other);
                    break;
                }
            }
        }
        match done {
            Some(Progress::Head(h)) => assert_eq!(h, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            other => panic!("{other:?}"),
        }
        let mut head = HeadReader::default();
        match head.feed(&[b'a'; 21], &limits()) {
            Progress::Refused(Refusal::UriTooLong) => {}
            other => panic!("{other:?}"),
        }
        let mut head = HeadReader::default();
        match head.feed(
            b"GET / HTTP/1.1\nX: 0123456789012345678901234567",
            &limits(),
        ) {
            Progress::Refused(Refusal::HeadersTooLarge) => {}
            other => panic!("{other:?}"),
        }
        let mut head = HeadReader::default();
        assert!(matches!(
            head.feed(b"\r\nGET / HTTP/1.0\n\n", &limits()),
            Progress::Head(_)
        ));
    }

    #[test]
    fn requests_are_parsed_and_refused() {
        let get = parse(b"GET /a%20b?q=1 HTTP/1.1\r\nHost: localhost:8000\r\n\r\n").unwrap();
        assert_eq!(
            get,
            Request {
                head_only: false,
                path: "/a b".into()
            }
        );
        assert!(
            parse(b"HEAD / HTTP/1.1\r\nHost: [::1]\r\n\r\n")
                .unwrap()
                .head_only
        );
        let cases: [(&[u8], Refusal); 7] = [
            (
                b"POST / HTTP/1.1\r\nHost: localhost\r\n\r\n",
                Refusal::MethodNotAllowed,
            ),
            (
                b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n",
                Refusal::WrongHost,
            ),
            (
                b"GET / HTTP/1.1\r\n\r\n",
                Refusal::BadRequest("no Host header"),
            ),
            (
                b"GET / HTTP/1.1\r\nHost: localhost\r\nhost: localhost\r\n\r\n",
                Refusal::BadRequest("more than one Host header"),
            ),
            (
                b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\n",
                Refusal::BodyNotAllowed,
            ),
            (
                b"GET / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n",
                Refusal::BodyNotAllowed,
            ),
            (
                b"GET http://localhost/ HTTP/1.1\r\nHost: localhost\r\n\r\n",
                Refusal::BadRequest("the target must be a path"),
            ),
        ];
        for (head, refusal) in cases {
            assert_eq!(
                parse(head),
                Err(refusal),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
        assert!(parse(b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n").is_ok());
    }
}
