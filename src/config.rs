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
//!   logo: assets/logo.svg     # relative to this file
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
    /// An image file, relative to `sop.yaml`, shown in the page header.
    pub logo: Option<PathBuf>,
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
                    format!("`review: {review}` is not a review cadence; write it like `every 12 months`, `every year` or `every 90 days`"),
                )
            })?;
        }
        for (code, severity) in raw.rules {
            if crate::rules::rule(&code).is_none() {
                let codes = crate::rules::RULES.iter().map(|r| r.code);
                let hint = crate::rules::did_you_mean(&code, codes)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| "; `sop explain --list` lists them".to_string());
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
                logo: handbook.logo,
                groups,
            };
        }
        Ok(config)
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
