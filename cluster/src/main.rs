fn main() {
    eprintln!("certlab-cluster: the API server is not wired yet");
    std::process::exit(2);
}
