//! Parameters that do not decode, worded as a validator words them. jsonrpsee answers
//! `-32602 "Invalid params"` and puts the decoder's reason in `data`; a validator says
//! `Invalid params: <reason>`, and the message is all web3.js shows its user ("failed to get balance of
//! account …: Invalid params" would not say what was wrong). This RPC middleware moves the reason into
//! the message and keeps it in `data`.
use std::future::Future;

use jsonrpsee::core::middleware::{Batch, BatchEntry, Notification, Request, RpcServiceT};
use jsonrpsee::server::{BatchResponseBuilder, MethodResponse};
use jsonrpsee::types::{ErrorObjectOwned, Id};
use serde_json::Value;

const INVALID_PARAMS: i32 = -32602;

#[derive(Clone, Copy)]
pub struct ParamReasonsLayer;

impl<S> tower::Layer<S> for ParamReasonsLayer {
    type Service = ParamReasons<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ParamReasons { inner }
    }
}

#[derive(Clone)]
pub struct ParamReasons<S> {
    inner: S,
}

/// `response` with the decoder's reason in its message, if it is a bare "Invalid params".
fn reworded(id: Id<'static>, response: MethodResponse) -> MethodResponse {
    if response.as_error_code() != Some(INVALID_PARAMS) {
        return response;
    }
    let Ok(body) = serde_json::from_str::<Value>(response.as_json().get()) else { return response };
    let error = &body["error"];
    match (error["message"].as_str(), error["data"].as_str()) {
        (Some("Invalid params"), Some(reason)) => MethodResponse::error(
            id,
            ErrorObjectOwned::owned(INVALID_PARAMS, format!("Invalid params: {reason}"), Some(reason)),
        ),
        _ => response,
    }
}

impl<S> RpcServiceT for ParamReasons<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Clone
        + Send
        + Sync
        + 'static,
{
    type MethodResponse = MethodResponse;
    type NotificationResponse = MethodResponse;
    type BatchResponse = MethodResponse;

    fn call<'a>(&self, request: Request<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let inner = self.inner.clone();
        async move {
            let id = request.id().into_owned();
            reworded(id, inner.call(request).await)
        }
    }

    /// Each call of the batch through `call` above, so that its errors are worded the same; otherwise as
    /// jsonrpsee's own batch (which would call the inner service's `call`, not this one's).
    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let service = self.clone();
        async move {
            let mut responses = BatchResponseBuilder::new_with_limit(usize::MAX);
            let mut notified = false;
            for entry in batch.into_iter() {
                let response = match entry {
                    Ok(BatchEntry::Call(request)) => service.call(request).await,
                    Ok(BatchEntry::Notification(notification)) => {
                        notified = true;
                        service.notification(notification).await;
                        continue;
                    }
                    Err(err) => {
                        let (err, id) = err.into_parts();
                        MethodResponse::error(id, err)
                    }
                };
                if let Err(too_large) = responses.append(response) {
                    return too_large;
                }
            }
            if responses.is_empty() && notified {
                MethodResponse::notification()
            } else {
                MethodResponse::from_batch(responses.finish())
            }
        }
    }

    fn notification<'a>(&self, notification: Notification<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        self.inner.notification(notification)
    }
}
