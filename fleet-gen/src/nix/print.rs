//! The printer: Nix source in alejandra's layout, with parentheses exactly where precedence
//! needs them.

use super::escape;
use super::expr::{Assoc, BinaryOp, Binding, Expr, Formals, Key, Param, PathPart, StrPart, UnaryOp};

/// Widest inline list before it is broken over lines.
const INLINE_LIST_WIDTH: usize = 72;

/// The loosest level: functions, `let`, `with`, `if` and `assert` extend as far right as they can.
const LOOSEST: u8 = 16;
/// Level of attribute selection, the tightest operator.
const SELECT: u8 = 1;
/// Level of function application.
const APPLY: u8 = 2;
/// Level of arithmetic negation.
const NEGATE: u8 = 3;
/// Level of `?`.
const HAS_ATTR: u8 = 4;
/// Level of `!`.
const NOT: u8 = 8;

impl Expr {
    /// The expression printed, starting at column `indent` (later lines are indented by it).
    pub fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        self.write_block(&mut out, indent);
        out
    }

    /// Precedence level: 0 for atoms, larger for looser constructs.
    fn level(&self) -> u8 {
        match self {
            Expr::Null | Expr::Bool(_) | Expr::Str(_) | Expr::Var(_) => 0,
            Expr::List { .. } | Expr::Attrs(_) | Expr::RecAttrs(_) => 0,
            Expr::Int(i) if *i == i64::MIN => BinaryOp::Sub.level().0,
            Expr::Int(i) if *i < 0 => NEGATE,
            Expr::Float(f) if f.is_sign_negative() => NEGATE,
            Expr::Int(_) | Expr::Float(_) => 0,
            Expr::Path(parts) => match path_literal(parts) {
                Some(_) => 0,
                None => BinaryOp::Add.level().0,
            },
            Expr::Select(..) => SELECT,
            Expr::Apply(..) => APPLY,
            Expr::Unary(UnaryOp::Neg, _) => NEGATE,
            Expr::Unary(UnaryOp::Not, _) => NOT,
            Expr::HasAttr(..) => HAS_ATTR,
            Expr::Binary(op, ..) => op.level().0,
            Expr::Lambda(..) | Expr::Let(..) | Expr::With(..) | Expr::If(..) | Expr::Assert(..) => LOOSEST,
        }
    }

    /// The expression on one line, when it fits on one by the layout rules.
    fn inline(&self) -> Option<String> {
        Some(match self {
            Expr::Null => "null".to_owned(),
            Expr::Bool(b) => b.to_string(),
            Expr::Int(i) if *i == i64::MIN => format!("{} - 1", i64::MIN + 1),
            Expr::Int(i) => i.to_string(),
            Expr::Float(f) => float(*f),
            Expr::Str(parts) => {
                if indented_text(parts).is_some() {
                    return None;
                }
                string(parts)?
            }
            Expr::Path(parts) => match path_literal(parts) {
                Some(text) => text?,
                None => path_fallback(parts).inline()?,
            },
            Expr::Var(name) => name.clone(),
            Expr::Select(subject, keys, default) => {
                let mut text = slot_inline(subject, 0)?;
                text.push('.');
                text.push_str(&keys_inline(keys)?);
                if let Some(d) = default {
                    text.push_str(" or ");
                    text.push_str(&slot_inline(d, SELECT)?);
                }
                text
            }
            Expr::HasAttr(subject, keys) => format!("{} ? {}", slot_inline(subject, NEGATE)?, keys_inline(keys)?),
            Expr::Unary(op, e) => {
                let (symbol, max) = unary(*op);
                format!("{symbol}{}", slot_inline(e, max)?)
            }
            Expr::Binary(op, a, b) => {
                let (left, right) = operand_levels(*op);
                format!("{} {} {}", slot_inline(a, left)?, op.symbol(), slot_inline(b, right)?)
            }
            Expr::List { items, .. } if items.is_empty() => "[]".to_owned(),
            Expr::List { vertical: true, .. } => return None,
            Expr::List { items, .. } => {
                let parts = items.iter().map(|i| slot_inline(i, SELECT)).collect::<Option<Vec<_>>>()?;
                let text = format!("[{}]", parts.join(" "));
                if text.len() > INLINE_LIST_WIDTH && items.len() > 1 {
                    return None;
                }
                text
            }
            Expr::Attrs(b) if b.is_empty() => "{}".to_owned(),
            Expr::Attrs(b) if b.len() == 1 => format!("{{{}}}", binding_inline(&b[0])?),
            Expr::RecAttrs(b) if b.is_empty() => "rec {}".to_owned(),
            Expr::RecAttrs(b) if b.len() == 1 => format!("rec {{{}}}", binding_inline(&b[0])?),
            Expr::Attrs(_) | Expr::RecAttrs(_) | Expr::Let(..) => return None,
            Expr::Apply(f, args) => {
                let mut parts = vec![slot_inline(f, APPLY)?];
                for a in args {
                    parts.push(slot_inline(a, SELECT)?);
                }
                parts.join(" ")
            }
            Expr::Lambda(Param::Ident(x), body) => format!("{x}: {}", body.inline()?),
            Expr::Lambda(Param::Formals(f), body) if f.names.len() <= 1 => {
                format!("{}: {}", formals_inline(f)?, body.inline()?)
            }
            Expr::Lambda(..) => return None,
            Expr::With(scope, body) => format!("with {}; {}", scope.inline()?, body.inline()?),
            Expr::Assert(cond, body) => format!("assert {}; {}", cond.inline()?, body.inline()?),
            // alejandra always gives `if` its own lines.
            Expr::If(..) => return None,
        })
    }

    fn write_block(&self, out: &mut String, indent: usize) {
        if let Some(text) = self.inline() {
            out.push_str(&text);
            return;
        }
        let pad = " ".repeat(indent);
        match self {
            Expr::Str(parts) => match indented_text(parts) {
                Some(text) => write_indented(out, text, indent),
                None => out.push_str(&string(parts).unwrap_or_default()),
            },
            Expr::Path(parts) => path_fallback(parts).write_block(out, indent),
            Expr::List { items, .. } => {
                out.push_str("[\n");
                for item in items {
                    out.push_str(&pad);
                    out.push_str("  ");
                    write_slot(out, item, SELECT, indent + 2);
                    out.push('\n');
                }
                out.push_str(&pad);
                out.push(']');
            }
            Expr::Attrs(bindings) | Expr::RecAttrs(bindings) => {
                if matches!(self, Expr::RecAttrs(_)) {
                    out.push_str("rec ");
                }
                out.push_str("{\n");
                write_bindings(out, bindings, indent + 2);
                out.push_str(&pad);
                out.push('}');
            }
            Expr::Apply(f, args) => {
                write_slot(out, f, APPLY, indent);
                for arg in args {
                    out.push(' ');
                    write_slot(out, arg, SELECT, indent);
                }
            }
            Expr::Select(subject, keys, default) => {
                let start = out.len();
                write_slot(out, subject, 0, indent);
                if out[start..].contains('\n') {
                    // alejandra: a selection from a multi-line value starts its own line.
                    out.push('\n');
                    out.push_str(&pad);
                }
                out.push('.');
                out.push_str(&keys_block(keys, indent));
                if let Some(d) = default {
                    out.push_str(" or ");
                    write_slot(out, d, SELECT, indent);
                }
            }
            Expr::HasAttr(subject, keys) => {
                write_slot(out, subject, NEGATE, indent);
                out.push_str(" ? ");
                out.push_str(&keys_block(keys, indent));
            }
            Expr::Unary(op, e) => {
                let (symbol, max) = unary(*op);
                out.push_str(symbol);
                write_slot(out, e, max, indent);
            }
            Expr::Binary(op, a, b) => {
                let (left, right) = operand_levels(*op);
                // alejandra: a long operation puts each operator at the start of its own line.
                write_slot(out, a, left, indent);
                out.push('\n');
                out.push_str(&pad);
                out.push_str(op.symbol());
                out.push(' ');
                write_slot(out, b, right, indent);
            }
            Expr::Lambda(param, body) => {
                match param {
                    Param::Ident(x) => out.push_str(x),
                    Param::Formals(f) => write_formals(out, f, indent),
                }
                out.push(':');
                match (param, &**body) {
                    (Param::Ident(_), _) | (_, Expr::Attrs(_) | Expr::RecAttrs(_) | Expr::Let(..)) => {
                        out.push(' ');
                        body.write_block(out, indent);
                    }
                    _ => write_below(out, body, indent),
                }
            }
            Expr::Let(bindings, body) => {
                out.push_str("let\n");
                write_bindings(out, bindings, indent + 2);
                out.push_str(&pad);
                if matches!(**body, Expr::Attrs(_) | Expr::RecAttrs(_) | Expr::List { .. }) {
                    out.push_str("in ");
                    body.write_block(out, indent);
                } else {
                    out.push_str("in");
                    write_below(out, body, indent);
                }
            }
            Expr::With(scope, body) => {
                out.push_str("with ");
                scope.write_block(out, indent);
                out.push_str("; ");
                body.write_block(out, indent);
            }
            Expr::Assert(cond, body) => {
                out.push_str("assert ");
                cond.write_block(out, indent);
                out.push_str(";\n");
                out.push_str(&pad);
                body.write_block(out, indent);
            }
            Expr::If(c, a, b) => {
                out.push_str("if ");
                c.write_block(out, indent);
                for (word, branch) in [("then", a), ("else", b)] {
                    out.push('\n');
                    out.push_str(&pad);
                    out.push_str(word);
                    out.push(' ');
                    branch.write_block(out, indent);
                }
            }
            Expr::Null | Expr::Bool(_) | Expr::Int(_) | Expr::Float(_) | Expr::Var(_) => {
                // Always inline; kept total so a future layout rule cannot lose text.
                out.push_str(&self.inline().unwrap_or_default());
            }
        }
    }
}

/// `symbol` and the loosest level its operand may have without parentheses. A negation takes
/// no negation unparenthesised (`- -1` would read as an error-prone double minus).
fn unary(op: UnaryOp) -> (&'static str, u8) {
    match op {
        UnaryOp::Neg => ("-", APPLY),
        UnaryOp::Not => ("!", NOT),
    }
}

/// The loosest levels a binary operator's left and right operands may have unparenthesised.
fn operand_levels(op: BinaryOp) -> (u8, u8) {
    let (level, assoc) = op.level();
    match assoc {
        Assoc::Left => (level, level - 1),
        Assoc::Right => (level - 1, level),
        Assoc::None => (level - 1, level - 1),
    }
}

fn slot_inline(e: &Expr, max: u8) -> Option<String> {
    let text = e.inline()?;
    Some(if e.level() > max { format!("({text})") } else { text })
}

/// `e` on the next line, indented one step further than `indent`.
fn write_below(out: &mut String, e: &Expr, indent: usize) {
    out.push('\n');
    out.push_str(&" ".repeat(indent + 2));
    e.write_block(out, indent + 2);
}

fn write_slot(out: &mut String, e: &Expr, max: u8, indent: usize) {
    if e.level() > max && matches!(e, Expr::If(..)) {
        out.push('(');
        write_below(out, e, indent);
        out.push('\n');
        out.push_str(&" ".repeat(indent));
        out.push(')');
    } else if e.level() > max {
        out.push('(');
        e.write_block(out, indent);
        out.push(')');
    } else {
        e.write_block(out, indent);
    }
}

fn float(f: f64) -> String {
    let text = format!("{f:?}");
    match text.find('e') {
        Some(i) if !text[..i].contains('.') => format!("{}.0{}", &text[..i], &text[i..]),
        _ => text,
    }
}

/// A double-quoted string; `None` when an interpolation cannot be printed on one line.
fn string(parts: &[StrPart]) -> Option<String> {
    let mut out = String::from("\"");
    for (i, part) in parts.iter().enumerate() {
        match part {
            StrPart::Lit(s) => {
                let before_interp = matches!(parts.get(i + 1), Some(StrPart::Interp(_)));
                out.push_str(&escape::string_content(s, before_interp));
            }
            StrPart::Interp(e) => {
                out.push_str("${");
                out.push_str(&e.inline()?);
                out.push('}');
            }
        }
    }
    out.push('"');
    Some(out)
}

/// The text of a string that reads best, and round-trips exactly, as an indented `''` string:
/// no interpolation, several lines ending in a newline, no carriage return or other control
/// character but tab, no trailing blanks, and some line starting in its first column (so the
/// indentation Nix strips is exactly the printer's).
fn indented_text(parts: &[StrPart]) -> Option<&str> {
    let [StrPart::Lit(text)] = parts else { return None };
    let body = text.strip_suffix('\n')?;
    if !body.contains('\n') {
        return None;
    }
    let control = text.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    let trailing_blank = text.lines().any(|l| l.ends_with([' ', '\t']));
    let flush = body.lines().any(|l| !l.is_empty() && !l.starts_with(' '));
    (!control && !trailing_blank && flush).then_some(body)
}

fn write_indented(out: &mut String, body: &str, indent: usize) {
    let pad = " ".repeat(indent);
    out.push_str("''\n");
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str("  ");
            out.push_str(&escape::indented_content(line));
        }
        out.push('\n');
    }
    out.push_str(&pad);
    out.push_str("''");
}

/// The path as a literal (`Some(Some(text))`), or `None` when its text cannot be one. An
/// interpolation that cannot be inline gives `Some(None)`.
fn path_literal(parts: &[PathPart]) -> Option<Option<String>> {
    let mut text = String::new();
    for part in parts {
        match part {
            PathPart::Lit(s) => text.push_str(s),
            PathPart::Interp(_) => text.push_str("${}"),
        }
    }
    let literal_ok = parts.iter().all(|p| match p {
        PathPart::Lit(s) => s.chars().all(|c| c.is_ascii_alphanumeric() || "._-+/~".contains(c)),
        PathPart::Interp(_) => true,
    });
    let shape_ok = (text.starts_with("./") || text.starts_with("../") || text.starts_with('/'))
        && !text.ends_with('/')
        && !text.contains("//");
    if !(literal_ok && shape_ok) {
        return None;
    }
    let mut out = String::new();
    for part in parts {
        match part {
            PathPart::Lit(s) => out.push_str(s),
            PathPart::Interp(e) => match e.inline() {
                Some(t) => {
                    out.push_str("${");
                    out.push_str(&t);
                    out.push('}');
                }
                None => return Some(None),
            },
        }
    }
    Some(Some(out))
}

/// A path whose text cannot be a literal, written as `./. + "/rest"`.
fn path_fallback(parts: &[PathPart]) -> Expr {
    let mut base = String::from("./.");
    let mut first = true;
    let mut rest = Vec::new();
    for part in parts {
        match part {
            PathPart::Lit(s) if first => {
                first = false;
                let mut s = s.as_str();
                let mut ups = 0;
                while let Some(r) = s.strip_prefix("../") {
                    ups += 1;
                    s = r;
                }
                base = match ups {
                    0 if s.starts_with('/') => "/.".to_owned(),
                    0 => "./.".to_owned(),
                    1 => "./..".to_owned(),
                    n => vec![".."; n].join("/"),
                };
                let s = s.strip_prefix("./").or_else(|| s.strip_prefix('/')).unwrap_or(s);
                if !s.is_empty() {
                    rest.push(StrPart::Lit(format!("/{s}")));
                }
            }
            PathPart::Lit(s) => rest.push(StrPart::Lit(s.clone())),
            PathPart::Interp(e) => rest.push(StrPart::Interp(e.clone())),
        }
    }
    let base = Expr::Path(vec![PathPart::Lit(base)]);
    if rest.is_empty() {
        base
    } else {
        Expr::binary(BinaryOp::Add, base, Expr::Str(rest))
    }
}

fn key(k: &Key) -> Option<String> {
    Some(match k {
        Key::Name(n) => escape::attr_name(n),
        Key::Interp(e) => match e.as_plain_str() {
            Some(s) => escape::attr_name(s),
            None => format!("${{{}}}", e.inline()?),
        },
    })
}

fn keys_inline(keys: &[Key]) -> Option<String> {
    Some(keys.iter().map(key).collect::<Option<Vec<_>>>()?.join("."))
}

fn keys_block(keys: &[Key], indent: usize) -> String {
    keys.iter()
        .map(|k| {
            key(k).unwrap_or_else(|| match k {
                Key::Interp(e) => format!("${{{}}}", e.render(indent)),
                Key::Name(n) => escape::attr_name(n),
            })
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn formals_inline(f: &Formals) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    for (name, default) in &f.names {
        match default {
            Some(d) => names.push(format!("{name} ? {}", d.inline()?)),
            None => names.push(name.clone()),
        }
    }
    if f.ellipsis {
        names.push("...".to_owned());
    }
    let set = format!("{{{}}}", names.join(", "));
    Some(match &f.at {
        Some(at) => format!("{at} @ {set}"),
        None => set,
    })
}

fn write_formals(out: &mut String, f: &Formals, indent: usize) {
    if f.names.len() <= 1 {
        if let Some(text) = formals_inline(f) {
            out.push_str(&text);
            return;
        }
    }
    let pad = " ".repeat(indent);
    if let Some(at) = &f.at {
        out.push_str(at);
        out.push_str(" @ ");
    }
    out.push_str("{\n");
    let count = f.names.len() + usize::from(f.ellipsis);
    let mut written = 0;
    for (name, default) in &f.names {
        out.push_str(&pad);
        out.push_str("  ");
        out.push_str(name);
        if let Some(d) = default {
            out.push_str(" ? ");
            d.write_block(out, indent + 2);
        }
        written += 1;
        if written < count {
            out.push(',');
        }
        out.push('\n');
    }
    if f.ellipsis {
        out.push_str(&pad);
        out.push_str("  ...\n");
    }
    out.push_str(&pad);
    out.push('}');
}

fn binding_inline(b: &Binding) -> Option<String> {
    Some(match b {
        Binding::Attr(path, value) => format!("{} = {};", escape::attr_path(path), value.inline()?),
        Binding::Keyed(keys, value) => format!("{} = {};", keys_inline(keys)?, value.inline()?),
        Binding::Inherit(names) => format!("inherit {};", inherit_names(names)),
        Binding::InheritFrom(from, names) => format!("inherit ({}) {};", from.inline()?, inherit_names(names)),
    })
}

/// ` = value;` after a binding's name; a long operation starts on the next line, indented.
fn write_value(out: &mut String, value: &Expr, indent: usize) {
    if matches!(value, Expr::Binary(..) | Expr::If(..)) && value.inline().is_none() {
        out.push_str(" =");
        write_below(out, value, indent);
    } else {
        out.push_str(" = ");
        value.write_block(out, indent);
    }
    out.push_str(";\n");
}

fn inherit_names(names: &[String]) -> String {
    names.iter().map(|n| escape::attr_name(n)).collect::<Vec<_>>().join(" ")
}

fn write_bindings(out: &mut String, bindings: &[Binding], indent: usize) {
    let pad = " ".repeat(indent);
    for binding in bindings {
        out.push_str(&pad);
        match binding {
            Binding::Attr(path, value) => {
                out.push_str(&escape::attr_path(path));
                write_value(out, value, indent);
            }
            Binding::Keyed(keys, value) => {
                out.push_str(&keys_block(keys, indent));
                write_value(out, value, indent);
            }
            Binding::Inherit(names) => {
                out.push_str("inherit ");
                out.push_str(&inherit_names(names));
                out.push_str(";\n");
            }
            Binding::InheritFrom(from, names) => {
                out.push_str("inherit (");
                from.write_block(out, indent);
                out.push_str(") ");
                out.push_str(&inherit_names(names));
                out.push_str(";\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(b: Vec<Binding>) -> Expr {
        Expr::Attrs(b)
    }

    #[test]
    fn small_things_stay_inline() {
        let e = attrs(vec![Binding::new("a", Expr::strings(["x", "y"]))]);
        assert_eq!(e.render(0), r#"{a = ["x" "y"];}"#);
        assert_eq!(Expr::apply("lib.mkDefault", [Expr::Bool(true)]).render(0), "lib.mkDefault true");
        let nested = Expr::apply("lib.types.nullOr", [Expr::apply("lib.types.enum", [Expr::strings(["a"])])]);
        assert_eq!(nested.render(0), r#"lib.types.nullOr (lib.types.enum ["a"])"#);
    }

    #[test]
    fn negative_numbers_get_parentheses_where_minus_would_subtract() {
        assert_eq!(Expr::apply("lib.mkDefault", [Expr::Int(-1)]).render(0), "lib.mkDefault (-1)");
        assert_eq!(Expr::list([Expr::Int(-1), Expr::Int(2)]).render(0), "[(-1) 2]");
        assert_eq!(attrs(vec![Binding::new("a", Expr::Int(-1))]).render(0), "{a = -1;}");
        assert_eq!(Expr::Int(i64::MIN).render(0), "-9223372036854775807 - 1");
        assert_eq!(Expr::list([Expr::Int(i64::MIN)]).render(0), "[(-9223372036854775807 - 1)]");
        assert_eq!(Expr::Unary(UnaryOp::Neg, Box::new(Expr::Int(-1))).render(0), "-(-1)");
        assert_eq!(Expr::list([Expr::Float(-0.5), Expr::Float(1e100)]).render(0), "[(-0.5) 1.0e100]");
    }

    #[test]
    fn operators_follow_nix_precedence() {
        let sum = Expr::binary(BinaryOp::Add, Expr::var("a"), Expr::var("b"));
        let product = Expr::binary(BinaryOp::Mul, sum.clone(), Expr::var("c"));
        assert_eq!(product.render(0), "(a + b) * c");
        let left =
            Expr::binary(BinaryOp::Sub, Expr::binary(BinaryOp::Sub, Expr::var("a"), Expr::var("b")), Expr::var("c"));
        assert_eq!(left.render(0), "a - b - c");
        let right =
            Expr::binary(BinaryOp::Sub, Expr::var("a"), Expr::binary(BinaryOp::Sub, Expr::var("b"), Expr::var("c")));
        assert_eq!(right.render(0), "a - (b - c)");
        let concat = Expr::binary(
            BinaryOp::Concat,
            Expr::var("a"),
            Expr::binary(BinaryOp::Concat, Expr::var("b"), Expr::var("c")),
        );
        assert_eq!(concat.render(0), "a ++ b ++ c");
        let eq =
            Expr::binary(BinaryOp::Eq, Expr::binary(BinaryOp::Eq, Expr::var("a"), Expr::var("b")), Expr::Bool(true));
        assert_eq!(eq.render(0), "(a == b) == true");
        let applied = Expr::Apply(Box::new(Expr::var("f")), vec![sum.clone(), Expr::dotted("x.y")]);
        assert_eq!(applied.render(0), "f (a + b) x.y");
        let selected = Expr::select(Expr::Apply(Box::new(Expr::var("f")), vec![Expr::var("x")]), ["out"]);
        assert_eq!(selected.render(0), "(f x).out");
        let not = Expr::Unary(UnaryOp::Not, Box::new(Expr::binary(BinaryOp::And, Expr::var("a"), Expr::var("b"))));
        assert_eq!(not.render(0), "!(a && b)");
        let with = Expr::With(Box::new(Expr::var("pkgs")), Box::new(Expr::list([Expr::var("git")])));
        assert_eq!(Expr::list([with.clone()]).render(0), "[(with pkgs; [git])]");
        assert_eq!(Expr::apply("lib.mkDefault", [with]).render(0), "lib.mkDefault (with pkgs; [git])");
    }

    #[test]
    fn larger_things_break_like_alejandra() {
        let e = Expr::lambda(
            ["config", "lib"],
            attrs(vec![
                Binding::new("imports", Expr::vertical_list([Expr::path("./a.nix"), Expr::path("./b.nix")])),
                Binding::path(
                    ["x", "y"],
                    Expr::apply(
                        "lib.mkDefault",
                        [attrs(vec![Binding::new("a", Expr::Int(1)), Binding::new("b", Expr::Int(2))])],
                    ),
                ),
            ]),
        );
        let expected = "{\n  config,\n  lib,\n  ...\n}: {\n  imports = [\n    ./a.nix\n    ./b.nix\n  ];\n  x.y = lib.mkDefault {\n    a = 1;\n    b = 2;\n  };\n}";
        assert_eq!(e.render(0), expected);
    }

    #[test]
    fn multi_line_strings_are_indented_strings_when_exact() {
        let e = attrs(vec![Binding::new("a", Expr::str("echo hi\n  x ''${y}\n\nend\n"))]);
        assert_eq!(e.render(0), "{\n  a = ''\n    echo hi\n      x ''\\'''\\'''${y}\n\n    end\n  '';\n}");
        // Every line indented, a trailing blank, or no final newline: the escaped form.
        for text in ["  a\n  b\n", "a \nb\n", "a\nb", "a\r\nb\n"] {
            assert!(Expr::str(text).render(0).starts_with('"'), "{text:?}");
        }
    }

    #[test]
    fn paths_that_cannot_be_literals_are_built_from_strings() {
        assert_eq!(Expr::path("./a b.nix").render(0), "./. + \"/a b.nix\"");
        assert_eq!(Expr::path("../../x y").render(0), "../.. + \"/x y\"");
        assert_eq!(Expr::list([Expr::path("./a b.nix")]).render(0), "[(./. + \"/a b.nix\")]");
        assert_eq!(Expr::path("../x y").render(0), "./.. + \"/x y\"");
        assert_eq!(Expr::path("/x y").render(0), "/. + \"/x y\"");
        assert_eq!(Expr::path("../modules/a.nix").render(0), "../modules/a.nix");
    }

    #[test]
    fn lambda_with_application_body_goes_below() {
        let e = Expr::lambda(
            ["pkgs"],
            Expr::apply(
                "lib.mkIf",
                [Expr::Bool(true), attrs(vec![Binding::new("a", Expr::Int(1)), Binding::new("b", Expr::Int(2))])],
            ),
        );
        assert_eq!(e.render(0), "{pkgs, ...}:\n  lib.mkIf true {\n    a = 1;\n    b = 2;\n  }");
    }
}
