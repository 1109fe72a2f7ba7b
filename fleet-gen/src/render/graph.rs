//! The fleet graph: hosts → profiles → modules, as a small graph model with two printers
//! (Mermaid for the generated README, DOT for graphviz).
//!
//! Nodes come in a fixed order: hosts in declaration order, then profiles in first-use order,
//! then modules (hand-written ones and typed option sets) in first-use order. Edges are grouped
//! by their source in node order: a host's profiles, then its modules; a profile's imports, then
//! its modules; each group in declaration order, without repeats.

use crate::plan::Plan;
use fleet_dsl::{Config, Os};
use std::collections::{HashMap, HashSet};

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// A NixOS host.
    NixosHost,
    /// A nix-darwin host.
    DarwinHost,
    /// A profile.
    Profile,
    /// A hand-written module under `modules/`.
    Module,
    /// A typed option set of one of the user's modules (`#[derive(NixOptions)]`).
    Options,
}

impl NodeKind {
    const ALL: [NodeKind; 5] =
        [NodeKind::NixosHost, NodeKind::DarwinHost, NodeKind::Profile, NodeKind::Module, NodeKind::Options];

    /// The prefix of the ids of nodes of this kind.
    fn prefix(self) -> &'static str {
        match self {
            NodeKind::NixosHost | NodeKind::DarwinHost => "host",
            NodeKind::Profile => "profile",
            NodeKind::Module => "module",
            NodeKind::Options => "options",
        }
    }

    /// The style class (Mermaid `classDef`) of this kind.
    fn class(self) -> &'static str {
        match self {
            NodeKind::NixosHost => "nixos",
            NodeKind::DarwinHost => "darwin",
            NodeKind::Profile => "profile",
            NodeKind::Module => "module",
            NodeKind::Options => "options",
        }
    }

    /// Fill and stroke colours, shared by both printers.
    fn colors(self) -> (&'static str, &'static str) {
        match self {
            NodeKind::NixosHost => ("#cfe3f7", "#41729f"),
            NodeKind::DarwinHost => ("#eeeeee", "#555555"),
            NodeKind::Profile => ("#fff3c4", "#b0902c"),
            NodeKind::Module => ("#dff0d8", "#4f8a3f"),
            NodeKind::Options => ("#f3e1f0", "#8a4f7d"),
        }
    }

    /// The graphviz shape.
    fn dot_shape(self) -> &'static str {
        match self {
            NodeKind::NixosHost | NodeKind::DarwinHost => "box",
            NodeKind::Profile => "ellipse",
            NodeKind::Module => "note",
            NodeKind::Options => "component",
        }
    }
}

/// One node: a safe identifier, a label for people, a kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Identifier valid in Mermaid and DOT alike (`[A-Za-z0-9_]`, starting with a letter), unique
    /// in the graph.
    pub id: String,
    /// What is shown; escaped by each printer.
    pub label: String,
    /// What the node stands for.
    pub kind: NodeKind,
}

/// An edge between two nodes, by their index in [`Graph::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Index of the source node.
    pub from: usize,
    /// Index of the target node.
    pub to: usize,
}

/// Nodes and edges in a deterministic order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    /// The graph's name (the fleet's), used by DOT.
    pub name: String,
    /// The nodes, in the order they were added.
    pub nodes: Vec<Node>,
    /// The edges, in the order they were added, each once.
    pub edges: Vec<Edge>,
    /// The ids of `nodes` and the `(from, to)` of `edges`, so adding one is a hash look-up
    /// rather than a scan (a fleet of 10,000 hosts has as many nodes).
    taken_ids: HashSet<String>,
    taken_edges: HashSet<(usize, usize)>,
}

impl Graph {
    /// An empty graph named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Graph { name: name.into(), ..Graph::default() }
    }

    /// The graph of a validated fleet: hosts → profiles → modules.
    pub fn of(plan: &Plan<'_>) -> Self {
        let mut g = Graph::new(&plan.fleet.name);
        let mut hosts = Vec::new();
        for h in &plan.hosts {
            let kind = match h.host.os {
                Os::Nixos => NodeKind::NixosHost,
                Os::Darwin => NodeKind::DarwinHost,
            };
            hosts.push(g.add_node(kind, &h.host.name, &h.host.name));
        }
        let mut profiles = HashMap::new();
        for p in &plan.profiles {
            profiles.insert(p.name.as_str(), g.add_node(NodeKind::Profile, &p.name, &p.name));
        }
        // Modules in first-use order over the same owners (profiles, then hosts) the plan uses.
        let mut modules: HashMap<(NodeKind, &str), usize> = HashMap::new();
        let configs = plan.profiles.iter().map(|p| &p.config).chain(plan.hosts.iter().map(|h| &h.host.config));
        for config in configs {
            for (kind, path) in config_modules(config) {
                if modules.contains_key(&(kind, path)) {
                    continue;
                }
                let label = match kind {
                    NodeKind::Module => plan
                        .modules
                        .iter()
                        .find(|m| m.path == path)
                        .map_or_else(|| path.to_owned(), |m| m.import.clone()),
                    _ => path.to_owned(),
                };
                modules.insert((kind, path), g.add_node(kind, path, &label));
            }
        }
        for (h, &from) in plan.hosts.iter().zip(&hosts) {
            for p in &h.host.profiles {
                if let Some(&to) = profiles.get(p.name.as_str()) {
                    g.add_edge(from, to);
                }
            }
            for key in config_modules(&h.host.config) {
                if let Some(&to) = modules.get(&key) {
                    g.add_edge(from, to);
                }
            }
        }
        for p in &plan.profiles {
            let from = profiles[p.name.as_str()];
            for i in &p.imports {
                if let Some(&to) = profiles.get(i.name.as_str()) {
                    g.add_edge(from, to);
                }
            }
            for key in config_modules(&p.config) {
                if let Some(&to) = modules.get(&key) {
                    g.add_edge(from, to);
                }
            }
        }
        g
    }

    /// Adds a node of `kind` whose id is derived from `key` (`host_desktop`,
    /// `module_desktop_gnome`), made unique with a `_2`, `_3`, … suffix; returns its index.
    pub fn add_node(&mut self, kind: NodeKind, key: &str, label: &str) -> usize {
        let slug: String = key.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let base = format!("{}_{slug}", kind.prefix());
        let mut id = base.clone();
        let mut n = 2;
        while self.taken_ids.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.taken_ids.insert(id.clone());
        self.nodes.push(Node { id, label: label.to_owned(), kind });
        self.nodes.len() - 1
    }

    /// Adds an edge between two node indices, unless it is already there.
    pub fn add_edge(&mut self, from: usize, to: usize) {
        if self.taken_edges.insert((from, to)) {
            self.edges.push(Edge { from, to });
        }
    }

    /// The graph as a Mermaid `flowchart LR`, without the surrounding code fence.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for n in &self.nodes {
            let label = mermaid_label(&n.label);
            let shape = match n.kind {
                NodeKind::Profile => format!("(\"{label}\")"),
                NodeKind::Options => format!("[[\"{label}\"]]"),
                _ => format!("[\"{label}\"]"),
            };
            out.push_str(&format!("  {}{shape}\n", n.id));
        }
        for e in &self.edges {
            out.push_str(&format!("  {} --> {}\n", self.nodes[e.from].id, self.nodes[e.to].id));
        }
        for kind in NodeKind::ALL {
            let ids: Vec<&str> = self.nodes.iter().filter(|n| n.kind == kind).map(|n| n.id.as_str()).collect();
            if ids.is_empty() {
                continue;
            }
            let (fill, stroke) = kind.colors();
            out.push_str(&format!("  classDef {} fill:{fill},stroke:{stroke},color:#000000\n", kind.class()));
            out.push_str(&format!("  class {} {}\n", ids.join(","), kind.class()));
        }
        out
    }

    /// The graph in graphviz DOT (`dot -Tsvg`).
    pub fn dot(&self) -> String {
        let mut out = format!("digraph \"{}\" {{\n", dot_escape(&self.name));
        out.push_str("  rankdir=LR;\n");
        out.push_str("  node [style=filled, fontname=\"Helvetica\"];\n");
        for n in &self.nodes {
            let (fill, stroke) = n.kind.colors();
            out.push_str(&format!(
                "  {} [label=\"{}\", shape={}, fillcolor=\"{fill}\", color=\"{stroke}\"];\n",
                n.id,
                dot_escape(&n.label),
                n.kind.dot_shape()
            ));
        }
        for e in &self.edges {
            out.push_str(&format!("  {} -> {};\n", self.nodes[e.from].id, self.nodes[e.to].id));
        }
        out.push_str("}\n");
        out
    }
}

/// The modules a config uses: hand-written ones, then typed option sets, each in order.
fn config_modules(config: &Config) -> impl Iterator<Item = (NodeKind, &str)> {
    let hand = config.modules.iter().map(|m| (NodeKind::Module, m.path.as_str()));
    hand.chain(config.typed.iter().map(|t| (NodeKind::Options, t.path.as_str())))
}

/// A label inside Mermaid's `"…"`: quotes, `#`, `<` and `>` as entity codes, control
/// characters as spaces.
pub fn mermaid_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A string inside DOT's `"…"`: `\` and `"` escaped, control characters as spaces.
pub fn dot_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_and_unique() {
        let mut g = Graph::new("g");
        let a = g.add_node(NodeKind::Module, "desktop/gnome", "a");
        let b = g.add_node(NodeKind::Module, "desktop-gnome", "b");
        let c = g.add_node(NodeKind::Module, "desktop_gnome", "c");
        let d = g.add_node(NodeKind::NixosHost, "ü", "d");
        let ids: Vec<&str> = [a, b, c, d].iter().map(|&i| g.nodes[i].id.as_str()).collect();
        assert_eq!(ids, ["module_desktop_gnome", "module_desktop_gnome_2", "module_desktop_gnome_3", "host__"]);
    }

    #[test]
    fn escapes() {
        assert_eq!(mermaid_label(r#"a"b#c<d>"#), "a#quot;b#35;c#lt;d#gt;");
        assert_eq!(dot_escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(dot_escape("a\nb"), "a b");
    }
}
