//! Markdown prose → safe HTML.
//!
//! Every piece of prose goes through [`markdown_options`], so all renderers
//! parse Markdown the same way. The output never carries user-supplied
//! markup: raw HTML is shown as text, links with a script-capable or
//! local scheme (`javascript:`, `data:`, `vbscript:`, `file:`) lose their
//! link, images become links (a page never fetches anything), and `[[ID]]`
//! becomes a link to the other SOP, or a styled span when there is no page
//! to link to.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::RenderContext;

/// The one Markdown dialect of `.sop` prose: GitHub flavour (tables, task
/// lists, strikethrough). Footnotes stay off: every step is rendered on its
/// own, so their numbers and anchors would clash on one page.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH
}

/// Whether a URL runs code, embeds content or reads local files when
/// followed: its scheme is `javascript`, `vbscript`, `data` or `file`.
/// The scheme is read the way the most lenient reader would: ignoring case
/// and any whitespace or control characters (browsers drop those, so
/// `java\tscript:` is `javascript:`), and decoding percent escapes and
/// character references (`&#106;`, `&#x6A;`, `&colon;`) on the way, in case
/// the URL is decoded once more before it is followed.
pub fn is_dangerous_url(url: &str) -> bool {
    let mut scheme = String::new();
    let mut rest = url;
    while let Some((c, len)) = decode_url_char(rest) {
        rest = &rest[len..];
        if c == ':' {
            return matches!(scheme.as_str(), "javascript" | "vbscript" | "data" | "file");
        }
        if c.is_whitespace() || c.is_control() {
            continue;
        }
        if !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) || scheme.len() > 32 {
            // Not a scheme: a relative URL, resolved against the page.
            return false;
        }
        scheme.push(c.to_ascii_lowercase());
    }
    false
}

/// The first character of `text` and how many bytes it takes, with a
/// percent escape (`%3A`) or a character reference (`&#58;`, `&#x3a;`,
/// `&colon;`, with or without its `;`) decoded.
fn decode_url_char(text: &str) -> Option<(char, usize)> {
    let c = text.chars().next()?;
    if c == '%' {
        let hex = |i: usize| {
            text.as_bytes()
                .get(i)
                .and_then(|b| (*b as char).to_digit(16))
        };
        if let (Some(high), Some(low)) = (hex(1), hex(2)) {
            return char::from_u32(high * 16 + low).map(|d| (d, 3));
        }
    }
    if c == '&' {
        let body = &text[1..];
        let (digits, radix, skip) = match body.strip_prefix('#') {
            Some(hex) if hex.starts_with(['x', 'X']) => (&hex[1..], 16, 3),
            Some(dec) => (dec, 10, 2),
            None => ("", 0, 0),
        };
        if radix != 0 {
            let len = digits
                .bytes()
                .take_while(|b| (*b as char).is_digit(radix))
                .count();
            if len > 0 {
                let significant = digits[..len].trim_start_matches('0');
                let value = match significant {
                    "" => Some(0),
                    s if s.len() <= 8 => u32::from_str_radix(s, radix).ok(),
                    _ => None,
                };
                let decoded = value.and_then(char::from_u32).unwrap_or('\u{fffd}');
                let semicolon = usize::from(digits[len..].starts_with(';'));
                return Some((decoded, skip + len + semicolon));
            }
        } else {
            for (name, decoded) in [
                ("colon", ':'),
                ("Tab", '\t'),
                ("NewLine", '\n'),
                ("period", '.'),
                ("plus", '+'),
            ] {
                if let Some(after) = body.strip_prefix(name) {
                    let semicolon = usize::from(after.starts_with(';'));
                    return Some((decoded, 1 + name.len() + semicolon));
                }
            }
        }
    }
    Some((c, c.len_utf8()))
}

/// Appends `text` with `& < > " '` escaped, safe in element content and in
/// quoted attribute values.
pub fn escape_into(out: &mut String, text: &str) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(replacement);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

/// `text`, escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Renders block Markdown (a section's or a step's prose). Headings in the
/// prose are moved down `heading_offset` levels, so a `#` inside a step
/// does not outrank the step's own heading.
pub fn render_blocks(
    out: &mut String,
    markdown: &str,
    heading_offset: u8,
    ctx: &RenderContext<'_>,
) {
    let events = safe_events(markdown, heading_offset, ctx);
    html::push_html(out, events.into_iter());
}

/// Renders one line of Markdown without a surrounding paragraph: a callout,
/// a script line, a definition, a reference. A leading `>`, `#`, `-` or
/// `1.` is text here (`>= 85%` is a target, not a quote).
pub fn render_inline(out: &mut String, text: &str, ctx: &RenderContext<'_>) {
    let guarded = guard_block_syntax(text.trim());
    let events = safe_events(&guarded, 0, ctx);
    let single_paragraph = matches!(events.first(), Some(Event::Start(Tag::Paragraph)))
        && matches!(events.last(), Some(Event::End(TagEnd::Paragraph)))
        && events
            .iter()
            .filter(|e| matches!(e, Event::Start(Tag::Paragraph)))
            .count()
            == 1;
    if single_paragraph {
        let inner = events.len() - 1;
        html::push_html(out, events.into_iter().take(inner).skip(1));
    } else if !text.trim().is_empty() {
        escape_into(out, text.trim());
    }
}

/// Escapes what would make a single line a block (quote, heading, list,
/// rule, fence) with a backslash, which Markdown then drops. Inline markup
/// at the start (`*emphasis*`, `` `code` ``, links) is left alone.
pub(crate) fn guard_block_syntax(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let spaced_after = |i: usize| bytes.get(i).is_none_or(|b| *b == b' ' || *b == b'\t');
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 {
        return match bytes.get(digits) {
            Some(b'.' | b')') if spaced_after(digits + 1) => {
                format!("{}\\{}", &text[..digits], &text[digits..]).into()
            }
            _ => text.into(),
        };
    }
    let rule = |c: u8| {
        bytes.iter().filter(|&&b| b == c).count() >= 3
            && bytes.iter().all(|&b| b == c || b == b' ' || b == b'\t')
    };
    let block = match bytes.first() {
        Some(b'>' | b'#' | b'=' | b'|') => true,
        Some(c @ (b'-' | b'+' | b'*')) => spaced_after(1) || rule(*c),
        Some(b'_') => rule(b'_'),
        Some(b'`') => text.starts_with("```"),
        Some(b'~') => text.starts_with("~~~"),
        _ => false,
    };
    if block {
        format!("\\{text}").into()
    } else {
        text.into()
    }
}

/// Parses Markdown and rewrites every event that could carry markup or a
/// script into harmless ones.
fn safe_events<'a>(
    markdown: &'a str,
    heading_offset: u8,
    ctx: &RenderContext<'_>,
) -> Vec<Event<'a>> {
    let parser = text_runs(markdown);
    let mut out: Vec<Event<'a>> = Vec::new();
    // For each open link or image: whether its tags were emitted, whether
    // it is an image written as a link, and where an image's address
    // placeholder (shown when it has no alt text) sits in `out`.
    let mut open: Vec<(bool, bool, usize)> = Vec::new();
    let mut links_open = 0usize;
    let mut in_html_block = false;
    for (event, after_escape) in parser {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let keep = links_open == 0 && !is_dangerous_url(&dest_url);
                if keep {
                    links_open += 1;
                    out.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
                open.push((keep, false, out.len()));
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let keep = links_open == 0 && !is_dangerous_url(&dest_url);
                if keep {
                    links_open += 1;
                    let mut tag = String::from("<a class=\"image-link\" href=\"");
                    escape_into(&mut tag, &dest_url);
                    tag.push('"');
                    if !title.is_empty() {
                        tag.push_str(" title=\"");
                        escape_into(&mut tag, &title);
                        tag.push('"');
                    }
                    tag.push('>');
                    out.push(Event::InlineHtml(tag.into()));
                    open.push((true, true, out.len()));
                    // An image without alt text shows its address.
                    out.push(Event::Text(dest_url));
                } else {
                    open.push((false, true, out.len()));
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                let Some((kept, image, start)) = open.pop() else {
                    continue;
                };
                if image && kept && out.len() > start + 1 {
                    // The alt text is there: drop the address placeholder.
                    out.remove(start);
                }
                if kept {
                    links_open -= 1;
                    out.push(if image {
                        Event::InlineHtml("</a>".into())
                    } else {
                        Event::End(TagEnd::Link)
                    });
                }
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                out.push(Event::Start(Tag::Heading {
                    level: demote(level, heading_offset),
                    id,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                out.push(Event::End(TagEnd::Heading(demote(level, heading_offset))));
            }
            Event::Start(Tag::HtmlBlock) => {
                in_html_block = true;
                out.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::HtmlBlock) => {
                in_html_block = false;
                if let Some(Event::HardBreak) = out.last() {
                    out.pop();
                }
                out.push(Event::End(TagEnd::Paragraph));
            }
            Event::Html(text) if in_html_block => {
                // Raw HTML is shown, never interpreted; its lines stay lines.
                for line in text.lines() {
                    out.push(Event::Text(line.to_string().into()));
                    out.push(Event::HardBreak);
                }
            }
            Event::Html(text) | Event::InlineHtml(text) => out.push(Event::Text(text)),
            Event::Text(text) => {
                push_text_with_sop_refs(&mut out, text, after_escape, links_open > 0, ctx)
            }
            other => out.push(other),
        }
    }
    // A link the parser left open cannot happen, but never leave a tag open.
    while let Some((kept, image, _)) = open.pop() {
        if kept {
            out.push(if image {
                Event::InlineHtml("</a>".into())
            } else {
                Event::End(TagEnd::Link)
            });
        }
    }
    out
}

fn demote(level: HeadingLevel, offset: u8) -> HeadingLevel {
    match (level as u8 + offset).min(6) {
        1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// The parser's events with adjacent text merged (the parser splits text
/// at `[`), each text run marked when it starts right after a backslash
/// escape: `\[[ID]]` is literal text, as the parser of `.sop` files says.
fn text_runs(markdown: &str) -> Vec<(Event<'_>, bool)> {
    let mut out: Vec<(Event<'_>, bool)> = Vec::new();
    let mut run_end = usize::MAX;
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        match event {
            Event::Text(text) => {
                if let (Some((Event::Text(last), _)), true) =
                    (out.last_mut(), run_end == range.start)
                {
                    let mut joined = last.to_string();
                    joined.push_str(&text);
                    *last = joined.into();
                } else {
                    let after_escape = markdown[..range.start].ends_with('\\');
                    out.push((Event::Text(text), after_escape));
                }
                run_end = range.end;
            }
            other => {
                run_end = usize::MAX;
                out.push((other, false));
            }
        }
    }
    out
}

/// Splits text around `[[ID]]` links (found by the one scanner,
/// [`crate::ids::sop_links`]); `after_escape` keeps a link at the very start
/// as text.
fn push_text_with_sop_refs<'a>(
    out: &mut Vec<Event<'a>>,
    text: CowStr<'a>,
    after_escape: bool,
    in_link: bool,
    ctx: &RenderContext<'_>,
) {
    if !text.contains("[[") {
        out.push(Event::Text(text));
        return;
    }
    let mut pieces: Vec<Event<'a>> = Vec::new();
    let mut at = 0;
    for link in crate::ids::sop_links(&text) {
        if after_escape && link.range.start == 0 {
            continue;
        }
        if link.range.start > at {
            pieces.push(Event::Text(text[at..link.range.start].to_string().into()));
        }
        let mut html = String::new();
        sop_ref(&mut html, link.id, !in_link, ctx);
        pieces.push(Event::InlineHtml(html.into()));
        at = link.range.end;
    }
    if at < text.len() {
        pieces.push(Event::Text(text[at..].to_string().into()));
    }
    out.extend(pieces);
}

/// A reference to another SOP: a link to its page when there is one (and
/// `linkable`, i.e. not already inside a link), else a styled span.
pub fn sop_ref(out: &mut String, id: &str, linkable: bool, ctx: &RenderContext<'_>) {
    let url = if linkable { (ctx.sop_link)(id) } else { None };
    match url.filter(|u| !is_dangerous_url(u)) {
        Some(url) => {
            out.push_str("<a class=\"sop-ref\" href=\"");
            escape_into(out, &url);
            out.push_str("\">");
            escape_into(out, id);
            out.push_str("</a>");
        }
        None => {
            out.push_str("<span class=\"sop-ref\">");
            escape_into(out, id);
            out.push_str("</span>");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(md: &str) -> String {
        let mut out = String::new();
        render_blocks(&mut out, md, 0, &RenderContext::default());
        out
    }

    fn inline(md: &str) -> String {
        let mut out = String::new();
        render_inline(&mut out, md, &RenderContext::default());
        out
    }

    #[test]
    fn dangerous_schemes() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:x",
            "\u{1}javascript:x",
            "data:text/html,<b>",
            "VBScript:x",
            "file:///etc/passwd",
            "java&#115;cript:x",
            "&#x6A;avascript:x",
            "&#106avascript:x",
            "javascript&colon;x",
            "java&Tab;script:x",
            "%6Aavascript:x",
            "java%0Ascript:x",
            "\u{85}javascript:x",
        ] {
            assert!(is_dangerous_url(url), "{url:?}");
        }
        for url in [
            "https://example.com/javascript:x",
            "#step-1",
            "relative/data:x",
            "mailto:a@b.c",
            "page.html?x=javascript:1",
            "https://e.com/a?b=1&amp;c=%41",
            "&#xFFFFFFFFFF;x:y",
            "%:x",
            "a%E9:x",
        ] {
            assert!(!is_dangerous_url(url), "{url:?}");
        }
    }

    #[test]
    fn raw_html_is_text() {
        let html = blocks("<script>alert(1)</script>\n\nHi <b onclick=x>there</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn script_links_lose_their_link() {
        for md in [
            "[x](javascript:alert(1))",
            "[y](JaVaScRiPt:alert(1))",
            "<javascript:alert(1)>",
            "[d](data:text/html;base64,AAAA)",
            "[v](vbscript:msgbox)",
            "![i](javascript:alert(1))",
        ] {
            let html = blocks(md);
            assert!(!html.contains("href"), "{md}: {html}");
        }
        assert!(blocks("[ok](https://example.com)").contains("href=\"https://example.com\""));
    }

    #[test]
    fn images_become_links() {
        let html = blocks("![the plan](https://example.com/p.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains(
                "<a class=\"image-link\" href=\"https://example.com/p.png\">the plan</a>"
            ),
            "{html}"
        );
        let html = blocks("![](https://example.com/p.png)");
        assert!(html.contains(">https://example.com/p.png</a>"), "{html}");
        let html = blocks("[![logo](https://e.com/l.png)](https://e.com)");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
    }

    #[test]
    fn sop_refs_and_task_lists() {
        let html = blocks("See [[CS-014]] and [[not an id]].\n\n- [ ] one\n- [x] two");
        assert!(
            html.contains("<span class=\"sop-ref\">CS-014</span>"),
            "{html}"
        );
        assert!(html.contains("[[not an id]]"), "{html}");
        assert_eq!(html.matches("disabled").count(), 2, "{html}");
        let link = |id: &str| Some(format!("{id}.html"));
        let ctx = RenderContext {
            sop_link: &link,
            ..RenderContext::default()
        };
        let mut out = String::new();
        render_blocks(&mut out, "See [[CS-014]].", 0, &ctx);
        assert!(
            out.contains("<a class=\"sop-ref\" href=\"CS-014.html\">CS-014</a>"),
            "{out}"
        );
    }

    #[test]
    fn an_escaped_reference_stays_text() {
        let html = blocks(r"Not \[[CS-014]], but [[CS-015]]; a\[[X]] too.");
        assert!(html.contains("Not [[CS-014]], but "), "{html}");
        assert!(
            html.contains("<span class=\"sop-ref\">CS-015</span>"),
            "{html}"
        );
        assert!(html.contains("a[[X]] too"), "{html}");
        assert_eq!(html.matches("sop-ref").count(), 1, "{html}");
    }

    #[test]
    fn inline_text_keeps_leading_symbols() {
        assert_eq!(inline(">= 85%"), "&gt;= 85%");
        assert_eq!(inline("1. first"), "1. first");
        assert_eq!(inline("- dash"), "- dash");
        assert_eq!(inline("# hash"), "# hash");
        assert_eq!(inline("**bold** text"), "<strong>bold</strong> text");
        assert_eq!(inline("* star"), "* star");
        assert_eq!(inline("---"), "---");
        assert_eq!(inline("`code` first"), "<code>code</code> first");
        assert_eq!(inline("3.5 hours"), "3.5 hours");
        assert_eq!(inline("2) second"), "2) second");
        assert_eq!(
            inline("a <script>x</script>"),
            "a &lt;script&gt;x&lt;/script&gt;"
        );
    }

    #[test]
    fn headings_are_demoted() {
        assert!(blocks("## Floor").contains("<h2>"));
        let mut out = String::new();
        render_blocks(&mut out, "## Floor", 3, &RenderContext::default());
        assert!(out.contains("<h5>"), "{out}");
    }
}
