//! Features: hosts name them (in Rust or in an inventory), the fleet maps each to profiles, and
//! the host gets those profiles after its own, as if it listed them.

use fleet_dsl::{FleetData, HostData, Os, ProfileData};
use std::sync::Arc;

/// Appends to `host.profiles` the profiles its features map to (each once, after its own);
/// returns a message per feature that cannot apply, with the index of the feature.
pub fn apply(fleet: &FleetData, host: &mut HostData) -> Vec<(usize, String)> {
    let mut problems = Vec::new();
    let features = host.features.clone();
    for (i, feature) in features.iter().enumerate() {
        let mapped: Vec<&Arc<ProfileData>> =
            fleet.features.iter().filter(|(name, _)| name == feature).map(|(_, p)| p).collect();
        if mapped.is_empty() {
            problems.push((
                i,
                format!(
                    "feature `{feature}` maps to no profile: add `.feature(<Feature>::<Variant>, &profile)` to the fleet{}",
                    fleet_dsl::rules::suggest::did_you_mean(feature, &fleet.feature_names)
                ),
            ));
        }
        if let Some(message) = misfit(fleet, feature, host.os) {
            problems.push((i, message));
            continue;
        }
        for p in mapped {
            if !host.profiles.iter().any(|known| known.name == p.name) {
                host.profiles.push(Arc::clone(p));
            }
        }
    }
    problems
}

/// Why `feature` cannot apply to a host of `os`: it gives a profile for the other platform.
pub fn misfit(fleet: &FleetData, feature: &str, os: Os) -> Option<String> {
    let p = fleet.features.iter().find(|(name, p)| name == feature && !p.target.admits(os))?;
    Some(format!("feature `{feature}` gives profile `{}`, which is not for {} hosts", p.1.name, os.label()))
}
