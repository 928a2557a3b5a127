fn main() -> std::process::ExitCode {
    walkout_connectors::cli::main()
}
