//! Chats (CHAT.md): a chat callback's transcript as GMS Chat API v1 shows it, what its parties may
//! send, and the bounds that keep one chat from costing the service more than a chat is worth.
//!
//! Invariant: an entry's index is given once, from 1, in the order entries are stored, and never
//! changes; a client that asks again from an index it already read gets the same entries.

use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest message, in characters.
pub const MAX_MESSAGE: usize = 4000;
/// The longest nickname, in characters (longer ones are cut).
pub const MAX_NICKNAME: usize = 100;
/// Messages and typing notices one party may send in a minute.
pub const SENDS_PER_MINUTE: u32 = 60;
/// Open sockets per chat (both parties together): a few tabs each, not a flood.
pub const SOCKETS_PER_CHAT: usize = 6;
/// Entries one answer carries at most; the client asks again from the position it is given.
pub const PAGE: u32 = 500;

/// Who an entry is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Party {
    Client,
    Agent,
    /// The service itself (queue notices, an admin's cancel, an expiry).
    External,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Client => "Client",
            Party::Agent => "Agent",
            Party::External => "External",
        }
    }

    pub fn parse(text: &str) -> Option<Party> {
        [Party::Client, Party::Agent, Party::External]
            .into_iter()
            .find(|p| p.as_str() == text)
    }
}

/// What an entry is: GMS's event names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Joined,
    Left,
    TypingStarted,
    TypingStopped,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Text,
        Kind::Joined,
        Kind::Left,
        Kind::TypingStarted,
        Kind::TypingStopped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "Message.Text",
            Kind::Joined => "Notice.Joined",
            Kind::Left => "Notice.Left",
            Kind::TypingStarted => "Notice.TypingStarted",
            Kind::TypingStopped => "Notice.TypingStopped",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One entry of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub index: u32,
    pub kind: Kind,
    pub party: Party,
    pub nickname: String,
    pub text: String,
}

/// GMS's shape: `[event, nickname, text, index, partyType]`.
impl Serialize for Entry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(5)?;
        t.serialize_element(self.kind.as_str())?;
        t.serialize_element(&self.nickname)?;
        t.serialize_element(&self.text)?;
        t.serialize_element(&self.index)?;
        t.serialize_element(self.party.as_str())?;
        t.end()
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        let (event, nickname, text, index, party) =
            <(String, String, String, u32, String)>::deserialize(d)?;
        let unknown = |what: &str| serde::de::Error::custom(format!("unknown {what}"));
        Ok(Entry {
            index,
            kind: Kind::parse(&event).ok_or_else(|| unknown(&event))?,
            party: Party::parse(&party).ok_or_else(|| unknown(&party))?,
            nickname,
            text,
        })
    }
}

/// Whether the chat goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IxnState {
    /// Waiting for an agent, or talking with one.
    Connected,
    /// Ended: what is left is the transcript.
    Disconnected,
}

/// Every answer of the Chat API, and every message the service sends on a socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatAnswer {
    pub chat_ixn_state: IxnState,
    pub chat_session_id: String,
    /// The next index to ask for.
    pub transcript_position: u32,
    pub transcript_to_show: Vec<Entry>,
}

impl ChatAnswer {
    /// The entries read from `from`, with the position to ask next.
    pub fn new(id: &str, ended: bool, from: u32, entries: Vec<Entry>) -> ChatAnswer {
        let next = entries.last().map_or(from, |e| e.index.saturating_add(1));
        ChatAnswer {
            chat_ixn_state: if ended {
                IxnState::Disconnected
            } else {
                IxnState::Connected
            },
            chat_session_id: id.to_string(),
            transcript_position: next,
            transcript_to_show: entries,
        }
    }
}

/// A message's text: not blank, at most [`MAX_MESSAGE`] characters.
pub fn message(text: Option<&str>) -> Result<String, String> {
    let text = text.unwrap_or_default();
    if text.trim().is_empty() {
        return Err("message: required".into());
    }
    if text.chars().count() > MAX_MESSAGE {
        return Err(format!("message: at most {MAX_MESSAGE} characters"));
    }
    Ok(text.to_string())
}

/// A nickname as shown: trimmed, cut to [`MAX_NICKNAME`] characters, `fallback` when blank.
pub fn nickname(given: &[Option<&str>], fallback: &str) -> String {
    let name = given
        .iter()
        .flatten()
        .map(|n| n.trim())
        .find(|n| !n.is_empty())
        .unwrap_or(fallback);
    name.chars()
        .filter(|c| !c.is_control())
        .take(MAX_NICKNAME)
        .collect()
}

/// `transcriptPosition` (or `from`): the first index to read, 1 when absent.
pub fn position(text: Option<&str>) -> Result<u32, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(1),
        Some(t) => t
            .parse::<u32>()
            .map(|n| n.max(1))
            .map_err(|_| format!("transcriptPosition: `{t}` is not a position (1, 2, …)")),
    }
}

/// What a party sends on a socket: `{"type": "message"|"typing"|"leave", "text"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    Message(String),
    /// Typing started (`text` absent or anything but `"stopped"`), or stopped.
    Typing(bool),
    Leave,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
}

impl Inbound {
    pub fn parse(frame: &str) -> Result<Inbound, String> {
        let wire: Wire = serde_json::from_str(frame)
            .map_err(|_| "a socket message is JSON: {\"type\": \"message\", \"text\": \"…\"}")?;
        match wire.kind.as_str() {
            "message" => message(wire.text.as_deref()).map(Inbound::Message),
            "typing" => Ok(Inbound::Typing(wire.text.as_deref() != Some("stopped"))),
            "leave" => Ok(Inbound::Leave),
            other => Err(format!("`{other}` is not message, typing or leave")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn entries_have_gms_shape_and_answers_say_where_to_go_on() {
        let entry = Entry {
            index: 3,
            kind: Kind::Text,
            party: Party::Agent,
            nickname: "Ann".into(),
            text: "Hello".into(),
        };
        assert_eq!(
            serde_json::to_value(&entry).unwrap(),
            serde_json::json!(["Message.Text", "Ann", "Hello", 3, "Agent"])
        );
        let answer = ChatAnswer::new("s~1", false, 3, vec![entry]);
        let json = serde_json::to_value(&answer).unwrap();
        assert_eq!(
            serde_json::from_value::<ChatAnswer>(json.clone()).unwrap(),
            answer
        );
        assert_eq!(json["chatIxnState"], "CONNECTED");
        assert_eq!(json["transcriptPosition"], 4);
        assert_eq!(json["chatSessionId"], "s~1");
        let empty = ChatAnswer::new("s~1", true, 7, Vec::new());
        assert_eq!(empty.transcript_position, 7);
        assert_eq!(empty.chat_ixn_state, IxnState::Disconnected);
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Party::parse("Client"), Some(Party::Client));
    }

    #[test]
    fn messages_are_bounded_and_sockets_speak_json() {
        assert_eq!(message(Some(" hi ")).unwrap(), " hi ");
        assert!(message(Some("  ")).is_err());
        assert!(message(None).is_err());
        assert!(message(Some(&"é".repeat(4000))).is_ok());
        assert!(message(Some(&"é".repeat(4001))).is_err());
        assert_eq!(
            Inbound::parse(r#"{"type":"message","text":"yo"}"#),
            Ok(Inbound::Message("yo".into()))
        );
        assert_eq!(
            Inbound::parse(r#"{"type":"typing"}"#),
            Ok(Inbound::Typing(true))
        );
        assert_eq!(
            Inbound::parse(r#"{"type":"typing","text":"stopped"}"#),
            Ok(Inbound::Typing(false))
        );
        assert_eq!(Inbound::parse(r#"{"type":"leave"}"#), Ok(Inbound::Leave));
        assert!(Inbound::parse(r#"{"type":"shout"}"#).is_err());
        assert!(Inbound::parse("hello").is_err());
        assert_eq!(nickname(&[None, Some("  "), Some(" Zoé ")], "You"), "Zoé");
        assert_eq!(nickname(&[], "You"), "You");
        assert_eq!(nickname(&[Some(&"x".repeat(500))], "You").len(), 100);
    }

    proptest! {
        #[test]
        fn any_position_is_read_or_refused(text in ".{0,12}") {
            match position(Some(&text)) {
                Ok(n) => prop_assert!(n >= 1),
                Err(e) => prop_assert!(e.contains("transcriptPosition")),
            }
        }

        #[test]
        fn any_socket_frame_is_read_or_refused(frame in ".{0,64}") {
            let _ = Inbound::parse(&frame);
        }
    }
}
