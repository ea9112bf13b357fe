//! Drawing a laid-out flowchart as SVG, and the text metrics the layout
//! needs (an estimate: the page's font is not known when sop runs).

use std::fmt::Write;

use super::layout::{Layout, Point, RouteKind, Size};
use crate::render::prose::escape_into;

/// Font size of node text, in px.
pub const FONT_SIZE: f64 = 13.0;
/// The colour of the worst path (the page's stylesheet may override it).
const WORST: &str = "#be123c";

/// Font size of edge labels, in px.
pub const LABEL_FONT_SIZE: f64 = 12.0;
/// Line height, as a multiple of the font size.
const LINE_HEIGHT: f64 = 1.3;
const ARROW_LENGTH: f64 = 8.0;
const ARROW_HALF_WIDTH: f64 = 4.5;
const CORNER_RADIUS: f64 = 8.0;

/// The estimated advance width of a character, in em. East Asian wide and
/// full-width characters take a full em, Latin letters about half.
pub fn char_width(c: char) -> f64 {
    if is_wide(c) {
        return 1.0;
    }
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | '`' => 0.3,
        'f' | 't' | 'r' | 'I' | ' ' | '(' | ')' | '[' | ']' | '-' | '/' | '"' => 0.4,
        'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.9,
        'A'..='Z' => 0.7,
        '0'..='9' => 0.62,
        _ => 0.58,
    }
}

/// Whether a character is East Asian wide or full-width (CJK ideographs,
/// kana, hangul, full-width forms, emoji).
pub fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD)
}

/// The estimated width of a text, in em.
pub fn text_width(text: &str) -> f64 {
    text.chars().map(char_width).sum()
}

/// Breaks a text into at most `max_lines` lines of at most `max_em` each:
/// at spaces, or between any two wide characters (CJK has no spaces). A
/// text that does not fit ends in `…`; the flag says so.
pub fn wrap(text: &str, max_em: f64, max_lines: usize) -> (Vec<String>, bool) {
    // Tokens: a word (with the space before it), or one wide character.
    let mut tokens: Vec<(String, bool)> = Vec::new(); // (text, starts with space)
    let mut space = false;
    for c in text
        .split_whitespace()
        .flat_map(|w| std::iter::once(None).chain(w.chars().map(Some)))
    {
        match c {
            None => space = !tokens.is_empty(),
            Some(c) if is_wide(c) => {
                tokens.push((c.to_string(), std::mem::take(&mut space)));
            }
            Some(c) => match tokens.last_mut() {
                Some((word, _)) if !space && !word.chars().last().is_some_and(is_wide) => {
                    word.push(c)
                }
                _ => tokens.push((c.to_string(), std::mem::take(&mut space))),
            },
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut width = 0.0;
    let mut truncated = false;
    let mut k = 0;
    while k < tokens.len() {
        let (token, spaced) = &tokens[k];
        let gap = if *spaced && !line.is_empty() {
            char_width(' ')
        } else {
            0.0
        };
        let w = text_width(token);
        if line.is_empty() || width + gap + w <= max_em {
            if w > max_em && line.is_empty() {
                // A word longer than a line: break it by characters.
                let mut piece = String::new();
                let mut pw = 0.0;
                let mut rest = String::new();
                for c in token.chars() {
                    if rest.is_empty() && (pw + char_width(c) <= max_em || piece.is_empty()) {
                        pw += char_width(c);
                        piece.push(c);
                    } else {
                        rest.push(c);
                    }
                }
                line = piece;
                width = pw;
                if !rest.is_empty() {
                    tokens[k] = (rest, false);
                    lines.push(std::mem::take(&mut line));
                    width = 0.0;
                    if lines.len() == max_lines {
                        truncated = true;
                        break;
                    }
                    continue;
                }
            } else {
                if gap > 0.0 {
                    line.push(' ');
                }
                line.push_str(token);
                width += gap + w;
            }
            k += 1;
        } else {
            lines.push(std::mem::take(&mut line));
            width = 0.0;
            if lines.len() == max_lines {
                truncated = true;
                break;
            }
        }
    }
    if !line.is_empty() && lines.len() < max_lines {
        lines.push(line);
    }
    if truncated {
        if let Some(last) = lines.last_mut() {
            let ellipsis = char_width('…');
            while !last.is_empty() && text_width(last) + ellipsis > max_em {
                last.pop();
            }
            let trimmed = last.trim_end().len();
            last.truncate(trimmed);
            last.push('…');
        }
    }
    (lines, truncated)
}

/// The line height for a font size, in px.
pub fn line_height(font_size: f64) -> f64 {
    (font_size * LINE_HEIGHT).round()
}

/// What a node looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Start,
    Task,
    Decision,
    End,
    HandOff,
}

/// A node to draw: shape, text lines, tooltip, link.
#[derive(Debug, Clone)]
pub struct DrawNode {
    pub shape: Shape,
    pub size: Size,
    pub side_indent: f64,
    /// Lines of text; for a hand-off the first is the caption.
    pub lines: Vec<String>,
    pub tooltip: String,
    pub href: Option<String>,
    /// On the worst path (see [`crate::model::Analysis`]): highlighted.
    pub worst: bool,
}

/// A swimlane: a column from `left` to `right` the drawing's height, its
/// name in a heading row `heading` high at the top.
#[derive(Debug, Clone)]
pub struct DrawLane {
    pub left: f64,
    pub right: f64,
    pub lines: Vec<String>,
    /// The whole name (the heading may be shortened).
    pub tooltip: String,
    pub heading: f64,
}

/// An edge's label, if any.
#[derive(Debug, Clone, Default)]
pub struct DrawEdge {
    pub lines: Vec<String>,
    pub size: Option<Size>,
    /// The full condition, when the label had to be shortened.
    pub tooltip: Option<String>,
    /// Taken when the step's time limit runs out: dashed.
    pub timeout: bool,
    /// On the worst path: highlighted.
    pub worst: bool,
}

/// Writes a number with at most one decimal.
fn num(out: &mut String, v: f64) {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        let _ = write!(out, "{}", r as i64);
    } else {
        let _ = write!(out, "{r:.1}");
    }
}

fn point(out: &mut String, p: Point) {
    num(out, p.x);
    out.push(',');
    num(out, p.y);
}

/// The SVG path data of a route: straight where two points share an x or
/// a y (with rounded corners), smooth curves with vertical tangents
/// between layers.
fn path_data(out: &mut String, points: &[Point]) {
    // Without repeated points, and without points in the middle of a
    // straight vertical or horizontal run.
    let mut pts: Vec<Point> = Vec::with_capacity(points.len());
    for &p in points {
        if let Some(&q) = pts.last() {
            if (q.x - p.x).abs() < 0.05 && (q.y - p.y).abs() < 0.05 {
                continue;
            }
        }
        if let [.., a, b] = pts[..] {
            let vertical = (a.x - b.x).abs() < 0.05
                && (b.x - p.x).abs() < 0.05
                && (a.y - b.y) * (b.y - p.y) > 0.0;
            let horizontal = (a.y - b.y).abs() < 0.05
                && (b.y - p.y).abs() < 0.05
                && (a.x - b.x) * (b.x - p.x) > 0.0;
            if vertical || horizontal {
                pts.pop();
            }
        }
        pts.push(p);
    }
    let Some(&first) = pts.first() else { return };
    out.push('M');
    point(out, first);
    let straight = |a: Point, b: Point| (a.x - b.x).abs() < 0.05 || (a.y - b.y).abs() < 0.05;
    let mut cur = first;
    for i in 1..pts.len() {
        let p = pts[i];
        if straight(pts[i - 1], p) {
            let next = pts.get(i + 1).copied().filter(|&n| straight(p, n));
            let turn = next.filter(|&n| {
                let vertical_in = (pts[i - 1].x - p.x).abs() < 0.05;
                let vertical_out = (p.x - n.x).abs() < 0.05;
                vertical_in != vertical_out
            });
            if let Some(n) = turn {
                let din = dist(cur, p);
                let dout = dist(p, n);
                let r = CORNER_RADIUS.min(din / 2.0).min(dout / 2.0);
                let a = towards(p, cur, r);
                let b = towards(p, n, r);
                out.push('L');
                point(out, a);
                out.push('Q');
                point(out, p);
                out.push(' ');
                point(out, b);
                cur = b;
            } else {
                out.push('L');
                point(out, p);
                cur = p;
            }
        } else {
            let my = (cur.y + p.y) / 2.0;
            out.push('C');
            point(out, Point { x: cur.x, y: my });
            out.push(' ');
            point(out, Point { x: p.x, y: my });
            out.push(' ');
            point(out, p);
            cur = p;
        }
    }
}

fn dist(a: Point, b: Point) -> f64 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// The point `d` away from `from` in the direction of `to`.
fn towards(from: Point, to: Point, d: f64) -> Point {
    let len = dist(from, to);
    if len == 0.0 {
        return from;
    }
    Point {
        x: from.x + (to.x - from.x) * d / len,
        y: from.y + (to.y - from.y) * d / len,
    }
}

/// Draws the whole flowchart.
pub fn draw(
    out: &mut String,
    title: &str,
    nodes: &[DrawNode],
    edges: &[DrawEdge],
    lanes: &[DrawLane],
    layout: &Layout,
) {
    let (w, h) = (layout.width.ceil(), layout.height.ceil());
    out.push_str("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"flowchart\" viewBox=\"0 0 ");
    num(out, w);
    out.push(' ');
    num(out, h);
    out.push_str("\" width=\"100%\" style=\"max-width:");
    num(out, w);
    out.push_str("px\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', Arial, sans-serif\" font-size=\"");
    num(out, FONT_SIZE);
    out.push_str("\"><title>");
    escape_into(out, title);
    out.push_str("</title>\n");
    draw_lanes(out, lanes, h);

    // Edges first, so that labels and nodes are drawn over them.
    out.push_str("<g class=\"fc-edges\" fill=\"none\" stroke-width=\"1.5\">\n");
    let mut arrows = String::new();
    for (route, edge) in layout
        .routes
        .iter()
        .zip(edges.iter().chain(std::iter::repeat(&DrawEdge::default())))
    {
        if route.points.len() < 2 {
            continue;
        }
        let mut points = route.points.clone();
        let n = points.len();
        let tip = points[n - 1];
        // The line stops at the arrowhead's base.
        let (dx, dy) = match route.kind {
            RouteKind::Forward => (0.0, 1.0),
            RouteKind::Back | RouteKind::SelfLoop => (-1.0, 0.0),
        };
        points[n - 1] = Point {
            x: tip.x - dx * (ARROW_LENGTH - 1.0),
            y: tip.y - dy * (ARROW_LENGTH - 1.0),
        };
        let mut class = String::from(match route.kind {
            RouteKind::Forward => "fc-edge",
            RouteKind::Back | RouteKind::SelfLoop => "fc-edge fc-loop",
        });
        let mut stroke = match route.kind {
            RouteKind::Forward => "#64748b",
            RouteKind::Back | RouteKind::SelfLoop => "#b45309",
        };
        let mut extra = String::new();
        if edge.timeout {
            class.push_str(" fc-timeout");
            extra.push_str(" stroke-dasharray=\"6 4\"");
        }
        if edge.worst {
            class.push_str(" fc-worst");
            stroke = WORST;
            extra.push_str(" stroke-width=\"3\"");
        }
        let _ = write!(
            out,
            "<path class=\"{class}\" stroke=\"{stroke}\"{extra} d=\""
        );
        path_data(out, &points);
        out.push_str("\"/>\n");
        // The arrowhead: a triangle pointing in the direction of travel.
        let base = Point {
            x: tip.x - dx * ARROW_LENGTH,
            y: tip.y - dy * ARROW_LENGTH,
        };
        let side = Point { x: -dy, y: dx };
        let _ = write!(
            arrows,
            "<path class=\"{}\" fill=\"{stroke}\" d=\"M",
            class.replace("fc-edge", "fc-arrow")
        );
        point(&mut arrows, tip);
        arrows.push('L');
        point(
            &mut arrows,
            Point {
                x: base.x + side.x * ARROW_HALF_WIDTH,
                y: base.y + side.y * ARROW_HALF_WIDTH,
            },
        );
        arrows.push('L');
        point(
            &mut arrows,
            Point {
                x: base.x - side.x * ARROW_HALF_WIDTH,
                y: base.y - side.y * ARROW_HALF_WIDTH,
            },
        );
        arrows.push_str("Z\"/>\n");
    }
    out.push_str(&arrows);
    out.push_str("</g>\n");

    // Edge labels: a box in the page's background colour, then the text.
    out.push_str("<g class=\"fc-labels\" font-size=\"");
    num(out, LABEL_FONT_SIZE);
    out.push_str("\">\n");
    let label_line = line_height(LABEL_FONT_SIZE);
    for (route, edge) in layout.routes.iter().zip(edges) {
        let (Some(center), Some(size)) = (route.label, edge.size) else {
            continue;
        };
        out.push_str("<g class=\"fc-label\">");
        if let Some(tooltip) = &edge.tooltip {
            out.push_str("<title>");
            escape_into(out, tooltip);
            out.push_str("</title>");
        }
        out.push_str("<rect x=\"");
        num(out, center.x - size.width / 2.0);
        out.push_str("\" y=\"");
        num(out, center.y - size.height / 2.0);
        out.push_str("\" width=\"");
        num(out, size.width);
        out.push_str("\" height=\"");
        num(out, size.height);
        out.push_str("\" rx=\"4\" fill=\"#ffffff\"/>");
        text_lines(out, center, &edge.lines, label_line, None);
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");

    out.push_str("<g class=\"fc-nodes\">\n");
    for (node, &center) in nodes.iter().zip(&layout.nodes) {
        draw_node(out, node, center);
    }
    out.push_str("</g>\n</svg>\n");
}

/// The lanes behind everything: bands of alternating shade with a border,
/// each headed by its name.
fn draw_lanes(out: &mut String, lanes: &[DrawLane], height: f64) {
    if lanes.is_empty() {
        return;
    }
    const TOP: f64 = 6.0;
    out.push_str("<g class=\"fc-lanes\">\n");
    for (k, lane) in lanes.iter().enumerate() {
        let width = lane.right - lane.left;
        let class = if k % 2 == 0 {
            "fc-lane"
        } else {
            "fc-lane fc-lane-alt"
        };
        let fill = if k % 2 == 0 { "#ffffff" } else { "#f8fafc" };
        let _ = write!(out, "<g class=\"{class}\"><title>");
        escape_into(out, &lane.tooltip);
        out.push_str("</title><rect x=\"");
        num(out, lane.left);
        out.push_str("\" y=\"");
        num(out, TOP);
        out.push_str("\" width=\"");
        num(out, width);
        out.push_str("\" height=\"");
        num(out, height - 2.0 * TOP);
        let _ = write!(out, "\" fill=\"{fill}\" stroke=\"#cbd5e1\"/>");
        out.push_str("<rect class=\"fc-lane-heading\" x=\"");
        num(out, lane.left);
        out.push_str("\" y=\"");
        num(out, TOP);
        out.push_str("\" width=\"");
        num(out, width);
        out.push_str("\" height=\"");
        num(out, lane.heading - 2.0 * TOP);
        out.push_str("\" fill=\"#e2e8f0\" stroke=\"#cbd5e1\"/>");
        let center = Point {
            x: lane.left + width / 2.0,
            y: TOP + (lane.heading - 2.0 * TOP) / 2.0,
        };
        text_lines(out, center, &lane.lines, line_height(FONT_SIZE), None);
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}

/// Centred lines of text around `center`. `bold_first` makes the first line
/// a caption (hand-offs).
fn text_lines(out: &mut String, center: Point, lines: &[String], line: f64, caption: Option<&str>) {
    if lines.is_empty() {
        return;
    }
    let first_y = center.y - line * (lines.len() as f64 - 1.0) / 2.0;
    out.push_str("<text text-anchor=\"middle\" dominant-baseline=\"central\" fill=\"#0f172a\">");
    for (k, text) in lines.iter().enumerate() {
        out.push_str("<tspan x=\"");
        num(out, center.x);
        out.push_str("\" y=\"");
        num(out, first_y + line * k as f64);
        out.push('"');
        if k == 0 {
            if let Some(class) = caption {
                let _ = write!(out, " class=\"{class}\" font-size=\"11\"");
            }
        }
        out.push('>');
        escape_into(out, text);
        out.push_str("</tspan>");
    }
    out.push_str("</text>");
}

fn draw_node(out: &mut String, node: &DrawNode, c: Point) {
    let (w, h) = (node.size.width, node.size.height);
    let (left, top) = (c.x - w / 2.0, c.y - h / 2.0);
    let shape = match node.shape {
        Shape::Start => "fc-start",
        Shape::Task => "fc-task",
        Shape::Decision => "fc-decision",
        Shape::End => "fc-end",
        Shape::HandOff => "fc-handoff",
    };
    let class = if node.worst {
        format!("{shape} fc-worst")
    } else {
        shape.to_string()
    };
    // The border of a step on the worst path.
    let (border, width) = if node.worst { (WORST, "3") } else { ("", "") };
    let wrapper = match &node.href {
        Some(href) => {
            out.push_str("<a href=\"");
            escape_into(out, href);
            let _ = write!(out, "\" class=\"fc-node {class}\">");
            "</a>\n"
        }
        None => {
            let _ = write!(out, "<g class=\"fc-node {class}\">");
            "</g>\n"
        }
    };
    if !node.tooltip.is_empty() {
        out.push_str("<title>");
        escape_into(out, &node.tooltip);
        out.push_str("</title>");
    }
    let rect = |out: &mut String, inset: f64, rx: f64, fill: &str, stroke: &str, extra: &str| {
        out.push_str("<rect x=\"");
        num(out, left + inset);
        out.push_str("\" y=\"");
        num(out, top + inset);
        out.push_str("\" width=\"");
        num(out, w - 2.0 * inset);
        out.push_str("\" height=\"");
        num(out, h - 2.0 * inset);
        out.push_str("\" rx=\"");
        num(out, rx);
        let _ = write!(out, "\" fill=\"{fill}\" stroke=\"{stroke}\"{extra}/>");
    };
    let line = line_height(FONT_SIZE);
    match node.shape {
        Shape::Start => {
            out.push_str("<circle cx=\"");
            num(out, c.x);
            out.push_str("\" cy=\"");
            num(out, c.y);
            out.push_str("\" r=\"");
            num(out, w / 2.0);
            out.push_str("\" fill=\"#334155\"/>");
        }
        Shape::Task => {
            if node.worst {
                rect(
                    out,
                    0.0,
                    8.0,
                    "#ffffff",
                    border,
                    &format!(" stroke-width=\"{width}\""),
                );
            } else {
                rect(out, 0.0, 8.0, "#ffffff", "#334155", " stroke-width=\"1.5\"");
            }
            text_lines(out, c, &node.lines, line, None);
        }
        Shape::Decision => {
            let i = node.side_indent;
            out.push_str("<path d=\"M");
            for (k, p) in [
                (left + i, top),
                (left + w - i, top),
                (left + w, c.y),
                (left + w - i, top + h),
                (left + i, top + h),
                (left, c.y),
            ]
            .into_iter()
            .enumerate()
            {
                if k > 0 {
                    out.push('L');
                }
                point(out, Point { x: p.0, y: p.1 });
            }
            if node.worst {
                let _ = write!(out, "Z\" fill=\"#eff6ff\" stroke=\"{border}\" stroke-width=\"{width}\" stroke-linejoin=\"round\"/>");
            } else {
                out.push_str("Z\" fill=\"#eff6ff\" stroke=\"#1d4ed8\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>");
            }
            text_lines(out, c, &node.lines, line, None);
        }
        Shape::End => {
            rect(
                out,
                0.0,
                h / 2.0,
                "#f1f5f9",
                "#334155",
                " stroke-width=\"2\"",
            );
            text_lines(out, c, &node.lines, line, None);
        }
        Shape::HandOff => {
            rect(out, 0.0, 6.0, "#ffffff", "#7c3aed", " stroke-width=\"1.2\"");
            rect(out, 3.0, 4.0, "none", "#7c3aed", " stroke-width=\"1.2\"");
            text_lines(out, c, &node.lines, line, Some("fc-caption"));
        }
    }
    out.push_str(wrapper);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(text_width("安抚"), 2.0);
        assert!(text_width("ab") < 1.2);
    }

    #[test]
    fn wraps_at_spaces_and_between_cjk() {
        let (lines, cut) = wrap("Explain the next steps and escalate", 10.0, 2);
        assert!(!cut);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l) <= 10.0), "{lines:?}");
        let (lines, cut) = wrap("客服经理亲自联系客户重新评估诉求直至问题闭环", 8.0, 2);
        assert!(cut);
        assert_eq!(lines, ["客服经理亲自联系", "客户重新评估诉…"]);
    }

    #[test]
    fn long_words_are_broken_and_truncated() {
        let (lines, cut) = wrap(&"x".repeat(100), 10.0, 2);
        assert!(cut);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        let (lines, cut) = wrap("a b", 10.0, 2);
        assert_eq!((lines, cut), (vec!["a b".to_string()], false));
        assert_eq!(wrap("", 10.0, 2).0, Vec::<String>::new());
    }

    #[test]
    fn paths_round_corners_and_curve_between_layers() {
        let mut d = String::new();
        let p = |x, y| Point { x, y };
        path_data(
            &mut d,
            &[
                p(0.0, 0.0),
                p(20.0, 0.0),
                p(20.0, -20.0),
                p(20.0, -40.0),
                p(60.0, -80.0),
            ],
        );
        assert_eq!(d, "M0,0L12,0Q20,0 20,-8L20,-40C20,-60 60,-60 60,-80");
    }
}
