//! Wiring: shared watches and caches, one kube-runtime `Controller` per primary kind,
//! metrics, and graceful shutdown. Reconcilers themselves are plain async functions in
//! `certificates`, `requests` and `issuers`.

use std::sync::Arc;
use std::time::Duration;

use certlab_clock::SharedClock;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Pod, Secret, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, PartialObjectMeta};
use kube::runtime::controller::{Action, Config as ControllerConfig};
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{Controller, WatchStreamExt, watcher};
use kube::{Client, ResourceExt};
use tokio_util::sync::CancellationToken;

use crate::api::certificate::Certificate;
use crate::api::certificate_request::CertificateRequest;
use crate::api::challenge::Challenge;
use crate::api::constants::{annotations, labels};
use crate::api::issuer::{ClusterIssuer, Issuer};
use crate::api::order::Order;
use crate::config::Config;
use crate::context::{Caches, Context};
use crate::error::Error;
use crate::index::{Indexes, namespaced_key};
use crate::metrics::Metrics;

/// How many events a shared watch buffers per subscriber.
const SHARED_BUFFER: usize = 4096;

fn error_policy<K>(name: &'static str) -> impl Fn(Arc<K>, &Error, Arc<Context>) -> Action {
    move |_, error, ctx| {
        ctx.metrics.sync_error(name);
        tracing::debug!(controller = name, %error, "reconcile failed; retrying");
        Action::requeue(Duration::from_millis(500))
    }
}

/// The longest a reconcile may take. Reconcilers only wait on the API server and the
/// ACME server, each answering in milliseconds; one that hangs would hold one of the
/// controller's workers for good (and with all of them, stop the controller), so it is
/// cut off, logged and retried instead.
const RECONCILE_TIMEOUT: Duration = Duration::from_secs(60);

/// `reconcile` bounded by [`RECONCILE_TIMEOUT`].
fn bounded<K, C, F, Fut>(
    name: &'static str,
    reconcile: F,
) -> impl Fn(Arc<K>, Arc<C>) -> futures::future::BoxFuture<'static, Result<Action, Error>>
where
    K: Send + Sync + 'static,
    C: Send + Sync + 'static,
    F: Fn(Arc<K>, Arc<C>) -> Fut,
    Fut: std::future::Future<Output = Result<Action, Error>> + Send + 'static,
{
    move |obj, ctx| {
        let fut = reconcile(obj, ctx);
        Box::pin(async move {
            match tokio::time::timeout(RECONCILE_TIMEOUT, fut).await {
                Ok(r) => r,
                Err(_) => {
                    tracing::warn!(controller = name, "reconcile timed out; retrying");
                    Err(Error::Other(format!("{name}: reconcile timed out")))
                }
            }
        })
    }
}

/// A stream that yields once per jump of a virtual clock (never, for the system
/// clock): every object is then reconciled against the new time.
fn clock_jumps(clock: &SharedClock) -> impl futures::Stream<Item = ()> + Send + 'static {
    let rx = clock.jumps();
    futures::stream::unfold(rx, |rx| async move {
        let mut rx = rx?;
        rx.changed().await.ok()?;
        Some(((), Some(rx)))
    })
}

/// The Certificates a Secret event concerns: the one it was issued for, the one that
/// owns it (next-private-key Secrets), or those naming it in `spec.secretName`.
fn secret_to_certificates(
    indexes: &Indexes,
    secret: &PartialObjectMeta<Secret>,
) -> Vec<ObjectRef<Certificate>> {
    let namespace = secret.namespace().unwrap_or_default();
    if let Some(name) = secret.annotations().get(annotations::CERTIFICATE_NAME) {
        return vec![ObjectRef::new(name).within(&namespace)];
    }
    if let Some(owner) = secret
        .owner_references()
        .iter()
        .find(|o| o.kind == "Certificate" && o.controller == Some(true))
    {
        return vec![ObjectRef::new(&owner.name).within(&namespace)];
    }
    indexes
        .certificates_by_secret
        .get(&namespaced_key(&namespace, &secret.name_any()))
}

/// Everything the controller runs.
pub struct Runner {
    /// The shared context (tests and the lab read metrics and caches through it).
    pub context: Arc<Context>,
    stop: CancellationToken,
}

impl Runner {
    /// Stops the controllers gracefully.
    pub fn shutdown(&self) {
        self.stop.cancel();
    }
}

/// Starts every controller on `client`; they run until [`Runner::shutdown`] (or the
/// returned task is dropped).
pub fn start(
    client: Client,
    clock: SharedClock,
    config: Config,
    metrics: Arc<Metrics>,
) -> (Runner, tokio::task::JoinHandle<()>) {
    let stop = CancellationToken::new();
    let wcfg = watcher::Config::default().any_semantic();

    let indexes = Arc::new(Indexes::default());

    let (cert_reader, cert_writer) = reflector::store_shared::<Certificate>(SHARED_BUFFER);
    let cert_primary = cert_writer.subscribe();
    let cert_root = {
        let indexes = indexes.clone();
        watcher(Api::<Certificate>::all(client.clone()), wcfg.clone())
            .default_backoff()
            .reflect_shared(cert_writer)
            .inspect_ok(move |e| indexes.certificates_by_secret.apply(e))
    };

    let (cr_reader, cr_writer) = reflector::store_shared::<CertificateRequest>(SHARED_BUFFER);
    let cr_primary = cr_writer.subscribe();
    let cr_root = {
        let indexes = indexes.clone();
        watcher(Api::<CertificateRequest>::all(client.clone()), wcfg.clone())
            .default_backoff()
            .reflect_shared(cr_writer)
            .inspect_ok(move |e| indexes.requests_by_owner.apply(e))
    };

    // Challenges: the scheduler reads the cache; the Orders controller looks them up
    // by owner. Every change wakes the scheduler.
    let (ch_reader, ch_writer) = reflector::store_shared::<Challenge>(SHARED_BUFFER);
    let ch_primary = ch_writer.subscribe();
    let scheduler_wake = Arc::new(tokio::sync::Notify::new());
    let ch_root = {
        let indexes = indexes.clone();
        let wake = scheduler_wake.clone();
        watcher(Api::<Challenge>::all(client.clone()), wcfg.clone())
            .default_backoff()
            .reflect_shared(ch_writer)
            .inspect_ok(move |e| {
                indexes.challenges_by_owner.apply(e);
                wake.notify_one();
            })
    };

    // Shared streams carry no deletions (kube-runtime dispatches applies only), and a
    // deleted Secret or CertificateRequest must trigger re-issuance: those are watched
    // directly, metadata-only for Secrets.
    let secrets = || Api::<PartialObjectMeta<Secret>>::all(client.clone());
    let (secret_reader, secret_writer) = reflector::store::<PartialObjectMeta<Secret>>();
    let secret_events = {
        let indexes = indexes.clone();
        watcher(secrets(), wcfg.clone())
            .default_backoff()
            .reflect(secret_writer)
            .inspect_ok(move |e| indexes.next_keys_by_owner.apply(e))
            .touched_objects()
    };

    let context = Arc::new(Context::new(
        client.clone(),
        clock.clone(),
        config.clone(),
        metrics,
        Caches {
            certificates: cert_reader.clone(),
            requests: cr_reader.clone(),
            secrets: secret_reader,
            indexes: indexes.clone(),
        },
    ));
    let ccfg = ControllerConfig::default().concurrency(config.concurrency);
    let ccfg_orders = ccfg.clone();
    let shutdown = {
        let stop = stop.clone();
        async move { stop.cancelled().await }
    };
    let shutdown = futures::FutureExt::shared(Box::pin(shutdown));

    let (Some(cert_primary), Some(cr_primary), Some(ch_primary)) =
        (cert_primary, cr_primary, ch_primary)
    else {
        unreachable!("shared stores always hand out subscriptions")
    };

    let indexes_for_mapping = indexes.clone();
    let certificates = Controller::for_shared_stream(cert_primary, cert_reader)
        .owns(Api::<CertificateRequest>::all(client.clone()), wcfg.clone())
        .watches_stream(secret_events, move |s| {
            secret_to_certificates(&indexes_for_mapping, &s)
        })
        .reconcile_all_on(clock_jumps(&clock))
        .with_config(ccfg.clone())
        .graceful_shutdown_on(shutdown.clone())
        .run(
            bounded("certificates", crate::certificates::reconcile),
            error_policy("certificates"),
            context.clone(),
        )
        .for_each(|_| futures::future::ready(()));

    let requests_for_issuers = cr_reader.clone();
    let requests_for_cluster_issuers = cr_reader.clone();
    let requests = Controller::for_shared_stream(cr_primary, cr_reader)
        .watches(
            Api::<Issuer>::all(client.clone()),
            wcfg.clone(),
            move |issuer: Issuer| {
                let ns = issuer.namespace().unwrap_or_default();
                let name = issuer.name_any();
                requests_for_issuers
                    .state()
                    .iter()
                    .filter(|cr| {
                        cr.namespace().as_deref() == Some(ns.as_str())
                            && !cr.spec.issuer_ref.is_cluster_issuer()
                            && cr.spec.issuer_ref.name == name
                    })
                    .map(|cr| ObjectRef::from(cr.as_ref()))
                    .collect::<Vec<_>>()
            },
        )
        .watches(
            Api::<ClusterIssuer>::all(client.clone()),
            wcfg.clone(),
            move |issuer: ClusterIssuer| {
                let name = issuer.name_any();
                requests_for_cluster_issuers
                    .state()
                    .iter()
                    .filter(|cr| {
                        cr.spec.issuer_ref.is_cluster_issuer() && cr.spec.issuer_ref.name == name
                    })
                    .map(|cr| ObjectRef::from(cr.as_ref()))
                    .collect::<Vec<_>>()
            },
        )
        .owns(Api::<Order>::all(client.clone()), wcfg.clone())
        .with_config(ccfg.clone())
        .graceful_shutdown_on(shutdown.clone())
        .run(
            bounded("certificaterequests", crate::requests::reconcile),
            error_policy("certificaterequests"),
            context.clone(),
        )
        .for_each(|_| futures::future::ready(()));

    let issuer_ctrl = Controller::new(Api::<Issuer>::all(client.clone()), wcfg.clone());
    let issuer_store = issuer_ctrl.store();
    let issuers = issuer_ctrl
        .watches(secrets(), wcfg.clone(), move |s| {
            let ns = s.namespace().unwrap_or_default();
            let name = s.name_any();
            issuer_store
                .state()
                .iter()
                .filter(|i| {
                    i.namespace().as_deref() == Some(ns.as_str())
                        && i.spec.ca.as_ref().is_some_and(|c| c.secret_name == name)
                })
                .map(|i| ObjectRef::from(i.as_ref()))
                .collect::<Vec<_>>()
        })
        .with_config(ccfg.clone())
        .graceful_shutdown_on(shutdown.clone())
        .run(
            bounded("issuers", crate::issuers::reconcile_issuer),
            error_policy("issuers"),
            context.clone(),
        )
        .for_each(|_| futures::future::ready(()));

    let cluster_issuer_ctrl =
        Controller::new(Api::<ClusterIssuer>::all(client.clone()), wcfg.clone());
    let cluster_issuer_store = cluster_issuer_ctrl.store();
    let resource_namespace = config.cluster_resource_namespace.clone();
    let cluster_issuers = cluster_issuer_ctrl
        .watches(secrets(), wcfg.clone(), move |s| {
            if s.namespace().as_deref() != Some(resource_namespace.as_str()) {
                return Vec::new();
            }
            let name = s.name_any();
            cluster_issuer_store
                .state()
                .iter()
                .filter(|i| i.spec.ca.as_ref().is_some_and(|c| c.secret_name == name))
                .map(|i| ObjectRef::from(i.as_ref()))
                .collect::<Vec<_>>()
        })
        .with_config(ccfg.clone())
        .graceful_shutdown_on(shutdown.clone())
        .run(
            bounded("clusterissuers", crate::issuers::reconcile_cluster_issuer),
            error_policy("clusterissuers"),
            context.clone(),
        )
        .for_each(|_| futures::future::ready(()));

    let ingress_shim = crate::shim::controller(client.clone(), wcfg.clone())
        .with_config(ccfg.clone())
        .graceful_shutdown_on(shutdown.clone())
        .run(
            bounded("ingress-shim", crate::shim::reconcile),
            crate::shim::error_policy,
            Arc::new(crate::shim::ShimContext {
                ctx: context.clone(),
                config: config.shim.clone(),
            }),
        )
        .for_each(|_| futures::future::ready(()));
    // HTTP-01 solver Pods, Services and Ingresses wake the Challenge owning them.
    let solver_watch = wcfg
        .clone()
        .labels(&format!("{}=true", labels::ACME_HTTP01_SOLVER));
    let challenges = Controller::for_shared_stream(ch_primary, ch_reader.clone())
        .owns(Api::<Pod>::all(client.clone()), solver_watch.clone())
        .owns(Api::<Service>::all(client.clone()), solver_watch.clone())
        .owns(Api::<Ingress>::all(client.clone()), solver_watch)
        // Challenge reconciles mostly wait on the network (self-checks, the CA); the
        // scheduler's --max-concurrent-challenges is what bounds the work.
        .with_config(
            ControllerConfig::default().concurrency(
                u16::try_from(config.max_concurrent_challenges)
                    .unwrap_or(u16::MAX)
                    .max(config.concurrency),
            ),
        )
        .graceful_shutdown_on(shutdown.clone())
        .run(
            bounded("challenges", crate::acme::challenges::reconcile),
            error_policy("challenges"),
            context.clone(),
        )
        .for_each(|_| futures::future::ready(()));
    let scheduler = crate::acme::challenges::scheduler::run(
        context.clone(),
        ch_reader,
        scheduler_wake,
        stop.clone(),
    );

    let orders = Controller::new(Api::<Order>::all(client.clone()), wcfg.clone())
        .owns(Api::<Challenge>::all(client.clone()), wcfg.clone())
        .with_config(ccfg_orders)
        .graceful_shutdown_on(shutdown.clone())
        .run(
            bounded("orders", crate::acme::orders::reconcile),
            error_policy("orders"),
            context.clone(),
        )
        .for_each(|_| futures::future::ready(()));

    let roots = async move {
        tokio::join!(
            cert_root.for_each(|_| futures::future::ready(())),
            cr_root.for_each(|_| futures::future::ready(())),
            ch_root.for_each(|_| futures::future::ready(())),
        );
    };
    let stop_roots = stop.clone();
    let task = tokio::spawn(async move {
        let controllers = async {
            tokio::join!(
                certificates,
                requests,
                issuers,
                cluster_issuers,
                orders,
                ingress_shim,
                challenges,
                scheduler
            );
        };
        tokio::select! {
            _ = controllers => {}
            _ = async { roots.await; std::future::pending::<()>().await } => {}
        }
        stop_roots.cancel();
    });
    (Runner { context, stop }, task)
}

/// Serves `/metrics` (and `/healthz`) on `addr` until `stop`.
pub async fn serve_metrics(
    addr: std::net::SocketAddr,
    metrics: Arc<Metrics>,
    clock: SharedClock,
    stop: CancellationToken,
) -> std::io::Result<std::net::SocketAddr> {
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = axum::Router::new()
        .route(
            "/metrics",
            get(move || {
                let body = metrics.render(clock.now());
                async move {
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        body,
                    )
                }
            }),
        )
        .route("/healthz", get(|| async { "ok" }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
    });
    Ok(bound)
}
