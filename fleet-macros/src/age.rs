//! `age_key!("age1…")`: an age X25519 public key, checked at compile time.

use crate::rules::age::{check_age_key, HINT};
use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

/// Expands `age_key!("age1…")` to `::fleet_dsl::AgeKey::new("age1…")`, or to a compile error at
/// the literal.
pub fn expand(input: TokenStream) -> TokenStream {
    let lit: LitStr = match syn::parse2(input) {
        Ok(lit) => lit,
        Err(err) => {
            let msg = "`age_key!` takes one string literal: `age_key!(\"age1…\")`";
            return syn::Error::new(err.span(), msg).into_compile_error();
        }
    };
    match check_age_key(&lit.value()) {
        Ok(()) => quote!(::fleet_dsl::AgeKey::new(#lit)),
        Err(reason) => {
            let msg = format!("`{}` is not an age public key: {reason}; {HINT}", lit.value());
            syn::Error::new(lit.span(), msg).into_compile_error()
        }
    }
}
