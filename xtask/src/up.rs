//! `cargo xtask up`: the lab, running until Ctrl-C or SIGTERM.

use std::path::PathBuf;

use anyhow::Context;
use certlab_harness::Lab;

/// Starts the lab with its state in `state_dir`, prints how to reach it, and runs
/// until interrupted.
pub fn run(state_dir: PathBuf) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the Tokio runtime")?;
    runtime.block_on(async move {
        let started = std::time::Instant::now();
        let lab = Lab::builder()
            .state_dir(&state_dir)
            .start()
            .await
            .context("starting the lab")?;
        let e = lab.endpoints().clone();
        let kc = e.kubeconfig.display();
        println!(
            "certlab lab is up in {:.0?}; state in {}",
            started.elapsed(),
            state_dir.display()
        );
        println!();
        println!("  API server      {}", e.apiserver);
        println!("  kubeconfig      {kc}");
        println!("  mock-dns        {} (UDP and TCP)", e.dns);
        println!("  dns management  {}", e.dns_management);
        println!("  ACME directory  {} (trust {})", e.acme_directory, e.acme_tls_ca.display());
        println!("  ACME management {}", e.acme_management);
        println!("  metrics         {}", e.metrics);
        println!(
            "  ingress edge    {} (HTTP-01 validation port {})",
            e.ingress_edge, e.http01_port
        );
        println!(
            "  lab domain      {} (every name under it resolves to the lab)",
            e.lab_domain
        );
        println!(
            "  ClusterIssuers  lab-selfsigned, lab-ca, lab-acme-http01, lab-acme-dns01 (ready)"
        );
        println!(
            "  endpoints       {}",
            state_dir.join("endpoints.json").display()
        );
        println!();
        println!("Try:");
        println!("  export KUBECONFIG={kc}");
        println!("  kubectl --kubeconfig {kc} get namespaces");
        println!("  kubectl --kubeconfig {kc} get clusterissuers");
        println!("  kubectl --kubeconfig {kc} apply -f - <<EOF");
        println!("apiVersion: cert-manager.io/v1");
        println!("kind: Certificate");
        println!("metadata: {{name: hello}}");
        println!("spec: {{secretName: hello-tls, dnsNames: [hello.{}], issuerRef: {{name: lab-acme-http01, kind: ClusterIssuer}}}}", e.lab_domain);
        println!("EOF");
        println!("  kubectl --kubeconfig {kc} get orders,challenges");
        println!("  kubectl --kubeconfig {kc} wait --for=condition=Ready certificate/hello");
        println!(
            "  dig @{} -p {} anything.{} A",
            host(&e.dns),
            port(&e.dns),
            e.lab_domain
        );
        println!();
        println!("Press Ctrl-C to stop.");
        shutdown_signal().await;
        println!("stopping…");
        lab.shutdown().await;
        Ok(())
    })
}

fn host(addr: &str) -> &str {
    addr.rsplit_once(':').map_or(addr, |(h, _)| h)
}

fn port(addr: &str) -> &str {
    addr.rsplit_once(':').map_or("53", |(_, p)| p)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
