# The nix-darwin options the generated repositories touch, declared as nix-darwin declares them
# (nix-darwin/modules/..., same types and defaults; the tree is in shared/nix-sources), with the
# normal-priority definitions nix-darwin itself makes that a fleet's definitions fight with
# (`environment.systemPackages` holds darwin-rebuild and friends and zsh, which nix-darwin
# enables by default). Every option not declared here falls to ./freeform.nix.
{lib}: let
  inherit (lib) mkOption mkEnableOption mkIf mkMerge types;
in [
  # modules/meta.nix, modules/system/checks.nix (assertions, warnings)
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

  # modules/system/version.nix, modules/system/primary-user.nix
  ({config, ...}: {
    options.system = {
      stateVersion = mkOption {
        type = types.ints.between 1 config.system.maxStateVersion;
        default = config.system.maxStateVersion;
      };
      maxStateVersion = mkOption {
        internal = true;
        type = types.int;
        default = 7;
      };
      primaryUser = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
    };
  })

  # modules/nix/nixpkgs.nix
  {
    options.nixpkgs = {
      hostPlatform = mkOption {
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

  # modules/networking/default.nix
  {
    options.networking = {
      hostName = mkOption {
        type = types.nullOr (types.strMatching ''^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9])$'');
        default = null;
      };
      computerName = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
      localHostName = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
    };
  }

  # modules/time
  {
    options.time.timeZone = mkOption {
      type = types.nullOr types.str;
      default = null;
    };
  }

  # modules/environment/default.nix, modules/system/shells.nix, modules/fonts,
  # and the tools nix-darwin installs (modules/nix/nix-darwin.nix).
  ({pkgs, ...}: {
    options.environment = {
      systemPackages = mkOption {
        type = types.listOf types.package;
        default = [];
      };
      shells = mkOption {
        type = types.listOf (types.either types.shellPackage types.path);
        default = [];
      };
      pathsToLink = mkOption {
        type = types.listOf types.str;
        default = [];
      };
    };
    options.fonts.packages = mkOption {
      type = types.listOf types.path;
      default = [];
    };
    config.environment.systemPackages = [
      pkgs.darwin-rebuild
      pkgs.darwin-option
      pkgs.darwin-version
      pkgs.darwin-uninstaller
    ];
  })

  # modules/programs/bash, modules/programs/zsh, modules/programs/fish.nix (what enabling a
  # shell does to the system); bash and zsh are on by default in nix-darwin.
  ({
    config,
    pkgs,
    ...
  }: {
    options.programs = {
      bash.enable = mkOption {
        type = types.bool;
        default = true;
      };
      zsh.enable = mkOption {
        type = types.bool;
        default = true;
      };
      fish.enable = mkOption {
        type = types.bool;
        default = false;
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

  # modules/security/pam.nix
  {
    options.security.pam.services.sudo_local = {
      enable = mkEnableOption "managing /etc/pam.d/sudo_local with nix-darwin" // {default = true;};
      text = mkOption {
        type = types.lines;
        default = "";
      };
      touchIdAuth = mkEnableOption "";
      watchIdAuth = mkEnableOption "";
      reattach = mkEnableOption "";
    };
  }

  # modules/system/defaults/dock.nix (one of many `system.defaults`: nullOr, default null)
  {
    options.system.defaults.dock = {
      autohide = mkOption {
        type = types.nullOr types.bool;
        default = null;
      };
      orientation = mkOption {
        type = types.nullOr (types.enum ["bottom" "left" "right"]);
        default = null;
      };
    };
  }

  # modules/users/default.nix, modules/users/user.nix, and the `openssh.authorizedKeys` user
  # options of modules/programs/ssh.nix
  ({config, ...}: {
    options.users = {
      users = mkOption {
        type = types.attrsOf (types.submodule ({name, ...}: {
          options = {
            name = mkOption {
              type = types.nonEmptyStr;
              default = name;
            };
            description = mkOption {
              type = types.nullOr types.nonEmptyStr;
              default = null;
            };
            uid = mkOption {type = types.int;};
            gid = mkOption {
              type = types.int;
              default = 20;
            };
            isHidden = mkOption {
              type = types.bool;
              default = true;
            };
            home = mkOption {
              type = types.nullOr types.path;
              default = null;
            };
            createHome = mkOption {
              type = types.bool;
              default = false;
            };
            shell = mkOption {
              type = types.nullOr (types.either types.shellPackage types.path);
              default = null;
            };
            ignoreShellProgramCheck = mkOption {
              type = types.bool;
              default = false;
            };
            packages = mkOption {
              type = types.listOf types.package;
              default = [];
            };
            openssh.authorizedKeys = {
              keys = mkOption {
                type = types.listOf types.str;
                default = [];
              };
              keyFiles = mkOption {
                type = types.listOf types.path;
                default = [];
              };
            };
          };
        }));
        default = {};
      };
      knownUsers = mkOption {
        type = types.listOf types.str;
        default = [];
      };
      knownGroups = mkOption {
        type = types.listOf types.str;
        default = [];
      };
    };
    # modules/users/default.nix: root's home, and a user's login shell must be enabled as a
    # program.
    config.assertions =
      [
        {
          assertion = config.users.users ? root -> (config.users.users.root.home == null || config.users.users.root.home == "/var/root");
          message = "`users.users.root.home` must be set to either `null` or `/var/root`.";
        }
      ]
      ++ lib.flatten (lib.mapAttrsToList (name: user:
        map (shell: {
          assertion = let
            s = user.shell.pname or null;
          in
            !user.ignoreShellProgramCheck -> (s == shell || (shell == "bash" && s == "bash-interactive")) -> (config.programs.${shell}.enable == true);
          message = "users.users.${name}.shell is set to ${shell}, but programs.${shell}.enable is not true.";
        }) ["bash" "fish" "zsh"])
      config.users.users);
  })
]
