//! A fingerprint of everything a generated tree depends on besides the output directory: the
//! fleet model, its inventory files and the generator binary. Equal fingerprints over an
//! untouched output directory mean the tree is already up to date (see [`crate::write::cache`]).

use fleet_dsl::{FleetData, HostData, ProfileData};
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// The fingerprint of `fleet` as this binary would generate it.
pub fn of(fleet: &FleetData) -> u64 {
    let mut h = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    binary_identity(&mut h);
    let FleetData {
        name,
        inputs,
        nixos_state_version,
        darwin_state_version,
        spec,
        hosts,
        admins,
        profiles,
        inventories,
        standalone_homes,
        feature_names,
        features,
        channel,
        overlays,
        outputs,
        auto_upgrade,
        at,
    } = fleet;
    let mut profile_hashes: HashMap<*const ProfileData, u64> = HashMap::new();
    debug(&mut h, &(name, inputs, nixos_state_version, darwin_state_version, spec, admins, at));
    debug(&mut h, &(standalone_homes, feature_names, channel, overlays, outputs, auto_upgrade));
    for (feature, p) in features {
        feature.hash(&mut h);
        profile_hash(p, &mut profile_hashes).hash(&mut h);
    }
    hosts.len().hash(&mut h);
    for host in hosts {
        host_hash(&mut h, host, &mut profile_hashes);
    }
    for p in profiles {
        profile_hash(p, &mut profile_hashes).hash(&mut h);
    }
    for path in inventories {
        debug(&mut h, path);
        // An unreadable inventory makes the run fail later; its error text is enough here.
        match std::fs::read(path) {
            Ok(bytes) => bytes.hash(&mut h),
            Err(e) => e.kind().hash(&mut h),
        }
    }
    h.finish()
}

fn host_hash(h: &mut DefaultHasher, host: &HostData, memo: &mut HashMap<*const ProfileData, u64>) {
    // Every field by name: a field added to `HostData` does not compile until it is hashed.
    let HostData {
        name,
        os,
        system,
        channel,
        profiles,
        spec,
        state_version,
        secrets,
        age_key,
        age_key_file,
        deploy,
        build_machine,
        disks,
        auto_upgrade,
        config,
        homes,
        features,
        at,
    } = host;
    debug(h, &(name, os, system, channel, spec, state_version, secrets, age_key, age_key_file));
    debug(h, &(deploy, build_machine, disks, auto_upgrade, config, homes, features, at));
    profiles.len().hash(h);
    for p in profiles {
        profile_hash(p, memo).hash(h);
    }
}

/// A profile's hash, computed once per profile value (hosts share them).
fn profile_hash(p: &Arc<ProfileData>, memo: &mut HashMap<*const ProfileData, u64>) -> u64 {
    *memo.entry(Arc::as_ptr(p)).or_insert_with(|| {
        let mut h = DefaultHasher::new();
        debug(&mut h, p.as_ref());
        h.finish()
    })
}

/// Feeds a value's `Debug` text to the hasher without building the string.
fn debug(h: &mut DefaultHasher, value: &dyn fmt::Debug) {
    struct Feed<'a>(&'a mut DefaultHasher);
    impl fmt::Write for Feed<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0.write(s.as_bytes());
            Ok(())
        }
    }
    let _ = write!(Feed(h), "{value:?}");
    h.write_u8(0xff);
}

/// The running binary's path, size and modification time: a rebuilt generator is a different
/// generator, so its first run compares everything.
fn binary_identity(h: &mut DefaultHasher) {
    let Ok(exe) = std::env::current_exe() else {
        h.write_u8(0);
        return;
    };
    exe.hash(h);
    if let Ok(meta) = std::fs::metadata(&exe) {
        meta.len().hash(h);
        meta.modified().ok().hash(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_anywhere_changes_the_fingerprint() {
        let a = crate::synthetic::fleet(20).into_data();
        let mut b = a.clone();
        assert_eq!(of(&a), of(&b));
        b.hosts[7].channel = match b.hosts[7].channel {
            fleet_dsl::Channel::Stable => fleet_dsl::Channel::Unstable,
            fleet_dsl::Channel::Unstable => fleet_dsl::Channel::Stable,
        };
        assert_ne!(of(&a), of(&b));
        let mut c = a.clone();
        let mut p = (*c.hosts[3].profiles[0]).clone();
        p.description = Some("changed".into());
        c.hosts[3].profiles[0] = Arc::new(p);
        assert_ne!(of(&a), of(&c));
    }
}
