-- model: marts.coverage
-- key: run_id, entity, measure
-- assert: not_null(share)
-- How complete the catalog is, run after run: for releases and tracks, the share that
-- carry a GTIN or ISRC, each provider's listing (a measure named after the provider, or
-- as its items model says: MusicBrainz's is `mbid`), (releases) a label
-- and genres, (tracks) a tempo and a key from any provider; and the share whose
-- providers disagree on a field (`conflict_<field>`, from canonical.fields). This build's rows, and every earlier build's from the run history.
with conflicts as (
    select distinct entity, canonical_id, field from canonical.fields where conflict
),
releases as (
    select
        count(*) as items,
        avg((gtin is not null)::int) as gtin,
        avg((label is not null)::int) as label,
        avg((genres is not null)::int) as genres,
        avg((release_id in (select canonical_id from conflicts where entity = 'release' and field = 'release_date'))::int)
            as conflict_release_date,
        avg((release_id in (select canonical_id from conflicts where entity = 'release' and field = 'label'))::int)
            as conflict_label,
        avg((release_id in (select canonical_id from conflicts where entity = 'release' and field = 'catalog_number'))::int)
            as conflict_catalog_number,
        avg((release_id in (select canonical_id from conflicts where entity = 'release' and field = 'explicit'))::int)
            as conflict_explicit
    from canonical.releases
),
tracks as (
    select
        count(*) as items,
        avg((isrc is not null)::int) as isrc,
        avg((track_id in (select track_id from marts.track_features where bpm is not null))::int) as tempo,
        avg((track_id in (select track_id from marts.track_features where camelot is not null))::int) as musical_key,
        avg((track_id in (select canonical_id from conflicts where entity = 'track' and field = 'explicit'))::int)
            as conflict_explicit
    from canonical.tracks
),
listed as (
    -- Each provider with columns in the canonical tables: the share of releases and
    -- tracks it lists, under its measure's name (raw.coverage_measures).
    select m.entity, m.measure, count(distinct c.cluster_id) as listed
    from raw.coverage_measures m
    left join canonical.clusters c on c.entity = m.entity and c.provider = m.provider
    group by all
),
by_provider as (
    -- None without releases (or tracks), as the measures above, whose NULL averages
    -- UNPIVOT leaves out.
    select 'release' as entity, r.items, l.measure, l.listed / r.items as share
    from listed l, releases r
    where l.entity = 'release' and r.items > 0
    union all
    select 'track', t.items, l.measure, l.listed / t.items
    from listed l, tracks t
    where l.entity = 'track' and t.items > 0
),
now as (
    select 'release' as entity, items, measure, share
    from (unpivot releases on columns(* exclude (items)) into name measure value share)
    union all
    select 'track', items, measure, share
    from (unpivot tracks on columns(* exclude (items)) into name measure value share)
    union all
    select entity, items, measure, share from by_provider
)
select b.run_id, b.today as built_on, n.entity, n.measure, n.items, coalesce(n.share, 0) as share
from now n, raw.build b
union all
select run_id, built_on, entity, measure, items, share
from raw.coverage_history
where run_id <> (select run_id from raw.build)
