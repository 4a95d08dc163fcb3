//! How long a Lab takes to start and stop (for choosing one lab per scenario).
use std::time::Instant;

#[tokio::main]
async fn main() {
    for i in 0..5 {
        let t = Instant::now();
        let lab = certlab_harness::Lab::builder().start().await.expect("lab");
        let started = t.elapsed();
        let t = Instant::now();
        lab.shutdown().await;
        println!("run {i}: start {started:?}, shutdown {:?}", t.elapsed());
    }
}
