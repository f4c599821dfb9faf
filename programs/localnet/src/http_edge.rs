//! The HTTP edge in front of the JSON-RPC methods: what a validator's RPC port answers besides
//! JSON-RPC (`GET /health`), and the chain's bad-input behaviour kept from before jsonrpsee: any POST is
//! read as JSON-RPC whatever its content type, and an oversized body is read to its end before its
//! error, so a client still sending gets the JSON-RPC error rather than a reset connection.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http_body_util::BodyExt;
use jsonrpsee::core::BoxError;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use tower::{Layer, Service};

use crate::rpc::MAX_BODY_BYTES;

#[derive(Clone, Copy, Default)]
pub struct HttpEdgeLayer;

impl<S> Layer<S> for HttpEdgeLayer {
    type Service = HttpEdge<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HttpEdge { inner }
    }
}

#[derive(Clone)]
pub struct HttpEdge<S> {
    inner: S,
}

fn reply(status: u16, content_type: &'static str, body: String) -> HttpResponse {
    http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, content_type)
        .body(HttpBody::from(body))
        .expect("a response from a valid status and header")
}

fn rpc_error(status: u16, message: &str) -> HttpResponse {
    let body = serde_json::json!({ "jsonrpc": "2.0", "error": { "code": -32600, "message": message }, "id": null });
    reply(status, "application/json", body.to_string())
}

/// The whole body, or `None` when it is larger than `limit` (then read to its end and dropped).
async fn read_body(mut body: HttpBody, limit: usize) -> Result<Option<Vec<u8>>, BoxError> {
    let mut bytes = Vec::new();
    let mut too_large = false;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else { continue };
        too_large |= bytes.len() + data.len() > limit;
        if !too_large {
            bytes.extend_from_slice(&data);
        }
    }
    Ok((!too_large).then_some(bytes))
}

impl<S> Service<HttpRequest<HttpBody>> for HttpEdge<S>
where
    S: Service<HttpRequest<HttpBody>, Response = HttpResponse, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequest<HttpBody>) -> Self::Future {
        // The service polled ready is the one that serves this request (tower's clone-and-swap).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            match (request.method(), request.uri().path()) {
                (&http::Method::GET, "/health") => return Ok(reply(200, "text/plain", "ok".to_owned())),
                (&http::Method::POST, _) => {}
                _ => return Ok(rpc_error(405, "Invalid request: POST a JSON-RPC request")),
            }
            let (mut parts, body) = request.into_parts();
            let Some(bytes) = read_body(body, MAX_BODY_BYTES).await? else {
                return Ok(rpc_error(413, &format!("Invalid request: the body is larger than {MAX_BODY_BYTES} bytes")));
            };
            parts.headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
            inner.call(HttpRequest::from_parts(parts, HttpBody::from(bytes))).await
        })
    }
}
