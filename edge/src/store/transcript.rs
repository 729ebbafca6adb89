//! Chats' transcripts: entries indexed from 1 per callback, only ever appended, erased with their
//! callback (`save`'s purge) or with the service.

use super::*;
use callback_shared::chat::{Entry, Kind, Party, PAGE};

#[derive(Deserialize)]
struct EntryRow {
    idx: i64,
    event: String,
    party: String,
    nickname: String,
    text: String,
}

impl Store {
    /// Appends an entry to a chat's transcript: its index.
    pub fn append(
        &self,
        id: &str,
        kind: Kind,
        party: Party,
        nickname: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> ApiResult<u32> {
        let index = self.count(
            "SELECT coalesce(max(idx), 0) + 1 AS n FROM transcript WHERE callback_id = ?",
            vec![id.into()],
        )?;
        self.sql.exec(
            "INSERT INTO transcript (callback_id, idx, at_ms, event, party, nickname, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                id.into(),
                V::Integer(i64::from(index)),
                ms(now),
                kind.as_str().into(),
                party.as_str().into(),
                nickname.into(),
                text.into(),
            ],
        )?;
        Ok(index)
    }

    /// A chat's entries from index `from`, at most a page.
    pub fn transcript(&self, id: &str, from: u32) -> ApiResult<Vec<Entry>> {
        let rows: Vec<EntryRow> = self
            .sql
            .exec(
                "SELECT idx, event, party, nickname, text FROM transcript WHERE callback_id = ? AND idx >= ? ORDER BY idx LIMIT ?",
                vec![id.into(), V::Integer(i64::from(from)), V::Integer(i64::from(PAGE))],
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(Entry {
                    index: u32::try_from(r.idx).ok()?,
                    kind: Kind::parse(&r.event)?,
                    party: Party::parse(&r.party)?,
                    nickname: r.nickname,
                    text: r.text,
                })
            })
            .collect())
    }

    /// The nickname a party last joined the chat with, if they joined.
    pub fn nickname(&self, id: &str, party: Party) -> ApiResult<Option<String>> {
        #[derive(Deserialize)]
        struct Row {
            nickname: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT nickname FROM transcript WHERE callback_id = ? AND party = ? AND event = ? ORDER BY idx DESC LIMIT 1",
                vec![id.into(), party.as_str().into(), Kind::Joined.as_str().into()],
            )?
            .to_array()?;
        Ok(rows.into_iter().next().map(|r| r.nickname))
    }

    /// The name an agent of the service goes by (their id when it is not known).
    pub fn agent_name(&self, agent: &str) -> ApiResult<String> {
        #[derive(Deserialize)]
        struct Row {
            name: Option<String>,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT name FROM agents WHERE id = ?", vec![agent.into()])?
            .to_array()?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|r| r.name)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| agent.to_string()))
    }
}
