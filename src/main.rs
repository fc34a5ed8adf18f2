fn main() -> std::process::ExitCode {
    match trustsim::cli::main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            trustsim::cli::out::write_err(format_args!("error: {e:#}\n"));
            if e.is::<trustsim::cli::interrupt::Interrupted>() {
                std::process::ExitCode::from(trustsim::cli::interrupt::EXIT_INTERRUPTED)
            } else {
                std::process::ExitCode::FAILURE
            }
        }
    }
}
