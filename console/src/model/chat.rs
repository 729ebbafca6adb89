//! An agent's chat as the console holds it: the messages read so far, who is typing, the last join
//! or departure, whether it ended. Entries are taken once each, by index, whatever the order and
//! however often they arrive.

use callback_shared::chat::{ChatAnswer, Entry, IxnState, Kind, Party};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    /// The messages, in order.
    pub lines: Vec<Entry>,
    /// The next index to read.
    pub next: u32,
    /// The customer's name, once they joined.
    pub customer: Option<String>,
    /// Whether the customer is typing.
    pub typing: bool,
    /// The last join, departure or end, for the status region.
    pub notice: String,
    pub ended: bool,
}

impl Default for Chat {
    fn default() -> Chat {
        Chat {
            lines: Vec::new(),
            next: 1,
            customer: None,
            typing: false,
            notice: String::new(),
            ended: false,
        }
    }
}

impl Chat {
    pub fn take(&mut self, answer: ChatAnswer) {
        let mut entries = answer.transcript_to_show;
        entries.sort_by_key(|e| e.index);
        for e in entries {
            if e.index < self.next {
                continue;
            }
            self.next = e.index.saturating_add(1);
            let customer = e.party == Party::Client;
            match e.kind {
                Kind::Text => {
                    if customer {
                        self.typing = false;
                    }
                    self.lines.push(e);
                }
                Kind::Joined if customer => {
                    self.notice = format!("{} joined the chat.", e.nickname);
                    self.customer = Some(e.nickname);
                }
                Kind::Left if customer => {
                    self.notice = format!("{} left the chat.", self.name());
                    self.typing = false;
                }
                Kind::TypingStarted if customer => self.typing = true,
                Kind::TypingStopped if customer => self.typing = false,
                Kind::Joined | Kind::Left | Kind::TypingStarted | Kind::TypingStopped => {}
            }
        }
        if answer.chat_ixn_state == IxnState::Disconnected && !self.ended {
            self.ended = true;
            self.typing = false;
            self.notice = format!("{} The chat has ended.", self.notice)
                .trim()
                .to_string();
        }
    }

    /// How the customer is called: their name, or "The customer".
    pub fn name(&self) -> String {
        self.customer
            .clone()
            .unwrap_or_else(|| "The customer".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(index: u32, kind: Kind, party: Party, text: &str) -> Entry {
        Entry {
            index,
            kind,
            party,
            nickname: if party == Party::Client {
                "Zoé"
            } else {
                "Ann"
            }
            .into(),
            text: text.into(),
        }
    }

    #[test]
    fn entries_are_taken_once_in_order_and_say_who_joined_types_and_left() {
        let mut chat = Chat::default();
        let first = vec![
            entry(2, Kind::Text, Party::Client, "Hello"),
            entry(1, Kind::Joined, Party::Client, ""),
            entry(3, Kind::TypingStarted, Party::Client, ""),
        ];
        chat.take(ChatAnswer::new("c", false, 1, first.clone()));
        assert_eq!(chat.name(), "Zoé");
        assert_eq!(chat.notice, "Zoé joined the chat.");
        assert!(chat.typing);
        // The same entries again (a read that crossed another) change nothing.
        chat.take(ChatAnswer::new("c", false, 1, first));
        assert_eq!(chat.lines.len(), 1);
        assert_eq!(chat.next, 4);
        chat.take(ChatAnswer::new(
            "c",
            true,
            4,
            vec![
                entry(4, Kind::Text, Party::Agent, "Hi"),
                entry(5, Kind::Text, Party::Client, "Bye"),
                entry(6, Kind::Left, Party::Client, ""),
            ],
        ));
        let texts: Vec<&str> = chat.lines.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["Hello", "Hi", "Bye"]);
        assert!(!chat.typing && chat.ended);
        assert_eq!(chat.notice, "Zoé left the chat. The chat has ended.");
    }
}
