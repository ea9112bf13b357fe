//! `sop handbook --serve`: the preview server, started in-process on a free
//! port of 127.0.0.1 (and stopped by each test), and as `sop handbook
//! --serve --port 0` in a child process, whose threads and memory are read
//! from `/proc/<pid>/status` (the test process's own are shared with the
//! tests running beside it).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sop::handbook::{Limits, Server, CONTENT_SECURITY_POLICY};

const INDEX: &str = "<!DOCTYPE html><title>Index</title><p>the index</p>\n";
const CHINESE: &str = "<!DOCTYPE html><title>投诉</title><p>投诉处理</p>\n";

/// A site in `dir/site`, with a secret next to it that must not be served.
fn site(dir: &Path) -> std::path::PathBuf {
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("sop")).unwrap();
    std::fs::write(site.join("index.html"), INDEX).unwrap();
    std::fs::write(site.join("404.html"), "<p>no such page</p>\n").unwrap();
    std::fs::write(site.join("sop/投诉.html"), CHINESE).unwrap();
    std::fs::write(dir.join("secret.txt"), "the secret\n").unwrap();
    site
}

fn start(root: &Path, limits: Limits) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    Server::start(listener, root, limits).unwrap()
}

/// An answer: the status code, the head, the body.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads an answer until the server closes the connection.
fn read_answer(stream: &mut TcpStream) -> Answer {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            // A reset after the whole answer came is fine.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset && !bytes.is_empty() => break,
            Err(e) => panic!("reading the answer: {e} (after {} bytes)", bytes.len()),
        }
    }
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(&bytes)));
    let head = String::from_utf8(bytes[..end].to_vec()).unwrap();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head}"));
    Answer {
        status,
        head,
        body: bytes[end + 4..].to_vec(),
    }
}

/// Asserts that the server closes `stream` (within 3 seconds) without a
/// word.
#[track_caller]
fn assert_closed(stream: &mut TcpStream, what: &str) {
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        other => panic!("{what} is still open: {other:?}"),
    }
}

fn request(addr: SocketAddr, raw: &[u8]) -> Answer {
    let mut stream = connect(addr);
    stream.write_all(raw).unwrap();
    read_answer(&mut stream)
}

fn get(addr: SocketAddr, path: &str) -> Answer {
    request(
        addr,
        format!(
            "GET {path} HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
            addr.port()
        )
        .as_bytes(),
    )
}

#[test]
fn serves_files_with_their_type_and_safe_headers() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&site(dir.path()), Limits::default());
    let addr = server.local_addr();

    let index = get(addr, "/");
    assert_eq!(index.status, 200, "{index:?}");
    assert_eq!(index.text(), INDEX);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        index.header("content-length"),
        Some(INDEX.len().to_string().as_str())
    );
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    assert_eq!(
        index.header("content-security-policy"),
        Some(CONTENT_SECURITY_POLICY)
    );
    assert_eq!(get(addr, "/index.html?q=x#top").text(), INDEX);

    let chinese = get(addr, "/sop/%E6%8A%95%E8%AF%89.html");
    assert_eq!(chinese.status, 200, "{chinese:?}");
    assert_eq!(chinese.text(), CHINESE);

    let head = request(
        addr,
        b"HEAD /sop/%E6%8A%95%E8%AF%89.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    );
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(CHINESE.len().to_string().as_str())
    );
    assert!(head.body.is_empty(), "HEAD has no body: {head:?}");

    let missing = get(addr, "/nowhere.html");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.text(), "<p>no such page</p>\n");
    server.stop();
}

#[test]
fn paths_out_of_the_site_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&site(dir.path()), Limits::default());
    let addr = server.local_addr();
    for path in [
        "/../secret.txt",
        "/sop/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/sop/..%2f..%2fsecret.txt",
        "//secret.txt",
    ] {
        let answer = get(addr, path);
        assert_eq!(answer.status, 404, "{path}: {answer:?}");
        assert!(!answer.text().contains("the secret"), "{path}");
    }
    server.stop();
}

#[test]
fn only_requests_for_localhost_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&site(dir.path()), Limits::default());
    let addr = server.local_addr();
    let port = addr.port();
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
    ] {
        let answer = request(
            addr,
            format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
        );
        assert_eq!(answer.status, 421, "{host}: {answer:?}");
        assert!(!answer.text().contains("the index"));
        assert!(
            answer
                .text()
                .contains(&format!("open http://127.0.0.1:{port}/")),
            "{}",
            answer.text()
        );
    }
    for host in [
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let answer = request(
            addr,
            format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
        );
        assert_eq!(answer.status, 200, "{host}: {answer:?}");
        assert_eq!(answer.text(), INDEX);
    }
    let no_host = request(addr, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(no_host.status, 400, "{no_host:?}");
    server.stop();
}

#[test]
fn only_get_and_head_without_a_body() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&site(dir.path()), Limits::default());
    let addr = server.local_addr();
    let post = request(
        addr,
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello",
    );
    assert_eq!(post.status, 405, "{post:?}");
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let delete = request(
        addr,
        b"DELETE /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert_eq!(delete.status, 405);

    let body = request(
        addr,
        b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello",
    );
    assert_eq!(body.status, 413, "{body:?}");
    let chunked = request(
        addr,
        b"GET / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    );
    assert_eq!(chunked.status, 413, "{chunked:?}");
    let garbage = request(addr, b"\x00\x01\x02 nonsense\r\n\r\n");
    assert_eq!(garbage.status, 400, "{garbage:?}");
    server.stop();
}

/// Sends `head` (which may be far larger than the server reads) from a
/// thread, and reads the answer meanwhile.
fn request_streaming(addr: SocketAddr, head: Vec<u8>) -> Answer {
    let mut stream = connect(addr);
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        for piece in head.chunks(64 * 1024) {
            if writer.write_all(piece).is_err() {
                break;
            }
        }
    });
    let answer = read_answer(&mut stream);
    sender.join().unwrap();
    answer
}

#[test]
fn a_long_request_line_gets_414() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&site(dir.path()), Limits::default());
    let addr = server.local_addr();
    let mut line = b"GET /".to_vec();
    line.resize(1 << 20, b'a');
    line.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let answer = request_streaming(addr, line);
    assert_eq!(answer.status, 414, "{answer:?}");
    assert!(answer.text().contains("longer than 8192 bytes"));
    // And it still answers.
    assert_eq!(get(addr, "/").status, 200);
    server.stop();
}

#[test]
fn large_headers_are_answered_and_huge_ones_get_431() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&site(dir.path()), Limits::default());
    let addr = server.local_addr();
    let with_cookie = |size: usize| {
        format!(
            "GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\nCookie: c={}\r\nUser-Agent: test\r\n\r\n",
            "x".repeat(size)
        )
        .into_bytes()
    };
    let large = request_streaming(addr, with_cookie(12 * 1024));
    assert_eq!(large.status, 200, "{large:?}");
    assert_eq!(large.text(), INDEX);

    let huge = request_streaming(addr, with_cookie(100 * 1024));
    assert_eq!(huge.status, 431, "{huge:?}");

    let many: String = (0..200).map(|i| format!("X-{i}: {i}\r\n")).collect();
    let too_many = request(
        addr,
        format!("GET / HTTP/1.1\r\nHost: localhost\r\n{many}\r\n").as_bytes(),
    );
    assert_eq!(too_many.status, 431, "{too_many:?}");
    server.stop();
}

#[test]
fn slow_and_idle_connections_time_out() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        request_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = start(&site(dir.path()), limits);
    let addr = server.local_addr();
    let started = Instant::now();
    let partial = {
        let mut stream = connect(addr);
        stream.write_all(b"GET / HT").unwrap();
        read_answer(&mut stream)
    };
    assert_eq!(partial.status, 408, "{partial:?}");
    assert_closed(&mut connect(addr), "an idle connection");
    assert!(started.elapsed() < Duration::from_secs(5));
    server.stop();
}

#[test]
fn the_oldest_waiting_connection_makes_room() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_pending: 4,
        ..Limits::default()
    };
    let server = start(&site(dir.path()), limits);
    let addr = server.local_addr();
    let mut idle: Vec<TcpStream> = (0..4).map(|_| connect(addr)).collect();
    // Let the server take them in order before the next one comes.
    std::thread::sleep(Duration::from_millis(200));
    let answer = get(addr, "/");
    assert_eq!(answer.status, 200);
    assert_closed(&mut idle[0], "the oldest idle connection");
    server.stop();
}

#[test]
fn stop_closes_connections_and_the_port() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&site(dir.path()), Limits::default());
    let addr = server.local_addr();
    let mut idle: Vec<TcpStream> = (0..20).map(|_| connect(addr)).collect();
    let mut partial = connect(addr);
    partial.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    let started = Instant::now();
    server.stop();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "stop took {:?}",
        started.elapsed()
    );
    for stream in idle.iter_mut().chain([&mut partial]) {
        assert_closed(stream, "a connection open when the server stopped");
    }
    assert!(TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err());
}

/// `sop handbook examples -o DIR --serve --port 0`, killed when dropped.
struct Serving {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
    site: std::path::PathBuf,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serving {
    fn start() -> Serving {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let mut child = Command::new(env!("CARGO_BIN_EXE_sop"))
            .args(["handbook", "examples", "-o"])
            .arg(&site)
            .args(["--serve", "--port", "0", "--today", "2026-01-01"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("CI", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (lines, inbox) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut serving = Serving {
            child,
            addr: "127.0.0.1:1".parse().unwrap(),
            _dir: dir,
            site,
        };
        let mut seen = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = inbox
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no address printed; stderr: {seen:#?}"));
            if let Some(rest) = line.split("http://").nth(1) {
                let addr = rest.split('/').next().unwrap();
                serving.addr = addr.parse().unwrap();
                assert_ne!(serving.addr.port(), 0, "{line}");
                return serving;
            }
            seen.push(line);
        }
    }

    /// A field of `/proc/<pid>/status`, as a number (kB for sizes).
    fn status(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {field} in {status}"))
    }
}

#[test]
fn handbook_serve_on_port_0_prints_its_address_and_answers() {
    let serving = Serving::start();
    let index = get(serving.addr, "/");
    assert_eq!(index.status, 200, "{index:?}");
    assert_eq!(
        index.body,
        std::fs::read(serving.site.join("index.html")).unwrap()
    );
    let css = get(serving.addr, "/assets/site.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let evil = request(
        serving.addr,
        b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n",
    );
    assert_eq!(evil.status, 421);
}

#[cfg(target_os = "linux")]
#[test]
fn idle_connections_take_no_threads_and_block_no_one() {
    let serving = Serving::start();
    let addr = serving.addr;
    assert_eq!(get(addr, "/").status, 200);
    let threads = serving.status("Threads");
    let idle: Vec<TcpStream> = (0..300).map(|_| connect(addr)).collect();
    let started = Instant::now();
    let answer = get(addr, "/");
    let took = started.elapsed();
    assert_eq!(answer.status, 200);
    assert!(took < Duration::from_secs(3), "answered after {took:?}");
    let now = serving.status("Threads");
    assert!(
        now <= threads,
        "{threads} threads before 300 idle connections, {now} with them"
    );
    drop(idle);
}

#[cfg(target_os = "linux")]
#[test]
fn a_huge_request_line_does_not_grow_the_server() {
    let serving = Serving::start();
    let addr = serving.addr;
    assert_eq!(get(addr, "/").status, 200);
    let peak = serving.status("VmHWM");
    let mut line = b"GET /".to_vec();
    line.resize(100 << 20, b'a');
    let answer = request_streaming(addr, line);
    assert_eq!(answer.status, 414, "{answer:?}");
    let after = serving.status("VmHWM");
    assert!(
        after < peak + 16 * 1024,
        "the peak memory grew from {peak} kB to {after} kB"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn large_files_are_streamed() {
    let serving = Serving::start();
    let addr = serving.addr;
    assert_eq!(get(addr, "/").status, 200);
    let size: u64 = 200 << 20;
    let big = std::fs::File::create(serving.site.join("big.bin")).unwrap();
    big.set_len(size).unwrap();
    drop(big);
    let peak = serving.status("VmHWM");
    let mut stream = connect(addr);
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line);
    }
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.contains(&format!("Content-Length: {size}\r\n")),
        "{head}"
    );
    assert!(head.contains("Content-Type: application/octet-stream"));
    let got = std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
    assert_eq!(got, size);
    let after = serving.status("VmHWM");
    assert!(
        after < peak + 16 * 1024,
        "the peak memory grew from {peak} kB to {after} kB serving a {size}-byte file"
    );
}

/// The site's own scripts, search index, stylesheets and flowcharts work
/// under the policy the server sends, in a real browser.
#[test]
fn the_served_handbook_works_under_its_content_security_policy() {
    let Some(browser) = crate::support::chromium(module_path!(), 1280, 1600) else {
        return;
    };
    let serving = Serving::start();
    let base = format!("http://{}/", serving.addr);
    let tab = browser.new_tab().unwrap();
    tab.navigate_to(&format!("{base}index.html?q=%E6%8A%95%E8%AF%89"))
        .unwrap();
    tab.wait_until_navigated().unwrap();
    tab.wait_for_element("#search-results li a").unwrap();
    let results = tab
        .evaluate(
            "Array.from(document.querySelectorAll('#search-results li a')).map(a => a.textContent).join('\\n')",
            false,
        )
        .unwrap()
        .value
        .unwrap();
    assert!(
        results.as_str().unwrap().contains("CS-012"),
        "searching 投诉 over HTTP finds the complaint procedure: {results}"
    );

    tab.navigate_to(&format!("{base}sop/CS-012.html")).unwrap();
    tab.wait_until_navigated().unwrap();
    tab.wait_for_element("svg.flowchart").unwrap();
    let styled = tab
        .evaluate(
            "[document.styleSheets.length, getComputedStyle(document.querySelector('svg.flowchart')).maxWidth, \
              document.querySelector('svg.flowchart').getAttribute('style')].join(' ')",
            false,
        )
        .unwrap()
        .value
        .unwrap();
    let styled = styled.as_str().unwrap();
    let parts: Vec<&str> = styled.splitn(3, ' ').collect();
    assert_eq!(parts[0], "2", "both stylesheets load: {styled}");
    assert_eq!(
        Some(parts[1]),
        parts[2].strip_prefix("max-width:"),
        "the flowchart's style attribute applies: {styled}"
    );
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let out = crate::support::sop(&[
        "handbook",
        "examples",
        "-o",
        site.to_str().unwrap(),
        "--serve",
        "--port",
        &port,
    ])
    .env("CI", "1")
    .run();
    out.code(2);
    assert!(
        out.stderr
            .contains(&format!("sop: cannot serve on port {port}:")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--port 0"), "{}", out.stderr);
}
