//! Chats (CHAT.md): the customer's side (GMS Chat API v1, and the socket at `_comet_url`), the
//! agent's (asked by their object), and the sockets of both.
//!
//! Sockets use the hibernation API: each is tagged with its chat's id and carries, as its
//! attachment, its party and the last index it was sent; after any write the object pushes each
//! socket of a changed chat what it has not yet seen, so an object woken from hibernation, a
//! reconnected socket and a polling client all read the same transcript, none twice.

use super::ServiceObject;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::CallbackId;
use crate::routes::ChatOp;
use callback_shared::chat::{self, ChatAnswer, Inbound, Kind, Party, SOCKETS_PER_CHAT};
use callback_shared::config::{CallbackService, Window};
use callback_shared::params::Params;
use callback_shared::record::{Callback, Phase, State};
use callback_shared::scenario::{self, Actor, Event};
use callback_shared::wire::CreateAnswer;
use serde::{Deserialize, Serialize};
use worker::{Request, Response, WebSocket, WebSocketPair};

/// Messages and typing notices per party and chat.
const SENDS: Window = Window {
    limit: chat::SENDS_PER_MINUTE,
    seconds: 60,
};

/// Who holds a socket, and the last index it was sent (its attachment).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Seat {
    /// `None`: the customer.
    agent: Option<String>,
    sent: u32,
}

/// One of the chat's two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Side {
    Customer,
    Agent(String),
}

impl Side {
    fn party(&self) -> Party {
        match self {
            Side::Customer => Party::Client,
            Side::Agent(_) => Party::Agent,
        }
    }

    fn actor(&self) -> Actor {
        match self {
            Side::Customer => Actor::Customer,
            Side::Agent(id) => Actor::Agent(id.clone()),
        }
    }
}

/// Where a request asks to read from: `transcriptPosition` (the Chat API's name) or `from`.
fn start_of(params: &Params) -> ApiResult<u32> {
    let position = params
        .get("transcriptPosition")
        .or_else(|| params.get("from"));
    chat::position(position.map(String::as_str)).map_err(ApiError::InvalidParameter)
}

/// Whether the chat is over for the customer (an agent may still record a disposition).
fn ended(callback: &Callback) -> bool {
    callback.state() == State::Completed || matches!(callback.phase, Phase::Disposition { .. })
}

impl ServiceObject {
    /// The StartChat dialog of a chat callback: where the customer joins it.
    pub(super) fn start_chat(&self, callback: &Callback) -> CreateAnswer {
        let subject = callback
            .user_data
            .get("subject")
            .cloned()
            .unwrap_or_else(|| callback.service.clone());
        CreateAnswer::start_chat(callback.id.clone(), &self.store.base(), subject)
    }

    /// A chat callback of this service; a voice one has no chat.
    fn chat_of(&self, id: &str) -> ApiResult<Callback> {
        self.store
            .load(id)?
            .filter(|c| c.selectors.is_chat())
            .ok_or_else(|| ApiError::UnknownCallback(id.to_string()))
    }

    /// A customer's Chat API request, or their socket.
    pub(super) fn customer_chat(
        &self,
        req: &Request,
        id: &CallbackId,
        op: ChatOp,
        params: &Params,
        service: &CallbackService,
    ) -> ApiResult<Response> {
        if op == ChatOp::Socket {
            return self.open_socket(req, &self.chat_of(&id.text)?, None, start_of(params)?);
        }
        http::json(&self.chat_act(&id.text, &Side::Customer, op, params, service)?)
    }

    /// An agent's socket, forwarded by their object once it checked their token.
    pub(super) fn agent_socket(
        &self,
        req: &Request,
        id: &CallbackId,
        agent: String,
    ) -> ApiResult<Response> {
        let from = start_of(&http::query_params(req)?)?;
        self.open_socket(req, &self.chat_of(&id.text)?, Some(agent), from)
    }

    /// An act of either side; answers the transcript from the position the request gives.
    pub(super) fn chat_act(
        &self,
        id: &str,
        side: &Side,
        op: ChatOp,
        params: &Params,
        service: &CallbackService,
    ) -> ApiResult<ChatAnswer> {
        let mut callback = self.chat_of(id)?;
        if let Side::Agent(agent) = side {
            if callback.phase.agent() != Some(agent.as_str()) {
                return Err(ApiError::Forbidden);
            }
        }
        let from = start_of(params)?;
        let now = self.now();
        let party = side.party();
        let speaking = matches!(op, ChatOp::Send | ChatOp::Typing(_));
        if speaking {
            if ended(&callback) {
                return Err(ApiError::InvalidState(format!(
                    "the chat of callback {id} has ended"
                )));
            }
            if *side == Side::Customer || matches!(callback.phase, Phase::Connected { .. }) {
                self.rates
                    .hit(&format!("chat:{id}:{}", party.as_str()), SENDS)?;
            }
        }
        let nickname = || -> ApiResult<String> {
            Ok(match side {
                Side::Customer => self
                    .store
                    .nickname(id, Party::Client)?
                    .unwrap_or_else(|| "Customer".into()),
                Side::Agent(agent) => self.store.agent_name(agent)?,
            })
        };
        match op {
            ChatOp::Join => {
                if self.store.nickname(id, Party::Client)?.is_none() && !ended(&callback) {
                    let full = [params.get("firstName"), params.get("lastName")]
                        .into_iter()
                        .flatten()
                        .map(|s| s.trim())
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    let name = chat::nickname(
                        &[
                            params.get("userDisplayName").map(String::as_str),
                            Some(full.as_str()),
                            params.get("nickname").map(String::as_str),
                        ],
                        "Customer",
                    );
                    self.store
                        .append(id, Kind::Joined, Party::Client, &name, "", now)?;
                }
            }
            ChatOp::Send => {
                let text = params.get("message").or_else(|| params.get("text"));
                let text =
                    chat::message(text.map(String::as_str)).map_err(ApiError::InvalidParameter)?;
                self.store
                    .append(id, Kind::Text, party, &nickname()?, &text, now)?;
            }
            ChatOp::Typing(started) => {
                let started = started && params.get("text").map(String::as_str) != Some("stopped");
                let kind = if started {
                    Kind::TypingStarted
                } else {
                    Kind::TypingStopped
                };
                self.store.append(id, kind, party, &nickname()?, "", now)?;
            }
            ChatOp::Leave if !ended(&callback) => {
                // Before an agent joined, a customer who leaves cancels the callback.
                let event = match callback.phase {
                    Phase::Connected { .. } => Event::CallEnded,
                    _ => Event::Cancel,
                };
                let step = scenario::apply(&callback, event, service, now, side.actor())?;
                self.record(&step)?;
                callback = step.callback;
            }
            ChatOp::Leave | ChatOp::Read | ChatOp::Socket => {}
        }
        self.chats.borrow_mut().insert(id.to_string());
        let entries = self.store.transcript(id, from)?;
        Ok(ChatAnswer::new(id, ended(&callback), from, entries))
    }

    /// Accepts a socket on a chat and sends it what it has not seen.
    pub(super) fn open_socket(
        &self,
        req: &Request,
        callback: &Callback,
        agent: Option<String>,
        from: u32,
    ) -> ApiResult<Response> {
        let upgrade = http::header(req, "upgrade");
        if !upgrade.is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
            return Err(ApiError::InvalidParameter(
                "this route opens a WebSocket: ask with Upgrade: websocket".into(),
            ));
        }
        if let Some(agent) = &agent {
            if callback.phase.agent() != Some(agent.as_str()) {
                return Err(ApiError::Forbidden);
            }
        }
        let id = callback.id.as_str();
        if self.state.get_websockets_with_tag(id).len() >= SOCKETS_PER_CHAT {
            return Err(ApiError::TooManyRequests(5));
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_websocket_with_tags(&pair.server, &[id]);
        pair.server.serialize_attachment(Seat {
            agent,
            sent: from.saturating_sub(1),
        })?;
        self.chats.borrow_mut().insert(id.to_string());
        Ok(Response::from_websocket(pair.client)?)
    }

    /// Pushes every socket of the chats changed since the last push what it has not seen; closes
    /// the sockets of chats that ended or are gone.
    pub(super) fn push_chats(&self) -> ApiResult<()> {
        let changed = self.chats.take();
        for id in changed {
            let callback = self.store.load(&id)?;
            let over = callback.as_ref().is_none_or(ended);
            for ws in self.state.get_websockets_with_tag(&id) {
                self.push(&ws, &id, over)?;
            }
        }
        Ok(())
    }

    fn push(&self, ws: &WebSocket, id: &str, over: bool) -> ApiResult<()> {
        let Some(mut seat) = ws.deserialize_attachment::<Seat>()? else {
            return Ok(());
        };
        loop {
            let from = seat.sent.saturating_add(1);
            let entries = self.store.transcript(id, from)?;
            let full = entries.len() >= chat::PAGE as usize;
            if entries.is_empty() && !over {
                break;
            }
            let answer = ChatAnswer::new(id, over, from, entries);
            seat.sent = answer.transcript_position.saturating_sub(1);
            let text =
                serde_json::to_string(&answer).map_err(|e| ApiError::Internal(e.to_string()))?;
            // A socket that is closing refuses: its client reconnects from what it holds.
            if ws.send_with_str(text).is_err() {
                return Ok(());
            }
            if !full {
                break;
            }
        }
        ws.serialize_attachment(&seat)?;
        if over {
            // Closing an already closed socket is refused, and harmless.
            let _ = ws.close(Some(1000), Some("the chat has ended"));
        }
        Ok(())
    }

    /// A frame a socket sent: acted on as its side's request; a refusal is answered on the socket.
    pub(super) fn socket_said(&self, ws: &WebSocket, frame: &str) -> ApiResult<()> {
        let Some(seat) = ws.deserialize_attachment::<Seat>()? else {
            return Ok(());
        };
        let Some(id) = self.state.get_tags(ws).into_iter().next() else {
            return Ok(());
        };
        let service = self.view("")?.callback()?;
        let side = seat.agent.map_or(Side::Customer, Side::Agent);
        let acted = Inbound::parse(frame)
            .map_err(ApiError::InvalidParameter)
            .and_then(|inbound| {
                let (op, mut params): (ChatOp, Params) = match inbound {
                    Inbound::Message(text) => (ChatOp::Send, [("message".into(), text)].into()),
                    Inbound::Typing(started) => (ChatOp::Typing(started), Params::new()),
                    Inbound::Leave => (ChatOp::Leave, Params::new()),
                };
                // Read from the end: what is new reaches every socket by the push.
                params.insert("transcriptPosition".into(), u32::MAX.to_string());
                self.chat_act(&id, &side, op, &params, &service)
            });
        if let Err(e) = acted {
            let body = serde_json::json!({"error": e.to_string()}).to_string();
            let _ = ws.send_with_str(body);
        }
        Ok(())
    }
}
