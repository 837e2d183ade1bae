//! The build order: models sorted so each comes after everything it reads.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::bail;

use crate::model::Model;

/// Indices of `models` in dependency order. `sources` are names that exist without a
/// model (the raw lake views). An unknown name or a cycle is an error naming the file.
pub fn order(models: &[Model], sources: &BTreeSet<String>) -> anyhow::Result<Vec<usize>> {
    let by_name: BTreeMap<&str, usize> = models.iter().enumerate().map(|(i, m)| (m.name.as_str(), i)).collect();
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(models.len());
    for m in models {
        let mut d = Vec::new();
        for r in &m.refs {
            if let Some(&i) = by_name.get(r.as_str()) {
                d.push(i);
            } else if !sources.contains(r) {
                bail!("{}: model {} reads {r}, which is neither a model nor a raw source", m.path.display(), m.name);
            }
        }
        deps.push(d);
    }

    // Depth-first, visiting models in file order so the order is stable.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks = vec![Mark::New; models.len()];
    let mut out = Vec::with_capacity(models.len());
    fn visit(
        i: usize,
        models: &[Model],
        deps: &[Vec<usize>],
        marks: &mut [Mark],
        stack: &mut Vec<usize>,
        out: &mut Vec<usize>,
    ) -> anyhow::Result<()> {
        match marks[i] {
            Mark::Done => return Ok(()),
            Mark::Open => {
                let start = stack.iter().position(|&s| s == i).unwrap_or(0);
                let cycle: Vec<&str> = stack[start..].iter().chain([&i]).map(|&s| models[s].name.as_str()).collect();
                bail!("{}: dependency cycle: {}", models[i].path.display(), cycle.join(" -> "));
            }
            Mark::New => {}
        }
        marks[i] = Mark::Open;
        stack.push(i);
        for &d in &deps[i] {
            visit(d, models, deps, marks, stack, out)?;
        }
        stack.pop();
        marks[i] = Mark::Done;
        out.push(i);
        Ok(())
    }
    let mut stack = Vec::new();
    for i in 0..models.len() {
        visit(i, models, &deps, &mut marks, &mut stack, &mut out)?;
    }
    Ok(out)
}

/// The models a set of selectors names, dbt-style: `name` (that model), `name+` (and
/// everything that reads it, directly or not), `+name` (and everything it reads),
/// `schema.*` (every model of a layer). An unknown name is an error.
pub fn select(models: &[Model], selectors: &[String]) -> anyhow::Result<BTreeSet<usize>> {
    let by_name: BTreeMap<&str, usize> = models.iter().enumerate().map(|(i, m)| (m.name.as_str(), i)).collect();
    let reads =
        |i: usize| -> Vec<usize> { models[i].refs.iter().filter_map(|r| by_name.get(r.as_str()).copied()).collect() };
    let mut chosen = BTreeSet::new();
    for sel in selectors {
        let (up, rest) = sel.strip_prefix('+').map_or((false, sel.as_str()), |r| (true, r));
        let (down, name) = rest.strip_suffix('+').map_or((false, rest), |r| (true, r));
        let roots: Vec<usize> = match name.strip_suffix(".*") {
            Some(layer) => models.iter().enumerate().filter(|(_, m)| m.schema() == layer).map(|(i, _)| i).collect(),
            None => by_name.get(name).copied().into_iter().collect(),
        };
        if roots.is_empty() {
            // Models whose table name holds what was typed (three letters or more).
            let typed = name.rsplit('.').next().unwrap_or(name);
            let known: Vec<&str> = by_name
                .keys()
                .copied()
                .filter(|n| typed.len() >= 3 && n.rsplit('.').next().is_some_and(|t| t.contains(typed)))
                .collect();
            bail!(
                "--select {sel}: no model {name}{}",
                if known.is_empty() { String::new() } else { format!(" (did you mean {}?)", known.join(", ")) }
            );
        }
        let mut todo: Vec<(usize, bool, bool)> = roots.into_iter().map(|i| (i, up, down)).collect();
        while let Some((i, up, down)) = todo.pop() {
            if !chosen.insert((i, up, down)) {
                continue;
            }
            if up {
                todo.extend(reads(i).into_iter().map(|d| (d, true, false)));
            }
            if down {
                todo.extend((0..models.len()).filter(|&j| reads(j).contains(&i)).map(|j| (j, false, true)));
            }
        }
    }
    Ok(chosen.into_iter().map(|(i, _, _)| i).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn model(name: &str, sql: &str) -> Model {
        let (layer, table) = name.split_once('.').unwrap();
        Model::parse(Path::new(&format!("sql/{layer}/{table}.sql")), sql).unwrap()
    }

    #[test]
    fn selectors_take_a_model_its_readers_its_sources_or_a_layer() {
        let models = vec![
            model("staging.a", "select 1 as x"),
            model("staging.b", "select * from staging.a"),
            model("canonical.c", "select * from staging.b"),
            model("canonical.d", "select 1 as y"),
        ];
        let pick = |s: &[&str]| -> Vec<String> {
            let sel: Vec<String> = s.iter().map(|x| x.to_string()).collect();
            let mut n: Vec<String> =
                select(&models, &sel).unwrap().into_iter().map(|i| models[i].name.clone()).collect();
            n.sort();
            n
        };
        assert_eq!(pick(&["staging.b"]), ["staging.b"]);
        assert_eq!(pick(&["staging.b+"]), ["canonical.c", "staging.b"]);
        assert_eq!(pick(&["+staging.b"]), ["staging.a", "staging.b"]);
        assert_eq!(pick(&["canonical.*"]), ["canonical.c", "canonical.d"]);
        assert_eq!(pick(&["staging.a", "canonical.d"]), ["canonical.d", "staging.a"]);
        let e = select(&models, &["staging.bb".to_string()]).unwrap_err().to_string();
        assert!(e.contains("no model staging.bb"), "{e}");
    }

    fn names(models: &[Model], order: &[usize]) -> Vec<String> {
        order.iter().map(|&i| models[i].name.clone()).collect()
    }

    #[test]
    fn every_model_comes_after_what_it_reads() {
        let models = vec![
            model("marts.coverage", "select * from canonical.releases join canonical.links using (x)"),
            model("canonical.links", "select * from staging.a join staging.b using (x)"),
            model("canonical.releases", "select * from staging.a, canonical.links"),
            model("staging.a", "select * from raw.deezer_albums"),
            model("staging.b", "select * from raw.musicbrainz_releases"),
        ];
        let sources = ["raw.deezer_albums", "raw.musicbrainz_releases"].map(String::from).into();
        let order = names(&models, &order(&models, &sources).unwrap());
        let pos = |n: &str| order.iter().position(|x| x == n).unwrap();
        assert_eq!(order.len(), 5);
        assert!(pos("staging.a") < pos("canonical.links"));
        assert!(pos("staging.b") < pos("canonical.links"));
        assert!(pos("canonical.links") < pos("canonical.releases"));
        assert!(pos("canonical.releases") < pos("marts.coverage"));
    }

    #[test]
    fn a_cycle_is_an_error_that_names_the_file_and_the_loop() {
        let models = vec![
            model("staging.a", "select * from canonical.c"),
            model("canonical.b", "select * from staging.a"),
            model("canonical.c", "select * from canonical.b"),
        ];
        let e = order(&models, &BTreeSet::new()).unwrap_err().to_string();
        assert!(e.contains("sql/staging/a.sql"), "{e}");
        assert!(e.contains("staging.a -> canonical.c -> canonical.b -> staging.a"), "{e}");
    }

    #[test]
    fn an_unknown_name_is_an_error_that_names_the_file() {
        let models = vec![model("staging.a", "select * from raw.nowhere")];
        let e = order(&models, &BTreeSet::new()).unwrap_err().to_string();
        assert!(e.contains("sql/staging/a.sql") && e.contains("raw.nowhere"), "{e}");
    }
}
