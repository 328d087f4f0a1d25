//! Draws a [`Picture`] as a Graphviz `digraph`: hops as boxes left to right (the validated hop
//! and a hop that answered itself saying so), each TLS session as a curved edge from the node
//! that started it to the node that terminated it, coloured by what became of its
//! certificate.

use std::fmt::Write;

use crate::escape::dot;
use crate::picture::{CertificateState, NodeKind, Picture, validated_mark};

/// Renders one picture as Graphviz DOT source.
pub fn render_dot(picture: &Picture) -> String {
    let mut out = String::from("digraph hoplab {\n");
    let mut title = vec![
        dot(&picture.title),
        dot(&format!(
            "{}  ({}, {})",
            picture.request,
            picture.outcome.verdict(),
            picture.outcome.status_line()
        )),
    ];
    if let Some(answered) = &picture.outcome.answered {
        title.push(dot(answered));
    }
    if let Some(error) = &picture.outcome.error {
        title.push(dot(error));
    }
    let _ = writeln!(
        out,
        "    graph [rankdir=LR, labelloc=t, fontname=\"Helvetica\", label=\"{}\"];",
        title.join("\\n")
    );
    out.push_str(
        "    node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n",
    );
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (index, node) in picture.nodes.iter().enumerate() {
        let mut lines = vec![dot(node.kind.caption()), dot(&node.name)];
        lines.extend(node.details.iter().map(|d| dot(d)));
        if let Some(state) = node.validated {
            lines.push(dot(validated_mark(state)));
        }
        if let Some(status) = node.answered {
            lines.push(dot(&format!("↩ answered {status}")));
        }
        let fill = match node.kind {
            _ if !node.reached => "#ffffff",
            NodeKind::Client | NodeKind::VpcLink => "#f6f8fa",
            NodeKind::Gateway => "#fbefff",
            NodeKind::Listener => "#fff1e5",
            NodeKind::AlbListener => "#ffeff7",
            NodeKind::Rule => "#fff8fc",
            NodeKind::TargetGroup => "#fff8c5",
            NodeKind::Target => "#ddf4ff",
        };
        let (color, width) = match node.validated {
            Some(CertificateState::Accepted) => ("#1a7f37", 3),
            Some(CertificateState::Rejected) => ("#cf222e", 3),
            _ if !node.reached => ("#afb8c1", 1),
            _ => ("#57606a", 1),
        };
        let dashed = if node.reached { "" } else { ",dashed" };
        let _ = writeln!(
            out,
            "    n{index} [label=\"{}\", fillcolor=\"{fill}\", color=\"{color}\", penwidth={width}, style=\"rounded,filled{dashed}\", tooltip=\"{}\"];",
            lines.join("\\n"),
            dot(&node.id)
        );
    }
    for index in 1..picture.nodes.len() {
        let style = if picture.nodes[index].reached {
            ""
        } else {
            " [style=dashed, color=\"#afb8c1\"]"
        };
        let _ = writeln!(out, "    n{} -> n{index}{style};", index - 1);
    }
    for session in &picture.sessions {
        let mut lines = vec![dot(&format!("TLS {}", session.summary))];
        if let Some(failure) = session.failure() {
            lines.push(dot(failure));
        }
        let (color, style) = match &session.certificate {
            Some(cert) => {
                let (verdict, color, style) = match cert.state {
                    CertificateState::Accepted => ("validated, accepted", "#1a7f37", "bold"),
                    CertificateState::Rejected => ("validated, rejected", "#cf222e", "bold"),
                    CertificateState::NotValidated => ("not validated", "#6e7781", "dashed"),
                };
                lines.push(dot(&format!("{verdict}: {}", cert.subject)));
                if cert.state != CertificateState::Accepted {
                    lines.push(dot(&cert.message));
                }
                (color, style)
            }
            None if session.established => ("#0969da", "bold"),
            None => ("#bc4c00", "bold"),
        };
        let _ = writeln!(
            out,
            "    n{} -> n{} [label=\"{}\", color=\"{color}\", fontcolor=\"{color}\", style={style}, constraint=false];",
            session.client,
            session.server,
            lines.join("\\n")
        );
    }
    out.push_str("}\n");
    out
}
