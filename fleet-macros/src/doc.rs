//! Doc comments to clean description text, after clap_derive's `utils/doc_comments.rs`.

use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// The text of the `#[doc = "..."]` attributes (`///` and `/** */` comments), cleaned:
/// one leading space stripped from each line, blank lines at both ends dropped, the lines of a
/// paragraph joined with a space, paragraphs separated by one blank line. `None` without docs.
pub fn from_attrs(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .flat_map(|text| text.split('\n').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    clean(&lines)
}

/// Cleans raw doc lines, see [`from_attrs`].
pub fn clean<S: AsRef<str>>(lines: &[S]) -> Option<String> {
    let mut paragraphs: Vec<Vec<&str>> = vec![Vec::new()];
    for line in lines {
        let line = line.as_ref();
        let line = line.strip_prefix(' ').unwrap_or(line).trim();
        if line.is_empty() {
            if paragraphs.last().is_some_and(|p| !p.is_empty()) {
                paragraphs.push(Vec::new());
            }
        } else if let Some(current) = paragraphs.last_mut() {
            current.push(line);
        }
    }
    let text = paragraphs.iter().filter(|p| !p.is_empty()).map(|p| p.join(" ")).collect::<Vec<_>>().join("\n\n");
    (!text.is_empty()).then(|| strip_intra_doc_links(&text))
}

/// Rustdoc's intra-doc links read as plain code in a Nix description: ``[`Spec`]`` is `` `Spec` ``.
fn strip_intra_doc_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[`") {
        let Some(len) = rest[start + 2..].find("`]") else { break };
        let end = start + 2 + len;
        let followed_by_target = rest[end + 2..].starts_with('(') || rest[end + 2..].starts_with('[');
        out.push_str(&rest[..start]);
        if followed_by_target {
            out.push_str(&rest[start..end + 2]);
        } else {
            out.push_str(&rest[start + 1..end + 1]);
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn paragraphs_are_joined_and_edges_dropped() {
        let item: syn::ItemStruct = parse_quote! {
            ///
            /// The primary user,
            /// who owns the machine.
            ///
            ///
            /// Second paragraph.
            ///
            struct S;
        };
        let text = from_attrs(&item.attrs);
        assert_eq!(text.as_deref(), Some("The primary user, who owns the machine.\n\nSecond paragraph."));
    }

    #[test]
    fn block_comments_and_no_docs() {
        let item: syn::ItemStruct = parse_quote! {
            /** Block
               comment. */
            #[derive(Debug)]
            struct S;
        };
        assert_eq!(from_attrs(&item.attrs).as_deref(), Some("Block comment."));
        let bare: syn::ItemStruct = parse_quote!(
            struct S;
        );
        assert_eq!(from_attrs(&bare.attrs), None);
        assert_eq!(clean(&["", "  "]), None);
    }
}

#[cfg(test)]
mod link_tests {
    use super::strip_intra_doc_links;

    #[test]
    fn intra_doc_links_become_code() {
        assert_eq!(strip_intra_doc_links("Host spec of the [`fleet`]."), "Host spec of the `fleet`.");
        assert_eq!(strip_intra_doc_links("See [`a`] and [`b`](http://x)."), "See `a` and [`b`](http://x).");
        assert_eq!(strip_intra_doc_links("No [`close"), "No [`close");
    }
}
