# disko's NixOS module INSIDE a host: only `disko.devices`, a freeform attribute set of the
# disk layout (values and priorities kept, not type-checked here), with its top-level kinds as
# upstream names them. The real disko/module.nix recurses infinitely beside the top-level
# freeform type (its `diskoLib` argument is made from `config`), so ./eval-hosts.nix evaluates
# the merged layout again with the REAL disko module on its own (`realDisko`), which
# type-checks it and fills in disko's defaults.
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
