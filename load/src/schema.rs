//! The app database's tables follow the models. liner records what it made each table
//! as (`liner_tables`, beside them); on each load it compares three things: the model,
//! that record, and the table as the app database has it now. A column that changed
//! since the record was changed by hand, and is an error; the model's own changes are
//! migrations.

use anyhow::bail;
use serde::{Deserialize, Serialize};

/// A table's columns (name, type as the app database spells it) and primary key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub columns: Vec<(String, String)>,
    pub key: Vec<String>,
}

impl Definition {
    fn column(&self, name: &str) -> Option<&str> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str())
    }
}

/// One step from the table as it is to the table the model describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Create,
    AddColumn {
        name: String,
        ty: String,
    },
    DropColumn {
        name: String,
    },
    Retype {
        name: String,
        from: String,
        to: String,
    },
    /// The model's key changed: the table is made anew (its rows come back with the merge).
    Recreate {
        reason: String,
    },
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Create => f.write_str("created"),
            Change::AddColumn { name, ty } => write!(f, "added column {name} {ty}"),
            Change::DropColumn { name } => write!(f, "dropped column {name}"),
            Change::Retype { name, from, to } => write!(f, "column {name}: {from} -> {to}"),
            Change::Recreate { reason } => write!(f, "made anew: {reason}"),
        }
    }
}

/// The steps from `actual` (None: no such table) to `model`. With a `recorded`
/// definition, any difference between it and `actual` in liner's columns is a hand
/// edit and an error naming it. Without one (a table from before liner kept records),
/// the table as it is counts as liner's.
pub fn plan(
    table: &str,
    model: &Definition,
    actual: Option<&Definition>,
    recorded: Option<&Definition>,
) -> anyhow::Result<Vec<Change>> {
    let Some(actual) = actual else {
        return Ok(vec![Change::Create]);
    };
    let fix = "restore it, drop the table, or load with `--mode replace` to make it anew from the model";
    if let Some(rec) = recorded {
        for (name, ty) in &rec.columns {
            match actual.column(name) {
                None => {
                    bail!("table {table} in the app database has no column {name:?}: it was dropped by hand; {fix}")
                }
                Some(now) if now != ty => bail!(
                    "column {table}.{name} in the app database is {now}, liner made it {ty}: it was retyped by hand; {fix}"
                ),
                Some(_) => {}
            }
        }
        if rec.key != actual.key {
            bail!(
                "table {table} in the app database has primary key ({}), liner made it ({}): it was changed by hand; {fix}",
                actual.key.join(", "),
                rec.key.join(", ")
            );
        }
    }
    let baseline = recorded.unwrap_or(actual);
    if baseline.key != model.key {
        return Ok(vec![Change::Recreate {
            reason: format!("the key changed from ({}) to ({})", baseline.key.join(", "), model.key.join(", ")),
        }]);
    }
    let mut changes = Vec::new();
    for (name, ty) in &model.columns {
        match baseline.column(name) {
            None => changes.push(Change::AddColumn { name: name.clone(), ty: ty.clone() }),
            Some(was) if was != ty => {
                changes.push(Change::Retype { name: name.clone(), from: was.to_string(), to: ty.clone() })
            }
            Some(_) => {}
        }
    }
    // Only columns liner recorded are liner's to drop: others may be the app's own.
    if let Some(rec) = recorded {
        for (name, _) in &rec.columns {
            if model.column(name).is_none() {
                changes.push(Change::DropColumn { name: name.clone() });
            }
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(columns: &[(&str, &str)], key: &[&str]) -> Definition {
        Definition {
            columns: columns.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect(),
            key: key.iter().map(|k| k.to_string()).collect(),
        }
    }

    #[test]
    fn the_model_s_changes_are_migrations() {
        let was = def(&[("id", "text"), ("n", "bigint"), ("old", "text")], &["id"]);
        let model = def(&[("id", "text"), ("n", "double precision"), ("new", "text")], &["id"]);
        let steps = plan("t", &model, Some(&was), Some(&was)).unwrap();
        assert_eq!(
            steps,
            vec![
                Change::Retype { name: "n".into(), from: "bigint".into(), to: "double precision".into() },
                Change::AddColumn { name: "new".into(), ty: "text".into() },
                Change::DropColumn { name: "old".into() },
            ]
        );
        assert!(plan("t", &model, Some(&model), Some(&model)).unwrap().is_empty());
        assert_eq!(plan("t", &model, None, Some(&was)).unwrap(), vec![Change::Create]);
    }

    #[test]
    fn a_hand_edit_is_an_error_naming_the_column() {
        let rec = def(&[("id", "text"), ("n", "bigint")], &["id"]);
        let dropped = def(&[("id", "text")], &["id"]);
        let e = plan("t", &rec, Some(&dropped), Some(&rec)).unwrap_err().to_string();
        assert!(e.contains("no column \"n\"") && e.contains("dropped by hand"), "{e}");
        let retyped = def(&[("id", "text"), ("n", "text")], &["id"]);
        let e = plan("t", &rec, Some(&retyped), Some(&rec)).unwrap_err().to_string();
        assert!(e.contains("t.n") && e.contains("is text") && e.contains("retyped by hand"), "{e}");
    }

    #[test]
    fn the_app_s_own_columns_are_left_alone() {
        let rec = def(&[("id", "text")], &["id"]);
        let actual = def(&[("id", "text"), ("app_notes", "text")], &["id"]);
        assert!(plan("t", &rec, Some(&actual), Some(&rec)).unwrap().is_empty());
        // Without a record, nothing is dropped either.
        assert!(plan("t", &rec, Some(&actual), None).unwrap().is_empty());
    }

    #[test]
    fn a_new_key_makes_the_table_anew() {
        let rec = def(&[("id", "text"), ("other", "text")], &["id"]);
        let model = def(&[("id", "text"), ("other", "text")], &["other"]);
        assert!(matches!(plan("t", &model, Some(&rec), Some(&rec)).unwrap()[..], [Change::Recreate { .. }]));
    }
}
