//! The followed artists.

use super::State;

/// A followed artist.
#[derive(Debug, Clone)]
pub struct Follow {
    pub id: i64,
    pub name: String,
    pub musicbrainz_id: Option<String>,
    pub added_at: String,
}

impl State {
    /// Adds an artist; following one twice is not an error. Returns whether it was new.
    pub fn follow(&self, name: &str) -> anyhow::Result<bool> {
        self.follow_as(name, None)
    }

    /// Adds an artist known to be this MusicBrainz artist (a homonym settled once).
    pub fn follow_as(&self, name: &str, musicbrainz_id: Option<&str>) -> anyhow::Result<bool> {
        let name = name.trim();
        anyhow::ensure!(!name.is_empty(), "an artist name cannot be empty");
        let new = self.db.execute("INSERT OR IGNORE INTO follows (name) VALUES (?)", [name])? == 1;
        if let Some(id) = musicbrainz_id {
            self.db.execute("UPDATE follows SET musicbrainz_id = ? WHERE name = ?", [id, name])?;
        }
        Ok(new)
    }

    /// The MusicBrainz artist chosen for each followed name that has one.
    pub fn musicbrainz_ids(&self) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
        let mut stmt = self.db.prepare("SELECT name, musicbrainz_id FROM follows WHERE musicbrainz_id IS NOT NULL")?;
        let ids = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(ids)
    }

    pub fn unfollow(&self, name: &str) -> anyhow::Result<bool> {
        Ok(self.db.execute("DELETE FROM follows WHERE name = ?", [name.trim()])? == 1)
    }

    /// The followed artists with their ids (stable while followed) and MusicBrainz ids.
    pub fn follows_detailed(&self) -> anyhow::Result<Vec<Follow>> {
        let mut stmt = self.db.prepare("SELECT rowid, name, musicbrainz_id, added_at FROM follows ORDER BY rowid")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Follow { id: r.get(0)?, name: r.get(1)?, musicbrainz_id: r.get(2)?, added_at: r.get(3)? })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Stops following the artist with this id; its name, or None when there is none.
    pub fn unfollow_id(&self, id: i64) -> anyhow::Result<Option<String>> {
        let name: Option<String> =
            self.db.query_row("SELECT name FROM follows WHERE rowid = ?", [id], |r| r.get(0)).ok();
        if let Some(n) = &name {
            self.db.execute("DELETE FROM follows WHERE rowid = ?", [id])?;
            tracing::info!("unfollowed {n}");
        }
        Ok(name)
    }

    pub fn follows(&self) -> anyhow::Result<Vec<String>> {
        let mut stmt = self.db.prepare("SELECT name FROM follows ORDER BY rowid")?;
        let names = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_are_kept_once_case_aside_and_can_be_removed() {
        let dir = tempfile::tempdir().unwrap();
        let s = State::open(&dir.path().join("state.sqlite")).unwrap();
        assert!(s.follow("Daft Punk").unwrap());
        assert!(!s.follow("daft punk ").unwrap());
        assert!(s.follow("Björk").unwrap());
        assert_eq!(s.follows().unwrap(), vec!["Daft Punk", "Björk"]);
        assert!(s.unfollow("DAFT PUNK").unwrap());
        assert_eq!(s.follows().unwrap(), vec!["Björk"]);
        assert!(s.follow("  ").is_err());
    }
}
