# A small stand-in for the NixOS module system, for tests that cannot fetch nixpkgs: it follows
# a host's imports from the generated `parts/hosts.nix`, resolves the options the generated
# repository declares itself (hostSpec, fleet.users, typed module options) with their
# priorities (plain over lib.mkDefault over the default), and checks every value against its
# declared type. Options declared upstream (nixpkgs, sops-nix, home-manager, disko) are left
# alone: their definitions are not checked here.
let
  inherit (builtins) all attrNames attrValues concatLists elem filter foldl' head isAttrs isBool isFunction isInt isList isPath isString length tail;

  type = name: check: {
    _type = "type";
    inherit name check;
  };
  range = name: lo: hi: type name (x: isInt x && x >= lo && x <= hi);
  types = {
    bool = type "bool" isBool;
    str = type "str" isString;
    int = type "int" isInt;
    path = type "path" (x: isString x || isPath x);
    port = range "port" 0 65535;
    ints = {
      s8 = range "s8" (-128) 127;
      s16 = range "s16" (-32768) 32767;
      s32 = range "s32" (-2147483648) 2147483647;
      u8 = range "u8" 0 255;
      u16 = range "u16" 0 65535;
      u32 = range "u32" 0 4294967295;
      unsigned = type "unsigned" (x: isInt x && x >= 0);
    };
    enum = values: type "enum ${builtins.toJSON values}" (x: elem x values);
    nullOr = t: type "null or ${t.name}" (x: x == null || t.check x);
    listOf = t: type "list of ${t.name}" (x: isList x && all t.check x);
    attrsOf = t: type "attrs of ${t.name}" (x: isAttrs x && all t.check (attrValues x));
    submodule = m:
      type "submodule" (x:
        isAttrs x
        && all (n: elem n (attrNames m.options)) (attrNames x)
        && all (n: (x ? ${n} && m.options.${n}.type.check x.${n}) || (!(x ? ${n}) && m.options.${n} ? default)) (attrNames m.options));
  };
  lib = {
    inherit types;
    mkOption = attrs: attrs // {_type = "option";};
    mkDefault = content: {
      _type = "override";
      priority = 1000;
      inherit content;
    };
    mkIf = condition: content: {
      _type = "if";
      inherit condition content;
    };
    mkMerge = contents: {
      _type = "merge";
      inherit contents;
    };
    inherit elem;
  };

  isOption = v: isAttrs v && (v._type or null) == "option";

  # Option declarations as a list of { path, option }.
  declared = prefix: decls:
    concatLists (map (name: let
      v = decls.${name};
    in
      if isOption v
      then [
        {
          path = prefix ++ [name];
          option = v;
        }
      ]
      else if isAttrs v
      then declared (prefix ++ [name]) v
      else []) (attrNames decls));

  # Definitions of `path` inside a module's config, through mkMerge / mkIf / mkDefault.
  defsAt = path: priority: v:
    if isAttrs v && (v._type or null) == "merge"
    then concatLists (map (defsAt path priority) v.contents)
    else if isAttrs v && (v._type or null) == "if"
    then let
      # The condition is evaluated only where the content defines the path, as the module
      # system pushes mkIf down: a module may read the very option it guards with.
      inner = defsAt path priority v.content;
    in
      if inner == [] || v.condition
      then inner
      else []
    else if isAttrs v && (v._type or null) == "override"
    then defsAt path v.priority v.content
    else if path == []
    then [
      {
        inherit priority;
        value = v;
      }
    ]
    else if isAttrs v && v ? ${head path}
    then defsAt (tail path) priority v.${head path}
    else [];

  showPath = path: builtins.concatStringsSep "." path;

  resolve = modules: {
    path,
    option,
  }: let
    defs = concatLists (map (m: defsAt path 100 m.config) modules);
    best = foldl' (p: d:
      if d.priority < p
      then d.priority
      else p)
    1500
    defs;
    winners = map (d: d.value) (filter (d: d.priority == best) defs);
    value =
      if winners == []
      then
        (
          if option ? default
          then option.default
          else throw "option `${showPath path}` is used but not defined"
        )
      else if isList (head winners)
      then concatLists winners
      else if all (w: w == head winners) winners
      then head winners
      else throw "option `${showPath path}` has conflicting definitions: ${builtins.toJSON winners}";
  in
    if option.type.check value
    then value
    else throw "option `${showPath path}` is not of type `${option.type.name}`: ${builtins.toJSON value}";

  setAt = path: value:
    if path == []
    then value
    else {${head path} = setAt (tail path) value;};
  recursiveMerge = a: b:
    a
    // builtins.mapAttrs (n: v:
      if a ? ${n} && isAttrs a.${n} && isAttrs v
      then recursiveMerge a.${n} v
      else v)
    b;
in {
  # Evaluates a host from the arguments of `nixosSystem` / `darwinSystem`: `config` holds the
  # options the repository declares, resolved and type-checked; `declared` lists them.
  evalHost = {
    specialArgs ? {},
    modules,
  }: let
    args = specialArgs // {inherit lib config;} // {pkgs = {};};
    load = m: let
      f =
        if isPath m || isString m
        then import m
        else m;
      body =
        if isFunction f
        then f args
        else f;
      key =
        if isPath m || isString m
        then toString m
        else null;
    in {
      inherit key;
      imports = body.imports or [];
      options = body.options or {};
      config = body.config or (removeAttrs body ["imports" "options"]);
    };
    # Every module reachable through imports, each file once.
    walk = seen: todo:
      if todo == []
      then []
      else let
        m = load (head todo);
        fresh = m.key == null || !(elem m.key seen);
        seen' =
          if m.key == null
          then seen
          else seen ++ [m.key];
      in
        if fresh
        then [m] ++ walk seen' (m.imports ++ tail todo)
        else walk seen (tail todo);
    loaded = walk [] modules;
    options = concatLists (map (m: declared [] m.options) loaded);
    config = foldl' recursiveMerge {} (map (d: setAt d.path (resolve loaded d)) options);
  in {
    inherit config;
    declared = map (d: showPath d.path) options;
  };
}
