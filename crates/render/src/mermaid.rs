//! Draws a [`Picture`] as a Mermaid `flowchart LR`, the form GitHub renders in Markdown.
//!
//! Hops are nodes joined by solid arrows; the validated hop says so in its label and is
//! outlined, and a hop that answered itself says with which status. Each TLS session is a
//! dotted link from the node that started it to the node that terminated it, labelled with
//! its version, SNI and the certificate verdict, and coloured like the SVG (green accepted,
//! red rejected, grey not validated). Every label is quoted and escaped.

use std::fmt::Write;

use crate::escape::mermaid;
use crate::picture::{CertificateState, NodeKind, Picture, validated_mark};

/// Renders one picture as Mermaid flowchart source.
pub fn render_mermaid(picture: &Picture) -> String {
    let mut out = String::from("flowchart LR\n");
    for (index, node) in picture.nodes.iter().enumerate() {
        let mut lines = vec![
            format!("<b>{}</b>", mermaid(node.kind.caption())),
            mermaid(&node.name),
        ];
        lines.extend(node.details.iter().map(|d| mermaid(d)));
        if let Some(state) = node.validated {
            lines.push(format!("<b>{}</b>", mermaid(validated_mark(state))));
        }
        if let Some(status) = node.answered {
            lines.push(format!("<b>↩ answered {status}</b>"));
        }
        if node.kind == NodeKind::Client {
            lines.push(mermaid(&format!(
                "{}, {}",
                picture.outcome.verdict(),
                picture.outcome.status_line()
            )));
            if let Some(answered) = &picture.outcome.answered {
                lines.push(mermaid(answered));
            }
        }
        if !node.reached {
            lines.push("<i>not reached</i>".to_owned());
        }
        let _ = writeln!(out, "    n{index}[\"{}\"]", lines.join("<br/>"));
    }
    // Solid arrows along the path, then one dotted link per TLS session.
    let mut links: Vec<&'static str> = Vec::new();
    for index in 1..picture.nodes.len() {
        let _ = writeln!(out, "    n{} --> n{index}", index - 1);
        links.push(if picture.nodes[index].reached {
            "stroke:#57606a,stroke-width:1.5px"
        } else {
            "stroke:#afb8c1,stroke-width:1px,stroke-dasharray:4 3"
        });
    }
    for session in &picture.sessions {
        let mut lines = vec![mermaid(&format!("TLS {}", session.summary))];
        if !session.through.is_empty() {
            let through: Vec<String> = session
                .through
                .iter()
                .filter_map(|&i| picture.nodes.get(i))
                .map(|n| n.name.clone())
                .collect();
            lines.push(mermaid(&format!(
                "through {} untouched",
                through.join(", ")
            )));
        }
        if let Some(failure) = session.failure() {
            lines.push(mermaid(failure));
        }
        let style = match &session.certificate {
            Some(cert) => {
                let (verdict, style) = match cert.state {
                    CertificateState::Accepted => (
                        "✔ validated, accepted",
                        "stroke:#1a7f37,stroke-width:2.5px,color:#1a7f37",
                    ),
                    CertificateState::Rejected => (
                        "✘ validated, rejected",
                        "stroke:#cf222e,stroke-width:2.5px,color:#cf222e",
                    ),
                    CertificateState::NotValidated => (
                        "○ not validated",
                        "stroke:#6e7781,stroke-width:1.5px,stroke-dasharray:6 4,color:#6e7781",
                    ),
                };
                lines.push(mermaid(&format!("{verdict}: {}", cert.subject)));
                if cert.state != CertificateState::Accepted {
                    lines.push(mermaid(&cert.message));
                }
                style
            }
            None if session.established => "stroke:#0969da,stroke-width:2px",
            None => "stroke:#bc4c00,stroke-width:2px",
        };
        let _ = writeln!(
            out,
            "    n{} -.->|\"{}\"| n{}",
            session.client,
            lines.join("<br/>"),
            session.server
        );
        links.push(style);
    }
    for (index, style) in links.iter().enumerate() {
        let _ = writeln!(out, "    linkStyle {index} {style}");
    }
    out.push_str("    classDef accepted stroke:#1a7f37,stroke-width:3px\n");
    out.push_str("    classDef rejected stroke:#cf222e,stroke-width:3px\n");
    out.push_str("    classDef unreached stroke:#afb8c1,stroke-dasharray:5 3,color:#6e7781\n");
    for (index, node) in picture.nodes.iter().enumerate() {
        let class = match node.validated {
            Some(CertificateState::Rejected) => Some("rejected"),
            Some(_) => Some("accepted"),
            None if !node.reached => Some("unreached"),
            None => None,
        };
        if let Some(class) = class {
            let _ = writeln!(out, "    class n{index} {class}");
        }
    }
    out
}
