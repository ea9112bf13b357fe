//! `sop new ID TITLE [--language en|zh|hu] [-o FILE]`: a skeleton SOP.
//!
//! The skeleton is written in the keywords of its language (the first
//! spelling of each in the keyword tables), with a short comment above each
//! part saying what goes there, and placeholder text in the same language.
//! It passes `sop check` as written: version 1.0, status draft, effective
//! today, reviewed every year, one role used by both steps, a decision with
//! a way to the end, and a first revision dated today.

use std::path::{Path, PathBuf};

use crate::ids::is_valid_id;
use crate::output::write_new;
use crate::terminal::sanitize_for_terminal;
use crate::values::Date;

use super::{fail, print, EXIT_CLEAN};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  sop new CS-001 \"Handle customer complaints\"
      writes CS-001.sop in the current folder
  sop new 厨房-003 厨房收尾 --language zh -o kitchen/
      writes kitchen/厨房-003.sop
  sop new CS-001 \"Handle customer complaints\" -o - | less
      prints it

sop new never overwrites a file: when the file exists, nothing is written.")]
pub struct Args {
    /// The SOP's id: one word of letters, digits, `_`, `.` and `-`, such
    /// as CS-001 (other SOPs link to it as [[CS-001]]).
    id: String,
    /// The SOP's title, such as "Handle customer complaints".
    title: String,
    /// The language of the keywords, the comments and the placeholder text.
    #[arg(long, value_enum, default_value_t = Language::En)]
    language: Language,
    /// Where to write it (default: `<ID>.sop` in the current folder): a new
    /// file, or a folder to write `<ID>.sop` in; `-` prints it instead.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The date written as `effective:` and as the first revision's date
    /// (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    today: Option<Date>,
}

/// The languages a skeleton can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Language {
    /// English.
    En,
    /// Chinese (中文): Chinese keywords, `：` after them.
    Zh,
    /// Hungarian (magyar): Hungarian keywords.
    Hu,
}

pub fn run(args: Args) -> u8 {
    let title = args.title.trim();
    if !is_valid_id(&args.id) {
        return fail(format!(
            "`{}` is not a valid SOP id: an id is one word of letters, digits, `_`, `.` and `-`, \
             starting with a letter, digit or `_`, such as CS-001 or 厨房-003",
            args.id
        ));
    }
    if title.is_empty() || title.chars().any(char::is_control) {
        return fail(
            "the title must be one line of text, such as \"Handle customer complaints\" \
             (in quotes, so that the shell passes it as one argument)",
        );
    }
    let today = args.today.unwrap_or_else(Date::today);
    let text = skeleton(&args.id, title, args.language, today);
    let path = match args.output.as_deref() {
        Some(out) if out == Path::new("-") => {
            return match print(&text) {
                Ok(()) => EXIT_CLEAN,
                Err(e) => fail(format!("cannot write the output: {e}")),
            };
        }
        Some(dir) if dir.is_dir() || names_a_folder(dir) => dir.join(format!("{}.sop", args.id)),
        Some(file) => file.to_path_buf(),
        None => PathBuf::from(format!("{}.sop", args.id)),
    };
    let shown = path.display().to_string();
    if let Err(e) = write_new(&path, text.as_bytes()) {
        return fail(match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!(
                "{shown} already exists, and sop new never overwrites a file; \
                 nothing was written. Choose another file with -o FILE, or move the existing one away"
            ),
            _ => format!("cannot write {shown}: {e}"),
        });
    }
    eprintln!(
        "Created {}. Fill it in, then check it with: sop check {}",
        sanitize_for_terminal(&shown),
        sanitize_for_terminal(&shell_word(&shown))
    );
    EXIT_CLEAN
}

/// Whether `path` ends with a path separator (`kitchen/`): a folder, which
/// is created when it does not exist.
fn names_a_folder(path: &Path) -> bool {
    path.as_os_str()
        .to_string_lossy()
        .ends_with(std::path::is_separator)
}

/// `path` as one word for a shell: quoted when it holds anything but
/// letters, digits and `._-/`.
fn shell_word(path: &str) -> String {
    let plain = path
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'));
    if plain && !path.is_empty() {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}

/// The skeleton of SOP `id` titled `title`, in `language`, effective
/// `today`.
pub fn skeleton(id: &str, title: &str, language: Language, today: Date) -> String {
    let template = match language {
        Language::En => EN,
        Language::Zh => ZH,
        Language::Hu => HU,
    };
    let today = today.to_string();
    // One pass over the template, so that nothing in the id or the title is
    // read as a placeholder.
    let mut out = String::with_capacity(template.len() + title.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let (value, len) = if after.starts_with("{id}") {
            (id, 4)
        } else if after.starts_with("{title}") {
            (title, 7)
        } else if after.starts_with("{today}") {
            (today.as_str(), 7)
        } else {
            ("{", 1)
        };
        out.push_str(value);
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

const EN: &str = "\
# A new SOP. Replace the text of each part, then check the file with
# `sop check`. Lines starting with # are comments.
sop {id}: {title}
# About the procedure: its version, the person or role accountable for it,
# its status (draft, active or retired), the date it takes effect, how
# often it is reviewed, and the language it is written in.
version: 1.0
owner: Process owner
status: draft
effective: {today}
review: every year
language: en

# Why the procedure exists: the result it secures, in a sentence or two.
purpose:
  Describe why this procedure exists and what it achieves.

# Who follows it, and in which situations it applies.
scope:
  Describe who follows this procedure and when it applies.

# The people involved, one line each: `id: description`. A step names the
# people who carry it out with `role:`.
roles:
  operator: The person who carries out the steps

# What to do, in order. A step is `step id: title`, then who does it, what
# to do, and where to go next: `if … -> step`, `otherwise -> step`, or
# `-> end`. A step without such a line goes on to the next step.
steps:
  step check: Check the situation
    role: operator
    Describe what to check first.
    ask: Is this procedure needed?
    if no -> end
    otherwise -> act

  step act: Do the work
    role: operator
    Describe what to do, one instruction per line.
    -> end

# Documents to read with this one, one per line (leave the part out when
# there are none). Link another SOP as [[ID]].
references:
  - A related document or link

# One line per change, oldest first: version, date, author: what changed.
# With every change, add a line and raise `version:` to match.
revisions:
  1.0  {today}  Process owner: Created
";

const ZH: &str = "\
# 新的标准作业程序。请替换各部分的文字，然后用 `sop check` 检查本文件。
# 以 # 开头的行是注释。
sop {id}: {title}
# 程序的基本信息：版本、负责的人员或岗位、状态（草稿、生效或废止）、
# 生效日期、审核周期，以及编写所用的语言。
版本：1.0
负责人：流程负责人
状态：草稿
生效日期：{today}
审核周期：每年
语言：zh

# 为什么需要这个程序：它要保证的结果，一两句话即可。
目的：
  说明本程序的目的和要达到的结果。

# 谁执行本程序，在哪些情况下适用。
范围：
  说明谁执行本程序，以及在哪些情况下适用。

# 参与的人员，每人一行：“标识：说明”。步骤用“角色：”写明由谁执行。
职责：
  执行人: 执行各步骤的人员

# 按顺序要做的事。每个步骤写作“步骤 标识：标题”，接着写由谁执行、做什么，
# 以及下一步去哪里：“如果… -> 步骤”、“否则 -> 步骤”或“-> 结束”。
# 没有这样一行的步骤接着进行下一个步骤。
流程：
  步骤 检查：检查情况
    角色：执行人
    说明首先要检查什么。
    询问：需要执行本程序吗？
    如果不需要 -> 结束
    否则 -> 执行

  步骤 执行：开展工作
    角色：执行人
    说明要做的事，每行一条。
    -> 结束

# 与本程序一起阅读的文件，每行一个（没有就删去这一部分）。
# 引用其他程序写作 [[标识]]。
参考：
  - 相关文件或链接

# 每次修改写一行，从最早的开始：版本、日期、作者：修改内容。
# 每次修改都要加一行，并相应提高“版本”。
修订记录：
  1.0  {today}  流程负责人: 创建
";

const HU: &str = "\
# Új SOP. Cserélje le az egyes részek szövegét, majd ellenőrizze a fájlt a
# `sop check` paranccsal. A # jellel kezdődő sorok megjegyzések.
sop {id}: {title}
# A folyamat adatai: a verziója, a felelős személy vagy szerepkör, az
# állapota (vázlat, érvényes vagy visszavont), a hatálybalépés napja, a
# felülvizsgálat gyakorisága és a nyelv, amelyen íródott.
verzió: 1.0
felelős: Folyamatgazda
állapot: vázlat
hatályos: {today}
felülvizsgálat: évente
nyelv: hu

# Miért van szükség a folyamatra: milyen eredményt biztosít, egy-két mondatban.
cél:
  Írja le, miért létezik ez a folyamat, és mit ér el.

# Ki követi a folyamatot, és milyen helyzetekben érvényes.
hatály:
  Írja le, ki követi a folyamatot, és mikor érvényes.

# Az érintettek, soronként egy: `azonosító: leírás`. A lépések a
# `szerepkör:` sorral nevezik meg, ki végzi őket.
szerepkörök:
  végrehajtó: A lépéseket végrehajtó munkatárs

# A teendők sorrendben. Egy lépés: `lépés azonosító: cím`, utána ki végzi,
# mi a teendő, és hová vezet tovább: `ha … -> lépés`, `egyébként -> lépés`
# vagy `-> vége`. Ilyen sor nélkül a lépés után a következő lépés jön.
lépések:
  lépés ellenőrzés: A helyzet felmérése
    szerepkör: végrehajtó
    Írja le, mit kell először ellenőrizni.
    kérdés: Szükség van erre a folyamatra?
    ha nem -> vége
    egyébként -> munka

  lépés munka: A munka elvégzése
    szerepkör: végrehajtó
    Írja le a teendőket, soronként egy utasítást.
    -> vége

# A folyamattal együtt olvasandó dokumentumok, soronként egy (ha nincs
# ilyen, törölje ezt a részt). Másik SOP-ra így hivatkozhat: [[azonosító]].
hivatkozások:
  - Kapcsolódó dokumentum vagy hivatkozás

# Minden változás egy sor, a legrégebbivel kezdve: verzió, dátum, szerző:
# mi változott. Minden változáskor vegyen fel egy sort, és emelje a
# `verzió:` értékét is.
változások:
  1.0  {today}  Folyamatgazda: Létrehozva
";

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> Date {
        Date::parse("2026-11-23").unwrap()
    }

    #[test]
    fn placeholders_are_filled_once() {
        let text = skeleton(
            "X-1",
            "Keep {today} and {id} as {title}",
            Language::En,
            date(),
        );
        assert!(
            text.contains("sop X-1: Keep {today} and {id} as {title}\n"),
            "{text}"
        );
        assert!(text.contains("effective: 2026-11-23\n"), "{text}");
        assert!(text.contains("  1.0  2026-11-23  Process owner: Created\n"));
    }

    #[test]
    fn every_language_fills_every_placeholder() {
        for language in [Language::En, Language::Zh, Language::Hu] {
            let text = skeleton("厨房-003", "标题", language, date());
            assert!(
                !text.contains("{id}") && !text.contains("{today}"),
                "{text}"
            );
            assert!(text.contains("sop 厨房-003: 标题\n"), "{text}");
            assert_eq!(text.matches("2026-11-23").count(), 2, "{text}");
            assert!(text.ends_with("\n") && !text.ends_with("\n\n"));
        }
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("CS-001.sop"), "CS-001.sop");
        assert_eq!(shell_word("dir/厨房-003.sop"), "dir/厨房-003.sop");
        assert_eq!(shell_word("my file.sop"), "'my file.sop'");
        assert_eq!(shell_word("it's.sop"), r"'it'\''s.sop'");
    }
}
