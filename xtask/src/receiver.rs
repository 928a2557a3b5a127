//! A loopback webhook receiver standing in for the retailer's endpoint in the demo: it answers
//! 200 to every POST and keeps what arrived.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use anyhow::Context;

/// One delivery as received.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub path: String,
    pub signed: bool,
    pub body: String,
}

pub struct Receiver {
    pub url: String,
    server: Arc<tiny_http::Server>,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    pub fn start() -> anyhow::Result<Receiver> {
        let server = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|error| anyhow::anyhow!("cannot start the webhook receiver: {error}"))?;
        let port = server
            .server_addr()
            .to_ip()
            .context("the receiver has no IP address")?
            .port();
        let server = Arc::new(server);
        let deliveries = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (server, deliveries) = (server.clone(), deliveries.clone());
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let signed = request.headers().iter().any(|h| {
                        h.field.equiv("X-Walkout-Signature") && h.value.as_str().starts_with("v1=")
                    });
                    let path = request.url().to_owned();
                    if let Ok(mut list) = deliveries.lock() {
                        list.push(Delivery { path, signed, body });
                    }
                    let _ = request.respond(tiny_http::Response::empty(200));
                }
            })
        };
        Ok(Receiver {
            url: format!("http://127.0.0.1:{port}"),
            server,
            deliveries,
            thread: Some(thread),
        })
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries
            .lock()
            .map(|list| list.clone())
            .unwrap_or_default()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
