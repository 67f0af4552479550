fn main() {
    std::process::exit(vekil::cli::run())
}
