//! The escape hatches a fleet uses: every `.set` / `.default` / `.add` with a path the fleet
//! wrote itself, and every raw Nix value (in values, typed options, overlays, flake outputs).
//! Seed fixtures keep theirs at five or fewer, each with the reason no typed API covers it.

use fleet_dsl::{Config, FleetData, NixValue};
use std::collections::HashSet;

/// `"<owner>: <what>(<path>)"` for each escape hatch of the fleet, in a stable order.
pub fn escape_hatches(fleet: &FleetData) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |owner: &str, config: &Config| {
        for (path, what) in config.escape_hatches() {
            out.push(format!("{owner}: {what}({path})"));
        }
    };
    let mut users = HashSet::new();
    for p in fleet.profiles_in_use() {
        push(&format!("profile {}", p.name), &p.config);
        for u in p.users.iter().filter(|u| users.insert(u.name.clone())) {
            if let Some(home) = &u.home {
                push(&format!("home of {}", u.name), &home.config);
            }
        }
    }
    for h in &fleet.hosts {
        push(&format!("host {}", h.name), &h.config);
        for (user, home) in &h.homes {
            push(&format!("host {}, home of {user}", h.name), &home.config);
        }
    }
    for sh in &fleet.standalone_homes {
        if users.insert(sh.user.name.clone()) {
            if let Some(home) = &sh.user.home {
                push(&format!("home of {}", sh.user.name), &home.config);
            }
        }
        push(&format!("standalone home {}", sh.name()), &sh.home.config);
    }
    for (i, _) in fleet.overlays.iter().enumerate().filter(|(_, o)| matches!(o, NixValue::Raw(_))) {
        out.push(format!("fleet: overlay #{i}"));
    }
    let outputs = &fleet.outputs;
    for (kind, list) in [("devShell", &outputs.dev_shells), ("package", &outputs.packages), ("check", &outputs.checks)]
    {
        for (name, _) in list.iter().filter(|(_, v)| matches!(v, NixValue::Raw(_))) {
            out.push(format!("fleet: {kind} {name}"));
        }
    }
    out
}
