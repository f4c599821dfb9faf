//! Golden vectors for the TypeScript sdk, computed by the programs' own math.
//!
//! `lantern-golden <out-dir>` draws thousands of inputs per function from a seeded splitmix64 stream
//! (edge values, rounding boundaries and realistic ranges mixed), runs the Rust functions the sdk
//! mirrors and writes `<out-dir>/{fixed,oracle,margin,restaking}.json`. Every run writes the same
//! bytes, so `npm run golden:check` can tell when the Rust math moved and the vectors (and so the
//! sdk) must follow.
//!
//! Format: `{ "<function>": [[inputs, output], ...], ... }`, one case per line. u64, u128 and i64 are
//! decimal strings, smaller integers JSON numbers; an error is `{"err": "<Rust variant name>"}` and a
//! Rust `None` is `null`. Inputs for which the Rust code panics (outside the functions' contracts) are
//! skipped and counted on stderr.
/// `rng.pick` over items that may themselves draw from `rng` (evaluated first, in order).
macro_rules! pick {
    ($rng:expr, [$($item:expr),* $(,)?]) => {{
        let items = [$($item),*];
        $rng.pick(&items)
    }};
}

mod fixed;
mod margin;
mod oracle;
mod restaking;
mod rng;

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use serde_json::{json, Value};

thread_local! {
    /// Set while a case runs: its panics are expected (out of contract) and stay quiet.
    static IN_CASE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The cases of one function, in generation order.
pub struct Cases {
    name: &'static str,
    cases: Vec<Value>,
    skipped: usize,
}

impl Cases {
    pub fn new(name: &'static str) -> Self {
        Self { name, cases: Vec::new(), skipped: 0 }
    }

    /// Records `inputs` and what `f` returns for them; a panic skips the case.
    pub fn add(&mut self, inputs: Value, f: impl FnOnce() -> Value) {
        IN_CASE.with(|c| c.set(true));
        let result = catch_unwind(AssertUnwindSafe(f));
        IN_CASE.with(|c| c.set(false));
        match result {
            Ok(output) => self.cases.push(json!([inputs, output])),
            Err(_) => self.skipped += 1,
        }
    }
}

/// One output file.
#[derive(Default)]
pub struct Area {
    functions: Vec<Cases>,
}

impl Area {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, cases: Cases) {
        self.functions.push(cases);
    }

    fn render(&self) -> String {
        let mut out = String::from("{\n");
        for (i, f) in self.functions.iter().enumerate() {
            out.push_str(&format!("{}: [\n", json!(f.name)));
            for (j, case) in f.cases.iter().enumerate() {
                out.push_str(&serde_json::to_string(case).expect("json"));
                out.push_str(if j + 1 < f.cases.len() { ",\n" } else { "\n" });
            }
            out.push_str(if i + 1 < self.functions.len() { "],\n" } else { "]\n" });
        }
        out.push_str("}\n");
        out
    }
}

/// A u64/u128/i64 as a decimal string.
pub fn s(value: impl ToString) -> Value {
    Value::String(value.to_string())
}

/// The error variant's name, as the sdk reports it.
pub fn err(name: impl std::fmt::Debug) -> Value {
    json!({ "err": format!("{name:?}") })
}

/// The variant name inside an Anchor error (what `Result<T>` state methods return).
pub fn anchor_err(error: anchor_lang::error::Error) -> Value {
    match error {
        anchor_lang::error::Error::AnchorError(e) => json!({ "err": e.error_name }),
        anchor_lang::error::Error::ProgramError(e) => {
            json!({ "err": format!("{:?}", e.program_error) })
        }
    }
}

fn main() {
    let out_dir = std::env::args().nth(1).unwrap_or_else(|| "test/golden".to_string());
    let out = Path::new(&out_dir);
    fs::create_dir_all(out).expect("create the output directory");
    // A case's panic is expected (input outside the function's contract) and only counted; any other
    // panic is a bug of the generator and is reported.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_CASE.with(|c| c.get()) {
            default_hook(info);
        }
    }));

    type Generator = fn(&mut rng::Rng) -> Area;
    let areas: [(&str, Generator); 4] = [
        ("fixed", fixed::generate),
        ("oracle", oracle::generate),
        ("margin", margin::generate),
        ("restaking", restaking::generate),
    ];
    for (index, (name, generate)) in areas.into_iter().enumerate() {
        let mut rng = rng::Rng::new(0x4c61_6e74_6572_6e00 + index as u64);
        let area = generate(&mut rng);
        let text = area.render();
        let path = out.join(format!("{name}.json"));
        fs::write(&path, &text).expect("write golden vectors");
        let total: usize = area.functions.iter().map(|f| f.cases.len()).sum();
        let skipped: Vec<String> =
            area.functions.iter().filter(|f| f.skipped > 0).map(|f| format!("{} {}", f.name, f.skipped)).collect();
        eprintln!(
            "{}: {} functions, {} cases, {} bytes{}",
            path.display(),
            area.functions.len(),
            total,
            text.len(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" (skipped, out of contract: {})", skipped.join(", "))
            }
        );
    }
}
