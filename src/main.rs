//! The `faultline` binary: parse arguments, run, exit with the contract's code.

fn main() {
    // Panics are contained per file and reported as notes naming the file;
    // the default hook would print a backtrace banner on top of that.
    std::panic::set_hook(Box::new(|_| {}));
    let code = std::panic::catch_unwind(faultline::cli::run).unwrap_or_else(|payload| {
        let detail = faultline::scan::panic_message(payload.as_ref());
        eprintln!("faultline: internal error: {detail}. Please report it.");
        faultline::cli::EXIT_ERROR
    });
    std::process::exit(code);
}
