# The type of option paths the stubs do not declare (`services.openssh.enable`,
# `virtualisation.waydroid.enable`, `system.defaults.dock.autohide`, ...): the top-level
# `_module.freeformType` of every evaluated host.
#
# It is nixpkgs' `lib.types.anything` with one change: several definitions of a list are
# concatenated (as `listOf` does, the type of nearly every list option of NixOS and nix-darwin)
# instead of having to be equal. Everything else is `anything`: attribute sets merge key by key
# through `mergeDefinitions`, so `lib.mkDefault`, `lib.mkForce`, `lib.mkIf` and `lib.mkMerge`
# on a leaf (or a whole list) keep their real priorities; two plain definitions of a scalar
# that differ are a conflict; a package takes one definition.
#
# One difference from declared options remains: a property on a whole attribute set of
# undeclared options (`services.x = lib.mkDefault { enable = true; }`) applies to that set as
# a whole (a plain definition of any key beside it wins over all of it), where the module
# system would push it down to each declared option. Declare the option in the stubs when that
# matters.
lib: let
  inherit (lib) types;
  inherit (lib.options) mergeEqualOption mergeOneOption showOption showFiles getFiles;
  leaf = lib.mkOptionType {
    name = "fleetTestAnything";
    description = "anything (lists concatenated)";
    descriptionClass = "noun";
    check = _: true;
    merge = loc: defs: let
      getType = value:
        if builtins.isAttrs value && lib.isStringLike value
        then "stringCoercibleSet"
        else builtins.typeOf value;
      commonType =
        builtins.foldl' (
          type: def:
            if getType def.value == type
            then type
            else throw "The option `${showOption loc}' has conflicting option types in ${showFiles (getFiles defs)}"
        ) (getType (builtins.head defs).value)
        defs;
      mergeFunction =
        {
          set = (types.attrsOf leaf).merge;
          list = (types.listOf leaf).merge;
          stringCoercibleSet = mergeOneOption;
          lambda = loc: defs: arg:
            leaf.merge (loc ++ ["<function body>"]) (map (def: {
                inherit (def) file;
                value = def.value arg;
              })
              defs);
        }
        .${
          commonType
        }
        or mergeEqualOption;
    in
      mergeFunction loc defs;
  };
in
  types.lazyAttrsOf leaf
