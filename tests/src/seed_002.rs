//! Seed 002's fleet, as its author writes it with the DSL: two Threadrippers (`nixos-ripper`,
//! `nixos`) and two Framework laptops (`framework-13`, `framework-16`) on nixos-unstable, one
//! user `jay` whose dotfiles home-manager manages (git with ssh signing, zsh with starship,
//! direnv, his `PATH` additions and the `y` yazi function), per-host homes (framework-16 exports
//! `HSA_OVERRIDE_GFX_VERSION=10.3.0`, each machine has its own package list), the seed's shared
//! modules kept as hand-written modules (`common`, `amd-gpu`, `desktop` and the services under
//! `modules/services/`, switched per host by typed options as `ollama.enable` and
//! `sunshine.enable` were), nixos-hardware for the CPUs and the Framework boards, and every
//! machine deployed and rolled back on itself, as the seed's `deploy.sh` and `rollback.sh` did.

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};

/// The escape hatches [`seed_002_fleet`] keeps, as `fleet_tests::escape_hatches` lists them,
/// with the reason no typed API covers each.
pub const SEED_002_ESCAPE_HATCHES: &[(&str, &str)] = &[(
    "profile common: .add(systemd.tmpfiles.rules)",
    "the seed's goal 5, `/etc/nixos` linked to the configuration repository (so a plain \
     `nixos-rebuild switch` finds the flake), is a tmpfiles symlink rule: the DSL has no typed \
     API for files under /etc or tmpfiles, and the seed's deploy.sh did it imperatively",
)];

/// Ollama, the local LLM server (`modules/services/ollama.nix`), on ROCm.
#[derive(NixOptions)]
#[options(path = "ollama")]
pub struct Ollama {
    /// Whether to run Ollama.
    pub enable: bool,
}

/// Sunshine, game streaming from the desktop (`modules/services/sunshine.nix`).
#[derive(NixOptions)]
#[options(path = "sunshine")]
pub struct Sunshine {
    /// Whether to run Sunshine.
    pub enable: bool,
}

/// Syncthing as a user's own service (`modules/services/syncthing.nix`).
#[derive(NixOptions)]
#[options(path = "syncthing")]
pub struct Syncthing {
    /// Whether to run Syncthing.
    pub enable: bool,
    /// The user it runs as, syncing their home.
    pub user: String,
}

/// The Gitea forge (`modules/services/gitea.nix`).
#[derive(NixOptions)]
#[options(path = "gitea")]
pub struct Gitea {
    /// Whether to run Gitea.
    pub enable: bool,
    /// The port of its web interface.
    #[spec(port, default = 3000)]
    pub http_port: u16,
}

/// RetroArch with its cores (`modules/services/retroarch.nix`).
#[derive(NixOptions)]
#[options(path = "retroarch")]
pub struct Retroarch {
    /// Whether to install RetroArch.
    pub enable: bool,
}

/// vLLM's OpenAI-compatible server (`modules/services/vllm.nix`).
#[derive(NixOptions)]
#[options(path = "vllm")]
pub struct Vllm {
    /// Whether to run vLLM.
    pub enable: bool,
    /// The model it serves (a Hugging Face name).
    pub model: String,
    /// The port it listens on.
    #[spec(port, default = 8000)]
    pub port: u16,
}

/// Wallabag, read-it-later, as a container (`modules/services/wallabag.nix`).
#[derive(NixOptions)]
#[options(path = "wallabag")]
pub struct Wallabag {
    /// Whether to run Wallabag.
    pub enable: bool,
    /// The host port of its web interface.
    #[spec(port, default = 8080)]
    pub port: u16,
}

/// See the module documentation.
pub fn seed_002_fleet() -> FleetData {
    let hw = fleet_input("nixos-hardware", "github:NixOS/nixos-hardware");

    // home/common.nix, home/modules/shells/{zsh,aliases}.nix and dotfiles/gitconfig, typed.
    let jay = User::new("jay").description("Jay").groups(["wheel", "networkmanager", "audio"]).shell(Shell::Zsh).home(
        Home::new()
            // jay's home-manager predates the migration (/etc/nixos/homemanager.nix).
            .state_version("24.05")
            .program(Git {
                user_name: "Jay".into(),
                user_email: "jay@example.org".into(),
                default_branch: Some("main".into()),
                signing: Some(GitSigning {
                    key: "~/.ssh/id_ed25519.pub".into(),
                    format: SigningFormat::Ssh,
                    sign_by_default: true,
                }),
                ..Git::default()
            })
            .program(Zsh {
                aliases: [
                    ("ll".to_owned(), "eza -l".to_owned()),
                    ("deploy".to_owned(), "nix run ~/dotfiles#deploy -- $(uname -n)".to_owned()),
                    ("rollback".to_owned(), "nix run ~/dotfiles#rollback -- $(uname -n)".to_owned()),
                ]
                .into(),
                init: Some(ZSH_INIT.into()),
                ..Zsh::default()
            })
            .program(Starship::default())
            .program(Direnv::default())
            .session_variable("EDITOR", "hx")
            .session_path(["$HOME/.cargo/bin", "$HOME/go/bin", "$HOME/bin", "$HOME/.deno/bin", "$HOME/.local/bin"])
            .packages([pkg("helix"), pkg("yazi"), pkg("ripgrep"), pkg("fd"), pkg("bat"), pkg("eza"), pkg("fzf")]),
    );

    let ollama = Module::new("services/ollama").scaffold(OLLAMA_MODULE);
    let sunshine = Module::new("services/sunshine").scaffold(SUNSHINE_MODULE);

    let common = Profile::nixos("common")
        .description("Every machine (modules/common.nix): boot, locale, Nix settings, Jay, Syncthing.")
        .user(&jay)
        .module(Module::new("common").scaffold(COMMON_MODULE))
        .module(Module::new("services/syncthing").scaffold(SYNCTHING_MODULE))
        .options(Syncthing { enable: true, user: "jay".into() })
        .packages([pkg("git"), pkg("vim"), pkg("wget"), pkg("curl"), pkg("htop")])
        .add("systemd.tmpfiles.rules", ["L+ /etc/nixos - - - - /home/jay/dotfiles"]);
    let amd_gpu = Profile::nixos("amd-gpu")
        .description("AMD graphics with ROCm: Jay may use the GPU for compute.")
        .module(Module::new("amd-gpu").scaffold(AMD_GPU_MODULE))
        .user_groups(&jay, ["video", "render"]);
    let desktop = Profile::nixos("desktop")
        .description("The desktop every machine runs.")
        .import(&common)
        .import(&amd_gpu)
        .module(Module::new("desktop").scaffold(DESKTOP_MODULE));
    let threadripper = Profile::nixos("threadripper")
        .description("The Threadripper workstations: AMD microcode, Sunshine streaming, Ollama.")
        .import(&desktop)
        .import_input(hw.nixos_module("common-cpu-amd"))
        .module(&sunshine)
        .options(Sunshine { enable: true })
        .module(&ollama)
        .options(Ollama { enable: true })
        .packages([pkg("lm_sensors")]);
    let laptop = Profile::nixos("laptop")
        .description("The Framework laptops; their boards come from nixos-hardware.")
        .import(&desktop)
        .packages([pkg("powertop")]);

    Fleet::<NoSpec>::new("dotfiles")
        .channel(Channel::Unstable)
        .host(
            Host::nixos("nixos-ripper", System::X86_64Linux)
                .profile(&threadripper)
                .options(Ollama { enable: false })
                .home(&jay, Home::new().packages([pkg("libreoffice"), pkg("android-studio")]))
                .deploy(Deploy::local())
                .state_version("24.05"),
        )
        .host(
            Host::nixos("nixos", System::X86_64Linux)
                .profile(&threadripper)
                .module(Module::new("services/gitea").scaffold(GITEA_MODULE))
                .options(Gitea { enable: true, http_port: 3000 })
                .module(Module::new("services/vllm").scaffold(VLLM_MODULE))
                .options(Vllm { enable: true, model: "Qwen/Qwen2.5-Coder-7B-Instruct".into(), port: 8000 })
                .module(Module::new("services/wallabag").scaffold(WALLABAG_MODULE))
                .options(Wallabag { enable: true, port: 8080 })
                .home(&jay, Home::new().packages([pkg("blender")]))
                .deploy(Deploy::local())
                .state_version("24.05"),
        )
        .host(
            Host::nixos("framework-13", System::X86_64Linux)
                .profile(&laptop)
                .import_input(hw.nixos_module("framework-13-7040-amd"))
                .home(&jay, Home::new().packages([pkg("obsidian")]))
                .deploy(Deploy::local())
                .state_version("24.11"),
        )
        .host(
            Host::nixos("framework-16", System::X86_64Linux)
                .profile(&laptop)
                .import_input(hw.nixos_module("framework-16-7040-amd"))
                .module(&ollama)
                .options(Ollama { enable: true })
                .module(Module::new("services/retroarch").scaffold(RETROARCH_MODULE))
                .options(Retroarch { enable: true })
                .home(
                    &jay,
                    Home::new()
                        .session_variable("HSA_OVERRIDE_GFX_VERSION", "10.3.0")
                        .packages([pkg("nvtopPackages.amd")]),
                )
                .deploy(Deploy::local())
                .state_version("25.05"),
        )
        .into_data()
}

/// Jay's zsh lines besides what starship, direnv and the session variables do (the seed's
/// `initExtra`, whose `eval`s and `export`s are typed now).
const ZSH_INIT: &str = r#"source $HOME/dotfiles/export-esp.sh

function y() {
  local tmp="$(mktemp -t "yazi-cwd.XXXXXX")" cwd
  yazi "$@" --cwd-file="$tmp"
  if cwd="$(command cat -- "$tmp")" && [ -n "$cwd" ] && [ "$cwd" != "$PWD" ]; then
    builtin cd -- "$cwd"
  fi
  rm -f -- "$tmp"
}
"#;

/// `modules/common.nix`: what the seed extracts from its old configuration.nix.
const COMMON_MODULE: &str = r#"# Common system settings of every machine.
{
  boot.loader = {
    systemd-boot.enable = true;
    efi.canTouchEfiVariables = true;
  };
  time.timeZone = "America/New_York";
  i18n.defaultLocale = "en_US.UTF-8";
  networking.networkmanager.enable = true;
  nixpkgs.config.allowUnfree = true;
  nix = {
    settings = {
      experimental-features = ["nix-command" "flakes"];
      auto-optimise-store = true;
    };
    gc = {
      automatic = true;
      dates = "weekly";
      options = "--delete-older-than 30d";
    };
  };
}
"#;

/// `modules/amd-gpu.nix`.
const AMD_GPU_MODULE: &str = r#"# AMD graphics: amdgpu early in the initrd, 32-bit graphics for games, ROCm's OpenCL.
{
  boot.initrd.kernelModules = ["amdgpu"];
  services.xserver.videoDrivers = ["amdgpu"];
  hardware = {
    graphics = {
      enable = true;
      enable32Bit = true;
    };
    amdgpu.opencl.enable = true;
  };
}
"#;

/// `modules/desktop.nix`.
const DESKTOP_MODULE: &str = r#"# The desktop: KDE Plasma 6 on Wayland, PipeWire, printing.
{
  services = {
    desktopManager.plasma6.enable = true;
    displayManager.sddm = {
      enable = true;
      wayland.enable = true;
    };
    pipewire = {
      enable = true;
      alsa.enable = true;
      pulse.enable = true;
    };
    printing.enable = true;
  };
  security.rtkit.enable = true;
}
"#;

/// `modules/services/ollama.nix`.
const OLLAMA_MODULE: &str = r#"{
  config,
  lib,
  ...
}: {
  config = lib.mkIf config.ollama.enable {
    services.ollama = {
      enable = true;
      acceleration = "rocm";
    };
  };
}
"#;

/// `modules/services/sunshine.nix`.
const SUNSHINE_MODULE: &str = r#"{
  config,
  lib,
  ...
}: {
  config = lib.mkIf config.sunshine.enable {
    services.sunshine = {
      enable = true;
      autoStart = true;
      capSysAdmin = true;
      openFirewall = true;
    };
  };
}
"#;

/// `modules/services/syncthing.nix`.
const SYNCTHING_MODULE: &str = r#"{
  config,
  lib,
  ...
}: let
  cfg = config.syncthing;
in {
  config = lib.mkIf cfg.enable {
    services.syncthing = {
      enable = true;
      inherit (cfg) user;
      dataDir = "/home/${cfg.user}";
      openDefaultPorts = true;
    };
  };
}
"#;

/// `modules/services/gitea.nix`.
const GITEA_MODULE: &str = r#"{
  config,
  lib,
  ...
}: let
  cfg = config.gitea;
in {
  config = lib.mkIf cfg.enable {
    services.gitea = {
      enable = true;
      settings.server.HTTP_PORT = cfg.httpPort;
    };
    networking.firewall.allowedTCPPorts = [cfg.httpPort];
  };
}
"#;

/// `modules/services/retroarch.nix`.
const RETROARCH_MODULE: &str = r#"{
  config,
  lib,
  pkgs,
  ...
}: {
  config = lib.mkIf config.retroarch.enable {
    environment.systemPackages = [pkgs.retroarch-full];
  };
}
"#;

/// `modules/services/vllm.nix`.
const VLLM_MODULE: &str = r#"{
  config,
  lib,
  pkgs,
  ...
}: let
  cfg = config.vllm;
in {
  config = lib.mkIf cfg.enable {
    systemd.services.vllm = {
      description = "vLLM OpenAI-compatible server";
      wantedBy = ["multi-user.target"];
      wants = ["network-online.target"];
      after = ["network-online.target"];
      environment.HF_HOME = "/var/lib/vllm";
      serviceConfig = {
        ExecStart = "${lib.getExe' pkgs.python3Packages.vllm "vllm"} serve ${cfg.model} --port ${toString cfg.port}";
        DynamicUser = true;
        StateDirectory = "vllm";
      };
    };
  };
}
"#;

/// `modules/services/wallabag.nix`.
const WALLABAG_MODULE: &str = r#"{
  config,
  lib,
  ...
}: let
  cfg = config.wallabag;
in {
  config = lib.mkIf cfg.enable {
    virtualisation.oci-containers.containers.wallabag = {
      image = "wallabag/wallabag:latest";
      ports = ["${toString cfg.port}:80"];
      volumes = ["/var/lib/wallabag/data:/var/www/wallabag/data" "/var/lib/wallabag/images:/var/www/wallabag/web/assets/images"];
      environment.SYMFONY__ENV__DOMAIN_NAME = "http://nixos:${toString cfg.port}";
    };
    networking.firewall.allowedTCPPorts = [cfg.port];
  };
}
"#;
