//! The `faultline` binary: parse arguments, run, exit with the contract's code.

fn main() {
    // Panics are contained per file and reported as notes naming the file;
    // the default hook would print a backtrace banner on top of that.
    std::panic::set_hook(Box::new(|_| {}));
    let code = std::panic::catch_unwind(faultline::cli::run).unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        eprintln!("faultline: internal error: {detail}. Please report it.");
        faultline::cli::EXIT_ERROR
    });
    std::process::exit(code);
}
