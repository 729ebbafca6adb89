//! The agent's server-sent event stream (`GET /genesys/1/agent/offer` with
//! `Accept: text/event-stream`): their status now, then at every change.

use super::AgentObject;
use crate::error::{ApiError, ApiResult};
use callback_shared::wire::AgentStatus;
use futures_channel::mpsc::{unbounded, UnboundedSender};
use worker::Response;

pub(super) type Stream = UnboundedSender<Result<Vec<u8>, worker::Error>>;

impl AgentObject {
    fn event(status: &AgentStatus) -> Vec<u8> {
        let json = serde_json::to_string(status).unwrap_or_else(|_| "null".into());
        format!("event: offer\ndata: {json}\n\n").into_bytes()
    }

    pub(super) fn broadcast(&self, status: &AgentStatus) {
        let event = Self::event(status);
        self.streams
            .borrow_mut()
            .retain(|s| s.unbounded_send(Ok(event.clone())).is_ok());
    }

    /// A server-sent event stream: the current status now, then at every change.
    pub(super) fn stream(&self, status: &AgentStatus) -> ApiResult<Response> {
        let (sender, receiver) = unbounded();
        sender
            .unbounded_send(Ok(Self::event(status)))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        self.streams.borrow_mut().push(sender);
        let response = Response::from_stream(receiver)?;
        let headers = worker::Headers::new();
        headers.set("content-type", "text/event-stream")?;
        headers.set("cache-control", "no-store")?;
        Ok(response.with_headers(headers))
    }
}
