//! `#[derive(Secrets)]` and `age_key!`, checked at run time.

use fleet_dsl::prelude::*;
use fleet_dsl::{NoSpec, Scope, SecretDecl, SecretFormat, SecretSet};

/// Secrets every host may read: secrets/common.yaml
#[derive(Secrets)]
#[secrets(scope = common)]
pub struct Shared {
    /// Hashed login password of the primary user.
    #[secret(needed_for_users)]
    pub user_password: Secret,
}

/// The wireless network's secrets.
#[derive(Secrets)]
#[secrets(scope = host)]
pub struct Wifi {
    #[secret(mode = "0400", restart_units = ["wpa_supplicant.service"])]
    pub wifi_password: Secret,
}

/// The media servers' secrets.
#[derive(Secrets)]
#[secrets(scope = group("media"))]
pub struct Media {
    /// API key of Jellyfin.
    #[secret(
        rename = "jellyfin",
        key = "jellyfin/api",
        owner = "jellyfin",
        group = "media",
        mode = "440",
        path = "/run/keys/jellyfin",
        format = json
    )]
    pub api_key: fleet_dsl::Secret,
    #[secret(format = dotenv, reload_units = [])]
    pub(crate) r#env_file: Secret,
}

fn main() {
    let mut password = SecretDecl::new("user-password");
    password.description = Some("Hashed login password of the primary user.".to_owned());
    password.needed_for_users = true;
    assert_eq!(
        Shared::secret_set(),
        SecretSet { rust_name: "Shared".to_owned(), scope: Scope::Common, secrets: vec![password] }
    );

    let mut wifi = SecretDecl::new("wifi-password");
    wifi.mode = Some("0400".to_owned());
    wifi.restart_units = vec!["wpa_supplicant.service".to_owned()];
    assert_eq!(Wifi::secret_set(), SecretSet { rust_name: "Wifi".to_owned(), scope: Scope::Host, secrets: vec![wifi] });

    let media = Media::secret_set();
    assert_eq!(media.scope, Scope::Group("media".to_owned()));
    let [jellyfin, env] = &media.secrets[..] else { panic!("two secrets: {media:?}") };
    assert_eq!(jellyfin.name, "jellyfin");
    assert_eq!(jellyfin.description.as_deref(), Some("API key of Jellyfin."));
    assert_eq!(jellyfin.key.as_deref(), Some("jellyfin/api"));
    assert_eq!(jellyfin.owner.as_deref(), Some("jellyfin"));
    assert_eq!(jellyfin.group.as_deref(), Some("media"));
    assert_eq!(jellyfin.mode.as_deref(), Some("440"));
    assert_eq!(jellyfin.path.as_deref(), Some("/run/keys/jellyfin"));
    assert_eq!(jellyfin.format, Some(SecretFormat::Json));
    assert_eq!(env.name, "env-file");
    assert_eq!(env.format, Some(SecretFormat::Dotenv));
    assert!(env.reload_units.is_empty());

    // References, as a user's password file takes them.
    let reference: SecretRef<Shared> = Shared::user_password();
    assert_eq!(reference.name(), "user-password");
    const WIFI: SecretRef<Wifi> = Wifi::wifi_password();
    assert_eq!(WIFI.name(), "wifi-password");
    assert_eq!(Media::api_key().name(), "jellyfin");
    assert_eq!(Media::env_file().name(), "env-file");

    let key: AgeKey = age_key!("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p");
    assert_eq!(key.as_str(), "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p");
    let same = fleet_dsl::age_key!("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p");
    assert_eq!(key, same);

    // NixOS-only secrets on NixOS, portable secrets anywhere.
    let _nixos = Host::<Nixos, NoSpec>::nixos("server", System::X86_64Linux).secrets::<Wifi>().secrets::<Media>();
    let _mac = Host::<Darwin, NoSpec>::darwin("mac", System::Aarch64Darwin).secrets::<Shared>().secrets::<Media>();
    let _profile = Profile::any("common").secrets::<Shared>();
    let _nixos_profile = Profile::nixos("wireless").secrets::<Wifi>();
}
