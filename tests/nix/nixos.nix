# The NixOS options the generated repositories touch, declared as nixpkgs declares them
# (nixos/modules/..., same types and defaults), with the normal-priority definitions nixpkgs
# itself makes that a fleet's definitions have to fight with: a fleet's `lib.mkDefault` list
# for `environment.systemPackages` loses to system-path.nix's plain definition and vanishes,
# as it does on a real NixOS.
#
# NixOS itself is too large to evaluate here; every option not declared below falls to the
# freeform type of ./freeform.nix. Each module names the nixpkgs file it follows.
{lib}: let
  inherit (lib) mkOption mkEnableOption mkDefault mkIf mkMerge mkAfter types;
in [
  # nixos/modules/misc/assertions.nix
  {
    options = {
      assertions = mkOption {
        type = types.listOf types.unspecified;
        internal = true;
        default = [];
      };
      warnings = mkOption {
        internal = true;
        default = [];
        type = types.listOf types.str;
      };
    };
  }

  # nixos/modules/misc/version.nix
  {
    options.system.stateVersion = mkOption {
      type = types.str;
      default = lib.trivial.release;
    };
  }

  # nixos/modules/misc/nixpkgs.nix (the `nixpkgs.pkgs` machinery is replaced by the fake
  # `pkgs` of ./pkgs.nix).
  {
    options.nixpkgs = {
      hostPlatform = mkOption {
        type = types.either types.str types.attrs;
        example = {system = "aarch64-linux";};
        apply = lib.systems.elaborate;
      };
      buildPlatform = mkOption {
        type = types.either types.str types.attrs;
        apply = lib.systems.elaborate;
      };
      config = mkOption {
        default = {};
        type = types.attrs;
      };
      overlays = mkOption {
        default = [];
        type = types.listOf types.unspecified;
      };
    };
  }
  ({config, ...}: {
    nixpkgs.buildPlatform = mkDefault config.nixpkgs.hostPlatform;
  })

  # nixos/modules/tasks/network-interfaces.nix, nixos/modules/services/networking/firewall.nix,
  # nixos/modules/services/networking/networkmanager.nix
  {
    options.networking = {
      hostName = mkOption {
        default = "nixos";
        type = types.strMatching "^$|^[[:alnum:]]([[:alnum:]_-]{0,61}[[:alnum:]])?$";
      };
      domain = mkOption {
        default = null;
        type = types.nullOr (types.strMatching ''^[[:alnum:]_-]+(\.[[:alnum:]_-]+)*$'');
      };
      firewall = {
        enable = mkOption {
          type = types.bool;
          default = true;
        };
        allowedTCPPorts = mkOption {
          type = types.listOf types.port;
          default = [];
        };
        allowedUDPPorts = mkOption {
          type = types.listOf types.port;
          default = [];
        };
        allowedTCPPortRanges = mkOption {
          type = types.listOf (types.attrsOf types.port);
          default = [];
        };
        allowedUDPPortRanges = mkOption {
          type = types.listOf (types.attrsOf types.port);
          default = [];
        };
      };
      networkmanager.enable = mkEnableOption "NetworkManager";
    };
  }

  # nixos/modules/config/locale.nix
  {
    options.time.timeZone = mkOption {
      default = null;
      type = types.nullOr (types.addCheck types.str (str: !lib.hasInfix " " str));
    };
  }

  # nixos/modules/config/system-path.nix: the packages every NixOS has, defined at normal
  # priority (so a fleet's `lib.mkDefault` list loses to them).
  ({
    config,
    pkgs,
    ...
  }: let
    requiredPackages = map (pkg: lib.setPrio ((pkg.meta.priority or lib.meta.defaultPriority) + 3) pkg) [
      pkgs.acl
      pkgs.attr
      pkgs.bashInteractive
      pkgs.bzip2
      pkgs.coreutils-full
      pkgs.cpio
      pkgs.curl
      pkgs.diffutils
      pkgs.findutils
      pkgs.gawk
      pkgs.getent
      pkgs.getconf
      pkgs.gnugrep
      pkgs.gnupatch
      pkgs.gnused
      pkgs.gnutar
      pkgs.gzip
      pkgs.xz
      pkgs.less
      pkgs.libcap
      pkgs.ncurses
      pkgs.netcat
      pkgs.openssh
      pkgs.mkpasswd
      pkgs.procps
      pkgs.su
      pkgs.time
      pkgs.util-linux
      pkgs.which
      pkgs.zstd
    ];
    defaultPackages = map (n: lib.setPrio ((n.meta.priority or lib.meta.defaultPriority) + 3) n) [
      pkgs.perl
      pkgs.rsync
      pkgs.strace
    ];
  in {
    options.environment = {
      systemPackages = mkOption {
        type = types.listOf types.package;
        default = [];
      };
      defaultPackages = mkOption {
        type = types.listOf types.package;
        default = defaultPackages;
      };
      pathsToLink = mkOption {
        type = types.listOf types.str;
        default = [];
      };
    };
    config.environment.systemPackages = requiredPackages ++ config.environment.defaultPackages;
  })

  # nixos/modules/config/shells-environment.nix, nixos/modules/programs/bash/bash.nix
  ({pkgs, ...}: {
    options.environment.shells = mkOption {
      default = [];
      type = types.listOf (types.either types.shellPackage types.path);
    };
    config.environment.shells = [
      "/run/current-system/sw/bin/bash"
      "/run/current-system/sw/bin/sh"
      "${pkgs.bashInteractive}/bin/bash"
      "${pkgs.bashInteractive}/bin/sh"
    ];
  })

  # nixos/modules/programs/zsh/zsh.nix, nixos/modules/programs/fish.nix (only what enabling
  # a login shell does to the system)
  ({
    config,
    pkgs,
    ...
  }: {
    options.programs = {
      zsh.enable = mkOption {
        default = false;
        type = types.bool;
      };
      fish.enable = mkOption {
        default = false;
        type = types.bool;
      };
    };
    config = mkMerge [
      (mkIf config.programs.zsh.enable {
        environment.systemPackages = [pkgs.zsh];
        environment.shells = ["/run/current-system/sw/bin/zsh" "${pkgs.zsh}/bin/zsh"];
      })
      (mkIf config.programs.fish.enable {
        environment.systemPackages = [pkgs.fish];
        environment.shells = ["/run/current-system/sw/bin/fish" "${pkgs.fish}/bin/fish"];
      })
    ];
  })

  # nixos/modules/config/fonts/packages.nix
  {
    options.fonts = {
      packages = mkOption {
        type = types.listOf types.path;
        default = [];
      };
      enableDefaultPackages = mkOption {
        type = types.bool;
        default = false;
      };
      # nixos/modules/config/fonts/fontconfig.nix (home-manager reads it)
      fontconfig.enable = mkOption {
        type = types.bool;
        default = true;
      };
    };
  }

  # nixos/modules/system/boot/kernel.nix: the kernel modules every NixOS loads and the initrd
  # modules it makes available, defined at normal priority (a subset of nixpkgs' lists).
  ({config, ...}: {
    options.boot = {
      kernelModules = mkOption {
        type = types.listOf types.str;
        default = [];
      };
      kernelParams = mkOption {
        type = types.listOf (types.strMatching ''([^"[:space:]]|"[^"]*")+''
          // {
            name = "kernelParam";
            description = "string, with spaces inside double quotes";
          });
        default = [];
      };
      extraModulePackages = mkOption {
        type = types.listOf types.package;
        default = [];
      };
      blacklistedKernelModules = mkOption {
        type = types.listOf types.str;
        default = [];
      };
      initrd = {
        availableKernelModules = mkOption {
          type = types.listOf types.str;
          default = [];
        };
        kernelModules = mkOption {
          type = types.listOf types.str;
          default = [];
        };
        includeDefaultModules = mkOption {
          type = types.bool;
          default = true;
        };
      };
      isContainer = mkOption {
        type = types.bool;
        default = false;
      };
    };
    config = mkIf (!config.boot.isContainer) {
      boot.kernelModules = ["loop" "atkbd"];
      boot.initrd.availableKernelModules = mkIf config.boot.initrd.includeDefaultModules [
        "sd_mod"
        "sr_mod"
        "ehci_hcd"
        "ohci_hcd"
        "xhci_hcd"
        "xhci_pci"
        "usbhid"
        "hid_generic"
        "hid_lenovo"
        "hid_apple"
        "hid_roccat"
        "hid_logitech_hidpp"
        "hid_logitech_dj"
        "hid_microsoft"
        "hid_cherry"
        "hid_corsair"
      ];
      boot.initrd.kernelModules = mkIf config.boot.initrd.includeDefaultModules ["dm_mod"];
    };
  })

  # nixos/modules/config/nix.nix: `nix.settings` with the settings nixpkgs declares or
  # defines (a freeform submodule: other settings keep their values).
  {
    options.nix.settings = mkOption {
      default = {};
      type = types.submodule {
        freeformType = import ./freeform.nix lib;
        options = {
          trusted-users = mkOption {
            type = types.listOf types.str;
            default = ["root"];
          };
          allowed-users = mkOption {
            type = types.listOf types.str;
            default = ["*"];
          };
          substituters = mkOption {
            type = types.listOf types.str;
          };
          trusted-public-keys = mkOption {
            type = types.listOf types.str;
          };
        };
      };
    };
    config.nix.settings = {
      substituters = mkAfter ["https://cache.nixos.org/"];
      trusted-public-keys = mkAfter ["cache.nixos.org-1:6NCHdD59X431o0gWypBMrAURkbJ16ZPMQFGspcDShjY="];
    };
  }

  # nixos/modules/services/networking/ssh/sshd.nix (what sops-nix reads), and the switches
  # sops-nix reads: nixos/modules/system/boot/systemd/sysusers.nix,
  # nixos/modules/services/system/userborn.nix
  {
    options.services.openssh = {
      enable = mkOption {
        type = types.bool;
        default = false;
      };
      ports = mkOption {
        type = types.listOf types.port;
        default = [22];
      };
      hostKeys = mkOption {
        type = types.listOf types.attrs;
        default = [
          {
            type = "rsa";
            bits = 4096;
            path = "/etc/ssh/ssh_host_rsa_key";
          }
          {
            type = "ed25519";
            path = "/etc/ssh/ssh_host_ed25519_key";
          }
        ];
      };
    };
    options.systemd.sysusers.enable = mkOption {
      type = types.bool;
      default = false;
    };
    options.services.userborn.enable = mkOption {
      type = types.bool;
      default = false;
    };
  }

  # Services whose nixpkgs module creates a system user the fleet may name (as a secret's
  # owner): nixos/modules/services/misc/jellyfin.nix. Only the user creation is reproduced.
  ({config, ...}: let
    cfg = config.services.jellyfin;
  in {
    options.services.jellyfin = {
      enable = mkEnableOption "Jellyfin Media Server";
      user = mkOption {
        type = types.str;
        default = "jellyfin";
      };
      group = mkOption {
        type = types.str;
        default = "jellyfin";
      };
    };
    config = mkIf cfg.enable {
      users.users = mkIf (cfg.user == "jellyfin") {
        jellyfin = {
          inherit (cfg) group;
          isSystemUser = true;
        };
      };
      users.groups = mkIf (cfg.group == "jellyfin") {jellyfin = {};};
    };
  })

  # nixos/modules/config/users-groups.nix and the `openssh.authorizedKeys` user options of
  # nixos/modules/services/networking/ssh/sshd.nix
  (import ./nixos-users.nix {inherit lib;})
]
