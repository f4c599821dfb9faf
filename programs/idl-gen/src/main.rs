//! `lantern-idl-gen <workspace root> <out dir> <program>...`: builds each program's IDL with Anchor's
//! own IDL builder (a `cargo test` of the program under the `idl-build` feature) and writes
//! `<out dir>/<program>.json`.
use std::path::PathBuf;
use std::process::ExitCode;

use anchor_lang_idl::build::IdlBuilder;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, out, programs @ ..] = args.as_slice() else {
        eprintln!("usage: lantern-idl-gen <workspace root> <out dir> <program>...");
        return ExitCode::from(2);
    };
    // The builder sets RUSTFLAGS, which would invalidate every cached crate; an (empty)
    // CARGO_ENCODED_RUSTFLAGS takes precedence over it and keeps the shared build cache warm.
    std::env::set_var("CARGO_ENCODED_RUSTFLAGS", "");
    for program in programs {
        let path = PathBuf::from(root).join("programs").join(program);
        let idl = IdlBuilder::new().program_path(path).cargo_args(vec!["--lib".into()]).build();
        let idl = match idl {
            Ok(idl) => idl,
            Err(err) => {
                eprintln!("Could not build the IDL of programs/{program} ({err}). Fix the compile error above and run `npm run idl` again.");
                return ExitCode::FAILURE;
            }
        };
        let json = serde_json::to_string_pretty(&idl).expect("IDL serialises");
        let file = PathBuf::from(out).join(format!("{program}.json"));
        if let Err(err) = std::fs::write(&file, json + "\n") {
            eprintln!("Could not write {}: {err}", file.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
