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
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: None,
            message: format!("cannot read the file: {e}"),
        })?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let err = |line: Option<usize>, message: String| ConfigError {
            path: path.to_path_buf(),
            line,
            message,
        };
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
    fn comment_only_file_is_defaults() {
        let config = Config::parse(Path::new("sop.yaml"), "# project root\n").unwrap();
        assert_eq!(config.default_review.iso(), "P12M");
    }
}
