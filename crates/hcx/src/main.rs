fn main() -> std::process::ExitCode {
    hcx::cli::main()
}
