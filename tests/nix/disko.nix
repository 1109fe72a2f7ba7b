# STUB of disko's NixOS module (disko/module.nix): the real one builds its option types and
# scripts with a real nixpkgs (and NixOS' modulesPath) as soon as the configuration is read, so
# only `disko.devices` is declared, as a freeform attribute set of the disk layout (its
# values are kept, not type-checked), with its top-level kinds as upstream names them.
{lib}: {
  options.disko = {
    devices = lib.mkOption {
      type = lib.types.submodule {
        freeformType = import ./freeform.nix lib;
        options = lib.genAttrs ["disk" "mdadm" "zpool" "lvm_vg" "nodev"] (_:
          lib.mkOption {
            type = lib.types.attrsOf (lib.types.submodule {freeformType = import ./freeform.nix lib;});
            default = {};
          });
      };
      default = {};
    };
    enableConfig = lib.mkOption {
      type = lib.types.bool;
      default = true;
    };
  };
}
