-- model: canonical.tracks
-- key: track_id
-- kind: incremental by track_id = canonical.clusters.cluster_id
-- max_length: isrc 12
-- assert: not_null(title)
-- One row per recording: a cluster of linked provider tracks (canonical.clusters),
-- named by its strongest identifier (`isrc:...`, else `mbid:...`, else
-- `<provider>:<id>`). Title, artist and length come from the most complete member
-- (an editor-curated database's first on a tie); explicit and genres field by field
-- (canonical.fields), with the providers they came from; every provider's id is kept:
-- the columns each provider's track items declare (`-- canonical:`), gathered into
-- canonical.track_provider_columns.
with members as (
    select c.cluster_id, i.*,
        (i.duration_ms is not null)::int + (i.artist is not null)::int as completeness
    from canonical.clusters c
    join intermediate.track_items i using (provider, item_id)
    where c.entity = 'track'
),
best as (
    select * from members
    qualify row_number() over (
        partition by cluster_id
        order by completeness desc, curated desc, popularity desc nulls last, provider, item_id
    ) = 1
),
isrcs as (
    select c.cluster_id, min(i.value) as isrc
    from canonical.clusters c
    join intermediate.item_identifiers i on i.entity = 'track' and i.provider = c.provider and i.item_id = c.item_id and i.kind = 'isrc'
    where c.entity = 'track'
    group by c.cluster_id
),
per_cluster as (
    select
        cluster_id,
        max(duration_ms) as length_ms,
        count(distinct provider) as providers,
        count(*) as items
    from members
    group by cluster_id
),
fields as (
    -- By canonical.fields' rules: explicit when any listing says so; genres merged.
    select
        canonical_id as cluster_id,
        bool_or(value = 'true') filter (where field = 'explicit') as explicit,
        provider_list(bit_or(provider_bit(provider)) filter (where field = 'explicit' and chosen)) as explicit_source,
        string_agg(distinct lower(value), ', ' order by lower(value)) filter (where field = 'genre') as genres,
        provider_list(bit_or(provider_bit(provider)) filter (where field = 'genre')) as genres_source
    from canonical.fields
    where entity = 'track'
    group by all
)
select
    p.cluster_id as track_id,
    b.title,
    b.artist,
    i.isrc,
    p.length_ms,
    pc.* exclude (cluster_id),
    p.providers,
    p.items,
    -- Where the title and artist above were read: the provider, and its lake file.
    b.provider as source_provider,
    b.raw_file as source_file,
    f.explicit,
    f.explicit_source,
    f.genres,
    f.genres_source
from per_cluster p
join best b using (cluster_id)
left join isrcs i using (cluster_id)
left join fields f using (cluster_id)
left join canonical.track_provider_columns pc using (cluster_id)
