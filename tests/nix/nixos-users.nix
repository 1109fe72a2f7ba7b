# nixos/modules/config/users-groups.nix (the options, the users and groups nixpkgs defines
# itself, the user shells it installs, and its per-user assertions) and the
# `openssh.authorizedKeys` user options of nixos/modules/services/networking/ssh/sshd.nix.
# The activation script, sysusers and initrd parts are left out.
{lib}: {
  config,
  pkgs,
  ...
}: let
  inherit (lib) mkOption mkDefault mkIf mkMerge types;
  cfg = config.users;

  userOpts = {
    name,
    config,
    ...
  }: {
    options = {
      enable = mkOption {
        type = types.bool;
        default = true;
      };
      name = mkOption {
        type = types.passwdEntry types.str;
        apply = x:
          assert (lib.stringLength x < 32 || abort "Username '${x}' is longer than 31 characters which is not allowed!"); x;
      };
      description = mkOption {
        type = types.passwdEntry types.str;
        default = "";
      };
      uid = mkOption {
        type = with types; nullOr int;
        default = null;
      };
      isSystemUser = mkOption {
        type = types.bool;
        default = false;
      };
      isNormalUser = mkOption {
        type = types.bool;
        default = false;
      };
      group = mkOption {
        type = types.str;
        apply = x:
          assert (lib.stringLength x < 32 || abort "Group name '${x}' is longer than 31 characters which is not allowed!"); x;
        default = "";
      };
      extraGroups = mkOption {
        type = types.listOf types.str;
        default = [];
      };
      home = mkOption {
        type = types.passwdEntry types.path;
        default = "/var/empty";
      };
      homeMode = mkOption {
        type = types.strMatching "[0-7]{1,5}";
        default = "700";
      };
      createHome = mkOption {
        type = types.bool;
        default = false;
      };
      useDefaultShell = mkOption {
        type = types.bool;
        default = false;
      };
      shell = mkOption {
        type = types.nullOr (types.either types.shellPackage (types.passwdEntry types.path));
        default = pkgs.shadow;
      };
      ignoreShellProgramCheck = mkOption {
        type = types.bool;
        default = false;
      };
      hashedPassword = mkOption {
        type = with types; nullOr (passwdEntry str);
        default = null;
      };
      password = mkOption {
        type = with types; nullOr str;
        default = null;
      };
      hashedPasswordFile = mkOption {
        type = with types; nullOr str;
        default = config.passwordFile;
      };
      passwordFile = mkOption {
        type = with types; nullOr str;
        default = null;
        visible = false;
      };
      initialHashedPassword = mkOption {
        type = with types; nullOr (passwdEntry str);
        default = null;
      };
      initialPassword = mkOption {
        type = with types; nullOr str;
        default = null;
      };
      packages = mkOption {
        type = types.listOf types.package;
        default = [];
      };
      linger = mkOption {
        type = types.nullOr types.bool;
        default = null;
      };
      # sshd.nix's userOptions
      openssh.authorizedKeys = {
        keys = mkOption {
          type = types.listOf types.singleLineStr;
          default = [];
        };
        keyFiles = mkOption {
          type = types.listOf types.path;
          default = [];
        };
      };
    };
    config = mkMerge [
      {
        name = mkDefault name;
        shell = mkIf config.useDefaultShell (mkDefault cfg.defaultUserShell);
      }
      (mkIf config.isNormalUser {
        group = mkDefault "users";
        createHome = mkDefault true;
        home = mkDefault "${cfg.defaultUserHome}/${config.name}";
        homeMode = mkDefault "700";
        useDefaultShell = mkDefault true;
        isSystemUser = mkDefault false;
      })
    ];
  };

  groupOpts = {
    name,
    config,
    ...
  }: {
    options = {
      name = mkOption {type = types.passwdEntry types.str;};
      gid = mkOption {
        type = with types; nullOr int;
        default = null;
      };
      members = mkOption {
        type = with types; listOf (passwdEntry str);
        default = [];
      };
    };
    config = {
      name = mkDefault name;
      members = lib.mapAttrsToList (n: u: u.name) (
        lib.filterAttrs (n: u: u.enable && lib.elem config.name u.extraGroups) cfg.users
      );
    };
  };

  # nixos/modules/misc/ids.nix (the ones defined here)
  ids = {
    uids = {
      root = 0;
      nobody = 65534;
    };
    gids = {
      root = 0;
      wheel = 1;
      audio = 17;
      video = 26;
      networkmanager = 57;
      nogroup = 65534;
      users = 100;
    };
  };
in {
  options.users = {
    mutableUsers = mkOption {
      type = types.bool;
      default = true;
    };
    users = mkOption {
      default = {};
      type = with types; attrsOf (submodule userOpts);
    };
    groups = mkOption {
      default = {};
      type = with types; attrsOf (submodule groupOpts);
    };
    defaultUserHome = mkOption {
      type = types.str;
      default = "/home";
    };
    # nixos/modules/programs/shadow.nix
    defaultUserShell = mkOption {
      type = types.either types.path types.shellPackage;
      default = pkgs.bashInteractive;
    };
  };

  config = {
    users.users = {
      root = {
        uid = ids.uids.root;
        description = "System administrator";
        home = "/root";
        shell = mkDefault cfg.defaultUserShell;
        group = "root";
      };
      nobody = {
        uid = ids.uids.nobody;
        isSystemUser = true;
        description = "Unprivileged account (don't use!)";
        group = "nogroup";
      };
    };
    users.groups = {
      root.gid = ids.gids.root;
      wheel.gid = ids.gids.wheel;
      audio.gid = ids.gids.audio;
      video.gid = ids.gids.video;
      nogroup.gid = ids.gids.nogroup;
      users.gid = ids.gids.users;
    };

    # Install all the user shells
    environment.systemPackages = lib.filter types.shellPackage.check (lib.mapAttrsToList (_: u: u.shell) cfg.users);

    assertions = lib.flatten (lib.mapAttrsToList (name: user: [
        {
          assertion = let
            isEffectivelySystemUser = user.isSystemUser || (user.uid != null && user.uid < 1000);
          in
            lib.xor isEffectivelySystemUser user.isNormalUser;
          message = "Exactly one of users.users.${user.name}.isSystemUser and users.users.${user.name}.isNormalUser must be set.";
        }
        {
          assertion = user.group != "";
          message = "users.users.${user.name}.group is unset. This used to default to nogroup, but this is unsafe.";
        }
        {
          assertion =
            !(user.enable && types.shellPackage.check user.shell && !user.ignoreShellProgramCheck)
            || user.shell == pkgs.bashInteractive
            || user.shell == pkgs.shadow
            || (config.programs.${user.shell.pname}.enable or false);
          message = "users.users.${user.name}.shell is set to ${user.shell.pname or "?"}, but programs.${user.shell.pname or "?"}.enable is not true.";
        }
      ])
      cfg.users);
  };
}
