use fleet_dsl::prelude::*;

fn main() {
    let _a: AgeKey = age_key!("age1notakey");
    // One character changed from a valid key.
    let _b: AgeKey = age_key!("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac9p");
}
