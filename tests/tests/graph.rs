//! The fleet graph: a tiny fleet's nodes and edges in order, printed as Mermaid and DOT (in full),
//! safe ids and escaped labels, `graph` on the command line, and the README's mermaid block.
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};
use fleet_gen::render::graph::{Graph, NodeKind};
use std::process::ExitCode;

/// Options of the hand-written web module.
#[derive(NixOptions)]
#[options(path = "modules.web")]
pub struct Web {
    /// Whether to serve.
    #[spec(default = false)]
    pub enable: bool,
}

/// Hosts `edge` (NixOS), `mac` (Darwin), `db` (NixOS); profiles `web` → `common`; a module
/// used by a profile and a host, and a typed option set used by a profile and a host.
fn tiny() -> FleetData {
    let nginx = Module::new("web/nginx").scaffold("{...}: {}\n");
    let common = Profile::any("common");
    let web = Profile::nixos("web").import(&common).module(&nginx).options(Web { enable: true });
    Fleet::<NoSpec>::new("tiny")
        .host(Host::nixos("edge", System::X86_64Linux).profile(&web))
        .host(Host::darwin("mac", System::Aarch64Darwin).profile(&common))
        .host(
            Host::nixos("db", System::Aarch64Linux)
                .profile(&common)
                .module(&nginx)
                .module(Module::new("db/backup").scaffold("{...}: {}\n"))
                .options(Web { enable: false }),
        )
        .into_data()
}

const TINY_MERMAID: &str = r#"flowchart LR
  host_edge["edge"]
  host_mac["mac"]
  host_db["db"]
  profile_web("web")
  profile_common("common")
  module_web_nginx["modules/web/nginx.nix"]
  options_modules_web[["modules.web"]]
  module_db_backup["modules/db/backup.nix"]
  host_edge --> profile_web
  host_mac --> profile_common
  host_db --> profile_common
  host_db --> module_web_nginx
  host_db --> module_db_backup
  host_db --> options_modules_web
  profile_web --> profile_common
  profile_web --> module_web_nginx
  profile_web --> options_modules_web
  classDef nixos fill:#cfe3f7,stroke:#41729f,color:#000000
  class host_edge,host_db nixos
  classDef darwin fill:#eeeeee,stroke:#555555,color:#000000
  class host_mac darwin
  classDef profile fill:#fff3c4,stroke:#b0902c,color:#000000
  class profile_web,profile_common profile
  classDef module fill:#dff0d8,stroke:#4f8a3f,color:#000000
  class module_web_nginx,module_db_backup module
  classDef options fill:#f3e1f0,stroke:#8a4f7d,color:#000000
  class options_modules_web options
"#;

const TINY_DOT: &str = r##"digraph "tiny" {
  rankdir=LR;
  node [style=filled, fontname="Helvetica"];
  host_edge [label="edge", shape=box, fillcolor="#cfe3f7", color="#41729f"];
  host_mac [label="mac", shape=box, fillcolor="#eeeeee", color="#555555"];
  host_db [label="db", shape=box, fillcolor="#cfe3f7", color="#41729f"];
  profile_web [label="web", shape=ellipse, fillcolor="#fff3c4", color="#b0902c"];
  profile_common [label="common", shape=ellipse, fillcolor="#fff3c4", color="#b0902c"];
  module_web_nginx [label="modules/web/nginx.nix", shape=note, fillcolor="#dff0d8", color="#4f8a3f"];
  options_modules_web [label="modules.web", shape=component, fillcolor="#f3e1f0", color="#8a4f7d"];
  module_db_backup [label="modules/db/backup.nix", shape=note, fillcolor="#dff0d8", color="#4f8a3f"];
  host_edge -> profile_web;
  host_mac -> profile_common;
  host_db -> profile_common;
  host_db -> module_web_nginx;
  host_db -> module_db_backup;
  host_db -> options_modules_web;
  profile_web -> profile_common;
  profile_web -> module_web_nginx;
  profile_web -> options_modules_web;
}
"##;

use fleet_tests::run_cli as run;

fn graph_of(fleet: &FleetData) -> Graph {
    let tmp = tempfile::tempdir().unwrap();
    let view = fleet_gen::validate::validate(fleet, tmp.path()).unwrap();
    Graph::of(&view)
}

#[test]
fn tiny_fleet_nodes_and_edges_in_order() {
    let g = graph_of(&tiny());
    let nodes: Vec<(&str, &str, NodeKind)> =
        g.nodes.iter().map(|n| (n.id.as_str(), n.label.as_str(), n.kind)).collect();
    assert_eq!(
        nodes,
        [
            ("host_edge", "edge", NodeKind::NixosHost),
            ("host_mac", "mac", NodeKind::DarwinHost),
            ("host_db", "db", NodeKind::NixosHost),
            ("profile_web", "web", NodeKind::Profile),
            ("profile_common", "common", NodeKind::Profile),
            ("module_web_nginx", "modules/web/nginx.nix", NodeKind::Module),
            ("options_modules_web", "modules.web", NodeKind::Options),
            ("module_db_backup", "modules/db/backup.nix", NodeKind::Module),
        ]
    );
    assert_eq!(g.edges.len(), 9, "each edge once, though `db` and `web` share a module");
}

#[test]
fn tiny_fleet_as_mermaid() {
    assert_eq!(graph_of(&tiny()).mermaid(), TINY_MERMAID);
}

#[test]
fn tiny_fleet_as_dot() {
    assert_eq!(graph_of(&tiny()).dot(), TINY_DOT);
}

#[test]
fn graph_command_prints_either_format() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out = out.to_str().unwrap();
    let (code, stdout, stderr) = run(&tiny(), &["fleet", "graph", "--out", out]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert_eq!(stdout, TINY_MERMAID);
    let (code, stdout, _) = run(&tiny(), &["fleet", "graph", "--format", "mermaid", "--out", out]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert_eq!(stdout, TINY_MERMAID);
    let (code, stdout, stderr) = run(&tiny(), &["fleet", "graph", "--format", "dot", "--out", out]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert_eq!(stdout, TINY_DOT);
    assert!(!tmp.path().join("out").exists(), "graph writes nothing");
}

#[test]
fn graph_command_rejects_an_invalid_fleet_and_bad_usage() {
    let fleet = Fleet::<NoSpec>::new("f")
        .host(Host::nixos("web", System::X86_64Linux))
        .host(Host::nixos("web", System::X86_64Linux))
        .into_data();
    let (code, stdout, stderr) = run(&fleet, &["fleet", "graph"]);
    assert_eq!(code, ExitCode::from(1));
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("host `web` is defined 2 times"), "{stderr}");

    let (code, _, stderr) = run(&tiny(), &["fleet", "graph", "--format", "svg"]);
    assert_eq!(code, ExitCode::from(2), "{stderr}");
}

#[test]
fn ids_stay_safe_and_unique_for_odd_valid_names() {
    let a = Profile::nixos("a-b").module(Module::new("x/y-z.v2").scaffold("{...}: {}\n"));
    let b = Profile::nixos("a_b").module(Module::new("x/y_z.v2").scaffold("{...}: {}\n"));
    let fleet =
        Fleet::<NoSpec>::new("f").host(Host::nixos("n-1", System::X86_64Linux).profile(&a).profile(&b)).into_data();
    let ids: Vec<String> = graph_of(&fleet).nodes.into_iter().map(|n| n.id).collect();
    assert_eq!(ids, ["host_n_1", "profile_a_b", "profile_a_b_2", "module_x_y_z_v2", "module_x_y_z_v2_2"]);
}

#[test]
fn hostile_labels_are_escaped_in_both_printers() {
    let mut g = Graph::new("fl\"eet\\");
    let host = g.add_node(NodeKind::DarwinHost, "we\"ird host", "we\"ird <b>#1</b> \\ host\nend");
    let module = g.add_node(NodeKind::Module, "end", "a \"b\" ; c");
    g.add_edge(host, module);
    g.add_edge(host, module);
    assert_eq!(
        g.mermaid(),
        "flowchart LR
  host_we_ird_host[\"we#quot;ird #lt;b#gt;#35;1#lt;/b#gt; \\ host end\"]
  module_end[\"a #quot;b#quot; ; c\"]
  host_we_ird_host --> module_end
  classDef darwin fill:#eeeeee,stroke:#555555,color:#000000
  class host_we_ird_host darwin
  classDef module fill:#dff0d8,stroke:#4f8a3f,color:#000000
  class module_end module
"
    );
    assert_eq!(
        g.dot(),
        "digraph \"fl\\\"eet\\\\\" {
  rankdir=LR;
  node [style=filled, fontname=\"Helvetica\"];
  host_we_ird_host [label=\"we\\\"ird <b>#1</b> \\\\ host end\", shape=box, fillcolor=\"#eeeeee\", color=\"#555555\"];
  module_end [label=\"a \\\"b\\\" ; c\", shape=note, fillcolor=\"#dff0d8\", color=\"#4f8a3f\"];
  host_we_ird_host -> module_end;
}
"
    );
}

#[test]
fn readme_embeds_the_mermaid_graph() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = fleet_gen::generate(&tiny(), tmp.path()).unwrap();
    let readme = &tree.files["README.md"].text;
    let block = format!("```mermaid\n{TINY_MERMAID}```\n");
    assert!(readme.contains(&block), "no mermaid block in:\n{readme}");
    assert!(readme.contains("## Adding a host"), "{readme}");
    assert!(
        readme.contains("cargo run -- new-host NAME --platform nixos --system x86_64-linux --profile web"),
        "{readme}"
    );
}

#[test]
fn large_fleets_name_the_command_instead_of_embedding_the_diagram() {
    let readme = |hosts: usize| {
        let fleet = (0..hosts)
            .fold(Fleet::<NoSpec>::new("big"), |f, i| f.host(Host::nixos(format!("h{i}"), System::X86_64Linux)))
            .into_data();
        let tmp = tempfile::tempdir().unwrap();
        fleet_gen::generate(&fleet, tmp.path()).unwrap().files["README.md"].text.clone()
    };
    assert!(readme(50).contains("```mermaid"));
    let big = readme(51);
    assert!(!big.contains("```mermaid"), "{big}");
    assert!(big.contains("With 51 hosts the diagram is too large to read here"), "{big}");
}
