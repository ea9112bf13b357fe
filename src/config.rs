//! The project configuration file, `sop.yaml`.
//!
//! ```yaml
//! review: every 12 months     # default review cadence
//! rules:                      # severity per rule: error, warning or off
//!   unused-role: off
//!   stale-review: error
//! exclude:                    # gitignore-style patterns, relative to this file
//!   - archive/
//! handbook:                   # `sop handbook`
//!   title: Customer Service Handbook
//!   logo: assets/logo.svg     # an image inside this folder, relative to this file
//!   groups:                   # folder → heading, in this order
//!     support: Customer support
//!     billing: Billing and payments
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::Severity;
use crate::values::Cadence;

pub const FILE_NAME: &str = "sop.yaml";

/// The largest configuration file read: a real one is a few hundred bytes.
pub const MAX_SIZE: u64 = 1024 * 1024;

/// How deeply a configuration may nest (block indentation levels, list
/// items and flow brackets together); the format itself needs four. Deeper
/// files are rejected before parsing: the YAML parser's time grows faster
/// than linearly with the depth.
pub const MAX_DEPTH: usize = 32;

/// A loaded configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from, `None` for the defaults.
    pub path: Option<PathBuf>,
    pub default_review: Cadence,
    /// Per rule: the severity to report at, or `None` for off.
    pub rules: BTreeMap<String, Option<Severity>>,
    pub exclude: Vec<String>,
    pub handbook: HandbookConfig,
}

/// The `handbook:` settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandbookConfig {
    /// The site's title.
    pub title: Option<String>,
    /// An image file, relative to `sop.yaml`, shown in the page header;
    /// checked by [`Config::handbook_logo`] when a handbook is built.
    pub logo: Option<PathBuf>,
    /// The line of `logo:` in `sop.yaml`, for messages.
    #[serde(skip)]
    pub logo_line: Option<usize>,
    /// Folder (relative to the handbook's directory) → group heading, in
    /// the order the index shows them. Other folders follow alphabetically.
    #[serde(default)]
    pub groups: Vec<(String, String)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            default_review: Cadence {
                count: 12,
                unit: crate::values::CalendarUnit::Month,
            },
            rules: BTreeMap::new(),
            exclude: Vec::new(),
            handbook: HandbookConfig::default(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    review: Option<String>,
    #[serde(default)]
    rules: BTreeMap<String, RawSeverity>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    handbook: Option<RawHandbook>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHandbook {
    title: Option<String>,
    logo: Option<PathBuf>,
    #[serde(default)]
    groups: serde_yaml::Mapping,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RawSeverity {
    Error,
    Warning,
    Off,
}

/// A configuration file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Finds `sop.yaml` in `start` or its nearest ancestor holding one.
    pub fn find(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        use std::io::Read;
        let err = |message: String| ConfigError {
            path: path.to_path_buf(),
            line: None,
            message,
        };
        let file =
            std::fs::File::open(path).map_err(|e| err(format!("cannot read the file: {e}")))?;
        // One byte more than allowed tells a file that is too large.
        let mut bytes = Vec::new();
        file.take(MAX_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| err(format!("cannot read the file: {e}")))?;
        if bytes.len() as u64 > MAX_SIZE {
            return Err(too_large(path));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| err("the file is not UTF-8 text; save it as UTF-8".into()))?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let err = |line: Option<usize>, message: String| ConfigError {
            path: path.to_path_buf(),
            line,
            message,
        };
        if text.len() as u64 > MAX_SIZE {
            return Err(too_large(path));
        }
        if let Some(line) = too_deep(text) {
            return Err(err(
                Some(line),
                format!("the file nests more than {MAX_DEPTH} levels deep; a configuration needs no more than four (`handbook:` › `groups:` › folder), so check the brackets and indentation from this line on"),
            ));
        }
        // An empty file, or one holding only comments, is the defaults.
        let raw: RawConfig = if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            RawConfig {
                review: None,
                rules: BTreeMap::new(),
                exclude: Vec::new(),
                handbook: None,
            }
        } else {
            serde_yaml::from_str(text).map_err(|e| {
                let line = e.location().map(|l| l.line());
                let message = e.to_string();
                // serde_yaml appends " at line N column M"; the line is given separately.
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_string();
                err(line, message)
            })?
        };
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1);
        let mut config = Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        if let Some(review) = raw.review {
            config.default_review = Cadence::parse(&review).ok_or_else(|| {
                err(
                    line_of("review"),
                    format!("`review: {review}` is not a review cadence; write it like `every 12 months`, `every year`, `每年`, `évente` or `P1Y`"),
                )
            })?;
        }
        for (code, severity) in raw.rules {
            if crate::rules::rule(&code).is_none() {
                let hint = crate::rules::code_hint(&code);
                return Err(err(line_of(&code), format!("unknown rule `{code}`{hint}")));
            }
            let severity = match severity {
                RawSeverity::Error => Some(Severity::Error),
                RawSeverity::Warning => Some(Severity::Warning),
                RawSeverity::Off => None,
            };
            config.rules.insert(code, severity);
        }
        for pattern in &raw.exclude {
            let mut builder =
                ignore::gitignore::GitignoreBuilder::new(path.parent().unwrap_or(Path::new(".")));
            if let Err(e) = builder.add_line(None, pattern) {
                return Err(err(
                    line_of(pattern),
                    format!("invalid exclude pattern `{pattern}`: {e}"),
                ));
            }
        }
        config.exclude = raw.exclude;
        if let Some(handbook) = raw.handbook {
            let mut groups = Vec::new();
            for (folder, title) in handbook.groups {
                match (folder.as_str(), title.as_str()) {
                    (Some(f), Some(t)) => groups.push((f.trim_matches('/').to_string(), t.to_string())),
                    _ => {
                        return Err(err(
                            line_of("groups"),
                            "`handbook: groups:` maps folder names to headings, such as `support: Customer support`".into(),
                        ))
                    }
                }
            }
            config.handbook = HandbookConfig {
                title: handbook.title,
                logo_line: handbook.logo.as_ref().and_then(|_| line_of("logo:")),
                logo: handbook.logo,
                groups,
            };
        }
        Ok(config)
    }

    /// Reads and checks `handbook: logo:`: the file must lie inside the
    /// project (the folder of `sop.yaml`, after resolving `..` and symbolic
    /// links) and be an image, by its extension and by its content, of at
    /// most [`LOGO_LIMIT`] bytes; an SVG must hold no script. Anything else
    /// is a configuration error, so no other file of the machine can be
    /// published with the site.
    pub fn handbook_logo(&self) -> Result<Option<Logo>, ConfigError> {
        let Some(logo) = &self.handbook.logo else {
            return Ok(None);
        };
        let config = self
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(FILE_NAME));
        let err = |message: String| ConfigError {
            path: config.clone(),
            line: self.handbook.logo_line,
            message: format!("handbook: logo: `{}` {message}", logo.display()),
        };
        let root = self
            .root()
            .map(|r| {
                if r.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    r
                }
            })
            .unwrap_or(Path::new("."));
        let root = root
            .canonicalize()
            .map_err(|e| err(format!("cannot be looked up: {e}")))?;
        let file = root.join(logo).canonicalize().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                err(format!(
                    "does not exist (the path is relative to {FILE_NAME})"
                ))
            } else {
                err(format!("cannot be read: {e}"))
            }
        })?;
        if !file.starts_with(&root) {
            return Err(err(format!(
                "lies outside the project, the folder of {FILE_NAME}; put the logo inside it"
            )));
        }
        let kind = file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .and_then(|e| match e.as_str() {
                "png" => Some(ImageKind::Png),
                "jpg" | "jpeg" => Some(ImageKind::Jpeg),
                "gif" => Some(ImageKind::Gif),
                "svg" => Some(ImageKind::Svg),
                "webp" => Some(ImageKind::Webp),
                "ico" => Some(ImageKind::Ico),
                _ => None,
            })
            .ok_or_else(|| {
                err(
                    "is not an image file: name a .png, .jpg, .gif, .svg, .webp or .ico file"
                        .into(),
                )
            })?;
        let meta = std::fs::metadata(&file).map_err(|e| err(format!("cannot be read: {e}")))?;
        if !meta.is_file() {
            return Err(err(format!(
                "is {}, not an image file",
                crate::output::kind(&meta)
            )));
        }
        if meta.len() > LOGO_LIMIT {
            return Err(err(format!(
                "is larger than {} MB; use a smaller image",
                LOGO_LIMIT >> 20
            )));
        }
        let bytes = std::fs::read(&file).map_err(|e| err(format!("cannot be read: {e}")))?;
        if ImageKind::sniff(&bytes) != Some(kind) {
            return Err(err(format!(
                "is not {}: its content is not that of such an image",
                kind.name()
            )));
        }
        if kind == ImageKind::Svg {
            if let Some(found) = svg_danger(&bytes) {
                return Err(err(format!(
                    "is an SVG image with {found}, which could run code in the handbook; remove it from the image"
                )));
            }
        }
        Ok(Some(Logo {
            bytes,
            extension: kind.extension(),
        }))
    }

    /// The directory the configuration applies to.
    pub fn root(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// The effective severity of a rule: the configured one, else its default.
    pub fn severity(&self, rule: &crate::rules::Rule) -> Option<Severity> {
        self.rules
            .get(rule.code)
            .copied()
            .unwrap_or(Some(rule.default_severity))
    }
}

/// The largest logo accepted, in bytes.
pub const LOGO_LIMIT: u64 = 10 << 20;

/// The handbook's logo, checked: an image from inside the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub bytes: Vec<u8>,
    /// `png`, `jpg`, `gif`, `svg`, `webp` or `ico`.
    pub extension: &'static str,
}

impl Logo {
    /// The name it is published under in the site's `assets/`:
    /// `logo-<hash of the content>.<extension>`, which no file of the site
    /// has, and which changes with the image, so caches see a new logo.
    pub fn file_name(&self) -> String {
        // FNV-1a, 64 bits: stable across releases and platforms.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in &self.bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("logo-{hash:016x}.{}", self.extension)
    }
}

/// The image formats a logo may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImageKind {
    Png,
    Jpeg,
    Gif,
    Svg,
    Webp,
    Ico,
}

impl ImageKind {
    /// The format of an image from its first bytes (its "magic number");
    /// for SVG, a text whose first element is `<svg`.
    fn sniff(bytes: &[u8]) -> Option<ImageKind> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Some(ImageKind::Png);
        }
        if bytes.starts_with(b"\xff\xd8\xff") {
            return Some(ImageKind::Jpeg);
        }
        if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            return Some(ImageKind::Gif);
        }
        if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            return Some(ImageKind::Webp);
        }
        if bytes.len() >= 6 && bytes.starts_with(b"\0\0\x01\0") && bytes[4..6] != [0, 0] {
            return Some(ImageKind::Ico);
        }
        is_svg(bytes).then_some(ImageKind::Svg)
    }

    fn name(self) -> &'static str {
        match self {
            ImageKind::Png => "a PNG image",
            ImageKind::Jpeg => "a JPEG image",
            ImageKind::Gif => "a GIF image",
            ImageKind::Svg => "an SVG image",
            ImageKind::Webp => "a WebP image",
            ImageKind::Ico => "an icon (.ico)",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::Gif => "gif",
            ImageKind::Svg => "svg",
            ImageKind::Webp => "webp",
            ImageKind::Ico => "ico",
        }
    }
}

/// Whether `bytes` are an SVG document: UTF-8 text whose first element,
/// after an XML declaration, comments and a doctype, is `<svg`.
fn is_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        let skip = if rest.starts_with("<?") {
            rest.find("?>").map(|i| i + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else if rest.starts_with("<!") {
            rest.find('>').map(|i| i + 1)
        } else {
            break;
        };
        match skip {
            Some(i) => rest = rest[i..].trim_start(),
            None => return false,
        }
    }
    rest.strip_prefix("<svg")
        .and_then(|r| r.chars().next())
        .is_some_and(|c| c.is_whitespace() || c == '>' || c == '/')
}

/// What in an SVG could run code when the file is opened from the site:
/// a script element, an event handler attribute (`onload=`…), a
/// `javascript:` URL, or embedded HTML. Numeric character references are
/// decoded first and, for URLs, the whitespace browsers ignore is removed,
/// so `&#106;ava&#x09;script:` is found too.
fn svg_danger(bytes: &[u8]) -> Option<&'static str> {
    let text = decode_references(&String::from_utf8_lossy(bytes)).to_ascii_lowercase();
    if text.contains("<script") {
        return Some("a <script> element");
    }
    if text.contains("<foreignobject") {
        return Some("a <foreignObject> element");
    }
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect();
    if squeezed.contains("javascript:") || squeezed.contains("vbscript:") {
        return Some("a javascript: URL");
    }
    if squeezed.contains("data:text/html") || squeezed.contains("data:application/xhtml") {
        return Some("an embedded HTML document");
    }
    // An attribute `on…=` in a tag: `on` after whitespace, a quote or `/`
    // (which separate attributes), letters, then `=` (maybe after spaces).
    let b = text.as_bytes();
    let mut in_tag = false;
    for i in 0..b.len() {
        match b[i] {
            b'<' => in_tag = true,
            b'>' => in_tag = false,
            b'o' if in_tag
                && i > 0
                && b.get(i + 1) == Some(&b'n')
                && matches!(
                    b[i - 1],
                    b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'"' | b'\'' | b'/'
                ) =>
            {
                let mut j = i + 2;
                while j < b.len() && b[j].is_ascii_alphabetic() {
                    j += 1;
                }
                while j > i + 2 && j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j > i + 2 && b.get(j) == Some(&b'=') {
                    return Some("an event handler attribute (on…=)");
                }
            }
            _ => {}
        }
    }
    None
}

/// `text` with numeric character references (`&#106;`, `&#x6A;`) decoded.
fn decode_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let (digits, radix) = match after.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (after, 10),
        };
        let len = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        let value = (len > 0)
            .then(|| u32::from_str_radix(&digits[..len], radix).ok())
            .flatten()
            .and_then(char::from_u32);
        match value {
            Some(c) => {
                out.push(c);
                let consumed = &digits[len..];
                rest = consumed.strip_prefix(';').unwrap_or(consumed);
            }
            None => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn too_large(path: &Path) -> ConfigError {
    ConfigError {
        path: path.to_path_buf(),
        line: None,
        message: format!(
            "the file is larger than {} MB; a configuration is a few lines, so check that this is the right file",
            MAX_SIZE / (1024 * 1024)
        ),
    }
}

/// The 1-based line where the text first nests more than [`MAX_DEPTH`]
/// levels, if it does: a linear scan that counts open flow brackets (`[`,
/// `{`) and block levels (deeper indentation, and each `- ` or `? ` that
/// starts a nested item), skipping quoted strings and comments. It
/// over-counts rather than under-counts: it is a bound, not a parser.
fn too_deep(text: &str) -> Option<usize> {
    // Columns at which the open block levels start.
    let mut blocks: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<u8> = None;
    for (index, line) in text.split('\n').enumerate() {
        let bytes = line.as_bytes();
        let mut i = 0;
        if flow == 0 && quote.is_none() {
            let indent = bytes.iter().take_while(|&&b| b == b' ').count();
            let rest = &bytes[indent..];
            if rest.is_empty() || rest[0] == b'#' || rest == b"\r" {
                continue;
            }
            while blocks.last().is_some_and(|&c| c >= indent) {
                blocks.pop();
            }
            blocks.push(indent);
            i = indent;
            // `- - - x`: each indicator opens a level on the same line.
            while i + 1 < bytes.len() && matches!(bytes[i], b'-' | b'?') && bytes[i + 1] == b' ' {
                i += 2;
                while i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
                blocks.push(i);
            }
        }
        let mut previous = b' ';
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) if b == q => {
                    // `''` inside single quotes is an escaped quote.
                    if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                        i += 1;
                    } else {
                        quote = None;
                    }
                }
                Some(b'"') if b == b'\\' => i += 1,
                Some(_) => {}
                None => match b {
                    b'#' if previous == b' ' || previous == b'\t' => break,
                    b'\'' | b'"'
                        if matches!(previous, b' ' | b'\t' | b'[' | b'{' | b',' | b':') =>
                    {
                        quote = Some(b)
                    }
                    b'[' | b'{' => flow += 1,
                    b']' | b'}' => flow = flow.saturating_sub(1),
                    _ => {}
                },
            }
            if blocks.len() + flow > MAX_DEPTH {
                return Some(index + 1);
            }
            previous = b;
            i += 1;
        }
        if blocks.len() + flow > MAX_DEPTH {
            return Some(index + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_config() {
        let text = "review: every 6 months\nrules:\n  unused-role: off\n  stale-review: error\nexclude:\n  - archive/\n";
        let config = Config::parse(Path::new("sop.yaml"), text).unwrap();
        assert_eq!(config.default_review.iso(), "P6M");
        assert_eq!(config.rules["unused-role"], None);
        assert_eq!(config.rules["stale-review"], Some(Severity::Error));
        assert_eq!(config.exclude, vec!["archive/".to_string()]);
    }

    #[test]
    fn the_default_review_may_be_written_in_chinese_or_hungarian() {
        for (text, iso) in [
            ("review: 每半年\n", "P6M"),
            ("review: negyedévente\n", "P3M"),
        ] {
            let config = Config::parse(Path::new("sop.yaml"), text).unwrap();
            assert_eq!(config.default_review.iso(), iso, "{text}");
        }
    }

    #[test]
    fn errors_name_their_line() {
        let cases = [
            (
                "review: every 6 months\nrules:\n  unused-role: sometimes\n",
                3,
                "unknown variant",
            ),
            (
                "rules:\n  unusd-role: off\n",
                2,
                "did you mean `unused-role`",
            ),
            ("review: often\n", 1, "not a review cadence"),
            ("colour: blue\n", 1, "unknown field"),
            ("rules: [\n", 1, "expected a map"),
            ("review: every year\nexclude:\n  - a\n - b\n", 4, ""),
        ];
        for (text, line, needle) in cases {
            let e = Config::parse(Path::new("sop.yaml"), text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text:?}: {e}");
            assert!(e.message.contains(needle), "{text:?}: {e}");
        }
    }

    #[test]
    fn handbook_settings() {
        let text = "handbook:\n  title: Service Handbook\n  logo: logo.svg\n  groups:\n    support: Customer support\n    billing/: Billing\n";
        let config = Config::parse(Path::new("sop.yaml"), text).unwrap();
        assert_eq!(config.handbook.title.as_deref(), Some("Service Handbook"));
        assert_eq!(config.handbook.logo, Some(PathBuf::from("logo.svg")));
        assert_eq!(
            config.handbook.groups,
            vec![
                ("support".to_string(), "Customer support".to_string()),
                ("billing".to_string(), "Billing".to_string())
            ]
        );
        let bad = Config::parse(Path::new("sop.yaml"), "handbook:\n  colour: red\n").unwrap_err();
        assert_eq!(bad.line, Some(2), "{bad}");
    }

    #[test]
    fn images_are_known_by_their_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(ImageKind::sniff(png), Some(ImageKind::Png));
        assert_eq!(
            ImageKind::sniff(b"\xff\xd8\xff\xe0JFIF"),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(ImageKind::sniff(b"GIF89a...."), Some(ImageKind::Gif));
        assert_eq!(
            ImageKind::sniff(b"RIFF\x10\0\0\0WEBPVP8 "),
            Some(ImageKind::Webp)
        );
        assert_eq!(
            ImageKind::sniff(b"\0\0\x01\0\x01\0\x10\x10"),
            Some(ImageKind::Ico)
        );
        let svg = "\u{feff}<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<!DOCTYPE svg>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert_eq!(ImageKind::sniff(svg.as_bytes()), Some(ImageKind::Svg));
        for not_an_image in [
            &b"API_KEY=hunter2\n"[..],
            b"",
            b"<svgx/>",
            b"<html><svg/></html>",
            b"<!-- never closed <svg/>",
            b"RIFF\0\0\0\0WAVE",
            b"\0\0\x01\0\0\0",
        ] {
            assert_eq!(ImageKind::sniff(not_an_image), None, "{not_an_image:?}");
        }
    }

    #[test]
    fn svg_that_could_run_code_is_found() {
        let danger = [
            "<svg><script>alert(1)</script></svg>",
            "<svg><SCRIPT src=x></SCRIPT></svg>",
            "<svg onload=\"alert(1)\"/>",
            "<svg/onload=alert(1)>",
            "<svg><rect ONclick = 'x'/></svg>",
            "<svg><a href=\"javascript:alert(1)\"><rect/></a></svg>",
            "<svg><a href=\"&#106;ava&#x09;script&#58;alert(1)\"/></svg>",
            "<svg><a href=\"java\nscript:x\"/></svg>",
            "<svg><set attributeName=\"href\" to=\"javascript:x\"/></svg>",
            "<svg><foreignObject><div/></foreignObject></svg>",
            "<svg><a href=\"data:text/html,<b>x</b>\"/></svg>",
        ];
        for svg in danger {
            assert!(svg_danger(svg.as_bytes()).is_some(), "{svg}");
        }
        let fine = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"#0a0\"/></svg>",
            "<svg><text>Go on = now &#169; 2026</text><stop offset=\"1\"/></svg>",
            "<svg><g id=\"one\" class=\"onward\"/></svg>",
        ];
        for svg in fine {
            assert_eq!(svg_danger(svg.as_bytes()), None, "{svg}");
        }
        assert_eq!(
            decode_references("&#106;&#x61;&#X76;&#;&#xZZ;&#99999999999;"),
            "jav&#;&#xZZ;&#99999999999;"
        );
    }

    #[test]
    fn logo_names_depend_on_the_content_only() {
        let a = Logo {
            bytes: b"one".to_vec(),
            extension: "png",
        };
        let b = Logo {
            bytes: b"two".to_vec(),
            extension: "png",
        };
        assert!(a.file_name().starts_with("logo-") && a.file_name().ends_with(".png"));
        assert_eq!(a.file_name().len(), "logo-".len() + 16 + ".png".len());
        assert_ne!(a.file_name(), b.file_name());
        assert_eq!(a.file_name(), a.clone().file_name());
    }

    #[test]
    fn deep_nesting_is_rejected_before_parsing() {
        let deep = |text: &str| Config::parse(Path::new("sop.yaml"), text).unwrap_err();
        let flow = format!("exclude: {}{}\n", "[".repeat(45_000), "]".repeat(45_000));
        let e = deep(&flow);
        assert_eq!(e.line, Some(1), "{e}");
        assert!(e.message.contains("nests more than 32 levels"), "{e}");
        let mut block = String::from("handbook:\n");
        for level in 1..40 {
            block.push_str(&" ".repeat(level * 2));
            block.push_str(&format!("k{level}:\n"));
        }
        assert_eq!(deep(&block).line, Some(33));
        let dashes = format!("exclude:\n  {}x\n", "- ".repeat(40));
        assert_eq!(deep(&dashes).line, Some(2));
        let spread = format!("exclude: {}\n{}\n", "[".repeat(20), "[".repeat(20));
        assert_eq!(deep(&spread).line, Some(2));
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = format!(
            "# {open}\nhandbook:\n  title: '{open}'\n  groups:\n    a: \"{open} \\\" {open}\"  # {open}\nexclude: ['{open}/']\n",
            open = "[".repeat(100)
        );
        let config = Config::parse(Path::new("sop.yaml"), &text).unwrap();
        assert_eq!(config.handbook.title, Some("[".repeat(100)));
        assert_eq!(too_deep("exclude:\n  - [a, {b: [c]}]\n"), None);
    }

    #[test]
    fn large_files_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut text = "# padding\n".repeat(110_000);
        text.push_str("review: every year\n");
        std::fs::write(&path, &text).unwrap();
        let e = Config::load(&path).unwrap_err();
        assert!(e.message.contains("larger than 1 MB"), "{e}");
        let e = Config::parse(&path, &text).unwrap_err();
        assert!(e.message.contains("larger than 1 MB"), "{e}");
        std::fs::write(&path, "review: every year\n").unwrap();
        assert!(Config::load(&path).is_ok());
    }

    #[test]
    fn comment_only_file_is_defaults() {
        let config = Config::parse(Path::new("sop.yaml"), "# project root\n").unwrap();
        assert_eq!(config.default_review.iso(), "P12M");
    }
}
