//! Draws a [`Picture`] as a self-contained SVG: fixed layout arithmetic, system fonts, no
//! external resources, no scripts, every piece of text escaped.
//!
//! Layout, top to bottom: the title and route line with a badge (the status, and whether the
//! expectation held), the row of hop boxes joined by arrows (the validated hop badged on its
//! top edge, a hop that answered itself on its bottom edge), each hop's note under its box,
//! one span per TLS session (a bar from the node that started it to the node that terminated
//! it, with the certificate verdict under it), then the status, who answered when it was not
//! the target, and the execution log's failure line.

use std::fmt::Write;

use crate::escape::{ellipsize, wrap, wrap_lines, xml};
use crate::picture::{CertificateState, NodeKind, Picture, Session};

const MARGIN: i32 = 24;
const NODE_W: i32 = 160;
/// The height of a box with one line of details; each further line adds `DETAIL_LINE`.
const NODE_H: i32 = 68;
const DETAIL_LINE: i32 = 14;
const GAP: i32 = 36;
const MIN_WIDTH: i32 = 900;
const NOTE_LINE: i32 = 14;
const NOTE_LINES: usize = 5;

const SANS: &str =
    "-apple-system, 'Segoe UI', 'DejaVu Sans', 'Liberation Sans', Helvetica, Arial, sans-serif";
const MONO: &str =
    "ui-monospace, 'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace";

/// Approximate advance widths, in pixels per character, used to wrap text before it is
/// drawn; they err wide so text stays inside its box.
const SANS_12: f64 = 6.7;
const SANS_11: f64 = 6.2;
const SANS_BOLD_12: f64 = 7.6;
const SANS_BOLD_13: f64 = 8.2;
const MONO_11: f64 = 6.7;

const GREEN: &str = "#1a7f37";
const RED: &str = "#cf222e";
const GREY: &str = "#6e7781";
const LIGHT_GREY: &str = "#afb8c1";
const BLUE: &str = "#0969da";
const ORANGE: &str = "#bc4c00";
const INK: &str = "#1f2328";

/// Renders one picture as a standalone SVG document.
pub fn render_svg(picture: &Picture) -> String {
    let (body, width, height) = draw(picture);
    document(&body, width, height, &picture.title, true)
}

/// Renders several pictures (e.g. every request of a scenario) stacked in one SVG document.
pub fn render_svg_stack(pictures: &[Picture]) -> String {
    stack(pictures, true)
}

/// The SVG of one picture for inlining into HTML (no XML namespace declaration needed).
pub(crate) fn inline_svg(picture: &Picture) -> String {
    let (body, width, height) = draw(picture);
    document(&body, width, height, &picture.title, false)
}

fn stack(pictures: &[Picture], standalone: bool) -> String {
    let drawn: Vec<(String, i32, i32)> = pictures.iter().map(draw).collect();
    let width = drawn.iter().map(|d| d.1).max().unwrap_or(MIN_WIDTH);
    let mut body = String::new();
    let mut y = 0;
    for (index, (part, _, height)) in drawn.iter().enumerate() {
        if index > 0 {
            let _ = write!(
                body,
                r##"<line x1="{MARGIN}" y1="{y}" x2="{}" y2="{y}" stroke="#d0d7de" stroke-width="1"/>"##,
                width - MARGIN
            );
        }
        let _ = write!(body, r#"<g transform="translate(0,{y})">{part}</g>"#);
        y += height;
    }
    let title = match pictures.len() {
        1 => "1 request".to_owned(),
        n => format!("{n} requests"),
    };
    document(&body, width, y.max(1), &title, standalone)
}

fn document(body: &str, width: i32, height: i32, title: &str, standalone: bool) -> String {
    let ns = if standalone {
        r#" xmlns="http://www.w3.org/2000/svg""#
    } else {
        ""
    };
    format!(
        r##"<svg{ns} width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" font-family="{SANS}"><title>{}</title><rect width="{width}" height="{height}" fill="#ffffff"/>{body}</svg>"##,
        xml(title)
    )
}

fn width_of(picture: &Picture) -> i32 {
    let n = picture.nodes.len() as i32;
    (MARGIN * 2 + n * NODE_W + (n - 1).max(0) * GAP).max(MIN_WIDTH)
}

fn node_x(index: usize) -> i32 {
    MARGIN + index as i32 * (NODE_W + GAP)
}

fn node_cx(index: usize) -> i32 {
    node_x(index) + NODE_W / 2
}

/// How many characters fit in `pixels` at `per_char` pixels each.
fn chars_in(pixels: i32, per_char: f64) -> usize {
    ((pixels.max(0) as f64) / per_char).floor().max(1.0) as usize
}

/// Draws the picture's body; returns it with the width and height it needs.
fn draw(picture: &Picture) -> (String, i32, i32) {
    let width = width_of(picture);
    let mut svg = Svg::default();
    let mut y = header(&mut svg, picture, width);
    y = nodes(&mut svg, picture, y + 14);
    if !picture.sessions.is_empty() {
        y = sessions(&mut svg, picture, width, y + 10);
    }
    y = footer(&mut svg, picture, width, y + 8);
    (svg.out, width, y + MARGIN / 2)
}

fn header(svg: &mut Svg, picture: &Picture, width: i32) -> i32 {
    let badge_w = 156;
    let title_room = chars_in(width - 2 * MARGIN - badge_w - 12, 9.0);
    svg.text(
        MARGIN,
        30,
        16,
        "700",
        INK,
        SANS,
        &ellipsize(&picture.title, title_room),
    );
    let mut line = picture.request.clone();
    if let Some(route) = &picture.route {
        line = format!("{line}  ·  {route}");
    }
    let mut y = 50;
    for part in wrap_lines(&line, chars_in(width - 2 * MARGIN, SANS_12), 2) {
        svg.text(MARGIN, y, 12, "400", GREY, SANS, &part);
        y += 16;
    }
    let outcome = &picture.outcome;
    let label = outcome.verdict();
    let fill = if outcome.passed { GREEN } else { RED };
    let status = outcome
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "no response".to_owned());
    let x = width - MARGIN - badge_w;
    let _ = write!(
        svg.out,
        r#"<rect x="{x}" y="14" width="{badge_w}" height="24" rx="12" fill="{fill}"/>"#
    );
    svg.text_anchor(
        x + badge_w / 2,
        31,
        12,
        "700",
        "#ffffff",
        SANS,
        "middle",
        &format!("{status} · {label}"),
    );
    y - 4
}

fn node_colors(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Client => ("#f6f8fa", "#6e7781"),
        NodeKind::Gateway => ("#fbefff", "#8250df"),
        NodeKind::VpcLink => ("#f6f8fa", "#57606a"),
        NodeKind::Listener => ("#fff1e5", "#bc4c00"),
        NodeKind::AlbListener => ("#ffeff7", "#bf3989"),
        NodeKind::Rule => ("#fff8fc", "#99286e"),
        NodeKind::TargetGroup => ("#fff8c5", "#9a6700"),
        NodeKind::Target => ("#ddf4ff", "#0969da"),
    }
}

/// The height of every box: room for the node with the most lines of details, and for the
/// badge on the bottom edge of a hop that answered itself.
fn node_height(picture: &Picture) -> i32 {
    let lines = picture
        .nodes
        .iter()
        .map(|n| n.details.len())
        .max()
        .unwrap_or(0)
        .max(1) as i32;
    let badge = if picture.nodes.iter().any(|n| n.answered.is_some()) {
        8
    } else {
        0
    };
    NODE_H + (lines - 1) * DETAIL_LINE + badge
}

fn nodes(svg: &mut Svg, picture: &Picture, top: i32) -> i32 {
    let node_h = node_height(picture);
    let mid = top + node_h / 2;
    // Notes start lower when a badge sits on the boxes' bottom edge.
    let note_top = if picture.nodes.iter().any(|n| n.answered.is_some()) {
        top + node_h + 24
    } else {
        top + node_h + 16
    };
    // Arrows first, so boxes sit on top of them.
    for index in 1..picture.nodes.len() {
        let reached = picture.nodes[index].reached;
        let x1 = node_x(index - 1) + NODE_W;
        let x2 = node_x(index) - 2;
        let color = if reached { "#57606a" } else { LIGHT_GREY };
        let dash = if reached {
            ""
        } else {
            r#" stroke-dasharray="4 3""#
        };
        let _ = write!(
            svg.out,
            r#"<line x1="{x1}" y1="{mid}" x2="{}" y2="{mid}" stroke="{color}" stroke-width="1.6"{dash}/><polygon points="{x2},{mid} {},{} {},{}" fill="{color}"/>"#,
            x2 - 7,
            x2 - 8,
            mid - 5,
            x2 - 8,
            mid + 5
        );
    }
    let mut bottom = top + node_h;
    for (index, node) in picture.nodes.iter().enumerate() {
        let x = node_x(index);
        let (fill, stroke) = if node.reached {
            node_colors(node.kind)
        } else {
            ("#ffffff", LIGHT_GREY)
        };
        let (stroke, stroke_width) = match node.validated {
            Some(CertificateState::Accepted) => (GREEN, 3),
            Some(CertificateState::Rejected) => (RED, 3),
            _ => (stroke, 1),
        };
        let dash = if node.reached {
            ""
        } else {
            r#" stroke-dasharray="5 3""#
        };
        let _ = write!(
            svg.out,
            r#"<g><title>{}</title><rect x="{x}" y="{top}" width="{NODE_W}" height="{node_h}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"{dash}/>"#,
            xml(&node.id)
        );
        let ink = if node.reached { INK } else { GREY };
        svg.text(
            x + 12,
            top + 19,
            10,
            "600",
            GREY,
            SANS,
            &node.kind.caption().to_uppercase(),
        );
        svg.text(
            x + 12,
            top + 39,
            13,
            "700",
            ink,
            SANS,
            &ellipsize(&node.name, chars_in(NODE_W - 24, SANS_BOLD_13)),
        );
        for (line, detail) in node.details.iter().enumerate() {
            svg.text(
                x + 12,
                top + 57 + line as i32 * DETAIL_LINE,
                11,
                "400",
                GREY,
                SANS,
                &ellipsize(detail, chars_in(NODE_W - 24, SANS_11)),
            );
        }
        svg.out.push_str("</g>");
        if let Some(state) = node.validated {
            let (label, color) = match state {
                CertificateState::Rejected => ("✘ validated", RED),
                _ => ("✔ validated", GREEN),
            };
            let bw = 84;
            let bx = x + NODE_W - bw - 8;
            let _ = write!(
                svg.out,
                r#"<rect x="{bx}" y="{}" width="{bw}" height="18" rx="9" fill="{color}"/>"#,
                top - 9
            );
            svg.text_anchor(
                bx + bw / 2,
                top + 4,
                10,
                "700",
                "#ffffff",
                SANS,
                "middle",
                label,
            );
        }
        if let Some(status) = node.answered {
            let bw = 104;
            let bx = x + 8;
            let _ = write!(
                svg.out,
                r#"<rect x="{bx}" y="{}" width="{bw}" height="18" rx="9" fill="{ORANGE}"/>"#,
                top + node_h - 9
            );
            svg.text_anchor(
                bx + bw / 2,
                top + node_h + 4,
                10,
                "700",
                "#ffffff",
                SANS,
                "middle",
                &format!("↩ answered {status}"),
            );
        }
        if let Some(note) = &node.note {
            let mut y = note_top;
            for line in wrap_lines(note, chars_in(NODE_W, SANS_11), NOTE_LINES) {
                svg.text(
                    x,
                    y,
                    11,
                    "400",
                    if node.reached { "#424a53" } else { GREY },
                    SANS,
                    &line,
                );
                y += NOTE_LINE;
            }
            bottom = bottom.max(y - NOTE_LINE + 4);
        }
    }
    bottom
}

/// The color and dash pattern of a session's bar.
fn session_style(session: &Session) -> (&'static str, bool) {
    match session.certificate.as_ref().map(|c| c.state) {
        Some(CertificateState::Accepted) => (GREEN, false),
        Some(CertificateState::Rejected) => (RED, false),
        Some(CertificateState::NotValidated) => (GREY, true),
        None if session.established => (BLUE, false),
        None => (ORANGE, false),
    }
}

fn sessions(svg: &mut Svg, picture: &Picture, width: i32, top: i32) -> i32 {
    svg.text(MARGIN, top + 12, 10, "600", GREY, SANS, "TLS SESSIONS");
    let mut y = top + 22;
    for session in &picture.sessions {
        y = session_span(svg, picture, session, width, y) + 8;
    }
    y
}

fn session_span(svg: &mut Svg, picture: &Picture, session: &Session, width: i32, top: i32) -> i32 {
    let (left, right) = (
        session.client.min(session.server),
        session.client.max(session.server),
    );
    let x1 = node_cx(left);
    let x2 = node_cx(right).max(x1 + 1);
    let text_x = x1;
    let room = width - MARGIN - text_x;
    let (color, dashed) = session_style(session);
    let name = |i: usize| {
        picture
            .nodes
            .get(i)
            .map(|n| format!("{} {}", n.kind.caption(), n.name))
            .unwrap_or_default()
    };
    let label = format!(
        "TLS session  {} → {}",
        name(session.client),
        name(session.server)
    );
    let mut facts = session.summary.clone();
    if !session.through.is_empty() {
        let through: Vec<String> = session.through.iter().map(|&i| name(i)).collect();
        facts.push_str(&format!(
            "  ·  passes through {} untouched",
            through.join(", ")
        ));
    }
    let mut y = top + 12;
    svg.text(
        text_x,
        y,
        12,
        "700",
        INK,
        SANS,
        &ellipsize(&label, chars_in(room, SANS_BOLD_12)),
    );
    y += 16;
    for line in wrap_lines(&facts, chars_in(room, SANS_11), 2) {
        svg.text(text_x, y, 11, "400", "#424a53", SANS, &line);
        y += 15;
    }
    // The bar.
    let bar_y = y - 4;
    if dashed {
        let _ = write!(
            svg.out,
            r#"<line x1="{x1}" y1="{}" x2="{x2}" y2="{}" stroke="{color}" stroke-width="4" stroke-dasharray="8 5" stroke-linecap="round"/>"#,
            bar_y + 5,
            bar_y + 5
        );
    } else {
        let _ = write!(
            svg.out,
            r#"<rect x="{x1}" y="{bar_y}" width="{}" height="10" rx="5" fill="{color}"/>"#,
            x2 - x1
        );
    }
    for &i in &session.through {
        let cx = node_cx(i);
        let _ = write!(
            svg.out,
            r##"<rect x="{}" y="{}" width="14" height="14" rx="3" fill="#ffffff" stroke="{color}" stroke-width="1.5"/>"##,
            cx - 7,
            bar_y - 2
        );
    }
    let _ = write!(
        svg.out,
        r##"<circle cx="{x1}" cy="{}" r="6" fill="#ffffff" stroke="{color}" stroke-width="2.5"/><circle cx="{x2}" cy="{}" r="6" fill="{color}" stroke="#ffffff" stroke-width="1.5"/>"##,
        bar_y + 5,
        bar_y + 5
    );
    y = bar_y + 28;
    if let Some(failure) = session.failure() {
        for line in wrap(failure, chars_in(room, SANS_11)) {
            svg.text(text_x, y, 11, "400", GREY, SANS, &line);
            y += 15;
        }
    }
    if let Some(cert) = &session.certificate {
        let (icon, verdict, color) = match cert.state {
            CertificateState::Accepted => ("✔", "validated by API Gateway: accepted", GREEN),
            CertificateState::Rejected => ("✘", "validated by API Gateway: rejected", RED),
            CertificateState::NotValidated => ("○", "presented, not validated", GREY),
        };
        let line = format!("{icon} {verdict}  ·  {}", cert.subject);
        svg.text(
            text_x,
            y,
            12,
            "700",
            color,
            SANS,
            &ellipsize(&line, chars_in(room, SANS_BOLD_12)),
        );
        y += 17;
        if cert.state != CertificateState::Accepted {
            for line in wrap(&cert.message, chars_in(room, MONO_11)) {
                svg.text(text_x, y, 11, "400", color, MONO, &line);
                y += 15;
            }
        }
    }
    y - 8
}

fn footer(svg: &mut Svg, picture: &Picture, width: i32, top: i32) -> i32 {
    let outcome = &picture.outcome;
    let _ = write!(
        svg.out,
        r##"<line x1="{MARGIN}" y1="{top}" x2="{}" y2="{top}" stroke="#d8dee4" stroke-width="1"/>"##,
        width - MARGIN
    );
    let mut y = top + 20;
    let status = outcome.status_line();
    let validated = outcome
        .validated
        .as_deref()
        .map(|v| format!("validated certificate: {v}"))
        .unwrap_or_else(|| "no certificate validated".to_owned());
    let status_color = match outcome.status {
        Some(s) if s < 400 => GREEN,
        _ => RED,
    };
    svg.text(MARGIN, y, 13, "700", status_color, SANS, &status);
    svg.text(MARGIN + 130, y, 12, "400", INK, SANS, &validated);
    y += 18;
    if let Some(answered) = &outcome.answered {
        for line in wrap(answered, chars_in(width - 2 * MARGIN, SANS_12)) {
            svg.text(MARGIN, y, 12, "400", ORANGE, SANS, &line);
            y += 16;
        }
    }
    let room = chars_in(width - 2 * MARGIN, MONO_11);
    for (prefix, text) in [
        ("", outcome.error.as_deref()),
        ("caller: ", outcome.caller_error.as_deref()),
    ] {
        if let Some(text) = text {
            for line in wrap(&format!("{prefix}{text}"), room) {
                svg.text(MARGIN, y, 11, "400", RED, MONO, &line);
                y += 15;
            }
        }
    }
    y
}

/// Collects SVG elements.
#[derive(Default)]
struct Svg {
    out: String,
}

impl Svg {
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        x: i32,
        y: i32,
        size: i32,
        weight: &str,
        fill: &str,
        family: &str,
        text: &str,
    ) {
        self.text_anchor(x, y, size, weight, fill, family, "start", text);
    }

    #[allow(clippy::too_many_arguments)]
    fn text_anchor(
        &mut self,
        x: i32,
        y: i32,
        size: i32,
        weight: &str,
        fill: &str,
        family: &str,
        anchor: &str,
        text: &str,
    ) {
        let family_attr = if family == SANS {
            String::new()
        } else {
            format!(r#" font-family="{family}""#)
        };
        let _ = write!(
            self.out,
            r#"<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" text-anchor="{anchor}"{family_attr} xml:space="preserve">{}</text>"#,
            xml(text)
        );
    }
}
